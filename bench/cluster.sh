#!/usr/bin/env bash
# Calls/s through Kamailio (contrib/kamailio/kamailio.cfg, dispatcher
# round-robin with OPTIONS probing) in front of 1, 2 and 3 ariadne nodes on
# this machine, SIPp as the caller. Each node answers in its dialplan
# (Answer, then waits for the caller's BYE); SIPp
# (tests/sipp/cluster_uac_call.xml) sends INVITE, ACK and BYE through the
# proxy, which record-routes. Per configuration and offered rate: offered
# calls/s, completed calls/s (SIPp's successful calls over the wall time of
# the run), failed calls, and how the calls fell on the nodes (each node's
# ariadne_sip_calls_total).
#
# Everything shares this machine's cores: the figures say whether the path
# (SIPp → Kamailio → node) holds a rate, not what N separate machines would.
# Then, when it exists, bench/cluster_nats.sh (NATS request latency).
#
# Environment: BENCH_NODES ("1 2 3"), BENCH_RATES (offered calls/s, "300 600
# 900"), BENCH_STEP_S (seconds per run, 20), BENCH_LIMIT (SIPp's concurrent
# calls, 3000), BENCH_KAM_CHILDREN (Kamailio UDP workers, 4), BENCH_NO_NATS
# (set: skip bench/cluster_nats.sh).
set -u
BENCH_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_ROOT/bench/lib/server.sh"

NODES=${BENCH_NODES:-"1 2 3"}
RATES=${BENCH_RATES:-"300 600 900"}
STEP_S=${BENCH_STEP_S:-20}
LIMIT=${BENCH_LIMIT:-3000}
KAM_CHILDREN=${BENCH_KAM_CHILDREN:-4}
SCEN=$BENCH_ROOT/tests/sipp/cluster_uac_call.xml
CFG=$BENCH_ROOT/contrib/kamailio/kamailio.cfg

bench_need sipp sip-tester
bench_need curl curl
bench_need kamailio kamailio
bench_build

CL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ariadne-cluster-bench-XXXXXX")
NODE_PIDS=()
NODE_HTTP=()
NODE_SIP=()
KAM_PID=
SIPP_PID=

free_udp() {
	node -e 'const s=require("dgram").createSocket("udp4");s.bind(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})'
}

stop_all() {
	[ -n "$SIPP_PID" ] && kill -TERM "$SIPP_PID" 2>/dev/null && wait "$SIPP_PID" 2>/dev/null
	SIPP_PID=
	[ -n "$KAM_PID" ] && kill -TERM "$KAM_PID" 2>/dev/null && wait "$KAM_PID" 2>/dev/null
	KAM_PID=
	local p
	for p in "${NODE_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${NODE_PIDS[@]}"; do
		wait "$p" 2>/dev/null || echo "bench: ariadne (pid $p) exited with status $?" >&2
	done
	NODE_PIDS=()
	NODE_HTTP=()
	NODE_SIP=()
}
cleanup() {
	local rc=$?
	stop_all
	[ -z "${ARIADNE_KEEP_TMP:-}" ] && rm -rf "$CL_TMP"
	exit $rc
}
trap cleanup EXIT

# start_node i: ariadne with its own config dir, HTTP and SIP on free ports
start_node() {
	local i=$1 d=$CL_TMP/node$1 http sip n
	mkdir -p "$d/etc" "$d/log" "$d/run" "$d/data"
	http=$(bench_free_port)
	sip=$(free_udp)
	cat > "$d/etc/ariadne.conf" <<CONF
[directories]
astlogdir = $d/log
astrundir = $d/run
astdatadir = $d/data
[options]
verbose = 0
CONF
	cat > "$d/etc/http.conf" <<CONF
[general]
enabled = yes
bindaddr = 127.0.0.1
bindport = $http
CONF
	cat > "$d/etc/cel.conf" <<CONF
[general]
enable = no
CONF
	cat > "$d/etc/pjsip.conf" <<CONF
[transport-udp]
type = transport
protocol = udp
bind = 127.0.0.1:$sip

[kamailio]
type = endpoint
context = cluster
disallow = all
allow = ulaw
aors = kamailio

[kamailio]
type = aor
max_contacts = 1

[kamailio-identify]
type = identify
endpoint = kamailio
match = 127.0.0.1
CONF
	cat > "$d/etc/extensions.conf" <<CONF
[cluster]
exten => _X.,1,Answer()
 same => n,Wait(120)
 same => n,Hangup()
CONF
	"$ARIADNE_BIN" -C "$d/etc" -f >"$d/ariadne.log" 2>&1 &
	NODE_PIDS+=($!)
	NODE_HTTP+=("$http")
	NODE_SIP+=("$sip")
	for n in $(seq 1 100); do
		curl -fsS -o /dev/null -u "$BENCH_AUTH" "http://127.0.0.1:$http/ari/asterisk/ping" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench: node $i not ready" >&2
	tail -n 20 "$d/ariadne.log" >&2
	exit 1
}

start_kamailio() {
	local d=$CL_TMP/kamailio n
	mkdir -p "$d"
	: > "$d/dispatcher.list"
	for n in "${!NODE_SIP[@]}"; do
		echo "1 sip:127.0.0.1:${NODE_SIP[$n]} 0 0 duid=node$((n + 1))" >> "$d/dispatcher.list"
	done
	KAM_PORT=$(free_udp)
	kamailio -DD -E -f "$CFG" -Y "$d" -P "$d/kamailio.pid" -w "$d" -m 128 \
		-A "LISTEN=udp:127.0.0.1:$KAM_PORT" -A "DISPATCHER_LIST=\"$d/dispatcher.list\"" \
		-A DS_PING_INTERVAL=2 -A "CHILDREN=$KAM_CHILDREN" -A LOG_LEVEL=1 >"$d/kamailio.log" 2>&1 &
	KAM_PID=$!
	for n in $(seq 1 50); do
		kill -0 "$KAM_PID" 2>/dev/null || break
		if ss -Hlun "sport = :$KAM_PORT" 2>/dev/null | grep -q .; then
			sleep 0.5
			return 0
		fi
		sleep 0.1
	done
	echo "bench: kamailio did not start" >&2
	tail -n 20 "$d/kamailio.log" >&2
	exit 1
}

calls_in() { # http port
	curl -fsS -u "$BENCH_AUTH" "http://127.0.0.1:$1/metrics" 2>/dev/null |
		awk '$1 ~ /^ariadne_sip_calls_total\{direction="in"\}/ { s += $2 } END { printf "%d\n", s }'
}

sipp_counts() { # screen-file stdout-file → "successful failed"
	cat "$@" 2>/dev/null | tr -d '\r' | awk -F'|' '
		/Successful call/ { ok = $NF + 0 }
		/Failed call/ { failed = $NF + 0 }
		END { print ok + 0, failed + 0 }'
}

echo "== bench/cluster.sh =="
bench_machine 2>/dev/null || true
echo "kamailio: $(kamailio -v 2>/dev/null | head -n1), $KAM_CHILDREN UDP workers"
echo "\$ BENCH_NODES='$NODES' BENCH_RATES='$RATES' BENCH_STEP_S=$STEP_S bench/cluster.sh"
printf '%-5s %8s %8s %9s %11s %7s  %s\n' nodes offered/s calls completed completed/s failed "per node"
summary=
for n in $NODES; do
	stop_all
	for i in $(seq 1 "$n"); do
		start_node "$i"
	done
	start_kamailio
	for rate in $RATES; do
		calls=$((rate * STEP_S))
		before=()
		for h in "${NODE_HTTP[@]}"; do before+=("$(calls_in "$h")"); done
		sport=$(free_udp)
		t0=$(date +%s.%N)
		sipp -sf "$SCEN" -i 127.0.0.1 -p "$sport" -s 100 -key from_user bench -key expires 60 -key message m \
			-d 0 -r "$rate" -m "$calls" -l "$LIMIT" -max_socket 4096 -nostdin \
			-timeout "$((STEP_S * 3 + 60))s" -timeout_error -recv_timeout 32000 \
			-trace_screen -screen_file "$CL_TMP/screen-$n-$rate.log" \
			"127.0.0.1:$KAM_PORT" >"$CL_TMP/sipp-$n-$rate.out" 2>&1 &
		SIPP_PID=$!
		wait "$SIPP_PID"
		SIPP_PID=
		t1=$(date +%s.%N)
		read -r ok failed < <(sipp_counts "$CL_TMP/screen-$n-$rate.log" "$CL_TMP/sipp-$n-$rate.out")
		per=
		for j in "${!NODE_HTTP[@]}"; do
			per="$per $(( $(calls_in "${NODE_HTTP[$j]}") - ${before[$j]} ))"
		done
		line=$(awk -v n="$n" -v r="$rate" -v c="$calls" -v ok="$ok" -v f="$failed" -v t0="$t0" -v t1="$t1" -v per="${per# }" 'BEGIN {
			secs = t1 - t0; cps = 0; if (secs > 0) cps = ok / secs
			printf "%-5d %8d %8d %9d %11.0f %7d  %s", n, r, c, ok, cps, f, per }')
		echo "$line"
		summary="$summary$line"$'\n'
	done
	kam_warn=$(grep -c 'destination down' "$CL_TMP/kamailio/kamailio.log" 2>/dev/null)
	[ "${kam_warn:-0}" -gt 0 ] && echo "  (kamailio marked a node down ${kam_warn} times: its probes were not answered in time)"
done
stop_all
echo
echo "RESULT cluster (completed calls/s through Kamailio; every node, Kamailio and SIPp on this $(nproc)-core machine):"
printf '%-5s %8s %8s %9s %11s %7s  %s\n' nodes offered/s calls completed completed/s failed "per node"
printf '%s' "$summary"

if [ -z "${BENCH_NO_NATS:-}" ] && [ -f "$BENCH_ROOT/bench/cluster_nats.sh" ]; then
	echo
	echo "== bench/cluster_nats.sh (NATS request latency) =="
	bash "$BENCH_ROOT/bench/cluster_nats.sh"
fi
exit 0
