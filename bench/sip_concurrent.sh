#!/usr/bin/env bash
# 500 concurrent SIP calls, each up ~20 s while the ARI app plays a prompt:
# SIPp (tests/sipp/uac_call.xml, -d 20000) ramps the calls up, a node app
# answers each and plays ${BENCH_PROMPT:-sound:hello-world} again and again
# (PlaybackFinished → play) until SIPp hangs up with BYE. SIPp echoes the RTP
# it receives (-rtp_echo), so ariadne both sends and receives 50 packets/s
# per call. Prints the SIPp command, ariadne's RSS idle, CPU% and RSS sampled
# while all calls are up, and RSS idle afterwards. Loopback only; everything
# it starts is stopped on exit.
#
# Environment: BENCH_CALLS (500), BENCH_HOLD_MS (20000), BENCH_RAMP (100 calls/s),
# BENCH_PROMPT (sound:hello-world), BENCH_RTP_ECHO (1), BENCH_APP_MODE (play;
# answer: the app only answers, so the calls hear nothing and, unless
# BENCH_TRANSMIT_SILENCE=yes, ariadne sends them no RTP).
set -u
. "$(dirname "$0")/lib/server.sh"

CALLS=${BENCH_CALLS:-500}
HOLD_MS=${BENCH_HOLD_MS:-20000}
RAMP=${BENCH_RAMP:-100}
SCEN=$BENCH_ROOT/tests/sipp/uac_call.xml
APP_PID=
SIPP_PID=

bench_need sipp sip-tester
bench_need curl curl
. "$(dirname "$0")/lib/sip_bench.sh"

echo "== bench/sip_concurrent.sh =="
bench_machine
sip_bench_start_server
APP_MODE=${BENCH_APP_MODE:-play}
sip_bench_start_app "$APP_MODE"
if [ "$APP_MODE" = play ]; then
	echo "server: pid $BENCH_PID, ARI $BENCH_URL, SIP udp 127.0.0.1:$SIP_PORT; app: answer + play ${BENCH_PROMPT:-sound:hello-world} in a loop (pid $APP_PID)"
else
	echo "server: pid $BENCH_PID, ARI $BENCH_URL, SIP udp 127.0.0.1:$SIP_PORT; app: answer only, the calls hear nothing (pid $APP_PID)"
fi
sleep 1
echo "RESULT RSS idle (app connected, no call): $(bench_rss_kb) kB"

port=$(sip_free_udp_port)
mport=$(sip_free_udp_port)
echo_opt=()
[ "${BENCH_RTP_ECHO:-1}" = 1 ] && echo_opt=(-rtp_echo)
ramp_s=$(( (CALLS + RAMP - 1) / RAMP ))
cmd=(sipp -sf "$SCEN" -i 127.0.0.1 -p "$port" -mi 127.0.0.1 -mp "$mport" "${echo_opt[@]}" -s 100
	-key from_user bench -d "$HOLD_MS" -r "$RAMP" -m "$CALLS" -l "$CALLS" -max_socket 4096
	-nostdin -timeout "$((HOLD_MS / 1000 + ramp_s + 40))s" -timeout_error
	-trace_screen -screen_file "$BENCH_TMP/screen.log" "127.0.0.1:$SIP_PORT")
echo
echo "\$ ${cmd[*]}"
(cd "$BENCH_TMP" && exec "${cmd[@]}" >"$BENCH_TMP/sipp.out" 2>&1) &
SIPP_PID=$!

# Wait for the ramp, then sample while every call should be up.
sleep "$((ramp_s + 2))"
n=$(sip_channel_count)
echo "channels up after the ramp: $n (wanted $CALLS)"
hz=$(getconf CLK_TCK)
samples=$(( HOLD_MS / 1000 - ramp_s - 4 ))
[ "$samples" -lt 3 ] && samples=3
max_rss=0
sum_cpu=0
for i in $(seq 1 "$samples"); do
	c0=$(bench_cpu_ticks)
	sleep 1
	c1=$(bench_cpu_ticks) || break
	rss=$(bench_rss_kb)
	cpu=$(( (c1 - c0) * 100 / hz ))
	sum_cpu=$((sum_cpu + cpu))
	[ "$rss" -gt "$max_rss" ] && max_rss=$rss
	echo "  t+${i}s: ariadne CPU ${cpu}% of one core, RSS ${rss} kB, channels $( [ $((i % 5)) = 0 ] && sip_channel_count || echo -)"
done
echo "RESULT during $CALLS calls: ariadne CPU avg $((sum_cpu / samples))% of one core, RSS max ${max_rss} kB (channels seen: $n)"

wait "$SIPP_PID"
rc=$?
SIPP_PID=
read -r ok failed < <(sip_sipp_counts "$BENCH_TMP/screen.log" "$BENCH_TMP/sipp.out")
echo "SIPp: exit $rc, $ok calls ok, $failed failed"
if ! kill -0 "$BENCH_PID" 2>/dev/null; then
	echo "bench: ariadne died" >&2
	tail -n 30 "$BENCH_TMP/ariadne.log" >&2
	BENCH_PID=
	exit 1
fi
sip_wait_no_channels 30
sleep 5
echo "RESULT RSS idle after the calls: $(bench_rss_kb) kB (reference Asterisk 22: 134 MB at 500 calls, 69 MB idle)"
[ "$rc" = 0 ]
