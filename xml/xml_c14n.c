/* xml/xml_c14n.c: the sealer's exclusive C14N (without comments) of a subtree, or of the document but one subtree,
 * into memory or straight into a digest: the node sets xmlsec builds for these References, without its contexts. */
#include "xml_internal.h"
#include "core/error_internal.h"

#include <string.h>

#include <libxml/c14n.h>
#include <libxml/xmlIO.h>
#include <openssl/crypto.h>

/* inside: only this subtree (NULL: the whole document); outside: minus this subtree (NULL: nothing left out). */
typedef struct scope {
	xmlNodePtr inside;
	xmlNodePtr outside;
} scope;

/* What xmlsec's tree node sets hold: a node belongs to the subtree of an element when it, or for an attribute or
 * a namespace node the element carrying it, is that element or lies below it. Comments are never in (URI="" and
 * "#id" drop them, and C14N without comments would anyway). */
static int visible(void *ud, xmlNodePtr node, xmlNodePtr parent)
{
	const scope *s = ud;
	int in = s->inside == NULL, out = 0;
	xmlNodePtr n;

	if (node != NULL && node->type == XML_COMMENT_NODE)
		return 0;
	n = (node == NULL || node->type == XML_NAMESPACE_DECL) ? parent
	    : node->type == XML_ATTRIBUTE_NODE	      ? node->parent
						      : node;
	for (; n != NULL; n = n->parent) {
		if (n == s->inside)
			in = 1;
		if (n == s->outside)
			out = 1;
	}
	return in && !out;
}

static int run(xmlDocPtr doc, const scope *s, xmlOutputBufferPtr ob)
{
	/* xmlC14NExecute takes the callback's data as non-const; it only reads it. */
	return xmlC14NExecute(doc, visible, (void *)s, XML_C14N_EXCLUSIVE_1_0, NULL, 0, ob);
}

static int hash_write(void *ctx, const char *buf, int len)
{
	return EVP_DigestUpdate(ctx, buf, (size_t)len) == 1 ? len : -1;
}

static int hash_close(void *ctx)
{
	(void)ctx;
	return 0;
}

int es_xml_c14n_digest(xmlDocPtr doc, xmlNodePtr inside, xmlNodePtr outside, const EVP_MD *md, unsigned char *digest,
		       unsigned int *digest_len)
{
	scope s = {inside, outside};
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	xmlOutputBufferPtr ob = NULL;
	int ok = 0;

	if (h == NULL || EVP_DigestInit_ex(h, md, NULL) != 1)
		goto cleanup;
	/* Canonical bytes go to the hash as libxml2 flushes them: no copy of the whole form is kept. */
	ob = xmlOutputBufferCreateIO(hash_write, hash_close, h, NULL);
	if (ob == NULL)
		goto cleanup;
	ok = run(doc, &s, ob) >= 0;
	if (xmlOutputBufferClose(ob) < 0)
		ok = 0;
	ok = ok && EVP_DigestFinal_ex(h, digest, digest_len) == 1;
cleanup:
	EVP_MD_CTX_free(h);
	return ok ? 0 : -1;
}

int es_xml_c14n_node(xmlNodePtr node, unsigned char **out, size_t *out_len, es_xml_errors *cap, const char *path,
		     eseal_error *err)
{
	scope s = {node, NULL};
	xmlOutputBufferPtr ob = xmlAllocOutputBuffer(NULL);
	size_t n;

	*out = NULL;
	*out_len = 0;
	if (ob == NULL || run(node->doc, &s, ob) < 0) {
		if (ob != NULL)
			xmlOutputBufferClose(ob);
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: canonicalisation of %s failed: %s", path,
				    (const char *)node->name, es_xml_errors_reason(cap, "libxml2 failure"));
	}
	n = xmlBufUse(ob->buffer);
	*out = OPENSSL_malloc(n + 1);
	if (*out != NULL) {
		memcpy(*out, xmlBufContent(ob->buffer), n);
		*out_len = n;
	}
	xmlOutputBufferClose(ob);
	if (*out == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", path);
	return ESEAL_OK;
}
