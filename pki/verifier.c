/* pki/verifier.c: the verifier object: trust anchors from --trust files only, offline flag, validation time and the
 * revocation cache that one batch shares. Sealers open one too, to check their TSA's chain. */
#include "verifier.h"

#include "cert_cache.h"
#include "chain.h"
#include "chain_cache.h"
#include "rev_cache.h"
#include "core/error_internal.h"
#include "core/input_internal.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>

time_t es_verifier_time(const eseal_verifier *v)
{
	return v->at != 0 ? v->at : time(NULL);
}

/* --trust: missing is an I/O error as before; a FIFO or device is a bad argument (64), never waited on. */
static const es_input_role trust_role = {"cannot read trust anchors", ESEAL_E_IO, ESEAL_E_USAGE, ES_INPUT_MAX_PEM, 0};

static int load_anchors(eseal_verifier *v, const char *path, eseal_error *err)
{
	BIO *in = NULL;
	X509 *x = NULL;
	int n = 0, rc;

	if ((rc = es_input_bio(path, &trust_role, &in, err)) != ESEAL_OK)
		return rc;
	while ((x = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(v->store, x) != 1 || X509_STORE_add_cert(v->store_any_time, x) != 1 ||
		    !sk_X509_push(v->anchors, x)) {
			X509_free(x);
			BIO_free(in);
			return es_error_set_ossl(err, ESEAL_E_INTERNAL, "%s: cannot add trust anchor", path);
		}
		n++;
	}
	ERR_clear_error();
	BIO_free(in);
	if (n == 0)
		return es_error_set(err, ESEAL_E_USAGE, "%s: no PEM certificate found in trust file", path);
	return ESEAL_OK;
}

eseal_status eseal_verifier_open(eseal_verifier **out, const eseal_verifier_options *opts, eseal_error *err)
{
	eseal_verifier *v = NULL;
	size_t i;
	int rc = ESEAL_OK;

	eseal_error_clear(err);
	*out = NULL;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	v->store = X509_STORE_new();
	v->store_any_time = X509_STORE_new();
	v->anchors = sk_X509_new_null();
	if (v->store == NULL || v->store_any_time == NULL || v->anchors == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	/* Every certificate of a --trust file is an anchor, also an intermediate (as in a trusted list): the chain
	 * stops there, for signatures, time-stamps and OCSP responses alike. */
	X509_STORE_set_flags(v->store, X509_V_FLAG_PARTIAL_CHAIN);
	X509_STORE_set_flags(v->store_any_time, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
	if (opts != NULL) {
		for (i = 0; i < opts->n_trust_files; i++)
			if ((rc = load_anchors(v, opts->trust_files[i], err)) != ESEAL_OK)
				goto cleanup;
		/* The anchors are shared by every thread of a batch. */
		es_certs_settle(v->anchors);
		v->offline = opts->offline;
		v->at = opts->at;
		v->timeout_ms = opts->timeout_ms;
		v->visual_compare = opts->visual_compare;
	}
	/* Without memory for it the verifier still works, fetching for every file. */
	if (opts == NULL || !opts->no_revocation_cache)
		v->rev_cache = es_rev_cache_new();
	/* (bound to the store, whose anchors no longer change) */
	v->chain_cache = es_chain_cache_new(v->store);
	v->cert_cache = es_cert_cache_new();
	if (v->timeout_ms <= 0)
		v->timeout_ms = 5000;
	*out = v;
	v = NULL;
cleanup:
	eseal_verifier_free(v);
	return rc;
}

void es_verifier_share_rev_cache(eseal_verifier *dst, const eseal_verifier *src)
{
	if (dst->rev_cache == NULL || src->rev_cache == NULL || dst->rev_cache == src->rev_cache)
		return;
	es_rev_cache_free(dst->rev_cache);
	dst->rev_cache = es_rev_cache_ref(src->rev_cache);
}

void eseal_verifier_free(eseal_verifier *v)
{
	if (v == NULL)
		return;
	X509_STORE_free(v->store);
	X509_STORE_free(v->store_any_time);
	sk_X509_pop_free(v->anchors, X509_free);
	es_rev_cache_free(v->rev_cache);
	es_chain_cache_free(v->chain_cache);
	es_cert_cache_free(v->cert_cache);
	free(v);
}
