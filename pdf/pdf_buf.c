/* pdf/pdf_buf.c: the growable buffer the update is assembled in, and PDF token formatting (text strings, reals).
 * Allocation failure is sticky (b->oom) so that builders can append freely and check once. */
#include "pdf_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(es_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom)
		return 0;
	if (b->cap - b->len > need)
		return 1;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < need + 1) {
		if (cap > ((size_t)-1) / 2) {
			b->oom = 1;
			return 0;
		}
		cap *= 2;
	}
	p = realloc(b->data, cap);
	if (p == NULL) {
		b->oom = 1;
		return 0;
	}
	b->data = p;
	b->cap = cap;
	return 1;
}

void es_buf_append(es_buf *b, const void *data, size_t len)
{
	if (!grow(b, len))
		return;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void es_buf_fill(es_buf *b, char ch, size_t n)
{
	if (!grow(b, n))
		return;
	memset(b->data + b->len, ch, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void es_buf_puts(es_buf *b, const char *s)
{
	es_buf_append(b, s, strlen(s));
}

void es_buf_printf(es_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n)) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Decodes one UTF-8 sequence; invalid bytes become U+FFFD so a bad profile value cannot break the file. */
static unsigned long utf8_next(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	unsigned long c = p[0];
	int n = 0, i;

	if (c < 0x80) {
		*pp = p + 1;
		return c;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 1;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3;
		c &= 0x07;
	} else {
		*pp = p + 1;
		return 0xfffd;
	}
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*pp = p + i;
			return 0xfffd;
		}
		c = (c << 6) | (p[i] & 0x3f);
	}
	*pp = p + n + 1;
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0xfffd;
	return c;
}

void es_pdf_text_string(es_buf *b, const es_pdf_crypt *c, const char *utf8)
{
	const unsigned char *p = (const unsigned char *)utf8;
	es_buf raw = {0};
	int ascii = 1;
	unsigned long ch;
	unsigned char u[4];

	for (; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			ascii = 0;
	p = (const unsigned char *)utf8;
	if (ascii && (c == NULL || !c->active || !c->strings)) {
		es_buf_puts(b, "(");
		for (; *p; p++) {
			if (*p == '(' || *p == ')' || *p == '\\')
				es_buf_puts(b, "\\");
			es_buf_append(b, p, 1);
		}
		es_buf_puts(b, ")");
		return;
	}
	if (ascii) {
		es_buf_append(&raw, utf8, strlen(utf8));
	} else {
		/* PDF text strings outside PDFDocEncoding: UTF-16BE with a byte order mark. */
		es_buf_append(&raw, "\xfe\xff", 2);
		while (*p) {
			ch = utf8_next(&p);
			if (ch >= 0x10000) {
				ch -= 0x10000;
				u[0] = (unsigned char)((0xd800 + (ch >> 10)) >> 8);
				u[1] = (unsigned char)((0xd800 + (ch >> 10)) & 0xff);
				u[2] = (unsigned char)((0xdc00 + (ch & 0x3ff)) >> 8);
				u[3] = (unsigned char)((0xdc00 + (ch & 0x3ff)) & 0xff);
				es_buf_append(&raw, u, 4);
			} else {
				u[0] = (unsigned char)(ch >> 8);
				u[1] = (unsigned char)(ch & 0xff);
				es_buf_append(&raw, u, 2);
			}
		}
	}
	if (raw.oom)
		b->oom = 1;
	else
		es_pdf_string(b, c, raw.data, raw.len);
	es_buf_free(&raw);
}

void es_buf_real(es_buf *b, double v)
{
	char tmp[64];
	size_t n;

	if (!isfinite(v))
		v = 0;
	if (fabs(v) < 0.00005)
		v = 0;
	snprintf(tmp, sizeof(tmp), "%.4f", v);
	n = strlen(tmp);
	while (n > 0 && tmp[n - 1] == '0')
		tmp[--n] = '\0';
	if (n > 0 && tmp[n - 1] == '.')
		tmp[--n] = '\0';
	if (strcmp(tmp, "-0") == 0)
		strcpy(tmp, "0");
	es_buf_puts(b, tmp);
}

void es_buf_free(es_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}
