#!/usr/bin/env bash
# SIP call rate into an ARI application: SIPp (tests/sipp/uac_call_server_bye.xml)
# places calls at increasing rates into stasis-bench; a node app on the events
# WebSocket answers every call (POST /answer) and hangs it up (DELETE), so each
# call is INVITE → 100 → 200 → ACK → BYE from ariadne → 200. Runs the ladder
# over UDP, then over TCP (each on a fresh server, so Timer J/K left over from
# one transport do not weigh on the other). Prints, per rate, the SIPp
# command, calls attempted/succeeded/failed, the achieved rate and ariadne's
# CPU; then, per transport, the highest rate sustained: < 1% failures and
# the step's calls done within 1.5 x BENCH_STEP_S (when ariadne falls behind,
# SIPp's -l cap stretches the step instead of failing calls).
# Loopback only; everything it starts is stopped on exit.
#
# Environment: BENCH_RATES ("100 200 400 600 800 1000 1200 1500"),
# BENCH_STEP_S (10 s per rate), BENCH_LIMIT (max concurrent calls, 2000),
# BENCH_TRANSPORTS ("udp tcp"), BENCH_SIPP_TCP (SIPp's TCP mode: t1, one
# connection for all calls, as a trunk would; tn, one per call, as phones),
# BENCH_PERF_RATES (rates at which to run `perf record -g` on ariadne for
# the whole step, BENCH_PERF_FREQ Hz (250) with BENCH_PERF_CG call graphs
# (dwarf,16384); the data goes to BENCH_PERF_DIR, default /tmp, as
# perf-<transport>-<rate>.data; read it with `perf report --stdio -i FILE`).
set -u
. "$(dirname "$0")/lib/server.sh"

RATES=${BENCH_RATES:-"100 200 400 600 800 1000 1200 1500"}
STEP_S=${BENCH_STEP_S:-10}
LIMIT=${BENCH_LIMIT:-2000}
TRANSPORTS=${BENCH_TRANSPORTS:-"udp tcp"}
SIPP_TCP=${BENCH_SIPP_TCP:-t1}
PERF_RATES=" ${BENCH_PERF_RATES:-} "
PERF_DIR=${BENCH_PERF_DIR:-/tmp}
PERF_FREQ=${BENCH_PERF_FREQ:-250}
PERF_CG=${BENCH_PERF_CG:-dwarf,16384}
SCEN=$BENCH_ROOT/tests/sipp/uac_call_server_bye.xml
APP_PID=
SIPP_PID=

bench_need sipp sip-tester
bench_need curl curl
. "$(dirname "$0")/lib/sip_bench.sh"

echo "== bench/sip_calls.sh =="
bench_machine

# One rate ladder on one transport; sets `best`.
run_ladder() { # udp|tcp
	local tp=$1 rate calls port mport cmd cpu0 cpu1 t0 t1 rc ok failed secs
	local achieved cpu fpct perf_pid tmode scen pcmd
	tmode=u1
	scen=$SCEN
	if [ "$tp" = tcp ]; then
		tmode=$SIPP_TCP
		# A Contact without ;transport=tcp means UDP (RFC 3261 19.1.4):
		# ariadne would send its BYE over UDP, where SIPp does not listen.
		scen=$BENCH_TMP/uac_call_server_bye_tcp.xml
		sed '/^ *Contact:/s/\[local_port\]>/[local_port];transport=tcp>/' "$SCEN" >"$scen"
	fi
	best=0
	for rate in $RATES; do
		calls=$((rate * STEP_S))
		port=$(sip_free_udp_port)
		mport=$(sip_free_udp_port)
		cmd=(sipp -sf "$scen" -t "$tmode" -i 127.0.0.1 -p "$port" -mi 127.0.0.1 -mp "$mport" -s 100
			-key from_user bench -r "$rate" -m "$calls" -l "$LIMIT" -max_socket 4096
			-nostdin -trace_err -timeout "$((STEP_S + 40))s" -timeout_error -recv_timeout 10s
			-trace_screen -screen_file "$BENCH_TMP/screen-$tp-$rate.log" "127.0.0.1:$SIP_PORT")
		echo
		echo "\$ ${cmd[*]}"
		perf_pid=
		if [[ "$PERF_RATES" == *" $rate "* ]]; then
			# libre is built without frame pointers: -g alone stops at
			# its functions, so unwind with DWARF (at a lower rate).
			pcmd=(perf record -q -F "$PERF_FREQ" --call-graph "$PERF_CG" -p "$BENCH_PID"
				-o "$PERF_DIR/perf-$tp-$rate.data" -- sleep "$STEP_S")
			echo "\$ ${pcmd[*]}"
			"${pcmd[@]}" >"$BENCH_TMP/perf-$tp-$rate.log" 2>&1 &
			perf_pid=$!
		fi
		cpu0=$(bench_cpu_ticks)
		t0=$(date +%s.%N)
		(cd "$BENCH_TMP" && exec "${cmd[@]}" >"$BENCH_TMP/sipp-$tp-$rate.out" 2>&1) &
		SIPP_PID=$!
		wait "$SIPP_PID"
		rc=$?
		SIPP_PID=
		t1=$(date +%s.%N)
		cpu1=$(bench_cpu_ticks)
		[ -n "$perf_pid" ] && wait "$perf_pid"
		read -r ok failed < <(sip_sipp_counts "$BENCH_TMP/screen-$tp-$rate.log" "$BENCH_TMP/sipp-$tp-$rate.out")
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
		# Per second of wall time: when ariadne falls behind, SIPp's -l
		# cap throttles it and the step takes longer than STEP_S.
		achieved=$(awk -v n="$ok" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
		cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$secs" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (b - a) / hz / s * 100 }')
		fpct=$(awk -v f="$failed" -v n="$calls" 'BEGIN { printf "%.2f", n ? 100 * f / n : 100 }')
		echo "RESULT $tp rate $rate/s: $calls calls, $ok ok, $failed failed ($fpct%), ~$achieved calls/s completed, wall ${secs}s, sipp exit $rc, ariadne CPU ${cpu}% of one core, RSS $(bench_rss_kb) kB (peak $(bench_peak_rss_kb) kB)"
		if ! kill -0 "$BENCH_PID" 2>/dev/null; then
			echo "bench: ariadne died at $rate calls/s over $tp" >&2
			tail -n 30 "$BENCH_TMP/ariadne.log" >&2
			BENCH_PID=
			exit 1
		fi
		# Sustained: < 1% failures, and the calls done within 1.5 x the
		# step (calls last milliseconds here), i.e. SIPp kept the rate.
		if awk -v p="$fpct" -v ok="$ok" -v n="$calls" -v w="$secs" -v s="$STEP_S" \
			'BEGIN { exit !(p < 1 && ok + 0 >= 0.99 * n && w <= 1.5 * s) }'; then
			best=$rate
		else
			grep -m5 -iE 'unexpected|timeout|aborted' "$BENCH_TMP"/*errors.log 2>/dev/null | sed 's/^/   /'
			break
		fi
		# Let Timer J/K transactions and channels drain before the next step.
		sip_wait_no_channels 30
	done
}

summary=()
for tp in $TRANSPORTS; do
	echo
	echo "---- $tp ----"
	sip_bench_start_server
	sip_bench_start_app answer-hangup
	echo "server: pid $BENCH_PID, ARI $BENCH_URL, SIP udp+tcp 127.0.0.1:$SIP_PORT; app: answer + hang up (pid $APP_PID); SIPp over $tp"
	echo "RSS idle: $(bench_rss_kb) kB"
	run_ladder "$tp"
	summary+=("RESULT sustained $tp: $best calls/s with < 1% failures, within 1.5 x the step time")
	sip_bench_stop
done
echo
printf '%s\n' "${summary[@]}"
echo "(answer + hang up by an ARI app over WebSocket; reference Asterisk 22: ~1000 calls/s)"
