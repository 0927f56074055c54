#!/usr/bin/env bash
# SIP call rate into an ARI application: SIPp (tests/sipp/uac_call_server_bye.xml)
# places calls at increasing rates into stasis-bench; a node app on the events
# WebSocket answers every call (POST /answer) and hangs it up (DELETE), so each
# call is INVITE → 100 → 200 → ACK → BYE from ariadne → 200. Prints, per rate,
# the SIPp command, calls attempted/succeeded/failed, the achieved rate and
# ariadne's CPU; then the highest rate sustained with < 1% failures.
# Loopback only; everything it starts is stopped on exit.
#
# Environment: BENCH_RATES ("100 200 400 600 800 1000 1200 1500"),
# BENCH_STEP_S (10 s per rate), BENCH_LIMIT (max concurrent calls, 2000).
set -u
. "$(dirname "$0")/lib/server.sh"

RATES=${BENCH_RATES:-"100 200 400 600 800 1000 1200 1500"}
STEP_S=${BENCH_STEP_S:-10}
LIMIT=${BENCH_LIMIT:-2000}
SCEN=$BENCH_ROOT/tests/sipp/uac_call_server_bye.xml
APP_PID=
SIPP_PID=

bench_need sipp sip-tester
bench_need curl curl
. "$(dirname "$0")/lib/sip_bench.sh"

echo "== bench/sip_calls.sh =="
bench_machine
sip_bench_start_server
sip_bench_start_app answer-hangup
echo "server: pid $BENCH_PID, ARI $BENCH_URL, SIP udp 127.0.0.1:$SIP_PORT; app: answer + hang up (pid $APP_PID)"
echo "RSS idle: $(bench_rss_kb) kB"

best=0
for rate in $RATES; do
	calls=$((rate * STEP_S))
	port=$(sip_free_udp_port)
	mport=$(sip_free_udp_port)
	cmd=(sipp -sf "$SCEN" -i 127.0.0.1 -p "$port" -mi 127.0.0.1 -mp "$mport" -s 100
		-key from_user bench -r "$rate" -m "$calls" -l "$LIMIT" -max_socket 4096
		-nostdin -trace_err -timeout "$((STEP_S + 40))s" -timeout_error -recv_timeout 10s
		-trace_screen -screen_file "$BENCH_TMP/screen-$rate.log" "127.0.0.1:$SIP_PORT")
	echo
	echo "\$ ${cmd[*]}"
	cpu0=$(sip_cpu_ticks)
	t0=$(date +%s.%N)
	(cd "$BENCH_TMP" && exec "${cmd[@]}" >"$BENCH_TMP/sipp-$rate.out" 2>&1) &
	SIPP_PID=$!
	wait "$SIPP_PID"
	rc=$?
	SIPP_PID=
	t1=$(date +%s.%N)
	cpu1=$(sip_cpu_ticks)
	read -r ok failed < <(sip_sipp_counts "$BENCH_TMP/screen-$rate.log" "$BENCH_TMP/sipp-$rate.out")
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	achieved=$(awk -v n="$ok" -v s="$STEP_S" 'BEGIN { printf "%.0f", n / s }')
	cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$secs" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (b - a) / hz / s * 100 }')
	fpct=$(awk -v f="$failed" -v n="$calls" 'BEGIN { printf "%.2f", n ? 100 * f / n : 100 }')
	echo "RESULT rate $rate/s: $calls calls, $ok ok, $failed failed ($fpct%), ~$achieved calls/s completed, wall ${secs}s, sipp exit $rc, ariadne CPU ${cpu}% of one core, RSS $(bench_rss_kb) kB"
	if ! kill -0 "$BENCH_PID" 2>/dev/null; then
		echo "bench: ariadne died at $rate calls/s" >&2
		tail -n 30 "$BENCH_TMP/ariadne.log" >&2
		BENCH_PID=
		exit 1
	fi
	if awk -v p="$fpct" -v ok="$ok" -v n="$calls" 'BEGIN { exit !(p < 1 && ok + 0 >= 0.99 * n) }'; then
		best=$rate
	else
		grep -m5 -iE 'unexpected|timeout|aborted' "$BENCH_TMP"/*errors.log 2>/dev/null | sed 's/^/   /'
		break
	fi
	# Let Timer J/K transactions and channels drain before the next step.
	sip_wait_no_channels 30
done
echo
echo "RESULT sustained: $best calls/s with < 1% failures (answer + hang up by an ARI app over WebSocket; reference Asterisk 22: ~1000 calls/s)"
