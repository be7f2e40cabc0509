/* pki/cert_profile.c: what the signing certificate says about the origin of a seal: the organization (O) and its
 * identifier (2.5.4.97), whether it is an e-Seal certificate or a person's, and whether its key usage fits a seal. */
#include "cert_profile.h"

#include "report.h"
#include "x509_text.h"
#include "core/error_internal.h"

#include <openssl/bn.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

/* QCStatements (RFC 3739, ETSI EN 319 412-5) qcType values, matched as DER OID encodings inside the extension:
 * an OID encoding cannot occur by accident inside another well-formed element of that extension. */
static const unsigned char qct_esign[] = {0x06, 0x07, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x01};
static const unsigned char qct_eseal[] = {0x06, 0x07, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x02};

static int qc_type(X509 *cert)
{
	ASN1_OBJECT *obj = OBJ_txt2obj("1.3.6.1.5.5.7.1.3", 1);
	int idx = obj != NULL ? X509_get_ext_by_OBJ(cert, obj, -1) : -1;
	ASN1_OCTET_STRING *data;
	int kind = 0;

	ASN1_OBJECT_free(obj);
	if (idx < 0)
		return -1;
	data = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
	if (memmem(data->data, (size_t)data->length, qct_eseal, sizeof(qct_eseal)) != NULL)
		kind = 2;
	else if (memmem(data->data, (size_t)data->length, qct_esign, sizeof(qct_esign)) != NULL)
		kind = 1;
	return kind;
}

void es_cert_profile(X509 *cert, eseal_seal_report *s)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(cert);
	BIGNUM *bn = ASN1_INTEGER_to_BN(sn, NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	char *given = es_x509_subject_attr(cert, NID_givenName);
	char *surname = es_x509_subject_attr(cert, NID_surname);
	uint32_t ku = X509_get_key_usage(cert);
	int qct = qc_type(cert);

	free(s->organization);
	free(s->organization_identifier);
	free(s->subject);
	free(s->issuer);
	free(s->serial);
	s->organization = es_x509_subject_attr(cert, NID_organizationName);
	s->organization_identifier = es_x509_subject_attr(cert, NID_organizationIdentifier);
	s->subject = es_x509_name_dup(X509_get_subject_name(cert));
	s->issuer = es_x509_name_dup(X509_get_issuer_name(cert));
	s->serial = hex != NULL ? strdup(hex) : NULL;

	if (qct == 2)
		s->cert_kind = ESEAL_CERT_ESEAL;
	else if (qct == 1)
		s->cert_kind = ESEAL_CERT_PERSONAL;
	else if (s->organization != NULL && s->organization_identifier != NULL && given == NULL && surname == NULL)
		s->cert_kind = ESEAL_CERT_ESEAL;
	else
		s->cert_kind = ESEAL_CERT_PERSONAL;
	if (s->cert_kind == ESEAL_CERT_ESEAL && (s->organization == NULL || s->organization_identifier == NULL))
		es_seal_warn(s, "e-Seal certificate without %s in its subject",
			     s->organization == NULL ? "organizationName (O)" : "organizationIdentifier (2.5.4.97)");
	if (s->cert_kind == ESEAL_CERT_PERSONAL)
		es_seal_warn(s, "signing certificate is a personal signature certificate, not an e-Seal certificate");
	if (qct == 0)
		es_seal_warn(s, "QCStatements present without a qcType");

	if (X509_check_ca(cert) == 1 && (X509_get_extension_flags(cert) & EXFLAG_CA))
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIG_CONSTRAINTS_FAILURE,
			     "signing certificate is a CA certificate (basicConstraints CA:TRUE)");
	if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
		es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_SIG_CONSTRAINTS_FAILURE,
			     "signing certificate keyUsage allows neither digitalSignature nor nonRepudiation");
	else if (ku != UINT32_MAX && !(ku & KU_NON_REPUDIATION))
		es_seal_warn(s, "signing certificate keyUsage lacks nonRepudiation (contentCommitment)");

	OPENSSL_free(hex);
	BN_free(bn);
	free(given);
	free(surname);
}
