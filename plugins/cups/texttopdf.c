/* plugins/cups/texttopdf.c: eseal-texttopdf, the CUPS filter (filter(7)) that turns a plain-text job into the PDF the
 * e-Seal printer seals: the paper from the job's options, the layout by the shared converter (plugins/textpdf). */
#include "textpdf.h"

#include <cups/cups.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct page_size {
	const char *name;
	double w, h;
} page_size;

/* The papers of the PPD (points). */
static const page_size sizes[] = {
	{"A4", 595, 842}, {"A3", 842, 1191}, {"B4", 729, 1032}, {"B5", 516, 729}, {"Letter", 612, 792}};

/* The media the job asks for (media=A3, PageSize=B5, ...), else A4. */
static page_size media_of(const char *options)
{
	cups_option_t *opts = NULL;
	int n = cupsParseOptions(options != NULL ? options : "", 0, &opts);
	const char *m = cupsGetOption("PageSize", n, opts);
	page_size r = sizes[0];
	size_t i;

	if (m == NULL)
		m = cupsGetOption("media", n, opts);
	for (i = 0; m != NULL && i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (strncasecmp(m, sizes[i].name, strlen(sizes[i].name)) == 0)
			r = sizes[i];
	cupsFreeOptions(n, opts);
	return r;
}

int main(int argc, char **argv)
{
	es_textpdf_page page;
	eseal_error err;
	page_size ps;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", argv[0]);
		return 1;
	}
	ps = media_of(argv[5]);
	page = (es_textpdf_page){ps.w, ps.h, argv[3]};
	eseal_error_clear(&err);
	if (es_textpdf_convert(argc == 7 ? argv[6] : "-", STDOUT_FILENO, &page, &err) != ESEAL_OK) {
		/* "ERROR:" lines go to the job's log and state message (filter(7)). */
		fprintf(stderr, "ERROR: %s\n", err.message);
		return 1;
	}
	return 0;
}
