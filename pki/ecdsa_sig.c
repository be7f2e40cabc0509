/* pki/ecdsa_sig.c: converts ECDSA signature values between raw r||s and DER.
 * OpenSSL's ECDSA_SIG does the ASN.1; this only fixes the padding rules so both directions round-trip. */
#include "ecdsa_sig.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

int es_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, unsigned char **der, size_t *der_len)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *buf = NULL;
	int len, ok = 0;

	if (raw == NULL || der == NULL || der_len == NULL || raw_len == 0 || raw_len % 2 != 0 || raw_len > 2 * 66)
		return 0;
	r = BN_bin2bn(raw, (int)(raw_len / 2), NULL);
	s = BN_bin2bn(raw + raw_len / 2, (int)(raw_len / 2), NULL);
	sig = ECDSA_SIG_new();
	if (r == NULL || s == NULL || sig == NULL || !ECDSA_SIG_set0(sig, r, s))
		goto cleanup;
	r = s = NULL; /* owned by sig now */
	len = i2d_ECDSA_SIG(sig, &buf);
	if (len <= 0)
		goto cleanup;
	*der = buf;
	*der_len = (size_t)len;
	ok = 1;
cleanup:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return ok;
}

int es_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t field_len, unsigned char *raw)
{
	ECDSA_SIG *sig = NULL;
	const unsigned char *p = der;
	const BIGNUM *r = NULL, *s = NULL;
	int ok = 0;

	if (der == NULL || raw == NULL || field_len == 0 || der_len > 1024)
		return 0;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	/* Trailing bytes after the SEQUENCE would be a malleable encoding: refuse them. */
	if (sig == NULL || p != der + der_len)
		goto cleanup;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_num_bytes(r) > (int)field_len || BN_num_bytes(s) > (int)field_len)
		goto cleanup;
	if (BN_bn2binpad(r, raw, (int)field_len) < 0 || BN_bn2binpad(s, raw + field_len, (int)field_len) < 0)
		goto cleanup;
	ok = 1;
cleanup:
	ECDSA_SIG_free(sig);
	return ok;
}
