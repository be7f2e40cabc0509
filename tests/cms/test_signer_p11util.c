/* tests/cms/test_signer_p11util.c: the CK_RV -> error class table that decides what a pipeline retries (HSM), what
 * it must never retry (PIN) and what needs a person (CONFIG); and the names shown in messages. */
#include "keys/p11_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

static void test_pin_failures_are_never_transient(void **state)
{
	const CK_RV pin[] = {CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_PIN_EXPIRED, CKR_PIN_INVALID, CKR_PIN_LEN_RANGE};
	size_t i;

	for (i = 0; i < sizeof(pin) / sizeof(pin[0]); i++) {
		assert_int_equal(es_p11_rv_status(pin[i]), ESEAL_E_PIN);
		assert_false(eseal_status_is_transient(es_p11_rv_status(pin[i])));
	}
}

static void test_device_and_session_failures_are_transient(void **state)
{
	const CK_RV hsm[] = {CKR_DEVICE_ERROR,      CKR_DEVICE_REMOVED, CKR_DEVICE_MEMORY,
			     CKR_TOKEN_NOT_PRESENT, CKR_SESSION_CLOSED, CKR_SESSION_HANDLE_INVALID,
			     CKR_SESSION_COUNT,     CKR_SESSION_EXISTS, CKR_SESSION_READ_ONLY};
	size_t i;

	for (i = 0; i < sizeof(hsm) / sizeof(hsm[0]); i++) {
		assert_int_equal(es_p11_rv_status(hsm[i]), ESEAL_E_HSM);
		assert_true(eseal_status_is_transient(es_p11_rv_status(hsm[i])));
	}
	assert_int_equal(es_p11_rv_status(CKR_KEY_TYPE_INCONSISTENT), ESEAL_E_CONFIG);
	assert_int_equal(es_p11_rv_status(CKR_MECHANISM_INVALID), ESEAL_E_CONFIG);
	assert_int_equal(es_p11_rv_status(CKR_OK), ESEAL_OK);
}

static void test_names(void **state)
{
	assert_string_equal(es_p11_rv_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
	assert_string_equal(es_p11_rv_name(CKR_DEVICE_REMOVED), "CKR_DEVICE_REMOVED");
	assert_string_equal(es_p11_rv_name(CKR_USER_ALREADY_LOGGED_IN), "CKR_USER_ALREADY_LOGGED_IN");
	assert_string_equal(es_p11_rv_name(CKR_VENDOR_DEFINED | 5), "CKR_0x80000005");
}

static void test_text_fields(void **state)
{
	const unsigned char label[32] = "eseal                           ";
	char out[33];

	es_p11_text(label, sizeof(label), out, sizeof(out));
	assert_string_equal(out, "eseal");
	es_p11_text(label, sizeof(label), out, 3);
	assert_string_equal(out, "es");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_failures_are_never_transient),
		cmocka_unit_test(test_device_and_session_failures_are_transient),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_text_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
