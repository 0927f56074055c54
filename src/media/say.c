/* say.c — what the say: family of media URIs speaks, as lists of prompt
 * files joined with '&' (the player resolves each in the playback's
 * language): digits: one file per digit, characters: spelled letters and
 * symbols, number: English cardinal numbers made of digits/ files
 * ("digits/2&digits/hundred&digits/40&digits/2" for 242), as Asterisk's
 * say.c does for en. Other languages' grammars are not done. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "media/playback_int.h"

/* Append one file name; ENOSPC when out does not hold it. */
static int add(char *out, size_t size, const char *fmt, long v,
	       const char *s)
{
	size_t len = strlen(out);
	char name[64];

	if (s)
		snprintf(name, sizeof(name), fmt, s);
	else
		snprintf(name, sizeof(name), fmt, v);
	if (len + (len ? 1 : 0) + strlen(name) + 1 > size)
		return ENOSPC;
	snprintf(out + len, size - len, "%s%s", len ? "&" : "", name);
	return 0;
}

static int digit_file(char *out, size_t size, char c)
{
	switch (c) {
	case '*': return add(out, size, "digits/star", 0, NULL);
	case '#': return add(out, size, "digits/pound", 0, NULL);
	case '-': return add(out, size, "digits/minus", 0, NULL);
	default:
		if (c >= '0' && c <= '9')
			return add(out, size, "digits/%ld", c - '0', NULL);
		return 0;  /* Asterisk skips what it cannot say */
	}
}

int media_say_digits(char *out, size_t size, const char *str)
{
	int err = 0;

	if (!out || !size || !str)
		return EINVAL;
	*out = '\0';
	for (; *str && !err; str++)
		err = digit_file(out, size, *str);
	return err;
}

static int number_part(char *out, size_t size, long num)
{
	static const struct { long unit; const char *word; } big[] = {
		{ 1000000000L, "digits/billion" },
		{ 1000000L, "digits/million" },
		{ 1000L, "digits/thousand" },
	};
	int err = 0;

	while (num && !err) {
		if (num < 20) {
			err = add(out, size, "digits/%ld", num, NULL);
			num = 0;
		}
		else if (num < 100) {
			err = add(out, size, "digits/%ld", num / 10 * 10, NULL);
			num %= 10;
		}
		else if (num < 1000) {
			err = add(out, size, "digits/%ld", num / 100, NULL);
			err |= add(out, size, "digits/hundred", 0, NULL);
			num %= 100;
		}
		else {
			size_t i = 0;

			while (num < big[i].unit)
				i++;
			err = number_part(out, size, num / big[i].unit);
			err |= add(out, size, "%s", 0, big[i].word);
			num %= big[i].unit;
		}
	}
	return err;
}

int media_say_number(char *out, size_t size, long num)
{
	int err = 0;

	if (!out || !size)
		return EINVAL;
	*out = '\0';
	/* billions of billions have no words in the prompt set */
	if (num <= -1000000000000L || num >= 1000000000000L)
		return ERANGE;
	if (num < 0) {
		err = add(out, size, "digits/minus", 0, NULL);
		num = -num;
	}
	if (num == 0)
		return add(out, size, "digits/0", 0, NULL);
	return err ? err : number_part(out, size, num);
}

static const char *symbol_file(char c)
{
	switch (c) {
	case '*': return "digits/star";
	case '#': return "digits/pound";
	case '!': return "letters/exclaimation-point";  /* sic, the file */
	case '@': return "letters/at";
	case '$': return "letters/dollar";
	case '-': return "letters/dash";
	case '.': return "letters/dot";
	case '=': return "letters/equals";
	case '+': return "letters/plus";
	case '/': return "letters/slash";
	case ' ': return "letters/space";
	default: return NULL;
	}
}

int media_say_characters(char *out, size_t size, const char *str)
{
	int err = 0;

	if (!out || !size || !str)
		return EINVAL;
	*out = '\0';
	for (; *str && !err; str++) {
		char c = *str;
		const char *sym = symbol_file(c);

		if (sym)
			err = add(out, size, "%s", 0, sym);
		else if (c >= '0' && c <= '9')
			err = add(out, size, "digits/%ld", c - '0', NULL);
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			char l[2] = { (char)(c | 0x20), 0 };

			err = add(out, size, "letters/%s", 0, l);
		}
	}
	return err;
}
