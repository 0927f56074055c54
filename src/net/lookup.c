/* lookup.c — host names to addresses for the connections ariadne makes on
 * request (external media: an AudioSocket server, a UnicastRTP peer).
 *
 * Why: Asterisk resolves such names synchronously, but in the thread of
 * the one request; here the request runs on the event loop that carries
 * every call's audio, and getaddrinfo() with a resolver that does not
 * answer waits 5 s per try. So the lookup runs on a thread of its own and
 * the loop waits for it at most LOOKUP_WAIT_MS; an answer is kept for
 * LOOKUP_KEEP_S (bots are dialled by the same few names again and again),
 * and when the resolver is slow an answer kept from before, however old,
 * is better than none. A lookup given up on finishes on its thread and
 * frees itself: whoever of the two is last frees the job. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/log.h"
#include "base/worker.h"
#include "net/lookup.h"

enum { KEPT_MAX = 32, NAME_MAX_LEN = 256 };

struct job {
	char host[NAME_MAX_LEN];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	int gai;                         /* getaddrinfo's result */
	struct sockaddr_storage addr;
	socklen_t len;
	atomic_int refs;                 /* the loop's and the thread's */
};

struct kept {
	char host[NAME_MAX_LEN];
	struct sockaddr_storage addr;
	socklen_t len;
	time_t at;
};

static struct kept kept[KEPT_MAX];   /* the loop's only */

static void job_put(struct job *j)
{
	if (atomic_fetch_sub(&j->refs, 1) != 1)
		return;
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j);
}

static void *lookup_thread(void *arg)
{
	struct job *j = arg;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(j->host, NULL, &hints, &res);

	pthread_mutex_lock(&j->mu);
	j->gai = gai ? gai : (res ? 0 : EAI_NONAME);
	if (!j->gai && res->ai_addrlen <= sizeof(j->addr)) {
		memcpy(&j->addr, res->ai_addr, res->ai_addrlen);
		j->len = res->ai_addrlen;
	}
	else if (!j->gai) {
		j->gai = EAI_FAIL;
	}
	j->done = true;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	if (res)
		freeaddrinfo(res);
	job_put(j);
	return NULL;
}

static struct kept *kept_find(const char *host)
{
	for (size_t i = 0; i < KEPT_MAX; i++)
		if (kept[i].at && !strcmp(kept[i].host, host))
			return &kept[i];
	return NULL;
}

/* Into the name's slot, or the oldest one (an empty one is oldest). */
static void keep(const char *host, const struct sockaddr_storage *addr,
		 socklen_t len)
{
	struct kept *k = kept_find(host);

	if (!k) {
		k = &kept[0];
		for (size_t i = 1; i < KEPT_MAX; i++)
			if (kept[i].at < k->at)
				k = &kept[i];
	}
	strcpy(k->host, host);
	k->addr = *addr;
	k->len = len;
	k->at = time(NULL);
}

/* Start the lookup; wait for it at most LOOKUP_WAIT_MS. ETIMEDOUT, or 0
 * with j->gai set. */
static int run_job(struct job *j)
{
	struct timespec until;
	pthread_t t;
	int err = 0;

	atomic_init(&j->refs, 2);
	if (worker_thread_create(&t, lookup_thread, j)) {
		atomic_store(&j->refs, 1);
		return EAGAIN;
	}
	pthread_detach(t);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)(LOOKUP_WAIT_MS % 1000) * 1000000;
	until.tv_sec += LOOKUP_WAIT_MS / 1000 + until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	pthread_mutex_lock(&j->mu);
	while (!j->done && !err)
		err = pthread_cond_timedwait(&j->cv, &j->mu, &until);
	if (j->done)
		err = 0;
	pthread_mutex_unlock(&j->mu);
	return err;
}

int net_lookup(const char *host, struct sockaddr_storage *out,
	       socklen_t *len)
{
	struct kept *k;
	struct job *j;
	int err;

	if (!host || !*host || strlen(host) >= NAME_MAX_LEN)
		return EADDRNOTAVAIL;
	k = kept_find(host);
	if (k && time(NULL) - k->at < LOOKUP_KEEP_S) {
		*out = k->addr;
		*len = k->len;
		return 0;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	strcpy(j->host, host);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	err = run_job(j);
	if (!err && !j->gai) {
		keep(host, &j->addr, j->len);
		*out = j->addr;
		*len = j->len;
	}
	else if (k) {
		log_warning("Looking up '%s' %s; using its address from %ld s "
			    "ago", host, err ? "took too long" : "failed",
			    (long)(time(NULL) - k->at));
		*out = k->addr;
		*len = k->len;
		err = 0;
	}
	else if (err == ETIMEDOUT) {
		log_error("Unable to resolve host '%s': no answer within %u ms",
			  host, (unsigned)LOOKUP_WAIT_MS);
	}
	else if (err) {
		log_error("Unable to resolve host '%s': %s", host,
			  strerror(err));
	}
	else {
		log_error("Unable to resolve host '%s': %s", host,
			  gai_strerror(j->gai));
		err = EADDRNOTAVAIL;
	}
	job_put(j);
	return err;
}

void net_lookup_flush(void)
{
	memset(kept, 0, sizeof(kept));
}
