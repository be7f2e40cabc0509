/* pki/chain.c: certificate path building against the verifier's trust anchors (the --trust bundles) and nothing
 * else: no system store, no AIA fetching. Certificates the file carries are only untrusted intermediates. */
#include "chain.h"

#include "chain_cache.h"
#include "verifier.h"
#include "core/error_internal.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* A configured anchor ends the chain wherever it sits: trusted by configuration, nothing above it (its issuer, its
 * revocation) is asked about. That is how a trusted list's TSA unit is trusted, and what lets an archive verify the
 * newest time-stamp offline years later. OpenSSL goes on to a self-signed root when the file carries the issuer. */
static void cut_at_anchor(const eseal_verifier *v, STACK_OF(X509) * chain)
{
	int i, j;

	for (i = 0; i + 1 < sk_X509_num(chain); i++)
		for (j = 0; j < sk_X509_num(v->anchors); j++)
			if (X509_cmp(sk_X509_value(chain, i), sk_X509_value(v->anchors, j)) == 0) {
				while (sk_X509_num(chain) > i + 1)
					X509_free(sk_X509_pop(chain));
				return;
			}
}

int es_chain_build(const eseal_verifier *v, X509 *cert, STACK_OF(X509) * untrusted, time_t t, int purpose,
		   STACK_OF(X509) * *chain)
{
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	unsigned char key[32];
	int rc = X509_V_ERR_UNSPECIFIED, keyed;

	*chain = NULL;
	keyed = es_chain_cache_key(v->chain_cache, v->store, cert, untrusted, t, purpose, key) == 0;
	if (keyed && es_chain_cache_get(v->chain_cache, key, cert, untrusted, v->anchors, &rc, chain))
		return rc;
	if ((ctx = X509_STORE_CTX_new()) == NULL || X509_STORE_CTX_init(ctx, v->store, cert, untrusted) != 1)
		goto cleanup;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, t);
	if (purpose > 0)
		X509_STORE_CTX_set_purpose(ctx, purpose);
	if (X509_verify_cert(ctx) == 1) {
		*chain = X509_STORE_CTX_get1_chain(ctx);
		rc = *chain != NULL ? X509_V_OK : X509_V_ERR_UNSPECIFIED;
		if (*chain != NULL)
			cut_at_anchor(v, *chain);
	} else {
		rc = X509_STORE_CTX_get_error(ctx);
		if (rc == X509_V_OK)
			rc = X509_V_ERR_UNSPECIFIED;
	}
	/* (an outcome that ran out of memory says nothing of the next file) */
	if (keyed && (rc != X509_V_ERR_UNSPECIFIED && rc != X509_V_ERR_OUT_OF_MEM))
		es_chain_cache_put(v->chain_cache, key, cert, untrusted, v->anchors, rc, *chain);
cleanup:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

void es_cert_settle(X509 *cert)
{
	X509_check_purpose(cert, -1, 0);
}

void es_certs_settle(STACK_OF(X509) * certs)
{
	int i;

	for (i = 0; i < sk_X509_num(certs); i++)
		es_cert_settle(sk_X509_value(certs, i));
}
