/* pki/crypto_suite.c: the one table of algorithms no longer acceptable for seals and time-stamps, shared by the
 * verifier's strength check and the renewal date of a time-stamp (renew_by). */
#include "crypto_suite.h"

#include "core/error_internal.h"

#include <openssl/objects.h>

/* Only algorithms retired long ago are listed (MD2, MD4, MD5, SHA-1 for signatures and time-stamps; RSA moduli under
 * 2048 bits), which ETSI TS 119 312 (Cryptographic Suites) no longer lists as acceptable. Its end dates for what is
 * still acceptable (SHA-256, RSA 2048, ECDSA P-256; given per version of that document since V1.4) were not available
 * to check when this table was written and are not recorded: a time-stamp made with them stays good until its TSA's
 * chain expires or is revoked. Add a row with its end date, citing the version, when one is adopted. */
static const int retired_digests[] = {NID_md2, NID_md4, NID_md5, NID_sha1};
#define ES_RSA_MIN_BITS 2048

int es_crypto_retired(const EVP_MD *md, EVP_PKEY *pk, char *why, size_t why_len)
{
	int nid = md != NULL ? EVP_MD_get_type(md) : NID_undef;
	size_t i;

	for (i = 0; md != NULL && i < sizeof(retired_digests) / sizeof(retired_digests[0]); i++)
		if (nid == retired_digests[i]) {
			snprintf(why, why_len, "digest algorithm %s is no longer acceptable", OBJ_nid2sn(nid));
			return 1;
		}
	if (pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA && EVP_PKEY_get_bits(pk) < ES_RSA_MIN_BITS) {
		snprintf(why, why_len, "RSA key of %d bits is too short", EVP_PKEY_get_bits(pk));
		return 1;
	}
	return 0;
}
