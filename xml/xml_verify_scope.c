/* xml/xml_verify_scope.c: what a seal leaves unsigned holds nothing a reader takes for content: the UBL container at
 * UBL 2.1's place holding only signatures, each ds:Signature of its own XML-DSig/XAdES parts and between elements. */
#include "xml_verify_internal.h"
#include "pki/report.h"

#include <string.h>

#define NS_DSIG11 "http://www.w3.org/2009/xmldsig11#"
#define NS_UBL_EXT "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
#define NS_UBL_SAC "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2"
#define NS_UBL_SBC "urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2"
#define NS_UBL_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define UBL_PLACE                                                                                             \
	"/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/sig:UBLDocumentSignatures/"              \
	"sac:SignatureInformation/ds:Signature, ext:UBLExtensions first"

/* The vocabularies a signature's unsigned parts are written in (W3C XML-DSig 1.0/1.1, ETSI XAdES 1.3.2 and 1.4.1
 * schemas). Matching names as well as namespaces keeps out an element that a reader matching prefixes would take
 * for a business element (cac:PayableAmount with cac bound to the XAdES namespace). */
static const char *const ds_names[] = {
	"CanonicalizationMethod", "DigestMethod", "DigestValue", "DSAKeyValue", "Exponent", "G", "HMACOutputLength",
	"J", "KeyInfo", "KeyName", "KeyValue", "Manifest", "MgmtData", "Modulus", "Object", "P", "PGPData",
	"PGPKeyID", "PGPKeyPacket", "PgenCounter", "Q", "Reference", "RetrievalMethod", "RSAKeyValue", "Seed",
	"Signature", "SignatureMethod", "SignatureProperties", "SignatureProperty", "SignatureValue", "SignedInfo",
	"SPKIData", "SPKISexp", "Transform", "Transforms", "X509Certificate", "X509CRL", "X509Data",
	"X509IssuerName", "X509IssuerSerial", "X509SerialNumber", "X509SKI", "X509SubjectName", "XPath", "Y", NULL};
static const char *const dsig11_names[] = {
	"DEREncodedKeyValue", "ECKeyValue", "ECParameters", "KeyInfoReference", "NamedCurve", "OCSPResponse",
	"PublicKey", "X509Digest", NULL};
static const char *const xades_names[] = {
	"AllDataObjectsTimeStamp", "AllSignedDataObjects", "Any", "ArchiveTimeStamp", "AttrAuthoritiesCertValues",
	"AttributeCertificateRefs", "AttributeRevocationRefs", "AttributeRevocationValues", "ByKey", "ByName",
	"CRLIdentifier", "CRLRef", "CRLRefs", "CRLValues", "Cert", "CertDigest", "CertRefs", "CertificateValues",
	"CertifiedRole", "CertifiedRoles", "CertifiedRolesV2", "City", "ClaimedRole", "ClaimedRoles",
	"CommitmentTypeId", "CommitmentTypeIndication", "CommitmentTypeQualifier", "CommitmentTypeQualifiers",
	"CompleteCertificateRefs", "CompleteRevocationRefs", "CounterSignature", "CountryName", "DataObjectFormat",
	"Description", "DigestAlgAndValue", "DocumentationReference", "DocumentationReferences",
	"EncapsulatedCRLValue", "EncapsulatedOCSPValue", "EncapsulatedPKIData", "EncapsulatedTimeStamp",
	"EncapsulatedX509Certificate", "Encoding", "ExplicitText", "Identifier", "Include",
	"IndividualDataObjectsTimeStamp", "IssueTime", "Issuer", "IssuerSerial", "IssuerSerialV2", "MimeType",
	"NoticeNumbers", "NoticeRef", "Number", "OCSPIdentifier", "OCSPRef", "OCSPRefs", "OCSPValues",
	"ObjectIdentifier", "ObjectReference", "Organization", "OtherAttributeCertificate", "OtherCertificate",
	"OtherRef", "OtherRefs", "OtherTimeStamp", "OtherValue", "OtherValues", "PostalCode", "ProducedAt",
	"QualifyingProperties", "QualifyingPropertiesReference", "RefsOnlyTimeStamp", "ReferenceInfo",
	"ResponderID", "RevocationValues", "SPURI", "SPUserNotice", "SigAndRefsTimeStamp", "SigPolicyHash",
	"SigPolicyId", "SigPolicyQualifier", "SigPolicyQualifiers", "SignaturePolicyId",
	"SignaturePolicyIdentifier", "SignaturePolicyImplied", "SignatureProductionPlace",
	"SignatureProductionPlaceV2", "SignatureTimeStamp", "SignedAssertion", "SignedAssertions",
	"SignedDataObjectProperties", "SignedProperties", "SignedSignatureProperties", "SignerRole", "SignerRoleV2",
	"SigningCertificate", "SigningCertificateV2", "SigningTime", "StateOrProvince", "StreetAddress",
	"UnsignedDataObjectProperties", "UnsignedDataObjectProperty", "UnsignedProperties",
	"UnsignedSignatureProperties", "X509AttributeCertificate", "XAdESTimeStamp", "XMLTimeStamp", "int", NULL};
static const char *const xades141_names[] = {
	"ArchiveTimeStamp", "AttributeCertificateRefsV2", "CompleteCertificateRefsV2", "RefsOnlyTimeStampV2",
	"RenewedDigests", "SigAndRefsTimeStampV2", "SigPolDocLocalURI", "SignaturePolicyDocument",
	"SignaturePolicyStore", "SPDocSpecification", "TimeStampValidationData", NULL};

static int named(const xmlNode *n, const char *const *names)
{
	for (; *names != NULL; names++)
		if (xmlStrEqual(n->name, BAD_CAST * names))
			return 1;
	return 0;
}

static int signature_vocabulary(const xmlNode *n)
{
	const xmlChar *ns = n->ns != NULL ? n->ns->href : NULL;

	if (ns == NULL)
		return 0;
	if (xmlStrEqual(ns, BAD_CAST NS_DS))
		return named(n, ds_names);
	if (xmlStrEqual(ns, BAD_CAST NS_DSIG11))
		return named(n, dsig11_names);
	if (xmlStrEqual(ns, BAD_CAST NS_XADES))
		return named(n, xades_names);
	if (xmlStrEqual(ns, BAD_CAST NS_XADES141))
		return named(n, xades141_names);
	return 0;
}

static int inside(const xmlNode *n, const xmlNode *ancestor)
{
	for (; n != NULL; n = n->parent)
		if (n == ancestor)
			return 1;
	return 0;
}

static int covered(const xmlNode *n, const es_xv_cover *c)
{
	size_t i;

	for (i = 0; i < c->n_inside; i++)
		if (inside(n, c->inside[i]))
			return 1;
	return 0;
}

static int blank(const xmlChar *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

/* Comments and processing instructions are no content a reader takes for the document's. */
static int is_text(const xmlNode *n)
{
	return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

static void unsigned_node(eseal_seal_report *s, const xmlNode *n, const char *where)
{
	const xmlNode *el = n->type == XML_ELEMENT_NODE ? n : n->parent;
	const char *prefix = n->ns != NULL && n->ns->prefix != NULL ? (const char *)n->ns->prefix : "";
	const char *ns = n->ns != NULL ? (const char *)n->ns->href : "no namespace";

	if (is_text(n))
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "unsigned content: text inside <%s> (line %ld) %s: no Reference covers it (forged data a "
			     "reader could take for the document's?)",
			     el != NULL ? (const char *)el->name : "?", el != NULL ? xmlGetLineNo(el) : 0L,
			     where);
	else
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "unsigned content: %s <%s%s%s> (namespace %s, line %ld) %s: no Reference covers it (forged "
			     "data a reader could take for the document's?)",
			     n->type == XML_ATTRIBUTE_NODE ? "attribute" : "element", prefix, prefix[0] ? ":" : "",
			     (const char *)n->name, ns, xmlGetLineNo(el), where);
}

/* Attributes in a namespace other than xml: none of these elements defines one. */
static const xmlNode *foreign_attribute(const xmlNode *n)
{
	const xmlAttr *a;

	for (a = n->properties; a != NULL; a = a->next)
		if (a->ns != NULL && !xmlStrEqual(a->ns->href, XML_XML_NAMESPACE))
			return (const xmlNode *)a;
	return NULL;
}

/* The first node below n (n itself is the caller's) that is not part of a signature's own vocabulary: an element
 * outside it, or an attribute in a foreign namespace. Signed subtrees are skipped. */
static const xmlNode *foreign_below(const xmlNode *n, const es_xv_cover *c)
{
	const xmlNode *ch, *bad;

	for (ch = n->children; ch != NULL; ch = ch->next) {
		if (ch->type != XML_ELEMENT_NODE || covered(ch, c))
			continue;
		if (!signature_vocabulary(ch))
			return ch;
		if ((bad = foreign_attribute(ch)) != NULL || (bad = foreign_below(ch, c)) != NULL)
			return bad;
	}
	return NULL;
}

/* Non-blank text directly in n (element-only content). */
static const xmlNode *text_in(const xmlNode *n)
{
	const xmlNode *ch;

	for (ch = n->children; ch != NULL; ch = ch->next)
		if (is_text(ch) && !blank(ch->content))
			return ch;
	return NULL;
}

/* A ds:Object no Reference signs may hold one xades:QualifyingProperties and nothing else. */
static int check_object(const xmlNode *obj, const es_xv_cover *c, int *n_qp, eseal_seal_report *s)
{
	const xmlNode *ch, *bad;
	const char *where = "in a ds:Object of the signature";

	if ((bad = text_in(obj)) != NULL) {
		unsigned_node(s, bad, where);
		return -1;
	}
	for (ch = obj->children; ch != NULL; ch = ch->next) {
		if (ch->type != XML_ELEMENT_NODE || covered(ch, c))
			continue;
		if (!es_xv_is_el(ch, NS_XADES, "QualifyingProperties") || ++*n_qp > 1) {
			unsigned_node(s, ch, where);
			return -1;
		}
		if ((bad = foreign_attribute(ch)) != NULL || (bad = foreign_below(ch, c)) != NULL) {
			unsigned_node(s, bad, "in the signature's xades:QualifyingProperties");
			return -1;
		}
	}
	return 0;
}

/* The signature's own parts: SignedInfo (signed by SignatureValue), SignatureValue, KeyInfo and Objects; whatever
 * no Reference covers must be made of the XML-DSig and XAdES vocabularies, and an Object may carry only the
 * QualifyingProperties. */
static int check_signature(const xmlNode *sig, const es_xv_cover *c, eseal_seal_report *s)
{
	const xmlNode *ch, *bad;
	const char *where = "in the ds:Signature";
	int n_qp = 0;

	if ((bad = text_in(sig)) != NULL || (bad = foreign_attribute(sig)) != NULL) {
		unsigned_node(s, bad, where);
		return -1;
	}
	for (ch = sig->children; ch != NULL; ch = ch->next) {
		where = "in the ds:Signature";
		if (ch->type != XML_ELEMENT_NODE || covered(ch, c) || es_xv_is_el(ch, NS_DS, "SignedInfo"))
			continue;
		if ((bad = foreign_attribute(ch)) != NULL) {
			unsigned_node(s, bad, where);
			return -1;
		}
		if (es_xv_is_el(ch, NS_DS, "SignatureValue")) {
			for (bad = ch->children; bad != NULL && bad->type != XML_ELEMENT_NODE; bad = bad->next)
				;
		} else if (es_xv_is_el(ch, NS_DS, "KeyInfo")) {
			if ((bad = text_in(ch)) == NULL)
				bad = foreign_below(ch, c);
			where = "in the signature's ds:KeyInfo";
		} else if (es_xv_is_el(ch, NS_DS, "Object")) {
			if (check_object(ch, c, &n_qp, s) != 0)
				return -1;
		} else {
			bad = ch;
		}
		if (bad != NULL) {
			unsigned_node(s, bad, where);
			return -1;
		}
	}
	return 0;
}

static const xmlNode *first_element(const xmlNode *n)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

/* UBL 2.1 (UBL-CommonSignatureComponents, UBL-SignatureAggregateComponents): sig:UBLDocumentSignatures holds
 * sac:SignatureInformation elements, each at most one cbc:ID, one sbc:ReferencedSignatureID and one ds:Signature.
 * The ds:Signature elements are checked as seals of their own. */
static int check_ubl_container(const xmlNode *box, eseal_seal_report *s)
{
	const char *where = "in the UBL signature container sig:UBLDocumentSignatures, which the UBL Reference leaves "
			    "unsigned";
	const xmlNode *info, *ch, *bad;

	if ((bad = text_in(box)) != NULL || (bad = foreign_attribute(box)) != NULL) {
		unsigned_node(s, bad, where);
		return -1;
	}
	for (info = box->children; info != NULL; info = info->next) {
		int ids = 0, refs = 0, sigs = 0;

		if (info->type != XML_ELEMENT_NODE)
			continue;
		if (!es_xv_is_el(info, NS_UBL_SAC, "SignatureInformation") || (bad = text_in(info)) != NULL ||
		    (bad = foreign_attribute(info)) != NULL) {
			unsigned_node(s, bad != NULL ? bad : info, where);
			return -1;
		}
		for (ch = info->children; ch != NULL; ch = ch->next) {
			if (ch->type != XML_ELEMENT_NODE)
				continue;
			bad = NULL;
			if (es_xv_is_el(ch, NS_UBL_CBC, "ID") && ++ids == 1)
				bad = first_element(ch->children);
			else if (es_xv_is_el(ch, NS_UBL_SBC, "ReferencedSignatureID") && ++refs == 1)
				bad = first_element(ch->children);
			else if (!(es_xv_is_el(ch, NS_DS, "Signature") && ++sigs == 1))
				bad = ch;
			if (bad == NULL)
				bad = foreign_attribute(ch);
			if (bad != NULL) {
				unsigned_node(s, bad, where);
				return -1;
			}
		}
	}
	return 0;
}

/* The container of a seal at UBL 2.1 DSig's place (UBL_PLACE), else NULL. The XPath leaves the container out of the
 * digest wherever it is, so anywhere else it could stand beside the document's own elements. */
static const xmlNode *ubl_container(const xmlNode *sig)
{
	const xmlNode *info = sig->parent, *box = info != NULL ? info->parent : NULL;
	const xmlNode *content = box != NULL ? box->parent : NULL, *ext = content != NULL ? content->parent : NULL;
	const xmlNode *exts = ext != NULL ? ext->parent : NULL, *root = exts != NULL ? exts->parent : NULL;

	if (!es_xv_is_el(info, NS_UBL_SAC, "SignatureInformation") ||
	    !es_xv_is_el(box, NS_UBL_SIG, "UBLDocumentSignatures") ||
	    !es_xv_is_el(content, NS_UBL_EXT, "ExtensionContent") ||
	    !es_xv_is_el(ext, NS_UBL_EXT, "UBLExtension") ||
	    !es_xv_is_el(exts, NS_UBL_EXT, "UBLExtensions") || root == NULL ||
	    root != (const xmlNode *)xmlDocGetRootElement(sig->doc) || first_element(root->children) != exts)
		return NULL;
	return box;
}

static const xmlNode *nearest_container(const xmlNode *n)
{
	for (; n != NULL; n = n->parent)
		if (es_xv_is_el(n, NS_UBL_SIG, "UBLDocumentSignatures"))
			return n;
	return NULL;
}

/* The enveloped-signature transform takes the signature out wherever it stands: moved into the middle of a covered
 * text ("12<ds:Signature/>20.00") the canonical text is unchanged, but a reader of that element's first text node
 * sees another value. A signature stands between elements. */
static int between_elements(const xmlNode *sig, const char *which, eseal_seal_report *s)
{
	if (sig->parent != NULL && sig->parent->type == XML_ELEMENT_NODE && text_in(sig->parent) != NULL) {
		es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
			     "%s stands inside the text of <%s> (line %ld): a reader of that text may see only part of "
			     "it (a signature moved into covered text?)",
			     which, (const char *)sig->parent->name, xmlGetLineNo(sig->parent));
		return -1;
	}
	return 0;
}

/* XPath not(ancestor-or-self::ds:Signature) leaves every ds:Signature of the document unsigned, not only this one:
 * each must be a signature standing between elements and made of its own parts, as this one (its SignedInfo too:
 * this seal does not check the other's SignatureValue). Each is also verified as a seal of its own. */
static int check_other_signatures(const xmlNode *sig, const es_xv_cover *cover, eseal_seal_report *s)
{
	xmlNodePtr sigs[ES_XML_MAX_SIGS];
	const xmlNode *bad;
	size_t n = 0, i;

	es_xv_collect_sigs(xmlDocGetRootElement(sig->doc), sigs, &n);
	for (i = 0; i < n; i++) {
		if (sigs[i] == sig)
			continue;
		if (between_elements(sigs[i], "another ds:Signature, which this seal's XPath leaves unsigned,", s) != 0 ||
		    check_signature(sigs[i], cover, s) != 0)
			return -1;
		bad = es_xv_child(sigs[i], NS_DS, "SignedInfo");
		if (bad != NULL && ((bad = text_in(bad)) != NULL ||
				    (bad = foreign_below(es_xv_child(sigs[i], NS_DS, "SignedInfo"), cover)) != NULL)) {
			unsigned_node(s, bad, "in another ds:Signature, which this seal's XPath leaves unsigned");
			return -1;
		}
	}
	return 0;
}

int es_xv_check_unsigned(xmlNodePtr sig, const es_xv_cover *cover, eseal_seal_report *s)
{
	const xmlNode *box;

	if (between_elements(sig, "the ds:Signature", s) != 0)
		return -1;
	if (cover->all_signatures && check_other_signatures(sig, cover, s) != 0)
		return -1;

	if (cover->ubl) {
		box = ubl_container(sig);
		if (box == NULL) {
			const xmlNode *elsewhere = nearest_container(sig);

			if (elsewhere != NULL)
				es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
					     "unsigned content: the UBL seal is not where UBL 2.1 puts it (%s): its Reference "
					     "leaves its container sig:UBLDocumentSignatures (line %ld) unsigned, and there "
					     "the container could hold content a reader takes for the document's",
					     UBL_PLACE, xmlGetLineNo(elsewhere));
			else
				es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE,
					     "the UBL seal is not where UBL 2.1 puts it (%s): it is in no "
					     "sig:UBLDocumentSignatures container",
					     UBL_PLACE);
			return -1;
		}
		if (check_ubl_container(box, s) != 0)
			return -1;
	}
	return check_signature(sig, cover, s);
}
