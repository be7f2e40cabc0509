/* core/json_internal.h: the one JSON string writer of the library (batch lines, verification reports).
 * Output is always valid JSON in UTF-8, whatever bytes a file name holds; the exact bytes can be given beside it. */
#ifndef ES_JSON_INTERNAL_H
#define ES_JSON_INTERNAL_H

#include <stdio.h>
#include <time.h>

/* s as a JSON string literal (quotes included), or null for NULL. Valid UTF-8 is kept as is; each byte that is not
 * part of a valid UTF-8 sequence becomes U+FFFD; ", \ and the controls (and DEL) are escaped. */
void es_json_string(FILE *out, const char *s);

/* 1 if s (NUL-terminated) is valid UTF-8: no overlong form, no surrogate, nothing above U+10FFFF. */
int es_utf8_valid(const char *s);

/* s's bytes as a JSON string of lowercase hex: lossless for names es_json_string had to alter. */
void es_json_hex(FILE *out, const char *s);

/* t as a JSON string "YYYY-MM-DDTHH:MM:SSZ" (UTC), or null for 0 (no such time). */
void es_json_time(FILE *out, time_t t);

#endif
