#!/usr/bin/env bash
# ARI REST throughput and latency with wrk: GET /ari/asterisk/ping,
# GET /ari/asterisk/info and GET /ari/channels (no channels), Basic auth,
# keep-alive connections.
# Prints each wrk command, requests/s, latency percentiles, non-2xx counts,
# and the server's RSS idle before and after. Loopback only; stops by itself.
#
# Then the same wrk command against bench/http_floor.c (a server that does
# no work at all, 1 and 2 threads): the best any server can do here.
#
# Environment: BENCH_THREADS (2), BENCH_CONNS (50), BENCH_DURATION (10s),
# BENCH_FLOOR (1; 0: skip the floor runs).
set -u
. "$(dirname "$0")/lib/server.sh"

THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-50}
DURATION=${BENCH_DURATION:-10s}
FLOOR=${BENCH_FLOOR:-1}

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

# Run wrk once against URL and print its RESULT line; the CPU per request
# is that of process PID (user + system). Sets WRK_NON2XX.
run_wrk() {
	local label=$1 url=$2 pid=$3 out cmd lo0 lo cpu0 cpu1 rps lat pct errs nreq cpureq
	cmd=(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "$AUTH_HDR" "$url")
	echo "\$ wrk -t$THREADS -c$CONNS -d$DURATION --latency -H 'Authorization: Basic <asterisk:asterisk>' $url"
	lo0=$(listen_overflows)
	cpu0=$(bench_cpu_ticks "$pid")
	out=$("${cmd[@]}" 2>&1)
	cpu1=$(bench_cpu_ticks "$pid")
	lo=$(( $(listen_overflows) - lo0 ))
	echo "$out" | sed 's/^/   /'
	rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
	lat=$(echo "$out" | awk '$1 == "Latency" && NF >= 4 { print "avg " $2 ", stdev " $3 ", max " $4; exit }')
	pct=$(echo "$out" | awk '/^ +(50|90|99)%/ { printf "%sp%s %s", (n++ ? ", " : ""), substr($1, 1, length($1) - 1), $2 }')
	WRK_NON2XX=$(echo "$out" | awk -F': *' '/Non-2xx/ { print $2 }')
	errs=$(echo "$out" | awk '/Socket errors:/ { sub(/^ *Socket errors: */, ""); print }')
	# The server's own CPU (user + system) per request: steadier than
	# requests/s on a machine whose other tenants come and go.
	nreq=$(echo "$out" | awk '/ requests in / { print $1 }')
	cpureq=$(awk -v a="$cpu0" -v b="$cpu1" -v n="${nreq:-0}" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { if (n > 0) printf "%.1f", (b - a) / hz / n * 1e6; else print "?" }')
	echo "RESULT $label: ${rps:-?} requests/s; latency $lat; $pct; server CPU ${cpureq} us/request; non-2xx: ${WRK_NON2XX:-0}; socket errors: ${errs:-none}; TcpExt ListenOverflows during the run: $lo"
}

status=0
for path in /ari/asterisk/ping /ari/asterisk/info /ari/channels; do
	# One check request so a wrong status shows up as such, not as a fast figure.
	code=$(curl -s -o /dev/null -w '%{http_code}' -u "$BENCH_AUTH" "$BENCH_URL$path")
	echo
	echo "-- GET $path (curl check: HTTP $code)"
	run_wrk "GET $path" "$BENCH_URL$path" "$BENCH_PID"
	if ! kill -0 "$BENCH_PID" 2>/dev/null; then
		echo "bench: ariadne died during GET $path" >&2
		tail -n 30 "$BENCH_TMP/ariadne.log" >&2
		BENCH_PID=
		exit 1
	fi
	[ "$code" = 200 ] && [ -z "$WRK_NON2XX" ] || status=1
done

# The floor: bench/http_floor.c, a server that does nothing but answer every
# request head with the bytes of ariadne's ping reply, on one thread and on
# two, with the same wrk command. No server can do better on this machine:
# what it cannot reach here, ariadne cannot either.
if [ "$FLOOR" != 0 ] && command -v cc >/dev/null; then
	FLOOR_BIN=$BENCH_TMP/http_floor
	if cc -O2 -Wall -Wextra -pthread -o "$FLOOR_BIN" "$BENCH_ROOT/bench/http_floor.c"; then
		for nthreads in 1 2; do
			fport=$(bench_free_port)
			"$FLOOR_BIN" "$fport" "$nthreads" &
			fpid=$!
			sleep 0.3
			echo
			echo "-- the floor: bench/http_floor.c, $nthreads thread(s)"
			run_wrk "floor, $nthreads thread(s)" "http://127.0.0.1:$fport/ari/asterisk/ping" "$fpid"
			kill "$fpid" 2>/dev/null
			wait "$fpid" 2>/dev/null
		done
	else
		echo "bench: cannot build bench/http_floor.c: no floor figures" >&2
	fi
fi

echo
sleep 1
echo "RSS idle after: $(bench_rss_kb) kB"
exit $status
