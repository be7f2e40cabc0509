/* eseal/error.h: the one error type of the library.
 * Every fallible call takes an eseal_error * and returns an eseal_status; the message names the file and the reason. */
#ifndef ESEAL_ERROR_H
#define ESEAL_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

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

#define ESEAL_ERROR_MESSAGE_MAX 1024

typedef struct eseal_error {
	eseal_status status;
	char message[ESEAL_ERROR_MESSAGE_MAX];
} eseal_error;

/* Every function that takes an eseal_error * clears it first (no need to call this before): on failure it holds
 * the status and a message naming the file and the reason; on success its status is ESEAL_OK. */
void eseal_error_clear(eseal_error *err);

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
