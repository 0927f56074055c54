'use strict';
// What the TLS tests share: a self-signed certificate made by openssl for
// each run (EC P-256, CN localhost, SAN 127.0.0.1), a CA with a client
// certificate it signed and a client certificate it did not (for the
// checks of client certificates), http.conf with TLS on a chosen port, and
// a test whose server needs that port chosen first.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const { test } = require('node:test');
const { execFileSync } = require('node:child_process');
const { startServer, stopServer, freePort, SLOW } = require('./server');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariadne-tls-'));
const CERT = path.join(dir, 'cert.pem');
const KEY = path.join(dir, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
	'-keyout', KEY, '-out', CERT, '-days', '2', '-subj', '/CN=localhost',
	'-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
const CA = fs.readFileSync(CERT);

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const openssl = (...args) => execFileSync('openssl', args, { stdio: 'ignore' });

/** Client certificates: `good` signed by the CA in `caFile`, `rogue` self-signed. */
function clientCerts() {
	const f = (n) => path.join(dir, n);
	if (!fs.existsSync(f('client.pem'))) {
		openssl('req', '-x509', ...EC, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=ariadne test CA');
		openssl('req', ...EC, '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', '/CN=phone-1');
		openssl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
			'-out', f('client.pem'), '-days', '2');
		openssl('req', '-x509', ...EC, '-keyout', f('rogue.key'), '-out', f('rogue.pem'), '-days', '2', '-subj', '/CN=rogue');
	}
	const read = (n) => fs.readFileSync(f(n));
	return {
		caFile: f('ca.pem'),
		good: { cert: read('client.pem'), key: read('client.key') },
		rogue: { cert: read('rogue.pem'), key: read('rogue.key') },
	};
}

process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const httpConf = (tlsPort, extra = {}) => ['[general]', 'enabled = yes', 'bindaddr = 127.0.0.1', 'bindport = {{HTTP_PORT}}',
	'tlsenable = yes', `tlsbindaddr = 127.0.0.1:${tlsPort}`, `tlscertfile = ${CERT}`, `tlsprivatekey = ${KEY}`,
	...Object.entries(extra).map(([k, v]) => `${k} = ${v}`), ''].join('\n');

/** A test with its own server whose config needs ports chosen first. */
function tlsTest(name, makeOpts, fn) {
	test(name, { timeout: 30000 * SLOW }, async () => {
		const ctx = {};
		let srv;
		// The TLS port is free when chosen, but another test's server may
		// bind it before ours does (the server then logs and runs without
		// TLS): start again on a fresh port, as the harness does for its own.
		for (let attempt = 0; ; attempt++) {
			ctx.port = await freePort();
			srv = await startServer(makeOpts(ctx));
			if (attempt === 2 || !new RegExp(`127\\.0\\.0\\.1:${ctx.port}\\b[^\\n]*Address already in use|` +
				`Address already in use[^\\n]*127\\.0\\.0\\.1:${ctx.port}\\b`).test(srv.stderr))
				break;
			await stopServer(srv);
		}
		let err = null;
		try { await fn(srv, ctx); } catch (e) { err = e; }
		await stopServer(srv, err);
	});
}


/** The TLS version a handshake with 127.0.0.1:port settles on, or null when it fails. */
function handshake(port, version, opts = {}) {
	return new Promise((resolve) => {
		const s = tls.connect({ host: '127.0.0.1', port, ca: CA, servername: 'localhost',
			minVersion: version, maxVersion: version, ...opts });
		s.once('secureConnect', () => { const v = s.getProtocol(); s.destroy(); resolve(v); });
		s.once('error', () => resolve(null));
	});
}

module.exports = { dir, CERT, KEY, CA, httpConf, tlsTest, handshake, clientCerts, openssl, EC };
