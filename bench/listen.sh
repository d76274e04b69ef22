#!/usr/bin/env bash
# bench/listen.sh — agora listen's reliability and latency under a burst.
#
#   bash bench/listen.sh                          # from the repo root
#   SIGNUPS=500 UNSUBS=200 bash bench/listen.sh   # quicker
#
# Starts `agora listen --no-limits` on loopback with a fresh site and
# database, an SMTP server inside the benchmark program taking the
# confirmation mails, then from CLIENTS concurrent clients (default 50):
# SIGNUPS sign-ups (default 2000; each is the site's form post and the
# service's check page, two requests), a Confirm for each from the link in
# its mail, and UNSUBS one-click unsubscribes (default 1000, RFC 8058).
# Stops the service with SIGTERM, then checks that every sign-up,
# confirmation, mail and unsubscribe was recorded exactly once and that no
# "database is locked" was seen. Prints p50/p95/p99/max latency per phase
# and over all requests, with the target: p99 <= 50 ms on 2 cores.
#
# Environment: SIGNUPS, UNSUBS, CLIENTS, KEEP=1 (keep the temp folder),
# BENCH_TMP (default $TMPDIR or /tmp: a disk, since the commits' fsyncs are
# part of what is measured). Exit status 0 when every check passed, target
# met or not.
set -euo pipefail

SIGNUPS=${SIGNUPS:-2000}
UNSUBS=${UNSUBS:-1000}
CLIENTS=${CLIENTS:-50}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

die() { echo "listen.sh: $*" >&2; exit 1; }
for v in SIGNUPS UNSUBS CLIENTS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number (got '${!v}')"
done
((UNSUBS <= SIGNUPS)) || die "UNSUBS ($UNSUBS) must not exceed SIGNUPS ($SIGNUPS)"
command -v go >/dev/null || die "go not found in PATH"

WORK=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/agora-listen-bench.XXXXXX")
if [[ ${KEEP:-} == 1 ]]; then
	echo "# keeping $WORK" >&2
else
	trap 'rm -rf "$WORK"' EXIT
fi

go build -o "$WORK/agora" ./cmd/agora
go build -o "$WORK/listenbench" ./bench/listenbench

load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v c="$(nproc)" 'BEGIN { exit !(l > c / 2) }'; then
	echo "# warning: load average $load on $(nproc) cpus: other work is running, latencies will be noisy"
fi
mkdir -p "$WORK/site"
"$WORK/listenbench" -agora "$WORK/agora" -dir "$WORK/site" \
	-signups "$SIGNUPS" -unsubscribes "$UNSUBS" -clients "$CLIENTS"
