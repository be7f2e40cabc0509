/* pki/x509_text.c: X.509 names as one line of text (RFC 2253, UTF-8 kept).
 * One place for it, so the signer's messages and `token list` print a subject the same way. */
#include "x509_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

char *es_x509_name_dup(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL, *out = NULL;
	long n = -1;

	if (b != NULL && name != NULL && X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_get_mem_data(b, &p);
	if (n >= 0)
		out = strndup(p, (size_t)n);
	BIO_free(b);
	ERR_clear_error();
	return out;
}

char *es_x509_subject_attr(X509 *cert, int nid)
{
	X509_NAME *name = cert != NULL ? X509_get_subject_name(cert) : NULL;
	int idx = name != NULL ? X509_NAME_get_index_by_NID(name, nid, -1) : -1;
	unsigned char *utf8 = NULL;
	char *out = NULL;
	int n;

	if (idx < 0)
		return NULL;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
	if (n >= 0 && utf8 != NULL)
		out = strndup((const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	return out;
}
