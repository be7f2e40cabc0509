/* eseal/error.h: the one error type of the library, and the conventions every public header follows.
 * Every fallible call takes an eseal_error * and returns an eseal_status; the message names the file and the reason. */
#ifndef ESEAL_ERROR_H
#define ESEAL_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Conventions of the whole API (every header under include/eseal):
 * - A call that can fail returns eseal_status: ESEAL_OK, or the class of the failure, which is also in err->status
 *   (err may be NULL when the caller wants only the class). Calls that cannot fail return their value (names,
 *   predicates, exit codes, borrowed views).
 * - Results come back through out parameters. On failure a pointer result (*out, *report, *der, ...) is NULL and its
 *   length 0, unless the function says otherwise (eseal_verify_file leaves a report naming the file and the error).
 * - Each result type has one function that frees it, and every such function accepts NULL: objects their
 *   eseal_<type>_free, byte strings (signatures, tokens, DER, sealed documents) eseal_bytes_free, text
 *   (reports rendered to a string, output names) eseal_string_free.
 * - Option structs are initialised with their ESEAL_<NAME>_OPTIONS_INIT macro (every field's default), then set.
 *   Where a function takes NULL options (it says so), NULL means those defaults. */

/* Classes, not individual failures: front ends map each class to one exit code (see eseal_status_exit_code),
 * so a pipeline can tell "fix your command" from "fix your document" from "retry later". */
typedef enum {
	ESEAL_OK = 0,
	ESEAL_E_USAGE,    /* bad arguments or profile values */
	ESEAL_E_INPUT,    /* the document cannot be sealed or verified as given (malformed, unsupported, refused) */
	ESEAL_E_IO,       /* reading an input or writing the output failed */
	ESEAL_E_CONFIG,   /* key, certificate, token or trust setting unusable (not found, mismatch, expired) */
	ESEAL_E_PIN,      /* PIN wrong, locked or missing: never retried, would lock the token */
	ESEAL_E_HSM,      /* token transiently unavailable (device error, removed, busy): retry later */
	ESEAL_E_TSA,      /* time-stamp authority unreachable or answered badly: retry later */
	ESEAL_E_CRYPTO,   /* a cryptographic operation failed unexpectedly */
	ESEAL_E_INTERNAL, /* a bug or resource exhaustion */
	ESEAL_E_CANCELLED, /* not attempted: the batch was stopped by its caller (a signal) first; seal it again */
	ESEAL_E_REMOTE     /* remote signing service (csc: key) unreachable, busy or answering badly: retry later */
} eseal_status;

/* Which failure, for the few a front end can answer with advice of its own ("use --force", a setting to add): the
 * message speaks of the library (its options and profile keys), the reason lets a front end name its own flags
 * without reading the message. ESEAL_REASON_NONE for every other failure. */
typedef enum {
	ESEAL_REASON_NONE = 0,
	ESEAL_REASON_OUTPUT_EXISTS,    /* the output exists and overwrite was not asked */
	ESEAL_REASON_ALREADY_SIGNED,   /* XML: the document holds a signature and force was not asked */
	ESEAL_REASON_PASSWORD_NEEDED,  /* PDF: encrypted; no password, or not the right one */
	ESEAL_REASON_NO_PIN,           /* the key needs a PIN and none was given */
	ESEAL_REASON_NO_KEY,           /* the profile names no key */
	ESEAL_REASON_NO_TSA,           /* the level needs a TSA URL and the profile has none */
	ESEAL_REASON_NO_TRUST,         /* the level needs trust anchors and the profile has none */
	ESEAL_REASON_FORMAT_MISMATCH,  /* named .pdf or .xml but not one: it can be sealed as a file (CAdES) */
	ESEAL_REASON_NO_CSC_CREDENTIAL /* a csc: key with neither a token file nor client credentials */
} eseal_reason;

#define ESEAL_ERROR_MESSAGE_MAX 1024

typedef struct eseal_error {
	eseal_status status;
	eseal_reason reason; /* ESEAL_REASON_NONE unless the failure is one of those listed above */
	char message[ESEAL_ERROR_MESSAGE_MAX];
} eseal_error;

/* Every function that takes an eseal_error * sets all of it before it returns (no need to clear it before, and it
 * may hold anything, uninitialised memory included): on failure the status, the reason and a one-line message naming
 * the file and the reason; on success status ESEAL_OK, reason NONE and an empty message. */
void eseal_error_clear(eseal_error *err);

/* The initialiser behind every ESEAL_<NAME>_OPTIONS_INIT: all of an option struct's defaults are its zero values
 * ({0} in C, {} in C++, both of which zero every field). */
#ifdef __cplusplus
#define ESEAL_OPTIONS_ZERO {}
#else
#define ESEAL_OPTIONS_ZERO {0}
#endif

/* Frees a byte string the library returned (eseal_signer_sign_digest, eseal_cms_sign_digest, eseal_tsa_stamp,
 * eseal_sealer_seal_memory, ...). NULL is fine. */
void eseal_bytes_free(unsigned char *bytes);
/* Frees a string the library returned (eseal_report_to_json, eseal_report_to_text, eseal_batch_output_name). NULL is
 * fine. */
void eseal_string_free(char *s);

/* Short stable name of a status ("usage", "input", ...), used in JSON output. */
const char *eseal_status_name(eseal_status status);

/* Process exit code for a status (sysexits-style; documented in README.md). */
int eseal_status_exit_code(eseal_status status);

/* True for classes a caller may retry later without changing anything (HSM, TSA). */
int eseal_status_is_transient(eseal_status status);

/* Where the library's warnings go: it never writes to stderr itself. message is one line without a newline
 * (e.g. a PIN file others can read); the callback may be called from any thread. */
typedef void (*eseal_warn_fn)(void *ctx, const char *message);

#ifdef __cplusplus
}
#endif
#endif
