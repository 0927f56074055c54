#!/usr/bin/env bash
# Soak: ariadne under steady mixed traffic for DURATION seconds (default
# 3600), sampled every 10 s, to show that nothing grows or fails over time.
#
#   bench/soak.sh [DURATION]      (bench/soak.sh 3600 for the hour target)
#
# Traffic (bench/soak.js is the ARI app): SIPp places BENCH_SOAK_RATE calls/s
# (default 10) of BENCH_SOAK_CALL_S seconds (default 6) streaming a tone
# (tests/sipp/bridges_uac_stream.xml); every other call hears prompts played
# in a loop, the others are bridged two by two and hear each other; one ARI
# originate a second (a Local channel that plays a prompt and hangs up); the
# app drops its events socket every BENCH_SOAK_RECONNECT_S (default 120) and
# reconnects with since= under ari.conf reconnect_grace = 5, and must lose
# nothing. Each sample (RSS, open fds, channels, bridges, calls answered,
# originates, reconnects, failures) is a line of the CSV BENCH_SOAK_CSV
# (default soak.csv in the temporary directory, printed at the end).
#
# Summary: RSS and fds growth from the first sample after the warm-up (a
# tenth of the run, at least 20 s) to the last; failed calls (SIPp's and
# the app's). Target for an hour: 0 failed, RSS and fds within 5 %.
# Exits non-zero when a call failed, the app saw a failure, ariadne died
# or (an ASan binary) reported an error; growth figures are printed only.
set -u
. "$(dirname "$0")/lib/server.sh"

DURATION=${1:-${BENCH_SOAK_S:-300}}
RATE=${BENCH_SOAK_RATE:-10}
CALL_S=${BENCH_SOAK_CALL_S:-6}
SCEN=$BENCH_ROOT/tests/sipp/bridges_uac_stream.xml
APP_PID=
SIPP_PID=
for v in "$DURATION" "$RATE" "$CALL_S"; do
	case $v in '' | *[!0-9]*) echo "bench: not a whole number: '$v'" >&2; exit 1 ;; esac
done

bench_need sipp sip-tester
bench_need curl curl
. "$(dirname "$0")/lib/sip_bench.sh"
if [ ! -d "$BENCH_ROOT/node_modules/ws" ]; then
	(cd "$BENCH_ROOT" && npm ci --no-audit --no-fund >&2) || { echo "bench: npm ci failed" >&2; exit 1; }
fi

soak_conf() {
	sip_bench_write_conf
	sed -i 's/^context = stasis-bench$/context = stasis-soak/' "$BENCH_TMP/etc/pjsip.conf"
	cat > "$BENCH_TMP/etc/extensions.conf" <<'CONF'
[soak-far]
exten => s,1,Answer()
 same => n,Playback(hello-world)
 same => n,Hangup()
CONF
	cat > "$BENCH_TMP/etc/ari.conf" <<'CONF'
[general]
enabled = yes
reconnect_grace = 5

[asterisk]
type = user
password = asterisk
CONF
}

echo "== bench/soak.sh =="
bench_machine 2>/dev/null || true
echo "\$ BENCH_SOAK_RATE=$RATE BENCH_SOAK_CALL_S=$CALL_S bench/soak.sh $DURATION"
BENCH_VERBOSE=${BENCH_VERBOSE:-0} bench_start_server soak_conf
write_tone
CSV=${BENCH_SOAK_CSV:-$BENCH_TMP/soak.csv}
status=0

node "$BENCH_ROOT/bench/soak.js" "$BENCH_URL" "$BENCH_AUTH" "$BENCH_PID" "$CSV" "$DURATION" \
	>"$BENCH_TMP/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 100); do
	grep -q ready "$BENCH_TMP/app.log" 2>/dev/null && break
	sleep 0.1
done
grep -q ready "$BENCH_TMP/app.log" || { echo "bench: the ARI app did not connect" >&2; cat "$BENCH_TMP/app.log" >&2; exit 1; }

# Calls start during the run only: the last ones end CALL_S after it.
calls=$(( RATE * (DURATION > CALL_S ? DURATION - CALL_S : 1) ))
[ "$calls" -gt 0 ] || calls=1
sport=$(sip_free_udp_port)
mport=$(sip_free_udp_port)
cmd=(sipp -sf "$SCEN" -i 127.0.0.1 -p "$sport" -mi 127.0.0.1 -mp "$mport" -s soak
	-key from_user bench -d "$((CALL_S * 1000))" -r "$RATE" -m "$calls" -l "$((RATE * CALL_S * 3 + 10))"
	-max_socket 4096 -nostdin -timeout "$((DURATION + CALL_S + 60))s" -timeout_error
	-trace_screen -screen_file "$BENCH_TMP/screen.log" "127.0.0.1:$SIP_PORT")
echo "\$ ${cmd[*]}"
(cd "$BENCH_TMP" && exec "${cmd[@]}" >"$BENCH_TMP/sipp.out" 2>&1) &
SIPP_PID=$!
tail -n +1 -f "$BENCH_TMP/app.log" --pid "$APP_PID" 2>/dev/null | grep -v '^ready$' &
wait "$APP_PID"
APP_PID=
wait "$SIPP_PID"
sipp_rc=$?
SIPP_PID=
read -r ok failed < <(sip_sipp_counts "$BENCH_TMP/screen.log" "$BENCH_TMP/sipp.out")
sleep 0.5

echo
echo "SIPp: exit $sipp_rc, $ok calls ok, $failed failed (of $calls)"
[ "$sipp_rc" -ne 0 ] || [ "$failed" -gt 0 ] && status=1
app_fail=$(tail -n 1 "$CSV" | cut -d, -f9)
[ "${app_fail:-1}" != 0 ] && status=1
if ! kill -0 "$BENCH_PID" 2>/dev/null; then
	echo "PROBLEM ariadne died"; tail -n 30 "$BENCH_TMP/ariadne.log"; status=1
fi
warm=$(( DURATION / 10 > 20 ? DURATION / 10 : 20 ))
node -e '
const [csv, warm, end] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const rows = require("fs").readFileSync(csv, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
// Growth between the first sample after the warm-up and the last one
// before the calls wind down (the last sample is taken as they end).
const steady = rows.filter((r) => r[0] >= warm && r[0] <= end);
const first = steady[0] || rows[0];
const lastSteady = steady[steady.length - 1] || rows[rows.length - 1];
const last = rows[rows.length - 1];
const pct = (a, b) => (a ? (100 * (b - a) / a).toFixed(1) : "-");
const max = (i) => Math.max(...rows.map((r) => r[i]));
console.log(`RESULT soak ${last[0]} s, ${rows.length} samples: RSS ${first[1]} kB at ${first[0]} s -> ${lastSteady[1]} kB at ${lastSteady[0]} s` +
	` (${pct(first[1], lastSteady[1])} %), max ${max(1)} kB; fds ${first[2]} -> ${lastSteady[2]} (${pct(first[2], lastSteady[2])} %);` +
	` channels max ${max(3)}, bridges max ${max(4)};` +
	` answered ${last[5]}, originated ${last[6]}, reconnects ${last[7]}, app failures ${last[8]}`);
' "$CSV" "$warm" "$((DURATION - CALL_S))"
sip_wait_no_channels 10
echo "RESULT soak: ariadne RSS after the calls: $(bench_rss_kb) kB; open fds $(ls /proc/"$BENCH_PID"/fd 2>/dev/null | wc -l)"
n=$(grep -cE 'ERROR|WARNING' "$BENCH_TMP/ariadne.log" 2>/dev/null)
echo "ariadne log: ${n:-0} ERROR/WARNING lines"
[ "${n:-0}" -gt 0 ] && grep -E 'ERROR|WARNING' "$BENCH_TMP/ariadne.log" | sed 's/^\[[^]]*\] //' | sort | uniq -c | sort -rn | head -n 10
[ -z "${BENCH_SOAK_CSV:-}" ] && cp "$CSV" "${TMPDIR:-/tmp}/ariadne-soak-last.csv" && echo "samples: ${TMPDIR:-/tmp}/ariadne-soak-last.csv"
# Stop it here, not in the exit trap, to read what a sanitizer says at exit
# (leaks are reported then).
kill -TERM "$BENCH_PID" 2>/dev/null
wait "$BENCH_PID" 2>/dev/null
rc=$?
BENCH_PID=
[ "$rc" -ne 0 ] && { echo "PROBLEM ariadne exited with status $rc"; tail -n 40 "$BENCH_TMP/ariadne.log"; status=1; }
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$BENCH_TMP/ariadne.log"; then
	echo "PROBLEM sanitizer report in the server log:"
	grep -A20 -m1 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$BENCH_TMP/ariadne.log"
	status=1
fi
echo "SUMMARY soak status=$status"
exit "$status"
