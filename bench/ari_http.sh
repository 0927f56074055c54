#!/usr/bin/env bash
# ARI REST throughput and latency with wrk: GET /ari/asterisk/ping,
# GET /ari/asterisk/info and GET /ari/channels (no channels), Basic auth,
# keep-alive connections.
# Prints each wrk command, requests/s, latency percentiles, non-2xx counts,
# and the server's RSS idle before and after. Loopback only; stops by itself.
#
# Environment: BENCH_THREADS (2), BENCH_CONNS (50), BENCH_DURATION (10s).
set -u
. "$(dirname "$0")/lib/server.sh"

THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-50}
DURATION=${BENCH_DURATION:-10s}

# Kernel counter of connections dropped because the listen queue was full
# (host-wide, so other traffic on the machine counts too).
listen_overflows() {
	awk '$1 == "TcpExt:" { if (!h) { for (i = 2; i <= NF; i++) if ($i == "ListenOverflows") c = i; h = 1 } else print $c }' /proc/net/netstat
}

bench_need wrk wrk
bench_need curl curl
bench_start_server
AUTH_HDR="Authorization: Basic $(printf %s "$BENCH_AUTH" | base64)"

echo "== bench/ari_http.sh =="
bench_machine
echo "server: pid $BENCH_PID on $BENCH_URL, listen backlog $(ss -ltnH "sport = :$BENCH_PORT" 2>/dev/null | awk '{ print $3 }')"
sleep 1
echo "RSS idle before: $(bench_rss_kb) kB"

status=0
for path in /ari/asterisk/ping /ari/asterisk/info /ari/channels; do
	# One check request so a wrong status shows up as such, not as a fast figure.
	code=$(curl -s -o /dev/null -w '%{http_code}' -u "$BENCH_AUTH" "$BENCH_URL$path")
	echo
	echo "-- GET $path (curl check: HTTP $code)"
	cmd=(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "$AUTH_HDR" "$BENCH_URL$path")
	echo "\$ wrk -t$THREADS -c$CONNS -d$DURATION --latency -H 'Authorization: Basic <asterisk:asterisk>' $BENCH_URL$path"
	lo0=$(listen_overflows)
	cpu0=$(bench_cpu_ticks)
	out=$("${cmd[@]}" 2>&1)
	cpu1=$(bench_cpu_ticks)
	lo=$(( $(listen_overflows) - lo0 ))
	echo "$out" | sed 's/^/   /'
	rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
	lat=$(echo "$out" | awk '$1 == "Latency" && NF >= 4 { print "avg " $2 ", stdev " $3 ", max " $4; exit }')
	pct=$(echo "$out" | awk '/^ +(50|90|99)%/ { printf "%sp%s %s", (n++ ? ", " : ""), substr($1, 1, length($1) - 1), $2 }')
	non2xx=$(echo "$out" | awk -F': *' '/Non-2xx/ { print $2 }')
	errs=$(echo "$out" | awk '/Socket errors:/ { sub(/^ *Socket errors: */, ""); print }')
	# The server's own CPU (user + system) per request: steadier than
	# requests/s on a machine whose other tenants come and go.
	nreq=$(echo "$out" | awk '/ requests in / { print $1 }')
	cpureq=$(awk -v a="$cpu0" -v b="$cpu1" -v n="${nreq:-0}" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { if (n > 0) printf "%.1f", (b - a) / hz / n * 1e6; else print "?" }')
	echo "RESULT GET $path: ${rps:-?} requests/s; latency $lat; $pct; server CPU ${cpureq} us/request; non-2xx: ${non2xx:-0}; socket errors: ${errs:-none}; TcpExt ListenOverflows during the run: $lo"
	if ! kill -0 "$BENCH_PID" 2>/dev/null; then
		echo "bench: ariadne died during GET $path" >&2
		tail -n 30 "$BENCH_TMP/ariadne.log" >&2
		BENCH_PID=
		exit 1
	fi
	[ "$code" = 200 ] && [ -z "$non2xx" ] || status=1
done

echo
sleep 1
echo "RSS idle after: $(bench_rss_kb) kB"
exit $status
