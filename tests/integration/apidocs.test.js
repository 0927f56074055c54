'use strict';
// Swagger api-docs served at /ari/api-docs, as ari-client 2.2.0 consumes them.
const assert = require('node:assert/strict');
const { serverTest } = require('./lib/server');

const RESOURCES = ['asterisk', 'endpoints', 'channels', 'bridges', 'recordings', 'sounds',
	'playbacks', 'deviceStates', 'mailboxes', 'events', 'applications'];

// Every event type ariadne emits in this milestone (ari-client throws on a type
// without a model in events.json).
const EMITTED_EVENTS = ['StasisStart', 'StasisEnd', 'ApplicationMoveFailed', 'ApplicationReplaced',
	'ChannelCreated', 'ChannelDestroyed', 'ChannelStateChange', 'ChannelDialplan', 'ChannelVarset',
	'ChannelHangupRequest', 'Dial'];

// Operations that belong to later work and must answer 501 until then
// (none left since external media landed); every other documented
// operation must be routed to a handler (never 501).
const NOT_YET = new Set([]);

serverTest('resources_json_lists_the_eleven_resources_with_absolute_base_path', async (srv) => {
	const r = await srv.get('/ari/api-docs/resources.json');
	assert.equal(r.status, 200, r.body);
	const doc = r.json;
	assert.ok(['1.1', '1.2'].includes(doc.swaggerVersion), `swaggerVersion ${doc.swaggerVersion}`);
	assert.equal(doc.basePath, `http://127.0.0.1:${srv.port}/ari`);
	assert.ok(Array.isArray(doc.apis));
	const names = doc.apis.map((a) => {
		assert.match(a.path, /^\/api-docs\/[A-Za-z]+\.\{format\}$/);
		assert.equal(typeof a.description, 'string');
		assert.equal(a.operations, undefined, 'listing entries must not carry operations');
		return a.path.replace(/^\/api-docs\//, '').replace(/\.\{format\}$/, '');
	});
	assert.deepEqual([...names].sort(), [...RESOURCES].sort());
});

serverTest('base_path_follows_the_host_header', async (srv) => {
	const r = await srv.get('/ari/api-docs/channels.json', { headers: { Host: `localhost:${srv.port}` } });
	assert.equal(r.status, 200);
	assert.equal(r.json.basePath, `http://localhost:${srv.port}/ari`);
});

serverTest('every_resource_declaration_loads_with_swagger_shape', async (srv) => {
	for (const res of RESOURCES) {
		const r = await srv.get(`/ari/api-docs/${res}.json`);
		assert.equal(r.status, 200, `${res}.json: ${r.status}`);
		const d = r.json;
		assert.equal(d.basePath, `http://127.0.0.1:${srv.port}/ari`, res);
		assert.equal(d.resourcePath, `/api-docs/${res}.{format}`, res);
		assert.ok(['1.1', '1.2'].includes(d.swaggerVersion), res);
		assert.ok(Array.isArray(d.apis) && d.apis.length > 0, res);
		assert.equal(typeof d.models, 'object', `${res}: models must exist`);
		for (const [key, model] of Object.entries(d.models)) assert.equal(model.id, key, `${res} model ${key}`);
		for (const api of d.apis) {
			assert.match(api.path, /^\/[A-Za-z]/, `${res} path ${api.path}`);
			assert.ok(api.path.startsWith('/' + res), `${res}: ${api.path}`);
			for (const op of api.operations) {
				assert.match(op.httpMethod, /^(GET|POST|PUT|DELETE)$/, `${api.path}`);
				assert.match(op.nickname, /^\w+$/);
				assert.equal(typeof op.responseClass, 'string', `${api.path} ${op.nickname}`);
				for (const p of op.parameters || []) {
					assert.ok(['path', 'query', 'body'].includes(p.paramType), `${op.nickname}.${p.name}`);
					if (p.paramType === 'path') assert.ok(api.path.includes(`{${p.name}}`), `${api.path} ${p.name}`);
					if (p.paramType !== 'path') assert.equal(typeof p.dataType, 'string', `${op.nickname}.${p.name}`);
				}
			}
		}
	}
});

serverTest('channels_declaration_has_asterisk_nicknames_and_parameters', async (srv) => {
	const d = (await srv.get('/ari/api-docs/channels.json')).json;
	const ops = {};
	for (const api of d.apis) for (const op of api.operations) ops[op.nickname] = { api, op };
	for (const n of ['list', 'originate', 'create', 'get', 'originateWithId', 'hangup', 'continueInDialplan',
		'move', 'redirect', 'answer', 'ring', 'ringStop', 'sendDTMF', 'mute', 'unmute', 'hold', 'unhold',
		'startMoh', 'stopMoh', 'startSilence', 'stopSilence', 'play', 'playWithId', 'record',
		'getChannelVar', 'setChannelVar', 'snoopChannel', 'snoopChannelWithId', 'dial', 'rtpstatistics',
		'externalMedia']) {
		assert.ok(ops[n], `channels.${n} missing`);
	}
	assert.equal(ops.move.api.path, '/channels/{channelId}/move');
	assert.equal(ops.move.op.httpMethod, 'POST');
	const moveParams = Object.fromEntries(ops.move.op.parameters.map((p) => [p.name, p]));
	assert.equal(moveParams.channelId.paramType, 'path');
	assert.equal(moveParams.app.paramType, 'query');
	assert.equal(moveParams.appArgs.paramType, 'query');
	const orig = Object.fromEntries(ops.originate.op.parameters.map((p) => [p.name, p]));
	for (const n of ['endpoint', 'extension', 'context', 'priority', 'label', 'app', 'appArgs', 'callerId',
		'timeout', 'channelId', 'otherChannelId']) assert.equal(orig[n] && orig[n].paramType, 'query', n);
	assert.equal(orig.variables.paramType, 'body');
	assert.equal(ops.list.op.responseClass, 'List[Channel]');
	assert.equal(ops.get.op.responseClass, 'Channel');
	assert.equal(ops.originate.op.responseClass, 'Channel');
	assert.equal(d.models.Channel.id, 'Channel');
	for (const f of ['id', 'name', 'state', 'caller', 'connected', 'accountcode', 'dialplan', 'creationtime', 'language'])
		assert.ok(d.models.Channel.properties[f], `Channel.${f}`);
});

serverTest('events_json_has_a_model_for_every_event_type', async (srv) => {
	const d = (await srv.get('/ari/api-docs/events.json')).json;
	const models = d.models;
	assert.equal(models.Message.discriminator, 'type');
	assert.ok(models.Message.subTypes.includes('Event'));
	const subTypes = models.Event.subTypes;
	assert.ok(Array.isArray(subTypes) && subTypes.length >= EMITTED_EVENTS.length);
	for (const t of EMITTED_EVENTS) {
		assert.ok(models[t], `events.json lacks model ${t}`);
		assert.ok(subTypes.includes(t), `Event.subTypes lacks ${t}`);
	}
	for (const t of subTypes) assert.ok(models[t] && models[t].properties, `subtype ${t} has no model`);
	assert.equal(models.StasisStart.properties.channel.type, 'Channel');
	assert.equal(models.StasisStart.properties.args.type, 'List[string]');
	assert.equal(models.StasisEnd.properties.channel.type, 'Channel');
	assert.equal(models.ChannelDestroyed.properties.cause.type, 'int');
	assert.equal(models.ApplicationMoveFailed.properties.destination.type, 'string');
	assert.equal(models.Dial.properties.peer.type, 'Channel');
	const evApi = d.apis.find((a) => a.path === '/events');
	assert.ok(evApi, 'GET /events documented');
	assert.equal(evApi.operations[0].nickname, 'eventWebsocket');
});

serverTest('api_docs_refuse_non_get_methods', async (srv) => {
	const r = await srv.post('/ari/api-docs/resources.json');
	assert.equal(r.status, 405);
});

serverTest('every_documented_operation_is_routed_to_a_handler', async (srv) => {
	let later = 0, routed = 0;
	for (const res of RESOURCES) {
		const d = (await srv.get(`/ari/api-docs/${res}.json`)).json;
		for (const api of d.apis) {
			for (const op of api.operations) {
				if (op.nickname === 'eventWebsocket') continue;
				const p = '/ari' + api.path.replace(/\{[^}]+\}/g, 'x1');
				const r = await srv.request({ method: op.httpMethod, path: p });
				const what = `${op.httpMethod} ${p} (${res}.${op.nickname}) → ${r.status} ${r.body}`;
				if (NOT_YET.has(`${res}.${op.nickname}`)) {
					assert.equal(r.status, 501, what);
					assert.deepEqual(r.json, { message: 'Not implemented' });
					later++;
				} else {
					assert.notEqual(r.status, 501, what);
					routed++;
				}
			}
		}
	}
	assert.equal(later, NOT_YET.size);
	assert.ok(routed > 60, `only ${routed} routed operations documented`);
});

serverTest('implemented_operations_are_routed_not_501', async (srv) => {
	for (const [method, p] of [['GET', '/ari/channels'], ['GET', '/ari/channels/nosuch'],
		['DELETE', '/ari/channels/nosuch'], ['POST', '/ari/channels/nosuch/answer'],
		['POST', '/ari/channels/nosuch/move?app=a'], ['POST', '/ari/channels/nosuch/continue'],
		['GET', '/ari/channels/nosuch/variable?variable=A'], ['GET', '/ari/applications']]) {
		const r = await srv.request({ method, path: p });
		assert.notEqual(r.status, 501, `${method} ${p}`);
		assert.ok(r.status < 500, `${method} ${p} → ${r.status}`);
	}
});

serverTest('ari_client_connects_and_builds_resources_and_operations', async (srv) => {
	const client = await srv.ari();
	for (const res of RESOURCES) assert.equal(typeof client[res], 'object', `client.${res}`);
	assert.equal(typeof client.channels.move, 'function');
	assert.equal(typeof client.channels.continueInDialplan, 'function');
	assert.equal(typeof client.channels.originate, 'function');
	assert.equal(typeof client.Channel, 'function');
	const ch = client.Channel();
	assert.equal(typeof ch.id, 'string');
	const info = await client.asterisk.ping();
	assert.equal(info.ping, 'pong');
	const list = await client.channels.list();
	assert.deepEqual(list, []);
	await assert.rejects(client.channels.get({ channelId: 'nosuch' }), /not found|Not Found|message/i);
	const apps = await client.applications.list();
	assert.deepEqual(apps, []);
});
