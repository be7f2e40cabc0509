/* tests/verify/test_verify_report.c: the verification report without any PKI: indication merging (worst wins, the
 * first reason's sub-indication is kept), JSON escaping and required fields, the exit-status table, and inputs the
 * verifier must refuse (not a document, XML entity declarations) from memory. */
#include "eseal/eseal.h"
#include "eseal/verify.h"
#include "core/error_internal.h"
#include "pki/report.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static void test_indication_merge(void **state)
{
	eseal_report *r = es_report_new("a.pdf");
	eseal_seal_report *s;

	(void)state;
	assert_non_null(r);
	s = es_report_add_seal(r, "PAdES", "signature");
	assert_non_null(s);
	assert_int_equal(s->indication, ESEAL_TOTAL_PASSED);
	assert_int_equal(eseal_report_exit_code(r), 0);
	es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_TRY_LATER, "revocation unknown");
	assert_int_equal(eseal_report_exit_code(r), 2);
	es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE, "changed");
	es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_FORMAT_FAILURE, "second reason");
	es_seal_fail(s, ESEAL_INDETERMINATE, ESEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND, "never downgrades");
	assert_int_equal(s->indication, ESEAL_TOTAL_FAILED);
	assert_int_equal(s->sub_indication, ESEAL_SUB_HASH_FAILURE);
	assert_int_equal(s->n_errors, 4);
	assert_int_equal(eseal_report_exit_code(r), 1);
	es_seal_warn(s, "same");
	es_seal_warn(s, "same");
	assert_int_equal(s->n_warnings, 1);
	eseal_report_free(r);
}

static void test_modified_after_fails(void **state)
{
	eseal_report *r = es_report_new("b.pdf");
	eseal_seal_report *s = es_report_add_seal(r, "PAdES", "signature");

	(void)state;
	s->modified_after = 1;
	assert_int_equal(eseal_report_overall(r), ESEAL_TOTAL_FAILED);
	assert_int_equal(eseal_report_exit_code(r), 1);
	eseal_report_free(r);
}

static void test_no_seal_and_unreadable(void **state)
{
	eseal_report *r = es_report_new("c.pdf");

	(void)state;
	assert_int_equal(eseal_report_exit_code(r), 2);
	es_report_file_error(r, "cannot read: No such file or directory");
	assert_int_equal(eseal_report_exit_code(r), 74);
	eseal_report_free(r);
	assert_int_equal(eseal_report_exit_code(NULL), 74);
}

static void test_json(void **state)
{
	eseal_report *r = es_report_new("we\"ird\nname.xml");
	eseal_seal_report *s = es_report_add_seal(r, "XAdES", "signature");
	char *json, *text;

	(void)state;
	s->organization = strdup("株式会社サンプル\\建設");
	s->organization_identifier = strdup("NTRJP-1234567890123");
	s->level = strdup("B-T");
	s->signing_time = 1700000000;
	es_seal_fail(s, ESEAL_TOTAL_FAILED, ESEAL_SUB_HASH_FAILURE, "ctl \x01 char");
	json = eseal_report_to_json(r);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"file\": \"we\\\"ird\\nname.xml\""));
	assert_non_null(strstr(json, "\"organization\": \"株式会社サンプル\\\\建設\""));
	assert_non_null(strstr(json, "\"sub_indication\": \"HASH_FAILURE\""));
	assert_non_null(strstr(json, "\"signing_time\": \"2023-11-14T22:13:20Z\""));
	assert_non_null(strstr(json, "\"timestamp_time\": null"));
	assert_non_null(strstr(json, "\"covers_whole_document\": true"));
	assert_non_null(strstr(json, "\"modified_after\": false"));
	assert_non_null(strstr(json, "ctl \\u0001 char"));
	assert_non_null(strstr(json, "\"warnings\": []"));
	assert_int_equal(json[strlen(json) - 1], '\n');
	assert_null(strchr(json, '\n') != json + strlen(json) - 1 ? strchr(json, '\n') : NULL);
	text = eseal_report_to_text(r);
	assert_non_null(text);
	assert_true(strncmp(strchr(text, ':'), ": TOTAL-FAILED", 14) == 0);
	assert_non_null(strstr(text, "organization identifier: NTRJP-1234567890123"));
	assert_true(strstr(text, "organization:") < strstr(text, "level:"));
	eseal_string_free(json);
	eseal_string_free(text);
	eseal_report_free(r);
}

static void test_refused_inputs(void **state)
{
	static const char xxe[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
				  "<r>&x;</r>";
	static const char junk[] = "just some text";
	eseal_verifier_options vo = ESEAL_VERIFIER_OPTIONS_INIT;
	eseal_verifier *v = NULL;
	eseal_report *r = NULL;
	eseal_error err;

	(void)state;
	eseal_error_clear(&err);
	vo.offline = 1;
	assert_int_equal(eseal_init(&err), ESEAL_OK);
	assert_int_equal(eseal_verifier_open(&v, &vo, &err), ESEAL_OK);
	assert_int_equal(eseal_verify_memory(v, "xxe.xml", (const unsigned char *)xxe, sizeof(xxe) - 1, NULL, 0, &r,
					     &err),
			 ESEAL_E_INPUT);
	assert_non_null(strstr(r->error, "entities"));
	assert_non_null(strstr(err.message, "xxe.xml"));
	eseal_report_free(r);
	eseal_error_clear(&err);
	assert_int_equal(eseal_verify_memory(v, "junk", (const unsigned char *)junk, sizeof(junk) - 1, NULL, 0, &r,
					     &err),
			 ESEAL_E_INPUT);
	assert_int_equal(r->n_seals, 0);
	eseal_report_free(r);
	eseal_error_clear(&err);
	vo.trust_files = (const char *const[]){"/nonexistent/trust.pem"};
	vo.n_trust_files = 1;
	eseal_verifier_free(v);
	v = NULL;
	assert_int_equal(eseal_verifier_open(&v, &vo, &err), ESEAL_E_IO);
	assert_null(v);
	assert_non_null(strstr(err.message, "/nonexistent/trust.pem"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_indication_merge),       cmocka_unit_test(test_modified_after_fails),
		cmocka_unit_test(test_no_seal_and_unreadable), cmocka_unit_test(test_json),
		cmocka_unit_test(test_refused_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
