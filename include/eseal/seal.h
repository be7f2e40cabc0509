/* eseal/seal.h: the entry point front ends call to seal a file with a profile.
 * A sealer opens the key, TSA and settings once and then seals any number of files, from any number of threads. */
#ifndef ESEAL_SEAL_H
#define ESEAL_SEAL_H

#include <time.h>

#include "eseal/error.h"
#include "eseal/output.h"
#include "eseal/profile.h"
#include "eseal/signer.h"
#include "eseal/timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eseal_sealer eseal_sealer;

typedef enum {
	ESEAL_FORMAT_AUTO = 0,
	ESEAL_FORMAT_PDF,          /* PAdES, incremental update */
	ESEAL_FORMAT_XML,          /* XAdES in the document (the profile's enveloped, ubl or fatturapa placement) */
	ESEAL_FORMAT_XML_DETACHED, /* XAdES in a separate file referencing the input */
	ESEAL_FORMAT_CADES,        /* detached CAdES (.p7s) */
	ESEAL_FORMAT_ASIC          /* an ASiC container (a zip): only extended here; eseal_asic_seal makes one */
} eseal_format;

typedef struct eseal_seal_options {
	eseal_format format;    /* AUTO: detected from the content */
	int overwrite;
	eseal_output_group *output_group; /* batch: outputs committed in the background (eseal/output.h); NULL = alone */
	void *output_cookie;              /* with output_group: names this output in the group's report */
	int force;              /* XML: seal a document that already holds a signature */
	const char *password_file; /* PDF: file holding the password of an encrypted input */
	/* Extending a detached CAdES (.p7s): the file it signs, wherever it is (NULL: the .p7s name without its
	 * suffix, or the encapsulated content). Refused for other formats: it would be silently ignored. */
	const char *data_path;
	/* Extending a folder seal (detached XAdES): the folder its References are relative to (NULL: the signature
	 * file's directory). Refused for other formats. */
	const char *data_dir;
} eseal_seal_options;
/* Defaults: format AUTO, no overwrite, alone (no group). */
#define ESEAL_SEAL_OPTIONS_INIT ESEAL_OPTIONS_ZERO

/* What a front end adds to a profile when it opens a sealer: its process's state, never settings from a file. */
typedef struct eseal_sealer_options {
	const char *env_pin;  /* ESEAL_PIN as taken by eseal_take_env_pin (NULL: the library reads ESEAL_PIN) */
	eseal_warn_fn warn;   /* warnings (a PIN, password or TSA credentials file others can read); NULL: none */
	void *warn_ctx;
	/* 1: the sealer raises the seals its inputs already hold to the profile's level (B-LT or B-LTA, eseal/extend.h)
	 * instead of sealing: no key is opened, eseal_sealer_seal writes the extended file. */
	int extend;
	/* With extend: seconds (eseal_extend_options.renew_before); 0 = always extend. */
	long long renew_before;
	/* Borrowed: an open signer to seal with instead of opening the profile's key (key, pin-file, cert and sig-scheme
	 * are then not read), kept open by the caller until eseal_sealer_free. Lets a service seal with per-request
	 * settings without a new PKCS#11 login; NULL: the sealer opens the key itself. */
	eseal_signer *signer;
} eseal_sealer_options;
/* Defaults: the library reads ESEAL_PIN, no warnings, seal (not extend), its own signer. */
#define ESEAL_SEALER_OPTIONS_INIT ESEAL_OPTIONS_ZERO

/* Opens the signer (one login), for B-T and above the TSA client, and for B-LT and B-LTA a verifier trusting the
 * profile's trust and tsa-ca anchors, which collects validation data (one fetch per certificate for a batch). */
eseal_status eseal_sealer_open(eseal_sealer **out, const eseal_profile *profile, eseal_error *err);
/* Same, with the front end's options (opts may be NULL). */
eseal_status eseal_sealer_open_ext(eseal_sealer **out, const eseal_profile *profile, const eseal_sealer_options *opts,
				   eseal_error *err);
void eseal_sealer_free(eseal_sealer *sealer);

/* Seals one file (or, for a sealer opened to extend, extends its seals). Format detection: PDF, XML, else detached
 * CAdES (.p7s). At B-LT and B-LTA the B-T seal is made in a private directory beside out_path, then extended into
 * out_path. Thread-safe. */
eseal_status eseal_sealer_seal(eseal_sealer *sealer, const char *in_path, const char *out_path,
			       const eseal_seal_options *opts, eseal_format *format_used, eseal_error *err);

/* What eseal_sealer_seal_ext did besides returning ESEAL_OK. */
typedef struct eseal_seal_result {
	eseal_format format; /* the format used */
	int current;         /* extending with renew_before: the file needs no renewal yet; nothing was written */
	time_t renew_by;     /* extending: the file's renew_by as verified before (0: a seal had no time-stamp) */
} eseal_seal_result;

/* eseal_sealer_seal, telling also whether an extension was done or found needless (result may be NULL). */
eseal_status eseal_sealer_seal_ext(eseal_sealer *sealer, const char *in_path, const char *out_path,
				   const eseal_seal_options *opts, eseal_seal_result *result, eseal_error *err);

/* Largest document eseal_sealer_seal_memory and eseal_sealer_seal_fd take: 2 GiB. Larger documents are sealed from
 * files (eseal_sealer_seal), whose memory use does not grow with their size. */
#define ESEAL_DOCUMENT_MAX ((size_t)2 << 30)

/* Seals a document held in memory (doc, len bytes; never modified) and returns the sealed document in *out, *out_len
 * bytes (free with eseal_bytes_free): the PDF or XML with its seal, or for CAdES the detached .p7s (the document
 * itself stays the caller's). name is what messages call the document (NULL: "document"); its last component, as a
 * file name would, also tells format detection what the document claims to be (a name ending in .pdf must be a PDF).
 * Formats, levels and extension as eseal_sealer_seal, except detached XAdES (the profile's detached placement), which
 * names the files it seals and is refused here (ESEAL_E_USAGE). opts may be NULL; its output_group and overwrite are
 * ignored. The format code works on files: the document goes through a private directory (mode 0700 under $TMPDIR)
 * removed before the call returns. On failure *out is NULL and *out_len 0. result may be NULL. A document larger than
 * ESEAL_DOCUMENT_MAX is refused (ESEAL_E_INPUT). Thread-safe. */
eseal_status eseal_sealer_seal_memory(eseal_sealer *sealer, const char *name, const void *doc, size_t len,
				      const eseal_seal_options *opts, unsigned char **out, size_t *out_len,
				      eseal_seal_result *result, eseal_error *err);

/* Same, writing the sealed document to the file descriptor fd (a pipe, a socket, a file: from its current position;
 * fd is neither closed nor synced). Nothing is written unless the seal was made; a write that fails midway
 * (ESEAL_E_IO) may leave part of the document on fd. */
eseal_status eseal_sealer_seal_fd(eseal_sealer *sealer, const char *name, const void *doc, size_t len,
				  const eseal_seal_options *opts, int fd, eseal_seal_result *result, eseal_error *err);

const char *eseal_format_name(eseal_format format);
/* What a user asks for by name: auto, pdf, xml or cades (also p7s); ESEAL_E_USAGE (*out unchanged) for another word. */
eseal_status eseal_format_parse(const char *s, eseal_format *out);

/* Looks at the first bytes: PDF, XML, else CAdES (any other file gets a detached .p7s). */
eseal_status eseal_detect_format(const char *path, eseal_format *format, eseal_error *err);

/* What eseal_sealer_seal will make of path with this requested format (AUTO: detection, a file named .pdf/.xml
 * must be one, and the profile's detached placement turns XML and non-PDF files into detached XAdES). */
eseal_status eseal_sealer_resolve_format(const eseal_sealer *sealer, const char *path, eseal_format requested,
					 eseal_format *format, eseal_error *err);

/* Borrowed views of what the sealer opened (for callers sealing multi-file detached XAdES, listing, etc.). */
eseal_signer *eseal_sealer_signer(const eseal_sealer *sealer);
eseal_tsa *eseal_sealer_tsa(const eseal_sealer *sealer);
const eseal_profile *eseal_sealer_profile(const eseal_sealer *sealer);
/* What the sealer raises a seal with at B-LT/B-LTA (level, its verifier, TSA, digest; so's output settings), for
 * callers sealing containers and folders (eseal/asic.h). */
struct eseal_extend_options;
void eseal_sealer_long_term(eseal_sealer *sealer, const eseal_seal_options *so, struct eseal_extend_options *eo);
/* 1 when the sealer was opened to extend (eseal_sealer_options.extend). */
int eseal_sealer_extends(const eseal_sealer *sealer);

#ifdef __cplusplus
}
#endif
#endif
