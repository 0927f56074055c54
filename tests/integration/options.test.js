'use strict';
// ariadne.conf [options] highpriority (Asterisk's -p): the server asks for
// realtime scheduling and says whether it got it — "Set to realtime
// thread" as root or with CAP_SYS_NICE, else Asterisk's warning — and
// serves either way. /proc tells which scheduling policy it really runs in.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { serverTest } = require('./lib/server');

serverTest('highpriority_asks_for_realtime_and_says_whether_it_got_it', {
	ariadneConf: { options: { highpriority: 'yes' } },
}, async (srv) => {
	await srv.waitForLog(/Set to realtime thread|Unable to set high priority process/);
	// Field 41 of /proc/PID/stat is the policy: 2 is SCHED_RR.
	const stat = fs.readFileSync(`/proc/${srv.proc.pid}/stat`, 'utf8');
	const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
	if (/Set to realtime thread/.test(srv.stderr)) assert.equal(policy, 2, stat);
	else assert.equal(policy, 0, stat);
	assert.equal((await srv.get('/ari/asterisk/info')).status, 200);
});

serverTest('without_highpriority_the_server_keeps_normal_scheduling', async (srv) => {
	const stat = fs.readFileSync(`/proc/${srv.proc.pid}/stat`, 'utf8');
	const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
	assert.equal(policy, 0, stat);
	assert.doesNotMatch(srv.stderr, /realtime|high priority/);
});
