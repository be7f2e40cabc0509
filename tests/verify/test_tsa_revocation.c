/* tests/verify/test_tsa_revocation.c: when a TSA certificate's revocation voids a time-stamp (ETSI EN 319 102-1,
 * RFC 3161 section 4): revoked at or before genTime always; after it only for keyCompromise, cACompromise or no reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "verify/verify_internal.h"

static void test_before_gen_time(void **state)
{
	(void)state;
	assert_true(es_tsa_revocation_voids(1000, OCSP_REVOKED_STATUS_SUPERSEDED, 2000));
	assert_true(es_tsa_revocation_voids(1000, OCSP_REVOKED_STATUS_CESSATIONOFOPERATION, 2000));
	assert_true(es_tsa_revocation_voids(2000, OCSP_REVOKED_STATUS_UNSPECIFIED, 2000)); /* same second */
	assert_true(es_tsa_revocation_voids(0, OCSP_REVOKED_STATUS_SUPERSEDED, 2000));     /* unreadable time */
}

static void test_after_gen_time(void **state)
{
	(void)state;
	assert_false(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_SUPERSEDED, 2000));
	assert_false(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_CESSATIONOFOPERATION, 2000));
	assert_false(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_AFFILIATIONCHANGED, 2000));
	assert_false(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_UNSPECIFIED, 2000));
	assert_true(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_KEYCOMPROMISE, 2000));
	assert_true(es_tsa_revocation_voids(3000, OCSP_REVOKED_STATUS_CACOMPROMISE, 2000));
	assert_true(es_tsa_revocation_voids(3000, ES_REV_REASON_NONE, 2000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_gen_time),
		cmocka_unit_test(test_after_gen_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
