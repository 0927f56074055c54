# Sourced by bench/sip_*.sh after bench/lib/server.sh: ariadne with a SIP
# transport on a free loopback UDP port, a node ARI application on the events
# WebSocket, and SIPp helpers. Not executable on purpose.
#
# After sip_bench_start_server: SIP_PORT (plus BENCH_* from server.sh); the
# server listens for SIP on both UDP and TCP 127.0.0.1:SIP_PORT.
# After sip_bench_start_app MODE: APP_PID. MODE answer-hangup: answer every
# call in stasis-bench and hang it up; play: answer and play
# ${BENCH_PROMPT:-sound:hello-world} over and over until the caller hangs up;
# answer: answer and do nothing more (the call hears nothing).

SIP_PORT=

sip_free_udp_port() {
	node -e 'const s=require("dgram").createSocket("udp4");s.bind(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})'
}

# Stop the app and SIPp (if running) before server.sh's cleanup stops ariadne.
sip_bench_cleanup() {
	local rc=$?
	[ -n "${SIPP_PID:-}" ] && kill -TERM "$SIPP_PID" 2>/dev/null && wait "$SIPP_PID" 2>/dev/null
	[ -n "${APP_PID:-}" ] && kill -TERM "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null
	SIPP_PID=
	APP_PID=
	(exit $rc)
	bench_cleanup
}
trap sip_bench_cleanup EXIT

# Stop the app and ariadne, remove the temporary directory (a later
# sip_bench_start_server starts afresh).
sip_bench_stop() {
	[ -n "${APP_PID:-}" ] && kill -TERM "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null
	APP_PID=
	bench_cleanup
}

# pjsip.conf (UDP and TCP on one free port, endpoint "bench" into
# stasis-bench) and cel.conf for bench_start_server.
sip_bench_write_conf() {
	SIP_PORT=$(sip_free_udp_port)
	cat > "$BENCH_TMP/etc/pjsip.conf" <<CONF
[transport-udp]
type = transport
protocol = udp
bind = 127.0.0.1:$SIP_PORT

[transport-tcp]
type = transport
protocol = tcp
bind = 127.0.0.1:$SIP_PORT

[bench]
type = endpoint
context = stasis-bench
disallow = all
allow = ulaw
aors = bench

[bench]
type = aor
max_contacts = 1

[bench-identify]
type = identify
endpoint = bench
match = 127.0.0.1
CONF
	cat > "$BENCH_TMP/etc/cel.conf" <<CONF
[general]
enable = ${BENCH_CEL:-no}
CONF
}

sip_bench_start_server() {
	local BENCH_VERBOSE=${BENCH_VERBOSE:-0}
	bench_start_server sip_bench_write_conf
}

sip_bench_start_app() { # mode
	cat > "$BENCH_TMP/app.js" <<'JS'
'use strict';
// Minimal ARI application for the SIP benchmarks (raw WebSocket + HTTP).
const http = require('http');
const WebSocket = require('ws');
const [url, auth, mode, prompt] = process.argv.slice(2);
const u = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const hdr = { Authorization: 'Basic ' + Buffer.from(auth).toString('base64') };
let errors = 0;
function req(method, path) {
	return new Promise((resolve) => {
		const r = http.request({ host: u.hostname, port: u.port, method, path: '/ari' + path, headers: hdr, agent },
			(res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
		r.on('error', () => { errors++; resolve(0); });
		r.end();
	});
}
const live = new Set();
const enc = encodeURIComponent;
const play = (id) => req('POST', `/channels/${enc(id)}/play?media=${enc(prompt)}`);
const ws = new WebSocket(`ws://${u.host}/ari/events?app=bench&api_key=${enc(auth)}`);
ws.on('open', () => console.log('ready'));
ws.on('error', (e) => { console.error('app: ' + e.message); process.exit(1); });
ws.on('close', () => process.exit(0));
ws.on('message', async (data) => {
	const ev = JSON.parse(data);
	if (ev.type === 'StasisStart') {
		const id = ev.channel.id;
		live.add(id);
		if (await req('POST', `/channels/${enc(id)}/answer`) !== 204) errors++;
		if (mode === 'answer-hangup') await req('DELETE', `/channels/${enc(id)}`);
		else if (mode === 'play') await play(id);
	} else if (ev.type === 'StasisEnd') {
		live.delete(ev.channel.id);
	} else if (ev.type === 'PlaybackFinished' && mode === 'play') {
		const id = (ev.playback.target_uri || '').replace(/^channel:/, '');
		if (live.has(id)) await play(id);
	}
});
process.on('SIGTERM', () => { if (errors) console.error(`app: ${errors} failed requests`); process.exit(0); });
JS
	NODE_PATH="$BENCH_ROOT/node_modules" node "$BENCH_TMP/app.js" "$BENCH_URL" "$BENCH_AUTH" "$1" \
		"${BENCH_PROMPT:-sound:hello-world}" >"$BENCH_TMP/app.log" 2>&1 &
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

# "successful failed" from SIPp's final screen (cumulative column).
sip_sipp_counts() { # screen-file stdout-file
	cat "$@" 2>/dev/null | tr -d '\r' | awk -F'|' '
		/Successful call/ { ok = $NF + 0 }
		/Failed call/ { failed = $NF + 0 }
		END { print ok + 0, failed + 0 }'
}

sip_channel_count() {
	curl -fsS -u "$BENCH_AUTH" "$BENCH_URL/ari/channels" 2>/dev/null |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).length)}catch{console.log("?")}})'
}

sip_wait_no_channels() { # seconds
	local i n
	for i in $(seq 1 "$(($1 * 2))"); do
		n=$(sip_channel_count)
		[ "$n" = 0 ] && return 0
		sleep 0.5
	done
	echo "bench: $n channels still up after $1 s" >&2
}

# 8 seconds of a 1 kHz tone as raw PCMU, for SIPp's rtp_stream
# (bridges.sh, external_media.sh): $BENCH_TMP/tone.ulaw.
write_tone() {
	node -e '
const fs = require("fs");
function ulaw(x) {
	let s = Math.max(-32768, Math.min(32767, Math.round(x)));
	const sign = s < 0 ? 0x80 : 0;
	if (sign) s = -s;
	s = Math.min(s, 32635) + 0x84;
	let exp = 7;
	for (let m = 0x4000; (s & m) === 0 && exp > 0; m >>= 1) exp--;
	return ~(sign | (exp << 4) | ((s >> (exp + 3)) & 0x0f)) & 0xff;
}
const b = Buffer.alloc(8000 * 8);
for (let i = 0; i < b.length; i++) b[i] = ulaw(8000 * Math.sin(2 * Math.PI * 1000 * i / 8000));
fs.writeFileSync(process.argv[1], b);' "$BENCH_TMP/tone.ulaw"
}
