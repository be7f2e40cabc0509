/* cms/x509_text.c: X.509 names as one line of text (RFC 2253, UTF-8 kept).
 * One place for it, so the signer's messages and `token list` print a subject the same way. */
#include "x509_text.h"

#include <stdio.h>

#include <openssl/bio.h>
#include <openssl/err.h>

char *es_x509_name_line(const X509_NAME *name, char *out, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n = -1;

	if (size == 0)
		return out;
	snprintf(out, size, "(unreadable name)");
	if (b != NULL && name != NULL && X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_get_mem_data(b, &p);
	if (n >= 0)
		snprintf(out, size, "%.*s", (int)n, p);
	BIO_free(b);
	ERR_clear_error();
	return out;
}
