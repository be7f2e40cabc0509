/* xml/xades_ltv.c: eseal_xml_extend: raises the XAdES seals of a document to B-LT (CertificateValues, RevocationValues,
 * xadesv141:TimeStampValidationData) and B-LTA (xadesv141:ArchiveTimeStamp), or renews an archive time-stamp. */
#include "xades_ltv.h"

#include "xml_internal.h"
#include "xml_verify.h"
#include "xml_verify_internal.h"
#include "eseal/extend.h"
#include "cms/ltv_collect.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "pki/evidence.h"
#include "pki/renew.h"
#include "pki/report.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>
#include <openssl/ocsp.h>

/* What one run shares while it goes through the seals of a document. */
typedef struct extend_ctx {
	const char *path;
	const eseal_extend_options *opts;
	int dirfd; /* the document's directory: detached data files of an archive time-stamp's References */
} extend_ctx;

static const es_input_role xml_role = {"cannot read", ESEAL_E_IO, ESEAL_E_INPUT, ES_XML_MAX_BYTES, 0};

/* <parent>/<name> holding base64 DER; the DER is OPENSSL_free'd here. */
static int add_b64(xmlNodePtr parent, xmlNsPtr ns, const char *name, unsigned char *der, int len)
{
	char *b64 = len > 0 ? es_xml_base64(der, (size_t)len) : NULL;
	xmlNodePtr n = b64 != NULL ? xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST b64) : NULL;

	OPENSSL_free(der);
	OPENSSL_free(b64);
	return n != NULL ? 0 : -1;
}

/* Appends to parent a xades:CertificateValues and a xades:RevocationValues with what add holds and have lacks (each
 * element only when it gets content: an empty one would claim validation data that is not there), recording those
 * items in have (es_evidence_add_* adds only what is not there yet: a stack that did not grow means "carried").
 * *added counts them. */
static int add_values(xmlNodePtr parent, xmlNsPtr xns, const es_evidence *add, es_evidence *have, int *added)
{
	xmlNodePtr cv = NULL, rv = NULL, crlv = NULL, ocspv = NULL;
	int i, n;

	for (i = 0; i < sk_X509_num(add->certs); i++) {
		X509 *x = sk_X509_value(add->certs, i);
		unsigned char *der = NULL;

		n = sk_X509_num(have->certs);
		if (es_evidence_add_cert(have, x) != 0)
			return -1;
		if (sk_X509_num(have->certs) == n)
			continue;
		if ((cv == NULL && (cv = xmlNewChild(parent, xns, BAD_CAST "CertificateValues", NULL)) == NULL) ||
		    add_b64(cv, xns, "EncapsulatedX509Certificate", der, i2d_X509(x, &der)) != 0)
			return -1;
		++*added;
	}
	for (i = 0; i < sk_X509_CRL_num(add->crls); i++) {
		X509_CRL *c = sk_X509_CRL_value(add->crls, i);
		unsigned char *der = NULL;

		n = sk_X509_CRL_num(have->crls);
		if (es_evidence_add_crl(have, c) != 0)
			return -1;
		if (sk_X509_CRL_num(have->crls) == n)
			continue;
		if ((rv == NULL && (rv = xmlNewChild(parent, xns, BAD_CAST "RevocationValues", NULL)) == NULL) ||
		    (crlv == NULL && (crlv = xmlNewChild(rv, xns, BAD_CAST "CRLValues", NULL)) == NULL) ||
		    add_b64(crlv, xns, "EncapsulatedCRLValue", der, i2d_X509_CRL(c, &der)) != 0)
			return -1;
		++*added;
	}
	for (i = 0; i < sk_OCSP_RESPONSE_num(add->ocsps); i++) {
		OCSP_RESPONSE *o = sk_OCSP_RESPONSE_value(add->ocsps, i);
		unsigned char *der = NULL;

		n = sk_OCSP_RESPONSE_num(have->ocsps);
		if (es_evidence_add_ocsp(have, o) != 0)
			return -1;
		if (sk_OCSP_RESPONSE_num(have->ocsps) == n)
			continue;
		/* the schema orders CRLValues before OCSPValues */
		if ((rv == NULL && (rv = xmlNewChild(parent, xns, BAD_CAST "RevocationValues", NULL)) == NULL) ||
		    (ocspv == NULL && (ocspv = xmlNewChild(rv, xns, BAD_CAST "OCSPValues", NULL)) == NULL) ||
		    add_b64(ocspv, xns, "EncapsulatedOCSPValue", der, i2d_OCSP_RESPONSE(o, &der)) != 0)
			return -1;
		++*added;
	}
	return 0;
}

/* xadesv141:TimeStampValidationData holding what add has and have lacks; nothing when that is nothing. */
static int add_ts_validation_data(xmlNodePtr usp, xmlNsPtr xns, const es_evidence *add, es_evidence *have)
{
	xmlNodePtr tsvd = xmlNewChild(usp, NULL, BAD_CAST "TimeStampValidationData", NULL);
	xmlNsPtr ns141 = tsvd != NULL ? xmlNewNs(tsvd, BAD_CAST NS_XADES141, BAD_CAST "xadesv141") : NULL;
	int added = 0;

	if (ns141 == NULL)
		return -1;
	xmlSetNs(tsvd, ns141);
	if (add_values(tsvd, xns, add, have, &added) != 0)
		return -1;
	if (added == 0) {
		xmlUnlinkNode(tsvd);
		xmlFreeNode(tsvd);
	}
	return 0;
}

static unsigned char *token_of(xmlNodePtr ts, size_t *len)
{
	xmlNodePtr et = es_xv_child(ts, NS_XADES, "EncapsulatedTimeStamp");
	xmlChar *b64 = et != NULL ? xmlNodeGetContent(et) : NULL;
	unsigned char *token = es_xv_b64_decode(b64, len);

	xmlFree(b64);
	return token;
}

/* B-LT: the signer's chain (after the earliest signature time-stamp) into CertificateValues and RevocationValues,
 * each signature time-stamp's TSA chain into TimeStampValidationData. */
static int add_long_term(const extend_ctx *x, xmlNodePtr sig, xmlNodePtr qp, xmlNodePtr usp, xmlNsPtr xns,
			 es_evidence *have, const char *sid, eseal_error *err)
{
	const eseal_verifier *v = x->opts->verifier;
	STACK_OF(X509) *keyinfo = sk_X509_new_null();
	es_evidence *sig_ev = es_evidence_new(), *tsa_ev = es_evidence_new();
	eseal_report *scratch = es_report_new(x->path);
	eseal_seal_report *ss = scratch != NULL ? es_report_add_seal(scratch, "XAdES", "signature") : NULL;
	xmlNodePtr n;
	time_t poe = 0;
	X509 *signer;
	int rc = ESEAL_OK, bound = 0, added = 0;

	if (keyinfo == NULL || sig_ev == NULL || tsa_ev == NULL || ss == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", x->path);
		goto cleanup;
	}
	for (n = usp->children; n != NULL; n = n->next) {
		unsigned char *token;
		size_t len = 0;
		time_t gen = 0;

		if (!es_xv_is_el(n, NS_XADES, "SignatureTimeStamp"))
			continue;
		if ((token = token_of(n, &len)) == NULL) {
			rc = es_error_set(err, ESEAL_E_INPUT,
					  "%s: seal %s: unreadable xades:SignatureTimeStamp (line %ld)", x->path, sid,
					  xmlGetLineNo(n));
			goto cleanup;
		}
		rc = es_ltv_collect_tst(v, token, len, tsa_ev, &gen, err);
		free(token);
		if (rc != ESEAL_OK) {
			es_error_prefix(err, "%s: seal %s: signature time-stamp", x->path, sid);
			goto cleanup;
		}
		if (poe == 0 || gen < poe)
			poe = gen;
	}
	if (poe == 0) {
		rc = es_error_set(
			err, ESEAL_E_INPUT,
			"%s: seal %s needs a signature time-stamp (B-T) first: XAdES has no document time-stamp",
			x->path, sid);
		goto cleanup;
	}
	es_xv_collect_certs(es_xv_child(sig, NS_DS, "KeyInfo"), keyinfo);
	signer = es_xv_pick_signer(keyinfo, es_xv_child(qp, NS_XADES, "SignedProperties"), ss, &bound);
	if (signer == NULL) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: seal %s: its signing certificate is not in ds:KeyInfo",
				  x->path, sid);
		goto cleanup;
	}
	/* the candidates for the chain: everything the signature offers */
	rc = es_ltv_collect_chain(v, signer, have->certs, poe, sig_ev, err);
	if (rc != ESEAL_OK) {
		es_error_prefix(err, "%s: seal %s", x->path, sid);
		goto cleanup;
	}
	if (add_values(usp, xns, sig_ev, have, &added) != 0 || add_ts_validation_data(usp, xns, tsa_ev, have) != 0)
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot add the validation data", x->path);
cleanup:
	sk_X509_pop_free(keyinfo, X509_free);
	es_evidence_free(sig_ev);
	es_evidence_free(tsa_ev);
	eseal_report_free(scratch);
	return rc;
}

/* B-LTA renewal: the newest archive time-stamp's TSA chain into a TimeStampValidationData, before the next one. */
static int add_renewal_data(const extend_ctx *x, xmlNodePtr usp, xmlNsPtr xns, es_evidence *have, const char *sid,
			    eseal_error *err)
{
	es_evidence *tsa_ev = es_evidence_new();
	xmlNodePtr n, last = NULL;
	unsigned char *token = NULL;
	size_t len = 0;
	time_t gen = 0;
	int rc;

	for (n = usp->children; n != NULL; n = n->next)
		if (es_xv_is_el(n, NS_XADES141, "ArchiveTimeStamp"))
			last = n;
	if (tsa_ev == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", x->path);
		goto cleanup;
	}
	if ((token = token_of(last, &len)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: seal %s: unreadable archive time-stamp (line %ld)", x->path,
				  sid, xmlGetLineNo(last));
		goto cleanup;
	}
	rc = es_ltv_collect_tst(x->opts->verifier, token, len, tsa_ev, &gen, err);
	if (rc != ESEAL_OK) {
		es_error_prefix(err, "%s: seal %s: archive time-stamp", x->path, sid);
		goto cleanup;
	}
	if (add_ts_validation_data(usp, xns, tsa_ev, have) != 0)
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot add the validation data", x->path);
cleanup:
	free(token);
	es_evidence_free(tsa_ev);
	return rc;
}

/* xadesv141:ArchiveTimeStamp over everything before it (xades_ats.c), from the options' TSA. */
static int add_archive_timestamp(const extend_ctx *x, xmlNodePtr sig, xmlNodePtr usp, xmlNsPtr xns, const char *sid,
				 eseal_error *err)
{
	xmlNsPtr dsns = xmlSearchNsByHref(sig->doc, sig, BAD_CAST NS_DS);
	xmlNodePtr ats = xmlNewChild(usp, NULL, BAD_CAST "ArchiveTimeStamp", NULL), cm = NULL;
	xmlNsPtr ns141 = ats != NULL ? xmlNewNs(ats, BAD_CAST NS_XADES141, BAD_CAST "xadesv141") : NULL;
	unsigned char dig[EVP_MAX_MD_SIZE], *token = NULL;
	unsigned int dlen = 0;
	size_t tlen = 0;
	char id[64], why[512], *b64 = NULL;
	int rc;

	if (ns141 == NULL || dsns == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build xadesv141:ArchiveTimeStamp", x->path);
	xmlSetNs(ats, ns141);
	if ((rc = es_xml_new_id(id, sizeof(id), "ArchiveTimeStamp-", err)) != ESEAL_OK)
		return rc;
	xmlSetProp(ats, BAD_CAST "Id", BAD_CAST id);
	cm = xmlNewChild(ats, dsns, BAD_CAST "CanonicalizationMethod", NULL);
	if (cm == NULL || xmlSetProp(cm, BAD_CAST "Algorithm", BAD_CAST ES_ALG_EXC_C14N) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build xadesv141:ArchiveTimeStamp", x->path);
	/* The imprint is the TSA client's algorithm: the token must state the one used over the input. */
	if (es_xades_ats_digest(sig, ats, BAD_CAST ES_ALG_EXC_C14N, eseal_tsa_md(x->opts->tsa), x->dirfd, dig, &dlen,
				why, sizeof(why)) != 0)
		return es_error_set(err, ESEAL_E_INPUT, "%s: seal %s: archive time-stamp input: %s", x->path, sid, why);
	rc = eseal_tsa_stamp_digest(x->opts->tsa, dig, dlen, &token, &tlen, err);
	if (rc != ESEAL_OK) {
		es_error_prefix(err, "%s: seal %s: archive time-stamp", x->path, sid);
		return rc;
	}
	b64 = es_xml_base64(token, tlen);
	if (b64 == NULL || xmlNewTextChild(ats, xns, BAD_CAST "EncapsulatedTimeStamp", BAD_CAST b64) == NULL)
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: cannot build xadesv141:ArchiveTimeStamp", x->path);
	OPENSSL_free(b64);
	OPENSSL_free(token);
	return rc;
}

/* xades:UnsignedProperties/UnsignedSignatureProperties of qp, made (after SignedProperties) when missing. */
static xmlNodePtr ensure_usp(xmlNodePtr qp, xmlNsPtr xns)
{
	xmlNodePtr up = es_xv_child(qp, NS_XADES, "UnsignedProperties"), usp;

	if (up == NULL) {
		xmlNodePtr sp = es_xv_child(qp, NS_XADES, "SignedProperties");

		up = xmlNewDocNode(qp->doc, xns, BAD_CAST "UnsignedProperties", NULL);
		if (up == NULL)
			return NULL;
		if (sp != NULL)
			xmlAddNextSibling(sp, up);
		else
			xmlAddChild(qp, up);
	}
	usp = es_xv_child(up, NS_XADES, "UnsignedSignatureProperties");
	if (usp == NULL) {
		/* UnsignedDataObjectProperties, if any, follows it */
		usp = xmlNewDocNode(qp->doc, xns, BAD_CAST "UnsignedSignatureProperties", NULL);
		if (usp != NULL && up->children != NULL)
			xmlAddPrevSibling(up->children, usp);
		else if (usp != NULL)
			xmlAddChild(up, usp);
	}
	return usp;
}

static int extend_one(const extend_ctx *x, xmlNodePtr sig, const eseal_seal_report *s, eseal_error *err)
{
	const char *sid = s->id != NULL ? s->id : "(no Id)";
	xmlNodePtr qp = NULL, obj, usp;
	xmlNsPtr xns;
	es_evidence *have = es_evidence_new();
	int rc = ESEAL_OK, lt = strcmp(s->level, "B-LT") == 0, lta = strcmp(s->level, "B-LTA") == 0;

	for (obj = sig->children; obj != NULL && qp == NULL; obj = obj->next)
		if (es_xv_is_el(obj, NS_DS, "Object"))
			qp = es_xv_child(obj, NS_XADES, "QualifyingProperties");
	xns = qp != NULL ? xmlSearchNsByHref(qp->doc, qp, BAD_CAST NS_XADES) : NULL;
	usp = xns != NULL ? ensure_usp(qp, xns) : NULL;
	if (have == NULL || usp == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: seal %s: cannot reach its unsigned properties", x->path,
				  sid);
		goto cleanup;
	}
	/* What the signature already carries is not added twice. */
	es_xv_collect_certs(sig, have->certs);
	es_xv_collect_revocation(qp, have);
	if (!lt && !lta)
		rc = add_long_term(x, sig, qp, usp, xns, have, sid, err);
	else if (lta && x->opts->level == ESEAL_LEVEL_B_LTA)
		rc = add_renewal_data(x, usp, xns, have, sid, err);
	if (rc == ESEAL_OK && x->opts->level == ESEAL_LEVEL_B_LTA)
		rc = add_archive_timestamp(x, sig, usp, xns, sid, err);
cleanup:
	es_evidence_free(have);
	return rc;
}

/* Every seal must verify and have a time-stamp before anything is added: a broken seal is not made long-term. */
static int check_report(const char *path, const eseal_report *r, eseal_error *err)
{
	size_t i;

	if (r->error != NULL || r->n_seals == 0)
		return es_error_set(err, ESEAL_E_INPUT, "%s: no seal to extend (%s)", path,
				    r->error != NULL ? r->error : "no ds:Signature found");
	for (i = 0; i < r->n_seals; i++) {
		const eseal_seal_report *s = &r->seals[i];
		const char *sid = s->id != NULL ? s->id : "(no Id)";

		if (s->indication == ESEAL_TOTAL_FAILED)
			return es_error_set(err, ESEAL_E_INPUT,
					    "%s: seal %s does not verify (TOTAL-FAILED: %s): refused", path, sid,
					    s->n_errors > 0 ? s->errors[0] : "no reason given");
		if (s->level == NULL)
			return es_error_set(err, ESEAL_E_INPUT,
					    "%s: seal %s is not a XAdES baseline seal (%s): cannot extend it", path,
					    sid,
					    s->n_errors > 0   ? s->errors[0] :
					    s->n_warnings > 0 ? s->warnings[0] :
								"no level reached");
		if (strcmp(s->level, "B-B") == 0)
			return es_error_set(
				err, ESEAL_E_INPUT,
				"%s: seal %s needs a signature time-stamp (B-T) first: XAdES has no document "
				"time-stamp",
				path, sid);
	}
	return ESEAL_OK;
}

static int check_options(const char *in_path, const char *out_path, const eseal_extend_options *opts, eseal_error *err)
{
	if (in_path == NULL || out_path == NULL || opts == NULL || opts->verifier == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "XML extend: input, output, options and verifier are required");
	if (opts->level != ESEAL_LEVEL_B_LT && opts->level != ESEAL_LEVEL_B_LTA)
		return es_error_set(err, ESEAL_E_USAGE, "%s: XML extend: the level must be B-LT or B-LTA", in_path);
	if (opts->level == ESEAL_LEVEL_B_LTA && opts->tsa == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "%s: XML extend: B-LTA needs a TSA", in_path);
	return ESEAL_OK;
}

eseal_status esx_extend_in(const char *in_path, const char *data_dir, const char *out_path,
			   const eseal_extend_options *opts, eseal_extend_result *result, eseal_error *err)
{
	extend_ctx x = {in_path, opts, -1};
	eseal_report *r = NULL;
	unsigned char *buf = NULL;
	size_t len = 0, n = 0, i, seen = 0;
	char *dir = NULL, why[512], dup[128];
	const char *base = NULL;
	xmlNodePtr sigs[ES_XML_MAX_SIGS];
	xmlDocPtr doc = NULL;
	es_xml_source src;
	eseal_xml_options xo;
	es_xml_errors cap;
	int rc, capturing = 0;

	eseal_error_clear(err);
	if (result != NULL)
		memset(result, 0, sizeof(*result));
	if ((rc = check_options(in_path, out_path, opts, err)) != ESEAL_OK)
		return rc;
	/* One read: what is verified is what gets extended. */
	if ((rc = es_input_read(in_path, &xml_role, &buf, &len, err)) != ESEAL_OK)
		return rc;
	dir = strdup(in_path);
	r = es_report_new(in_path);
	if (dir == NULL || r == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	base = data_dir != NULL ? data_dir : dirname(dir); /* may point into dir, or to a static "." */
	esx_verify(opts->verifier, buf, len, base, r);
	if ((rc = check_report(in_path, r, err)) != ESEAL_OK || es_extend_is_current(opts, r, result))
		goto cleanup;

	es_xml_errors_begin(&cap);
	capturing = 1;
	memset(&src, 0, sizeof(src));
	src.utf8_bom = len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF;
	src.has_decl = len >= (size_t)(src.utf8_bom ? 8 : 5) && memcmp(buf + (src.utf8_bom ? 3 : 0), "<?xml", 5) == 0;
	rc = es_xml_read(buf, len, -1, in_path, &doc, NULL, why, sizeof(why));
	if (rc != ESEAL_OK) {
		rc = es_error_set(err, rc, "%s: %s", in_path, why);
		goto cleanup;
	}
	/* References by Id resolve through xmlsec's ID lookup, as when the verifier checked them. */
	dup[0] = '\0';
	if (es_xv_register_ids(doc, xmlDocGetRootElement(doc), dup, sizeof(dup), &seen) != 0) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: Id \"%s\" is used by two elements", in_path, dup);
		goto cleanup;
	}
	es_xv_collect_sigs(xmlDocGetRootElement(doc), sigs, &n);
	if (n != r->n_seals) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: %zu signatures found, %zu verified", in_path, n,
				  r->n_seals);
		goto cleanup;
	}
	x.dirfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; i < n && rc == ESEAL_OK; i++)
		rc = extend_one(&x, sigs[i], &r->seals[i], err);
	if (rc != ESEAL_OK)
		goto cleanup;
	memset(&xo, 0, sizeof(xo));
	xo.overwrite = opts->overwrite;
	xo.output_group = opts->output_group;
	xo.output_cookie = opts->output_cookie;
	rc = es_xml_write(doc, &src, in_path, out_path, &xo, &cap, err);
cleanup:
	if (x.dirfd >= 0)
		close(x.dirfd);
	if (capturing)
		es_xml_errors_end(&cap);
	xmlFreeDoc(doc);
	eseal_report_free(r);
	free(dir);
	free(buf);
	return rc;
}
