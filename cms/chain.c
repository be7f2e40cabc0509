/* cms/chain.c: certificate path building against the verifier's trust anchors (the --trust bundles) and nothing
 * else: no system store, no AIA fetching. Certificates the file carries are only untrusted intermediates. */
#include "verify/verify_internal.h"

int es_chain_build(const eseal_verifier *v, X509 *cert, STACK_OF(X509) * untrusted, time_t t, int purpose,
		   STACK_OF(X509) * *chain)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;
	int rc = X509_V_ERR_UNSPECIFIED;

	*chain = NULL;
	if (ctx == NULL || X509_STORE_CTX_init(ctx, v->store, cert, untrusted) != 1)
		goto cleanup;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, t);
	if (purpose > 0)
		X509_STORE_CTX_set_purpose(ctx, purpose);
	if (X509_verify_cert(ctx) == 1) {
		*chain = X509_STORE_CTX_get1_chain(ctx);
		rc = *chain != NULL ? X509_V_OK : X509_V_ERR_UNSPECIFIED;
	} else {
		rc = X509_STORE_CTX_get_error(ctx);
		if (rc == X509_V_OK)
			rc = X509_V_ERR_UNSPECIFIED;
	}
cleanup:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}
