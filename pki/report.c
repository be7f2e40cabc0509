/* pki/report.c: the verification report: building it (worst-indication-wins reasons) and rendering it as
 * one-line JSON or as human text that leads with the verdict and the organization that sealed. */
#include "report.h"

#include "x509_text.h"
#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "core/json_internal.h"

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *es_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

void es_seal_set_str(char **field, const char *value)
{
	free(*field);
	*field = value != NULL ? strdup(value) : NULL;
}

void es_seal_note_timestamp(eseal_seal_report *s, time_t gen, time_t proves_until)
{
	if (s->best_signature_time == 0 || gen < s->best_signature_time)
		s->best_signature_time = gen;
	/* Two time-stamps of the same second: the one that proves longer counts. */
	if (gen > s->newest_timestamp_time || (gen == s->newest_timestamp_time && proves_until > s->renew_by)) {
		s->newest_timestamp_time = gen;
		s->renew_by = proves_until;
	}
}

eseal_report *es_report_new(const char *file)
{
	eseal_report *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->file = strdup(file != NULL ? file : "-");
	if (r->file == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

eseal_seal_report *es_report_add_seal(eseal_report *r, const char *format, const char *type)
{
	eseal_seal_report *n = realloc(r->seals, (r->n_seals + 1) * sizeof(*n));
	eseal_seal_report *s;

	if (n == NULL)
		return NULL;
	r->seals = n;
	s = &r->seals[r->n_seals++];
	memset(s, 0, sizeof(*s));
	s->format = format;
	s->type = type;
	s->covers_whole_document = 1;
	s->page = -1;
	return s;
}

void es_report_file_error(eseal_report *r, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;

	if (r->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	r->error = m;
}

static void push(char ***list, size_t *n, char *msg)
{
	char **nl;

	if (msg == NULL)
		return;
	nl = realloc(*list, (*n + 1) * sizeof(*nl));
	if (nl == NULL) {
		free(msg);
		return;
	}
	*list = nl;
	nl[(*n)++] = msg;
}

void es_seal_add_file(eseal_seal_report *s, const char *name)
{
	push(&s->files, &s->n_files, strdup(name));
}

void es_report_add_not_covered(eseal_report *r, const char *name)
{
	push(&r->not_covered, &r->n_not_covered, strdup(name));
}

void es_seal_fail(eseal_seal_report *s, eseal_indication ind, eseal_sub_indication sub, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	push(&s->errors, &s->n_errors, m);
	if (ind > s->indication) {
		s->indication = ind;
		s->sub_indication = sub;
	}
}

void es_seal_warn(eseal_seal_report *s, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;
	size_t i;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	for (i = 0; m != NULL && i < s->n_warnings; i++) {
		if (strcmp(s->warnings[i], m) == 0) { /* the same warning from two checks says nothing new */
			free(m);
			return;
		}
	}
	push(&s->warnings, &s->n_warnings, m);
}

static void chain_clear(eseal_seal_report *s)
{
	size_t i;

	for (i = 0; i < s->n_chain; i++) {
		free(s->chain[i].subject);
		free(s->chain[i].issuer);
		free(s->chain[i].serial);
		free(s->chain[i].der_base64);
	}
	free(s->chain);
	s->chain = NULL;
	s->n_chain = 0;
}

static char *cert_base64(X509 *x)
{
	unsigned char *der = NULL;
	char *out = NULL;
	int n = i2d_X509(x, &der), m;

	if (n <= 0)
		return NULL;
	if ((out = malloc(4 * (((size_t)n + 2) / 3) + 1)) != NULL) {
		m = EVP_EncodeBlock((unsigned char *)out, der, n);
		out[m] = '\0';
	}
	OPENSSL_free(der);
	return out;
}

static char *cert_serial(X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL, *out = hex != NULL ? strdup(hex) : NULL;

	OPENSSL_free(hex);
	BN_free(bn);
	return out;
}

void es_seal_set_chain(eseal_seal_report *s, STACK_OF(X509) * chain)
{
	int i, n = sk_X509_num(chain);

	chain_clear(s);
	if (n <= 0 || (s->chain = calloc((size_t)n, sizeof(*s->chain))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		X509 *x = sk_X509_value(chain, i);
		eseal_cert_info *c = &s->chain[i];

		c->subject = es_x509_name_dup(X509_get_subject_name(x));
		c->issuer = es_x509_name_dup(X509_get_issuer_name(x));
		c->serial = cert_serial(x);
		c->not_before = es_asn1_time_t(X509_get0_notBefore(x));
		c->not_after = es_asn1_time_t(X509_get0_notAfter(x));
		c->der_base64 = cert_base64(x);
	}
	s->n_chain = (size_t)n;
}

static void seal_clear(eseal_seal_report *s)
{
	size_t i;

	chain_clear(s);
	free(s->visual_changes);

	free(s->id);
	free(s->level);
	free(s->organization);
	free(s->organization_identifier);
	free(s->subject);
	free(s->issuer);
	free(s->serial);
	free(s->coverage);
	for (i = 0; i < s->n_errors; i++)
		free(s->errors[i]);
	free(s->errors);
	for (i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	for (i = 0; i < s->n_files; i++)
		free(s->files[i]);
	free(s->files);
}

void eseal_report_free(eseal_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_seals; i++)
		seal_clear(&r->seals[i]);
	free(r->seals);
	for (i = 0; i < r->n_not_covered; i++)
		free(r->not_covered[i]);
	free(r->not_covered);
	free(r->file);
	free(r->error);
	free(r);
}

const char *eseal_indication_name(eseal_indication ind)
{
	switch (ind) {
	case ESEAL_TOTAL_PASSED: return "TOTAL-PASSED";
	case ESEAL_INDETERMINATE: return "INDETERMINATE";
	case ESEAL_TOTAL_FAILED: return "TOTAL-FAILED";
	}
	return "INDETERMINATE";
}

const char *eseal_sub_indication_name(eseal_sub_indication sub)
{
	switch (sub) {
	case ESEAL_SUB_NONE: return NULL;
	case ESEAL_SUB_FORMAT_FAILURE: return "FORMAT_FAILURE";
	case ESEAL_SUB_HASH_FAILURE: return "HASH_FAILURE";
	case ESEAL_SUB_SIG_CRYPTO_FAILURE: return "SIG_CRYPTO_FAILURE";
	case ESEAL_SUB_REVOKED: return "REVOKED";
	case ESEAL_SUB_SIG_CONSTRAINTS_FAILURE: return "SIG_CONSTRAINTS_FAILURE";
	case ESEAL_SUB_CHAIN_CONSTRAINTS_FAILURE: return "CHAIN_CONSTRAINTS_FAILURE";
	case ESEAL_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE: return "CERTIFICATE_CHAIN_GENERAL_FAILURE";
	case ESEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE: return "CRYPTO_CONSTRAINTS_FAILURE";
	case ESEAL_SUB_EXPIRED: return "EXPIRED";
	case ESEAL_SUB_NOT_YET_VALID: return "NOT_YET_VALID";
	case ESEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND: return "NO_SIGNING_CERTIFICATE_FOUND";
	case ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND: return "NO_CERTIFICATE_CHAIN_FOUND";
	case ESEAL_SUB_REVOKED_NO_POE: return "REVOKED_NO_POE";
	case ESEAL_SUB_OUT_OF_BOUNDS_NO_POE: return "OUT_OF_BOUNDS_NO_POE";
	case ESEAL_SUB_TIMESTAMP_ORDER_FAILURE: return "TIMESTAMP_ORDER_FAILURE";
	case ESEAL_SUB_TRY_LATER: return "TRY_LATER";
	case ESEAL_SUB_SIGNED_DATA_NOT_FOUND: return "SIGNED_DATA_NOT_FOUND";
	}
	return NULL;
}

static eseal_indication seal_effective(const eseal_seal_report *s)
{
	return s->modified_after ? ESEAL_TOTAL_FAILED : s->indication;
}

eseal_indication eseal_report_overall(const eseal_report *r)
{
	eseal_indication worst = ESEAL_TOTAL_PASSED;
	size_t i;

	if (r == NULL || r->error != NULL || r->n_seals == 0)
		return ESEAL_INDETERMINATE;
	for (i = 0; i < r->n_seals; i++)
		if (seal_effective(&r->seals[i]) > worst)
			worst = seal_effective(&r->seals[i]);
	/* A file added to a sealed set: what the seals cover may be intact, but the set as handed over is not sealed. */
	if (r->n_not_covered > 0 && worst < ESEAL_INDETERMINATE)
		worst = ESEAL_INDETERMINATE;
	return worst;
}

/* The exit-status table of `eseal verify` (documented in verify.h and README.md). */
int eseal_report_exit_code(const eseal_report *r)
{
	if (r == NULL)
		return 74;
	/* A file-level error without a seal: unreadable (74), or not a sealed document it can read (65): malformed, or
	 * no seal found in it, whatever its format. */
	if (r->error != NULL && r->n_seals == 0)
		return strncmp(r->error, "cannot read", 11) == 0 ? 74 : 65;
	switch (eseal_report_overall(r)) {
	case ESEAL_TOTAL_PASSED: return 0;
	case ESEAL_TOTAL_FAILED: return 1;
	case ESEAL_INDETERMINATE: return 2;
	}
	return 2;
}

/* ---- rendering ---- */

const char *es_fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static void fmt_time(time_t t, char *buf, size_t len)
{
	if (t == 0)
		snprintf(buf, len, "-");
	else
		es_fmt_time(t, buf, len);
}

static void json_list(FILE *f, char **items, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs(", ", f);
		es_json_string(f, items[i]);
	}
	fputc(']', f);
}

static const char *cert_kind_name(eseal_cert_kind k)
{
	return k == ESEAL_CERT_ESEAL ? "e-seal" : k == ESEAL_CERT_PERSONAL ? "personal" : "unknown";
}

eseal_status eseal_report_write_json(const eseal_report *r, FILE *f)
{
	size_t i, j;

	fputs("{\"file\": ", f);
	es_json_string(f, r->file);
	/* A name that is not UTF-8 is shown with U+FFFD above; its exact bytes follow, so nothing is lost. */
	if (!es_utf8_valid(r->file)) {
		fputs(", \"file_hex\": ", f);
		es_json_hex(f, r->file);
	}
	fputs(", \"indication\": ", f);
	es_json_string(f, eseal_indication_name(eseal_report_overall(r)));
	fputs(", \"error\": ", f);
	es_json_string(f, r->error);
	fputs(", \"validation_time\": ", f);
	es_json_time(f, r->validation_time);
	fputs(", \"seals\": [", f);
	for (i = 0; i < r->n_seals; i++) {
		const eseal_seal_report *s = &r->seals[i];

		fputs(i > 0 ? ", {" : "{", f);
		fputs("\"format\": ", f);
		es_json_string(f, s->format);
		fputs(", \"type\": ", f);
		es_json_string(f, s->type);
		fputs(", \"id\": ", f);
		es_json_string(f, s->id);
		fputs(", \"level\": ", f);
		es_json_string(f, s->level);
		fputs(", \"indication\": ", f);
		es_json_string(f, eseal_indication_name(s->indication));
		fputs(", \"sub_indication\": ", f);
		es_json_string(f, eseal_sub_indication_name(s->sub_indication));
		fputs(", \"organization\": ", f);
		es_json_string(f, s->organization);
		fputs(", \"organization_identifier\": ", f);
		es_json_string(f, s->organization_identifier);
		fputs(", \"certificate_type\": ", f);
		es_json_string(f, cert_kind_name(s->cert_kind));
		fputs(", \"subject\": ", f);
		es_json_string(f, s->subject);
		fputs(", \"issuer\": ", f);
		es_json_string(f, s->issuer);
		fputs(", \"serial\": ", f);
		es_json_string(f, s->serial);
		fputs(", \"signing_time\": ", f);
		es_json_time(f, s->signing_time);
		fputs(", \"timestamp_time\": ", f);
		es_json_time(f, s->timestamp_time);
		fputs(", \"best_signature_time\": ", f);
		es_json_time(f, s->best_signature_time);
		fputs(", \"renew_by\": ", f);
		es_json_time(f, s->renew_by);
		fprintf(f, ", \"covers_whole_document\": %s, \"modified_after\": %s",
			s->covers_whole_document ? "true" : "false", s->modified_after ? "true" : "false");
		fputs(", \"coverage\": ", f);
		es_json_string(f, s->coverage);
		fputs(", \"chain\": [", f);
		for (j = 0; j < s->n_chain; j++) {
			fputs(j > 0 ? ", " : "", f);
			es_json_string(f, s->chain[j].subject);
		}
		fputc(']', f);
		if (s->page >= 0)
			fprintf(f, ", \"page\": %d, \"rect\": [%.1f, %.1f, %.1f, %.1f]", s->page + 1, s->rect[0], s->rect[1],
				s->rect[2], s->rect[3]);
		if (s->visual_compared) {
			/* Pages 1-based as a reader counts them; boxes in PDF points, origin bottom left. */
			fputs(", \"visual_changes\": [", f);
			for (j = 0; j < s->n_visual_changes; j++) {
				const eseal_visual_change *c = &s->visual_changes[j];

				fprintf(f, "%s{\"page\": %d, \"box\": [%.1f, %.1f, %.1f, %.1f]}", j > 0 ? ", " : "",
					c->page + 1, c->x0, c->y0, c->x1, c->y1);
			}
			fputc(']', f);
		}
		fputs(", \"errors\": ", f);
		json_list(f, s->errors, s->n_errors);
		fputs(", \"warnings\": ", f);
		json_list(f, s->warnings, s->n_warnings);
		if (s->n_files > 0) {
			fputs(", \"files\": ", f);
			json_list(f, s->files, s->n_files);
		}
		fputc('}', f);
	}
	fputc(']', f);
	if (r->container != NULL) {
		fputs(", \"container\": ", f);
		es_json_string(f, r->container);
		fputs(", \"not_covered\": ", f);
		json_list(f, r->not_covered, r->n_not_covered);
	}
	fputs("}\n", f);
	return ferror(f) ? ESEAL_E_IO : ESEAL_OK;
}

eseal_status eseal_report_write_text(const eseal_report *r, FILE *f)
{
	char t1[64];
	size_t i, j;

	fprintf(f, "%s: %s\n", r->file, eseal_indication_name(eseal_report_overall(r)));
	if (r->error != NULL)
		fprintf(f, "  error: %s\n", r->error);
	for (i = 0; i < r->n_seals; i++) {
		const eseal_seal_report *s = &r->seals[i];
		const char *sub = eseal_sub_indication_name(s->sub_indication);

		fprintf(f, "  seal %zu (%s %s%s%s): %s%s%s%s\n", i + 1, s->format, s->type, s->id ? " " : "",
			s->id ? s->id : "", eseal_indication_name(s->indication), sub ? " / " : "", sub ? sub : "",
			s->modified_after ? ", MODIFIED AFTER SEALING" : "");
		fprintf(f, "    organization: %s\n", s->organization ? s->organization : "(none)");
		fprintf(f, "    organization identifier: %s\n",
			s->organization_identifier ? s->organization_identifier : "(none)");
		fprintf(f, "    certificate: %s%s%s\n",
			s->cert_kind == ESEAL_CERT_ESEAL    ? "e-Seal certificate" :
			s->cert_kind == ESEAL_CERT_PERSONAL ? "personal signature certificate" :
							      "unknown kind",
			s->subject ? ", subject " : "", s->subject ? s->subject : "");
		if (s->issuer != NULL)
			fprintf(f, "    issuer: %s\n", s->issuer);
		fmt_time(s->signing_time, t1, sizeof(t1));
		fprintf(f, "    signing time (claimed): %s\n", t1);
		fmt_time(s->timestamp_time, t1, sizeof(t1));
		fprintf(f, "    time-stamp: %s\n", t1);
		if (s->renew_by != 0) {
			fmt_time(s->renew_by, t1, sizeof(t1));
			fprintf(f, "    provable until: %s (extend before then)\n", t1);
		}
		fprintf(f, "    level: %s\n", s->level ? s->level : "(none)");
		fprintf(f, "    covers whole document: %s%s%s\n", s->covers_whole_document ? "yes" : "no",
			s->coverage ? "; " : "", s->coverage ? s->coverage : "");
		for (j = 0; j < s->n_errors; j++)
			fprintf(f, "    error: %s\n", s->errors[j]);
		for (j = 0; j < s->n_warnings; j++)
			fprintf(f, "    warning: %s\n", s->warnings[j]);
		if (s->n_files > 0)
			fprintf(f, "    files covered: %zu\n", s->n_files);
		for (j = 0; j < s->n_files; j++)
			fprintf(f, "      covered: %s\n", s->files[j]);
	}
	if (r->container != NULL)
		fprintf(f, "  %s: %zu file(s) not covered by any seal%s\n", r->container, r->n_not_covered,
			r->n_not_covered > 0 ? " (the set as handed over is not wholly sealed)" : "");
	for (i = 0; i < r->n_not_covered; i++)
		fprintf(f, "    NOT COVERED: %s\n", r->not_covered[i]);
	return ferror(f) ? ESEAL_E_IO : ESEAL_OK;
}

static char *render(const eseal_report *r, eseal_status (*fn)(const eseal_report *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	fn(r, f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *eseal_report_to_json(const eseal_report *r)
{
	return render(r, eseal_report_write_json);
}

char *eseal_report_to_text(const eseal_report *r)
{
	return render(r, eseal_report_write_text);
}
