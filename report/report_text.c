/* report/report_text.c: the words every report format shares: the verdict, why in one sentence, the kind of
 * certificate, what a seal covers, and times in the reader's time zone, in the reader's language. */
#include "report_internal.h"

#include "core/i18n_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T(msgid) eseal_text(lang, (msgid))

eseal_indication es_seal_effective(const eseal_seal_report *s)
{
	return s->modified_after ? ESEAL_TOTAL_FAILED : s->indication;
}

eseal_indication es_reports_overall(const eseal_report *const *reports, size_t n)
{
	eseal_indication worst = n == 0 ? ESEAL_INDETERMINATE : ESEAL_TOTAL_PASSED, ind;
	size_t i;

	for (i = 0; i < n; i++) {
		ind = eseal_report_overall(reports[i]);
		if (ind > worst)
			worst = ind;
	}
	return worst;
}

const char *es_verdict_words(eseal_indication ind, const char *lang)
{
	switch (ind) {
	case ESEAL_TOTAL_PASSED: return T("Valid");
	case ESEAL_TOTAL_FAILED: return T("Not valid");
	case ESEAL_INDETERMINATE: break;
	}
	return T("Cannot be decided");
}

const char *es_seal_why(const eseal_seal_report *s, const char *lang)
{
	if (s->modified_after)
		return T("The document was changed after it was sealed, in a way a reader sees.");
	switch (s->sub_indication) {
	case ESEAL_SUB_NONE:
		return s->indication == ESEAL_TOTAL_PASSED ?
			       T("The seal is intact, its certificate leads to a trusted authority, and the sealed content "
				 "has not been changed.") :
			       T("The seal could not be checked completely.");
	case ESEAL_SUB_FORMAT_FAILURE: return T("The seal is damaged or not in a form that can be checked.");
	case ESEAL_SUB_HASH_FAILURE: return T("The sealed content was changed after it was sealed.");
	case ESEAL_SUB_SIG_CRYPTO_FAILURE:
		return T("The seal's signature does not match its certificate: it is forged or damaged.");
	case ESEAL_SUB_REVOKED: return T("The seal's certificate was revoked.");
	case ESEAL_SUB_REVOKED_NO_POE:
		return T("The seal's certificate was revoked and nothing proves that the seal was made before that.");
	case ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND:
		return T("The seal's certificate does not lead to an authority this report trusts.");
	case ESEAL_SUB_EXPIRED:
	case ESEAL_SUB_OUT_OF_BOUNDS_NO_POE:
		return T("The seal's certificate has expired and no time-stamp proves that the seal was made while it "
			 "was valid.");
	case ESEAL_SUB_NOT_YET_VALID: return T("The seal is dated before its certificate became valid.");
	case ESEAL_SUB_TRY_LATER:
		return T("Whether the seal's certificate was revoked could not be checked now; try again later.");
	case ESEAL_SUB_SIGNED_DATA_NOT_FOUND: return T("The data the seal covers was not found.");
	case ESEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND: return T("The seal does not identify the certificate it was made with.");
	case ESEAL_SUB_CHAIN_CONSTRAINTS_FAILURE:
	case ESEAL_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE: return T("The seal's certificate chain is not acceptable.");
	case ESEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE:
		return T("The seal uses an algorithm that is no longer considered secure.");
	case ESEAL_SUB_SIG_CONSTRAINTS_FAILURE:
		return T("The seal does not meet the requirements for a seal of its kind.");
	case ESEAL_SUB_TIMESTAMP_ORDER_FAILURE: return T("The seal's time-stamps are in an impossible order.");
	}
	return T("The seal could not be checked completely.");
}

const char *es_cert_kind_words(eseal_cert_kind k, const char *lang)
{
	switch (k) {
	case ESEAL_CERT_ESEAL: return T("e-Seal certificate (an organization's)");
	case ESEAL_CERT_PERSONAL: return T("personal signature certificate (a person's, not an organization's)");
	case ESEAL_CERT_UNKNOWN: break;
	}
	return T("certificate of unknown kind");
}

const char *es_local_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0 || localtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z (UTC%z)", &tm);
	return buf;
}

/* A person reads the first names; the JSON report and --report FILE.xml list every one. */
#define ES_REPORT_MAX_NAMES 30

char *es_file_names(char *const *names, size_t n, const char *lang)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	for (i = 0; i < n && i < ES_REPORT_MAX_NAMES; i++)
		fprintf(f, "%s%s", i > 0 ? ", " : "", names[i]);
	if (n > ES_REPORT_MAX_NAMES)
		fprintf(f, " %s %zu", T("… and more:"), n - ES_REPORT_MAX_NAMES);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *es_report_not_covered(const eseal_report *r, const char *lang)
{
	char *list, *out = NULL;

	if (r->n_not_covered == 0 || (list = es_file_names(r->not_covered, r->n_not_covered, lang)) == NULL)
		return NULL;
	if (asprintf(&out, "%s %s", T("Files no seal covers (a recipient cannot rely on them):"), list) < 0)
		out = NULL;
	free(list);
	return out;
}

char *es_seal_covers(const eseal_seal_report *s, const char *lang)
{
	const char *what;
	char *list, *out = NULL;

	/* A seal over a set of files (ASiC, a folder): which ones, by name, is what the recipient needs to know. */
	if (s->n_files > 0) {
		if ((list = es_file_names(s->files, s->n_files, lang)) == NULL)
			return NULL;
		if (asprintf(&out, "%zu %s %s", s->n_files, T("files:"), list) < 0)
			out = NULL;
		free(list);
		return out;
	}
	if (strcmp(s->format, "CAdES") == 0)
		what = s->covers_whole_document ? T("the whole data file") : T("the data file was not found");
	else if (strcmp(s->format, "XAdES") == 0)
		what = s->covers_whole_document ? T("the whole XML document") : T("parts of the XML document");
	else
		what = s->covers_whole_document ? T("the whole document, every page") :
						  T("the document as it was when sealed; later updates follow");
	return strdup(what);
}

/* The first reason of the worst verdict, for the headline. */
const char *es_report_headline_why(const eseal_report *const *reports, size_t n, eseal_indication worst,
				   const char *lang)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (eseal_report_overall(reports[i]) != worst)
			continue;
		if (reports[i]->error != NULL || reports[i]->n_seals == 0)
			return T("A file could not be checked or holds no seal.");
		for (j = 0; j < reports[i]->n_seals; j++)
			if (es_seal_effective(&reports[i]->seals[j]) == worst)
				return es_seal_why(&reports[i]->seals[j], lang);
		if (reports[i]->n_not_covered > 0)
			return T("The container or folder holds files that no seal covers.");
	}
	return "";
}

time_t es_reports_validation_time(const eseal_report *const *reports, size_t n)
{
	size_t i;

	/* A file that could not be read was judged at no time; the others were judged at the same one. */
	for (i = 0; i < n; i++)
		if (reports[i]->validation_time != 0)
			return reports[i]->validation_time;
	return 0;
}
