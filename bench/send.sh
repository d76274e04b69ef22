#!/usr/bin/env bash
# bench/send.sh — agora send against Postfix's smtp-sink, next to smtp-source.
#
#   bash bench/send.sh                          # from the repo root
#   SUBS=2000 MEM_SUBS=0 bash bench/send.sh     # quicker, no memory run
#
# Environment:
#   SUBS      subscribers in the throughput run (default 10000)
#   MEM_SUBS  subscribers in the peak-memory run (default 100000; 0 skips it)
#   PORT      loopback port for smtp-sink (default 2525)
#   CONCURRENCY  agora's connections and smtp-source's sessions (default 4)
#   KEEP=1    keep the temp folder and print its path
#   BENCH_TMP where the temp folder goes (default $TMPDIR or /tmp: a disk,
#             since the journal's fsyncs are part of what is measured)
#
# Needs Go and, for smtp-sink and smtp-source, Debian's postfix package: run
# as root, the script installs it with apt-get when missing and makes sure
# the postfix daemon itself is not left running. Only 127.0.0.1 is used.
# Prints the figures and the targets (ratio >= 0.5, peak <= 150 MiB); exit
# status 0 when every run succeeded, whether or not the targets were met.
set -euo pipefail

SUBS=${SUBS:-10000}
MEM_SUBS=${MEM_SUBS:-100000}
PORT=${PORT:-2525}
CONCURRENCY=${CONCURRENCY:-4}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

die() { echo "send.sh: $*" >&2; exit 1; }
[[ $SUBS =~ ^[1-9][0-9]*$ ]] || die "SUBS must be a positive integer (got '$SUBS')"
[[ $MEM_SUBS =~ ^[0-9]+$ ]] || die "MEM_SUBS must be a number (got '$MEM_SUBS')"
command -v go >/dev/null || die "go not found in PATH"

# --- 1. prerequisites: smtp-sink, smtp-source, GNU time ----------------------
sink=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
source_=$(command -v smtp-source || echo /usr/sbin/smtp-source)
if [[ ! -x $sink || ! -x $source_ || ! -x /usr/bin/time ]]; then
	[[ $(id -u) -eq 0 ]] || die "needs postfix (smtp-sink, smtp-source) and GNU time: apt-get install postfix time"
	echo "installing postfix and time with apt-get" >&2
	export DEBIAN_FRONTEND=noninteractive
	# "No configuration": postfix installs its tools without setting up a
	# mail system on this machine.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	apt-get -q update >/dev/null
	apt-get -q install -y postfix time >/dev/null
fi
# smtp-sink is the server here; the postfix daemon must not be running (it
# may have been started by the install) nor listening on port 25.
if command -v postfix >/dev/null && postfix status >/dev/null 2>&1; then
	postfix stop >/dev/null 2>&1 || true
fi
command -v service >/dev/null && service postfix stop >/dev/null 2>&1 || true

TMP=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/agora-send-bench.XXXXXX")
SINK_PID=
cleanup() {
	local rc=$?
	if [[ -n $SINK_PID ]]; then
		kill "$SINK_PID" 2>/dev/null || true
		wait "$SINK_PID" 2>/dev/null || true
	fi
	if [[ ${KEEP:-} == 1 ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
	exit "$rc"
}
trap cleanup EXIT

go build -o "$TMP/agora" ./cmd/agora

# --- 2. a site with tips on five topics --------------------------------------
site() { # site DIR
	local dir=$1 i
	mkdir -p "$dir/content/tips"
	cat >"$dir/site.toml" <<EOF
baseURL = "https://hub.example.org/hub/"
title = "Bench Hub"
timezone = "Europe/Berlin"
[newsletter]
from = "Bench Hub <news@example.org>"
endpoint = "https://hub.example.org/newsletter"
concurrency = $CONCURRENCY
[newsletter.smtp]
host = "127.0.0.1"
port = $PORT
tls = "none"
EOF
	local topics=(onboarding moderation events metrics newsletters)
	for i in 1 2 3 4 5 6 7 8; do
		cat >"$dir/content/tips/tip-$i.md" <<EOF
+++
title = "Tip number $i: a practical habit for community managers"
date = 2026-05-0${i}T09:00:00
tags = ["${topics[$((i % 5))]}", "${topics[$(((i + 2) % 5))]}"]
+++

A paragraph of advice that is long enough to look like a real summary of a
tip, with a [link](/tips/) and some *emphasis*, the way editors write them.
It goes on for a second sentence about why this matters to a community.

<!--more-->

The rest of the tip.
EOF
	done
}

subscribers() { # subscribers DIR N: mixed topics, one in five chooses none
	awk -v n="$2" 'BEGIN {
		print "email,name,topics"
		split("onboarding moderation events metrics newsletters", t, " ")
		for (i = 1; i <= n; i++) {
			k = i % 5
			if (k == 0) topics = ""
			else if (k == 1) topics = t[1 + i % 5]
			else topics = "\"" t[1 + i % 5] "," t[1 + (i + 1) % 5] "\""
			printf "reader%06d@example.org,Reader %d,%s\n", i, i, topics
		}
	}' >"$1/subs.csv"
	(cd "$1" && "$TMP/agora" subscribers import subs.csv >/dev/null)
}

# --- 3. the sink ---------------------------------------------------------------
# -u nobody: smtp-sink drops root after opening the socket. A backlog of 256.
"$sink" -u nobody "127.0.0.1:$PORT" 256 &
SINK_PID=$!
for _ in $(seq 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
	sleep 0.1
done

export AGORA_SECRET=bench-secret-bench-secret-bench-secret
unset AGORA_DB AGORA_SMTP_HOST AGORA_SMTP_PORT AGORA_SMTP_TLS AGORA_SMTP_USERNAME AGORA_SMTP_PASSWORD

# run_send DIR N: prints "wall_s peak_KiB agora_msgs_per_s sent"
run_send() {
	local dir=$1 n=$2
	site "$dir"
	subscribers "$dir" "$n"
	/usr/bin/time -f "%e %M" -o "$dir/time" "$TMP/agora" send -s "$dir" --now 2026-05-10T12:00:00Z --yes \
		>"$dir/out" 2>"$dir/err" || { cat "$dir/out" "$dir/err" >&2; die "agora send failed"; }
	local sent rate
	sent=$(sed -n 's/^Issue 1: sent \([0-9]*\) of .*/\1/p' "$dir/out")
	rate=$(sed -n 's/.*(\([0-9]*\) msg\/s).*/\1/p' "$dir/out")
	[[ $sent == "$n" ]] || { cat "$dir/out" >&2; die "sent $sent of $n"; }
	echo "$(cat "$dir/time") $rate $sent"
}

# --- 4. throughput: agora, then smtp-source with the same count and size ------
mkdir -p "$TMP/run"
site "$TMP/preview" && subscribers "$TMP/preview" 100
"$TMP/agora" send -s "$TMP/preview" --now 2026-05-10T12:00:00Z --preview "$TMP/preview/eml" >/dev/null
size=$(cat "$TMP"/preview/eml/*.eml | wc -c)
count=$(ls "$TMP"/preview/eml/*.eml | wc -l)
size=$((size / count))

read -r load _ </proc/loadavg
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > 0.5 * n) }'; then
	echo "# warning: load average $load on $(nproc) cpus: other work is running, the rates will be noisy"
fi
read -r a_wall a_kib a_rate a_sent < <(run_send "$TMP/run" "$SUBS")
a_wall_rate=$(awk -v n="$SUBS" -v s="$a_wall" 'BEGIN { printf "%.0f", n / s }')

# smtp-source: as many sessions as agora's connections (CONCURRENCY), each
# reused for many messages (-d), one recipient each, messages of the
# digests' average size.
s_start=$(date +%s.%N)
"$source_" -d -s "$CONCURRENCY" -m "$SUBS" -l "$size" -f news@example.org -t reader@example.org "127.0.0.1:$PORT"
s_end=$(date +%s.%N)
s_wall=$(awk -v a="$s_start" -v b="$s_end" 'BEGIN { printf "%.2f", b - a }')
s_rate=$(awk -v n="$SUBS" -v s="$s_wall" 'BEGIN { printf "%.0f", n / s }')

echo "# agora send benchmark: subscribers=$SUBS message_bytes=$size sessions=$CONCURRENCY cpus=$(nproc) $(go env GOVERSION) tmp=$TMP"
printf "%-12s %8s %10s %12s\n" tool wall_s msgs_per_s peak_MiB
printf "%-12s %8s %10s %12.1f   (send phase alone: %s msg/s)\n" agora "$a_wall" "$a_wall_rate" "$(awk -v k="$a_kib" 'BEGIN{print k/1024}')" "$a_rate"
printf "%-12s %8s %10s %12s\n" smtp-source "$s_wall" "$s_rate" -
ratio=$(awk -v a="$a_wall_rate" -v b="$s_rate" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.5) ? "PASS" : "MISS" }')
echo "ratio msgs/s agora/smtp-source $ratio target>=0.5 $verdict"

# --- 5. peak memory with MEM_SUBS subscribers ---------------------------------
if ((MEM_SUBS > 0)); then
	mkdir -p "$TMP/mem"
	read -r m_wall m_kib m_rate _ < <(run_send "$TMP/mem" "$MEM_SUBS")
	mib=$(awk -v k="$m_kib" 'BEGIN { printf "%.1f", k / 1024 }')
	verdict=$(awk -v m="$mib" 'BEGIN { print (m <= 150) ? "PASS" : "MISS" }')
	echo "peak memory agora send, $MEM_SUBS subscribers: $mib MiB in ${m_wall}s ($m_rate msg/s) target<=150 $verdict"
fi
