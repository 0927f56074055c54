/* uuid.c — random (version 4, RFC 4122) uuids from libre's random bytes.
 * Not a uuid library: no parsing, no other versions. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_sys.h>
#include "core/uuid.h"

int uuid_v4(char *buf, size_t size)
{
	uint8_t b[16];

	if (!buf || size < UUID_STR_LEN)
		return ENOMEM;
	rand_bytes(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;  /* RFC 4122 4.4: version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;  /* variant 10 */
	return re_snprintf(buf, size,
			   "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			   "%02x%02x%02x%02x%02x%02x",
			   b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
			   b[8], b[9], b[10], b[11], b[12], b[13], b[14],
			   b[15]) < 0 ? ENOMEM : 0;
}

int uuid_dup_or_new(char **dst, const char *id)
{
	char uuid[UUID_STR_LEN];

	if (!id || !*id) {
		int err = uuid_v4(uuid, sizeof(uuid));

		if (err)
			return err;
		id = uuid;
	}
	return str_dup(dst, id);
}

bool uuid_parse_text(const char *s, uint8_t *bin)
{
	size_t n = 0;

	if (!s || strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return false;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]) ||
		    !isxdigit((unsigned char)s[i + 1]))
			return false;
		if (bin)
			bin[n] = (uint8_t)(ch_hex(s[i]) << 4 | ch_hex(s[i + 1]));
		n++;
		i += 2;
	}
	return n == 16;
}
