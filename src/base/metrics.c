/* metrics.c — the registry behind GET /metrics: families by name (counter,
 * gauge or histogram), each with its label sets, in the order first used.
 * Updates are a short list walk (tens of families, a few label sets each):
 * cheap beside the work they count. Rendering writes Prometheus' text
 * format: # HELP, # TYPE, then one line per label set (histograms: their
 * cumulative buckets, _sum and _count). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include "base/metrics.h"

enum kind { COUNTER, GAUGE, HISTOGRAM };

static const double buckets[] = {0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5,
				 1.0};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct series {
	struct le le;
	char *labels;
	double value;            /* counter, gauge; histogram: sum */
	uint64_t count;          /* histogram */
	uint64_t bucket[NBUCKETS];
};

struct family {
	struct le le;
	char *name, *help;
	enum kind kind;
	struct list series;
};

static struct list families;
static metrics_collect_h *collectors[16];
static size_t ncollectors;

static void series_destructor(void *arg)
{
	struct series *s = arg;

	list_unlink(&s->le);
	mem_deref(s->labels);
}

static void family_destructor(void *arg)
{
	struct family *f = arg;

	list_unlink(&f->le);
	list_flush(&f->series);
	mem_deref(f->name);
	mem_deref(f->help);
}

static struct family *family_get(const char *name, const char *help,
				 enum kind kind)
{
	struct family *f;

	for (struct le *le = list_head(&families); le; le = le->next) {
		f = le->data;
		if (!strcmp(f->name, name))
			return f->kind == kind ? f : NULL;
	}
	f = mem_zalloc(sizeof(*f), family_destructor);
	if (!f)
		return NULL;
	f->kind = kind;
	if (str_dup(&f->name, name) || str_dup(&f->help, help ? help : "")) {
		mem_deref(f);
		return NULL;
	}
	list_append(&families, &f->le, f);
	return f;
}

static struct series *series_get(struct family *f, const char *labels)
{
	struct series *s;

	labels = labels ? labels : "";
	for (struct le *le = list_head(&f->series); le; le = le->next) {
		s = le->data;
		if (!strcmp(s->labels, labels))
			return s;
	}
	s = mem_zalloc(sizeof(*s), series_destructor);
	if (!s)
		return NULL;
	if (str_dup(&s->labels, labels)) {
		mem_deref(s);
		return NULL;
	}
	list_append(&f->series, &s->le, s);
	return s;
}

void metrics_count(const char *name, const char *help, const char *labels,
		   double n)
{
	struct family *f = family_get(name, help, COUNTER);
	struct series *s = f ? series_get(f, labels) : NULL;

	if (s)
		s->value += n;
}

void metrics_gauge(const char *name, const char *help, const char *labels,
		   double v)
{
	struct family *f = family_get(name, help, GAUGE);
	struct series *s = f ? series_get(f, labels) : NULL;

	if (s)
		s->value = v;
}

void metrics_observe(const char *name, const char *help, double seconds)
{
	struct family *f = family_get(name, help, HISTOGRAM);
	struct series *s = f ? series_get(f, NULL) : NULL;

	if (!s)
		return;
	s->value += seconds;
	s->count++;
	for (size_t i = 0; i < NBUCKETS; i++)
		if (seconds <= buckets[i])
			s->bucket[i]++;
}

const char *metrics_esc(char *buf, size_t size, const char *v)
{
	size_t n = 0;

	for (; v && *v && n + 3 < size; v++) {
		if (*v == '\\' || *v == '"' || *v == '\n') {
			buf[n++] = '\\';
			buf[n++] = *v == '\n' ? 'n' : *v;
		}
		else {
			buf[n++] = *v;
		}
	}
	buf[n] = '\0';
	return buf;
}

int metrics_collector_add(metrics_collect_h *h)
{
	if (ncollectors == sizeof(collectors) / sizeof(collectors[0]))
		return ENOSPC;
	collectors[ncollectors++] = h;
	return 0;
}

static const char *const kind_name[] = {"counter", "gauge", "histogram"};

/* libre's printf has no %g: numbers are written by snprintf. Integral
 * values without a fraction, as Prometheus' own clients write counters;
 * others in the fewest digits that read back as the same double (0.1 as
 * "0.1", a start time in seconds since 1970 with its milliseconds, which
 * 9 digits lost). */
static const char *num(char *buf, size_t size, double v)
{
	if (v == (double)(long long)v && v < 1e15 && v > -1e15) {
		snprintf(buf, size, "%lld", (long long)v);
		return buf;
	}
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, size, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

static int render_histogram(struct mbuf *mb, const struct family *f,
			    const struct series *s)
{
	char b1[32], b2[32];
	int err = 0;

	for (size_t i = 0; i < NBUCKETS; i++)
		err |= mbuf_printf(mb, "%s_bucket{le=\"%s\"} %s\n", f->name,
				   num(b1, sizeof(b1), buckets[i]),
				   num(b2, sizeof(b2), (double)s->bucket[i]));
	err |= mbuf_printf(mb, "%s_bucket{le=\"+Inf\"} %s\n", f->name,
			   num(b1, sizeof(b1), (double)s->count));
	err |= mbuf_printf(mb, "%s_sum %s\n%s_count %s\n", f->name,
			   num(b1, sizeof(b1), s->value), f->name,
			   num(b2, sizeof(b2), (double)s->count));
	return err;
}

int metrics_render(struct mbuf *mb)
{
	char b[32];
	int err = 0;

	/* Gauges are what the collectors say now. */
	for (struct le *le = list_head(&families); le; le = le->next) {
		struct family *f = le->data;

		if (f->kind == GAUGE)
			list_flush(&f->series);
	}
	for (size_t i = 0; i < ncollectors; i++)
		collectors[i]();
	for (struct le *le = list_head(&families); le && !err; le = le->next) {
		const struct family *f = le->data;

		if (f->kind == GAUGE && list_isempty(&f->series))
			continue;
		err = mbuf_printf(mb, "# HELP %s %s\n# TYPE %s %s\n", f->name,
				  f->help, f->name, kind_name[f->kind]);
		for (struct le *l = list_head(&f->series); l && !err;
		     l = l->next) {
			const struct series *s = l->data;

			if (f->kind == HISTOGRAM)
				err = render_histogram(mb, f, s);
			else
				err = mbuf_printf(mb, "%s%s%s%s %s\n",
						  f->name, *s->labels ? "{" : "",
						  s->labels,
						  *s->labels ? "}" : "",
						  num(b, sizeof(b), s->value));
		}
	}
	return err;
}

void metrics_close(void)
{
	list_flush(&families);
	ncollectors = 0;
}
