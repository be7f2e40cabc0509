/* verify/verifier.c: the verifier object (trust anchors from --trust files only, offline flag, validation time) and
 * the entry points that read a file, recognise its format and hand it to the PDF, XML or CAdES verifier. */
#include "verify_internal.h"
#include "report/report_internal.h"

#include "cms/rev_cache.h"
#include "input_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bigger inputs are refused rather than mapped: a verifier must have bounded cost on hostile input. */
#define ES_VERIFY_MAX_FILE ((size_t)2 << 30)

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
		v->offline = opts->offline;
		v->at = opts->at;
		v->timeout_ms = opts->timeout_ms;
		v->visual_compare = opts->visual_compare;
	}
	/* Without memory for it the verifier still works, fetching for every file. */
	if (opts == NULL || !opts->no_revocation_cache)
		v->rev_cache = es_rev_cache_new();
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
	free(v);
}

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

/* Own detection (not the sealers'): verification must not depend on what a sealer accepts as input. */
static int looks_like_pdf(const unsigned char *buf, size_t len)
{
	return memmem(buf, len < 1024 ? len : 1024, "%PDF-", 5) != NULL;
}

static int looks_like_xml(const unsigned char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i < len && buf[i] == '<';
}

static int looks_like_cms(const unsigned char *buf, size_t len)
{
	/* DER SEQUENCE then the signedData OID 1.2.840.113549.1.7.2 within the first bytes; PEM is not accepted. */
	static const unsigned char oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};

	return len > 16 && buf[0] == 0x30 && memmem(buf, len < 24 ? len : 24, oid, sizeof(oid)) != NULL;
}

/* An Italian .p7m is often the CMS in base64 without PEM armour: decoded, it is read as the DER it carries.
 * Returns the DER (malloc'd) or NULL when buf is no such thing. */
static unsigned char *base64_cms(const unsigned char *buf, size_t len, size_t *out_len)
{
	EVP_ENCODE_CTX *ctx;
	unsigned char *out = NULL;
	int n = 0, m = 0;

	if (len < 16 || len > INT_MAX || memcmp(buf, "MI", 2) != 0 || (ctx = EVP_ENCODE_CTX_new()) == NULL)
		return NULL;
	EVP_DecodeInit(ctx);
	/* decoding never lengthens: the input size is room enough */
	if ((out = malloc(len)) == NULL || EVP_DecodeUpdate(ctx, out, &n, buf, (int)len) < 0 ||
	    EVP_DecodeFinal(ctx, out + n, &m) != 1 || !looks_like_cms(out, (size_t)(n + m))) {
		free(out);
		out = NULL;
	}
	*out_len = (size_t)(n + m);
	EVP_ENCODE_CTX_free(ctx);
	ERR_clear_error();
	return out;
}

/* A seal whose certificate has expired stands on its time-stamps alone, and a time-stamp proves its time only while
 * its TSA's chain is valid and its algorithms acceptable: once the newest one's has ended (renew_by), nothing proves
 * the seal existed while its certificate was good. In a PDF a document time-stamp covers every revision before it,
 * so the newest time-stamp of the file counts for each seal; elsewhere each seal has its own. */
static void judge_proofs_of_existence(const eseal_verifier *v, eseal_report *r)
{
	time_t t = es_verifier_time(v), newest = 0, renew_by = 0;
	char b1[32], b2[32];
	size_t i;

	r->validation_time = t;
	for (i = 0; i < r->n_seals; i++)
		if (strcmp(r->seals[i].format, "PAdES") == 0 && r->seals[i].newest_timestamp_time != 0 &&
		    (r->seals[i].newest_timestamp_time > newest ||
		     (r->seals[i].newest_timestamp_time == newest && r->seals[i].renew_by > renew_by))) {
			newest = r->seals[i].newest_timestamp_time;
			renew_by = r->seals[i].renew_by;
		}
	for (i = 0; i < r->n_seals; i++) {
		eseal_seal_report *s = &r->seals[i];

		/* Time-stamps made in the same second (a seal and the file's document time-stamp): the longer proof. */
		if (newest != 0 && strcmp(s->format, "PAdES") == 0 &&
		    (s->newest_timestamp_time < newest || (s->newest_timestamp_time == newest && s->renew_by < renew_by))) {
			s->newest_timestamp_time = newest;
			s->renew_by = renew_by;
		}
		/* A status that could not be had (TRY_LATER) is moot once nothing proves the seal existed in time:
		 * waiting cannot help, extending could have. */
		if (!s->relies_on_poe || s->renew_by == 0 || s->renew_by >= t ||
		    (s->indication != ESEAL_TOTAL_PASSED &&
		     (s->indication != ESEAL_INDETERMINATE || s->sub_indication != ESEAL_SUB_TRY_LATER)))
			continue;
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_OUT_OF_BOUNDS_NO_POE,
			     "the seal's certificate has expired and its newest time-stamp (%s) no longer proves "
			     "anything since %s (its TSA's certificate expired or was revoked, or its algorithms were "
			     "retired); it should have been extended (eseal extend) before then",
			     es_fmt_time(s->newest_timestamp_time, b1, sizeof(b1)), es_fmt_time(s->renew_by, b2, sizeof(b2)));
		s->sub_indication = ESEAL_SUB_OUT_OF_BOUNDS_NO_POE;
	}
}

static int verify_buffer(const eseal_verifier *v, eseal_report *r, const unsigned char *buf, size_t len,
			 const char *data_path, const unsigned char *data, size_t data_len, const char *base_dir)
{
	unsigned char *der;
	size_t der_len = 0;
	int rc;

	/* A CMS first: an enveloping CAdES of a PDF (.pdf.p7m) shows "%PDF-" within its first KiB. */
	if (looks_like_cms(buf, len))
		rc = es_cades_verify(v, buf, len, data_path, data, data_len, r);
	else if ((der = base64_cms(buf, len, &der_len)) != NULL) {
		rc = es_cades_verify(v, der, der_len, data_path, data, data_len, r);
		if (r->n_seals > 0)
			es_seal_warn(&r->seals[0], "the CMS is base64-encoded");
		free(der);
	} else if (looks_like_pdf(buf, len)) {
		rc = es_pdf_verify(v, buf, len, r);
		/* Only a file the verifier could read through: one it refused (a bomb, a broken structure) is not handed
		 * to a renderer. */
		if (v->visual_compare && rc == ESEAL_OK)
			es_visual_compare(r, buf, len);
	} else if (looks_like_xml(buf, len))
		rc = es_xml_verify(v, buf, len, base_dir, r);
	else {
		es_report_file_error(r, "not a PDF, XML or CMS (.p7s) document");
		return ESEAL_E_INPUT;
	}
	judge_proofs_of_existence(v, r);
	return rc;
}

eseal_status eseal_verify_memory(eseal_verifier *v, const char *name, const unsigned char *buf, size_t len,
				 const unsigned char *data, size_t data_len, eseal_report **report, eseal_error *err)
{
	eseal_report *r = es_report_new(name);
	int rc;

	eseal_error_clear(err);
	*report = r;
	if (r == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	if (len >= 4 && memcmp(buf, "PK\003\004", 4) == 0 && data == NULL)
		rc = es_asic_verify(v, r, buf, len, r->file);
	else
		rc = verify_buffer(v, r, buf, len, NULL, data, data != NULL ? data_len : 0, NULL);
	if (rc != ESEAL_OK)
		es_error_set(err, rc, "%s: %s", r->file, r->error ? r->error : "cannot verify");
	return rc;
}

/* A file to verify: cannot open -> I/O (74); a FIFO, device or directory is no document (65), never waited on. */
static const es_input_role verify_role = {"cannot read", ESEAL_E_IO, ESEAL_E_INPUT, 0, 0};

/* Maps the file read-only: verification reads ranges of it several times (digest, structure, revisions) without
 * the heap growing with the file. */
static int map_file(const char *path, unsigned char **buf, size_t *len, eseal_error *err)
{
	struct stat st;
	int fd = -1, rc;
	void *p;

	*buf = NULL;
	*len = 0;
	if ((rc = es_input_open(path, &verify_role, &fd, &st, err)) != ESEAL_OK)
		return rc;
	if ((size_t)st.st_size > ES_VERIFY_MAX_FILE) {
		close(fd);
		return es_error_set(err, ESEAL_E_INPUT, "%s: cannot read: file too large", path);
	}
	if (st.st_size == 0) {
		close(fd);
		*buf = (unsigned char *)"";
		return ESEAL_OK;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot read: %s", path, strerror(errno));
	*buf = p;
	*len = (size_t)st.st_size;
	return ESEAL_OK;
}

static void unmap_file(unsigned char *buf, size_t len)
{
	if (len > 0)
		munmap(buf, len);
}

/* The file this thread is verifying, as mapped by map_file: es_verify_release may drop its pages. */
static _Thread_local const unsigned char *mapped_buf;
static _Thread_local size_t mapped_len;

void es_verify_release(const unsigned char *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), from, to;

	/* Only inside the read-only mapping of the file: there the kernel reads a dropped page again from the file
	 * when it is touched next; anywhere else (a buffer in memory) dropping would lose the bytes. */
	if (mapped_buf == NULL || p < mapped_buf || len > mapped_len || (size_t)(p - mapped_buf) > mapped_len - len)
		return;
	from = ((uintptr_t)p + page - 1) & ~(page - 1);
	to = ((uintptr_t)p + len) & ~(page - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_DONTNEED);
}

eseal_status eseal_verify_file(eseal_verifier *v, const char *path, const char *data_path, eseal_report **report,
			       eseal_error *err)
{
	eseal_report *r = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	char *dir = NULL;
	eseal_error merr;
	size_t n;
	int rc = ESEAL_OK;

	eseal_error_clear(err);
	*report = NULL;
	if (v == NULL || path == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "verify: no verifier or no file");
	r = es_report_new(path);
	if (r == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	*report = r;
	eseal_error_clear(&merr);
	if ((rc = map_file(path, &buf, &len, &merr)) != ESEAL_OK) {
		/* The report's error is the message without the file name the report already carries. */
		n = strlen(path);
		es_report_file_error(r, "%s", strncmp(merr.message, path, n) == 0 && merr.message[n] == ':' ?
						      merr.message + n + 2 : merr.message);
		return es_error_set(err, rc, "%s", merr.message);
	}
	if (len == 0) {
		es_report_file_error(r, "empty file");
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: empty file", path);
		goto cleanup;
	}
	dir = strdup(path);
	if (dir == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	mapped_buf = buf;
	mapped_len = len;
	/* A zip is an ASiC container or nothing this verifier reads (asic/). */
	if (len >= 4 && memcmp(buf, "PK\003\004", 4) == 0)
		rc = es_asic_verify(v, r, buf, len, path);
	else
		rc = verify_buffer(v, r, buf, len, data_path, NULL, 0, dirname(dir));
	mapped_buf = NULL;
	mapped_len = 0;
	if (rc != ESEAL_OK)
		es_error_set(err, rc, "%s: %s", path, r->error ? r->error : "cannot verify");
cleanup:
	free(dir);
	unmap_file(buf, len);
	return rc;
}

int es_verify_path_in(const eseal_verifier *v, eseal_report *r, const char *path, const char *data_path,
		      const char *base_dir, eseal_error *err)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = map_file(path, &buf, &len, err)) != ESEAL_OK) {
		es_report_file_error(r, "%s", err->message);
		return rc;
	}
	rc = verify_buffer(v, r, buf, len, data_path, NULL, 0, base_dir);
	unmap_file(buf, len);
	return rc;
}
