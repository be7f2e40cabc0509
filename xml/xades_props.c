/* xml/xades_props.c: xades:QualifyingProperties (ETSI EN 319 132-1 baseline): SigningTime, SigningCertificateV2,
 * a DataObjectFormat per data Reference, and for B-T the SignatureTimeStamp. */
#include "xades_props.h"

#include "xml_internal.h"
#include "core/error_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <xmlsec/templates.h>

const char *es_xml_digest_href(const EVP_MD *md)
{
	switch (EVP_MD_get_type(md)) {
	case NID_sha384: return "http://www.w3.org/2001/04/xmldsig-more#sha384";
	case NID_sha512: return "http://www.w3.org/2001/04/xmlenc#sha512";
	default: return "http://www.w3.org/2001/04/xmlenc#sha256";
	}
}

/* DER of RFC 5035 IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber },
 * what xades:IssuerSerialV2 carries (base64). GeneralNames is here one directoryName, [4] EXPLICIT Name: written
 * around the certificate's own encoding of its issuer, which saves copying the name into a GENERAL_NAME per seal. */
static int issuer_serial_der(X509 *cert, unsigned char **der, int *der_len)
{
	const X509_NAME *issuer = X509_get_issuer_name(cert);
	const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
	unsigned char *p = NULL;
	int l_name, l_dirname, l_names, l_serial, total;

	*der = NULL;
	l_name = i2d_X509_NAME(issuer, NULL);
	l_serial = i2d_ASN1_INTEGER(serial, NULL);
	if (l_name <= 0 || l_serial <= 0)
		return 0;
	l_dirname = ASN1_object_size(1, l_name, 4);
	l_names = ASN1_object_size(1, l_dirname, V_ASN1_SEQUENCE);
	total = ASN1_object_size(1, l_names + l_serial, V_ASN1_SEQUENCE);
	if (l_dirname <= 0 || l_names <= 0 || total <= 0 || (*der = OPENSSL_malloc((size_t)total)) == NULL)
		return 0;
	p = *der;
	ASN1_put_object(&p, 1, l_names + l_serial, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
	ASN1_put_object(&p, 1, l_dirname, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
	ASN1_put_object(&p, 1, l_name, 4, V_ASN1_CONTEXT_SPECIFIC);
	if (i2d_X509_NAME(issuer, &p) != l_name || i2d_ASN1_INTEGER(serial, &p) != l_serial) {
		OPENSSL_free(*der);
		*der = NULL;
		return 0;
	}
	*der_len = total;
	return 1;
}

static int add_signing_certificate(xmlNodePtr ssp, xmlNsPtr xns, xmlNsPtr dsns, X509 *cert, const EVP_MD *md)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	unsigned char *der = NULL;
	int der_len = 0, ok = 0;
	char *b64_digest = NULL, *b64_is = NULL;
	xmlNodePtr cert_node, cd, dm;

	if (cert == NULL || X509_digest(cert, md, digest, &dlen) != 1 || !issuer_serial_der(cert, &der, &der_len))
		goto cleanup;
	b64_digest = es_xml_base64(digest, dlen);
	b64_is = es_xml_base64(der, (size_t)der_len);
	if (b64_digest == NULL || b64_is == NULL)
		goto cleanup;
	cert_node =
		xmlNewChild(xmlNewChild(ssp, xns, BAD_CAST "SigningCertificateV2", NULL), xns, BAD_CAST "Cert", NULL);
	cd = xmlNewChild(cert_node, xns, BAD_CAST "CertDigest", NULL);
	dm = xmlNewChild(cd, dsns, BAD_CAST "DigestMethod", NULL);
	xmlSetProp(dm, BAD_CAST "Algorithm", BAD_CAST es_xml_digest_href(md));
	xmlNewTextChild(cd, dsns, BAD_CAST "DigestValue", BAD_CAST b64_digest);
	xmlNewTextChild(cert_node, xns, BAD_CAST "IssuerSerialV2", BAD_CAST b64_is);
	ok = 1;
cleanup:
	OPENSSL_free(der);
	OPENSSL_free(b64_digest);
	OPENSSL_free(b64_is);
	return ok;
}

int es_xades_add_props(xmlNodePtr sig, const char *sig_id, const es_xml_ref *refs, char *const *ref_ids, size_t n_refs,
		       const eseal_xml_options *opts, xmlNodePtr *qp_out, eseal_error *err)
{
	const EVP_MD *md = opts->md != NULL ? opts->md : EVP_sha256();
	xmlNsPtr dsns = xmlSearchNsByHref(sig->doc, sig, BAD_CAST ES_NS_DS);
	xmlNodePtr obj = xmlSecTmplSignatureAddObject(sig, NULL, NULL, NULL);
	xmlNodePtr qp, sp, ssp, sdop;
	xmlNsPtr xns;
	char when[32], target[128];
	struct tm tm;
	time_t now = time(NULL);

	if (obj == NULL || dsns == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot build ds:Object");
	qp = xmlNewChild(obj, NULL, BAD_CAST "QualifyingProperties", NULL);
	xns = qp != NULL ? xmlNewNs(qp, BAD_CAST ES_NS_XADES, BAD_CAST "xades") : NULL;
	if (xns == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot build xades:QualifyingProperties");
	xmlSetNs(qp, xns);
	snprintf(target, sizeof(target), "#%s", sig_id);
	xmlSetProp(qp, BAD_CAST "Target", BAD_CAST target);
	sp = xmlNewChild(qp, xns, BAD_CAST "SignedProperties", NULL);
	ssp = xmlNewChild(sp, xns, BAD_CAST "SignedSignatureProperties", NULL);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	xmlNewTextChild(ssp, xns, BAD_CAST "SigningTime", BAD_CAST when);
	if (!add_signing_certificate(ssp, xns, dsns, eseal_signer_certificate(opts->signer), md))
		return es_error_set_ossl(err, ESEAL_E_CRYPTO, "cannot build xades:SigningCertificateV2");
	sdop = xmlNewChild(sp, xns, BAD_CAST "SignedDataObjectProperties", NULL);
	for (size_t i = 0; i < n_refs; i++) {
		xmlNodePtr dof = xmlNewChild(sdop, xns, BAD_CAST "DataObjectFormat", NULL);

		snprintf(target, sizeof(target), "#%s", ref_ids[i]);
		xmlSetProp(dof, BAD_CAST "ObjectReference", BAD_CAST target);
		xmlNewTextChild(dof, xns, BAD_CAST "MimeType", BAD_CAST refs[i].mime);
	}
	*qp_out = qp;
	return ESEAL_OK;
}

int es_xades_add_timestamp(xmlNodePtr qp, const char *ts_id, const unsigned char *token, size_t token_len,
			   eseal_error *err)
{
	xmlNsPtr xns = xmlSearchNsByHref(qp->doc, qp, BAD_CAST ES_NS_XADES);
	xmlNsPtr dsns = xmlSearchNsByHref(qp->doc, qp, BAD_CAST ES_NS_DS);
	char *b64 = es_xml_base64(token, token_len);
	xmlNodePtr usp, st, cm;

	if (b64 == NULL || xns == NULL || dsns == NULL) {
		OPENSSL_free(b64);
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot build xades:SignatureTimeStamp");
	}
	usp = xmlNewChild(xmlNewChild(qp, xns, BAD_CAST "UnsignedProperties", NULL), xns,
			  BAD_CAST "UnsignedSignatureProperties", NULL);
	st = xmlNewChild(usp, xns, BAD_CAST "SignatureTimeStamp", NULL);
	xmlSetProp(st, BAD_CAST "Id", BAD_CAST ts_id);
	cm = xmlNewChild(st, dsns, BAD_CAST "CanonicalizationMethod", NULL);
	xmlSetProp(cm, BAD_CAST "Algorithm", BAD_CAST ES_ALG_EXC_C14N);
	xmlNewTextChild(st, xns, BAD_CAST "EncapsulatedTimeStamp", BAD_CAST b64);
	OPENSSL_free(b64);
	return ESEAL_OK;
}
