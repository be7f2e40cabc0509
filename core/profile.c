/* core/profile.c: seal profiles from INI files, parsed by inih (Debian's libinih).
 * A profile carries paths and settings only; the PIN itself is read later, by the signer, from pin-file. */
#include "eseal/profile.h"
#include "eseal/signer.h"
#include "error_internal.h"
#include "tz_internal.h"
#include "url_internal.h"
#include "input_internal.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <strings.h>

eseal_status eseal_level_parse(const char *s, eseal_level *out)
{
	if (strcasecmp(s, "B-B") == 0 || strcasecmp(s, "BB") == 0 || strcasecmp(s, "B") == 0)
		*out = ESEAL_LEVEL_B_B;
	else if (strcasecmp(s, "B-T") == 0 || strcasecmp(s, "BT") == 0 || strcasecmp(s, "T") == 0)
		*out = ESEAL_LEVEL_B_T;
	else if (strcasecmp(s, "B-LT") == 0 || strcasecmp(s, "LT") == 0)
		*out = ESEAL_LEVEL_B_LT;
	else if (strcasecmp(s, "B-LTA") == 0 || strcasecmp(s, "LTA") == 0)
		*out = ESEAL_LEVEL_B_LTA;
	else
		return ESEAL_E_USAGE;
	return ESEAL_OK;
}

const char *eseal_level_name(eseal_level level)
{
	static const char *const names[] = {"B-B", "B-T", "B-LT", "B-LTA"};

	return level >= ESEAL_LEVEL_B_B && level <= ESEAL_LEVEL_B_LTA ? names[level] : "B-B";
}

eseal_status eseal_profile_new(eseal_profile **out, eseal_error *err)
{
	eseal_profile *p = calloc(1, sizeof(*p));

	eseal_error_clear(err);
	*out = NULL;
	if (p == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	p->level = ESEAL_LEVEL_B_B;
	p->tsa_timeout_ms = 10000;
	p->tsa_retries = 1;
	*out = p;
	return ESEAL_OK;
}

void eseal_profile_free(eseal_profile *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->name);
	free(p->key);
	free(p->pin_file);
	free(p->csc_token_file);
	free(p->csc_ca);
	free(p->csc_client_id);
	free(p->csc_client_secret_file);
	free(p->cert);
	free(p->sig_scheme);
	free(p->digest);
	for (i = 0; i < p->n_tsa; i++)
		free(p->tsa[i]);
	free(p->tsa_ca);
	free(p->trust);
	free(p->tsa_tls_ca);
	free(p->tsa_auth_file);
	free(p->tsa_policy);
	free(p->reason);
	free(p->location);
	free(p->contact);
	free(p->image);
	free(p->output_dir);
	free(p->timezone);
	free(p->field);
	free(p);
}

static int dup_field(char **dst, const char *src, int *ok)
{
	*dst = NULL;
	if (src != NULL && (*dst = strdup(src)) == NULL)
		*ok = 0;
	return *ok;
}

eseal_status eseal_profile_copy(eseal_profile **out, const eseal_profile *p, eseal_error *err)
{
	eseal_profile *c = NULL;
	int ok = 1;
	size_t i;

	eseal_error_clear(err);
	*out = NULL;
	if ((c = malloc(sizeof(*c))) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	*c = *p; /* scalars; every pointer is replaced below */
	dup_field(&c->name, p->name, &ok);
	dup_field(&c->key, p->key, &ok);
	dup_field(&c->pin_file, p->pin_file, &ok);
	dup_field(&c->csc_token_file, p->csc_token_file, &ok);
	dup_field(&c->csc_ca, p->csc_ca, &ok);
	dup_field(&c->csc_client_id, p->csc_client_id, &ok);
	dup_field(&c->csc_client_secret_file, p->csc_client_secret_file, &ok);
	dup_field(&c->cert, p->cert, &ok);
	dup_field(&c->sig_scheme, p->sig_scheme, &ok);
	dup_field(&c->digest, p->digest, &ok);
	for (i = 0; i < p->n_tsa; i++)
		dup_field(&c->tsa[i], p->tsa[i], &ok);
	dup_field(&c->tsa_ca, p->tsa_ca, &ok);
	dup_field(&c->trust, p->trust, &ok);
	dup_field(&c->tsa_tls_ca, p->tsa_tls_ca, &ok);
	dup_field(&c->tsa_auth_file, p->tsa_auth_file, &ok);
	dup_field(&c->tsa_policy, p->tsa_policy, &ok);
	dup_field(&c->reason, p->reason, &ok);
	dup_field(&c->location, p->location, &ok);
	dup_field(&c->contact, p->contact, &ok);
	dup_field(&c->image, p->image, &ok);
	dup_field(&c->output_dir, p->output_dir, &ok);
	dup_field(&c->timezone, p->timezone, &ok);
	dup_field(&c->field, p->field, &ok);
	if (!ok) {
		eseal_profile_free(c);
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	}
	*out = c;
	return ESEAL_OK;
}

static int set_string(char **field, const char *value, eseal_error *err)
{
	char *copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	free(*field);
	*field = copy;
	return ESEAL_OK;
}

static int parse_long(const char *key, const char *value, long min, long max, long *out, eseal_error *err)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < min || v > max)
		return es_error_set(err, ESEAL_E_USAGE, "%s: '%s' is not a number from %ld to %ld", key, value, min,
				    max);
	*out = v;
	return ESEAL_OK;
}

static int parse_bool(const char *key, const char *value, int *out, eseal_error *err)
{
	if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
	    strcasecmp(value, "on") == 0)
		*out = 1;
	else if (strcasecmp(value, "no") == 0 || strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
		 strcasecmp(value, "off") == 0)
		*out = 0;
	else
		return es_error_set(err, ESEAL_E_USAGE, "%s: '%s' is not yes or no", key, value);
	return ESEAL_OK;
}

/* A key whose value is one word of a fixed set: the words and their values in one table, which the message lists. */
typedef struct {
	const char *word;
	int value;
} choice;

static int parse_choice(const char *key, const char *value, const choice *choices, size_t n, int *out, eseal_error *err)
{
	char list[128] = "";
	const char *sep;
	size_t i, used = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(value, choices[i].word) == 0) {
			*out = choices[i].value;
			return ESEAL_OK;
		}
		sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", sep, choices[i].word);
	}
	return es_error_set(err, ESEAL_E_USAGE, "%s: '%s' is not %s", key, value, list);
}

static const choice tsa_revocation_choices[] = {{"require", ESEAL_TSA_REVOCATION_REQUIRE},
						{"off", ESEAL_TSA_REVOCATION_OFF}};

/* "x,y,w,h" in PDF points. */
static int parse_rect(const char *value, double rect[4], eseal_error *err)
{
	double r[4];
	char tail;

	/* Written so that NaN (which sscanf accepts and every comparison rejects) fails too. */
	if (sscanf(value, "%lf,%lf,%lf,%lf%c", &r[0], &r[1], &r[2], &r[3], &tail) != 4 ||
	    !(isfinite(r[0]) && isfinite(r[1]) && r[0] >= 0 && r[1] >= 0 && r[2] > 0 && r[3] > 0 && isfinite(r[2]) &&
	      isfinite(r[3])))
		return es_error_set(err, ESEAL_E_USAGE, "rect: '%s' is not x,y,w,h with positive width and height",
				    value);
	memcpy(rect, r, sizeof(r));
	return ESEAL_OK;
}

/* Space-separated URLs; each call appends (the CLI gives --tsa several times). */
static int add_tsa_urls(eseal_profile *p, const char *value, eseal_error *err)
{
	char *copy = NULL, *tok, *save = NULL;
	int rc = ESEAL_OK;

	if ((copy = strdup(value)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL; tok = strtok_r(NULL, " \t,", &save)) {
		if (strncmp(tok, "http://", 7) != 0 && strncmp(tok, "https://", 8) != 0) {
			char shown[ES_URL_SHOW_MAX];

			rc = es_error_set(err, ESEAL_E_USAGE, "tsa: '%s' is not an http:// or https:// URL",
					  es_url_show(tok, shown, sizeof(shown)));
			goto cleanup;
		}
		if (p->n_tsa == ESEAL_MAX_TSA_URLS) {
			rc = es_error_set(err, ESEAL_E_USAGE, "tsa: more than %d URLs", ESEAL_MAX_TSA_URLS);
			goto cleanup;
		}
		if ((p->tsa[p->n_tsa] = strdup(tok)) == NULL) {
			rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
			goto cleanup;
		}
		p->n_tsa++;
	}
cleanup:
	free(copy);
	return rc;
}

eseal_status eseal_profile_set(eseal_profile *p, const char *key, const char *value, eseal_error *err)
{
	long n = 0;
	int b = 0, rc;

	eseal_error_clear(err);
	if (strcmp(key, "tsa") == 0) {
		if (value == NULL) {
			while (p->n_tsa > 0)
				free(p->tsa[--p->n_tsa]);
			return ESEAL_OK;
		}
		return add_tsa_urls(p, value, err);
	}
	if (value == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "%s: missing value", key);

	if (strcmp(key, "key") == 0)
		return set_string(&p->key, value, err);
	if (strcmp(key, "pin-file") == 0)
		return set_string(&p->pin_file, value, err);
	if (strcmp(key, "csc-token-file") == 0)
		return set_string(&p->csc_token_file, value, err);
	if (strcmp(key, "csc-ca") == 0)
		return set_string(&p->csc_ca, value, err);
	if (strcmp(key, "csc-client-id") == 0)
		return set_string(&p->csc_client_id, value, err);
	if (strcmp(key, "csc-client-secret-file") == 0)
		return set_string(&p->csc_client_secret_file, value, err);
	if (strcmp(key, "csc-batch") == 0) {
		if ((rc = parse_long(key, value, 1, ESEAL_CSC_BATCH_MAX, &n, err)) != ESEAL_OK)
			return rc;
		p->csc_batch = (int)n;
		return ESEAL_OK;
	}
	if (strcmp(key, "cert") == 0)
		return set_string(&p->cert, value, err);
	if (strcmp(key, "sig-scheme") == 0) {
		if (strcmp(value, "auto") != 0 && strcmp(value, "pkcs1") != 0 && strcmp(value, "pss") != 0 &&
		    strcmp(value, "ecdsa") != 0)
			return es_error_set(err, ESEAL_E_USAGE, "sig-scheme: '%s' is not auto, pkcs1, pss or ecdsa",
					    value);
		return set_string(&p->sig_scheme, value, err);
	}
	if (strcmp(key, "digest") == 0) {
		if (strcmp(value, "sha256") != 0 && strcmp(value, "sha384") != 0 && strcmp(value, "sha512") != 0)
			return es_error_set(err, ESEAL_E_USAGE, "digest: '%s' is not sha256, sha384 or sha512", value);
		return set_string(&p->digest, value, err);
	}
	if (strcmp(key, "tsa-ca") == 0)
		return set_string(&p->tsa_ca, value, err);
	if (strcmp(key, "trust") == 0)
		return set_string(&p->trust, value, err);
	if (strcmp(key, "tsa-tls-ca") == 0)
		return set_string(&p->tsa_tls_ca, value, err);
	if (strcmp(key, "tsa-auth-file") == 0)
		return set_string(&p->tsa_auth_file, value, err);
	if (strcmp(key, "tsa-policy") == 0)
		return set_string(&p->tsa_policy, value, err);
	if (strcmp(key, "tsa-timeout") == 0) {
		if ((rc = parse_long(key, value, 1, 600, &n, err)) != ESEAL_OK)
			return rc;
		p->tsa_timeout_ms = n * 1000;
		return ESEAL_OK;
	}
	if (strcmp(key, "tsa-retries") == 0) {
		if ((rc = parse_long(key, value, 0, 10, &n, err)) != ESEAL_OK)
			return rc;
		p->tsa_retries = (int)n;
		return ESEAL_OK;
	}
	if (strcmp(key, "tsa-revocation") == 0) {
		if ((rc = parse_choice(key, value, tsa_revocation_choices,
				       sizeof(tsa_revocation_choices) / sizeof(tsa_revocation_choices[0]), &b, err)) !=
		    ESEAL_OK)
			return rc;
		p->tsa_revocation = (eseal_tsa_revocation)b;
		return ESEAL_OK;
	}
	if (strcmp(key, "level") == 0) {
		if (eseal_level_parse(value, &p->level) != 0)
			return es_error_set(err, ESEAL_E_USAGE, "level: '%s' is not B-B, B-T, B-LT or B-LTA", value);
		return ESEAL_OK;
	}
	if (strcmp(key, "reason") == 0)
		return set_string(&p->reason, value, err);
	if (strcmp(key, "location") == 0)
		return set_string(&p->location, value, err);
	if (strcmp(key, "contact") == 0)
		return set_string(&p->contact, value, err);
	if (strcmp(key, "visible") == 0) {
		if ((rc = parse_bool(key, value, &b, err)) != ESEAL_OK)
			return rc;
		p->visible = b;
		return ESEAL_OK;
	}
	if (strcmp(key, "page") == 0) {
		if (strcmp(value, "last") == 0) {
			p->page = -1;
			return ESEAL_OK;
		}
		if ((rc = parse_long(key, value, 1, 1000000, &n, err)) != ESEAL_OK)
			return rc;
		p->page = (int)n;
		return ESEAL_OK;
	}
	if (strcmp(key, "rect") == 0)
		return parse_rect(value, p->rect, err);
	if (strcmp(key, "image") == 0)
		return set_string(&p->image, value, err);
	if (strcmp(key, "field") == 0)
		return set_string(&p->field, value, err);
	if (strcmp(key, "timezone") == 0) {
		long off;
		char abbr[16];

		/* Checked now, so that a typo stops the profile rather than the first visible seal. */
		if ((rc = es_tz_at(value, time(NULL), &off, abbr, sizeof(abbr), err)) != ESEAL_OK)
			return rc;
		return set_string(&p->timezone, value, err);
	}
	if (strcmp(key, "certify") == 0) {
		if (strcmp(value, "no") == 0 || strcmp(value, "none") == 0)
			p->certify = ESEAL_CERTIFY_NONE;
		else if (strcmp(value, "no-changes") == 0)
			p->certify = ESEAL_CERTIFY_NO_CHANGES;
		else if (strcmp(value, "form-fill") == 0)
			p->certify = ESEAL_CERTIFY_FORM_FILL;
		else if (strcmp(value, "annotations") == 0)
			p->certify = ESEAL_CERTIFY_ANNOTATIONS;
		else
			return es_error_set(err, ESEAL_E_USAGE,
					    "certify: '%s' is not no, no-changes, form-fill or annotations", value);
		return ESEAL_OK;
	}
	if (strcmp(key, "placement") == 0) {
		if (strcmp(value, "enveloped") == 0)
			p->placement = ESEAL_PLACEMENT_ENVELOPED;
		else if (strcmp(value, "ubl") == 0)
			p->placement = ESEAL_PLACEMENT_UBL;
		else if (strcmp(value, "fatturapa") == 0)
			p->placement = ESEAL_PLACEMENT_FATTURAPA;
		else if (strcmp(value, "detached") == 0)
			p->placement = ESEAL_PLACEMENT_DETACHED;
		else
			return es_error_set(err, ESEAL_E_USAGE,
					    "placement: '%s' is not enveloped, ubl, fatturapa or detached", value);
		return ESEAL_OK;
	}
	if (strcmp(key, "output-dir") == 0)
		return set_string(&p->output_dir, value, err);
	return es_error_set(err, ESEAL_E_USAGE, "unknown setting '%s'", key);
}

struct load_ctx {
	eseal_profile *profile;
	const char *want;
	int found;
	int in_section;
	eseal_error *err;
};

/* inih calls this for every key; returning 0 makes ini_parse report the line number. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	const char *prefix = "profile ";

	if (name == NULL) /* start of a section (INI_CALL_HANDLER_ON_NEW_SECTION builds) */
		return 1;
	if (strncmp(section, prefix, strlen(prefix)) != 0 || strcmp(section + strlen(prefix), ctx->want) != 0)
		return 1;
	ctx->found = 1;
	return eseal_profile_set(ctx->profile, name, value, ctx->err) == ESEAL_OK;
}

/* The profile file: unreadable, a FIFO or a device are all bad arguments (64), as a missing file always was. */
static const es_input_role config_role = {"cannot read configuration", ESEAL_E_USAGE, ESEAL_E_USAGE,
					  ES_INPUT_MAX_CONFIG, 0};

eseal_status eseal_profile_load(eseal_profile **out, const char *path, const char *name, eseal_error *err)
{
	eseal_profile *p = NULL;
	struct load_ctx ctx;
	int rc, line;
	unsigned char *text = NULL;
	size_t len = 0;

	eseal_error_clear(err);
	*out = NULL;
	if (path == NULL)
		path = getenv("ESEAL_CONFIG");
	if (path == NULL || *path == '\0')
		path = ESEAL_DEFAULT_CONFIG;
	if ((rc = eseal_profile_new(&p, err)) != ESEAL_OK)
		goto cleanup;
	if ((p->name = strdup(name)) == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto cleanup;
	}
	if ((rc = es_input_read(path, &config_role, &text, &len, err)) != ESEAL_OK)
		goto cleanup;
	memset(&ctx, 0, sizeof(ctx));
	ctx.profile = p;
	ctx.want = name;
	ctx.err = err;
	line = ini_parse_string((const char *)text, on_key, &ctx);
	if (line != 0) {
		if (err != NULL && err->status != ESEAL_OK) {
			es_error_prefix(err, "%s:%d", path, line);
			rc = err->status;
		} else {
			rc = es_error_set(err, ESEAL_E_USAGE, "%s:%d: syntax error", path, line);
		}
		goto cleanup;
	}
	if (!ctx.found) {
		rc = es_error_set(err, ESEAL_E_USAGE, "%s: no [profile %s] section", path, name);
		goto cleanup;
	}
	*out = p;
	p = NULL;
	rc = ESEAL_OK;
cleanup:
	free(text);
	eseal_profile_free(p);
	return rc;
}
