/* pdf/pdf_extend.c: eseal_pdf_extend: PAdES B-LT and B-LTA for every seal of a PDF, eseal's or another tool's. The
 * seals are verified first; then come up to three incremental updates, each over the one before: a document
 * time-stamp when a seal has none (B-B), the DSS with the validation data, and for B-LTA a document time-stamp. */
#include "pdf_extend_internal.h"
#include "pdf_verify.h"
#include "pdf_verify_internal.h"
#include "eseal/extend.h"
#include "cms/ltv_collect.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "pki/evidence.h"
#include "pki/renew.h"
#include "pki/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/cms.h>
#include <openssl/objects.h>

#define COPY_BUF (1024 * 1024)

/* An archive must not extend a broken seal: TOTAL-FAILED (or changed after by a later update) is refused with its
 * first reason. INDETERMINATE goes on: collecting says better why (revoked: input; responder down: retry later).
 * *current: the same verification says the file needs no renewal yet (o->renew_before). */
static int check_seals(const eseal_extend_options *o, const char *path, const unsigned char *buf, size_t len,
		       eseal_extend_result *result, int *current, eseal_error *err)
{
	const eseal_verifier *v = o->verifier;
	eseal_report *r = es_report_new(path);
	char why[512];
	qpdf_data q;
	size_t i;
	int rc = ESEAL_OK;

	if (r == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
	if ((q = es_pdf_open(buf, len, path, why, sizeof(why))) == NULL) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: not a readable PDF: %s", path, why);
		goto cleanup;
	}
	/* Our updates would have to be encrypted under the file key, which needs the password, and a seal's
	 * validation data in clear or encrypted is read differently by different readers: not supported. */
	if (qpdf_is_encrypted(q)) {
		qpdf_cleanup(&q);
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: encrypted PDF: extending the seals of an encrypted file is not "
				  "supported", path);
		goto cleanup;
	}
	qpdf_cleanup(&q);
	if ((rc = es_pdf_verify(v, buf, len, r)) != ESEAL_OK || r->n_seals == 0) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: no seal: %s", path, r->error != NULL ? r->error : "not verified");
		goto cleanup;
	}
	for (i = 0; i < r->n_seals; i++) {
		eseal_seal_report *s = &r->seals[i];

		if (s->indication != ESEAL_TOTAL_FAILED && !s->modified_after)
			continue;
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: %s %s does not verify (%s); an archive must not extend a "
				  "broken seal", path, strcmp(s->type, "signature") == 0 ? "seal" : "document time-stamp",
				  s->id != NULL ? s->id : "(unnamed)",
				  s->n_errors > 0 ? s->errors[0] : "modified after it was made");
		goto cleanup;
	}
	*current = es_extend_is_current(o, r, result);
cleanup:
	eseal_report_free(r);
	return rc;
}

/* The length of the ContentInfo at the start of /Contents (what comes after it is padding). BER, not only DER:
 * NSS (Poppler's pdfsig, Firefox-based tools) writes indefinite lengths. */
static size_t der_length(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);

	if (cms == NULL) {
		ERR_clear_error();
		return 0;
	}
	CMS_ContentInfo_free(cms);
	return (size_t)(p - der);
}

/* Whether a CMS signature carries a signature-time-stamp (a B-T seal proves its own time). */
static int has_signature_tst(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	STACK_OF(CMS_SignerInfo) *sis = cms != NULL ? CMS_get0_SignerInfos(cms) : NULL;
	int i, has = 0;

	for (i = 0; i < sk_CMS_SignerInfo_num(sis); i++)
		if (CMS_unsigned_get_attr_by_NID(sk_CMS_SignerInfo_value(sis, i), NID_id_smime_aa_timeStampToken,
						 -1) >= 0)
			has = 1;
	CMS_ContentInfo_free(cms);
	return has;
}

/* The state of the file being extended: the signature values of its latest revision, opened from fd. */
typedef struct {
	const char *path;
	int fd;
	es_pdf_doc doc;
	es_pdf_sig_value *sigs;
	size_t n_sigs;
} work_file;

static int work_open(work_file *w, const char *path, int fd, eseal_error *err)
{
	int rc;

	w->path = path;
	w->fd = fd;
	if ((rc = es_pdf_doc_open(&w->doc, path, fd, NULL, err)) != ESEAL_OK)
		return rc;
	if (es_pdf_sig_values(w->doc.q, &w->sigs, &w->n_sigs) != ESEAL_OK)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
	return ESEAL_OK;
}

static void work_close(work_file *w)
{
	es_pdf_sig_values_free(w->sigs, w->n_sigs);
	w->sigs = NULL;
	w->n_sigs = 0;
	es_pdf_doc_close(&w->doc);
}

/* The proof of existence of a seal without its own time-stamp: the genTime of the earliest document time-stamp made
 * after it (0: none). */
static time_t later_dts_time(const work_file *w, const es_pdf_sig_value *sig)
{
	time_t best = 0, t;
	size_t i;
	eseal_error e = {0};

	for (i = 0; i < w->n_sigs; i++) {
		const es_pdf_sig_value *d = &w->sigs[i];
		size_t len = der_length(d->contents, d->contents_len);

		if (!d->is_dts || d->rev_end <= sig->rev_end || len == 0 ||
		    eseal_tst_gen_time(d->contents, len, &t, &e) != ESEAL_OK)
			continue;
		if (best == 0 || t < best)
			best = t;
	}
	return best;
}

/* Whether some seal has neither its own time-stamp nor a document time-stamp after it. */
static int needs_poe(const work_file *w)
{
	size_t i, len;

	for (i = 0; i < w->n_sigs; i++) {
		const es_pdf_sig_value *s = &w->sigs[i];

		len = der_length(s->contents, s->contents_len);
		if (!s->is_dts && len > 0 && !has_signature_tst(s->contents, len) && later_dts_time(w, s) == 0)
			return 1;
	}
	return 0;
}

static void vris_free(es_pdf_vri *vris, size_t n)
{
	size_t i;

	for (i = 0; vris != NULL && i < n; i++)
		es_evidence_free(vris[i].ev);
	free(vris);
}

/* The validation data of every signature (signer's and signature time-stamps' chains, fresh after its proof of
 * existence) and document time-stamp (its TSA's chain, fresh after its genTime), one VRI entry each. */
static int collect(const eseal_verifier *v, const work_file *w, es_pdf_vri **out, eseal_error *err)
{
	es_pdf_vri *vris = calloc(w->n_sigs ? w->n_sigs : 1, sizeof(*vris));
	size_t i, len;
	time_t poe, gen;
	int rc = ESEAL_OK;

	*out = NULL;
	if (vris == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", w->path);
	for (i = 0; i < w->n_sigs && rc == ESEAL_OK; i++) {
		const es_pdf_sig_value *s = &w->sigs[i];

		es_pdf_vri_key(s->contents, s->contents_len, vris[i].key);
		if ((vris[i].ev = es_evidence_new()) == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", w->path);
			break;
		}
		if ((len = der_length(s->contents, s->contents_len)) == 0) {
			rc = es_error_set(err, ESEAL_E_INPUT, "%s: the /Contents of object %d is not DER", w->path,
					  s->objid);
			break;
		}
		if (s->is_dts) {
			rc = es_ltv_collect_tst(v, s->contents, len, vris[i].ev, &gen, err);
		} else {
			poe = has_signature_tst(s->contents, len) ? 0 : later_dts_time(w, s);
			rc = es_ltv_collect_cms(v, s->contents, len, poe, vris[i].ev, vris[i].ev, err);
		}
		if (rc != ESEAL_OK)
			es_error_prefix(err, "%s: %s (object %d)", w->path, s->is_dts ? "document time-stamp" : "seal",
					s->objid);
	}
	if (rc != ESEAL_OK) {
		vris_free(vris, w->n_sigs);
		return rc;
	}
	*out = vris;
	return ESEAL_OK;
}

/* The bytes of the file (size bytes of fd) into out. */
static int copy_file(const char *path, int fd, off_t size, eseal_output *out, eseal_error *err)
{
	unsigned char *buf = malloc(COPY_BUF);
	off_t off = 0;
	ssize_t n;
	int rc = ESEAL_OK;

	if (buf == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	while (off < size && rc == ESEAL_OK) {
		n = pread(fd, buf, size - off < COPY_BUF ? (size_t)(size - off) : COPY_BUF, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = es_error_set(err, ESEAL_E_IO, "%s: read failed: %s", path, n < 0 ? strerror(errno) : "shrank");
			break;
		}
		rc = eseal_output_write(out, buf, (size_t)n, err);
		off += n;
	}
	free(buf);
	return rc;
}

/* The DSS revision over w into a pending output. */
static int write_dss(const eseal_extend_options *o, work_file *w, const char *out_path, const char *in_path,
		     eseal_output **out, eseal_error *err)
{
	es_pdf_vri *vris = NULL;
	es_pdf_update u;
	int rc;

	*out = NULL;
	es_pdf_update_init(&u, &w->doc);
	if ((rc = collect(o->verifier, w, &vris, err)) != ESEAL_OK)
		goto cleanup;
	if ((rc = es_pdf_dss_write(&u, &w->doc, vris, w->n_sigs, err)) != ESEAL_OK ||
	    (rc = es_pdf_update_finish(&u, &w->doc, err)) != ESEAL_OK ||
	    (rc = eseal_output_open(out, out_path, o->overwrite, in_path, err)) != ESEAL_OK ||
	    (rc = copy_file(w->path, w->fd, w->doc.size, *out, err)) != ESEAL_OK)
		goto cleanup;
	rc = eseal_output_write(*out, u.buf.data, u.buf.len, err);
cleanup:
	if (rc != ESEAL_OK) {
		eseal_output_free(*out);
		*out = NULL;
	}
	vris_free(vris, w->n_sigs);
	es_pdf_update_free(&u);
	return rc;
}

static int check_options(const char *in_path, const char *out_path, const eseal_extend_options *o, eseal_error *err)
{
	if (in_path == NULL || out_path == NULL || o == NULL || o->verifier == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "PDF extend: input, output and verifier are required");
	if (o->level != ESEAL_LEVEL_B_LT && o->level != ESEAL_LEVEL_B_LTA)
		return es_error_set(err, ESEAL_E_USAGE, "%s: extend to B-LT or B-LTA only", in_path);
	if (o->level == ESEAL_LEVEL_B_LTA && o->tsa == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "%s: B-LTA needs a time-stamp authority", in_path);
	if (o->md != NULL && o->tsa != NULL && EVP_MD_get_type(o->md) != EVP_MD_get_type(eseal_tsa_md(o->tsa)))
		return es_error_set(err, ESEAL_E_USAGE, "%s: the archive time-stamp's digest (%s) is not the TSA "
				    "client's (%s)", in_path, EVP_MD_get0_name(o->md), EVP_MD_get0_name(eseal_tsa_md(o->tsa)));
	return ESEAL_OK;
}

eseal_status eseal_pdf_extend(const char *in_path, const char *out_path, const eseal_extend_options *opts,
			      eseal_extend_result *result, eseal_error *err)
{
	work_file w;
	eseal_output *stage[3] = {NULL, NULL, NULL}, *last = NULL;
	struct stat st;
	void *map = MAP_FAILED;
	size_t i;
	const EVP_MD *md;
	time_t gen = 0;
	int fd = -1, rc, current = 0;

	eseal_error_clear(err);
	memset(&w, 0, sizeof(w));
	if (result != NULL)
		memset(result, 0, sizeof(*result));
	if ((rc = check_options(in_path, out_path, opts, err)) != ESEAL_OK)
		return rc;
	md = opts->md != NULL ? opts->md : opts->tsa != NULL ? eseal_tsa_md(opts->tsa) : EVP_sha256();
	/* One descriptor for everything: the bytes verified are the bytes extended. */
	if ((rc = es_input_open(in_path, &es_input_document, &fd, &st, err)) != ESEAL_OK)
		return rc;
	if (st.st_size == 0 ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		rc = st.st_size == 0 ? es_error_set(err, ESEAL_E_INPUT, "%s: empty file", in_path) :
				       es_error_set(err, ESEAL_E_IO, "%s: cannot read: %s", in_path, strerror(errno));
		goto cleanup;
	}
	if ((rc = check_seals(opts, in_path, map, (size_t)st.st_size, result, &current, err)) != ESEAL_OK || current ||
	    (rc = work_open(&w, in_path, fd, err)) != ESEAL_OK)
		goto cleanup;
	/* PAdES B-T for a B-B seal (e.g. Poppler's pdfsig): a document time-stamp proves when it existed. */
	if (needs_poe(&w)) {
		if (opts->tsa == NULL) {
			rc = es_error_set(err, ESEAL_E_USAGE, "%s: a seal has no time-stamp (B-B); a time-stamp authority "
					  "is needed to give it one first", in_path);
			goto cleanup;
		}
		work_close(&w);
		if ((rc = es_pdf_doc_ts_write(in_path, fd, out_path, opts->overwrite, in_path, opts->tsa, md, &stage[0],
					      &gen, err)) != ESEAL_OK ||
		    (rc = work_open(&w, in_path, eseal_output_fd(stage[0]), err)) != ESEAL_OK)
			goto cleanup;
	}
	if ((rc = write_dss(opts, &w, out_path, in_path, &stage[1], err)) != ESEAL_OK)
		goto cleanup;
	last = stage[1];
	work_close(&w);
	if (opts->level == ESEAL_LEVEL_B_LTA) {
		if ((rc = es_pdf_doc_ts_write(in_path, eseal_output_fd(stage[1]), out_path, opts->overwrite, in_path,
					      opts->tsa, md, &stage[2], &gen, err)) != ESEAL_OK)
			goto cleanup;
		last = stage[2];
	}
	eseal_output_set_group(last, opts->output_group, opts->output_cookie);
	rc = eseal_output_commit(last, err);
cleanup:
	work_close(&w);
	for (i = 0; i < 3; i++)
		eseal_output_free(stage[i]);
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return rc;
}
