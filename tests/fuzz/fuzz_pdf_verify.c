/* tests/fuzz/fuzz_pdf_verify.c: libFuzzer target for the PAdES verifier (ByteRange/Contents checks, CMS, the
 * incremental-update comparison). Any crash, leak or sanitizer report is a bug, and so is a list of signatures read
 * by our lexer (the form's fields through the page list's reader) that is not the one QPDF's walk gives. */
#include "fuzz_common.h"
#include "pdf/pdf_verify_internal.h"

#include <string.h>

static int same_name(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* The signature values listed with our lexer and listed by QPDF alone, each from a QPDF of its own (QPDF parses an
 * object once: a second walk over the same QPDF would not meet its warnings and repairs again). */
static void signatures_agree(const uint8_t *data, size_t size)
{
	es_pdf_xref *x = NULL;
	es_pdf_page_list pl = {0};
	es_pdf_sig_list lexed = {0}, ref = {0};
	qpdf_data q = NULL, q2 = NULL;
	char why[256];
	size_t i;

	if ((q = es_pdf_open_read(data, size, "fuzz.pdf", &x, why, sizeof(why))) == NULL)
		goto cleanup;
	if (qpdf_is_encrypted(q) || es_pdf_page_list_read(q, data, size, x, &pl) != 0)
		goto cleanup;
	if ((q2 = es_pdf_open(data, size, "fuzz.pdf", why, sizeof(why))) == NULL)
		abort(); /* (the same bytes opened a moment ago) */
	es_pdf_list_signatures(q, &pl, &lexed);
	es_pdf_list_signatures(q2, NULL, &ref);
	if (lexed.n != ref.n)
		abort();
	for (i = 0; i < ref.n; i++)
		if (lexed.refs[i].objid != ref.refs[i].objid || lexed.refs[i].gen != ref.refs[i].gen ||
		    lexed.refs[i].unreadable != ref.refs[i].unreadable ||
		    !same_name(lexed.refs[i].name, ref.refs[i].name))
			abort();
cleanup:
	es_pdf_sig_list_free(&lexed);
	es_pdf_sig_list_free(&ref);
	es_pdf_page_list_free(&pl);
	if (q2 != NULL)
		qpdf_cleanup(&q2);
	if (q != NULL)
		qpdf_cleanup(&q);
	es_pdf_xref_free(x);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	eseal_report *r = es_report_new("fuzz.pdf");

	if (r == NULL || size == 0)
		return (eseal_report_free(r), 0);
	es_pdf_verify(fuzz_verifier, data, size, r);
	fuzz_render(r);
	signatures_agree(data, size);
	return 0;
}
