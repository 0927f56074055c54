'use strict';
// Audio files as the tests read them back: a strict WAV parser that also
// returns what the header claims (so a test can check the sizes a crash
// would leave behind), raw G.711 and linear decoding, and per-20 ms
// measures: in how many seconds a tone dominates (lib/rtp.js's Goertzel),
// how many are loud at all. Not a general audio library: 8 kHz mono is all
// ariadne writes.
const fs = require('node:fs');
const { toneAmplitude, ulawDecode } = require('./rtp');

const BLOCK = 160; // 20 ms at 8 kHz

/**
 * Parse a RIFF/WAVE file (path or Buffer). Returns
 * {rate, bits, channels, format, riffBytes, dataBytes, dataOffset, fileBytes, samples}.
 * `samples` covers what the file holds, even when the header says less.
 */
function readWav(file) {
	const b = Buffer.isBuffer(file) ? file : fs.readFileSync(file);
	if (b.length < 12 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE')
		throw new Error('not a RIFF/WAVE file');
	const out = { riffBytes: b.readUInt32LE(4), fileBytes: b.length };
	let off = 12;
	while (off + 8 <= b.length) {
		const id = b.toString('latin1', off, off + 4);
		const size = b.readUInt32LE(off + 4);
		if (id === 'fmt ') {
			out.format = b.readUInt16LE(off + 8);
			out.channels = b.readUInt16LE(off + 10);
			out.rate = b.readUInt32LE(off + 12);
			out.bits = b.readUInt16LE(off + 22);
		} else if (id === 'data') {
			out.dataBytes = size;
			out.dataOffset = off + 8;
			out.samples = linear(b.subarray(off + 8));
			return out;
		}
		off += 8 + size + (size % 2);
	}
	throw new Error('no data chunk');
}

/** Signed 16-bit little-endian bytes → Int16Array. */
function linear(bytes) {
	const s = new Int16Array(Math.floor(bytes.length / 2));
	for (let i = 0; i < s.length; i++) s[i] = bytes.readInt16LE(2 * i);
	return s;
}

function alaw(a) {
	a ^= 0x55;
	const exp = (a >> 4) & 0x07;
	let mag = (a & 0x0f) << 4;
	mag = exp ? (mag + 0x108) << (exp - 1) : mag + 8;
	return a & 0x80 ? mag : -mag;
}

/** A raw file of `format` (ulaw, alaw, sln) → {samples}. */
function readRaw(file, format) {
	const b = Buffer.isBuffer(file) ? file : fs.readFileSync(file);
	if (format === 'sln') return { samples: linear(b) };
	const dec = format === 'ulaw' ? ulawDecode : alaw;
	return { samples: Int16Array.from(b, dec) };
}

/** Share of a block's energy at `hz`: ~1 for a pure tone, ~0 otherwise. */
function toneShare(x, from, n, hz) {
	const block = x.subarray(from, from + n);
	const r = rms(x, from, n);
	const a = toneAmplitude(block, hz); // A of A·sin, whose power is A²/2
	return r > 0 ? (a * a / 2) / (r * r) : 0;
}

function rms(x, from, n) {
	let e = 0;
	for (let i = from; i < from + n; i++) e += x[i] * x[i];
	return Math.sqrt(e / n);
}

const LOUD = 300;

/** Per 20 ms block from `fromS` to `toS` seconds: fn(x, from) → bool; seconds where true. */
function countSeconds({ samples }, fn, fromS = 0, toS = Infinity) {
	let n = 0;
	const end = Math.min(samples.length, toS * 8000);
	for (let from = Math.floor(fromS * 8000); from + BLOCK <= end; from += BLOCK)
		if (fn(samples, from)) n++;
	return n * BLOCK / 8000;
}

/** Seconds in which `hz` carries at least `share` of a loud block's energy. */
function toneSeconds(wav, hz, fromS, toS, share = 0.8) {
	return countSeconds(wav, (x, from) => rms(x, from, BLOCK) > LOUD && toneShare(x, from, BLOCK, hz) > share,
		fromS, toS);
}

/** Seconds whose RMS is above silence. */
function loudSeconds(wav, fromS, toS) {
	return countSeconds(wav, (x, from) => rms(x, from, BLOCK) > LOUD, fromS, toS);
}

module.exports = { readWav, readRaw, toneShare, toneSeconds, loudSeconds, alawDecode: alaw };
