#!/usr/bin/env bash
# The cost of bridges on real RTP: N two-party bridges of SIPp calls, the same
# legs unbridged for comparison, and one big mixing bridge.
#
# Two SIPp instances call into the Stasis app `bench`: the "play" instance
# (tests/sipp/bridges_uac_stream.xml) streams a 1 kHz PCMU tone in a loop on
# every call (SIPp's rtp_stream), the "echo" instance (tests/sipp/uac_call.xml
# with -rtp_echo) sends back whatever it receives. A node app answers every
# call and, in mode `pairs`, bridges each play leg with an echo leg: the tone
# crosses the bridge, is echoed and crosses it back, so RTP flows both ways on
# every leg. Mode `none` only answers (each leg receives RTP and is sent
# silence); mode `conference` puts every call (all play legs) into one mixing
# bridge. For each run the script prints the SIPp commands, then ariadne's CPU
# (% of one core, from /proc/PID/stat) and RSS (VmRSS), sampled each second
# while every call is up.
#
# Environment: BENCH_PAIRS ("250 500"), BENCH_CONF (50 legs; 0 skips),
# BENCH_HOLD_MS (30000: how long each call stays up), BENCH_RAMP (100 calls/s
# per SIPp instance), BENCH_MODES ("pairs none": which runs per N).
set -u
. "$(dirname "$0")/lib/server.sh"

PAIRS_LIST=${BENCH_PAIRS:-250 500}
CONF_LEGS=${BENCH_CONF:-50}
HOLD_MS=${BENCH_HOLD_MS:-30000}
RAMP=${BENCH_RAMP:-100}
MODES=${BENCH_MODES:-pairs none}
PLAY_SCEN=$BENCH_ROOT/tests/sipp/bridges_uac_stream.xml
ECHO_SCEN=$BENCH_ROOT/tests/sipp/uac_call.xml
APP_PID=
SIPP_PID=
SIPP2_PID=

bench_need sipp sip-tester
bench_need curl curl
. "$(dirname "$0")/lib/sip_bench.sh"

bridges_cleanup() {
	local rc=$?
	[ -n "${SIPP2_PID:-}" ] && kill -TERM "$SIPP2_PID" 2>/dev/null && wait "$SIPP2_PID" 2>/dev/null
	SIPP2_PID=
	(exit $rc)
	sip_bench_cleanup
}
trap bridges_cleanup EXIT

# The ARI app: answer; `pairs` bridges a play leg with an echo leg,
# `conference` puts every leg into one bridge, `none` does nothing more.
start_app() { # mode
	cat > "$BENCH_TMP/bridges_app.js" <<'JS'
'use strict';
const http = require('http');
const WebSocket = require('ws');
const [url, auth, mode] = process.argv.slice(2);
const u = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const hdr = { Authorization: 'Basic ' + Buffer.from(auth).toString('base64') };
const enc = encodeURIComponent;
let errors = 0;
function req(method, path) {
	return new Promise((resolve) => {
		const r = http.request({ host: u.hostname, port: u.port, method, path: '/ari' + path, headers: hdr, agent },
			(res) => { let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => resolve({ status: res.statusCode, body: b })); });
		r.on('error', () => { errors++; resolve({ status: 0 }); });
		r.end();
	});
}
const waiting = { play: [], echo: [] };
let conference = null;
let bridges = 0;
async function pair() {
	while (waiting.play.length && waiting.echo.length) {
		const a = waiting.play.shift();
		const b = waiting.echo.shift();
		const r = await req('POST', '/bridges?type=mixing');
		if (r.status !== 200) { errors++; continue; }
		const id = JSON.parse(r.body).id;
		if ((await req('POST', `/bridges/${enc(id)}/addChannel?channel=${enc(a)},${enc(b)}`)).status !== 204) errors++;
		bridges++;
	}
}
const ws = new WebSocket(`ws://${u.host}/ari/events?app=bench&api_key=${enc(auth)}`);
ws.on('open', () => console.log('ready'));
ws.on('error', (e) => { console.error('app: ' + e.message); process.exit(1); });
ws.on('close', () => process.exit(0));
ws.on('message', async (data) => {
	const ev = JSON.parse(data);
	if (ev.type === 'StasisStart') {
		const id = ev.channel.id;
		if ((await req('POST', `/channels/${enc(id)}/answer`)).status !== 204) errors++;
		if (mode === 'pairs') {
			waiting[ev.channel.dialplan.exten === 'echo' ? 'echo' : 'play'].push(id);
			await pair();
		} else if (mode === 'conference') {
			if (!conference) conference = (async () => JSON.parse((await req('POST', '/bridges?type=mixing')).body).id)();
			const bid = await conference;
			if ((await req('POST', `/bridges/${enc(bid)}/addChannel?channel=${enc(id)}`)).status !== 204) errors++;
		}
	} else if (ev.type === 'ChannelLeftBridge' && mode === 'pairs' &&
		   ev.bridge.channels.length === 0) {
		await req('DELETE', `/bridges/${enc(ev.bridge.id)}`);
	}
});
process.on('SIGTERM', () => {
	console.log(`app: ${bridges} bridges made`);
	if (errors) console.error(`app: ${errors} failed requests`);
	process.exit(0);
});
JS
	NODE_PATH="$BENCH_ROOT/node_modules" node "$BENCH_TMP/bridges_app.js" "$BENCH_URL" "$BENCH_AUTH" "$1" \
		>"$BENCH_TMP/app.log" 2>&1 &
	APP_PID=$!
	local i
	for i in $(seq 1 50); do
		grep -q ready "$BENCH_TMP/app.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench: ARI app did not connect" >&2
	cat "$BENCH_TMP/app.log" >&2
	exit 1
}

# Start SIPp (in the background) placing `calls` calls to extension `svc`.
sipp_start() { # svc calls scenario extra-args... → pid in SIPP_LAST
	local svc=$1 calls=$2 scen=$3
	shift 3
	local port mport ramp_s
	port=$(sip_free_udp_port)
	mport=$(sip_free_udp_port)
	ramp_s=$(( (calls + RAMP - 1) / RAMP ))
	local cmd=(sipp -sf "$scen" -i 127.0.0.1 -p "$port" -mi 127.0.0.1 -mp "$mport" "$@" -s "$svc"
		-key from_user bench -d "$HOLD_MS" -r "$RAMP"
		-m "$calls" -l "$calls" -max_socket 4096 -nostdin
		-timeout "$((HOLD_MS / 1000 + ramp_s + 40))s" -timeout_error
		-trace_screen -screen_file "$BENCH_TMP/screen-$svc.log" "127.0.0.1:$SIP_PORT")
	echo "\$ ${cmd[*]}"
	(cd "$BENCH_TMP" && exec "${cmd[@]}" >"$BENCH_TMP/sipp-$svc.out" 2>&1) &
	SIPP_LAST=$!
}

# Sample CPU and RSS once a second for `n` seconds; prints the RESULT line.
sample() { # label n
	local label=$1 n=$2 hz c0 c1 rss cpu max_rss=0 sum_cpu=0 i
	hz=$(getconf CLK_TCK)
	for i in $(seq 1 "$n"); do
		c0=$(bench_cpu_ticks)
		sleep 1
		c1=$(bench_cpu_ticks) || break
		rss=$(bench_rss_kb)
		cpu=$(( (c1 - c0) * 100 / hz ))
		sum_cpu=$((sum_cpu + cpu))
		[ "$rss" -gt "$max_rss" ] && max_rss=$rss
		echo "  t+${i}s: ariadne CPU ${cpu}% of one core, RSS ${rss} kB"
	done
	echo "RESULT $label: ariadne CPU avg $((sum_cpu / n))% of one core, RSS max ${max_rss} kB ($(sip_channel_count) channels, $(bridge_count) bridges)"
}

# RTP figures of the three newest legs of each extension (the oldest may
# be hanging up already): packets in both
# directions show the audio crossing (and, for echo legs, coming back).
rtp_check() {
	curl -fsS -u "$BENCH_AUTH" "$BENCH_URL/ari/channels" 2>/dev/null | node -e '
const [url, auth] = process.argv.slice(1);
let s = "";
process.stdin.on("data", (d) => { s += d; }).on("end", async () => {
	const chans = JSON.parse(s);
	const pick = [];
	for (const ext of ["play", "echo"]) pick.push(...chans.filter((c) => c.dialplan.exten === ext).slice(-3));
	for (const c of pick) {
		const r = await fetch(`${url}/ari/channels/${encodeURIComponent(c.id)}/rtp_statistics`,
			{ headers: { Authorization: "Basic " + Buffer.from(auth).toString("base64") } });
		const t = await r.text();
		let j = {};
		try { j = JSON.parse(t); } catch { /* shown below */ }
		if (r.status !== 200 || j.rxcount === undefined)
			console.log(`PROBLEM rtp_statistics of ${c.name}: ${r.status} ${t}`);
		else
			console.log(`  RTP ${c.name} (${c.dialplan.exten}): received ${j.rxcount} packets, sent ${j.txcount}`);
	}
});' "$BENCH_URL" "$BENCH_AUTH"
}

bridge_count() {
	curl -fsS -u "$BENCH_AUTH" "$BENCH_URL/ari/bridges" 2>/dev/null |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).length)}catch{console.log("?")}})'
}

wait_sipp() { # pid svc → 0 when every call succeeded
	local rc ok failed
	wait "$1"
	rc=$?
	read -r ok failed < <(sip_sipp_counts "$BENCH_TMP/screen-$2.log" "$BENCH_TMP/sipp-$2.out")
	echo "SIPp $2: exit $rc, $ok calls ok, $failed failed"
	return "$rc"
}

# One run: `mode` with `play` streaming legs and `echo` echoing legs.
run() { # label mode play echo
	local label=$1 mode=$2 play=$3 echo=$4 legs ramp_s samples rc=0
	legs=$((play + echo))
	echo
	echo "== $label: $legs legs, app mode $mode"
	sip_bench_start_server
	write_tone
	start_app "$mode"
	sleep 1
	echo "RESULT $label RSS idle (app connected, no call): $(bench_rss_kb) kB"
	sipp_start play "$play" "$PLAY_SCEN"
	SIPP_PID=$SIPP_LAST
	if [ "$echo" -gt 0 ]; then
		sipp_start echo "$echo" "$ECHO_SCEN" -rtp_echo
		SIPP2_PID=$SIPP_LAST
	fi
	ramp_s=$(( (legs / 2 + RAMP - 1) / RAMP ))
	sleep "$((ramp_s + 3))"
	samples=$(( HOLD_MS / 1000 - ramp_s - 6 ))
	[ "$samples" -lt 3 ] && samples=3
	sample "$label ($legs legs)" "$samples"
	rtp_check
	wait_sipp "$SIPP_PID" play || rc=1
	SIPP_PID=
	if [ -n "$SIPP2_PID" ]; then
		wait_sipp "$SIPP2_PID" echo || rc=1
		SIPP2_PID=
	fi
	if ! kill -0 "$BENCH_PID" 2>/dev/null; then
		echo "PROBLEM ariadne died" >&2
		tail -n 30 "$BENCH_TMP/ariadne.log" >&2
		exit 1
	fi
	sip_wait_no_channels 30
	echo "RESULT $label RSS idle after the calls: $(bench_rss_kb) kB"
	grep -h "app:" "$BENCH_TMP/app.log" || true
	sip_bench_stop
	return "$rc"
}

echo "== bench/bridges.sh =="
bench_machine
status=0
for n in $PAIRS_LIST; do
	for m in $MODES; do
		case $m in
		pairs) run "$n bridged pairs" pairs "$n" "$n" || status=1 ;;
		none) run "$((2 * n)) unbridged legs" none "$n" "$n" || status=1 ;;
		esac
	done
done
if [ "$CONF_LEGS" -gt 0 ]; then
	run "one $CONF_LEGS-party mixing bridge" conference "$CONF_LEGS" 0 || status=1
fi
exit "$status"
