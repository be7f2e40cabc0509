/* plugins/cups/jobname.c: output file names from job titles.
 * The title is whatever the printing application (or a remote client) chose, so it is treated as hostile: it must
 * never reach another directory, hide itself (leading dot), carry terminal escapes or exceed a file name's length. */
#include "cups_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid; control characters count as invalid. */
static size_t utf8_char(const unsigned char *s)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x20 || s[0] == 0x7f)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond Unicode and C1 controls are refused. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
		return 0;
	return len;
}

void es_cups_base_name(const char *title, const char *job_id, char *out)
{
	const unsigned char *s = (const unsigned char *)(title != NULL ? title : "");
	size_t used = 0, n;

	while (*s != '\0') {
		n = utf8_char(s);
		if (n == 0) { /* dropped, not replaced: "a\tb" reads better as "ab" than as "a_b" */
			s++;
			continue;
		}
		if (used == 0 && (*s == '.' || *s == ' ')) {
			s++;
			continue;
		}
		if (used + n > ES_CUPS_NAME_MAX)
			break;
		if (*s == '/' || *s == '\\')
			out[used] = '_';
		else
			memcpy(out + used, s, n);
		used += n;
		s += n;
	}
	out[used] = '\0';
	/* The extension is ours to add; "scan.pdf" must not become "scan.pdf.pdf". */
	if (used >= 4 && strcasecmp(out + used - 4, ".pdf") == 0)
		out[used -= 4] = '\0';
	while (used > 0 && (out[used - 1] == ' ' || out[used - 1] == '.'))
		out[--used] = '\0';
	if (used == 0) {
		snprintf(out, ES_CUPS_NAME_MAX + 1, "print-%.32s", job_id != NULL && *job_id != '\0' ? job_id : "job");
		/* The job id comes from argv too: keep only what is safe in a name. */
		for (n = 6; out[n] != '\0'; n++)
			if (!((out[n] >= '0' && out[n] <= '9') || (out[n] >= 'a' && out[n] <= 'z') ||
			      (out[n] >= 'A' && out[n] <= 'Z') || out[n] == '-'))
				out[n] = '_';
	}
}
