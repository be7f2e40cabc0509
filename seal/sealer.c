/* seal/sealer.c: one sealer = one key login + one TSA client + settings, shared by every file and thread.
 * It detects each input's format and hands it to the PDF, XML or CAdES sealer; it never touches document bytes. */
#include "eseal/seal.h"
#include "eseal/cms.h"
#include "eseal/pdf.h"
#include "eseal/xml.h"
#include "error_internal.h"
#include "secret_internal.h"
#include "input_internal.h"

#include <openssl/crypto.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct eseal_sealer {
	eseal_profile *profile; /* private deep copy: the caller may free theirs */
	eseal_warn_fn warn;     /* the front end's, for warnings while sealing (e.g. a password file others can read) */
	void *warn_ctx;
	eseal_signer *signer;
	eseal_tsa *tsa;         /* NULL for B-B */
	const EVP_MD *md;
};

const char *eseal_format_name(eseal_format format)
{
	switch (format) {
	case ESEAL_FORMAT_PDF: return "PAdES";
	case ESEAL_FORMAT_XML: return "XAdES";
	case ESEAL_FORMAT_XML_DETACHED: return "XAdES";
	case ESEAL_FORMAT_CADES: return "CAdES";
	case ESEAL_FORMAT_AUTO: break;
	}
	return "auto";
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

	if (p->n_tsa == 0)
		return es_error_set(err, ESEAL_E_USAGE, "level B-T needs at least one TSA URL (tsa = ... or --tsa URL)");
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
	return eseal_tsa_open(&s->tsa, &o, err);
}

int eseal_sealer_open(eseal_sealer **out, const eseal_profile *profile, eseal_error *err)
{
	return eseal_sealer_open_ext(out, profile, NULL, err);
}

int eseal_sealer_open_ext(eseal_sealer **out, const eseal_profile *profile, const eseal_sealer_options *opts,
			  eseal_error *err)
{
	eseal_sealer_options none;
	eseal_sealer *s = NULL;
	eseal_signer_options so;
	int rc;

	*out = NULL;
	if (opts == NULL) {
		memset(&none, 0, sizeof(none));
		opts = &none;
	}
	if (profile->key == NULL)
		return es_error_set(err, ESEAL_E_USAGE, "no key given (key = ... in the profile, or --key URI)");
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
	memset(&so, 0, sizeof(so));
	so.key = profile->key;
	so.pin_file = profile->pin_file;
	so.cert_file = profile->cert;
	so.scheme = scheme_of(profile->sig_scheme);
	so.env_pin = opts->env_pin;
	so.warn = opts->warn;
	so.warn_ctx = opts->warn_ctx;
	if ((rc = eseal_signer_open(&s->signer, &so, err)) != ESEAL_OK)
		goto cleanup;
	if (profile->level == ESEAL_LEVEL_B_T && (rc = open_tsa(s, opts, err)) != ESEAL_OK)
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
	eseal_signer_free(s->signer);
	eseal_profile_free(s->profile);
	free(s);
}

int eseal_detect_format(const char *path, eseal_format *format, eseal_error *err)
{
	unsigned char head[1024];
	ssize_t n;
	int fd = -1, rc;

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
	o.overwrite = so->overwrite;
	o.output_group = so->output_group;
	o.output_cookie = so->output_cookie;
	rc = eseal_pdf_seal(in, out, &o, err);
	OPENSSL_cleanse(password, sizeof(password));
	return rc;
}

/* Enveloped placements seal in the document; detached writes a separate XAdES file referencing it. */
static int seal_xml(eseal_sealer *s, const char *in, const char *out, const eseal_seal_options *so, int detached,
		    eseal_error *err)
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
		return eseal_xml_seal_detached(&in, 1, out, &o, err);
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
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: named .pdf but not a PDF (no %%PDF- header); use --format cades to seal it as a file",
				    path);
	if (detected != ESEAL_FORMAT_XML && has_suffix(path, ".xml"))
		return es_error_set(err, ESEAL_E_INPUT,
				    "%s: named .xml but not XML; use --format cades to seal it as a file", path);
	return ESEAL_OK;
}

int eseal_sealer_resolve_format(const eseal_sealer *s, const char *path, eseal_format requested,
				eseal_format *format, eseal_error *err)
{
	int detached = s->profile->placement == ESEAL_PLACEMENT_DETACHED, rc;

	*format = requested;
	if (requested == ESEAL_FORMAT_AUTO) {
		if ((rc = eseal_detect_format(path, format, err)) != ESEAL_OK ||
		    (rc = check_name_matches(path, *format, err)) != ESEAL_OK)
			return rc;
		if (detached && *format != ESEAL_FORMAT_PDF)
			*format = ESEAL_FORMAT_XML_DETACHED;
	} else if (requested == ESEAL_FORMAT_XML && detached) {
		*format = ESEAL_FORMAT_XML_DETACHED;
	}
	return ESEAL_OK;
}

int eseal_sealer_seal(eseal_sealer *s, const char *in_path, const char *out_path, const eseal_seal_options *opts,
		      eseal_format *format_used, eseal_error *err)
{
	eseal_seal_options defaults;
	eseal_format format;
	int rc;

	if (opts == NULL) {
		memset(&defaults, 0, sizeof(defaults));
		opts = &defaults;
	}
	if ((rc = eseal_sealer_resolve_format(s, in_path, opts->format, &format, err)) != ESEAL_OK)
		return rc;
	if (format_used != NULL)
		*format_used = format;
	switch (format) {
	case ESEAL_FORMAT_PDF:
		return seal_pdf(s, in_path, out_path, opts, err);
	case ESEAL_FORMAT_XML:
		return seal_xml(s, in_path, out_path, opts, 0, err);
	case ESEAL_FORMAT_XML_DETACHED:
		return seal_xml(s, in_path, out_path, opts, 1, err);
	case ESEAL_FORMAT_CADES:
	case ESEAL_FORMAT_AUTO:
		break;
	}
	return seal_cades(s, in_path, out_path, opts, err);
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
