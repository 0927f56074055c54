/* tones.c — call progress tones from Asterisk indication strings
 * ("440+480/2000,0/4000") and the named tones of a country zone (ring, busy,
 * congestion, dial, info, ... as in indications.conf), rendered at 8 kHz.
 * Syntax, per comma-separated part: [!][M]f1[+f2|*f2][/ms]. '!' plays a part
 * once; the program repeats from the first part without '!' (no such part:
 * it plays once). No duration: forever. '*' modulates f1 by f2; 'M' gives
 * MIDI note numbers instead of Hz. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <re_types.h>
#include <re_mem.h>
#include "media/playback_int.h"

#define TONE_MAX_PARTS 32
#define TONE_VOLUME 7219   /* per frequency, Asterisk's default level */
#define SINE_BITS 10
#define SINE_SIZE (1u << SINE_BITS)

struct tone_part {
	unsigned f1, f2, ms;
	bool mod, once;
};

struct media_tone_prog {
	struct tone_part part[TONE_MAX_PARTS];
	size_t n;
	int reppos;  /* first repeating part, -1: none */
};

struct media_tone_state {
	struct media_tone_prog *prog;  /* referenced */
	size_t idx;              /* current part */
	uint32_t pos;            /* samples into it */
	uint32_t ph1, ph2;       /* phase accumulators, 32-bit turn */
	bool ended;
};

struct zone_tone {
	const char *name, *tone;
};

/* United States, from Asterisk's indications.conf sample [us]. */
static const struct zone_tone us_tones[] = {
	{ "dial", "350+440" },
	{ "busy", "480+620/500,0/500" },
	{ "ring", "440+480/2000,0/4000" },
	{ "congestion", "480+620/250,0/250" },
	{ "callwaiting", "440/300,0/10000" },
	{ "dialrecall", "!350+440/100,!0/100,!350+440/100,!0/100,"
			"!350+440/100,!0/100,350+440" },
	{ "record", "1400/500,0/15000" },
	{ "info", "!950/330,!1400/330,!1800/330,0" },
	{ "stutter", "!350+440/100,!0/100,!350+440/100,!0/100,"
		     "!350+440/100,!0/100,!350+440/100,!0/100,"
		     "!350+440/100,!0/100,!350+440/100,!0/100,350+440" },
	{ NULL, NULL }
};

static int16_t sine[SINE_SIZE];
static bool sine_ready;

static void sine_init(void)
{
	if (sine_ready)
		return;
	for (unsigned i = 0; i < SINE_SIZE; i++)
		sine[i] = (int16_t)lrint(32767.0 *
					 sin(2.0 * M_PI * i / SINE_SIZE));
	sine_ready = true;
}

const char *media_tone_lookup(const char *name, const char *zone)
{
	(void)zone;  /* one zone for now: us */
	for (const struct zone_tone *t = us_tones; name && t->name; t++) {
		if (!strcasecmp(t->name, name))
			return t->tone;
	}
	return NULL;
}

static unsigned midi_hz(unsigned note)
{
	return (unsigned)lrint(440.0 * pow(2.0, ((double)note - 69.0) / 12.0));
}

static int parse_num(const char **sp, unsigned *v)
{
	char *end;
	unsigned long x;

	if (!isdigit((unsigned char)**sp))
		return EINVAL;
	x = strtoul(*sp, &end, 10);
	if (x > 100000)
		return EINVAL;
	*v = (unsigned)x;
	*sp = end;
	return 0;
}

static int parse_part(struct tone_part *p, const char *s, const char *end)
{
	bool midi = false;

	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (s < end && *s == '!') {
		p->once = true;
		s++;
	}
	if (s < end && (*s == 'M' || *s == 'm')) {
		midi = true;
		s++;
	}
	if (parse_num(&s, &p->f1))
		return EINVAL;
	if (s < end && (*s == '+' || *s == '*')) {
		p->mod = *s == '*';
		s++;
		if (parse_num(&s, &p->f2))
			return EINVAL;
	}
	if (s < end && *s == '/') {
		s++;
		if (parse_num(&s, &p->ms))
			return EINVAL;
	}
	if (s != end)
		return EINVAL;
	if (midi) {
		p->f1 = p->f1 ? midi_hz(p->f1) : 0;
		p->f2 = p->f2 ? midi_hz(p->f2) : 0;
	}
	if (p->f1 >= 4000 || p->f2 >= 4000)
		return EINVAL;  /* above Nyquist at 8 kHz */
	return 0;
}

int media_tone_prog_parse(struct media_tone_prog **progp, const char *s)
{
	struct media_tone_prog *prog;

	if (!progp || !s || !*s)
		return EINVAL;
	prog = mem_zalloc(sizeof(*prog), NULL);
	if (!prog)
		return ENOMEM;
	prog->reppos = -1;
	while (*s) {
		const char *comma = strchr(s, ',');
		const char *end = comma ? comma : s + strlen(s);
		struct tone_part *p;

		if (prog->n == TONE_MAX_PARTS)
			goto bad;
		p = &prog->part[prog->n];
		if (parse_part(p, s, end))
			goto bad;
		if (!p->once && prog->reppos < 0)
			prog->reppos = (int)prog->n;
		prog->n++;
		s = comma ? comma + 1 : end;
	}
	if (!prog->n)
		goto bad;
	*progp = prog;
	return 0;
 bad:
	mem_deref(prog);
	return EINVAL;
}

size_t media_tone_prog_count(const struct media_tone_prog *prog)
{
	return prog ? prog->n : 0;
}

void media_tone_prog_part(const struct media_tone_prog *prog, size_t i,
			  unsigned *f1, unsigned *f2, unsigned *ms, bool *mod,
			  bool *once)
{
	const struct tone_part *p = &prog->part[i];

	*f1 = p->f1;
	*f2 = p->f2;
	*ms = p->ms;
	*mod = p->mod;
	*once = p->once;
}

static void state_destructor(void *arg)
{
	struct media_tone_state *ts = arg;

	mem_deref(ts->prog);
}

int media_tone_state_alloc(struct media_tone_state **tsp,
			   struct media_tone_prog *prog)
{
	struct media_tone_state *ts;

	if (!tsp || !prog)
		return EINVAL;
	ts = mem_zalloc(sizeof(*ts), state_destructor);
	if (!ts)
		return ENOMEM;
	sine_init();
	ts->prog = mem_ref(prog);
	*tsp = ts;
	return 0;
}

void media_tone_rewind(struct media_tone_state *ts)
{
	ts->idx = 0;
	ts->pos = 0;
	ts->ph1 = ts->ph2 = 0;
	ts->ended = false;
}

static uint32_t step(unsigned hz)
{
	return (uint32_t)((uint64_t)hz * 4294967296ull / MEDIA_SRATE);
}

static int16_t sample(struct media_tone_state *ts, const struct tone_part *p)
{
	int32_t a = 0, b = 0;

	if (p->f1)
		a = sine[ts->ph1 >> (32 - SINE_BITS)] * TONE_VOLUME / 32767;
	if (p->f2)
		b = sine[ts->ph2 >> (32 - SINE_BITS)] * TONE_VOLUME / 32767;
	ts->ph1 += step(p->f1);
	ts->ph2 += step(p->f2);
	if (p->mod)  /* amplitude modulation of f1 by f2, 90% depth */
		return (int16_t)lrint(a * (1.0 + 0.9 * b / TONE_VOLUME) / 1.9);
	return (int16_t)(a + b);
}

/* Next part at the end of one; false when the program is over. */
static bool advance(struct media_tone_state *ts)
{
	ts->pos = 0;
	if (++ts->idx < ts->prog->n)
		return true;
	if (ts->prog->reppos < 0) {
		ts->ended = true;
		return false;
	}
	ts->idx = (size_t)ts->prog->reppos;
	return true;
}

size_t media_tone_read(struct media_tone_state *ts, int16_t *pcm, size_t n)
{
	size_t i = 0;

	while (i < n && !ts->ended) {
		const struct tone_part *p = &ts->prog->part[ts->idx];
		uint32_t len = p->ms * (MEDIA_SRATE / 1000);

		if (p->ms && ts->pos >= len) {
			if (!advance(ts))
				break;
			continue;
		}
		pcm[i++] = sample(ts, p);
		ts->pos++;
	}
	return i;
}
