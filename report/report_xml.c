/* report/report_xml.c: the machine-readable report: an ETSI TS 119 102-2 ValidationReport (namespace
 * http://uri.etsi.org/19102/v1.4.1#), one SignatureValidationReport per seal, certificates as validation objects. */
#include "report_internal.h"
#include "core/error_internal.h"
#include "core/json_internal.h"
#include "pki/report.h"

#include <string.h>

#define VR_NS "http://uri.etsi.org/19102/v1.4.1#"
#define MAIN_URI "urn:etsi:019102:mainindication:"
#define SUB_URI "urn:etsi:019102:subindication:"
#define CERT_TYPE "urn:etsi:019102:validationObject:certificate"
#define DATA_TYPE "urn:etsi:019102:validationObject:signedData"

/* Character data; XML 1.0 forbids most controls, and bytes that are not UTF-8 become U+FFFD. */
static void xesc(FILE *f, const char *s)
{
	int valid = es_utf8_valid(s);

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c < 0x20 && c != '\n' && c != '\t')
			continue;
		else if (c >= 0x80 && !valid)
			fputs("\xEF\xBF\xBD", f);
		else
			fputc(c, f);
	}
}

static void elem(FILE *f, const char *name, const char *text)
{
	fprintf(f, "<vr:%s>", name);
	xesc(f, text);
	fprintf(f, "</vr:%s>", name);
}

/* A file's name in a container or folder as a relative URI (RFC 3986: '/' kept, other reserved and non-ASCII bytes
 * percent-encoded), as the seal's References name it. */
static void uri_esc(FILE *f, const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p) != NULL)
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
}

static const char *main_name(eseal_indication ind)
{
	return ind == ESEAL_TOTAL_PASSED ? "TOTAL-PASSED" : ind == ESEAL_TOTAL_FAILED ? "TOTAL-FAILED" : "INDETERMINATE";
}

static void seal_xml(FILE *f, const eseal_report *r, size_t fi, size_t si)
{
	const eseal_seal_report *s = &r->seals[si];
	eseal_indication ind = es_seal_effective(s);
	const char *sub = eseal_sub_indication_name(s->sub_indication);
	char t[64];
	size_t j;

	fputs("<vr:SignatureValidationReport>", f);
	fputs("<vr:SignatureIdentifier><vr:HashOnly>false</vr:HashOnly><vr:DocHashOnly>false</vr:DocHashOnly>", f);
	if (s->id != NULL)
		elem(f, "DAIdentifier", s->id);
	fputs("</vr:SignatureIdentifier>", f);
	fputs("<vr:ValidationTimeInfo>", f);
	elem(f, "ValidationTime", es_fmt_time(r->validation_time, t, sizeof(t)));
	/* The best signature time: the earliest valid time-stamp (a proof), else the validation time itself. */
	fputs("<vr:BestSignatureTime>", f);
	elem(f, "POETime", es_fmt_time(s->best_signature_time != 0 ? s->best_signature_time : r->validation_time, t,
				       sizeof(t)));
	elem(f, "TypeOfProof", s->best_signature_time != 0 ? "urn:etsi:019102:poetype:validation" :
							     "urn:etsi:019102:poetype:provided");
	fputs("</vr:BestSignatureTime></vr:ValidationTimeInfo>", f);
	/* A seal over files (container, folder): each file it covers, a validation object of its own. */
	if (s->n_files > 0) {
		fputs("<vr:SignersDocument><vr:SignersDocumentRepresentation VOReference=\"", f);
		for (j = 0; j < s->n_files; j++)
			fprintf(f, "%sd-%zu-%zu-%zu", j > 0 ? " " : "", fi, si, j);
		fputs("\"/></vr:SignersDocument>", f);
	}
	if (s->signing_time != 0) {
		fputs("<vr:SignatureAttributes><vr:SigningTime Signed=\"true\">", f);
		elem(f, "Time", es_fmt_time(s->signing_time, t, sizeof(t)));
		fputs("</vr:SigningTime></vr:SignatureAttributes>", f);
	}
	if (s->n_chain > 0) {
		fprintf(f, "<vr:SignerInformation><vr:SignerCertificate VOReference=\"c-%zu-%zu-0\"/>", fi, si);
		if (s->subject != NULL)
			elem(f, "Signer", s->subject);
		fputs("</vr:SignerInformation>", f);
	}
	fputs("<vr:SignatureValidationStatus>", f);
	fprintf(f, "<vr:MainIndication>" MAIN_URI "%s</vr:MainIndication>", main_name(ind));
	if (s->modified_after && ind != s->indication)
		fputs("<vr:SubIndication>" SUB_URI "HASH_FAILURE</vr:SubIndication>", f);
	else if (sub != NULL)
		fprintf(f, "<vr:SubIndication>" SUB_URI "%s</vr:SubIndication>", sub);
	if (s->n_chain > 0) {
		fprintf(f, "<vr:AssociatedValidationReportData><vr:CertificateChain>"
			   "<vr:SigningCertificate VOReference=\"c-%zu-%zu-0\"/>", fi, si);
		for (j = 1; j + 1 < s->n_chain; j++)
			fprintf(f, "<vr:IntermediateCertificate VOReference=\"c-%zu-%zu-%zu\"/>", fi, si, j);
		if (s->n_chain > 1)
			fprintf(f, "<vr:TrustAnchor VOReference=\"c-%zu-%zu-%zu\"/>", fi, si, s->n_chain - 1);
		fputs("</vr:CertificateChain></vr:AssociatedValidationReportData>", f);
	}
	fputs("</vr:SignatureValidationStatus>", f);
	/* What the recipient needs besides the standard's fields: the file, the level, the reasons in words. */
	fputs("<vr:OtherInformation><eseal:Seal xmlns:eseal=\"urn:eseal:report:1\">", f);
	fputs("<eseal:File>", f);
	xesc(f, r->file);
	fprintf(f, "</eseal:File><eseal:Format>%s</eseal:Format><eseal:Level>", s->format);
	xesc(f, s->level != NULL ? s->level : "");
	fputs("</eseal:Level><eseal:Organization>", f);
	xesc(f, s->organization != NULL ? s->organization : "");
	fputs("</eseal:Organization><eseal:OrganizationIdentifier>", f);
	xesc(f, s->organization_identifier != NULL ? s->organization_identifier : "");
	fputs("</eseal:OrganizationIdentifier>", f);
	if (s->renew_by != 0)
		fprintf(f, "<eseal:RenewBy>%s</eseal:RenewBy>", es_fmt_time(s->renew_by, t, sizeof(t)));
	for (j = 0; j < s->n_files; j++) {
		fputs("<eseal:CoveredFile>", f);
		xesc(f, s->files[j]);
		fputs("</eseal:CoveredFile>", f);
	}
	/* Files of the container or folder that no seal covers: the standard has no place for them. */
	for (j = 0; j < r->n_not_covered; j++) {
		fputs("<eseal:NotCoveredFile>", f);
		xesc(f, r->not_covered[j]);
		fputs("</eseal:NotCoveredFile>", f);
	}
	for (j = 0; j < s->n_errors; j++) {
		fputs("<eseal:Error>", f);
		xesc(f, s->errors[j]);
		fputs("</eseal:Error>", f);
	}
	for (j = 0; j < s->n_warnings; j++) {
		fputs("<eseal:Warning>", f);
		xesc(f, s->warnings[j]);
		fputs("</eseal:Warning>", f);
	}
	fputs("</eseal:Seal></vr:OtherInformation></vr:SignatureValidationReport>\n", f);
}

int es_report_xml(FILE *f, const eseal_report *const *reports, size_t n)
{
	size_t i, j, k, objects = 0, seals = 0;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vr:ValidationReport xmlns:vr=\"" VR_NS "\">\n", f);
	for (i = 0; i < n; i++)
		for (j = 0; j < reports[i]->n_seals; j++, seals++) {
			seal_xml(f, reports[i], i, j);
			objects += reports[i]->seals[j].n_chain + reports[i]->seals[j].n_files;
		}
	if (seals == 0) {
		/* The schema wants one report at least: a file that holds no seal is one that could not be decided. */
		fputs("<vr:SignatureValidationReport><vr:SignatureValidationStatus><vr:MainIndication>" MAIN_URI
		      "INDETERMINATE</vr:MainIndication></vr:SignatureValidationStatus></vr:SignatureValidationReport>\n",
		      f);
	}
	if (objects > 0) {
		fputs("<vr:SignatureValidationObjects>\n", f);
		for (i = 0; i < n; i++)
			for (j = 0; j < reports[i]->n_seals; j++)
				for (k = 0; k < reports[i]->seals[j].n_chain; k++)
					fprintf(f,
						"<vr:ValidationObject id=\"c-%zu-%zu-%zu\"><vr:ObjectType>" CERT_TYPE
						"</vr:ObjectType><vr:ValidationObjectRepresentation><vr:base64>%s"
						"</vr:base64></vr:ValidationObjectRepresentation></vr:ValidationObject>\n",
						i, j, k,
						reports[i]->seals[j].chain[k].der_base64 != NULL ?
							reports[i]->seals[j].chain[k].der_base64 :
							"");
		for (i = 0; i < n; i++)
			for (j = 0; j < reports[i]->n_seals; j++)
				for (k = 0; k < reports[i]->seals[j].n_files; k++) {
					fprintf(f, "<vr:ValidationObject id=\"d-%zu-%zu-%zu\"><vr:ObjectType>" DATA_TYPE
						   "</vr:ObjectType><vr:ValidationObjectRepresentation><vr:URI>",
						i, j, k);
					uri_esc(f, reports[i]->seals[j].files[k]);
					fputs("</vr:URI></vr:ValidationObjectRepresentation></vr:ValidationObject>\n", f);
				}
		fputs("</vr:SignatureValidationObjects>\n", f);
	}
	fputs("</vr:ValidationReport>\n", f);
	return ferror(f) ? -1 : 0;
}
