'use strict';
// Walks every operation declared in /ari/api-docs/*.json and calls it with
// placeholder path ids and no parameters: each must be routed (no "Resource
// not found", no 405) and answer a status its declaration admits — one of its
// errorResponses, a success, or what the generic layer may answer for any
// operation (400 bad parameters, 401/403 credentials, 404 unknown path,
// 405 wrong method, 501 not implemented). A 500 always fails.
const assert = require('node:assert/strict');
const { serverTest } = require('./lib/server');

const GENERIC = new Set([400, 401, 403, 404, 501]);

serverTest('every_declared_operation_is_routed_and_answers_a_documented_status', { timeout: 60000 },
	async (srv) => {
		const listing = (await srv.get('/ari/api-docs/resources.json')).json;
		const problems = [];
		let calls = 0;
		for (const api of listing.apis) {
			const res = api.path.replace(/^\/api-docs\//, '').replace(/\.\{format\}$/, '');
			const decl = (await srv.get(`/ari/api-docs/${res}.json`)).json;
			assert.ok(decl && Array.isArray(decl.apis), `declaration of ${res}`);
			for (const a of decl.apis) {
				for (const op of a.operations) {
					const p = '/ari' + a.path.replace(/\{[^}]+\}/g, 'walk-x1');
					const r = await srv.request({ method: op.httpMethod, path: p });
					calls++;
					const documented = new Set((op.errorResponses || []).map((e) => e.code));
					const ok = r.status === 200 || r.status === 204 || documented.has(r.status) ||
						GENERIC.has(r.status);
					const unrouted = r.status === 405 ||
						(r.status === 404 && r.json && r.json.message === 'Resource not found');
					if (!ok || unrouted || r.status >= 500 && r.status !== 501) {
						problems.push(`${op.httpMethod} ${p} (${res}.${op.nickname}) → ${r.status} ${r.body}` +
							` (documented: ${[...documented].join(',') || 'none'})`);
					}
					// Error bodies are always {"message": ...}.
					if (r.status >= 400 && r.status !== 501 && !(r.json && typeof r.json.message === 'string'))
						problems.push(`${op.httpMethod} ${p}: error body ${r.body}`);
				}
			}
		}
		assert.ok(calls > 90, `only ${calls} operations declared`);
		assert.deepEqual(problems, []);
	});
