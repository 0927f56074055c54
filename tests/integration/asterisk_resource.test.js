'use strict';
// /asterisk: info sections, modules (list/get/load/unload/reload with
// observable effects), log channels and dynamic configuration — through
// ari-client 2.2.0 by nickname and raw HTTP.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { serverTest, ini, sleep } = require('./lib/server');

async function expectReject(promise, re) {
	await assert.rejects(promise, (e) => { assert.match(String(e.message), re); return true; });
}

serverTest('info_returns_all_sections_or_only_those_asked', async (srv) => {
	const all = await srv.get('/ari/asterisk/info');
	assert.equal(all.status, 200);
	for (const s of ['build', 'system', 'config', 'status']) assert.ok(all.json[s], `section ${s}`);
	assert.equal(typeof all.json.config.setid.user, 'string');
	const some = await srv.get('/ari/asterisk/info?only=build,status');
	assert.deepEqual(Object.keys(some.json).sort(), ['build', 'status']);
	const client = await srv.ari();
	const info = await client.asterisk.getInfo({ only: 'system' });
	assert.deepEqual(Object.keys(info), ['system']);
	assert.match(info.system.entity_id, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i);
});

// Asterisk reports the process's limit of open files in config.
serverTest('info_config_has_max_open_files_the_process_limit', async (srv) => {
	const limits = fs.readFileSync(`/proc/${srv.proc.pid}/limits`, 'utf8');
	const m = /^Max open files\s+(\d+)/m.exec(limits);
	assert.ok(m, limits);
	const r = await srv.get('/ari/asterisk/info?only=config');
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.config.max_open_files, Number(m[1]), r.body);
});

serverTest('modules_are_listed_with_asterisk_names_and_fields', async (srv) => {
	const client = await srv.ari();
	const list = await client.asterisk.listModules();
	const names = list.map((m) => m.name);
	for (const n of ['res_ari.so', 'res_stasis.so', 'res_http_websocket.so', 'app_stasis.so',
		'pbx_config.so', 'cel_custom.so'])
		assert.ok(names.includes(n), `${n} in ${names}`);
	for (const m of list) {
		assert.equal(typeof m.description, 'string');
		assert.equal(typeof m.use_count, 'number');
		assert.equal(m.status, 'Running');
		assert.ok(['core', 'extended'].includes(m.support_level));
	}
	const m = await client.asterisk.getModule({ moduleName: 'res_ari.so' });
	assert.equal(m.name, 'res_ari.so');
	const r = await srv.get('/ari/asterisk/modules/nosuch.so');
	assert.equal(r.status, 404);
	assert.equal(r.json.message, 'Module could not be found in running modules');
});

serverTest('built_in_modules_refuse_unload_and_reload_with_409', async (srv) => {
	const client = await srv.ari();
	await expectReject(client.asterisk.unloadModule({ moduleName: 'res_ari.so' }), /could not be unloaded/);
	for (const n of ['res_stasis.so', 'res_http_websocket.so']) {
		const r = await srv.del(`/ari/asterisk/modules/${n}`);
		assert.equal(r.status, 409, n);
	}
	let r = await srv.request({ method: 'PUT', path: '/ari/asterisk/modules/res_http_websocket.so' });
	assert.equal(r.status, 409);
	assert.equal(r.json.message, 'Module does not support reloading');
	// res_ari.so reloads (ari.conf and http.conf), as in Asterisk.
	r = await srv.request({ method: 'PUT', path: '/ari/asterisk/modules/res_ari.so' });
	assert.equal(r.status, 204);
	r = await srv.post('/ari/asterisk/modules/res_ari.so');
	assert.equal(r.status, 409);
	assert.equal(r.json.message, 'Module is already loaded');
	r = await srv.post('/ari/asterisk/modules/nosuch.so');
	assert.equal(r.status, 409);
	r = await srv.del('/ari/asterisk/modules/nosuch.so');
	assert.equal(r.status, 404);
	assert.equal(r.json.message, 'Module not found in running modules');
	r = await srv.request({ method: 'PUT', path: '/ari/asterisk/modules/nosuch.so' });
	assert.equal(r.status, 404);
	// Still running after the refusals.
	assert.equal((await client.asterisk.getModule({ moduleName: 'res_ari.so' })).status, 'Running');
});

const EXT = '[ctx]\nexten => 100,1,Answer()\n same => n,Hangup()\n';

serverTest('unloading_pbx_config_removes_extensions_conf_and_load_brings_it_back',
	{ files: { 'extensions.conf': EXT } }, async (srv) => {
		const client = await srv.ari();
		assert.match((await srv.cli('dialplan show ctx')).stdout, /'100'/);
		await client.asterisk.unloadModule({ moduleName: 'pbx_config.so' });
		assert.doesNotMatch((await srv.cli('dialplan show ctx')).stdout, /'100'/);
		const list = await client.asterisk.listModules();
		assert.equal(list.find((m) => m.name === 'pbx_config.so').status, 'Not Running');
		assert.equal((await srv.get('/ari/asterisk/modules/pbx_config.so')).status, 404);
		assert.equal((await srv.request({ method: 'PUT', path: '/ari/asterisk/modules/pbx_config.so' })).status, 404);
		assert.equal((await srv.del('/ari/asterisk/modules/pbx_config.so')).status, 404);
		// Edit while unloaded: load reads the file again.
		fs.writeFileSync(path.join(srv.confDir, 'extensions.conf'), EXT + 'exten => 200,1,NoOp()\n');
		await client.asterisk.loadModule({ moduleName: 'pbx_config.so' });
		const shown = (await srv.cli('dialplan show ctx')).stdout;
		assert.match(shown, /'100'/);
		assert.match(shown, /'200'/);
		assert.equal((await client.asterisk.getModule({ moduleName: 'pbx_config.so' })).status, 'Running');
	});

serverTest('reloading_pbx_config_rereads_extensions_conf', { files: { 'extensions.conf': EXT } }, async (srv) => {
	fs.writeFileSync(path.join(srv.confDir, 'extensions.conf'), '[other]\nexten => 300,1,NoOp()\n');
	const r = await srv.request({ method: 'PUT', path: '/ari/asterisk/modules/pbx_config.so' });
	assert.equal(r.status, 204, r.body);
	const shown = (await srv.cli('dialplan show')).stdout;
	assert.match(shown, /'300'/);
	assert.doesNotMatch(shown, /\[ Context 'ctx'/);
});

serverTest('unloading_cel_custom_stops_cel_records_until_loaded_again',
	{ files: { 'extensions.conf': EXT } }, async (srv) => {
		const call = async () => {
			const ch = await srv.originate({ endpoint: 'Local/100@ctx', extension: '100', context: 'ctx' });
			await srv.waitChannelGone(ch.id);
			await sleep(100);
			return ch;
		};
		const a = await call();
		assert.ok(srv.celRows().some((r) => r.includes(a.id)), 'CEL written while loaded');
		assert.equal((await srv.del('/ari/asterisk/modules/cel_custom.so')).status, 204);
		const before = srv.celRows().length;
		const b = await call();
		assert.equal(srv.celRows().length, before, 'no CEL while unloaded');
		assert.ok(!srv.celRows().some((r) => r.includes(b.id)));
		assert.equal((await srv.post('/ari/asterisk/modules/cel_custom.so')).status, 204);
		const c = await call();
		assert.ok(srv.celRows().some((r) => r.includes(c.id)), 'CEL written after load');
	});

serverTest('log_channels_add_list_rotate_delete', async (srv) => {
	const client = await srv.ari();
	const file = path.join(srv.logDir, 'ari-test');
	let list = await client.asterisk.listLogChannels();
	assert.ok(list.some((c) => c.type === 'Console'));

	await client.asterisk.addLog({ logChannelName: 'ari-test', configuration: 'notice,warning' });
	assert.ok(fs.existsSync(file));
	list = await client.asterisk.listLogChannels();
	const ch = list.find((c) => c.channel === file);
	assert.ok(ch, JSON.stringify(list));
	assert.deepEqual(ch, { channel: file, type: 'File', status: 'Enabled', configuration: 'NOTICE WARNING ' });

	// A warning goes to the file (refusing to unload res_ari logs one).
	await srv.del('/ari/asterisk/modules/res_ari.so');
	assert.match(fs.readFileSync(file, 'utf8'), /WARNING\[\d+\].*cannot be unloaded/);
	// main/logger.c's "%-35.35s": a long path is cut at 35 characters
	assert.match((await srv.cli('logger show channels')).stdout,
		new RegExp(file.slice(0, 35).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

	let r = await srv.post('/ari/asterisk/logging/ari-test?configuration=error');
	assert.equal(r.status, 409);
	assert.equal(r.json.message, 'Log channel already exists');
	r = await srv.post('/ari/asterisk/logging/other');
	assert.equal(r.status, 400);
	assert.equal(r.json.message, 'Configuration levels are required');
	assert.equal(fs.existsSync(path.join(srv.logDir, 'other')), false);

	await client.asterisk.rotateLog({ logChannelName: 'ari-test' });
	assert.ok(fs.existsSync(file + '.0'));
	assert.match(fs.readFileSync(file + '.0', 'utf8'), /cannot be unloaded/);
	assert.equal(fs.readFileSync(file, 'utf8'), '');
	await srv.del('/ari/asterisk/modules/res_ari.so');
	assert.match(fs.readFileSync(file, 'utf8'), /cannot be unloaded/, 'writes go to the new file');

	r = await srv.request({ method: 'PUT', path: '/ari/asterisk/logging/nosuch/rotate' });
	assert.equal(r.status, 404);
	assert.equal(r.json.message, 'Log channel does not exist');

	await client.asterisk.deleteLog({ logChannelName: 'ari-test' });
	list = await client.asterisk.listLogChannels();
	assert.ok(!list.some((c) => c.channel === file));
	r = await srv.del('/ari/asterisk/logging/ari-test');
	assert.equal(r.status, 404);
});

serverTest('dynamic_config_of_an_unknown_class_is_404', async (srv) => {
	for (const method of ['GET', 'PUT', 'DELETE']) {
		const r = await srv.request({ method, path: '/ari/asterisk/config/dynamic/nosuch/endpoint/alice',
			body: method === 'PUT' ? { fields: [] } : undefined });
		assert.equal(r.status, 404, method);
		assert.equal(r.json.message, "configClass 'nosuch' not found");
	}
	const client = await srv.ari();
	await expectReject(client.asterisk.getObject({ configClass: 'nosuch', objectType: 't', id: 'i' }),
		/configClass 'nosuch' not found/);
});

serverTest('info_follows_a_reload_and_only_still_filters', async (srv) => {
	const first = await srv.get('/ari/asterisk/info');
	assert.equal(first.status, 200);
	assert.equal((await srv.get('/ari/asterisk/info')).body, first.body, 'info changes only with a reload');
	await sleep(1100);  // the times have millisecond precision; be sure it moves
	const r = await srv.cli('module reload pbx_config.so');
	assert.equal(r.stdout, "Module 'pbx_config.so' reloaded successfully.\n");
	assert.equal(r.code, 0, r.stderr);
	const after = await srv.get('/ari/asterisk/info');
	assert.equal(after.json.status.startup_time, first.json.status.startup_time);
	assert.ok(Date.parse(after.json.status.last_reload_time.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) >
		Date.parse(first.json.status.last_reload_time.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')),
		`last_reload_time did not move: ${first.json.status.last_reload_time} → ${after.json.status.last_reload_time}`);
	const only = await srv.get('/ari/asterisk/info?only=status');
	assert.deepEqual(Object.keys(only.json), ['status']);
	assert.deepEqual(only.json.status, after.json.status);
});
