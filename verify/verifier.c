/* verify/verifier.c: the entry points that read a file, recognise its format and hand it to the PDF, XML, CAdES or
 * ASiC verifier; the verifier object itself is pki/verifier.c. */
#include "eseal/asic.h"
#include "asic/asic_verify.h"
#include "cms/cades_verify.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "core/input_release.h"
#include "pdf/pdf_verify.h"
#include "pki/report.h"
#include "pki/verifier.h"
#include "report/visual_diff.h"
#include "xml/xml.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <openssl/err.h>
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

static int verify_path(const eseal_verifier *v, eseal_report *r, const char *path, const char *data_path,
		       const char *base_dir, eseal_error *err);

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
		rc = es_asic_verify(v, verify_path, r, buf, len, r->file);
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
	/* A file the release calls leave mapped is read whole by the digest anyway: its pages mapped in one call cost
	 * less than a fault every few pages. */
	p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		 MAP_PRIVATE | ((size_t)st.st_size <= ES_INPUT_RELEASE_ALL_MIN ? MAP_POPULATE : 0), fd, 0);
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
	es_input_release_scope(buf, len);
	/* A zip is an ASiC container or nothing this verifier reads (asic/). */
	if (len >= 4 && memcmp(buf, "PK\003\004", 4) == 0)
		rc = es_asic_verify(v, verify_path, r, buf, len, path);
	else
		rc = verify_buffer(v, r, buf, len, data_path, NULL, 0, dirname(dir));
	es_input_release_scope(NULL, 0);
	if (rc != ESEAL_OK)
		es_error_set(err, rc, "%s: %s", path, r->error ? r->error : "cannot verify");
cleanup:
	free(dir);
	unmap_file(buf, len);
	return rc;
}

static int verify_path(const eseal_verifier *v, eseal_report *r, const char *path, const char *data_path,
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

eseal_status eseal_verify_container(eseal_verifier *v, const char *path, eseal_report **report, eseal_error *err)
{
	return eseal_verify_file(v, path, NULL, report, err);
}

eseal_status eseal_verify_folder(eseal_verifier *v, const char *sig_path, const char *data_dir, eseal_report **report,
				 eseal_error *err)
{
	return es_asic_verify_folder(v, verify_path, sig_path, data_dir, report, err);
}
