'use strict';
// A real SIP phone: baresip (Debian package, headless) registers to ariadne
// with digest auth and calls stasis-sipapp; the ARI app answers and plays a
// 1000 Hz tone. What baresip heard (decoded audio dumped by its sndfile
// filter) must contain that tone; digits sent from baresip (RFC 4733) must
// arrive as ChannelDtmfReceived.
//
// baresip runs with its own config dir (-f), modules g711 (codec), aufile
// (audio source: a WAV of silence), sndfile (writes *-dec.wav / *-enc.wav),
// account, menu and ctrl_tcp (JSON commands over netstrings on TCP). No
// sound card and no audio player are needed: decoding (and the dump) happen
// before the player.
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { serverTest, pjsipConf, freePort, freeUdpPort, sleep, SLOW, trackChild } = require('./lib/server');

const BARESIP = process.env.BARESIP_BIN || 'baresip';
const MODULES = ['/usr/lib/baresip/modules', '/usr/lib/x86_64-linux-gnu/baresip/modules']
	.find((d) => fs.existsSync(path.join(d, 'g711.so')));
const haveBaresip = !spawnSync(BARESIP, ['-h'], { stdio: 'ignore' }).error && MODULES;
const PASS = 'Bs-9secret';

function writeWav(file, samples, rate = 8000) {
	const data = Buffer.alloc(samples.length * 2);
	samples.forEach((s, i) => data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(s))), i * 2));
	const h = Buffer.alloc(44);
	h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8);
	h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
	h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
	h.write('data', 36); h.writeUInt32LE(data.length, 40);
	fs.writeFileSync(file, Buffer.concat([h, data]));
}

/** 16-bit PCM mono WAV → {rate, samples: Int16Array}, walking the RIFF chunks. */
function readWav(file) {
	const b = fs.readFileSync(file);
	assert.equal(b.toString('latin1', 0, 4), 'RIFF', `${file} is not a WAV`);
	let off = 12;
	let rate = 0;
	let bits = 0;
	let channels = 0;
	while (off + 8 <= b.length) {
		const id = b.toString('latin1', off, off + 4);
		let size = b.readUInt32LE(off + 4);
		if (id === 'fmt ') {
			channels = b.readUInt16LE(off + 10);
			rate = b.readUInt32LE(off + 12);
			bits = b.readUInt16LE(off + 22);
		} else if (id === 'data') {
			if (size === 0 || off + 8 + size > b.length) size = b.length - off - 8; // unfinished header
			assert.equal(bits, 16, 'expected 16-bit PCM');
			assert.equal(channels, 1, 'expected mono');
			const pcm = b.subarray(off + 8, off + 8 + size - (size % 2));
			const samples = new Int16Array(pcm.length / 2);
			for (let i = 0; i < samples.length; i++) samples[i] = pcm.readInt16LE(i * 2);
			return { rate, samples };
		}
		off += 8 + size + (size % 2);
	}
	throw new Error(`${file}: no data chunk`);
}

/** Goertzel power of `freq` in x[from, from+n) normalised to the block's energy (0..1). */
function toneShare(x, from, n, freq, rate) {
	const k = 2 * Math.cos(2 * Math.PI * freq / rate);
	let s1 = 0;
	let s2 = 0;
	let energy = 0;
	for (let i = from; i < from + n; i++) {
		const s = x[i] + k * s1 - s2;
		s2 = s1;
		s1 = s;
		energy += x[i] * x[i];
	}
	const power = s1 * s1 + s2 * s2 - k * s1 * s2; // |X(f)|^2
	// A pure sine of amplitude A: power = (A n / 2)^2 and energy = A^2 n / 2.
	return energy > 0 ? power / (energy * n / 2) : 0;
}

/** Per-20 ms analysis: share of blocks where 1000 Hz dominates, and the RMS. */
function analyse({ rate, samples }, freq) {
	const n = Math.round(rate / 50);
	const blocks = [];
	for (let from = 0; from + n <= samples.length; from += n) {
		let e = 0;
		for (let i = from; i < from + n; i++) e += samples[i] * samples[i];
		blocks.push({ rms: Math.sqrt(e / n), share: toneShare(samples, from, n, freq, rate),
			off: toneShare(samples, from, n, freq * 1.37, rate) });
	}
	const loud = blocks.filter((b) => b.rms > 300);
	const toned = loud.filter((b) => b.share > 0.8 && b.off < 0.05);
	return { blocks: blocks.length, loud: loud.length, toned: toned.length,
		seconds: toned.length / 50, maxRms: Math.max(0, ...blocks.map((b) => b.rms)) };
}

/** baresip with its own config dir, driven over ctrl_tcp (netstring JSON). */
class Baresip {
	constructor(dir) {
		this.dir = dir;
		this.out = '';
		this.events = [];
		this.waiters = [];
		this.buf = '';
	}

	async start({ account, ctlPort, sipPort }) {
		const rtp = await freeUdpPort({ count: 4, even: true });
		fs.mkdirSync(this.dir, { recursive: true });
		writeWav(path.join(this.dir, 'silence.wav'), new Array(8000 * 30).fill(0));
		fs.writeFileSync(path.join(this.dir, 'config'), [
			'poll_method epoll',
			'net_interface 127.0.0.1',
			`sip_listen 127.0.0.1:${sipPort}`,
			'sip_trans_def udp',
			`audio_source aufile,${path.join(this.dir, 'silence.wav')}`,
			'audio_player aufile,none', // no such player: nothing plays, decoding still runs
			'audio_alert aufile,none',
			'audio_srate 8000',
			'audio_channels 1',
			`rtp_ports ${rtp}-${rtp + 3}`,
			'jitter_buffer_delay 1-5',
			`module_path ${MODULES}`,
			'module g711.so',
			'module aufile.so',
			'module sndfile.so',
			`snd_path ${this.dir}`,
			'module_app account.so',
			'module_app menu.so',
			'module_app ctrl_tcp.so',
			`ctrl_tcp_listen 127.0.0.1:${ctlPort}`,
			'',
		].join('\n'));
		fs.writeFileSync(path.join(this.dir, 'accounts'), account + '\n');
		fs.writeFileSync(path.join(this.dir, 'contacts'), '');
		this.proc = trackChild(spawn(BARESIP, ['-f', this.dir], { stdio: ['ignore', 'pipe', 'pipe'] }));
		const keep = (d) => { this.out = (this.out + d.toString()).slice(-20000); };
		this.proc.stdout.on('data', keep);
		this.proc.stderr.on('data', keep);
		this.exited = new Promise((r) => this.proc.on('exit', r));
		const deadline = Date.now() + 5000 * SLOW;
		while (Date.now() < deadline) {
			try {
				this.sock = await new Promise((resolve, reject) => {
					const s = net.connect(ctlPort, '127.0.0.1');
					s.once('connect', () => resolve(s));
					s.once('error', reject);
				});
				break;
			} catch { await sleep(50); }
		}
		if (!this.sock) throw new Error('baresip ctrl_tcp did not come up\n' + this.out);
		this.sock.on('data', (d) => this._data(d));
		this.sock.on('error', () => {});
	}

	_data(d) {
		this.buf += d.toString('utf8');
		for (;;) {
			const colon = this.buf.indexOf(':');
			if (colon < 0) return;
			const len = Number(this.buf.slice(0, colon));
			if (this.buf.length < colon + 1 + len + 1) return;
			const msg = JSON.parse(this.buf.slice(colon + 1, colon + 1 + len));
			this.buf = this.buf.slice(colon + 1 + len + 1);
			this.events.push(msg);
			for (const w of this.waiters.slice()) {
				if (w.pred(msg)) { this.waiters.splice(this.waiters.indexOf(w), 1); clearTimeout(w.t); w.resolve(msg); }
			}
		}
	}

	waitFor(pred, ms = 8000 * SLOW, what = 'baresip event') {
		const hit = this.events.find(pred);
		if (hit) return Promise.resolve(hit);
		return new Promise((resolve, reject) => {
			const w = { pred, resolve };
			w.t = setTimeout(() => {
				this.waiters.splice(this.waiters.indexOf(w), 1);
				reject(new Error(`timed out waiting for ${what}; baresip said:\n` +
					this.events.map((e) => JSON.stringify(e)).join('\n') + '\n--- output:\n' + this.out.slice(-4000)));
			}, ms);
			this.waiters.push(w);
		});
	}

	command(command, params = '') {
		const token = `t${this.events.length}-${Math.random().toString(36).slice(2, 8)}`;
		const j = JSON.stringify({ command, params, token });
		this.sock.write(`${Buffer.byteLength(j)}:${j},`);
		return this.waitFor((e) => e.response && e.token === token, 5000 * SLOW, `reply to ${command}`)
			.then((r) => { assert.ok(r.ok, `baresip ${command} ${params}: ${r.data}`); return r; });
	}

	async stop() {
		if (this.sock) this.sock.destroy();
		if (this.proc && this.proc.exitCode === null) {
			this.proc.kill('SIGTERM');
			const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
			await this.exited;
			clearTimeout(t);
		}
	}
}

serverTest('baresip_registers_calls_hears_the_played_tone_and_its_digits_arrive_as_ChannelDtmfReceived', {
	skip: haveBaresip ? false : 'baresip not installed (scripts/bootstrap installs it)',
	timeout: 60000 * SLOW,
	files: { 'pjsip.conf': pjsipConf({ alice: { password: PASS } }) },
}, async (srv) => {
	const phone = new Baresip(path.join(srv.tmp, 'baresip'));
	try {
		const ws = await srv.events('sipapp');
		await phone.start({
			account: `<sip:alice@127.0.0.1:${srv.sipPort}>;auth_pass=${PASS};regint=600`,
			ctlPort: await freePort(), sipPort: await freeUdpPort(),
		});
		// baresip registers at start-up, often before ctrl_tcp has a client to
		// tell: watch the endpoint instead of waiting for REGISTER_OK.
		let ep;
		for (const deadline = Date.now() + 8000 * SLOW; Date.now() < deadline; await sleep(100)) {
			ep = await srv.get('/ari/endpoints/PJSIP/alice');
			if (ep.json && ep.json.state === 'online') break;
		}
		assert.equal(ep.json && ep.json.state, 'online', `baresip did not register: ${ep.body}`);

		await phone.command('dial', `sip:100@127.0.0.1:${srv.sipPort}`);
		const { channel } = await ws.waitFor('StasisStart', 8000 * SLOW);
		assert.match(channel.name, /^PJSIP\/alice-[0-9a-f]{8}$/);
		assert.equal((await srv.post(`/ari/channels/${encodeURIComponent(channel.id)}/answer`)).status, 204);
		await phone.waitFor((e) => e.type === 'CALL_ESTABLISHED', 8000 * SLOW, 'CALL_ESTABLISHED');
		const play = await srv.post(`/ari/channels/${encodeURIComponent(channel.id)}/play?media=${encodeURIComponent('tone:1000')}`);
		// Asterisk answers 201 Created (ast_ari_response_created); the swagger says 200.
		assert.ok([200, 201].includes(play.status), `play → ${play.status} ${play.body}`);
		await ws.waitFor('PlaybackStarted');
		await sleep(2500);

		for (const digit of ['1', '5', '#']) {
			await phone.command('sndcode', digit);
			await sleep(400);
		}
		await ws.waitFor((e) => e.type === 'ChannelDtmfReceived' && e.digit === '#', 5000 * SLOW, { what: 'digit #' });
		const digits = ws.filter('ChannelDtmfReceived');
		assert.deepEqual(digits.map((e) => e.digit), ['1', '5', '#']);
		for (const d of digits) assert.ok(d.duration_ms > 0, `duration_ms ${d.duration_ms}`);

		assert.equal((await srv.del(`/ari/channels/${encodeURIComponent(channel.id)}`)).status, 204);
		await phone.waitFor((e) => e.type === 'CALL_CLOSED', 8000 * SLOW, 'CALL_CLOSED');
		await ws.waitFor('ChannelDestroyed');
		await phone.stop();

		const dump = fs.readdirSync(phone.dir).find((f) => /-dec\.wav$/.test(f));
		assert.ok(dump, `baresip wrote no decoded dump in ${phone.dir}: ${fs.readdirSync(phone.dir)}`);
		const a = analyse(readWav(path.join(phone.dir, dump)), 1000);
		// ~2.5 s of tone before the digits (plus until the hangup): ask for 1.5 s
		// of 20 ms blocks where 1000 Hz carries > 80% of the energy.
		assert.ok(a.seconds >= 1.5, `1000 Hz tone heard for only ${a.seconds} s: ${JSON.stringify(a)}`);
	} catch (e) {
		e.message += `\n--- baresip output (tail):\n${phone.out.slice(-3000)}`;
		throw e;
	} finally {
		await phone.stop();
	}
});

