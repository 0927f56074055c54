#!/usr/bin/env bash
# External media on real calls: N SIPp calls, each bridged with a WebSocket
# external media channel (server mode, slin16) whose bot echoes every frame.
#
# For each N, SIPp (tests/sipp/bridges_uac_stream.xml, a 1 kHz PCMU tone in
# a loop) places N + 1 calls into the Stasis app `bench`; bench/external_media.js
# answers each, creates
#   POST /ari/channels/externalMedia?app=bench&transport=websocket&encapsulation=none&connection_type=server&format=slin16
# connects a bot to /media/<MEDIA_WEBSOCKET_CONNECTION_ID> (subprotocol
# `media`) that sends every BINARY frame back, and puts the call and the media
# channel in a mixing bridge. The bots are bench/em_bots.c, built here: one
# C process on epoll, so that they take little of the machine and add almost
# no delay of their own. With every call up: a warm-up, then a window in
# which ariadne's CPU (% of one core) and RSS, node's, the bots', SIPp's and the whole
# machine's CPU are sampled each second and every frame's arrival at the bots
# is stamped (inter-arrival p50/p99/max, frames received vs 50/s expected).
# The extra call's bot stops reading for BENCH_EM_SLOW_S s in the window: the
# other bots' inter-arrival during that time shows whether one stuck peer
# delays the others. The bots' figures include their own scheduling delays
# (one process serves every bot): tcpdump on lo gives, for a sample of the
# bots, the kernel's timestamps of ariadne's writes (its own pacing), and
# rtp_statistics of the same calls says how much audio SIPp sent in. A
# summary table is printed at the end.
#
# Environment: BENCH_EM_N ("100 500"), BENCH_EM_HOLD_S (30: the window),
# BENCH_EM_WARMUP_S (2), BENCH_EM_SLOW_S (10; 0: no slow bot),
# BENCH_EM_SLOW_AT_S (5: when it stops reading, into the window), BENCH_RAMP
# (100 calls/s), BENCH_EM_PCAP (50: bots whose socket tcpdump watches, for
# ariadne's own send times without the bots' delays; 0: none), ARIADNE_BIN
# (build/ariadne), BENCH_VERBOSE (0).
# Exits non-zero when something went wrong (setup, refused requests, calls
# failing, ariadne dying, channels left over), not on timing figures.
set -u
. "$(dirname "$0")/lib/server.sh"

N_LIST=${BENCH_EM_N:-100 500}
HOLD_S=${BENCH_EM_HOLD_S:-30}
WARMUP_S=${BENCH_EM_WARMUP_S:-2}
SLOW_S=${BENCH_EM_SLOW_S:-10}
SLOW_AT_S=${BENCH_EM_SLOW_AT_S:-5}
RAMP=${BENCH_RAMP:-100}
PCAP=${BENCH_EM_PCAP:-50}
SCEN=$BENCH_ROOT/tests/sipp/bridges_uac_stream.xml
APP_PID=
SIPP_PID=
SUMMARY_FILE=
BIN_SNAP=
BOTS_BIN=

bench_need sipp sip-tester
bench_need curl curl
command -v cc >/dev/null || { echo "bench: cc missing (build-essential)" >&2; exit 1; }
command -v node >/dev/null || { echo "bench: node missing" >&2; exit 1; }
# tcpdump gives ariadne's own send times (kernel stamps): optional.
if [ "${PCAP:-0}" != 0 ] && ! command -v tcpdump >/dev/null 2>&1; then
	echo "bench: installing tcpdump (apt-get)" >&2
	sudo=
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	{ $sudo apt-get install -y tcpdump >/dev/null 2>&1 ||
		{ $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y tcpdump >/dev/null 2>&1; }; } ||
		{ echo "bench: no tcpdump: no wire figures" >&2; PCAP=0; }
fi
. "$(dirname "$0")/lib/sip_bench.sh"

em_cleanup() {
	local rc=$?
	[ -n "$SUMMARY_FILE" ] && rm -f "$SUMMARY_FILE"
	[ -n "$BIN_SNAP" ] && rm -f "$BIN_SNAP"
	[ -n "$BOTS_BIN" ] && rm -f "$BOTS_BIN"
	(exit $rc)
	sip_bench_cleanup
}
trap em_cleanup EXIT
SUMMARY_FILE=$(mktemp "${TMPDIR:-/tmp}/ariadne-em-summary-XXXXXX")
BOTS_BIN=$(mktemp "${TMPDIR:-/tmp}/ariadne-em-bots-XXXXXX")
cc -O2 -Wall -Wextra -o "$BOTS_BIN" "$BENCH_ROOT/bench/em_bots.c" || { echo "bench: cannot build bench/em_bots.c" >&2; exit 1; }

bench_build
# Run every N on one copy of the binary: a rebuild of build/ariadne during the
# run (others work in the same tree) must not change or break it half-way.
BIN_SNAP=$(mktemp "${TMPDIR:-/tmp}/ariadne-em-bin-XXXXXX")
for i in 1 2 3 4 5; do
	cp "$ARIADNE_BIN" "$BIN_SNAP" 2>/dev/null && chmod +x "$BIN_SNAP" &&
		"$BIN_SNAP" --version >/dev/null 2>&1 && break
	sleep 2
done
"$BIN_SNAP" --version >/dev/null 2>&1 || { echo "bench: cannot run a copy of $ARIADNE_BIN" >&2; exit 1; }
BIN_ORIG=$ARIADNE_BIN
BIN_INFO="$(stat -c '%y' "$ARIADNE_BIN" | cut -d. -f1), sha256 $(sha256sum "$BIN_SNAP" | cut -c1-12)"
ARIADNE_BIN=$BIN_SNAP
if [ ! -d "$BENCH_ROOT/node_modules/ws" ]; then
	(cd "$BENCH_ROOT" && npm ci --no-audit --no-fund >&2) || { echo "bench: npm ci failed" >&2; exit 1; }
fi
for v in "$HOLD_S" "$WARMUP_S" "$SLOW_S" "$SLOW_AT_S" "$RAMP" "$PCAP" $N_LIST; do
	case $v in '' | *[!0-9]*) echo "bench: not a whole number: '$v'" >&2; exit 1 ;; esac
done
[ "$RAMP" -gt 0 ] || { echo "bench: BENCH_RAMP must be > 0" >&2; exit 1; }

# ERROR/WARNING lines of the server log: a count and the first few.
log_check() {
	local n
	n=$(grep -cE 'ERROR|WARNING' "$BENCH_TMP/ariadne.log" 2>/dev/null)
	echo "ariadne log: ${n:-0} ERROR/WARNING lines"
	[ "${n:-0}" -gt 0 ] && grep -E 'ERROR|WARNING' "$BENCH_TMP/ariadne.log" | sort | uniq -c | sort -rn | head -n 10 | sed 's/^/  /'
	return 0
}

# Why SIPp calls failed: its last scenario table (messages, retransmissions,
# timeouts, unexpected messages per step) and its error log (-trace_err),
# counted by kind.
sipp_failures() {
	tr -d '\r' < "$BENCH_TMP/screen.log" 2>/dev/null |
		awk '/Scenario Screen/ { n = 0; delete t } /Messages  Retrans/ || /---------->|<----------|Pause \[/ { t[n++] = $0 }
		     END { for (i = 0; i < n; i++) print "  " t[i] }'
	cat "$BENCH_TMP"/*_errors.log 2>/dev/null | node -e '
let s = "";
process.stdin.on("data", (d) => { s += d; }).on("end", () => {
	const kinds = new Map();
	for (const e of s.split(/\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: /).slice(1)) {
		const k = e.replace(/Call-Id: [^,\s]+/g, "Call-Id: *").replace(/\s+/g, " ").trim().slice(0, 200);
		kinds.set(k, (kinds.get(k) || 0) + 1);
	}
	for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${n} × ${k}`);
});'
}

run() { # n
	local n=$1 total slow=0 ramp_s call_ms rc=0 app_rc sipp_rc ok failed i
	[ "$SLOW_S" -gt 0 ] && slow=1
	total=$((n + slow))
	ramp_s=$(( (total + RAMP - 1) / RAMP ))
	# Each call stays up long enough for the whole ramp, set-up slack, the
	# warm-up and the window.
	call_ms=$(( (ramp_s + 4 + WARMUP_S + HOLD_S + 2) * 1000 ))
	echo
	echo "== N=$n: $n calls + $slow slow-bot call, each bridged with a WebSocket external media channel (slin16, echoing bot)"
	sip_bench_start_server
	write_tone
	echo "RESULT N=$n ariadne RSS idle: $(bench_rss_kb) kB"
	BENCH_EM_N=$n BENCH_EM_TOTAL=$total BENCH_EM_HOLD_S=$HOLD_S BENCH_EM_WARMUP_S=$WARMUP_S \
	BENCH_EM_SLOW_S=$SLOW_S BENCH_EM_SLOW_AT_S=$SLOW_AT_S BENCH_EM_CALL_MS=$call_ms \
	BENCH_EM_SETUP_S=$((ramp_s + 4)) BENCH_EM_TIMEOUT_S=$(( call_ms / 1000 + ramp_s + 60 )) \
	BENCH_EM_SUMMARY=$SUMMARY_FILE BENCH_EM_SIPP_PID_FILE=$BENCH_TMP/sipp.pid \
	BENCH_EM_READY_FILE=$BENCH_TMP/app.ready BENCH_EM_TMP=$BENCH_TMP BENCH_EM_PCAP=$PCAP BENCH_EM_BOTS_BIN=$BOTS_BIN CLK_TCK=$(getconf CLK_TCK) \
		node "$BENCH_ROOT/bench/external_media.js" "$BENCH_URL" "$BENCH_AUTH" "$BENCH_PID" &
	APP_PID=$!
	for i in $(seq 1 100); do
		[ -f "$BENCH_TMP/app.ready" ] && break
		kill -0 "$APP_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -f "$BENCH_TMP/app.ready" ]; then
		echo "bench: the ARI app did not connect" >&2
		exit 1
	fi
	local sport mport
	sport=$(sip_free_udp_port)
	mport=$(sip_free_udp_port)
	local cmd=(sipp -sf "$SCEN" -i 127.0.0.1 -p "$sport" -mi 127.0.0.1 -mp "$mport" -s em
		-key from_user bench -d "$call_ms" -r "$RAMP"
		-m "$total" -l "$total" -max_socket 4096 -nostdin
		-timeout "$((call_ms / 1000 + ramp_s + 40))s" -timeout_error
		-trace_screen -screen_file "$BENCH_TMP/screen.log" -trace_err "127.0.0.1:$SIP_PORT")
	echo "\$ ${cmd[*]}"
	(cd "$BENCH_TMP" && exec "${cmd[@]}" >"$BENCH_TMP/sipp.out" 2>&1) &
	SIPP_PID=$!
	echo "$SIPP_PID" > "$BENCH_TMP/sipp.pid"
	wait "$APP_PID"
	app_rc=$?
	APP_PID=
	[ "$app_rc" -ne 0 ] && rc=1
	wait "$SIPP_PID"
	sipp_rc=$?
	SIPP_PID=
	read -r ok failed < <(sip_sipp_counts "$BENCH_TMP/screen.log" "$BENCH_TMP/sipp.out")
	echo "SIPp: exit $sipp_rc, $ok calls ok, $failed failed (of $total)"
	if [ "$sipp_rc" -ne 0 ] || [ "$failed" -gt 0 ]; then
		rc=1
		echo "PROBLEM SIPp exited $sipp_rc with $failed failed calls; its message counts and errors:"
		sipp_failures
	fi
	if ! kill -0 "$BENCH_PID" 2>/dev/null; then
		echo "PROBLEM ariadne died" >&2
		tail -n 30 "$BENCH_TMP/ariadne.log" >&2
		echo "N=$n ariadne DIED" >> "$SUMMARY_FILE"
		exit 1
	fi
	sip_wait_no_channels 10
	echo "RESULT N=$n ariadne RSS idle after the calls: $(bench_rss_kb) kB"
	log_check
	grep -q "^N=$n " "$SUMMARY_FILE" || echo "N=$n (no figures: the app failed, exit $app_rc)" >> "$SUMMARY_FILE"
	sip_bench_stop
	return "$rc"
}

echo "== bench/external_media.sh =="
bench_machine
echo "binary: a copy of $BIN_ORIG (built $BIN_INFO)"
echo "\$ BENCH_EM_N='$N_LIST' BENCH_EM_HOLD_S=$HOLD_S BENCH_EM_WARMUP_S=$WARMUP_S BENCH_EM_SLOW_S=$SLOW_S BENCH_RAMP=$RAMP ARIADNE_BIN=$BIN_ORIG bench/external_media.sh"
status=0
for n in $N_LIST; do
	run "$n" || status=1
done
echo
echo "== summary (ariadne CPU in % of one core; inter-arrival of BINARY frames at the bots, all regular bots together, after ${WARMUP_S} s of warm-up;"
echo "   slow_*: the other bots' inter-arrival while one bot did not read for ${SLOW_S} s; wire_*: ariadne's inter-departure"
echo "   from kernel timestamps (tcpdump), without the bots' delays; machine: all processes, of $(nproc)00%; target p99 within 20 ± 5 ms)"
cat "$SUMMARY_FILE"
exit "$status"
