/* pdf/pdf_lex.h: a PDF tokenizer and a shallow dictionary reader over bytes in memory, for reading the file's
 * structure (cross-reference sections, trailers, stream dictionaries) ourselves before QPDF sees the file. */
#ifndef ES_PDF_LEX_H
#define ES_PDF_LEX_H

#include <stddef.h>

typedef enum {
	ES_TOK_EOF,
	ES_TOK_BAD, /* a token no reader agrees on (unbalanced string, stray '>', bad hex string, #00 in a name) */
	ES_TOK_INT,
	ES_TOK_REAL, /* also an integer too large for 64 bits */
	ES_TOK_NAME,
	ES_TOK_STRING,
	ES_TOK_WORD, /* keywords: obj, R, stream, trailer, true, null, ... */
	ES_TOK_DICT_OPEN,
	ES_TOK_DICT_CLOSE,
	ES_TOK_ARRAY_OPEN,
	ES_TOK_ARRAY_CLOSE,
	ES_TOK_BRACE /* '{' or '}' (PostScript calculator functions) */
} es_tok_type;

#define ES_LEX_TEXT 64

typedef struct es_tok {
	es_tok_type type;
	size_t start, end; /* offsets of the token in the lexer's bytes */
	long long ival;    /* ES_TOK_INT */
	/* ES_TOK_NAME ("/Prev": #xx escapes decoded) and ES_TOK_WORD; "" when longer than ES_LEX_TEXT - 1 (such a
	 * token never equals a key or keyword we look for) */
	char text[ES_LEX_TEXT];
} es_tok;

typedef struct es_lex {
	const unsigned char *p;
	size_t len, pos;
} es_lex;

/* PDF white space as QPDF reads it (NUL, TAB, LF, VT, FF, CR, SP). */
int es_lex_is_space(unsigned char c);
void es_lex_init(es_lex *lx, const unsigned char *p, size_t len, size_t pos);
/* How many tokens start in p[0..n), roughly (words inside strings and comments count too), for data that arrive in
 * pieces: *prev is the byte before p (start with ' ') and is updated. */
size_t es_lex_count_tokens(const unsigned char *p, size_t n, unsigned char *prev);
/* The next token after white space and comments; the lexer moves past it. */
es_tok_type es_lex_next(es_lex *lx, es_tok *t);

typedef enum { ES_VAL_INT, ES_VAL_REF, ES_VAL_NAME, ES_VAL_ARRAY, ES_VAL_DICT, ES_VAL_NULL, ES_VAL_OTHER } es_val_type;

typedef struct es_dict_entry {
	char key[ES_LEX_TEXT];
	es_val_type type;
	long long num, gen;     /* ES_VAL_INT: the value in num; ES_VAL_REF: the object number and generation */
	char name[ES_LEX_TEXT]; /* ES_VAL_NAME */
	size_t start, end;      /* the value's bytes (with its brackets) */
	int has_ref;            /* an indirect reference is (or is somewhere inside) the value */
} es_dict_entry;

typedef struct es_dict {
	es_dict_entry *e;
	size_t n, cap;
} es_dict;

/* Reads the dictionary "<< ... >>" that comes next (after white space and comments) and moves past it. 0, or -1
 * with why set: not a dictionary, damaged, nested deeper than a reader goes, more keys than a structure dictionary
 * has, or out of memory (then *d is empty: nothing to free). */
int es_lex_dict(es_lex *lx, es_dict *d, char *why, size_t why_len);
/* Reads the value that comes next (e's key stays empty) and moves past it: 0, or -1 with why set (damaged, nested
 * deeper than a reader goes). */
int es_lex_value(es_lex *lx, es_dict_entry *e, char *why, size_t why_len);
/* The entry of key (its last occurrence, as QPDF keeps it) or NULL; *count (may be NULL) how often key occurs. */
const es_dict_entry *es_dict_get(const es_dict *d, const char *key, int *count);
void es_dict_free(es_dict *d);
/* The items of the array value e (a direct array of direct integers) into out[max]: how many, or -1 when e is no
 * such array or has more than max items. */
long es_dict_int_array(const es_lex *lx, const es_dict_entry *e, long long *out, size_t max);

#endif
