/* plugins/cups/texttopdf.c: eseal-texttopdf, the CUPS filter (filter(7)) that turns a plain-text job into the PDF the
 * e-Seal printer seals. cups-filters' texttopdf maps CJK to a font Debian does not install (boxes) and writes no
 * ToUnicode maps (the text cannot be searched or copied); Pango picks a font per script through fontconfig and
 * cairo's PDF keeps the text extractable, so a Japanese memo prints as Japanese text. */
#include <cairo-pdf.h>
#include <cups/cups.h>
#include <pango/pangocairo.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* A text job larger than this is not an office document. */
#define MAX_TEXT (16u << 20)
#define MARGIN 56.0 /* points: about 2 cm */
#define FONT "Monospace 10"

typedef struct page_size {
	const char *name;
	double w, h;
} page_size;

static const page_size sizes[] = {
	{"A4", 595, 842}, {"A3", 842, 1191}, {"B4", 729, 1032}, {"B5", 516, 729}, {"Letter", 612, 792}};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
	(void)closure;
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return CAIRO_STATUS_WRITE_ERROR;
		data += n;
		len -= (unsigned int)n;
	}
	return CAIRO_STATUS_SUCCESS;
}

static char *read_all(int fd, size_t *len_out)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap + 1), *nb;

	while (buf != NULL) {
		ssize_t n;

		if (len == cap) {
			if (cap >= MAX_TEXT || (nb = realloc(buf, cap * 2 + 1)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (buf != NULL)
		buf[len] = '\0';
	*len_out = len;
	return buf;
}

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
	cairo_surface_t *surface = NULL;
	cairo_t *cr = NULL;
	PangoFontDescription *font = NULL;
	PangoLayout *layout = NULL;
	page_size ps;
	char *text = NULL, *p, *end;
	size_t len = 0;
	double y;
	int fd = STDIN_FILENO, code = 1, lines_on_page = 0;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", argv[0]);
		return 1;
	}
	if (argc == 7 && (fd = open(argv[6], O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "ERROR: cannot open the text job: %s\n", strerror(errno));
		return 1;
	}
	text = read_all(fd, &len);
	if (fd != STDIN_FILENO)
		close(fd);
	if (text == NULL) {
		fprintf(stderr, "ERROR: the text job cannot be read or is larger than %u bytes\n", MAX_TEXT);
		return 1;
	}
	/* Not UTF-8 (an old Shift_JIS file): shown with replacement characters rather than refused. */
	if (!g_utf8_validate(text, (gssize)len, NULL)) {
		char *fixed = g_utf8_make_valid(text, (gssize)len);

		free(text);
		text = strdup(fixed);
		g_free(fixed);
		if (text == NULL)
			return 1;
	}
	ps = media_of(argv[5]);
	surface = cairo_pdf_surface_create_for_stream(write_out, NULL, ps.w, ps.h);
	cr = cairo_create(surface);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, argv[3]);
	layout = pango_cairo_create_layout(cr);
	font = pango_font_description_from_string(FONT);
	pango_layout_set_font_description(layout, font);
	/* The language steers fontconfig's choice for Han characters shared by Chinese and Japanese. */
	pango_context_set_language(pango_layout_get_context(layout), pango_language_from_string("ja"));
	pango_layout_set_width(layout, (int)((ps.w - 2 * MARGIN) * PANGO_SCALE));
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	y = MARGIN;
	for (p = text; *p != '\0' || p == text; p = *end != '\0' ? end + 1 : end) {
		int w, h;
		char save, *ff;

		end = p + strcspn(p, "\n");
		save = *end;
		*end = '\0';
		/* A form feed starts a new page, as on a line printer. */
		while ((ff = strchr(p, '\f')) != NULL) {
			*ff = '\0';
			if (lines_on_page > 0 || *p != '\0') {
				pango_layout_set_text(layout, p, -1);
				cairo_move_to(cr, MARGIN, y);
				pango_cairo_show_layout(cr, layout);
			}
			cairo_show_page(cr);
			y = MARGIN;
			lines_on_page = 0;
			p = ff + 1;
		}
		pango_layout_set_text(layout, *p != '\0' ? p : " ", -1);
		pango_layout_get_size(layout, &w, &h);
		if (lines_on_page > 0 && y + (double)h / PANGO_SCALE > ps.h - MARGIN) {
			cairo_show_page(cr);
			y = MARGIN;
			lines_on_page = 0;
		}
		cairo_move_to(cr, MARGIN, y);
		pango_cairo_show_layout(cr, layout);
		y += (double)h / PANGO_SCALE;
		lines_on_page++;
		*end = save;
		if (save == '\0')
			break;
	}
	cairo_show_page(cr);
	cairo_surface_finish(surface);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "ERROR: cannot write the PDF: %s\n",
			cairo_status_to_string(cairo_surface_status(surface)));
		goto cleanup;
	}
	code = 0;
cleanup:
	if (font != NULL)
		pango_font_description_free(font);
	if (layout != NULL)
		g_object_unref(layout);
	if (cr != NULL)
		cairo_destroy(cr);
	if (surface != NULL)
		cairo_surface_destroy(surface);
	free(text);
	return code;
}
