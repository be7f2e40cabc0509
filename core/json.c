/* core/json.c: JSON string literals for every JSON the library and its front ends print (see json_internal.h).
 * File names are bytes, not text: invalid UTF-8 is replaced so the line stays JSON, and es_json_hex keeps the bytes. */
#include "json_internal.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 if the bytes there are not one (RFC 3629 table). */
static size_t utf8_seq(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		/* E0: no overlong form (A0..BF); ED: no UTF-16 surrogate (80..9F). */
		unsigned char lo = p[0] == 0xe0 ? 0xa0 : 0x80, hi = p[0] == 0xed ? 0x9f : 0xbf;

		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		/* F0: no overlong form (90..BF); F4: nothing above U+10FFFF (80..8F). */
		unsigned char lo = p[0] == 0xf0 ? 0x90 : 0x80, hi = p[0] == 0xf4 ? 0x8f : 0xbf;

		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

int es_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p != '\0'; p += n)
		if ((n = utf8_seq(p)) == 0)
			return 0;
	return 1;
}

void es_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (s == NULL) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *p != '\0'; p += n) {
		n = utf8_seq(p);
		if (n == 0) {
			fputs("\\ufffd", out);
			n = 1;
		} else if (n > 1) {
			fwrite(p, 1, n, out);
		} else if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p);
		} else if (*p == '\n') {
			fputs("\\n", out);
		} else if (*p == '\r') {
			fputs("\\r", out);
		} else if (*p == '\t') {
			fputs("\\t", out);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p);
		} else {
			fputc(*p, out);
		}
	}
	fputc('"', out);
}

void es_json_hex(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	for (; *p != '\0'; p++)
		fprintf(out, "%02x", *p);
	fputc('"', out);
}

void es_json_time(FILE *out, time_t t)
{
	char buf[64];
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		fputs("null", out);
		return;
	}
	es_json_string(out, buf);
}
