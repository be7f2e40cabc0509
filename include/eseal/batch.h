/* eseal/batch.h: sealing many documents in one process: one sealer (one login), N worker threads, outputs
 * committed to disk in the background (eseal/output.h), and one report per document. */
#ifndef ESEAL_BATCH_H
#define ESEAL_BATCH_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "eseal/error.h"
#include "eseal/seal.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	ESEAL_DOC_SEALED = 0,
	ESEAL_DOC_FAILED,
	ESEAL_DOC_SKIPPED, /* skip_existing: the output was there already */
	ESEAL_DOC_CURRENT  /* extend with renew_before: its time-stamps prove long enough; nothing written */
} eseal_doc_status;

typedef struct eseal_doc_report {
	const char *input;
	const char *output;     /* where the seal is (sealed, skipped); NULL when the document failed */
	eseal_format format;    /* ESEAL_FORMAT_AUTO when it was never determined */
	eseal_doc_status status;
	const eseal_error *err; /* ESEAL_OK unless failed */
	double ms;              /* from the document's start until its output was durable (or it failed) */
	time_t renew_by;        /* current: when its newest time-stamp stops proving anything; else 0 */
	size_t done, total;     /* documents reported so far (this one included), and in the batch */
} eseal_doc_report;

/* One JSON line (with '\n') for a document: {"input":…, "output":…, "status":"sealed|failed|skipped|current",
 * "format":…, "level":…, "error":…, "error_class":…, "ms":…}; a current one adds "renew_by":"YYYY-MM-DDTHH:MM:SSZ"
 * after "status". level (the profile's) is null unless sealed, skipped or current; output is null unless sealed or
 * skipped; error and error_class are null unless failed. Names that are not valid UTF-8 are shown with U+FFFD for
 * each bad byte and followed by "input_hex"/"output_hex": the name's exact bytes in hex. ESEAL_E_IO if out failed. */
eseal_status eseal_doc_report_write_json(const eseal_doc_report *report, const char *level, FILE *out);

/* Called once for every document once the batch has started, also for those never sealed. Calls never overlap; they come from the batch's
 * threads, so keep them short (print a line). A sealed report means the output and its name are on disk. */
typedef void (*eseal_doc_report_fn)(void *ctx, const eseal_doc_report *report);

typedef struct eseal_batch_options {
	int jobs;                      /* worker threads; 0 = the number of online cores */
	int tsa_inflight;              /* B-T: documents in progress at once; 0 = 4 x jobs (threads: at most 256) */
	const char *out_dir;           /* required; created if missing. Outputs mirror relative input paths below it */
	const char *suffix;            /* NULL, or inserted before each output's extension (a.pdf -> a.SUFFIX.pdf) */
	int skip_existing;             /* a document whose output exists is reported skipped, not sealed again */
	eseal_doc_report_fn report;    /* required */
	void *report_ctx;
	/* NULL, or asked by the workers before each document: non-zero = start no more (a signal arrived). Called from
	 * several threads at once, so it should only read a flag (a C11 atomic_int, which a signal handler may set). */
	int (*cancelled)(void *cancel_ctx);
	void *cancel_ctx;
} eseal_batch_options;
/* Defaults: one thread per core; out_dir and report must still be set. */
#define ESEAL_BATCH_OPTIONS_INIT ESEAL_OPTIONS_ZERO

typedef struct eseal_batch_summary {
	size_t sealed, failed, skipped; /* failed includes those never started */
	size_t current;                 /* extend: left alone, their time-stamps prove long enough (renew_before) */
	int cancelled;                  /* cancelled() said so before every document was started */
	eseal_error stop;               /* ESEAL_OK, or the failure that stopped the batch because it would have
					 * failed every other document too (PIN, token, TSA, configuration) */
	eseal_status first_failure;     /* the class of the earliest failed input in input order (not counting those
					 * ESEAL_E_CANCELLED), ESEAL_OK if none: the same whatever the threads did */
} eseal_batch_summary;

/* Seals inputs[0..n) with so (its output_group and output_cookie are the batch's own). Returns ESEAL_OK once every
 * document has been reported (each failure is in its report and the summary). Otherwise the batch could not start
 * (no output directory, out of memory), nothing was reported, and err says why. */
eseal_status eseal_batch_run(eseal_sealer *sealer, const eseal_seal_options *so, const eseal_batch_options *bo,
			     const char *const *inputs, size_t n, eseal_batch_summary *summary, eseal_error *err);

/* Reads a list of input paths from the file from ("-": standard input), NUL-separated if it holds a NUL (find
 * -print0), else one per line; empty entries are skipped. A pipe or FIFO (--from <(find ...)) is read as a stream,
 * never waited on for a writer; a device or directory is refused (ESEAL_E_USAGE); a list larger than 64 MiB (stdin
 * too) is refused. Free *paths with eseal_batch_list_free. */
eseal_status eseal_batch_read_list(const char *from, char ***paths, size_t *n, eseal_error *err);
void eseal_batch_list_free(char **paths, size_t n);

/* The output path for input under out_dir, by one rule: an input's path that stays below the working directory as
 * written keeps its directories (read lexically: "." and empty components dropped, "sub/.." cancelled; no file system
 * look-up), and any other (absolute, or climbing out with "..") keeps only its file name, so no output ever lands
 * outside out_dir. "sub/a.pdf", "./sub//a.pdf" and "x/../sub/a.pdf" give out_dir/sub/a.pdf; "/srv/in/a.pdf" and
 * "../in/a.pdf" give out_dir/a.pdf (two such inputs of one name collide: the batch fails the second). suffix goes
 * before the extension; CAdES adds ".p7s", detached XAdES ".xades.xml". Free with eseal_string_free; NULL when out
 * of memory. */
char *eseal_batch_output_name(const char *out_dir, const char *input, eseal_format format, const char *suffix);

#ifdef __cplusplus
}
#endif
#endif
