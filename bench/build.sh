#!/usr/bin/env bash
# bench/build.sh — full-build benchmark: Agora vs Hugo vs gomarkdown alone,
# on the corpus with TOML front matter, then on one with YAML front matter
# for 30% of its pages (the corpus generator's -yaml 0.3).
#
#   bash bench/build.sh                 # from the repo root
#   RUNS=3 PAGES=2000 bash bench/build.sh
#
# Environment:
#   RUNS    timed runs per tool (default 5); tools alternate within each round
#   YAML=0  skip the YAML corpus
#   PAGES   pages in the synthetic corpus (default 10000)
#   CORPUS  corpus generator (default ../shared/corpus, relative to the repo root)
#   KEEP=1  keep the temp folder (site, outputs, logs) and print its path
#   BENCH_TMP  where the temp folder goes (default /dev/shm if it has 2 GiB free,
#              else $TMPDIR or /tmp)
#
# Prints one line per run and a summary; see bench/README.md for how to read it.
# Exit status: 0 when every build succeeded (whether or not targets were met),
# non-zero when a tool failed, produced too few pages, or a prerequisite is missing.
set -euo pipefail

RUNS=${RUNS:-5}
PAGES=${PAGES:-10000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
cd "$ROOT"

die() { echo "build.sh: $*" >&2; exit 1; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[[ $PAGES =~ ^[1-9][0-9]*$ ]] || die "PAGES must be a positive integer (got '$PAGES')"
command -v go >/dev/null || die "go not found in PATH"
[[ -d $CORPUS ]] || die "corpus generator not found at $CORPUS (set CORPUS=...)"

# --- 1. prerequisites: hugo and GNU time -------------------------------------
missing=()
command -v hugo >/dev/null || missing+=(hugo)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
	if [[ $(id -u) -eq 0 ]]; then
		echo "installing ${missing[*]} with apt-get" >&2
		export DEBIAN_FRONTEND=noninteractive
		# DPkg::Lock::Timeout waits for a concurrent apt/dpkg instead of failing.
		apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
		if ! { apt_get update -qq && apt_get install -y -qq "${missing[@]}"; } >&2; then
			sleep 15
			{ apt_get update -qq && apt_get install -y -qq "${missing[@]}"; } >&2 ||
				die "apt-get install ${missing[*]} failed"
		fi
	else
		die "missing: ${missing[*]} — install with: sudo apt-get install -y ${missing[*]}"
	fi
fi

# Work (site, binaries, outputs) in memory when possible: on a disk, creating
# and deleting ~13,000 output files per run makes kernel time erratic and grow
# from run to run, which swamps the differences being measured.
if [[ -z ${BENCH_TMP:-} ]]; then
	BENCH_TMP=${TMPDIR:-/tmp}
	if [[ -d /dev/shm && -w /dev/shm ]] &&
		(($(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > 2 * 1024 * 1024)); then
		BENCH_TMP=/dev/shm
	fi
fi
TMP=$(mktemp -d "$BENCH_TMP/agora-bench.XXXXXX")
if [[ ${KEEP:-0} == 1 ]]; then
	trap 'echo "kept $TMP" >&2' EXIT
else
	trap 'rm -rf "$TMP"' EXIT
fi
SITE=$TMP/site

# --- 2. corpora (written once) -----------------------------------------------
# The generator's folder may be read-only, so run a copy of it.
cp -r "$CORPUS" "$TMP/corpus"
chmod -R u+w "$TMP/corpus"
# write_corpus DIR FLAGS...: writes a corpus into DIR.
write_corpus() {
	local dir=$1
	shift
	(cd "$TMP/corpus" && GOWORK=off go run . -n "$PAGES" -out "$dir" "$@") ||
		die "corpus generator failed"
	# Agora renders the very same minimal Hugo layouts as site layouts.
	mkdir -p "$dir/layouts"
	cp -r "$dir/hugo/layouts/." "$dir/layouts/"
}
write_corpus "$TMP/site"
CORPORA=(toml)
if [[ ${YAML:-1} != 0 ]]; then
	write_corpus "$TMP/site-yaml" -yaml 0.3
	grep -rlq '^---$' "$TMP/site-yaml/content" || die "the YAML corpus has no YAML front matter"
	CORPORA+=(yaml)
fi

# --- 3. binaries -------------------------------------------------------------
go build -o "$TMP/agora" ./cmd/agora || die "go build ./cmd/agora failed"
go build -o "$TMP/mdonly" ./bench/mdonly || die "go build ./bench/mdonly failed"

# --- 4. timed runs -----------------------------------------------------------
# Hugo's resource and cache folders go to TMP so nothing is written into SITE.
export HUGO_RESOURCEDIR=$TMP/hugo-resources

# set_cmd TOOL OUT: sets CMD to the command line that builds the site with TOOL.
set_cmd() {
	case $1 in
	hugo) CMD=(hugo --quiet -s "$SITE" --config "$SITE/hugo/config.toml"
		--layoutDir "$SITE/hugo/layouts" --cacheDir "$TMP/hugo-cache" -d "$2") ;;
	agora) CMD=("$TMP/agora" build -s "$SITE" -d "$2" --quiet) ;;
	mdonly) CMD=("$TMP/mdonly" -dir "$SITE") ;;
	esac
}

# measure TOOL RUN: times one build under GNU time (the tool is exec'd directly,
# so %M is its own peak RSS); appends "wall_s peak_KiB pages cpu_s" to $TMP/TOOL.dat.
# cpu_s (user + system) is less sensitive than wall time to other load on the machine.
measure() {
	local tool=$1 run=$2 out=$TMP/out-$1 log=$TMP/$CORPUS_NAME-$1-$2.log tf=$TMP/$CORPUS_NAME-$1-$2.time
	local wall kib user sys pages cpu
	rm -rf "$out"
	set_cmd "$tool" "$out"
	if ! /usr/bin/time -f '%e %M %U %S' -o "$tf" "${CMD[@]}" >"$log" 2>&1; then
		echo "build.sh: $tool failed on run $run: ${CMD[*]}" >&2
		tail -n 30 "$log" >&2
		exit 1
	fi
	read -r wall kib user sys <"$tf"
	if [[ $tool == mdonly ]]; then
		pages=$(awk '$1 == "files" { print $2 }' "$log")
	else
		pages=$(find "$out" -name index.html -type f | wc -l)
	fi
	if ((${pages:-0} < PAGES)); then
		echo "build.sh: $tool produced ${pages:-0} pages, expected at least $PAGES: ${CMD[*]}" >&2
		tail -n 30 "$log" >&2
		exit 1
	fi
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	echo "$wall $kib $pages $cpu" >>"$TMP/$CORPUS_NAME-$tool.dat"
	awk -v t="$CORPUS_NAME $tool" -v r="$run" -v w="$wall" -v k="$kib" -v p="$pages" -v c="$cpu" \
		'BEGIN { printf "run %d %-11s wall_s %7.2f peak_MiB %8.1f pages %6d cpu_s %7.2f\n", r, t, w, k / 1024, p, c }'
}

TOOLS=(hugo agora mdonly)
echo "# agora build benchmark: pages=$PAGES runs=$RUNS cpus=$(nproc) $(go env GOVERSION) $(hugo version | awk '{print $1, $2}') tmp=$TMP"
# Timings are only meaningful on an otherwise idle machine.
read -r load _ </proc/loadavg
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > 0.5 * n) }'; then
	echo "# warning: load average $load on $(nproc) cpus: other work is running, wall times will be noisy"
fi
for CORPUS_NAME in "${CORPORA[@]}"; do
	SITE=$TMP/site
	tools=("${TOOLS[@]}")
	if [[ $CORPUS_NAME == yaml ]]; then
		# gomarkdown alone does not read front matter: one figure is enough.
		SITE=$TMP/site-yaml
		tools=(hugo agora)
	fi
	for ((run = 1; run <= RUNS; run++)); do
		for tool in "${tools[@]}"; do
			measure "$tool" "$run"
		done
	done
done

# --- 5. summary --------------------------------------------------------------
# median FILE COLUMN
median() {
	awk -v c="$2" '{ print $c }' "$1" | sort -g |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
declare -A WALL MEM PAGECOUNT CPU
echo
printf '%-11s %14s %16s %8s %13s\n' tool median_wall_s median_peak_MiB pages median_cpu_s
for CORPUS_NAME in "${CORPORA[@]}"; do
	for tool in "${TOOLS[@]}"; do
		f=$TMP/$CORPUS_NAME-$tool.dat
		[[ -f $f ]] || continue
		k=$CORPUS_NAME-$tool
		WALL[$k]=$(median "$f" 1)
		MEM[$k]=$(median "$f" 2)
		PAGECOUNT[$k]=$(median "$f" 3)
		CPU[$k]=$(median "$f" 4)
		awk -v t="$CORPUS_NAME $tool" -v w="${WALL[$k]}" -v k="${MEM[$k]}" -v p="${PAGECOUNT[$k]}" -v c="${CPU[$k]}" \
			'BEGIN { printf "%-11s %14.2f %16.1f %8d %13.2f\n", t, w, k / 1024, p, c }'
	done
done
echo

met=0
targets=0
# ratio KIND NUM DEN A B TARGET: prints "ratio KIND A/B R target<=T PASS|MISS".
ratio() {
	local line
	line=$(awk -v kind="$1" -v n="$2" -v d="$3" -v a="$4" -v b="$5" -v t="$6" 'BEGIN {
		if (d <= 0) { printf "ratio %-4s %s/%s n/a target<=%.2f MISS\n", kind, a, b, t; exit }
		r = n / d
		printf "ratio %-4s %s/%s %.3f target<=%.2f %s\n", kind, a, b, r, t, (r <= t) ? "PASS" : "MISS"
	}')
	echo "$line"
	targets=$((targets + 1))
	[[ $line == *PASS ]] && met=$((met + 1))
	return 0
}
ratio wall "${WALL[toml-agora]}" "${WALL[toml-hugo]}" agora hugo 0.20
ratio mem "${MEM[toml-agora]}" "${MEM[toml-hugo]}" agora hugo 0.10
ratio wall "${WALL[toml-agora]}" "${WALL[toml-mdonly]}" agora mdonly 1.5
if [[ -n ${WALL[yaml-agora]:-} ]]; then
	ratio wall "${WALL[yaml-agora]}" "${WALL[yaml-hugo]}" agora-yaml hugo-yaml 0.20
	ratio mem "${MEM[yaml-agora]}" "${MEM[yaml-hugo]}" agora-yaml hugo-yaml 0.10
fi
echo "targets met $met/$targets"
