#!/usr/bin/env bash
# bench/serve.sh — agora serve's edit-to-reload latency on a large site.
#
#   bash bench/serve.sh                  # from the repo root
#   EDITS=20 PAGES=2000 bash bench/serve.sh
#
# Writes the synthetic corpus (PAGES pages, default 10000) with the Hugo
# layouts it ships, starts `agora serve` on it, listens on the live-reload
# event stream as a browser does, and edits one page's body EDITS times
# (default 50), timing each save from the file write to the reload event.
# Prints every sample, p50 and p95, and the server's peak memory, with the
# targets: p50 <= 30 ms, p95 <= 100 ms, memory <= 300 MiB.
#
# Environment: PAGES, EDITS, CORPUS (default ../shared/corpus), KEEP=1 (keep
# the temp folder), BENCH_TMP (default /dev/shm when it has 2 GiB free).
# Exit status: 0 when every edit reloaded (targets met or not).
set -euo pipefail

PAGES=${PAGES:-10000}
EDITS=${EDITS:-50}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
cd "$ROOT"

die() { echo "serve.sh: $*" >&2; exit 1; }
[[ $PAGES =~ ^[1-9][0-9]*$ ]] || die "PAGES must be a positive integer (got '$PAGES')"
[[ $EDITS =~ ^[1-9][0-9]*$ ]] || die "EDITS must be a positive integer (got '$EDITS')"
command -v go >/dev/null || die "go not found in PATH"
[[ -d $CORPUS ]] || die "corpus generator not found at $CORPUS (set CORPUS=...)"

# In memory when possible, as bench/build.sh does: the first build writes
# ~13,000 files, and serve's build folder goes to TMPDIR.
if [[ -z ${BENCH_TMP:-} ]]; then
	BENCH_TMP=${TMPDIR:-/tmp}
	if [[ -d /dev/shm && -w /dev/shm ]] &&
		(($(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > 2 * 1024 * 1024)); then
		BENCH_TMP=/dev/shm
	fi
fi
WORK=$(mktemp -d "$BENCH_TMP/agora-serve-bench.XXXXXX")
if [[ ${KEEP:-} == 1 ]]; then
	echo "# keeping $WORK" >&2
else
	trap 'rm -rf "$WORK"' EXIT
fi

SITE=$WORK/site
(cd "$CORPUS" && go run . -n "$PAGES" -out "$SITE") >/dev/null
mkdir -p "$SITE/layouts"
cp -r "$SITE/hugo/layouts/." "$SITE/layouts/"
go build -o "$WORK/agora" ./cmd/agora
go build -o "$WORK/servelat" ./bench/servelat

echo "# agora serve benchmark: pages=$PAGES edits=$EDITS cpus=$(nproc) $(go env GOVERSION) tmp=$WORK"
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v c="$(nproc)" 'BEGIN { exit !(l > c / 2) }'; then
	echo "# warning: load average $load on $(nproc) cpus: other work is running, latencies will be noisy"
fi
out=$(TMPDIR=$WORK "$WORK/servelat" -agora "$WORK/agora" -site "$SITE" -n "$EDITS" 2>"$WORK/serve.log") ||
	{ cat "$WORK/serve.log" >&2; die "servelat failed"; }
echo "$out"
val() { awk -v k="$1" '$1 == k { print $2 }' <<<"$out"; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t ? "PASS" : "MISS") }'; }
echo
echo "target p50_ms <= 30: $(val p50_ms) $(verdict "$(val p50_ms)" 30)"
echo "target p95_ms <= 100: $(val p95_ms) $(verdict "$(val p95_ms)" 100)"
echo "target server_peak_MiB <= 300: $(val server_peak_MiB) $(verdict "$(val server_peak_MiB)" 300)"

# Front-matter edits re-render every output that shows the page (a new
# title), or that lists it where it moved (a new date): informational, no
# target.
for kind in title date; do
	res=$(TMPDIR=$WORK "$WORK/servelat" -agora "$WORK/agora" -site "$SITE" -n 10 -kind $kind 2>>"$WORK/serve.log") ||
		{ cat "$WORK/serve.log" >&2; die "servelat -kind $kind failed"; }
	echo "$kind edits (10): p50_ms $(awk '$1 == "p50_ms" { print $2 }' <<<"$res") p95_ms $(awk '$1 == "p95_ms" { print $2 }' <<<"$res")"
done
