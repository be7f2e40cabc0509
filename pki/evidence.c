/* pki/evidence.c: the validation data a file carries (certificates, CRLs, OCSP responses), collected by the format
 * verifiers without duplicates and read by the chain, revocation and time-stamp checks. */
#include "evidence.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

es_evidence *es_evidence_new(void)
{
	es_evidence *ev = calloc(1, sizeof(*ev));

	if (ev == NULL)
		return NULL;
	ev->certs = sk_X509_new_null();
	ev->crls = sk_X509_CRL_new_null();
	ev->ocsps = sk_OCSP_RESPONSE_new_null();
	if (ev->certs == NULL || ev->crls == NULL || ev->ocsps == NULL) {
		es_evidence_free(ev);
		return NULL;
	}
	return ev;
}

void es_evidence_free(es_evidence *ev)
{
	if (ev == NULL)
		return;
	sk_X509_pop_free(ev->certs, X509_free);
	sk_X509_CRL_pop_free(ev->crls, X509_CRL_free);
	sk_OCSP_RESPONSE_pop_free(ev->ocsps, OCSP_RESPONSE_free);
	free(ev);
}

void es_evidence_add_cert_der(es_evidence *ev, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);

	if (x != NULL && !sk_X509_push(ev->certs, x))
		X509_free(x);
	ERR_clear_error();
}

void es_evidence_add_crl_der(es_evidence *ev, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509_CRL *x = d2i_X509_CRL(NULL, &p, (long)len);

	if (x != NULL && !sk_X509_CRL_push(ev->crls, x))
		X509_CRL_free(x);
	ERR_clear_error();
}

void es_evidence_add_ocsp_der(es_evidence *ev, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *x = d2i_OCSP_RESPONSE(NULL, &p, (long)len);

	if (x != NULL && !sk_OCSP_RESPONSE_push(ev->ocsps, x))
		OCSP_RESPONSE_free(x);
	ERR_clear_error();
}

/* The same item twice is one item: validation data collected for several seals of a file shares its CA's. */
static int same_der(const unsigned char *a, int alen, const unsigned char *b, int blen)
{
	return alen > 0 && alen == blen && memcmp(a, b, (size_t)alen) == 0;
}

int es_evidence_add_cert(es_evidence *ev, X509 *x)
{
	int i;

	for (i = 0; i < sk_X509_num(ev->certs); i++)
		if (X509_cmp(sk_X509_value(ev->certs, i), x) == 0)
			return 0;
	if (!X509_up_ref(x))
		return -1;
	if (!sk_X509_push(ev->certs, x)) {
		X509_free(x);
		return -1;
	}
	return 0;
}

int es_evidence_add_crl(es_evidence *ev, X509_CRL *x)
{
	unsigned char *a = NULL, *b = NULL;
	int i, alen, blen, dup = 0;

	alen = i2d_X509_CRL(x, &a);
	for (i = 0; alen > 0 && !dup && i < sk_X509_CRL_num(ev->crls); i++) {
		blen = i2d_X509_CRL(sk_X509_CRL_value(ev->crls, i), &b);
		dup = same_der(a, alen, b, blen);
		OPENSSL_free(b);
		b = NULL;
	}
	OPENSSL_free(a);
	if (alen <= 0 || !X509_CRL_up_ref(x))
		return -1;
	if (dup || !sk_X509_CRL_push(ev->crls, x)) {
		X509_CRL_free(x);
		return dup ? 0 : -1;
	}
	return 0;
}

int es_evidence_add_ocsp(es_evidence *ev, OCSP_RESPONSE *x)
{
	unsigned char *a = NULL, *b = NULL;
	OCSP_RESPONSE *copy;
	int i, alen, blen, dup = 0;

	alen = i2d_OCSP_RESPONSE(x, &a);
	for (i = 0; alen > 0 && !dup && i < sk_OCSP_RESPONSE_num(ev->ocsps); i++) {
		blen = i2d_OCSP_RESPONSE(sk_OCSP_RESPONSE_value(ev->ocsps, i), &b);
		dup = same_der(a, alen, b, blen);
		OPENSSL_free(b);
		b = NULL;
	}
	OPENSSL_free(a);
	if (alen <= 0)
		return -1;
	if (dup)
		return 0;
	/* OCSP_RESPONSE has no reference count. */
	if ((copy = ASN1_item_dup(ASN1_ITEM_rptr(OCSP_RESPONSE), x)) == NULL)
		return -1;
	if (!sk_OCSP_RESPONSE_push(ev->ocsps, copy)) {
		OCSP_RESPONSE_free(copy);
		return -1;
	}
	return 0;
}
