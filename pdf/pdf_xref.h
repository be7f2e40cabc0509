/* pdf/pdf_xref.h: our own reading of a PDF's cross-reference chain, before QPDF sees the file: the sections a reader
 * follows from the last startxref, the objects each defines, and what QPDF would inflate (cross-reference and object
 * streams) sized against caps, so a decompression bomb is refused before QPDF decodes it (QPDF has no limit). */
#ifndef ES_PDF_XREF_H
#define ES_PDF_XREF_H

#include <stddef.h>

#include <qpdf/qpdf-c.h>

/* Object and cross-reference streams together may inflate to this, or to ES_PDF_XREF_DECODED_RATIO times the file's
 * size when that is more. Measured on Debian's PDF manuals: they inflate to less than half the file's size, a single
 * object stream to at most 21 times its own; a decompression bomb to about 1000 times. */
#define ES_PDF_XREF_DECODED_MIN ((size_t)8 << 20)
#define ES_PDF_XREF_DECODED_RATIO 16
/* Entries in all sections together: at most this, or one per 4 bytes of file. QPDF keeps about 100 bytes per entry;
 * a compressed cross-reference stream can declare millions in a few kilobytes. */
#define ES_PDF_XREF_OBJECTS_MIN ((size_t)1 << 18)
#define ES_PDF_XREF_MAX_SECTIONS 4096
/* Tokens in object streams: at most this, or one per byte of file. QPDF keeps every number, name and reference as
 * an object of its own (about 250 bytes each with what verifying does with them): 4 million zeros ("0 0 0 ...")
 * inflate from 100 kB and cost 1 GB. Debian's PDF manuals have about 0.1 token in object streams per byte of file
 * (a heavily tagged document perhaps 0.3); 128 K tokens cost about 32 MB. */
#define ES_PDF_XREF_TOKENS_MIN ((size_t)1 << 17)
#define ES_PDF_XREF_TOKENS_PER_BYTE 1

typedef struct es_pdf_xref_object {
	long long offset; /* type 1: of its "num gen obj"; type 2: the number of its object stream; type 0: next free */
	unsigned int num; /* object number */
	unsigned int gen; /* type 1 and 0: generation; type 2: index in the object stream */
	unsigned char type; /* 0 free, 1 in the file, 2 in an object stream */
} es_pdf_xref_object;

typedef struct es_pdf_xref_section {
	long long start;                      /* offset of "xref", or of the stream's "num gen obj" */
	long long end;                        /* just past its trailer dictionary, or past "endstream" */
	long long trailer_start, trailer_end; /* its trailer dictionary (a stream's: its stream dictionary) */
	long long prev;                       /* its /Prev, or -1 */
	long long xref_stm;                   /* a table's /XRefStm (hybrid file), or -1 */
	int is_stream;                        /* a cross-reference stream, else a table */
	long long stream_num;                 /* a stream's number in its "num gen obj": QPDF keeps the stream it read
					       * as that object, whatever the entries say of the number */
	int hybrid;                           /* a stream read through the /XRefStm of the table before it */
	size_t first, n;                      /* its entries: objects[first .. first + n), in file order */
} es_pdf_xref_section;

/* An object stream's decoded data, kept from the sizing pass for the readers that would inflate it again. Only one
 * read exactly as QPDF and our object reader read it: a direct /Length followed by "endstream endobj", no
 * /DecodeParms, no filter or FlateDecode, the data starting after "stream" and a proper end of line. */
typedef struct es_pdf_objstm_data {
	unsigned int num;
	size_t offset; /* of its "num 0 obj" */
	unsigned char *data;
	size_t len;
} es_pdf_objstm_data;

/* Limits of what the sizing pass keeps (beyond them the readers decode the stream themselves). */
#define ES_PDF_XREF_KEEP_ONE ((size_t)4 << 20)
#define ES_PDF_XREF_KEEP_ALL ((size_t)16 << 20)

typedef struct es_pdf_xref {
	/* in the order a reader reads them: from the last startxref back through /Prev, a hybrid file's stream right
	 * after its table (whose free entries QPDF applies after the stream's) */
	es_pdf_xref_section *sections;
	size_t n_sections;
	es_pdf_xref_object *objects;
	size_t n_objects;
	long long startxref;
	int encrypted;        /* the last trailer has /Encrypt: see es_pdf_xref_check_qpdf */
	/* The first warning QPDF gives while it reads this chain (white space before "xref", a table entry it accepts
	 * though malformed, /Size not one past the highest object number), or NULL. QPDF still reads the file, but
	 * the sealer refuses what QPDF warns about, so whoever skips QPDF must refuse it too. */
	const char *qpdf_warning;
	unsigned int *objstm; /* the object streams type-2 entries name (distinct, ascending) */
	size_t n_objstm;
	size_t decoded, limit;      /* bytes cross-reference and object streams inflate to; the cap on that */
	/* tokens in object streams (roughly; their decoded bytes when that is within the cap); the cap on that */
	size_t tokens, token_limit;
	size_t file_size;
	es_pdf_objstm_data *kept; /* (files read in memory only) */
	size_t n_kept, kept_bytes;
} es_pdf_xref;

/* Reads the cross-reference chain of buf[0..len), or (buf NULL) of the open regular file fd of len bytes (read with
 * pread, a bounded window at a time), and sizes every cross-reference and object stream with our capped decoder,
 * keeping only the decoded data of plain object streams (es_pdf_xref_kept). Linear in the file, memory bounded by
 * the caps above.
 * ESEAL_OK with *out (es_pdf_xref_free), or ESEAL_E_INPUT (damaged as no reader would accept it, something QPDF would
 * decode that we cannot size, or over a cap), ESEAL_E_IO, ESEAL_E_INTERNAL; why then says what, in one line. */
int es_pdf_xref_scan(const unsigned char *buf, int fd, size_t len, es_pdf_xref **out, char *why, size_t why_len);

/* Encrypted files: their object streams can only be sized once decrypted. q has just opened the same bytes (QPDF
 * read the chain and the encryption dictionary: es_pdf_xref_scan made sure that this resolves no object stream);
 * this reads each object stream's raw data through QPDF (decrypted, not decoded) and sizes it with our decoder.
 * Call before anything else reads objects through q. A no-op for unencrypted files. Returns as es_pdf_xref_scan. */
int es_pdf_xref_check_qpdf(es_pdf_xref *x, qpdf_data q, char *why, size_t why_len);

void es_pdf_xref_free(es_pdf_xref *x);

/* The decoded data the sizing pass kept of object stream num defined at offset, or NULL. */
const es_pdf_objstm_data *es_pdf_xref_kept(const es_pdf_xref *x, unsigned int num, size_t offset);

/* pdf_xref_recover.c: a chain that stops (/Prev 0, or none) while the file holds earlier revisions, ended by
 * "startxref N %%EOF" before the section that stopped it: those revisions' chains are read too (the later wins, as
 * when /Prev led to them). 1: *out (malloc, *out_len bytes) is buf followed by one cross-reference stream naming
 * every object so read, note says what was recovered; 0: nothing to recover (or buf unreadable: the ordinary open
 * says why); 2: recovered as 1, but a reader rebuilding the file reads other objects than those, note says which;
 * -1: out of memory. */
int es_pdf_xref_recover(const unsigned char *buf, size_t len, const es_pdf_xref *chain, unsigned char **out,
			size_t *out_len, char *note, size_t note_len);
/* (chain: es_pdf_xref_scan's reading of buf[0..len) when the caller has it, else NULL and it is read here) */

#endif
