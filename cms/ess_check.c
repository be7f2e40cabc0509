/* cms/ess_check.c: the signing-certificate(-v2) attribute matched entry by entry: the first ESSCertID(v2) must name
 * the signer, later ones may name chain certificates (or the signer again), and none may contradict itself. */
#include "ess_check.h"

#include "pki/cms_der.h"

#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parts of one ESSCertID(v2) (RFC 5035 5.4): hashAlgorithm (v2 only, DEFAULT sha256), certHash, issuerSerial. */
typedef struct cert_id {
	es_der whole;
	const EVP_MD *md;
	es_der hash;
	int has_issuer_serial;
} cert_id;

static int parse_cert_id(es_der whole, int v2, cert_id *id)
{
	const unsigned char *p, *end;
	unsigned char tag;
	es_der tlv, content, body;

	memset(id, 0, sizeof(*id));
	id->whole = whole;
	p = whole.p;
	if (es_der_read(&p, whole.p + whole.len, &tlv, &tag, &body) != 0 || tag != 0x30)
		return -1;
	p = body.p;
	end = body.p + body.len;
	id->md = v2 ? EVP_sha256() : EVP_sha1();
	if (es_der_read(&p, end, &tlv, &tag, &content) != 0)
		return -1;
	if (v2 && tag == 0x30) {
		const unsigned char *a = tlv.p;
		X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &a, (long)tlv.len);

		id->md = alg != NULL ? EVP_get_digestbyobj(alg->algorithm) : NULL;
		X509_ALGOR_free(alg);
		if (id->md == NULL || es_der_read(&p, end, &tlv, &tag, &content) != 0)
			return -1;
	}
	if (tag != 0x04)
		return -1;
	id->hash = content;
	if (p < end) {
		if (es_der_read(&p, end, &tlv, &tag, &content) != 0 || tag != 0x30)
			return -1;
		id->has_issuer_serial = 1;
	}
	return p == end ? 0 : -1;
}

static int hash_names(const cert_id *id, X509 *cert)
{
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	return X509_digest(cert, id->md, dg, &n) == 1 && n == id->hash.len && memcmp(dg, id->hash.p, n) == 0;
}

/* OpenSSL compares an issuerSerial with a certificate; it is handed this one entry alone and cert alone, so its
 * order rule (entry 0 = chain[0]) holds by construction and its answer is about the issuerSerial (the hash already
 * matched). */
static int issuer_serial_matches(const cert_id *id, int v2, X509 *cert)
{
	size_t inner = es_der_hdr_len(id->whole.len) + id->whole.len, total = es_der_hdr_len(inner) + inner;
	unsigned char *buf = NULL, *o;
	const unsigned char *p;
	STACK_OF(X509) *one = NULL;
	ESS_SIGNING_CERT_V2 *s2 = NULL;
	ESS_SIGNING_CERT *s1 = NULL;
	int ok = 0;

	if (!id->has_issuer_serial)
		return 1;
	if ((one = sk_X509_new_null()) == NULL || !sk_X509_push(one, cert) || (buf = malloc(total)) == NULL)
		goto cleanup;
	o = es_der_put_hdr(buf, 0x30, inner);
	o = es_der_put_hdr(o, 0x30, id->whole.len);
	memcpy(o, id->whole.p, id->whole.len);
	p = buf;
	if (v2)
		s2 = d2i_ESS_SIGNING_CERT_V2(NULL, &p, (long)total);
	else
		s1 = d2i_ESS_SIGNING_CERT(NULL, &p, (long)total);
	if (s1 == NULL && s2 == NULL)
		goto cleanup;
	ok = OSSL_ESS_check_signing_certs(s1, s2, one, 1) == 1;
cleanup:
	ESS_SIGNING_CERT_V2_free(s2);
	ESS_SIGNING_CERT_free(s1);
	sk_X509_free(one);
	free(buf);
	ERR_clear_error();
	return ok;
}

es_ess_result es_ess_check(const unsigned char *der, size_t len, int v2, X509 *signer, STACK_OF(X509) * certs,
			   int *unknown, char *why, size_t why_len)
{
	const char *name = v2 ? "signing-certificate-v2" : "signing-certificate";
	const unsigned char *p = der, *end;
	unsigned char tag;
	es_der tlv, body, ids;
	cert_id id;
	size_t n;
	int i, found;

	*unknown = 0;
	if (es_der_read(&p, der + len, &tlv, &tag, &body) != 0 || tag != 0x30)
		goto malformed;
	p = body.p;
	if (es_der_read(&p, body.p + body.len, &tlv, &tag, &ids) != 0 || tag != 0x30 || ids.len == 0)
		goto malformed;
	p = ids.p;
	end = ids.p + ids.len;
	for (n = 0; p < end; n++) {
		if (es_der_read(&p, end, &tlv, &tag, NULL) != 0 || parse_cert_id(tlv, v2, &id) != 0)
			goto malformed;
		if (n == 0) {
			/* The first entry is the one that binds the signature to its certificate. */
			if (!hash_names(&id, signer)) {
				snprintf(why, why_len, "the first entry of the %s attribute names another certificate",
					 name);
				return ES_ESS_NOT_SIGNER;
			}
			if (!issuer_serial_matches(&id, v2, signer)) {
				snprintf(
					why, why_len,
					"the %s attribute names the signing certificate with another issuer and serial "
					"number",
					name);
				return ES_ESS_CONTRADICTS;
			}
			continue;
		}
		found = hash_names(&id, signer) ? 1 : 0;
		if (found && !issuer_serial_matches(&id, v2, signer))
			found = -1;
		for (i = 0; found == 0 && i < sk_X509_num(certs); i++)
			if (hash_names(&id, sk_X509_value(certs, i)))
				found = issuer_serial_matches(&id, v2, sk_X509_value(certs, i)) ? 1 : -1;
		if (found < 0) {
			snprintf(why, why_len,
				 "entry %zu of the %s attribute names a certificate with another issuer "
				 "and serial number than its own",
				 n + 1, name);
			return ES_ESS_CONTRADICTS;
		}
		if (found == 0)
			(*unknown)++;
	}
	return ES_ESS_OK;
malformed:
	snprintf(why, why_len, "malformed %s attribute", name);
	return ES_ESS_MALFORMED;
}
