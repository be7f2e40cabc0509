/* pdf/pdf_verify.c: PAdES verification: every signature field value and document time-stamp of a PDF, with the
 * byte checks that defeat Universal Signature Forgery and Signature Wrapping (ByteRange must be [0 a b c] and its
 * gap exactly the /Contents hex string of that dictionary), the digest over the ranges, the core CMS or time-stamp
 * checks, the level reached, and (pdf_verify_mods.c) what later incremental updates change. */
#include "pdf_decode.h"
#include "pdf_objread.h"
#include "pdf_verify_dups.h"
#include "pdf_verify_internal.h"
#include "pdf_xref.h"
#include "cms/verify_cms.h"
#include "core/input_release.h"
#include "pki/evidence.h"
#include "pki/report.h"
#include "pki/x509_text.h"
#include "timestamp/tst_verify.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/sha.h>

#define ES_PDF_MAX_WALK_FINAL 4000000 /* references followed looking for duplicated keys in the final file */

/* The open of the whole file, for the steps that read it again. */
typedef struct {
	es_pdf_xref *x;			/* our reading of the chain of buf itself (NULL: q read a rebuilt copy) */
	size_t len;			/* of buf */
	const es_pdf_page_list *pages; /* its pages (NULL: QPDF lists them) */
} file_read;

/* QPDF over buf[0..len), whose chain x (es_pdf_xref_scan of the same bytes) has read and sized. x is changed (an
 * encrypted file's object streams are sized once decrypted), so only an unencrypted file's x opens twice. */
static qpdf_data open_checked(const unsigned char *buf, size_t len, const char *name, es_pdf_xref *x, char *why,
			      size_t why_len)
{
	qpdf_data q = qpdf_init();
	qpdf_error e;

	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	qpdf_set_attempt_recovery(q, QPDF_FALSE);
	if (qpdf_read_memory(q, name, (const char *)buf, len, NULL) & QPDF_ERRORS) {
		e = qpdf_get_error(q);
		snprintf(why, why_len, "%s", e != NULL ? qpdf_get_error_message_detail(q, e) : "unreadable");
		qpdf_cleanup(&q);
		return NULL;
	}
	if (es_pdf_xref_check_qpdf(x, q, why, why_len) != ESEAL_OK)
		qpdf_cleanup(&q);
	/* (warnings about the trailers stay pending: a walk over the file takes them, es_pdf_clear_error drops them) */
	return q;
}

/* es_pdf_open with our reading of the chain already made (x, consumed; NULL: read here). keep (may be NULL): where
 * that reading goes when the open succeeds, for es_pdf_page_list_read, instead of being freed. */
static qpdf_data open_scanned(const unsigned char *buf, size_t len, const char *name, es_pdf_xref *x,
			      es_pdf_xref **keep, char *why, size_t why_len)
{
	qpdf_data q;

	/* Our own pass over the cross-reference chain first: QPDF inflates cross-reference and object streams with no
	 * limit while it opens the file and resolves objects, so a decompression bomb must be refused before. */
	if (x == NULL && es_pdf_xref_scan(buf, -1, len, &x, why, why_len) != ESEAL_OK)
		return NULL;
	q = open_checked(buf, len, name, x, why, why_len);
	if (q != NULL && keep != NULL) {
		*keep = x;
		x = NULL;
	}
	es_pdf_xref_free(x);
	return q;
}

qpdf_data es_pdf_open(const unsigned char *buf, size_t len, const char *name, char *why, size_t why_len)
{
	return open_scanned(buf, len, name, NULL, NULL, why, why_len);
}

qpdf_data es_pdf_open_read(const unsigned char *buf, size_t len, const char *name, es_pdf_xref **x, char *why,
			   size_t why_len)
{
	*x = NULL;
	return open_scanned(buf, len, name, NULL, x, why, why_len);
}

/* A revision (or the whole file) as a reader rebuilding a broken chain reads it (pdf_xref_recover.c): buf itself, or
 * *copy (freed by the caller after qpdf_cleanup) when the chain stopped short of earlier revisions. note: what was
 * recovered, and with *conflict set, why a reader rebuilding the file still reads something else. */
static qpdf_data open_revisions(const unsigned char *buf, size_t len, const char *name, unsigned char **copy,
				size_t *copy_len, char *note, size_t note_len, int *conflict, es_pdf_xref **keep, char *why,
				size_t why_len)
{
	es_pdf_xref *x = NULL;
	int rc;
	qpdf_data q;

	/* One reading of the chain serves both the recovery's question and the open (a failed one is read again by
	 * the open, which says why). */
	if (es_pdf_xref_scan(buf, -1, len, &x, why, why_len) != ESEAL_OK)
		x = NULL;
	rc = es_pdf_xref_recover(buf, len, x, copy, copy_len, note, note_len);
	*conflict = rc == 2;
	if (rc != 1 && rc != 2) {
		note[0] = '\0';
		return open_scanned(buf, len, name, x, keep, why, why_len);
	}
	es_pdf_xref_free(x);
	q = open_scanned(*copy, *copy_len, name, NULL, keep, why, why_len);
	if (q == NULL) {
		/* what we appended did not make a readable file: say what the file itself is */
		free(*copy);
		*copy = NULL;
		snprintf(note, note_len, "the cross-reference chain stops before the file's first revision, and the "
			 "revisions could not be read on from their startxref markers (%s)", why);
		*conflict = 1;
		return open_scanned(buf, len, name, NULL, keep, why, why_len);
	}
	return q;
}

void es_pdf_clear_error(qpdf_data q)
{
	es_pdf_take_warnings(q, NULL);
}

char *es_pdf_dup_utf8(qpdf_data q, qpdf_oh oh)
{
	const char *s = qpdf_oh_is_string(q, oh) ? qpdf_oh_get_utf8_value(q, oh) : NULL;

	return s != NULL ? strdup(s) : NULL;
}

static int is_doc_timestamp(qpdf_data q, qpdf_oh sig)
{
	return qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, sig, "/Type"), "/DocTimeStamp") ||
	       qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, sig, "/SubFilter"), "/ETSI.RFC3161");
}

int es_pdf_sig_values(qpdf_data q, es_pdf_sig_value **out, size_t *n_out)
{
	es_pdf_sig_list sl = {0};
	es_pdf_sig_value *vals = NULL;
	size_t i, n = 0, len = 0;
	int rc = ESEAL_OK;

	*out = NULL;
	*n_out = 0;
	es_pdf_list_signatures(q, NULL, &sl);
	if (sl.n > 0 && (vals = calloc(sl.n, sizeof(*vals))) == NULL)
		rc = ESEAL_E_INTERNAL;
	for (i = 0; rc == ESEAL_OK && i < sl.n; i++) {
		qpdf_oh sig, br, c;
		const char *p;

		if (sl.refs[i].objid == 0 || sl.refs[i].unreadable)
			continue;
		sig = qpdf_get_object_by_id(q, sl.refs[i].objid, sl.refs[i].gen);
		br = qpdf_oh_get_key(q, sig, "/ByteRange");
		c = qpdf_oh_get_key(q, sig, "/Contents");
		p = qpdf_oh_is_string(q, c) ? qpdf_oh_get_binary_string_value(q, c, &len) : NULL;
		if (p == NULL || len == 0 || len > ES_PDF_MAX_CONTENTS || !qpdf_oh_is_array(q, br) ||
		    qpdf_oh_get_array_n_items(q, br) != 4)
			continue;
		vals[n].objid = sl.refs[i].objid;
		vals[n].is_dts = is_doc_timestamp(q, sig);
		vals[n].rev_end = (size_t)(qpdf_oh_get_int_value(q, qpdf_oh_get_array_item(q, br, 2)) +
					   qpdf_oh_get_int_value(q, qpdf_oh_get_array_item(q, br, 3)));
		if ((vals[n].contents = malloc(len)) == NULL) {
			rc = ESEAL_E_INTERNAL;
			break;
		}
		memcpy(vals[n].contents, p, len);
		vals[n].contents_len = len;
		n++;
	}
	es_pdf_clear_error(q);
	es_pdf_sig_list_free(&sl);
	if (rc != ESEAL_OK) {
		es_pdf_sig_values_free(vals, n);
		return rc;
	}
	*out = vals;
	*n_out = n;
	return ESEAL_OK;
}

void es_pdf_sig_values_free(es_pdf_sig_value *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].contents);
	free(v);
}

/* PDF date "D:YYYYMMDDHHmmSSOHH'mm'" to UTC. */
static time_t pdf_date(const char *s)
{
	struct tm tm;
	int vals[6] = {0, 1, 1, 0, 0, 0}, widths[6] = {4, 2, 2, 2, 2, 2}, i, j, off = 0, sign = 0;
	time_t t;

	if (s == NULL)
		return 0;
	if (strncmp(s, "D:", 2) == 0)
		s += 2;
	for (i = 0; i < 6 && isdigit((unsigned char)*s); i++) {
		vals[i] = 0;
		for (j = 0; j < widths[i]; j++, s++) {
			if (!isdigit((unsigned char)*s))
				return 0;
			vals[i] = vals[i] * 10 + (*s - '0');
		}
	}
	if (i == 0)
		return 0;
	if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		s++;
		if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1])) {
			off = ((s[0] - '0') * 10 + (s[1] - '0')) * 3600;
			s += 2;
			if (*s == '\'')
				s++;
			if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]))
				off += ((s[0] - '0') * 10 + (s[1] - '0')) * 60;
		}
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = vals[0] - 1900;
	tm.tm_mon = vals[1] - 1;
	tm.tm_mday = vals[2];
	tm.tm_hour = vals[3];
	tm.tm_min = vals[4];
	tm.tm_sec = vals[5];
	t = timegm(&tm);
	return t - sign * off;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Where the signed revision ends: the range must end right after "%%EOF" (plus its end-of-line). */
static int ends_at_eof(const unsigned char *buf, size_t end)
{
	size_t i = end;

	while (i > 0 && (buf[i - 1] == '\r' || buf[i - 1] == '\n' || buf[i - 1] == ' ') && end - i < 4)
		i--;
	return i >= 5 && memcmp(buf + i - 5, "%%EOF", 5) == 0;
}

typedef struct {
	long long br[4];
	unsigned char *contents; /* decoded /Contents (copied: QPDF's string is valid only until its next call) */
	size_t contents_len;
} sig_bytes;

/* The byte checks: a well-formed ByteRange whose gap is exactly this dictionary's /Contents string. raw: the chain
 * of an encrypted file, whose signature values are read from the file's bytes (QPDF may have decrypted them). */
static int check_byte_range(qpdf_data q, qpdf_oh sig, const es_pdf_sig_ref *ref, const es_pdf_xref *raw,
			    const unsigned char *buf, size_t len, sig_bytes *sb, eseal_seal_report *s)
{
	qpdf_oh br = qpdf_oh_get_key(q, sig, "/ByteRange"), c = qpdf_oh_get_key(q, sig, "/Contents");
	size_t i, a, b, k;
	const unsigned char *p;
	char why[256];
	int hi, lo;

	if (!qpdf_oh_is_array(q, br) || qpdf_oh_get_array_n_items(q, br) != 4) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "/ByteRange missing or not an array of 4 integers (universal signature forgery?)");
		return -1;
	}
	for (i = 0; i < 4; i++) {
		qpdf_oh it = qpdf_oh_get_array_item(q, br, (int)i);
		if (!qpdf_oh_is_integer(q, it) || qpdf_oh_get_int_value(q, it) < 0) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
				     "/ByteRange holds a non-integer or negative value");
			return -1;
		}
		sb->br[i] = qpdf_oh_get_int_value(q, it);
	}
	if (sb->br[0] != 0 || sb->br[1] <= 0 || sb->br[2] <= sb->br[1] + 1 || sb->br[3] < 0 ||
	    (unsigned long long)sb->br[2] + (unsigned long long)sb->br[3] > len) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "/ByteRange [%lld %lld %lld %lld] is not [0 a b c] with 0 < a < b and b+c within the file "
			     "(%zu bytes)",
			     sb->br[0], sb->br[1], sb->br[2], sb->br[3], len);
		return -1;
	}
	if (!qpdf_oh_is_string(q, c)) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "/Contents missing or not a string (universal signature forgery?)");
		return -1;
	}
	a = (size_t)sb->br[1];
	b = (size_t)sb->br[2];
	if (raw != NULL) {
		/* The signature value is not encrypted, whatever QPDF made of it: the gap must be this very
		 * dictionary's one /Contents, as the file holds it. */
		if (es_pdf_raw_contents(raw, buf, len, ref->objid, ref->gen, a, b, &sb->contents, &sb->contents_len,
					why, sizeof(why)) != 0) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "%s", why);
			return -1;
		}
	} else {
		p = (const unsigned char *)qpdf_oh_get_binary_string_value(q, c, &sb->contents_len);
		if (p == NULL || sb->contents_len == 0 || sb->contents_len > ES_PDF_MAX_CONTENTS) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "/Contents is empty or too large");
			return -1;
		}
		sb->contents = malloc(sb->contents_len);
		if (sb->contents == NULL)
			return -1;
		memcpy(sb->contents, p, sb->contents_len);
	}
	/* The gap must be exactly "<hex>" and the hex must decode to the /Contents read from this dictionary:
	 * otherwise the signed value and the one a reader sees differ (signature wrapping). */
	if (buf[a] != '<' || buf[b - 1] != '>' || (b - a - 2) % 2 != 0 || (b - a - 2) / 2 != sb->contents_len) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "the /ByteRange gap (bytes %zu-%zu) is not exactly the /Contents hex string of this "
			     "signature (signature wrapping?)",
			     a, b);
		return -1;
	}
	for (p = buf + a + 1, k = 0; k < sb->contents_len; k++, p += 2) {
		hi = hexval(p[0]);
		lo = hexval(p[1]);
		if (hi < 0 || lo < 0 || (unsigned char)(hi << 4 | lo) != sb->contents[k]) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
				     "the bytes in the /ByteRange gap are not this signature's /Contents (signature "
				     "wrapping?)");
			return -1;
		}
	}
	/* The gap must be the value of a /Contents key, not a string elsewhere that happens to match. */
	for (i = a; i > 0 && (buf[i - 1] == ' ' || buf[i - 1] == '\r' || buf[i - 1] == '\n' || buf[i - 1] == '\t');)
		i--;
	if (i < 9 || memcmp(buf + i - 9, "/Contents", 9) != 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "the /ByteRange gap does not hold the value of a /Contents key");
		return -1;
	}
	if (!ends_at_eof(buf, (size_t)(sb->br[2] + sb->br[3])))
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "the signed bytes do not end at the end of a revision (%%%%EOF)");
	return 0;
}

#define DIGEST_CHUNK ((size_t)1 << 20)

/* Hashes p[0..len) a chunk at a time, giving each chunk's pages back once hashed: the signed bytes of a large file
 * pass through memory without staying there. */
static int digest_released(EVP_MD_CTX *ctx, const unsigned char *p, size_t len)
{
	size_t n;

	for (; len > 0; p += n, len -= n) {
		n = len < DIGEST_CHUNK ? len : DIGEST_CHUNK;
		if (EVP_DigestUpdate(ctx, p, n) != 1)
			return 0;
		es_input_release(p, n);
	}
	return 1;
}

static int digest_ranges(const EVP_MD *md, const unsigned char *buf, const sig_bytes *sb, unsigned char *out,
			 unsigned int *out_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1 && digest_released(ctx, buf, (size_t)sb->br[1]) &&
		 digest_released(ctx, buf + sb->br[2], (size_t)sb->br[3]) && EVP_DigestFinal_ex(ctx, out, out_len) == 1;

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* adbe.pkcs7.sha1 (ISO 32000-1 12.8.3.3.1): the CMS signs, as its encapsulated content, the SHA-1 digest of the
 * bytes the /ByteRange names. That content must be exactly this digest (copied to out); SHA-1 itself no longer
 * proves the bytes are the ones signed (chosen-prefix collisions), which the seal's indication says. */
static int sha1_content_matches(CMS_ContentInfo *cms, const unsigned char *buf, const sig_bytes *sb,
				unsigned char out[SHA_DIGEST_LENGTH], eseal_seal_report *s)
{
	ASN1_OCTET_STRING **content = CMS_get0_content(cms);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE,
		     "SubFilter adbe.pkcs7.sha1: the document is signed through its SHA-1 digest, no longer acceptable");
	if (content == NULL || *content == NULL || (*content)->length != SHA_DIGEST_LENGTH) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "SubFilter adbe.pkcs7.sha1: the CMS does not carry a SHA-1 digest as its content");
		return 0;
	}
	if (digest_ranges(EVP_sha1(), buf, sb, digest, &len) != 0)
		return 0;
	if (memcmp(digest, (*content)->data, SHA_DIGEST_LENGTH) != 0) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE,
			     "the signed SHA-1 digest is not the digest of the bytes the /ByteRange names: the document "
			     "was changed after signing");
		return 0;
	}
	memcpy(out, digest, SHA_DIGEST_LENGTH);
	return 1;
}

/* The signature dictionary must be the one of the revision qo it signs, unchanged since. (When the signature
 * covers the whole file, the revision is the file.) */
static void check_in_signed_revision(qpdf_data qo, const es_pdf_sig_ref *ref, qpdf_data q, eseal_seal_report *s)
{
	qpdf_oh sig = qpdf_get_object_by_id(q, ref->objid, ref->gen), old;
	char *now = strdup(qpdf_oh_unparse_resolved(q, sig));

	old = qpdf_get_object_by_id(qo, ref->objid, ref->gen);
	if (!qpdf_oh_is_dictionary(qo, old) || now == NULL || strcmp(now, qpdf_oh_unparse_resolved(qo, old)) != 0)
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "the signature dictionary (object %d) is not the one of the revision it signs",
			     ref->objid);
	es_pdf_clear_error(qo);
	free(now);
}

/* Validation data are decoded by us (QPDF's decoder has no limit), each object once however often it is named. A
 * CRL can be several megabytes (large CAs publish CRLs of 5 to 10 MB), so one entry may decode to 16 MB and all of
 * them together to 64 MB; beyond that (a decompression bomb, or a filter we do not decode) an entry is ignored, and
 * *note says which, for the seals' reports: no level may rest on data we did not read. dss: the catalog's /DSS. */
#define ES_PDF_DSS_ENTRY_MAX ((size_t)16 << 20)
#define ES_PDF_DSS_TOTAL_MAX ((size_t)64 << 20)
#define ES_PDF_DSS_MAX_ITEMS 1000
#define ES_PDF_DSS_NOTED 5

static void load_dss(qpdf_data q, qpdf_oh dss, es_evidence *ev, int *has_revinfo, char **note)
{
	static const char *const keys[] = {"/Certs", "/OCSPs", "/CRLs"};
	int k, i, n, id, gen, drc, ignored = 0;
	int seen[3 * ES_PDF_DSS_MAX_ITEMS][2];
	size_t n_seen = 0, total = 0, cap, j;
	char why[160], *msg;

	*has_revinfo = 0;
	*note = NULL;
	if (!qpdf_oh_is_dictionary(q, dss))
		return;
	for (k = 0; k < 3; k++) {
		qpdf_oh arr = qpdf_oh_get_key(q, dss, keys[k]);

		n = qpdf_oh_is_array(q, arr) ? qpdf_oh_get_array_n_items(q, arr) : 0;
		for (i = 0; i < n && i < ES_PDF_DSS_MAX_ITEMS; i++) {
			qpdf_oh st = qpdf_oh_get_array_item(q, arr, i);
			unsigned char *data = NULL;
			size_t dlen = 0;

			if (!qpdf_oh_is_stream(q, st)) {
				es_pdf_clear_error(q);
				continue;
			}
			id = qpdf_oh_get_object_id(q, st);
			gen = qpdf_oh_get_generation(q, st);
			for (j = 0; j < n_seen && (seen[j][0] != id || seen[j][1] != gen); j++)
				;
			if (j < n_seen)
				continue;
			seen[n_seen][0] = id;
			seen[n_seen++][1] = gen;
			cap = ES_PDF_DSS_TOTAL_MAX - total < ES_PDF_DSS_ENTRY_MAX ? ES_PDF_DSS_TOTAL_MAX - total :
										    ES_PDF_DSS_ENTRY_MAX;
			drc = es_pdf_stream_decode(q, st, cap, &data, &dlen, why, sizeof(why));
			es_pdf_clear_error(q);
			if (drc != ES_PDF_DECODE_OK) {
				/* what was inflated counts, so damaged entries cannot add up to more work either */
				total += drc == ES_PDF_DECODE_TOO_BIG ? cap : dlen;
				if (drc == ES_PDF_DECODE_TOO_BIG) {
					snprintf(why, sizeof(why), "decodes to more than %.1f MB (%s)",
						 (double)cap / (1 << 20),
						 cap == ES_PDF_DSS_ENTRY_MAX ?
							 "the limit for one entry" :
							 "what is left of the limit for all entries");
				}
				if (ignored++ < ES_PDF_DSS_NOTED) {
					msg = es_strdup_printf("%s%s%s %d %d R: %s", *note != NULL ? *note : "",
							       *note != NULL ? "; " : "", keys[k], id, gen, why);
					free(*note);
					*note = msg;
				}
				continue;
			}
			if (k == 0)
				es_evidence_add_cert_der(ev, data, dlen);
			else if (k == 1)
				es_evidence_add_ocsp_der(ev, data, dlen);
			else
				es_evidence_add_crl_der(ev, data, dlen);
			if (k > 0)
				*has_revinfo = 1;
			total += dlen;
			free(data);
		}
	}
	if (ignored > 0) {
		msg = es_strdup_printf("DSS validation data ignored (no level rests on it): %s%s",
				       *note != NULL ? *note : "", ignored > ES_PDF_DSS_NOTED ? "; and more" : "");
		free(*note);
		*note = msg;
	}
}

/* DocMDP: /Perms /DocMDP names the certification signature; its /Reference carries /P. */
static int docmdp_p(qpdf_data q, const es_pdf_page_list *pl, int *cert_objid)
{
	qpdf_oh sig = qpdf_oh_get_key(q, es_pdf_catalog_key(q, pl, "/Perms"), "/DocMDP");
	qpdf_oh refs = qpdf_oh_get_key(q, sig, "/Reference");
	int i, n, p = 0;

	*cert_objid = 0;
	if (!qpdf_oh_is_dictionary(q, sig))
		return 0;
	*cert_objid = qpdf_oh_get_object_id(q, sig);
	n = qpdf_oh_is_array(q, refs) ? qpdf_oh_get_array_n_items(q, refs) : 0;
	for (i = 0; i < n; i++) {
		qpdf_oh r = qpdf_oh_get_array_item(q, refs, i);
		qpdf_oh pv = qpdf_oh_get_key(q, qpdf_oh_get_key(q, r, "/TransformParams"), "/P");

		if (qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, r, "/TransformMethod"), "/DocMDP"))
			p = qpdf_oh_is_integer(q, pv) ? (int)qpdf_oh_get_int_value(q, pv) : 2;
	}
	return p;
}

/* Where a signature's revision ends and what it is, for the levels and for judging later updates. */
typedef struct {
	size_t rev_end; /* 0: its byte range could not be read */
	int is_dts, valid_dts;
	size_t seal; /* its report: r->seals[seal] (r->seals moves while seals are added) */
	int has_seal;
	unsigned char *contents; /* its signature value as checked against the /ByteRange gap, or NULL */
	size_t contents_len;
} seal_pos;

/* The checks of one signature or document time-stamp on its own: bytes, digest, CMS or token, chain and time. */
static void verify_one(const eseal_verifier *v, qpdf_data q, const es_pdf_xref *raw, const es_pdf_page_list *pl,
		       const unsigned char *buf, size_t len, const es_pdf_sig_ref *ref, const es_evidence *ev, seal_pos *pos,
		       eseal_report *r)
{
	qpdf_oh sig = ref->objid != 0 ? qpdf_get_object_by_id(q, ref->objid, ref->gen) : 0;
	qpdf_oh sub;
	eseal_seal_report *s;
	sig_bytes sb;
	CMS_ContentInfo *cms = NULL;
	const EVP_MD *md;
	unsigned char digest[EVP_MAX_MD_SIZE], sha1[SHA_DIGEST_LENGTH];
	unsigned int dlen = 0;
	char why[512], *m = NULL;
	size_t end, i;
	es_cms_result res = {0};
	STACK_OF(X509) *tsa_chain = NULL;
	X509 *tsa;
	time_t gen = 0;
	int is_dts, rc;

	memset(&sb, 0, sizeof(sb));
	if (ref->unreadable) {
		s = es_report_add_seal(r, "PAdES", "signature");
		if (s == NULL)
			return;
		s->id = strdup(ref->name);
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "the signature value (object %d) is not a signature dictionary that can be read", ref->objid);
		pos->seal = r->n_seals - 1;
		pos->has_seal = 1;
		return;
	}
	if (ref->objid == 0) {
		/* A direct /V cannot be located in the file, so nothing ties its bytes to the ByteRange. */
		s = es_report_add_seal(r, "PAdES", "signature");
		if (s == NULL)
			return;
		s->id = strdup(ref->name);
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "signature value is a direct object, not an indirect signature dictionary");
		pos->seal = r->n_seals - 1;
		pos->has_seal = 1;
		return;
	}
	sub = qpdf_oh_get_key(q, sig, "/SubFilter");
	is_dts = is_doc_timestamp(q, sig);
	s = es_report_add_seal(r, "PAdES", is_dts ? "document-timestamp" : "signature");
	if (s == NULL)
		return;
	pos->seal = r->n_seals - 1;
	pos->has_seal = 1;
	pos->is_dts = is_dts;
	s->id = strdup(ref->name);
	/* PBAD.PAdES: the name ICP-Brasil (PBAD) gives the same CAdES detached signature; DSS reads it so. */
	if (!is_dts && !qpdf_oh_is_name_and_equals(q, sub, "/ETSI.CAdES.detached") &&
	    !qpdf_oh_is_name_and_equals(q, sub, "/adbe.pkcs7.detached") &&
	    !qpdf_oh_is_name_and_equals(q, sub, "/PBAD.PAdES") && !qpdf_oh_is_name_and_equals(q, sub, "/adbe.pkcs7.sha1")) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "unsupported /SubFilter %s",
			     qpdf_oh_is_name(q, sub) ? qpdf_oh_get_name(q, sub) : "(none)");
		return;
	}
	if (qpdf_oh_is_name_and_equals(q, sub, "/adbe.pkcs7.detached"))
		es_seal_warn(s, "SubFilter adbe.pkcs7.detached: a PDF signature, not a PAdES baseline signature");
	if (qpdf_oh_is_name_and_equals(q, sub, "/PBAD.PAdES"))
		es_seal_warn(s, "SubFilter PBAD.PAdES (ICP-Brasil): verified as ETSI.CAdES.detached");
	m = es_pdf_dup_utf8(q, qpdf_oh_get_key(q, sig, "/M"));
	s->signing_time = pdf_date(m);
	free(m);
	if (check_byte_range(q, sig, ref, raw, buf, len, &sb, s) != 0)
		goto cleanup;
	end = (size_t)(sb.br[2] + sb.br[3]);
	pos->rev_end = end;
	s->signed_length = end;
	es_pdf_seal_widget(q, pl, ref->objid, s);
	for (i = end; i < len && isspace(buf[i]); i++)
		;
	s->covers_whole_document = i == len;
	s->coverage = es_strdup_printf("bytes 0-%lld and %lld-%zu of %zu%s", sb.br[1] - 1, sb.br[2], end - 1, len,
				       s->covers_whole_document ? "" : " (later incremental updates follow)");

	if (is_dts) {
		md = es_tst_imprint_md(sb.contents, sb.contents_len);
		if (md == NULL) {
			es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
				     "document time-stamp /Contents is not an RFC 3161 token");
		} else if (digest_ranges(md, buf, &sb, digest, &dlen) == 0) {
			rc = es_tst_verify_digest(v, sb.contents, sb.contents_len, digest, dlen, ev, &gen, &tsa_chain,
						  why, sizeof(why));
			if (rc == 1) {
				/* Also the TSA's revocation: a revoked TSA's token proves no time and no B-LTA. */
				pos->valid_dts =
					es_tst_check_revocation(v, sb.contents, sb.contents_len, tsa_chain, ev, gen,
								"document time-stamp", s);
				s->timestamp_time = pos->valid_dts ? gen : 0;
			} else {
				es_seal_fail(s, rc == 0 ? ESEAL_TOTAL_FAILED : ESEAL_INDETERMINATE,
					     rc == 0 ? ESEAL_SUB_HASH_FAILURE : ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND,
					     "document time-stamp: %s", why);
			}
			tsa = sk_X509_value(tsa_chain, 0); /* NULL for no chain */
			if (tsa != NULL) {
				s->organization = es_x509_subject_attr(tsa, NID_organizationName);
				s->organization_identifier = es_x509_subject_attr(tsa, NID_organizationIdentifier);
				s->subject = es_x509_subject_attr(tsa, NID_commonName);
			}
			sk_X509_pop_free(tsa_chain, X509_free);
		}
	} else {
		/* The CMS parser reads only the DER; the zero padding after it in /Contents is not signed data. */
		cms = es_cms_parse_signed(v, sb.contents, sb.contents_len, s);
		md = cms != NULL ? es_cms_signer_md(cms, s) : NULL;
		if (md != NULL && qpdf_oh_is_name_and_equals(q, sub, "/adbe.pkcs7.sha1")) {
			if (sha1_content_matches(cms, buf, &sb, sha1, s) &&
			    EVP_Digest(sha1, SHA_DIGEST_LENGTH, digest, &dlen, md, NULL) == 1)
				es_cms_verify_signer(v, cms, sb.contents, sb.contents_len, digest, dlen, ev, s, &res);
		} else if (md != NULL && digest_ranges(md, buf, &sb, digest, &dlen) == 0)
			es_cms_verify_signer(v, cms, sb.contents, sb.contents_len, digest, dlen, ev, s, &res);
		X509_free(res.signer);
		CMS_ContentInfo_free(cms);
	}
cleanup:
	pos->contents = sb.contents; /* (the levels read it again) */
	pos->contents_len = sb.contents_len;
	es_pdf_clear_error(q);
}

/* Duplicated keys in everything a reader of the final file meets, from a QPDF of its own (the one verify reads with
 * has parsed, and forgotten the warnings of, what the signature checks looked at). */
static void final_guesses(const unsigned char *buf, size_t len, const char *name, es_pdf_guesses *guesses)
{
	char why[256], note[512];
	unsigned char *copy = NULL;
	size_t copy_len = 0;
	int conflict;
	qpdf_data q = open_revisions(buf, len, name, &copy, &copy_len, note, sizeof(note), &conflict, NULL, why,
				     sizeof(why));
	es_pdf_walk w;

	if (q == NULL) {
		free(copy);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.budget = ES_PDF_MAX_WALK_FINAL;
	w.guesses = guesses;
	es_pdf_walk_from(&w, q, qpdf_get_trailer(q));
	guesses->incomplete = w.budget < 0 || w.oom || w.too_big != 0;
	es_pdf_walk_free(&w, q);
	qpdf_cleanup(&q);
	free(copy);
	es_input_release(buf, len);
}

/* Keys given twice in what says which signature the signed revision carries, read by a QPDF of its own: QPDF warns of
 * a duplicated key only when it first parses the object. whole (may be NULL): the reading of the whole file, used
 * when the revision is the whole file (its chain read and sized once, its pages listed once). */
static void check_dups(const unsigned char *buf, size_t rev_end, const es_pdf_sig_ref *ref, const file_read *whole,
		       eseal_seal_report *s)
{
	char why[256], note[512];
	unsigned char *copy = NULL;
	size_t copy_len = 0;
	int conflict;
	es_pdf_xref *x = NULL;
	es_pdf_page_list pages = {0};
	const es_pdf_page_list *pl = NULL;
	qpdf_data q;

	if (whole != NULL && whole->x != NULL && rev_end == whole->len && !whole->x->encrypted) {
		/* (the revision the main open read: buf itself, no recovery, so the same chain and pages; when our lexer
		 * reads every object the check looks at, none gives a key twice and QPDF need not parse them again) */
		q = NULL;
		if (!es_pdf_dups_none_lexed(buf, rev_end, whole->x, whole->pages, ref->objid, ref->gen))
			q = open_checked(buf, rev_end, "signed revision", whole->x, why, sizeof(why));
		pl = whole->pages;
	} else {
		q = open_revisions(buf, rev_end, "signed revision", &copy, &copy_len, note, sizeof(note), &conflict, &x,
				   why, sizeof(why));
		if (q != NULL && es_pdf_page_list_read(q, copy != NULL ? copy : buf, copy != NULL ? copy_len : rev_end, x,
						       &pages) == 0)
			pl = &pages;
	}
	/* (an unreadable revision is reported by the comparison with it, or the seal's own checks) */
	if (q != NULL) {
		es_pdf_check_dups(q, pl, ref->objid, ref->gen, s);
		qpdf_cleanup(&q);
	}
	es_pdf_page_list_free(&pages);
	es_pdf_xref_free(x);
	free(copy);
	es_input_release(buf, rev_end);
}

static int by_rev_end_desc(const void *a, const void *b)
{
	const seal_pos *x = *(seal_pos *const *)a, *y = *(seal_pos *const *)b;

	return (x->rev_end < y->rev_end) - (x->rev_end > y->rev_end);
}

/* What came after each signature: its own revision opened once, the signature dictionary checked against it, and
 * every later change judged. Latest signatures first, so that an earlier one knows which later signatures verify
 * (a signature field added after a seal is permitted only when it carries one of those). */
static void judge_later_updates(qpdf_data q, const unsigned char *buf, size_t len, const file_read *whole,
				const es_pdf_sig_list *sl, seal_pos *pos, es_pdf_facts *facts, es_pdf_sig_state *states,
				eseal_report *r)
{
	seal_pos **order = calloc(sl->n, sizeof(*order));
	es_pdf_guesses guesses = {0};
	size_t i, k;
	int later = 0;

	if (order == NULL)
		return;
	for (i = 0; i < sl->n; i++) {
		order[i] = &pos[i];
		later |= pos[i].has_seal && pos[i].rev_end > 0 && !r->seals[pos[i].seal].covers_whole_document;
	}
	if (later)
		final_guesses(buf, len, r->file, &guesses);
	facts->guesses = &guesses;
	qsort(order, sl->n, sizeof(*order), by_rev_end_desc);
	for (k = 0; k < sl->n; k++) {
		seal_pos *p = order[k];
		size_t idx = (size_t)(p - pos);
		eseal_seal_report *s = p->has_seal ? &r->seals[p->seal] : NULL;
		char why[256], note[512];
		unsigned char *copy = NULL;
		size_t copy_len = 0;
		int conflict;
		qpdf_data qo;

		/* (its own checks only: a later change its rules refuse does not undo what it signed) */
		states[idx].intact = s != NULL && s->indication != ESEAL_TOTAL_FAILED;
		states[idx].last = s != NULL && s->covers_whole_document;
		if (s != NULL && p->rev_end > 0)
			check_dups(buf, p->rev_end, &sl->refs[idx], whole, s);
		if (s != NULL && p->rev_end > 0 && !s->covers_whole_document) {
			qo = open_revisions(buf, p->rev_end, "signed revision", &copy, &copy_len, note, sizeof(note), &conflict,
					    NULL, why, sizeof(why));
			if (qo == NULL) {
				es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
					     "the signed revision is not a readable PDF: %s", why);
			} else {
				es_pdf_check_later_updates(q, qo, buf, len, facts, copy == NULL && !facts->recovered,
							   &states[idx], s);
				check_in_signed_revision(qo, &sl->refs[idx], q, s);
				qpdf_cleanup(&qo);
			}
			free(copy);
			es_input_release(buf, len);
		}
	}
	facts->guesses = NULL;
	free(order);
}

/* The signature value of pos (a copy), or NULL. */
static unsigned char *sig_contents(const seal_pos *pos, size_t *len)
{
	unsigned char *copy = pos->contents != NULL ? malloc(pos->contents_len) : NULL;

	*len = copy != NULL ? pos->contents_len : 0;
	if (copy != NULL)
		memcpy(copy, pos->contents, *len);
	return copy;
}

/* The validation data of the DSS as it was in the revision ending at end: what a document time-stamp ending there
 * covers. NULL when that revision cannot be read. */
static es_evidence *revision_dss(const unsigned char *buf, size_t end)
{
	char why[256], *note = NULL, recovered[512];
	unsigned char *copy = NULL;
	size_t copy_len = 0;
	int conflict;
	qpdf_data qo = open_revisions(buf, end, "signed revision", &copy, &copy_len, recovered, sizeof(recovered),
				      &conflict, NULL, why, sizeof(why));
	es_evidence *ev = qo != NULL ? es_evidence_new() : NULL;
	int has = 0;

	if (ev != NULL)
		load_dss(qo, qpdf_oh_get_key(qo, qpdf_get_root(qo), "/DSS"), ev, &has, &note);
	free(note);
	if (qo != NULL)
		qpdf_cleanup(&qo);
	free(copy);
	return ev;
}

/* Levels beyond B-T depend on what came after the signature (ETSI EN 319 142-1 5.3, 5.4): a document time-stamp
 * gives a B-B signature its time (B-T); B-LT needs the DSS to answer for every certificate of its chains after that
 * time; B-LTA a valid document time-stamp over a revision whose DSS already did. */
static void levels_after(const eseal_verifier *v, qpdf_data q, const unsigned char *buf, const es_pdf_sig_list *sl, const seal_pos *pos, const es_evidence *ev, int has_revinfo, eseal_report *r)
{
	char why[512];
	size_t i, j, first, n_c, n_d = 0;
	unsigned char *c, *d;
	int lta, bb;

	for (i = 0; i < sl->n; i++) {
		eseal_seal_report *s = pos[i].has_seal ? &r->seals[pos[i].seal] : NULL;

		if (s == NULL || pos[i].is_dts || s->level == NULL || s->indication == ESEAL_TOTAL_FAILED ||
		    (strcmp(s->level, "B-T") != 0 && strcmp(s->level, "B-B") != 0))
			continue;
		first = sl->n;
		for (j = 0; j < sl->n; j++)
			if (pos[j].is_dts && pos[j].valid_dts && pos[j].rev_end > pos[i].rev_end &&
			    (first == sl->n || pos[j].rev_end < pos[first].rev_end))
				first = j;
		bb = strcmp(s->level, "B-B") == 0;
		if (bb && first == sl->n)
			continue;
		if (bb)
			es_seal_set_str(&s->level, "B-T");
		if (!has_revinfo)
			continue;
		c = sig_contents(&pos[i], &n_c);
		d = bb ? sig_contents(&pos[first], &n_d) : NULL;
		if (c == NULL || !es_pdf_ltv_covered(v, c, n_c, d, n_d, ev, why, sizeof(why))) {
			es_seal_warn(s, "not B-LT: %s", c != NULL ? why : "out of memory");
			free(c);
			free(d);
			continue;
		}
		lta = 0;
		for (j = 0; j < sl->n && !lta; j++) {
			es_evidence *rev_ev;

			if (!pos[j].is_dts || !pos[j].valid_dts || pos[j].rev_end <= pos[i].rev_end)
				continue;
			rev_ev = revision_dss(buf, pos[j].rev_end);
			lta = rev_ev != NULL && es_pdf_ltv_covered(v, c, n_c, d, n_d, rev_ev, why, sizeof(why));
			es_evidence_free(rev_ev);
		}
		es_seal_set_str(&s->level, lta ? "B-LTA" : "B-LT");
		free(c);
		free(d);
	}
}

/* Where "%PDF-" starts within the first 1024 bytes (0 for a well-formed file). */
static size_t header_offset(const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 5 <= len && i < 1024; i++)
		if (memcmp(buf + i, "%PDF-", 5) == 0)
			return i;
	return 0;
}

int es_pdf_verify(const eseal_verifier *v, const unsigned char *buf, size_t len, eseal_report *r)
{
	qpdf_data q = NULL;
	es_pdf_sig_list sl = {0};
	es_evidence *ev = es_evidence_new();
	seal_pos *pos = NULL;
	es_pdf_sig_state *states = NULL;
	es_pdf_facts facts = {0};
	char why[512];
	size_t i;
	int has_revinfo = 0, encrypted, rc = ESEAL_OK, conflict = 0;
	char *dss_note = NULL, chain_note[512];
	unsigned char *copy = NULL;
	size_t copy_len = 0;
	es_pdf_xref *raw = NULL, *xq = NULL; /* xq: our reading of the chain q read */
	es_pdf_page_list pages = {0}, *pl = NULL;
	file_read whole = {0};

	if (ev == NULL)
		return ESEAL_E_INTERNAL;
	/* A chain that stops before the first revision (/Prev 0) would hide the signatures of the revisions it skips. */
	q = open_revisions(buf, len, r->file, &copy, &copy_len, chain_note, sizeof(chain_note), &conflict, &xq, why,
			   sizeof(why));
	if (q == NULL && header_offset(buf, len) > 0) {
		es_report_file_error(r, "not a readable PDF: %zu byte%s before the %%PDF- header (%s)",
				     header_offset(buf, len), header_offset(buf, len) == 1 ? "" : "s", why);
		rc = ESEAL_E_INPUT;
		goto cleanup;
	}
	if (q == NULL) {
		es_report_file_error(r, "not a readable PDF: %s", why);
		rc = ESEAL_E_INPUT;
		goto cleanup;
	}
	/* Encrypted files open with the empty user password (QPDF leaves signature /Contents undecrypted, and the
	 * byte check below compares them with the raw gap anyway); others fail to open and are reported. */
	encrypted = qpdf_is_encrypted(q);
	/* (the chain of what QPDF reads, our own reading, to find the signature values in the file's bytes) */
	if (encrypted && es_pdf_xref_scan(copy != NULL ? copy : buf, -1, copy != NULL ? copy_len : len, &raw, why,
					  sizeof(why)) != ESEAL_OK) {
		es_report_file_error(r, "not a readable PDF: %s", why);
		rc = ESEAL_E_INPUT;
		goto cleanup;
	}
	/* (read once: the signatures the pages show, where each seal shows, the keys given twice on the pages) */
	if (es_pdf_page_list_read(q, copy != NULL ? copy : buf, copy != NULL ? copy_len : len, xq, &pages) == 0)
		pl = &pages;
	/* A used entry pointing at no header of its object: readers rebuild the table from the objects' headers, and
	 * what they then show is not what QPDF (which does not rebuild here) reads. The page list reads every header
	 * of a file its reader reads; the others (encrypted ones) are read here. */
	facts.damaged = pages.headers_read ? pages.damaged :
					     es_pdf_xref_damaged(copy != NULL ? copy : buf, copy != NULL ? copy_len : len, xq);
	es_pdf_list_signatures(q, pl, &sl);
	if (sl.n == 0) {
		es_report_file_error(r, "no signature or document time-stamp found");
		goto cleanup;
	}
	load_dss(q, es_pdf_catalog_key(q, pl, "/DSS"), ev, &has_revinfo, &dss_note);
	facts.docmdp_p = docmdp_p(q, pl, &facts.docmdp_objid);
	facts.recovered = copy != NULL;
	facts.pages = pl;
	pos = calloc(sl.n, sizeof(*pos));
	states = calloc(sl.n, sizeof(*states));
	if (pos == NULL || states == NULL) {
		rc = ESEAL_E_INTERNAL;
		goto cleanup;
	}
	for (i = 0; i < sl.n; i++) {
		verify_one(v, q, raw, pl, buf, len, &sl.refs[i], ev, &pos[i], r);
		states[i].objid = sl.refs[i].objid;
		states[i].rev_end = pos[i].rev_end;
		states[i].is_dts = pos[i].is_dts;
	}
	/* Each step reads what it needs of the file again: what the signature checks touched need not stay. */
	es_input_release(buf, len);
	facts.sigs = states;
	facts.n_sigs = sl.n;
	whole.x = copy == NULL ? xq : NULL;
	whole.len = len;
	whole.pages = pl;
	judge_later_updates(q, buf, len, &whole, &sl, pos, &facts, states, r);
	for (i = 0; encrypted && i < r->n_seals; i++)
		es_seal_warn(&r->seals[i], "the PDF is encrypted (opened with the empty user password)");
	/* QPDF and Poppler count offsets from the header, a /ByteRange from byte 0: with bytes before the header the
	 * file is no longer the one that was sealed, whatever a reader that shifts offsets makes of it. */
	for (i = 0; header_offset(buf, len) > 0 && i < r->n_seals; i++)
		es_seal_fail(&r->seals[i], ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "%zu byte%s before the %%PDF- header (added after sealing: readers count offsets from the header, "
			     "the seal's /ByteRange from the first byte)",
			     header_offset(buf, len), header_offset(buf, len) == 1 ? "" : "s");
	for (i = 0; dss_note != NULL && i < r->n_seals; i++)
		es_seal_warn(&r->seals[i], "%s", dss_note);
	/* (a seal with later updates is failed for it by es_pdf_check_later_updates; one covering the whole file
	 * signed the damaged bytes themselves) */
	for (i = 0; facts.damaged > 0 && i < r->n_seals; i++)
		if (r->seals[i].covers_whole_document)
			es_seal_warn(&r->seals[i],
				     "damaged PDF: the cross-reference entry of object %lld points at no header of it; "
				     "readers rebuild the table from the objects' headers and may show other objects than "
				     "those verified",
				     facts.damaged);
	for (i = 0; chain_note[0] != '\0' && i < r->n_seals; i++) {
		if (conflict)
			es_seal_fail(&r->seals[i], ESEAL_INDETERMINATE, ESEAL_SUB_FORMAT_FAILURE,
				     "the document cannot be read as its readers read it: %s", chain_note);
		else
			es_seal_warn(&r->seals[i], "%s", chain_note);
	}
	levels_after(v, q, buf, &sl, pos, ev, has_revinfo, r);
cleanup:
	for (i = 0; pos != NULL && i < sl.n; i++)
		free(pos[i].contents);
	free(pos);
	es_pdf_page_list_free(&pages); /* (reads xq and the bytes q read) */
	es_pdf_xref_free(raw);
	es_pdf_xref_free(xq);
	for (i = 0; states != NULL && i < sl.n; i++) {
		free(states[i].seen);
		free(states[i].changed);
	}
	free(states);
	es_pdf_sig_list_free(&sl);
	free(dss_note);
	es_evidence_free(ev);
	if (q != NULL)
		qpdf_cleanup(&q);
	free(copy);
	return rc;
}
