/* tests/fuzz/fuzz_common.h: what the verify fuzz targets share: one offline verifier without trust anchors (so no
 * input can make the library touch the network), and exercising both report renderers on every result. */
#ifndef ES_FUZZ_COMMON_H
#define ES_FUZZ_COMMON_H

#include "eseal/eseal.h"
#include "eseal/verify.h"
#include "cms/cades_verify.h"
#include "core/error_internal.h"
#include "pdf/pdf_verify.h"
#include "pki/report.h"
#include "timestamp/tst_verify.h"
#include "xml/xml.h"

#include <stdint.h>
#include <stdlib.h>

static eseal_verifier *fuzz_verifier;

/* The XML targets load the XML module before the first input, so that libFuzzer counts its coverage from the start
 * (a module dlopen'ed in the middle of a run registers its counters late). */
static inline int fuzz_load_xml_module(void)
{
	const es_xml_ops *ops;
	eseal_error err;

	eseal_error_clear(&err);
	if (es_xml_ops_get(&ops, &err) != ESEAL_OK)
		abort();
	return 0;
}

static inline int fuzz_init(void)
{
	eseal_verifier_options vo = ESEAL_VERIFIER_OPTIONS_INIT;
	eseal_error err;

	eseal_error_clear(&err);
	vo.offline = 1;
	if (eseal_init(&err) != ESEAL_OK || eseal_verifier_open(&fuzz_verifier, &vo, &err) != ESEAL_OK)
		abort();
	return 0;
}

static inline void fuzz_render(eseal_report *r)
{
	eseal_string_free(eseal_report_to_json(r));
	eseal_string_free(eseal_report_to_text(r));
	(void)eseal_report_exit_code(r);
	eseal_report_free(r);
}

#endif
