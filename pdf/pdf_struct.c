/* pdf/pdf_struct.c: reads what the update needs from the original (QPDF's C API, lazily: streams are never loaded).
 * Also our own check of the file's tail, because the new section must chain to exactly the xref a reader finds. */
#include "pdf_internal.h"
#include "pdf_objread.h"
#include "pdf_xref.h"
#include "core/error_internal.h"
#include "core/input_release.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define TAIL_BYTES 4096
#define MAX_TREE_DEPTH 32
#define MAX_FIELDS 100000

static int read_at(int fd, void *buf, size_t len, off_t off, size_t *got)
{
	ssize_t n;
	size_t done = 0;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return 0;
}

static const char *memrstr(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	size_t i;

	if (len < n)
		return NULL;
	for (i = len - n + 1; i-- > 0;)
		if (memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

/* Header: "%PDF-M.m" within the first 1024 bytes (what readers accept), and at byte 0 for a file we write to:
 * QPDF and Poppler count every offset from the header while a ByteRange and our cross-reference offsets count from
 * the file's first byte, so an update to a file with bytes before its header is one readers open by repairing. */
static int check_header(es_pdf_doc *doc, int fd, eseal_error *err)
{
	char head[1024];
	size_t got = 0, i;

	if (read_at(fd, head, sizeof(head), 0, &got) < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot read: %s", doc->path, strerror(errno));
	for (i = 0; i + 8 <= got; i++) {
		if (memcmp(head + i, "%PDF-", 5) == 0 && isdigit((unsigned char)head[i + 5]) && head[i + 6] == '.' &&
		    isdigit((unsigned char)head[i + 7])) {
			if (i > 0)
				return es_error_set(err, ESEAL_E_INPUT,
						    "%s: %zu byte%s before the %%PDF- header: readers would disagree on "
						    "where the sealed bytes start; remove them first, e.g. with qpdf in.pdf "
						    "repaired.pdf",
						    doc->path, i, i == 1 ? "" : "s");
			doc->version_major = head[i + 5] - '0';
			doc->version_minor = head[i + 7] - '0';
			return ESEAL_OK;
		}
	}
	return es_error_set(err, ESEAL_E_INPUT, "%s: not a PDF file (no %%PDF- header)", doc->path);
}

/* The last startxref must name a cross-reference section that is really there: we chain ours to it with /Prev,
 * and a file whose pointer is wrong is one QPDF (and others) would only open by reconstructing it. */
static int check_tail(es_pdf_doc *doc, int fd, eseal_error *err)
{
	char tail[TAIL_BYTES + 1], at[64];
	size_t len = doc->size < TAIL_BYTES ? (size_t)doc->size : TAIL_BYTES, got = 0, i;
	const char *sx, *p, *end;
	long long off = 0;

	if (read_at(fd, tail, len, doc->size - (off_t)len, &got) < 0 || got != len)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot read the end of the file", doc->path);
	tail[len] = '\0';
	sx = memrstr(tail, len, "startxref");
	if (sx == NULL || memrstr(sx, len - (size_t)(sx - tail), "%%EOF") == NULL)
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: truncated or damaged PDF (no startxref/%%%%EOF at the end)", doc->path);
	p = sx + 9;
	end = tail + len;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end || !isdigit((unsigned char)*p))
		return es_error_set(err, ESEAL_E_INPUT, "%s: damaged PDF (startxref without an offset)", doc->path);
	for (; p < end && isdigit((unsigned char)*p); p++) {
		if (off > (long long)doc->size)
			break;
		off = off * 10 + (*p - '0');
	}
	if (off <= 0 || off >= (long long)doc->size)
		return es_error_set(err, ESEAL_E_INPUT, "%s: damaged PDF (startxref %lld outside the file)", doc->path,
				    off);
	doc->startxref = off;
	if (read_at(fd, at, sizeof(at) - 1, (off_t)off, &got) < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot read: %s", doc->path, strerror(errno));
	at[got] = '\0';
	p = at;
	while (*p && isspace((unsigned char)*p))
		p++;
	if (strncmp(p, "xref", 4) == 0) {
		doc->xref_stream = 0;
		return ESEAL_OK;
	}
	/* "N G obj": a cross-reference stream object. */
	for (i = 0; i < 2; i++) {
		if (!isdigit((unsigned char)*p))
			goto broken;
		while (isdigit((unsigned char)*p))
			p++;
		if (!isspace((unsigned char)*p))
			goto broken;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (strncmp(p, "obj", 3) == 0) {
		doc->xref_stream = 1;
		return ESEAL_OK;
	}
broken:
	return es_error_set(err, ESEAL_E_INPUT,
			    "%s: damaged PDF (startxref %lld does not point to a cross-reference section); repair it "
			    "first, e.g. with qpdf in.pdf repaired.pdf (which breaks any signature it holds)",
			    doc->path, off);
}

int es_pdf_qpdf_failed(es_pdf_doc *doc, const char *what, eseal_error *err)
{
	qpdf_error e;
	const char *detail;

	if (!qpdf_has_error(doc->q))
		return 0;
	e = qpdf_get_error(doc->q);
	detail = qpdf_get_error_message_detail(doc->q, e);
	es_error_set(err, ESEAL_E_INPUT, "%s: %s: %s", doc->path, what, detail && *detail ? detail : "QPDF error");
	return 1;
}

static char *ref_string(es_pdf_doc *doc, qpdf_oh oh)
{
	char tmp[64];

	snprintf(tmp, sizeof(tmp), "%d %d R", qpdf_oh_get_object_id(doc->q, oh), qpdf_oh_get_generation(doc->q, oh));
	return strdup(tmp);
}

static int is_sig_field(es_pdf_doc *doc, qpdf_oh field, int inherited_sig)
{
	qpdf_oh ft = qpdf_oh_get_key(doc->q, field, "/FT");
	int r = qpdf_oh_is_name_and_equals(doc->q, ft, "/Sig") || (inherited_sig && qpdf_oh_is_null(doc->q, ft));

	qpdf_oh_release(doc->q, ft);
	return r;
}

/* Counts signature fields with a value, walking /Kids; depth and count are bounded (hostile files). */
static void count_signatures(es_pdf_doc *doc, qpdf_oh fields, int depth, int inherited_sig, int *visited)
{
	int n, i;
	qpdf_oh f, v, kids;
	int sig;

	if (depth > MAX_TREE_DEPTH || !qpdf_oh_is_array(doc->q, fields))
		return;
	n = qpdf_oh_get_array_n_items(doc->q, fields);
	for (i = 0; i < n && *visited < MAX_FIELDS; i++, (*visited)++) {
		f = qpdf_oh_get_array_item(doc->q, fields, i);
		if (qpdf_oh_is_dictionary(doc->q, f)) {
			sig = is_sig_field(doc, f, inherited_sig);
			v = qpdf_oh_get_key(doc->q, f, "/V");
			if (sig && qpdf_oh_is_dictionary(doc->q, v))
				doc->n_signatures++;
			qpdf_oh_release(doc->q, v);
			kids = qpdf_oh_get_key(doc->q, f, "/Kids");
			count_signatures(doc, kids, depth + 1, sig, visited);
			qpdf_oh_release(doc->q, kids);
		}
		qpdf_oh_release(doc->q, f);
	}
}

static void read_docmdp(es_pdf_doc *doc, qpdf_oh root)
{
	qpdf_oh perms = qpdf_oh_get_key(doc->q, root, "/Perms");
	qpdf_oh sig = qpdf_oh_get_key_if_dict(doc->q, perms, "/DocMDP");
	qpdf_oh refs, ref, params, p;
	int i, n;

	if (qpdf_oh_is_dictionary(doc->q, sig)) {
		doc->certified = 1;
		doc->docmdp_p = 2; /* the default when /P is absent */
		refs = qpdf_oh_get_key(doc->q, sig, "/Reference");
		n = qpdf_oh_is_array(doc->q, refs) ? qpdf_oh_get_array_n_items(doc->q, refs) : 0;
		for (i = 0; i < n; i++) {
			ref = qpdf_oh_get_array_item(doc->q, refs, i);
			params = qpdf_oh_get_key_if_dict(doc->q, ref, "/TransformParams");
			p = qpdf_oh_get_key_if_dict(doc->q, params, "/P");
			if (qpdf_oh_is_integer(doc->q, p))
				doc->docmdp_p = qpdf_oh_get_int_value_as_int(doc->q, p);
			qpdf_oh_release(doc->q, p);
			qpdf_oh_release(doc->q, params);
			qpdf_oh_release(doc->q, ref);
		}
		qpdf_oh_release(doc->q, refs);
	}
	qpdf_oh_release(doc->q, sig);
	qpdf_oh_release(doc->q, perms);
}

/* A document up to this size is read into memory once, and our structure pass and QPDF both read that copy: on a
 * small document they otherwise re-read the same bytes in many small reads (a fifth of the time of sealing one). */
#define IN_MEMORY_MAX ((off_t)16 << 20)

static int read_whole(es_pdf_doc *doc, int fd, eseal_error *err)
{
	size_t got = 0;

	if (doc->size > IN_MEMORY_MAX)
		return ESEAL_OK;
	if ((doc->bytes = malloc(doc->size > 0 ? (size_t)doc->size : 1)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", doc->path);
	if (read_at(fd, doc->bytes, (size_t)doc->size, 0, &got) != 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot read: %s", doc->path, strerror(errno));
	if (got != (size_t)doc->size)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot read: the file became shorter", doc->path);
	return ESEAL_OK;
}

/* es_pdf_xref_damaged for a file our reader does not read: the bytes held in memory, else a read-only mapping of fd
 * whose pages the check gives back as it goes (a big file's headers lie all over it). Not under a verifier's
 * mapping scope: this one replaces it. */
static long long damaged_unread(const es_pdf_doc *doc, int fd, const es_pdf_xref *x)
{
	unsigned char *map;
	long long bad;

	if (doc->bytes != NULL)
		return es_pdf_xref_damaged(doc->bytes, (size_t)doc->size, x);
	if (doc->size <= 0 || (map = mmap(NULL, (size_t)doc->size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		return 0; /* (QPDF reads it next, and says what it cannot read) */
	es_input_release_scope(map, (size_t)doc->size);
	bad = es_pdf_xref_damaged(map, (size_t)doc->size, x);
	es_input_release_scope(NULL, 0);
	munmap(map, (size_t)doc->size);
	return bad;
}

/* QPDF inflates cross-reference and object streams with no limit while it opens the file and resolves objects: our
 * own pass over the cross-reference chain sizes them first and refuses a decompression bomb. */
int es_pdf_doc_prepare(es_pdf_doc *doc, const char *path, int fd, es_pdf_xref **xr, es_pdf_objs **objs,
		       eseal_error *err)
{
	struct stat st;
	char why[512];
	es_pdf_objs *ix;
	long long bad;
	int rc;

	memset(doc, 0, sizeof(*doc));
	*xr = NULL;
	if (objs != NULL)
		*objs = NULL;
	doc->path = path;
	if (fstat(fd, &st) != 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot stat: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return es_error_set(err, ESEAL_E_INPUT, "%s: not a regular file", path);
	doc->size = st.st_size;
	if ((rc = check_header(doc, fd, err)) != ESEAL_OK || (rc = check_tail(doc, fd, err)) != ESEAL_OK ||
	    (rc = read_whole(doc, fd, err)) != ESEAL_OK)
		return rc;
	rc = es_pdf_xref_scan(doc->bytes, doc->bytes != NULL ? -1 : fd, (size_t)doc->size, xr, why, sizeof(why));
	if (rc != ESEAL_OK)
		return es_error_set(err, rc, "%s: %s", doc->path, why);
	/* Readers rebuild the table when they meet such an object, and may then read another document than the one we
	 * append to. QPDF reports it only if it happens to read that object, so every used entry is checked here. */
	ix = doc->bytes != NULL ? es_pdf_objs_new(doc->bytes, (size_t)doc->size, *xr) : NULL;
	bad = ix != NULL ? es_pdf_objs_damaged(ix) : damaged_unread(doc, fd, *xr);
	if (bad < 0) {
		es_pdf_objs_free(ix);
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
	}
	if (bad > 0) {
		es_pdf_objs_free(ix);
		return es_error_set(
			err, ESEAL_E_INPUT,
			"%s: damaged PDF (the cross-reference entry of object %lld points at no header of it); repair it "
			"first, e.g. with qpdf in.pdf repaired.pdf (which breaks any signature it holds)",
			path, bad);
	}
	if (objs != NULL)
		*objs = ix;
	else
		es_pdf_objs_free(ix);
	return ESEAL_OK;
}

static int doc_open(es_pdf_doc *doc, const char *path, int fd, const char *password, eseal_error *err)
{
	qpdf_oh trailer = 0, root = 0, info = 0, id = 0, size = 0, enc = 0, acro = 0, fields = 0;
	char qpath[64], why[512];
	int rc = ESEAL_OK, visited = 0;
	QPDF_ERROR_CODE qrc;
	es_pdf_xref *xr = NULL;

	if ((rc = es_pdf_doc_prepare(doc, path, fd, &xr, NULL, err)) != ESEAL_OK) {
		es_pdf_xref_free(xr);
		return rc;
	}
	/* Encrypted files get their object streams sized once QPDF has opened them (xr is kept for that). */
	if (!xr->encrypted) {
		es_pdf_xref_free(xr);
		xr = NULL;
	}

	doc->q = qpdf_init();
	if (doc->q == NULL) {
		es_pdf_xref_free(xr);
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
	}
	qpdf_silence_errors(doc->q);
	qpdf_set_suppress_warnings(doc->q, QPDF_TRUE);
	/* A file QPDF can only open by reconstructing it would be read differently by others after our update. */
	qpdf_set_attempt_recovery(doc->q, QPDF_FALSE);
	/* QPDF reads the very file we copy from (same open file description's inode), not whatever is at path now. */
	snprintf(qpath, sizeof(qpath), "/proc/self/fd/%d", fd);
	if (access(qpath, R_OK) != 0)
		snprintf(qpath, sizeof(qpath), "%s", "");
	if (doc->bytes != NULL)
		qrc = qpdf_read_memory(doc->q, path, (const char *)doc->bytes, (unsigned long long)doc->size, password);
	else
		qrc = qpdf_read(doc->q, qpath[0] ? qpath : path, password);
	if (qrc & QPDF_ERRORS) {
		qpdf_error e = qpdf_get_error(doc->q);
		const char *detail = qpdf_get_error_message_detail(doc->q, e);
		enum qpdf_error_code_e code = qpdf_get_error_code(doc->q, e);

		es_pdf_xref_free(xr);
		if (code == qpdf_e_password)
			return es_error_because(err, ESEAL_E_INPUT, ESEAL_REASON_PASSWORD_NEEDED,
						"%s: encrypted PDF: %s password", path,
						password != NULL ? "wrong" : "missing");
		return es_error_set(err, ESEAL_E_INPUT, "%s: damaged or unsupported PDF: %s", path,
				    detail && *detail ? detail : "QPDF cannot read it");
	}
	if (qpdf_more_warnings(doc->q)) {
		qpdf_error w = qpdf_next_warning(doc->q);
		const char *detail = qpdf_get_error_message_detail(doc->q, w);

		es_pdf_xref_free(xr);
		return es_error_set(err, ESEAL_E_INPUT, "%s: damaged PDF, refusing to append to it: %s", path,
				    detail && *detail ? detail : "QPDF warning");
	}
	if (xr != NULL && (rc = es_pdf_xref_check_qpdf(xr, doc->q, why, sizeof(why))) != ESEAL_OK) {
		es_pdf_xref_free(xr);
		return es_error_set(err, rc, "%s: %s", path, why);
	}
	es_pdf_xref_free(xr);

	trailer = qpdf_get_trailer(doc->q);
	enc = qpdf_oh_get_key(doc->q, trailer, "/Encrypt");
	if (!qpdf_oh_is_null(doc->q, enc)) {
		if ((rc = es_pdf_crypt_init(doc, enc, password, err)) != ESEAL_OK)
			goto cleanup;
		doc->encrypt = qpdf_oh_is_indirect(doc->q, enc) ? ref_string(doc, enc) :
								  strdup(qpdf_oh_unparse(doc->q, enc));
		if (doc->encrypt == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
			goto cleanup;
		}
	}
	size = qpdf_oh_get_key(doc->q, trailer, "/Size");
	if (!qpdf_oh_is_integer(doc->q, size) || qpdf_oh_get_int_value(doc->q, size) < 1 ||
	    qpdf_oh_get_int_value(doc->q, size) > 8388607) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: damaged PDF (trailer /Size missing or invalid)", path);
		goto cleanup;
	}
	doc->trailer_size = qpdf_oh_get_int_value(doc->q, size);
	root = qpdf_get_root(doc->q);
	if (es_pdf_qpdf_failed(doc, "reading the catalog", err) || !qpdf_oh_is_indirect(doc->q, root) ||
	    !qpdf_oh_is_dictionary(doc->q, root)) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: damaged PDF (no document catalog)", path);
		goto cleanup;
	}
	doc->root_ref = ref_string(doc, root);
	info = qpdf_oh_get_key(doc->q, trailer, "/Info");
	if (qpdf_oh_is_indirect(doc->q, info))
		doc->info_ref = ref_string(doc, info);
	id = qpdf_oh_get_key(doc->q, trailer, "/ID");
	if (qpdf_oh_is_array(doc->q, id) && (doc->id = strdup(qpdf_oh_unparse(doc->q, id))) != NULL)
		doc->id_len = strlen(doc->id);
	if (doc->root_ref == NULL || (qpdf_oh_is_indirect(doc->q, info) && doc->info_ref == NULL) ||
	    (qpdf_oh_is_array(doc->q, id) && doc->id == NULL)) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
		goto cleanup;
	}
	/* The catalog's count, as readers take it; QPDF's own count would resolve every page of the file. Pages are
	 * then looked up one by one (es_pdf_page_at), and a tree without the page asked for is refused there. */
	doc->n_pages = es_pdf_pages_count(doc);
	if (doc->n_pages < 0)
		doc->n_pages = qpdf_get_num_pages(doc->q);
	if (es_pdf_qpdf_failed(doc, "reading the page tree", err)) {
		rc = ESEAL_E_INPUT;
		goto cleanup;
	}
	if (doc->n_pages < 1) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: the document has no pages", path);
		goto cleanup;
	}
	acro = qpdf_oh_get_key(doc->q, root, "/AcroForm");
	fields = qpdf_oh_get_key_if_dict(doc->q, acro, "/Fields");
	count_signatures(doc, fields, 0, 0, &visited);
	read_docmdp(doc, root);
	if (es_pdf_qpdf_failed(doc, "reading the form fields", err)) {
		rc = ESEAL_E_INPUT;
		goto cleanup;
	}
cleanup:
	qpdf_oh_release(doc->q, trailer);
	qpdf_oh_release(doc->q, root);
	qpdf_oh_release(doc->q, info);
	qpdf_oh_release(doc->q, id);
	qpdf_oh_release(doc->q, size);
	qpdf_oh_release(doc->q, enc);
	qpdf_oh_release(doc->q, acro);
	qpdf_oh_release(doc->q, fields);
	return rc;
}

int es_pdf_doc_open(es_pdf_doc *doc, const char *path, int fd, const char *password, eseal_error *err)
{
	int rc = doc_open(doc, path, fd, password, err);

	if (rc != ESEAL_OK)
		es_pdf_doc_close(doc); /* callers may close again: closing is idempotent */
	return rc;
}

void es_pdf_doc_close(es_pdf_doc *doc)
{
	if (doc == NULL)
		return;
	if (doc->q != NULL)
		qpdf_cleanup(&doc->q);
	es_pdf_lexed_free(doc->lexed); /* before the bytes it points into */
	doc->lexed = NULL;
	free(doc->bytes); /* after QPDF, which reads from it */
	doc->bytes = NULL;
	free(doc->root_ref);
	free(doc->info_ref);
	free(doc->id);
	free(doc->encrypt);
	OPENSSL_cleanse(&doc->crypt, sizeof(doc->crypt));
	doc->root_ref = doc->info_ref = doc->id = doc->encrypt = NULL;
	doc->id_len = 0;
}

/* Keys first, values after: QPDF allows one key iteration at a time and unparsing values may not disturb it. */
static char **dict_keys(es_pdf_doc *doc, qpdf_oh dict, size_t *n_out)
{
	char **keys = NULL, **tmp;
	size_t n = 0, cap = 0;

	qpdf_oh_begin_dict_key_iter(doc->q, dict);
	while (qpdf_oh_dict_more_keys(doc->q)) {
		const char *k = qpdf_oh_dict_next_key(doc->q);

		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			tmp = realloc(keys, cap * sizeof(*keys));
			if (tmp == NULL)
				goto oom;
			keys = tmp;
		}
		keys[n] = strdup(k ? k : "");
		if (keys[n] == NULL)
			goto oom;
		n++;
	}
	*n_out = n;
	if (keys == NULL)
		keys = calloc(1, sizeof(*keys));
	return keys;
oom:
	while (n > 0)
		free(keys[--n]);
	free(keys);
	return NULL;
}

#define MAX_VALUE_DEPTH 64

static int serialize(es_pdf_doc *doc, qpdf_oh oh, es_buf *out, int depth);

static int is_skipped(const char *key, const char *const *skip)
{
	for (; skip != NULL && *skip != NULL; skip++)
		if (strcmp(key, *skip) == 0)
			return 1;
	return 0;
}

/* "<< key value ... extra >>" without the keys in skip; a null value is the same as an absent key. Returns -1 for
 * nesting deeper than MAX_VALUE_DEPTH; running out of memory is left in out->oom. */
static int serialize_dict(es_pdf_doc *doc, qpdf_oh dict, const char *const *skip, const char *extra, es_buf *out,
			  int depth)
{
	char **keys;
	size_t n = 0, i;
	qpdf_oh v, name;
	int rc = 0;

	if ((keys = dict_keys(doc, dict, &n)) == NULL) {
		out->oom = 1;
		return 0;
	}
	es_buf_puts(out, "<<");
	for (i = 0; i < n; i++) {
		v = qpdf_oh_get_key(doc->q, dict, keys[i]);
		if (rc == 0 && !is_skipped(keys[i], skip) && !qpdf_oh_is_null(doc->q, v)) {
			name = qpdf_oh_new_name(doc->q, keys[i]);
			es_buf_puts(out, " ");
			es_buf_puts(out, qpdf_oh_unparse(doc->q, name));
			es_buf_puts(out, " ");
			rc = serialize(doc, v, out, depth + 1);
			qpdf_oh_release(doc->q, name);
		}
		qpdf_oh_release(doc->q, v);
		free(keys[i]);
	}
	free(keys);
	if (extra != NULL) {
		es_buf_puts(out, " ");
		es_buf_puts(out, extra);
	}
	es_buf_puts(out, " >>");
	return rc;
}

/* "[ item ... extra ]", returning as serialize_dict does. */
static int serialize_array(es_pdf_doc *doc, qpdf_oh array, const char *extra, es_buf *out, int depth)
{
	int n = qpdf_oh_get_array_n_items(doc->q, array), i, rc = 0;
	qpdf_oh item;

	es_buf_puts(out, "[");
	for (i = 0; i < n && rc == 0; i++) {
		item = qpdf_oh_get_array_item(doc->q, array, i);
		es_buf_puts(out, " ");
		rc = serialize(doc, item, out, depth + 1);
		qpdf_oh_release(doc->q, item);
	}
	if (extra != NULL) {
		es_buf_puts(out, " ");
		es_buf_puts(out, extra);
	}
	es_buf_puts(out, " ]");
	return rc;
}

/* Writes a value as it goes into the update. Unencrypted documents: QPDF's own unparse. Encrypted ones: QPDF hands
 * out decrypted strings, so the value is walked and every string encrypted again under the update's key. */
static int serialize(es_pdf_doc *doc, qpdf_oh oh, es_buf *out, int depth)
{
	size_t len = 0;
	const char *s;

	if (!doc->crypt.active || !doc->crypt.strings || qpdf_oh_is_indirect(doc->q, oh) ||
	    qpdf_oh_is_scalar(doc->q, oh)) {
		if (doc->crypt.active && doc->crypt.strings && qpdf_oh_is_string(doc->q, oh) &&
		    !qpdf_oh_is_indirect(doc->q, oh)) {
			s = qpdf_oh_get_binary_string_value(doc->q, oh, &len);
			es_pdf_string(out, &doc->crypt, s, len);
			return 0;
		}
		es_buf_puts(out, qpdf_oh_unparse(doc->q, oh));
		return 0;
	}
	if (depth > MAX_VALUE_DEPTH)
		return -1; /* nesting no real document has: refused rather than recursed into */
	if (qpdf_oh_is_array(doc->q, oh))
		return serialize_array(doc, oh, NULL, out, depth);
	if (qpdf_oh_is_dictionary(doc->q, oh))
		return serialize_dict(doc, oh, NULL, NULL, out, depth);
	es_buf_puts(out, qpdf_oh_unparse(doc->q, oh));
	return 0;
}

/* The outcome of writing a top-level dictionary or array: QPDF's error, too deep, out of memory, or fine. */
static int rewrite_result(es_pdf_doc *doc, int rc, const char *what, es_buf *out, eseal_error *err)
{
	if (es_pdf_qpdf_failed(doc, what, err))
		return ESEAL_E_INPUT;
	if (rc != 0)
		return es_error_set(err, ESEAL_E_INPUT, "%s: damaged PDF (objects nested deeper than %d levels)",
				    doc->path, MAX_VALUE_DEPTH);
	return out->oom ? es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", doc->path) : ESEAL_OK;
}

int es_pdf_dict_rewrite(es_pdf_doc *doc, qpdf_oh dict, const char *const *skip, const char *extra, es_buf *out,
			eseal_error *err)
{
	if (!qpdf_oh_is_dictionary(doc->q, dict))
		return es_error_set(err, ESEAL_E_INPUT, "%s: damaged PDF (dictionary expected)", doc->path);
	return rewrite_result(doc, serialize_dict(doc, dict, skip, extra, out, 0), "reading a dictionary", out, err);
}

int es_pdf_array_rewrite(es_pdf_doc *doc, qpdf_oh array, const char *extra, es_buf *out, eseal_error *err)
{
	if (!qpdf_oh_is_array(doc->q, array))
		return es_error_set(err, ESEAL_E_INPUT, "%s: damaged PDF (array expected)", doc->path);
	return rewrite_result(doc, serialize_array(doc, array, extra, out, 0), "reading an array", out, err);
}

qpdf_oh es_pdf_page_inherited(es_pdf_doc *doc, qpdf_oh page, const char *key)
{
	qpdf_oh node = qpdf_oh_new_object(doc->q, page), v, parent;
	int depth;

	for (depth = 0; depth < MAX_TREE_DEPTH && qpdf_oh_is_dictionary(doc->q, node); depth++) {
		v = qpdf_oh_get_key(doc->q, node, key);
		if (!qpdf_oh_is_null(doc->q, v)) {
			qpdf_oh_release(doc->q, node);
			return v;
		}
		qpdf_oh_release(doc->q, v);
		parent = qpdf_oh_get_key(doc->q, node, "/Parent");
		qpdf_oh_release(doc->q, node);
		node = parent;
	}
	qpdf_oh_release(doc->q, node);
	return qpdf_oh_new_null(doc->q);
}

int es_pdf_read_rect(es_pdf_doc *doc, qpdf_oh arr, double r[4])
{
	double v[4];

	if (!es_pdf_rect_value(doc->q, arr, v))
		return 0; /* r unchanged */
	memcpy(r, v, sizeof(v));
	return 1;
}

int es_pdf_new_field_name(es_pdf_doc *doc, char *name, size_t len)
{
	qpdf_oh root = qpdf_get_root(doc->q);
	qpdf_oh acro = qpdf_oh_get_key(doc->q, root, "/AcroForm");
	qpdf_oh fields = qpdf_oh_get_key_if_dict(doc->q, acro, "/Fields");
	qpdf_oh f, t;
	unsigned char *taken = NULL;
	const char *s;
	char *end;
	long k;
	int n, i, pick = -1;

	/* One pass marks which eSeal<k> are taken; among n fields one of eSeal1..eSeal<n+1> is free. (Asking name by
	 * name cost a pass per name: quadratic in a hostile form's field count.) */
	n = qpdf_oh_is_array(doc->q, fields) ? qpdf_oh_get_array_n_items(doc->q, fields) : 0;
	if (n > MAX_FIELDS)
		n = MAX_FIELDS;
	if ((taken = calloc((size_t)n + 2, 1)) == NULL)
		goto cleanup;
	for (i = 0; i < n; i++) {
		f = qpdf_oh_get_array_item(doc->q, fields, i);
		t = qpdf_oh_get_key_if_dict(doc->q, f, "/T");
		if (qpdf_oh_is_string(doc->q, t) && strncmp(s = qpdf_oh_get_utf8_value(doc->q, t), "eSeal", 5) == 0 &&
		    s[5] >= '1' && s[5] <= '9' && (k = strtol(s + 5, &end, 10)) <= n + 1 && *end == '\0')
			taken[k] = 1;
		qpdf_oh_release(doc->q, t);
		qpdf_oh_release(doc->q, f);
	}
	for (pick = 1; taken[pick]; pick++)
		;
	snprintf(name, len, "eSeal%d", pick);
cleanup:
	free(taken);
	qpdf_oh_release(doc->q, fields);
	qpdf_oh_release(doc->q, acro);
	qpdf_oh_release(doc->q, root);
	return pick > 0;
}
