/* test_pjsip_conf.c — unit tests for the pjsip.conf subset (templates,
 * unknown options, codecs, identify matching) and for chan_pjsip's hangup
 * cause ↔ SIP status mapping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_sa.h>
#include "base/config.h"
#include "base/log.h"
#include "sip/sip_int.h"

static const char conf_text[] =
	"[transport-udp]\n"
	"type=transport\nprotocol=udp\nbind=127.0.0.1:5099\n"
	"[tpl](!)\n"
	"type=endpoint\ncontext=stasis-myapp\ndisallow=all\nallow=alaw,ulaw\n"
	"direct_media=no\n"
	"[alice](tpl)\n"
	"auth=alice-auth\naors=alice\ncallerid=\"Alice A\" <100>\n"
	"dtmf_mode=info\nrtp_timeout=30\nlanguage=fr\nbogus_option=1\n"
	"[alice-auth]\n"
	"type=auth\nauth_type=userpass\nusername=alice\npassword=secret\n"
	"[alice]\n"
	"type=aor\nmax_contacts=2\nremove_existing=yes\nqualify_frequency=15\n"
	"contact=sip:alice@10.0.0.1:5060\n"
	"[trunk-id]\n"
	"type=identify\nendpoint=alice\nmatch=192.168.1.0/24,10.1.2.3\n";

static struct sip_conf *load(const char *text, char **logp)
{
	char path[] = "/tmp/test_pjsip_log_XXXXXX";
	struct config *cfg = NULL;
	struct sip_conf *conf = NULL;
	int fd = mkstemp(path);
	FILE *f;
	char *buf = calloc(1, 65536);

	assert_true(fd >= 0);
	close(fd);
	log_set_quiet(1);
	assert_int_equal(log_set_file(path), 0);
	assert_int_equal(config_parse(&cfg, "pjsip.conf", text), 0);
	assert_int_equal(sip_conf_parse(&conf, cfg), 0);
	log_set_file(NULL);
	log_set_quiet(0);
	f = fopen(path, "r");
	assert_non_null(f);
	(void)!fread(buf, 1, 65535, f);
	fclose(f);
	unlink(path);
	config_free(cfg);
	if (logp)
		*logp = buf;
	else
		free(buf);
	return conf;
}

static void *nth(const struct list *l, unsigned n)
{
	struct le *le = list_head(l);

	while (le && n--)
		le = le->next;
	return le ? le->data : NULL;
}

static void endpoint_inherits_template_and_options(void **state)
{
	struct sip_conf *c = load(conf_text, NULL);
	struct sip_endpoint *e;

	(void)state;
	assert_int_equal(list_count(&c->endpoints), 1); /* template skipped */
	e = nth(&c->endpoints, 0);
	assert_string_equal(e->name, "alice");
	assert_string_equal(e->context, "stasis-myapp");
	assert_string_equal(e->allow, "alaw,ulaw");
	assert_string_equal(e->auth, "alice-auth");
	assert_string_equal(e->cid_name, "Alice A");
	assert_string_equal(e->cid_num, "100");
	assert_int_equal(e->dtmf, SIP_DTMF_INFO);
	assert_int_equal(e->rtp_timeout, 30);
	assert_string_equal(e->language, "fr");
	mem_deref(c);
}

static void unknown_option_warns_with_file_and_line(void **state)
{
	char *log = NULL;
	struct sip_conf *c = load(conf_text, &log);

	(void)state;
	assert_non_null(strstr(log, "pjsip.conf:18: Unknown option "
				    "'bogus_option'"));
	/* known-but-unused Asterisk options load quietly */
	assert_null(strstr(log, "direct_media"));
	free(log);
	mem_deref(c);
}

static void auth_aor_transport_parsed(void **state)
{
	struct sip_conf *c = load(conf_text, NULL);
	struct sip_authobj *a = nth(&c->auths, 0);
	struct sip_aor *aor = nth(&c->aors, 0);
	struct sip_tp_conf *t = nth(&c->transports, 0);
	struct sip_regcontact *ct;

	(void)state;
	assert_string_equal(a->username, "alice");
	assert_string_equal(a->password, "secret");
	assert_int_equal(aor->max_contacts, 2);
	assert_true(aor->remove_existing);
	assert_int_equal(aor->qualify_frequency, 15);
	ct = nth(&aor->contacts, 0);
	assert_non_null(ct);
	assert_string_equal(ct->uri, "sip:alice@10.0.0.1:5060");
	assert_int_equal(sa_port(&t->bind), 5099);
	mem_deref(c);
}

/* nonce_lifetime (auth) and qualify_timeout (aor): Asterisk's defaults 32 s
 * and 3.0 s, seconds with a fraction for the latter. */
static void nonce_lifetime_and_qualify_timeout(void **state)
{
	struct sip_conf *c = load(conf_text, NULL);
	struct sip_conf *d;

	(void)state;
	assert_int_equal(((struct sip_authobj *)nth(&c->auths, 0))->nonce_lifetime,
			 32);
	assert_int_equal(((struct sip_aor *)nth(&c->aors, 0))->qualify_timeout_ms,
			 3000);
	mem_deref(c);
	d = load("[a]\ntype=auth\nusername=a\npassword=p\nnonce_lifetime=5\n"
		 "[b]\ntype=aor\nqualify_timeout=1.5\n", NULL);
	assert_int_equal(((struct sip_authobj *)nth(&d->auths, 0))->nonce_lifetime,
			 5);
	assert_int_equal(((struct sip_aor *)nth(&d->aors, 0))->qualify_timeout_ms,
			 1500);
	mem_deref(d);
}

static void identify_matches_cidr_and_host(void **state)
{
	struct sip_conf *c = load(conf_text, NULL);
	struct sip_identify *i = nth(&c->identifies, 0);
	struct sa a;

	(void)state;
	assert_string_equal(i->endpoint, "alice");
	sa_set_str(&a, "192.168.1.77", 5060);
	assert_true(sip_nets_match(&i->nets, &a));
	sa_set_str(&a, "192.168.2.1", 5060);
	assert_false(sip_nets_match(&i->nets, &a));
	sa_set_str(&a, "10.1.2.3", 1234);
	assert_true(sip_nets_match(&i->nets, &a));
	sa_set_str(&a, "10.1.2.4", 1234);
	assert_false(sip_nets_match(&i->nets, &a));
	mem_deref(c);
}

static void identify_mask_notation_and_bad_entry(void **state)
{
	struct list nets = LIST_INIT;
	struct sa a;

	(void)state;
	assert_int_equal(sip_nets_add(&nets, "172.16.0.0/255.240.0.0"), 0);
	sa_set_str(&a, "172.31.255.1", 0);
	assert_true(sip_nets_match(&nets, &a));
	sa_set_str(&a, "172.32.0.1", 0);
	assert_false(sip_nets_match(&nets, &a));
	assert_int_equal(sip_nets_add(&nets, "pbx.example.com"), EINVAL);
	list_flush(&nets);
}

static void codec_lists_follow_allow_disallow_order(void **state)
{
	char l[64] = "ulaw,alaw";

	(void)state;
	sip_codecs_apply(l, sizeof(l), "all", false, "t", 1);
	assert_string_equal(l, "");
	sip_codecs_apply(l, sizeof(l), "alaw", true, "t", 1);
	sip_codecs_apply(l, sizeof(l), "ulaw,alaw", true, "t", 1);
	assert_string_equal(l, "ulaw,alaw");
	sip_codecs_apply(l, sizeof(l), "ulaw", false, "t", 1);
	assert_string_equal(l, "alaw");
	log_set_quiet(1);
	sip_codecs_apply(l, sizeof(l), "opus", true, "t", 1);
	log_set_quiet(0);
	assert_string_equal(l, "alaw");
}

static void sip_status_maps_to_asterisk_cause(void **state)
{
	(void)state;
	assert_int_equal(sip_cause_from_status(486), 17);
	assert_int_equal(sip_cause_from_status(600), 17);
	assert_int_equal(sip_cause_from_status(404), 1);
	assert_int_equal(sip_cause_from_status(480), 19);
	assert_int_equal(sip_cause_from_status(408), 18);
	assert_int_equal(sip_cause_from_status(503), 34);
	assert_int_equal(sip_cause_from_status(603), 21);
	assert_int_equal(sip_cause_from_status(403), 21);
	assert_int_equal(sip_cause_from_status(487), 127);
	assert_int_equal(sip_cause_from_status(488), 58);
	assert_int_equal(sip_cause_from_status(499), 127);
	assert_int_equal(sip_cause_from_status(599), 34);
}

static void cause_maps_to_sip_status(void **state)
{
	(void)state;
	assert_int_equal(sip_status_from_cause(17), 486);
	assert_int_equal(sip_status_from_cause(1), 404);
	assert_int_equal(sip_status_from_cause(18), 408);
	assert_int_equal(sip_status_from_cause(19), 480);
	assert_int_equal(sip_status_from_cause(21), 403);
	assert_int_equal(sip_status_from_cause(34), 503);
	assert_int_equal(sip_status_from_cause(58), 488);
	assert_int_equal(sip_status_from_cause(16), 0); /* → 603 */
}

static void list_helpers(void **state)
{
	char buf[16];

	(void)state;
	assert_true(sip_list_has("alice, bob", "bob"));
	assert_false(sip_list_has("alice,bobby", "bob"));
	sip_list_first(" one,two", buf, sizeof(buf));
	assert_string_equal(buf, "one");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(endpoint_inherits_template_and_options),
		cmocka_unit_test(unknown_option_warns_with_file_and_line),
		cmocka_unit_test(auth_aor_transport_parsed),
		cmocka_unit_test(nonce_lifetime_and_qualify_timeout),
		cmocka_unit_test(identify_matches_cidr_and_host),
		cmocka_unit_test(identify_mask_notation_and_bad_entry),
		cmocka_unit_test(codec_lists_follow_allow_disallow_order),
		cmocka_unit_test(sip_status_maps_to_asterisk_cause),
		cmocka_unit_test(cause_maps_to_sip_status),
		cmocka_unit_test(list_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
