/* timestamp/tsa_revocation.c: before a sealer uses a time-stamp token, the revocation status of the TSA certificate
 * that signed it and of its CA certificates below the trust anchor, through the verifier's OCSP/CRL code and cache.
 *
 * A batch meets the same TSA certificate in every token, so the verdict is kept per certificate (by its SHA-256):
 * "good" until the first answer it rests on stops being current, "revoked" and "uncheckable" for the client's life.
 * One mutex is held across a check, network included: the threads of a batch that start together wait for the first
 * one's answer instead of all asking the responder at once. An "unknown" verdict is not kept (the verifier's cache
 * already remembers a responder that did not answer, for a minute). */
#include "tsa_revocation.h"

#include "tsa_internal.h"
#include "pki/chain.h"
#include "pki/chain_revocation.h"
#include "pki/verifier.h"

#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Distinct TSA certificates one client meets: a few URLs, a certificate renewal. Beyond that the oldest goes. */
#define ES_TSA_REV_MEMO 16

typedef struct {
	unsigned char fp[32]; /* SHA-256 of the certificate's DER */
	int used;
	es_chain_status status;
	time_t until; /* 0 = for the client's life */
	time_t stored;
	char why[ES_TSA_REASON_MAX];
} memo_entry;

struct es_tsa_rev {
	eseal_verifier *v; /* the TSA trust anchors, online, with its revocation cache */
	pthread_mutex_t lock;
	memo_entry memo[ES_TSA_REV_MEMO];
};

int es_tsa_rev_new(es_tsa_rev **out, const char *ca_file, long timeout_ms, eseal_error *err)
{
	es_tsa_rev *r = NULL;
	eseal_verifier_options vo;
	eseal_error e;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	memset(&vo, 0, sizeof(vo));
	vo.trust_files = &ca_file;
	vo.n_trust_files = 1;
	vo.timeout_ms = timeout_ms;
	eseal_error_clear(&e);
	if (eseal_verifier_open(&r->v, &vo, &e) != ESEAL_OK) {
		free(r);
		/* A TSA trust file the verifier cannot use is the profile's tsa-ca: a configuration error. */
		return es_error_set(err, e.status == ESEAL_E_INTERNAL ? ESEAL_E_INTERNAL : ESEAL_E_CONFIG, "%s",
				    e.message);
	}
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		eseal_verifier_free(r->v);
		free(r);
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot create a mutex");
	}
	*out = r;
	return ESEAL_OK;
}

void es_tsa_rev_share_cache(es_tsa_rev *r, const eseal_verifier *v)
{
	es_verifier_share_rev_cache(r->v, v);
}

void es_tsa_rev_free(es_tsa_rev *r)
{
	if (r == NULL)
		return;
	eseal_verifier_free(r->v);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* The remembered verdict for fp, if still valid at now (called with the lock held). */
static memo_entry *memo_find(es_tsa_rev *r, const unsigned char fp[32], time_t now)
{
	size_t i;

	for (i = 0; i < ES_TSA_REV_MEMO; i++) {
		memo_entry *e = &r->memo[i];

		if (!e->used || memcmp(e->fp, fp, 32) != 0)
			continue;
		if (e->until == 0 || now < e->until)
			return e;
		e->used = 0;
		return NULL;
	}
	return NULL;
}

static void memo_put(es_tsa_rev *r, const unsigned char fp[32], es_chain_status st, time_t until, const char *why,
		     time_t now)
{
	size_t i, slot = 0;

	for (i = 0; i < ES_TSA_REV_MEMO; i++) {
		if (!r->memo[i].used) {
			slot = i;
			break;
		}
		if (r->memo[i].stored < r->memo[slot].stored)
			slot = i;
	}
	memcpy(r->memo[slot].fp, fp, 32);
	r->memo[slot].used = 1;
	r->memo[slot].status = st;
	r->memo[slot].until = until;
	r->memo[slot].stored = now;
	snprintf(r->memo[slot].why, sizeof(r->memo[slot].why), "%s", why);
}

/* The token's signer and the certificates the token carries (es_tst_check_response checked the signature). */
static int token_signer(const unsigned char *token, size_t token_len, X509 **signer, STACK_OF(X509) * *untrusted)
{
	const unsigned char *p = token;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)token_len);
	STACK_OF(X509) *signers = NULL;
	int rc = 0;

	*signer = NULL;
	*untrusted = NULL;
	if (p7 == NULL || !PKCS7_type_is_signed(p7) || (signers = PKCS7_get0_signers(p7, NULL, 0)) == NULL ||
	    sk_X509_num(signers) != 1 || !X509_up_ref(sk_X509_value(signers, 0)))
		goto cleanup;
	*signer = sk_X509_value(signers, 0);
	if ((*untrusted = X509_chain_up_ref(p7->d.sign->cert)) == NULL)
		goto cleanup;
	rc = 1;
cleanup:
	if (!rc) {
		X509_free(*signer);
		*signer = NULL;
	}
	sk_X509_free(signers);
	PKCS7_free(p7);
	ERR_clear_error();
	return rc;
}

/* The check itself, for a certificate met for the first time (or whose verdict ran out); with the lock held. */
static es_chain_status check_chain(es_tsa_rev *r, X509 *signer, STACK_OF(X509) * untrusted, time_t *until, char *why,
				   size_t why_len)
{
	STACK_OF(X509) *chain = NULL;
	es_chain_status st;
	int err;

	err = es_chain_build(r->v, signer, untrusted, time(NULL), X509_PURPOSE_ANY, &chain);
	if (err != X509_V_OK) {
		snprintf(why, why_len, "no chain for the TSA certificate to the TSA trust anchors (%s)",
			 X509_verify_cert_error_string(err));
		return ES_CHAIN_UNCHECKABLE;
	}
	st = es_chain_status_now(r->v, chain, untrusted, "TSA", until, why, why_len);
	sk_X509_pop_free(chain, X509_free);
	return st;
}

es_chain_status es_tsa_rev_check(es_tsa_rev *r, const unsigned char *token, size_t token_len, char *why, size_t why_len)
{
	X509 *signer = NULL;
	STACK_OF(X509) *untrusted = NULL;
	unsigned char fp[32];
	unsigned int fp_len = 0;
	memo_entry *e;
	es_chain_status st = ES_CHAIN_UNKNOWN;
	time_t until = 0, now;

	if (!token_signer(token, token_len, &signer, &untrusted) ||
	    X509_digest(signer, EVP_sha256(), fp, &fp_len) != 1 || fp_len != sizeof(fp)) {
		snprintf(why, why_len, "the token's TSA certificate cannot be read");
		goto cleanup;
	}
	pthread_mutex_lock(&r->lock);
	now = time(NULL);
	if ((e = memo_find(r, fp, now)) != NULL) {
		st = e->status;
		snprintf(why, why_len, "%s", e->why);
	} else {
		st = check_chain(r, signer, untrusted, &until, why, why_len);
		if (st == ES_CHAIN_GOOD)
			memo_put(r, fp, st, until, "", now);
		else if (st != ES_CHAIN_UNKNOWN) /* revoked or uncheckable stays so */
			memo_put(r, fp, st, 0, why, now);
	}
	pthread_mutex_unlock(&r->lock);
cleanup:
	X509_free(signer);
	sk_X509_pop_free(untrusted, X509_free);
	ERR_clear_error();
	return st;
}
