/* pdf/pdf_dss.c: the Document Security Store of PAdES B-LT (ETSI EN 319 142-1 5.4, ISO 32000-2 12.8.4.3): the
 * catalog's /DSS with /Certs, /OCSPs, /CRLs (streams of DER), a /VRI entry per signature, and /Extensions /ESIC. */
#include "pdf_decode.h"
#include "pdf_extend_internal.h"
#include "pdf_verify_internal.h"
#include "core/error_internal.h"
#include "pki/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

enum { K_CERT, K_OCSP, K_CRL, K_N };
static const char *const dss_keys[K_N] = {"/Certs", "/OCSPs", "/CRLs"};
static const char *const vri_keys[K_N] = {"/Cert", "/OCSP", "/CRL"};

#define DSS_ENTRY_MAX ((size_t)16 << 20) /* as the verifier: a CRL of a large CA fits, a bomb does not */
#define DSS_MAX_ITEMS 1000

/* Every DSS stream, old and new, once: its DER (NULL when an old one could not be decoded: kept, never matched). */
typedef struct {
	int kind;
	unsigned char *der;
	size_t len;
	char ref[32];
	int added; /* written by this update */
} dss_item;

typedef struct {
	dss_item *items;
	size_t n, cap;
	int oom;
} dss_pool;

/* ISO 32000-2 12.8.4.4 and ETSI EN 319 142-1 5.4.2.2: "the base-16-encoded (uppercase) SHA1 digest of the signature
 * to which it applies". Which bytes: EU DSS hashes the decoded /Contents string whole, zero padding included
 * (esig/dss PAdESSignature.getVRIKey over PdfSignatureDictionary.getContents(); its VRITest checks a plugtest file
 * made by another product the same way, noting that the DER without the padding would give another key); Acrobat's
 * own files match it. So the padding is hashed here too. */
void es_pdf_vri_key(const unsigned char *contents, size_t len, char key[41])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char md[SHA_DIGEST_LENGTH];
	int i;

	SHA1(contents, len, md);
	for (i = 0; i < SHA_DIGEST_LENGTH; i++) {
		key[2 * i] = hex[md[i] >> 4];
		key[2 * i + 1] = hex[md[i] & 15];
	}
	key[40] = '\0';
}

static dss_item *pool_add(dss_pool *p, int kind, unsigned char *der, size_t len, const char *ref)
{
	dss_item *tmp;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;

		if ((tmp = realloc(p->items, cap * sizeof(*tmp))) == NULL) {
			p->oom = 1;
			free(der);
			return NULL;
		}
		p->items = tmp;
		p->cap = cap;
	}
	tmp = &p->items[p->n++];
	memset(tmp, 0, sizeof(*tmp));
	tmp->kind = kind;
	tmp->der = der;
	tmp->len = len;
	snprintf(tmp->ref, sizeof(tmp->ref), "%s", ref);
	return tmp;
}

static void pool_free(dss_pool *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->items[i].der);
	free(p->items);
}

/* What the file's DSS holds, decoded so that the same item is not stored twice. */
static void pool_load(dss_pool *p, qpdf_data q, qpdf_oh dss)
{
	int k, i, n;
	char ref[32], why[160];

	for (k = 0; k < K_N; k++) {
		qpdf_oh arr = qpdf_oh_get_key(q, dss, dss_keys[k]);

		n = qpdf_oh_is_array(q, arr) ? qpdf_oh_get_array_n_items(q, arr) : 0;
		for (i = 0; i < n && i < DSS_MAX_ITEMS; i++) {
			qpdf_oh st = qpdf_oh_get_array_item(q, arr, i);
			unsigned char *der = NULL;
			size_t len = 0;

			if (!qpdf_oh_is_stream(q, st) || !qpdf_oh_is_indirect(q, st))
				continue;
			if (es_pdf_stream_decode(q, st, DSS_ENTRY_MAX, &der, &len, why, sizeof(why)) != ES_PDF_DECODE_OK)
				der = NULL;
			snprintf(ref, sizeof(ref), "%d %d R", qpdf_oh_get_object_id(q, st), qpdf_oh_get_generation(q, st));
			pool_add(p, k, der, len, ref);
		}
		es_pdf_clear_error(q);
	}
}

/* The reference of the stream holding der (kind), written now when no stream holds it yet; NULL when out of memory. */
static const char *intern(dss_pool *p, es_pdf_update *u, int kind, unsigned char *der, size_t len)
{
	dss_item *it;
	size_t i;
	char ref[32];
	long long num;

	for (i = 0; i < p->n; i++) {
		it = &p->items[i];
		if (it->kind == kind && it->der != NULL && it->len == len && memcmp(it->der, der, len) == 0) {
			free(der);
			return it->ref;
		}
	}
	num = es_pdf_update_new_num(u);
	es_pdf_update_stream(u, num, "", der, len);
	snprintf(ref, sizeof(ref), "%lld 0 R", num);
	if ((it = pool_add(p, kind, der, len, ref)) == NULL)
		return NULL;
	it->added = 1;
	return it->ref;
}

/* The DER of the ith item of kind in ev (malloc'd), or NULL. */
static unsigned char *item_der(const es_evidence *ev, int kind, int i, size_t *len)
{
	unsigned char *der = NULL, *p;
	int n = -1;

	if (kind == K_CERT)
		n = i2d_X509(sk_X509_value(ev->certs, i), NULL);
	else if (kind == K_OCSP)
		n = i2d_OCSP_RESPONSE(sk_OCSP_RESPONSE_value(ev->ocsps, i), NULL);
	else
		n = i2d_X509_CRL(sk_X509_CRL_value(ev->crls, i), NULL);
	if (n <= 0 || (der = malloc((size_t)n)) == NULL)
		return NULL;
	p = der;
	if (kind == K_CERT)
		i2d_X509(sk_X509_value(ev->certs, i), &p);
	else if (kind == K_OCSP)
		i2d_OCSP_RESPONSE(sk_OCSP_RESPONSE_value(ev->ocsps, i), &p);
	else
		i2d_X509_CRL(sk_X509_CRL_value(ev->crls, i), &p);
	*len = (size_t)n;
	return der;
}

static int ev_count(const es_evidence *ev, int kind)
{
	return kind == K_CERT ? sk_X509_num(ev->certs) : kind == K_OCSP ? sk_OCSP_RESPONSE_num(ev->ocsps) :
									    sk_X509_CRL_num(ev->crls);
}

/* Appends ref to a space-separated list unless it is there. */
static void list_add(es_buf *b, const char *ref)
{
	char pat[40];

	snprintf(pat, sizeof(pat), " %s ", ref);
	if (b->data != NULL && strstr(b->data, pat) != NULL)
		return;
	if (b->len == 0)
		es_buf_puts(b, " ");
	es_buf_printf(b, "%s ", ref);
}

/* The references of an old VRI entry's array (an array of indirect streams) into b. */
static void old_refs(qpdf_data q, qpdf_oh arr, es_buf *b)
{
	int i, n = qpdf_oh_is_array(q, arr) ? qpdf_oh_get_array_n_items(q, arr) : 0;
	char ref[32];

	for (i = 0; i < n && i < DSS_MAX_ITEMS; i++) {
		qpdf_oh it = qpdf_oh_get_array_item(q, arr, i);

		if (qpdf_oh_is_indirect(q, it)) {
			snprintf(ref, sizeof(ref), "%d %d R", qpdf_oh_get_object_id(q, it), qpdf_oh_get_generation(q, it));
			list_add(b, ref);
		}
	}
}

/* One VRI entry: what an old entry of the same key named, and this signature's data. No /TU: it would be a time
 * we only claim; the document time-stamp of B-LTA is what proves when the data were there. */
static int write_vri(dss_pool *p, es_pdf_update *u, qpdf_data q, qpdf_oh old_vri, const es_pdf_vri *v, es_buf *out)
{
	qpdf_oh old;
	es_buf refs[K_N];
	int k, i, n, rc = 0;
	char name[48];
	size_t len;

	memset(refs, 0, sizeof(refs));
	snprintf(name, sizeof(name), "/%s", v->key);
	old = qpdf_oh_get_key(q, old_vri, name);
	for (k = 0; k < K_N; k++) {
		if (qpdf_oh_is_dictionary(q, old))
			old_refs(q, qpdf_oh_get_key(q, old, vri_keys[k]), &refs[k]);
		n = ev_count(v->ev, k);
		for (i = 0; i < n; i++) {
			unsigned char *der = item_der(v->ev, k, i, &len);
			const char *ref = der != NULL ? intern(p, u, k, der, len) : NULL;

			if (ref == NULL) {
				rc = -1;
				goto cleanup;
			}
			list_add(&refs[k], ref);
		}
	}
	es_buf_printf(out, " %s <<", name);
	for (k = 0; k < K_N; k++)
		if (refs[k].len > 0)
			es_buf_printf(out, " %s [%s]", vri_keys[k], refs[k].data);
	es_buf_puts(out, " >>");
cleanup:
	for (k = 0; k < K_N; k++) {
		if (refs[k].oom)
			rc = -1;
		es_buf_free(&refs[k]);
	}
	es_pdf_clear_error(q);
	return rc;
}

static int vri_listed(const es_pdf_vri *vris, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (name[0] == '/' && strcmp(vris[i].key, name + 1) == 0)
			return 1;
	return 0;
}

/* The /VRI dictionary: old entries of other signatures as they were, then one per signature of vris. */
static int write_vri_dict(dss_pool *p, es_pdf_update *u, es_pdf_doc *doc, qpdf_oh old_vri, const es_pdf_vri *vris,
			  size_t n, es_buf *out)
{
	qpdf_data q = doc->q;
	char **keys = NULL;
	size_t nk = 0, i;
	int rc = 0;

	es_buf_puts(out, " /VRI <<");
	if (qpdf_oh_is_dictionary(q, old_vri) && (keys = es_pdf_dict_keys(q, old_vri, &nk)) != NULL) {
		for (i = 0; i < nk; i++) {
			if (vri_listed(vris, n, keys[i]))
				continue;
			qpdf_oh v = qpdf_oh_get_key(q, old_vri, keys[i]);
			qpdf_oh nm = qpdf_oh_new_name(q, keys[i]);

			es_buf_printf(out, " %s %s", qpdf_oh_unparse(q, nm), qpdf_oh_unparse(q, v));
		}
		es_pdf_free_keys(keys, nk);
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = write_vri(p, u, q, old_vri, &vris[i], out);
	es_buf_puts(out, " >>");
	return rc;
}

/* "/Extensions << ... /ESIC << /BaseVersion /1.7 /ExtensionLevel 5 >> >>": the document uses PAdES's DSS
 * (ETSI EN 319 142-1 5.4.1); other extensions stay, an ESIC of a higher level too. */
static int write_extensions(es_pdf_doc *doc, qpdf_oh root, es_buf *out, eseal_error *err)
{
	static const char *const skip[] = {"/ESIC", NULL};
	static const char esic[] = "/ESIC << /BaseVersion /1.7 /ExtensionLevel 5 >>";
	qpdf_oh ext = qpdf_oh_get_key(doc->q, root, "/Extensions");
	qpdf_oh lvl = qpdf_oh_get_key(doc->q, qpdf_oh_get_key(doc->q, ext, "/ESIC"), "/ExtensionLevel");
	int keep = qpdf_oh_is_integer(doc->q, lvl) && qpdf_oh_get_int_value(doc->q, lvl) >= 5;

	es_pdf_clear_error(doc->q);
	es_buf_puts(out, " /Extensions ");
	if (!qpdf_oh_is_dictionary(doc->q, ext)) {
		es_buf_printf(out, "<< %s >>", esic);
		return ESEAL_OK;
	}
	return es_pdf_dict_rewrite(doc, ext, keep ? NULL : skip, keep ? NULL : esic, out, err);
}

int es_pdf_dss_write(es_pdf_update *u, es_pdf_doc *doc, const es_pdf_vri *vris, size_t n, eseal_error *err)
{
	static const char *const skip_dss[] = {"/Type", "/Certs", "/OCSPs", "/CRLs", "/VRI", NULL};
	static const char *const skip_catalog[] = {"/DSS", "/Extensions", NULL};
	qpdf_data q = doc->q;
	qpdf_oh root = qpdf_get_root(q), dss = qpdf_oh_get_key(q, root, "/DSS");
	dss_pool pool = {0};
	es_buf body = {0}, text = {0}, cat = {0};
	long long dss_num;
	size_t i;
	int k, rc = ESEAL_OK, old = qpdf_oh_is_dictionary(q, dss);

	if (old)
		pool_load(&pool, q, dss);
	if (write_vri_dict(&pool, u, doc, qpdf_oh_get_key(q, dss, "/VRI"), vris, n, &body) != 0 || pool.oom) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", doc->path);
		goto cleanup;
	}
	/* Every item once in the document-wide arrays: the old ones where they were, the new ones after them. */
	for (k = 0; k < K_N; k++) {
		int any = 0;

		for (i = 0; i < pool.n; i++) {
			if (pool.items[i].kind != k)
				continue;
			es_buf_printf(&body, "%s%s", any ? " " : (k == 0 ? " /Certs [" : k == 1 ? " /OCSPs [" : " /CRLs ["),
				      pool.items[i].ref);
			any = 1;
		}
		if (any)
			es_buf_puts(&body, "]");
	}
	/* (old entries that are no indirect stream, or beyond the first 1000, are dropped: no reader could use them) */
	dss_num = es_pdf_update_new_num(u);
	es_pdf_update_begin_obj(u, dss_num, 0);
	if (old) {
		if ((rc = es_pdf_dict_rewrite(doc, dss, skip_dss, body.data, &text, err)) != ESEAL_OK)
			goto cleanup;
		es_buf_puts(&u->buf, "<< /Type /DSS ");
		es_buf_append(&u->buf, text.data + 2, text.len - 2);
	} else {
		es_buf_printf(&u->buf, "<< /Type /DSS%s >>", body.data != NULL ? body.data : "");
	}
	es_pdf_update_end_obj(u);
	es_buf_printf(&cat, "/DSS %lld 0 R", dss_num);
	if ((rc = write_extensions(doc, root, &cat, err)) != ESEAL_OK)
		goto cleanup;
	es_buf_free(&text);
	if ((rc = es_pdf_dict_rewrite(doc, root, skip_catalog, cat.data, &text, err)) != ESEAL_OK)
		goto cleanup;
	es_pdf_update_replace(u, q, root, &text);
	if (u->buf.oom || body.oom || cat.oom)
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", doc->path);
cleanup:
	pool_free(&pool);
	es_buf_free(&body);
	es_buf_free(&text);
	es_buf_free(&cat);
	qpdf_oh_release(q, dss);
	qpdf_oh_release(q, root);
	return rc;
}
