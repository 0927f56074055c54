/* sip_auth.c — digest authentication of requests from endpoints (RFC 3261
 * 22.4 with RFC 2617 qop=auth) and the credentials for our own requests
 * when a peer challenges them. Nonces carry their creation time and a
 * keyed MD5 of it and of the address challenged, so no per-challenge
 * state is kept: a nonce we signed
 * that is older than the auth's nonce_lifetime (Asterisk's default 32 s)
 * is "stale", one we did not sign gets a fresh challenge.
 *
 * Refusals are chan_pjsip's (res_pjsip/pjsip_distributor.c, authenticate()
 * and its artificial endpoint): wrong credentials get a 401 with a fresh
 * challenge, and a request that matches no endpoint is challenged exactly
 * like a known one (realm "asterisk"), its credentials never accepted, so
 * that the answer does not tell which user names exist. Each outcome is
 * reported as chan_pjsip reports it (sip_security.c), failures count
 * towards the address's back-off (base/backoff.h). */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_sys.h>
#include <re_md5.h>
#include <re_uri.h>
#include <re_msg.h>
#include <re_sip.h>
#include <re_httpauth.h>
#include "base/backoff.h"
#include "base/log.h"
#include "base/security.h"
#include "sip/sip_int.h"
#include "sip/sip_services.h"

#define DEFAULT_REALM "asterisk"

enum auth_result {
	AUTH_OK = 0,
	AUTH_CHALLENGE,   /* no (usable) credentials: 401 */
	AUTH_STALE,       /* right password, old nonce: 401 stale=true */
	AUTH_FAILED,      /* wrong password or user: 401, a new challenge */
	AUTH_ERROR,       /* the endpoint names no usable auth: 403 */
};

#define UNKNOWN_ACCOUNT "<unknown>" /* chan_pjsip's artificial endpoint */

static char secret[33];

int sip_auth_init(void)
{
	rand_str(secret, sizeof(secret));
	return 0;
}

static void hex(char *out, const uint8_t *md)
{
	for (int i = 0; i < MD5_SIZE; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* The nonce is signed with the address it was sent to (not the port,
 * which a NAT may change between requests), as Asterisk's: a challenge
 * taken from one address cannot be answered from another. */
static void make_nonce(char *buf, size_t size, uint32_t ts,
		       const struct sa *src)
{
	uint8_t md[MD5_SIZE];
	char h[2 * MD5_SIZE + 1];

	md5_printf(md, "%x:%j:%s", ts, src, secret);
	hex(h, md);
	snprintf(buf, size, "%08x/%s", ts, h);
}

/* 0: ours and fresh; ESTALE: ours but old; EINVAL: not ours. */
static int nonce_check(const struct pl *nonce, unsigned lifetime,
		       const struct sa *src)
{
	char buf[64], want[64];
	uint32_t ts;

	if (nonce->l >= sizeof(buf) || nonce->l < 10)
		return EINVAL;
	pl_strcpy(nonce, buf, sizeof(buf));
	if (sscanf(buf, "%8x/", &ts) != 1)
		return EINVAL;
	make_nonce(want, sizeof(want), ts, src);
	if (strcmp(want, buf))
		return EINVAL;
	if ((uint32_t)time(NULL) - ts > lifetime)
		return ESTALE;
	return 0;
}

static const char *realm_of(const struct sip_authobj *a)
{
	return a && a->realm && *a->realm ? a->realm : DEFAULT_REALM;
}

static struct sip_authobj *inbound_auth(const struct sip_endpoint *e)
{
	char name[64];

	sip_list_first(e->auth, name, sizeof(name));
	return *name ? sip_authobj_find(name) : NULL;
}

static bool digest_ok(const struct sip_authobj *a,
		      const struct httpauth_digest_resp *r,
		      const struct pl *met)
{
	uint8_t ha1[MD5_SIZE], ha2[MD5_SIZE], resp[MD5_SIZE];
	char h1[33], h2[33], hr[33];

	if (!a->password)
		return false;
	md5_printf(ha1, "%s:%s:%s", a->username ? a->username : a->name,
		   realm_of(a), a->password);
	md5_printf(ha2, "%r:%r", met, &r->uri);
	hex(h1, ha1);
	hex(h2, ha2);
	if (pl_isset(&r->qop))
		md5_printf(resp, "%s:%r:%r:%r:%r:%s", h1, &r->nonce, &r->nc,
			   &r->cnonce, &r->qop, h2);
	else
		md5_printf(resp, "%s:%r:%s", h1, &r->nonce, h2);
	hex(hr, resp);
	return r->response.l == 32 && !strncasecmp(hr, r->response.p, 32);
}

/* The request's credentials header: Authorization, else
 * Proxy-Authorization; NULL when it has neither. */
static const struct sip_hdr *cred_hdr(const struct sip_msg *msg)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);

	return hdr ? hdr : sip_msg_hdr(msg, SIP_HDR_PROXY_AUTHORIZATION);
}

/* The request's digest credentials, if it has any we can read. */
static bool cred_decode(const struct sip_msg *msg,
			struct httpauth_digest_resp *r)
{
	const struct sip_hdr *hdr = cred_hdr(msg);

	return hdr && !httpauth_digest_response_decode(r, &hdr->val);
}

/* We challenge with algorithm=MD5: credentials that say they are another
 * algorithm (SHA-256, or nonsense) were not made for our challenge and
 * fail, as in PJSIP; no algorithm means MD5 (RFC 2617 3.2.2). */
static bool algorithm_md5(const struct sip_msg *msg)
{
	const struct sip_hdr *hdr = cred_hdr(msg);
	struct pl alg;

	if (!hdr || re_regex(hdr->val.p, hdr->val.l,
			     "algorithm[ \t]*=[ \t]*[~ \t\r\n,]+", NULL, NULL,
			     &alg))
		return true;
	if (alg.l >= 2 && alg.p[0] == '"' && alg.p[alg.l - 1] == '"') {
		alg.p++;
		alg.l -= 2;
	}
	return !pl_strcasecmp(&alg, "MD5");
}

/* Check msg against the endpoint's inbound auth. Endpoints without auth
 * pass. *have tells whether r holds the request's credentials. */
static enum auth_result auth_check(const struct sip_endpoint *e,
				   const struct sip_msg *msg,
				   struct httpauth_digest_resp *r, bool *have)
{
	struct sip_authobj *a;
	const char *user;
	int nerr;

	*have = false;
	if (!e->auth || !*e->auth)
		return AUTH_OK;
	a = inbound_auth(e);
	if (!a) {
		log_warning("Endpoint '%s' names auth '%s' that does not exist",
			    e->name, e->auth);
		return AUTH_ERROR;
	}
	*have = cred_decode(msg, r);
	if (!*have)
		return AUTH_CHALLENGE;
	if (pl_strcmp(&r->realm, realm_of(a)))
		return AUTH_CHALLENGE;
	nerr = nonce_check(&r->nonce, a->nonce_lifetime, &msg->src);
	if (nerr == EINVAL)
		return AUTH_CHALLENGE;
	user = a->username ? a->username : a->name;
	if (pl_strcmp(&r->username, user) || !algorithm_md5(msg) ||
	    !digest_ok(a, r, &msg->met))
		return AUTH_FAILED;
	return nerr == ESTALE ? AUTH_STALE : AUTH_OK;
}

/* Reply 401 with a fresh challenge (stale flag as given), after `delay`
 * ms when the address is being slowed down; ChallengeSent when `report`. */
static int challenge(const struct sip_endpoint *e, const char *account,
		     const struct sip_msg *msg, bool stale, unsigned delay,
		     bool report)
{
	char nonce[64], hdrs[512];
	const struct sip_authobj *a = e ? inbound_auth(e) : NULL;

	make_nonce(nonce, sizeof(nonce), (uint32_t)time(NULL), &msg->src);
	if (report)
		sip_security_event(SECURITY_CHAL_SENT, msg, account, NULL,
				   nonce);
	re_snprintf(hdrs, sizeof(hdrs),
		    "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", "
		    "opaque=\"%08x\", algorithm=MD5, qop=\"auth\"%s\r\n"
		    "Content-Length: 0\r\n\r\n",
		    realm_of(a), nonce, rand_u32(),
		    stale ? ", stale=true" : "");
	return sip_reply_later(msg, delay, 401, "Unauthorized", hdrs);
}

int sip_auth_credentials(const char *authname, char **user, char **pass)
{
	struct sip_authobj *a = authname && *authname ?
		sip_authobj_find(authname) : NULL;
	int err;

	if (!a || !a->password)
		return ENOENT;
	err = str_dup(user, a->username ? a->username : a->name);
	if (!err)
		err = str_dup(pass, a->password);
	if (err)
		*user = mem_deref(*user);
	return err;
}

int sip_auth_client(char **user, char **pass, const char *realm, void *arg)
{
	const struct sip_endpoint *e = arg;
	char name[64];
	int err;

	(void)realm;
	sip_list_first(e->outbound_auth, name, sizeof(name));
	if (!*name)
		sip_list_first(e->auth, name, sizeof(name));
	err = sip_auth_credentials(name, user, pass);
	if (err == ENOENT)
		log_warning("Endpoint '%s': challenged by the peer but there is "
			    "no outbound_auth to answer with", e->name);
	return err;
}

/* A request that matches no endpoint: chan_pjsip's artificial endpoint,
 * whose auth no credentials satisfy. */
static int refuse_unknown(const struct sip_msg *msg)
{
	struct httpauth_digest_resp r;
	char user[128];
	unsigned delay;

	pl_strcpy(&msg->from.uri.user, user, sizeof(user));
	sip_log_refused(msg, "No matching endpoint found");
	sip_security_event(SECURITY_INVAL_ACCT_ID, msg, user, NULL, NULL);
	/* Without credentials it counts no more than a known endpoint's first
	 * request does (the log lines above are for fail2ban): a failure
	 * counted here, and so a longer wait, would tell which names exist. */
	if (!cred_decode(msg, &r)) {
		(void)challenge(NULL, UNKNOWN_ACCOUNT, msg, false,
				backoff_global_delay(&msg->src), true);
		return EACCES;
	}
	delay = backoff_global_fail(&msg->src);
	sip_log_refused(msg, "Failed to authenticate");
	sip_security_event(SECURITY_CHAL_RESP_FAILED, msg, UNKNOWN_ACCOUNT, &r,
			   NULL);
	(void)challenge(NULL, UNKNOWN_ACCOUNT, msg, false, delay, false);
	return EACCES;
}

/* Identify the endpoint of a request and check its digest; every refusal
 * (a 401 challenge, or a 403 when the endpoint's auth is missing) is
 * answered here. EALREADY: a retransmission of a request whose refusal is
 * being held back; nothing to answer. */
int sip_authorize(const struct sip_msg *msg, struct sip_endpoint **ep)
{
	struct httpauth_digest_resp r;
	struct sip_endpoint *e;
	enum auth_result res;
	bool have;

	if (sip_reply_held(msg))
		return EALREADY;
	e = sip_endpoint_identify(msg);
	if (backoff_global_busy(&msg->src) && cred_decode(msg, &r)) {
		/* One guess at a time from a slowed address (base/backoff.h):
		 * credentials that come while a refusal to it is held are
		 * refused unchecked and uncounted, with a fresh challenge
		 * after the same wait. */
		(void)challenge(e, e ? e->name : UNKNOWN_ACCOUNT, msg, false,
				backoff_global_delay(&msg->src), false);
		return EACCES;
	}
	if (!e)
		return refuse_unknown(msg);
	res = auth_check(e, msg, &r, &have);
	switch (res) {
	case AUTH_OK:
		if (have) {
			sip_security_event(SECURITY_SUCCESSFUL_AUTH, msg,
					   e->name, &r, NULL);
			backoff_global_success(&msg->src);
		}
		*ep = e;
		return 0;
	case AUTH_CHALLENGE:
	case AUTH_STALE:
		(void)challenge(e, e->name, msg, res == AUTH_STALE,
				backoff_global_delay(&msg->src), true);
		return EACCES;
	case AUTH_FAILED:
		sip_log_refused(msg, "Failed to authenticate");
		sip_security_event(SECURITY_CHAL_RESP_FAILED, msg, e->name, &r,
				   NULL);
		(void)challenge(e, e->name, msg, false,
				backoff_global_fail(&msg->src), false);
		return EACCES;
	default:
		(void)sip_reply(sipmod.sip, msg, 403, "Forbidden");
		return EPERM;
	}
}
