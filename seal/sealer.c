/* seal/sealer.c: one sealer = one key login + one TSA client + settings, shared by every file and thread.
 * It detects each input's format and hands it to the PDF, XML or CAdES sealer; it never touches document bytes. */
#include "eseal/cms.h"
#include "eseal/extend.h"
#include "eseal/pdf.h"
#include "eseal/seal.h"
#include "eseal/xml.h"
#include "eseal/asic.h"
#include "core/error_internal.h"
#include "core/input_internal.h"
#include "core/secret_internal.h"
#include "timestamp/tsa_revocation.h"

#include <openssl/crypto.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct eseal_sealer {
	eseal_profile *profile; /* private deep copy: the caller may free theirs */
	eseal_warn_fn warn;     /* the front end's, for warnings while sealing (e.g. a password file others can read) */
	void *warn_ctx;
	eseal_signer *signer;
	int signer_borrowed;    /* the caller's (eseal_sealer_options.signer): not freed here */
	eseal_tsa *tsa;         /* NULL for B-B */
	const EVP_MD *md;
	eseal_verifier *verifier; /* B-LT and B-LTA: collects validation data; NULL below */
	int extend;               /* extends the inputs' seals instead of sealing (no signer) */
	long long renew_before;   /* extend: leave files whose time-stamps prove longer than this (seconds) */
};

const char *eseal_format_name(eseal_format format)
{
	switch (format) {
	case ESEAL_FORMAT_PDF: return "PAdES";
	case ESEAL_FORMAT_XML: return "XAdES";
	case ESEAL_FORMAT_XML_DETACHED: return "XAdES";
	case ESEAL_FORMAT_CADES: return "CAdES";
	case ESEAL_FORMAT_ASIC: return "ASiC";
	case ESEAL_FORMAT_AUTO: break;
	}
	return "auto";
}

eseal_status eseal_format_parse(const char *s, eseal_format *out)
{
	if (strcmp(s, "auto") == 0)
		*out = ESEAL_FORMAT_AUTO;
	else if (strcmp(s, "pdf") == 0)
		*out = ESEAL_FORMAT_PDF;
	else if (strcmp(s, "xml") == 0)
		*out = ESEAL_FORMAT_XML;
	else if (strcmp(s, "cades") == 0 || strcmp(s, "p7s") == 0)
		*out = ESEAL_FORMAT_CADES;
	else
		return ESEAL_E_USAGE;
	return ESEAL_OK;
}

static eseal_sig_scheme scheme_of(const char *name)
{
	if (name == NULL || strcmp(name, "auto") == 0)
		return ESEAL_SCHEME_AUTO;
	if (strcmp(name, "pss") == 0)
		return ESEAL_SCHEME_RSA_PSS;
	if (strcmp(name, "ecdsa") == 0)
		return ESEAL_SCHEME_ECDSA;
	return ESEAL_SCHEME_RSA_PKCS1;
}

static int open_tsa(eseal_sealer *s, const eseal_sealer_options *so, eseal_error *err)
{
	const eseal_profile *p = s->profile;
	eseal_tsa_options o;
	int rc;

	if (p->n_tsa == 0)
		return es_error_because(err, ESEAL_E_USAGE, ESEAL_REASON_NO_TSA,
					"level %s needs at least one TSA URL (profile key tsa)", eseal_level_name(p->level));
	memset(&o, 0, sizeof(o));
	o.urls = (const char *const *)p->tsa;
	o.n_urls = p->n_tsa;
	o.md = s->md;
	o.policy_oid = p->tsa_policy;
	o.timeout_ms = p->tsa_timeout_ms;
	o.retries = p->tsa_retries;
	o.auth_file = p->tsa_auth_file;
	o.ca_file = p->tsa_ca;
	o.tls_ca_file = p->tsa_tls_ca;
	o.revocation = p->tsa_revocation;
	o.warn = so->warn;
	o.warn_ctx = so->warn_ctx;
	/* B-LT, B-LTA: the TSA certificate's revocation check and the collector of validation data ask the same
	 * responders about the same certificates; one cache makes that once per batch, not once each. */
	if ((rc = eseal_tsa_open(&s->tsa, &o, err)) == ESEAL_OK && s->verifier != NULL)
		es_tsa_share_rev_cache(s->tsa, s->verifier);
	return rc;
}

/* The verifier that collects validation data: online, trusting the seal's anchors and the TSA's. */
static int open_verifier(eseal_sealer *s, eseal_error *err)
{
	const eseal_profile *p = s->profile;
	eseal_verifier_options vo;
	const char *trust[2];
	size_t n = 0;

	if (p->trust == NULL)
		return es_error_because(err, ESEAL_E_USAGE, ESEAL_REASON_NO_TRUST,
					"level %s needs the trust anchors of the seal's chain (profile key trust)",
					eseal_level_name(p->level));
	trust[n++] = p->trust;
	if (p->tsa_ca != NULL)
		trust[n++] = p->tsa_ca;
	memset(&vo, 0, sizeof(vo));
	vo.trust_files = trust;
	vo.n_trust_files = n;
	vo.timeout_ms = p->tsa_timeout_ms;
	return eseal_verifier_open(&s->verifier, &vo, err);
}

eseal_status eseal_sealer_open(eseal_sealer **out, const eseal_profile *profile, eseal_error *err)
{
	return eseal_sealer_open_ext(out, profile, NULL, err);
}

eseal_status eseal_sealer_open_ext(eseal_sealer **out, const eseal_profile *profile, const eseal_sealer_options *opts,
				   eseal_error *err)
{
	eseal_sealer_options none;
	eseal_sealer *s = NULL;
	eseal_signer_options so;
	int rc;

	eseal_error_clear(err);
	*out = NULL;
	if (opts == NULL) {
		memset(&none, 0, sizeof(none));
		opts = &none;
	}
	if (opts->extend && profile->level < ESEAL_LEVEL_B_LT)
		return es_error_set(err, ESEAL_E_USAGE, "extend: the level must be B-LT or B-LTA, not %s",
				    eseal_level_name(profile->level));
	if (profile->key == NULL && !opts->extend && opts->signer == NULL)
		return es_error_because(err, ESEAL_E_USAGE, ESEAL_REASON_NO_KEY, "no key given (profile key key)");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	s->warn = opts->warn;
	s->warn_ctx = opts->warn_ctx;
	if ((rc = eseal_profile_copy(&s->profile, profile, err)) != ESEAL_OK)
		goto cleanup;
	s->md = EVP_get_digestbyname(profile->digest != NULL ? profile->digest : "sha256");
	if (s->md == NULL) {
		rc = es_error_set(err, ESEAL_E_USAGE, "digest: unknown algorithm '%s'", profile->digest);
		goto cleanup;
	}
	s->extend = opts->extend;
	s->renew_before = opts->renew_before;
	if (profile->level >= ESEAL_LEVEL_B_LT && (rc = open_verifier(s, err)) != ESEAL_OK)
		goto cleanup;
	if (s->extend) {
		/* Extending needs a TSA for B-LTA (and for a PDF seal without a time-stamp of its own); not a key. */
		if ((profile->level == ESEAL_LEVEL_B_LTA || profile->n_tsa > 0) && (rc = open_tsa(s, opts, err)) != ESEAL_OK)
			goto cleanup;
		*out = s;
		return ESEAL_OK;
	}
	if (opts->signer != NULL) {
		s->signer = opts->signer;
		s->signer_borrowed = 1;
	} else {
		memset(&so, 0, sizeof(so));
		so.key = profile->key;
		so.pin_file = profile->pin_file;
		so.cert_file = profile->cert;
		so.csc_token_file = profile->csc_token_file;
		so.csc_ca = profile->csc_ca;
		so.csc_client_id = profile->csc_client_id;
		so.csc_client_secret_file = profile->csc_client_secret_file;
		so.csc_batch = profile->csc_batch;
		so.scheme = scheme_of(profile->sig_scheme);
		so.env_pin = opts->env_pin;
		so.warn = opts->warn;
		so.warn_ctx = opts->warn_ctx;
		if ((rc = eseal_signer_open(&s->signer, &so, err)) != ESEAL_OK)
			goto cleanup;
	}
	if (profile->level >= ESEAL_LEVEL_B_T && (rc = open_tsa(s, opts, err)) != ESEAL_OK)
		goto cleanup;
	*out = s;
	s = NULL;
cleanup:
	eseal_sealer_free(s);
	return rc;
}

void eseal_sealer_free(eseal_sealer *s)
{
	if (s == NULL)
		return;
	eseal_tsa_free(s->tsa);
	eseal_verifier_free(s->verifier);
	if (!s->signer_borrowed)
		eseal_signer_free(s->signer);
	eseal_profile_free(s->profile);
	free(s);
}

eseal_status eseal_detect_format(const char *path, eseal_format *format, eseal_error *err)
{
	unsigned char head[1024];
	ssize_t n;
	int fd = -1, rc;

	eseal_error_clear(err);
	if ((rc = es_input_open(path, &es_input_document, &fd, NULL, err)) != ESEAL_OK)
		return rc;
	do {
		n = read(fd, head, sizeof(head));
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot read: %s", path, strerror(errno));
	if (eseal_pdf_detect(head, (size_t)n))
		*format = ESEAL_FORMAT_PDF;
	else if (eseal_xml_detect(head, (size_t)n))
		*format = ESEAL_FORMAT_XML;
	else if (n >= 4 && memcmp(head, "PK\003\004", 4) == 0)
		*format = ESEAL_FORMAT_ASIC;
	else
		*format = ESEAL_FORMAT_CADES;
	return ESEAL_OK;
}

static int seal_pdf(eseal_sealer *s, const char *in, const char *out, const eseal_seal_options *so,
		    eseal_error *err)
{
	const eseal_profile *p = s->profile;
	eseal_pdf_options o;
	char password[512];
	int rc;

	memset(&o, 0, sizeof(o));
	if (so->password_file != NULL) {
		if ((rc = es_secret_read_file(so->password_file, "password file", password, sizeof(password), s->warn,
					      s->warn_ctx, err)) != ESEAL_OK)
			return rc;
		o.password = password;
	}
	o.signer = s->signer;
	o.tsa = s->tsa;
	o.md = s->md;
	o.reason = p->reason;
	o.location = p->location;
	o.contact = p->contact;
	o.visible = p->visible;
	o.page = p->page;
	memcpy(o.rect, p->rect, sizeof(o.rect));
	o.image = p->image;
	o.certify = p->certify;
	o.field = p->field;
	o.timezone = p->timezone;
	o.warn = s->warn;
	o.warn_ctx = s->warn_ctx;
	o.overwrite = so->overwrite;
	o.output_group = so->output_group;
	o.output_cookie = so->output_cookie;
	rc = eseal_pdf_seal(in, out, &o, err);
	OPENSSL_cleanse(password, sizeof(password));
	return rc;
}

/* Enveloped placements seal in the document; detached writes a separate XAdES file referencing it. */
static int seal_xml(eseal_sealer *s, const char *in, const char *out, const eseal_seal_options *so, int detached,
		    const eseal_extend_options *lt, eseal_error *err)
{
	eseal_xml_options o;

	memset(&o, 0, sizeof(o));
	o.signer = s->signer;
	o.tsa = s->tsa;
	o.md = s->md;
	o.placement = detached ? ESEAL_PLACEMENT_DETACHED : s->profile->placement;
	o.force = so->force;
	o.overwrite = so->overwrite;
	o.output_group = so->output_group;
	o.output_cookie = so->output_cookie;
	if (detached)
		return eseal_folder_seal(&in, 1, out, &o, lt, err);
	return eseal_xml_seal(in, out, &o, err);
}

static int seal_cades(eseal_sealer *s, const char *in, const char *out, const eseal_seal_options *so,
		      eseal_error *err)
{
	eseal_cms_options o;

	memset(&o, 0, sizeof(o));
	o.md = s->md;
	o.add_signing_time = 1; /* EN 319 122-1 CAdES-B: signing-time is required */
	o.tsa = s->tsa;
	o.output_group = so->output_group;
	o.output_cookie = so->output_cookie;
	return eseal_cades_seal_file(s->signer, &o, in, out, so->overwrite, err);
}

static int has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);

	return n >= m && strcasecmp(path + n - m, suffix) == 0;
}

/* A file named .pdf/.xml whose bytes are something else is a mistake (or a trap), not a file to wrap in a
 * detached .p7s: the user asked for a PDF or XML seal and would get a different kind of output. */
static int check_name_matches(const char *path, eseal_format detected, eseal_error *err)
{
	if (detected != ESEAL_FORMAT_PDF && has_suffix(path, ".pdf"))
		return es_error_because(
			err, ESEAL_E_INPUT, ESEAL_REASON_FORMAT_MISMATCH,
			"%s: named .pdf but not a PDF (no %%PDF- header); it can be sealed as any other file, in a detached CAdES",
			path);
	if (detected != ESEAL_FORMAT_XML && has_suffix(path, ".xml"))
		return es_error_because(
			err, ESEAL_E_INPUT, ESEAL_REASON_FORMAT_MISMATCH,
			"%s: named .xml but not XML; it can be sealed as any other file, in a detached CAdES", path);
	return ESEAL_OK;
}

eseal_status eseal_sealer_resolve_format(const eseal_sealer *s, const char *path, eseal_format requested,
					 eseal_format *format, eseal_error *err)
{
	/* Extending looks at what a file is, not at how the profile would seal it. */
	int detached = s->profile->placement == ESEAL_PLACEMENT_DETACHED && !s->extend, rc;

	eseal_error_clear(err);
	*format = requested;
	if (requested == ESEAL_FORMAT_AUTO) {
		if ((rc = eseal_detect_format(path, format, err)) != ESEAL_OK ||
		    (rc = check_name_matches(path, *format, err)) != ESEAL_OK)
			return rc;
		/* A zip is sealed as any other file; only extending takes it for a container. */
		if (*format == ESEAL_FORMAT_ASIC && !s->extend)
			*format = ESEAL_FORMAT_CADES;
		if (detached && *format != ESEAL_FORMAT_PDF)
			*format = ESEAL_FORMAT_XML_DETACHED;
	} else if (requested == ESEAL_FORMAT_XML && detached) {
		*format = ESEAL_FORMAT_XML_DETACHED;
	}
	return ESEAL_OK;
}

void eseal_sealer_long_term(eseal_sealer *s, const eseal_seal_options *so, eseal_extend_options *eo)
{
	memset(eo, 0, sizeof(*eo));
	eo->level = s->profile->level;
	eo->verifier = s->verifier;
	eo->tsa = s->tsa;
	eo->md = s->md;
	eo->overwrite = so->overwrite;
	eo->renew_before = s->renew_before;
	eo->output_group = so->output_group;
	eo->output_cookie = so->output_cookie;
}

/* data: the signed file of a detached .p7s (NULL: beside it, as the verifier looks). */
static int extend_file(eseal_sealer *s, eseal_format format, const char *in, const char *data, const char *out,
		       const eseal_seal_options *so, eseal_extend_result *result, eseal_error *err)
{
	eseal_extend_options eo;

	eseal_sealer_long_term(s, so, &eo);
	switch (format) {
	case ESEAL_FORMAT_PDF:
		return eseal_pdf_extend(in, out, &eo, result, err);
	case ESEAL_FORMAT_XML:
	case ESEAL_FORMAT_XML_DETACHED:
		return eseal_folder_extend(in, so->data_dir, out, &eo, result, err);
	case ESEAL_FORMAT_ASIC:
		return eseal_asic_extend(in, out, &eo, result, err);
	case ESEAL_FORMAT_CADES:
	case ESEAL_FORMAT_AUTO:
		break;
	}
	return eseal_cades_extend(in, data, out, &eo, result, err);
}

static int seal_file(eseal_sealer *s, eseal_format format, const char *in, const char *out,
		     const eseal_seal_options *so, eseal_error *err)
{
	switch (format) {
	case ESEAL_FORMAT_PDF:
		return seal_pdf(s, in, out, so, err);
	case ESEAL_FORMAT_XML:
		return seal_xml(s, in, out, so, 0, NULL, err);
	case ESEAL_FORMAT_XML_DETACHED:
		return seal_xml(s, in, out, so, 1, NULL, err);
	case ESEAL_FORMAT_CADES:
	case ESEAL_FORMAT_ASIC:
	case ESEAL_FORMAT_AUTO:
		break;
	}
	return seal_cades(s, in, out, so, err);
}

/* B-LT and B-LTA: the B-T seal goes to a private directory beside the output (same file system, never a name
 * anyone waits for), then the extension writes the output itself; the B-T file goes whatever happens. */
static int seal_long_term(eseal_sealer *s, eseal_format format, const char *in, const char *out,
			  const eseal_seal_options *so, eseal_error *err)
{
	eseal_seal_options bt = *so;
	char *copy = strdup(out), *base_copy = strdup(out), dir[4096], bt_path[4096 + 256];
	int rc;

	if (format == ESEAL_FORMAT_XML_DETACHED) {
		/* The B-T file lies beside the output: its References are relative to where it is. */
		eseal_extend_options eo;

		eseal_sealer_long_term(s, so, &eo);
		rc = seal_xml(s, in, out, so, 1, &eo, err);
		goto done;
	}
	if (copy == NULL || base_copy == NULL) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
		goto done;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s/.eseal-bt-XXXXXX", dirname(copy)) >= sizeof(dir) ||
	    mkdtemp(dir) == NULL) {
		rc = es_error_set(err, ESEAL_E_IO, "%s: cannot make a private directory beside the output: %s", out,
				  strerror(errno));
		goto done;
	}
	snprintf(bt_path, sizeof(bt_path), "%s/%s", dir, basename(base_copy));
	bt.overwrite = 0;
	bt.output_group = NULL; /* the extension reads it at once: it must be complete, not queued */
	bt.output_cookie = NULL;
	rc = seal_file(s, format, in, bt_path, &bt, err);
	if (rc == ESEAL_OK)
		rc = extend_file(s, format, bt_path, in, out, so, NULL, err);
	unlink(bt_path);
	rmdir(dir);
done:
	free(copy);
	free(base_copy);
	return rc;
}

eseal_status eseal_sealer_seal(eseal_sealer *s, const char *in_path, const char *out_path,
			       const eseal_seal_options *opts, eseal_format *format_used, eseal_error *err)
{
	eseal_seal_result result;
	int rc = eseal_sealer_seal_ext(s, in_path, out_path, opts, &result, err);

	if (format_used != NULL && result.format != ESEAL_FORMAT_AUTO)
		*format_used = result.format;
	return rc;
}

eseal_status eseal_sealer_seal_ext(eseal_sealer *s, const char *in_path, const char *out_path,
				   const eseal_seal_options *opts, eseal_seal_result *result, eseal_error *err)
{
	eseal_seal_options defaults;
	eseal_extend_result ext;
	eseal_format format;
	int rc;

	eseal_error_clear(err);
	if (result != NULL)
		memset(result, 0, sizeof(*result));
	if (opts == NULL) {
		memset(&defaults, 0, sizeof(defaults));
		opts = &defaults;
	}
	if ((rc = eseal_sealer_resolve_format(s, in_path, opts->format, &format, err)) != ESEAL_OK)
		return rc;
	if (result != NULL)
		result->format = format;
	if (opts->data_path != NULL && (!s->extend || format != ESEAL_FORMAT_CADES))
		return es_error_set(err, ESEAL_E_USAGE, "%s: a data file is given only to extend a detached .p7s", in_path);
	if (opts->data_dir != NULL && (!s->extend || format != ESEAL_FORMAT_XML))
		return es_error_set(err, ESEAL_E_USAGE, "%s: a data folder is given only to extend a folder seal (XAdES)",
				    in_path);
	if (s->extend) {
		rc = extend_file(s, format, in_path, opts->data_path, out_path, opts, &ext, err);
		if (rc == ESEAL_OK && result != NULL) {
			result->current = ext.current;
			result->renew_by = ext.renew_by;
		}
		return rc;
	}
	if (s->profile->level >= ESEAL_LEVEL_B_LT)
		return seal_long_term(s, format, in_path, out_path, opts, err);
	return seal_file(s, format, in_path, out_path, opts, err);
}

eseal_signer *eseal_sealer_signer(const eseal_sealer *s)
{
	return s->signer;
}

eseal_tsa *eseal_sealer_tsa(const eseal_sealer *s)
{
	return s->tsa;
}

const eseal_profile *eseal_sealer_profile(const eseal_sealer *s)
{
	return s->profile;
}

int eseal_sealer_extends(const eseal_sealer *s)
{
	return s->extend;
}
