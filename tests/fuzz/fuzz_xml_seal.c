/* tests/fuzz/fuzz_xml_seal.c: libFuzzer target for the enveloped XAdES sealer over hostile XML (parse, placements,
 * references and C14N, writing in the document's encoding). Input: one option byte, then the XML (README.md). */
#include "fuzz_seal_common.h"

#include <libxml/parser.h>

#include "eseal/xml.h"

enum {
	OPT_PLACEMENT = 0x03, /* enveloped, ubl, fatturapa, enveloped */
	OPT_FORCE = 0x04,     /* seal a document that already holds a signature */
	OPT_MD = 0x18         /* SHA-256, SHA-384, SHA-512, SHA-256 */
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_seal_init(1) || fuzz_load_xml_module();
}

static void quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/* What the sealer wrote must be XML that libxml2 reads back (without network or DTD loading, deep trees allowed:
 * the input was read that way), and the library's verifier must find our seal intact. */
static void check_output(const unsigned char *out, size_t out_len)
{
	xmlDocPtr doc;
	eseal_report *r;

	xmlSetGenericErrorFunc(NULL, quiet);
	doc = xmlReadMemory((const char *)out, (int)out_len, "sealed.xml", NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
	xmlSetGenericErrorFunc(NULL, NULL);
	if (doc == NULL)
		fuzz_output_bug("the sealed output is not well-formed XML", out, out_len, NULL);
	xmlFreeDoc(doc);
	if ((r = es_report_new("sealed.xml")) == NULL)
		return;
	es_xml_verify(fuzz_verifier, out, out_len, NULL, r);
	fuzz_check_report(r, 0, out, out_len);
	fuzz_render(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const eseal_placement placements[4] = {ESEAL_PLACEMENT_ENVELOPED, ESEAL_PLACEMENT_UBL,
						      ESEAL_PLACEMENT_FATTURAPA, ESEAL_PLACEMENT_ENVELOPED};
	eseal_xml_options o;
	eseal_error err;
	unsigned char *out;
	size_t out_len = 0;
	int rc;
	uint8_t a;

	if (size < 2 || size > INT32_MAX)
		return 0;
	a = data[0];
	memset(&o, 0, sizeof(o));
	o.signer = fuzz_env.signer;
	o.placement = placements[a & OPT_PLACEMENT];
	o.force = (a & OPT_FORCE) != 0;
	o.md = ((a & OPT_MD) >> 3) == 1 ? EVP_sha384() : ((a & OPT_MD) >> 3) == 2 ? EVP_sha512() : EVP_sha256();
	o.overwrite = 1;
	eseal_error_clear(&err);
	fuzz_write_input(data + 1, size - 1);
	rc = eseal_xml_seal(fuzz_env.in, fuzz_env.out, &o, &err);
	fuzz_check_failure(rc, &err);
	if (rc == ESEAL_OK) {
		out = fuzz_read_output(&out_len);
		check_output(out, out_len);
		free(out);
	}
	unlink(fuzz_env.out);
	return 0;
}
