#!/usr/bin/env bash
# Overload: offer 0.5x, 1x, 1.5x and 2x a call capacity for BENCH_STEP_S
# seconds each (default 30) and see that ariadne keeps completing calls at
# its capacity instead of collapsing. A node app (bench/lib/sip_bench.sh,
# answer-hangup) answers every call and hangs it up; SIPp
# (tests/sipp/bench_uac_call_or_503.xml) takes either the answer or a 503.
#
# Per step: offered (SIPp's calls), accepted (an INVITE became a channel:
# ariadne_sip_calls_total), refused with 503 (ariadne_calls_refused_total),
# completed (answered and hung up cleanly: SIPp's successful calls minus the
# refused ones), failed (SIPp), lost (accepted but not completed: SIPp gave
# up on a call ariadne had taken), completed calls/s,
# ariadne's CPU per completed call, RSS after the step, and datagrams the
# kernel dropped because ariadne's SIP socket was full (sip_drops, from the
# socket's drops column in /proc/net/udp: requests that never reached it).
# Target: at 2x, completed calls/s >= 90 % of the capacity, no accepted call
# lost.
#
# Then, unless BENCH_REFUSE_RATE is 0: what a refusal itself costs. The
# server is drained (SIGUSR1, as `core drain`), so that it answers every
# INVITE with 503, and SIPp offers BENCH_REFUSE_RATE calls/s (default 2000)
# for BENCH_STEP_S seconds: refused calls/s, ariadne's CPU per refusal, RSS
# before and after, and the timers and INVITEs remembered at the end.
#
# Environment: BENCH_CAPACITY (calls/s the 1x step offers; default 2000,
# what bench/sip_calls.sh sustains over UDP on the 2-core bench VM since
# the timing wheel and the answered-INVITE ring; 600 before), BENCH_MULTS
# ("0.5 1 1.5 2"), BENCH_STEP_S (30), BENCH_LIMIT (SIPp's concurrent calls,
# 6000), BENCH_MAXLAG, BENCH_MAXBACKLOG and BENCH_MAXSETUP (ariadne.conf
# maxlag, maxbacklog and maxsetup;
# default: ariadne's own, 100 ms and off).
set -u
. "$(dirname "$0")/lib/server.sh"

CAPACITY=${BENCH_CAPACITY:-2000}
MULTS=${BENCH_MULTS:-"0.5 1 1.5 2"}
STEP_S=${BENCH_STEP_S:-30}
LIMIT=${BENCH_LIMIT:-6000}
SCEN=$BENCH_ROOT/tests/sipp/bench_uac_call_or_503.xml
APP_PID=
SIPP_PID=

bench_need sipp sip-tester
bench_need curl curl
. "$(dirname "$0")/lib/sip_bench.sh"

overload_conf() {
	sip_bench_write_conf
	if [ -n "${BENCH_MAXLAG:-}" ]; then
		sed -i "s/^\[options\]$/[options]\nmaxlag = $BENCH_MAXLAG/" "$BENCH_TMP/etc/ariadne.conf"
	fi
	if [ -n "${BENCH_MAXBACKLOG:-}" ]; then
		sed -i "s/^\[options\]$/[options]\nmaxbacklog = $BENCH_MAXBACKLOG/" "$BENCH_TMP/etc/ariadne.conf"
	fi
	if [ -n "${BENCH_MAXSETUP:-}" ]; then
		sed -i "s/^\[options\]$/[options]\nmaxsetup = $BENCH_MAXSETUP/" "$BENCH_TMP/etc/ariadne.conf"
	fi
}

# One counter (summed over its label sets) from GET /metrics.
metric() { # name [label filter]
	curl -fsS -u "$BENCH_AUTH" "$BENCH_URL/metrics" 2>/dev/null |
		awk -v n="$1" -v f="${2:-}" '$1 ~ "^"n"({|$)" && index($1, f) { s += $2 } END { printf "%d\n", s }'
}

# Datagrams dropped so far on ariadne's SIP UDP port (all its sockets).
sip_udp_drops() {
	awk -v p="$(printf '%04X' "$SIP_PORT")" 'NR > 1 { split($2, a, ":"); if (a[2] == p) s += $NF } END { print s + 0 }' /proc/net/udp
}

# One SIPp run to its end: rate, calls, name of its screen/stdout files;
# sets t0 and t1 (start and end, s).
run_sipp() { # rate calls name
	local sport
	sport=$(sip_free_udp_port)
	t0=$(date +%s.%N)
	sipp -sf "$SCEN" -i 127.0.0.1 -p "$sport" -s bench -key from_user bench -r "$1" -m "$2" -l "$LIMIT" \
		-max_socket 4096 -nostdin -timeout "$((STEP_S * 3 + 60))s" -timeout_error -recv_timeout 32000 \
		-trace_screen -screen_file "$BENCH_TMP/screen-$3.log" "127.0.0.1:$SIP_PORT" >"$BENCH_TMP/sipp-$3.out" 2>&1 &
	SIPP_PID=$!
	wait "$SIPP_PID"
	SIPP_PID=
	t1=$(date +%s.%N)
}

echo "== bench/overload.sh =="
bench_machine 2>/dev/null || true
echo "\$ BENCH_CAPACITY=$CAPACITY BENCH_MULTS='$MULTS' BENCH_STEP_S=$STEP_S bench/overload.sh"
BENCH_VERBOSE=${BENCH_VERBOSE:-0} bench_start_server overload_conf
sip_bench_start_app answer-hangup
grep -E 'maxlag|maxcalls|maxsetup|maxbacklog' "$BENCH_TMP/etc/ariadne.conf" || echo "ariadne.conf: maxlag default (100 ms), maxbacklog default (50 %), no maxsetup"
hz=$(getconf CLK_TCK)
printf '%-5s %7s %8s %8s %8s %9s %7s %6s %9s %11s %8s %9s\n' mult offered accepted refused completed completed/s failed lost cpu_ms/call rss_MB secs sip_drops
summary=
for m in $MULTS; do
	rate=$(awk -v c="$CAPACITY" -v m="$m" 'BEGIN { printf "%d", c * m }')
	calls=$((rate * STEP_S))
	ans0=$(metric ariadne_sip_calls_total 'direction="in"')
	ref0=$(metric ariadne_calls_refused_total)
	cpu0=$(bench_cpu_ticks)
	drop0=$(sip_udp_drops)
	run_sipp "$rate" "$calls" "$m"
	sip_wait_no_channels 30 >/dev/null 2>&1
	cpu1=$(bench_cpu_ticks)
	drop1=$(sip_udp_drops)
	ans1=$(metric ariadne_sip_calls_total 'direction="in"')
	ref1=$(metric ariadne_calls_refused_total)
	read -r ok failed < <(sip_sipp_counts "$BENCH_TMP/screen-$m.log" "$BENCH_TMP/sipp-$m.out")
	answered=$((ans1 - ans0))
	refused=$((ref1 - ref0))
	completed=$((ok - refused))
	[ "$completed" -lt 0 ] && completed=0
	lost=$((answered - completed))
	line=$(awk -v m="$m" -v off="$calls" -v a="$answered" -v r="$refused" -v c="$completed" -v f="$failed" -v l="$lost" \
		-v t0="$t0" -v t1="$t1" -v d="$((drop1 - drop0))" -v c0="$cpu0" -v c1="$cpu1" -v hz="$hz" -v rss="$(bench_rss_kb)" 'BEGIN {
		secs = t1 - t0; cps = secs > 0 ? c / secs : 0; cpu = c > 0 ? (c1 - c0) / hz * 1000 / c : 0
		printf "%-5s %7d %8d %8d %8d %9.0f %7d %6d %9.3f %11.1f %8.1f %9d", m, off, a, r, c, cps, f, l, cpu, rss / 1024, secs, d }')
	echo "$line"
	summary="$summary$line"$'\n'
done
echo
echo "RESULT overload (capacity $CAPACITY calls/s; completed/s over the step's wall time, SIPp's ramp-down included):"
printf '%s' "$summary"
awk -v cap="$CAPACITY" 'END { if (NF) printf "RESULT at %sx: completed %.0f calls/s = %.0f %% of capacity (target >= 90 %%), accepted calls lost %d (target 0)\n", $1, $6, 100 * $6 / cap, $8 }' <<<"$summary"
REFUSE_RATE=${BENCH_REFUSE_RATE:-2000}
if [ "$REFUSE_RATE" != 0 ]; then
	kill -USR1 "$BENCH_PID"
	sleep 0.5
	calls=$((REFUSE_RATE * STEP_S))
	ref0=$(metric ariadne_calls_refused_total)
	cpu0=$(bench_cpu_ticks)
	rss0=$(bench_rss_kb)
	run_sipp "$REFUSE_RATE" "$calls" refuse
	cpu1=$(bench_cpu_ticks)
	ref1=$(metric ariadne_calls_refused_total)
	read -r ok failed < <(sip_sipp_counts "$BENCH_TMP/screen-refuse.log" "$BENCH_TMP/sipp-refuse.out")
	awk -v off="$calls" -v rate="$REFUSE_RATE" -v r="$((ref1 - ref0))" -v f="$failed" -v t0="$t0" -v t1="$t1" -v c0="$cpu0" -v c1="$cpu1" -v hz="$hz" \
		-v rss0="$rss0" -v rss1="$(bench_rss_kb)" -v tm="$(metric ariadne_timers)" -v inv="$(metric ariadne_sip_invites_remembered)" 'BEGIN {
		secs = t1 - t0
		printf "RESULT refusals (drained, %d offered at %d/s): %d refused (%.0f/s), %d failed, CPU %.1f us per refusal, RSS %.1f -> %.1f MB, timers %d, INVITEs remembered %d at the end\n",
			off, rate, r, (secs > 0 ? r / secs : 0), f, (r > 0 ? (c1 - c0) / hz * 1e6 / r : 0), rss0 / 1024, rss1 / 1024, tm, inv }'
fi
n=$(grep -cE 'ERROR|WARNING' "$BENCH_TMP/ariadne.log" 2>/dev/null)
echo "ariadne log: ${n:-0} ERROR/WARNING lines"
[ "${n:-0}" -gt 0 ] && grep -E 'ERROR|WARNING' "$BENCH_TMP/ariadne.log" | sed 's/^\[[^]]*\] //' | sed 's/[0-9]\+ calls refused since/N calls refused since/' | sort | uniq -c | sort -rn | head -n 5
exit 0
