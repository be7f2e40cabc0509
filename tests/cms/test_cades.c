/* tests/cms/test_cades.c: CAdES/CMS built over a digest with the fixture's SoftHSM keys and TSA.
 * Structure is checked with OpenSSL's parser; validity by the referees `openssl cms -verify` and `openssl ts -verify`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "eseal/eseal.h"
#include "tsa_test_util.h"

typedef struct {
	char *dir;
	char *key_uri, *key_uri_ec;
	char *tsa_url;
	eseal_signer *rsa, *ec, *pss;
	eseal_tsa *tsa;
} fixture;

static fixture fx;

static eseal_signer *open_signer(const char *uri, const char *chain, eseal_sig_scheme scheme)
{
	eseal_signer_options o = {.key = uri, .pin_file = tu_env("pin"), .cert_file = chain, .scheme = scheme};
	eseal_signer *s = NULL;
	eseal_error err = {0};

	if (eseal_signer_open(&s, &o, &err) != ESEAL_OK)
		fprintf(stderr, "eseal_signer_open(%s): %s\n", uri, err.message);
	return s;
}

static int group_setup(void **state)
{
	eseal_error err = {0};
	char *module = NULL;
	const char *urls[1];
	eseal_tsa_options to;
	size_t n;

	if (eseal_init(&err) != ESEAL_OK)
		return -1;
	module = tu_env_line("module");
	fx.tsa_url = tu_env_line("tsa.url");
	fx.dir = tu_mkdtemp();
	if (module == NULL || fx.tsa_url == NULL || fx.dir == NULL)
		return -1;
	n = strlen(module) + 128;
	fx.key_uri = malloc(n);
	fx.key_uri_ec = malloc(n);
	snprintf(fx.key_uri, n, "pkcs11:token=eseal;object=eseal;type=private?module-path=%s", module);
	snprintf(fx.key_uri_ec, n, "pkcs11:token=eseal;object=eseal-ec;type=private?module-path=%s", module);
	free(module);
	fx.rsa = open_signer(fx.key_uri, tu_env("pki/chain.pem"), ESEAL_SCHEME_AUTO);
	fx.ec = open_signer(fx.key_uri_ec, tu_env("pki/chain-ec.pem"), ESEAL_SCHEME_AUTO);
	fx.pss = open_signer(fx.key_uri, tu_env("pki/chain.pem"), ESEAL_SCHEME_RSA_PSS);
	urls[0] = fx.tsa_url;
	memset(&to, 0, sizeof(to));
	to.urls = urls;
	to.n_urls = 1;
	to.ca_file = tu_env("pki/root.pem");
	if (eseal_tsa_open(&fx.tsa, &to, &err) != ESEAL_OK)
		fprintf(stderr, "eseal_tsa_open: %s\n", err.message);
	return fx.rsa != NULL && fx.ec != NULL && fx.pss != NULL && fx.tsa != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
	eseal_signer_free(fx.rsa);
	eseal_signer_free(fx.ec);
	eseal_signer_free(fx.pss);
	eseal_tsa_free(fx.tsa);
	tu_rmtree(fx.dir);
	free(fx.dir);
	free(fx.key_uri);
	free(fx.key_uri_ec);
	free(fx.tsa_url);
	eseal_cleanup();
	return 0;
}

static const char *path_in(const char *name)
{
	static char bufs[4][512];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", fx.dir, name);
	return b;
}

/* Writes random content to name and returns its digest under md. */
static void make_content(const char *name, size_t len, const EVP_MD *md, unsigned char *digest, size_t *dlen)
{
	unsigned char *buf = malloc(len);
	unsigned int n = 0;

	assert_non_null(buf);
	assert_int_equal(RAND_bytes(buf, (int)len), 1);
	assert_int_equal(tu_write_file(path_in(name), buf, len), 0);
	assert_int_equal(EVP_Digest(buf, len, digest, &n, md, NULL), 1);
	*dlen = n;
	free(buf);
}

/* Builds a CMS over content `name`, writes it to name.p7s, and parses it back. */
static CMS_ContentInfo *seal_digest(eseal_signer *s, const eseal_cms_options *o, const char *name, size_t *der_len_out)
{
	const EVP_MD *md = o->md != NULL ? o->md : EVP_sha256();
	unsigned char digest[EVP_MAX_MD_SIZE], *der = NULL;
	const unsigned char *p;
	size_t dlen = 0, der_len = 0;
	char p7s[256];
	eseal_error err = {0};
	CMS_ContentInfo *cms;

	make_content(name, 4096, md, digest, &dlen);
	if (eseal_cms_sign_digest(s, o, digest, dlen, &der, &der_len, &err) != ESEAL_OK)
		fail_msg("eseal_cms_sign_digest: %s", err.message);
	/* The reserved size is an upper bound, and not a wildly loose one. */
	assert_true(der_len <= eseal_cms_max_size(s, o));
	snprintf(p7s, sizeof(p7s), "%s.p7s", name);
	assert_int_equal(tu_write_file(path_in(p7s), der, der_len), 0);
	p = der;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
	assert_non_null(cms);
	assert_ptr_equal(p, der + der_len);
	eseal_bytes_free(der);
	if (der_len_out != NULL)
		*der_len_out = der_len;
	return cms;
}

static int referee_cms(const char *name)
{
	return tu_run("openssl cms -verify -cades -binary -inform DER -in '%s.p7s' -content '%s' -CAfile '%s' -purpose any "
		      "-out /dev/null",
		      path_in(name), path_in(name), tu_env("pki/root.pem"));
}

static CMS_SignerInfo *only_signer(CMS_ContentInfo *cms)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);

	assert_int_equal(sk_CMS_SignerInfo_num(sis), 1);
	return sk_CMS_SignerInfo_value(sis, 0);
}

/* Signed attributes, by NID, in DER order. */
static void assert_signed_attrs(CMS_SignerInfo *si, int with_time)
{
	int n = CMS_signed_get_attr_count(si), i, seen_ct = 0, seen_md = 0, seen_sc = 0, seen_st = 0;

	for (i = 0; i < n; i++) {
		switch (OBJ_obj2nid(X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i)))) {
		case NID_pkcs9_contentType: seen_ct++; break;
		case NID_pkcs9_messageDigest: seen_md++; break;
		case NID_id_smime_aa_signingCertificateV2: seen_sc++; break;
		case NID_pkcs9_signingTime: seen_st++; break;
		default: fail_msg("unexpected signed attribute %d", i);
		}
	}
	assert_int_equal(seen_ct, 1);
	assert_int_equal(seen_md, 1);
	assert_int_equal(seen_sc, 1);
	assert_int_equal(seen_st, with_time ? 1 : 0);
	assert_int_equal(n, with_time ? 4 : 3);
}

static void test_bb_rsa_pades_style(void **state)
{
	eseal_cms_options o = ESEAL_CMS_OPTIONS_INIT;
	CMS_ContentInfo *cms = seal_digest(fx.rsa, &o, "bb.bin", NULL);
	CMS_SignerInfo *si = only_signer(cms);
	X509_ALGOR *sig_alg = NULL;
	ASN1_OCTET_STRING **content = CMS_get0_content(cms);

	/* Detached id-data, no signing-time (PAdES), the chain included, nothing unsigned. */
	assert_int_equal(OBJ_obj2nid(CMS_get0_eContentType(cms)), NID_pkcs7_data);
	assert_true(content == NULL || *content == NULL);
	assert_int_equal(OBJ_obj2nid(CMS_get0_type(cms)), NID_pkcs7_signed);
	assert_signed_attrs(si, 0);
	assert_true(CMS_unsigned_get_attr_count(si) <= 0);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
	assert_int_equal(OBJ_obj2nid(sig_alg->algorithm), NID_rsaEncryption);
	{
		STACK_OF(X509) *certs = CMS_get1_certs(cms);

		/* certificates is a SET OF: DER order, so look for the signing certificate rather than at index 0. */
		assert_int_equal(sk_X509_num(certs), 2);
		assert_true(X509_cmp(sk_X509_value(certs, 0), eseal_signer_certificate(fx.rsa)) == 0 ||
			    X509_cmp(sk_X509_value(certs, 1), eseal_signer_certificate(fx.rsa)) == 0);
		sk_X509_pop_free(certs, X509_free);
	}
	CMS_ContentInfo_free(cms);
	assert_int_equal(referee_cms("bb.bin"), 0);
	/* The referee must notice a changed document, or its "yes" above proves nothing. */
	assert_int_equal(tu_run("printf x >> '%s'", path_in("bb.bin")), 0);
	assert_int_not_equal(referee_cms("bb.bin"), 0);
}

static void test_signing_time_when_asked(void **state)
{
	eseal_cms_options o = {.add_signing_time = 1, .signing_time = 1700000000};
	CMS_ContentInfo *cms = seal_digest(fx.rsa, &o, "st.bin", NULL);
	CMS_SignerInfo *si = only_signer(cms);
	int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	ASN1_TYPE *v;
	struct tm tm;

	assert_signed_attrs(si, 1);
	assert_true(idx >= 0);
	v = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0);
	assert_int_equal(ASN1_TYPE_get(v), V_ASN1_UTCTIME);
	assert_int_equal(ASN1_TIME_to_tm(v->value.utctime, &tm), 1);
	assert_int_equal((long)timegm(&tm), 1700000000L);
	CMS_ContentInfo_free(cms);
	assert_int_equal(referee_cms("st.bin"), 0);
}

static void test_ecdsa(void **state)
{
	eseal_cms_options o = {.md = EVP_sha384()};
	CMS_ContentInfo *cms = seal_digest(fx.ec, &o, "ec.bin", NULL);
	CMS_SignerInfo *si = only_signer(cms);
	X509_ALGOR *dig = NULL, *sig = NULL;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	assert_int_equal(OBJ_obj2nid(dig->algorithm), NID_sha384);
	assert_int_equal(OBJ_obj2nid(sig->algorithm), NID_ecdsa_with_SHA384);
	/* The signature value is a DER Ecdsa-Sig-Value, not the token's raw r||s. */
	assert_int_equal(ASN1_STRING_get0_data(CMS_SignerInfo_get0_signature(si))[0], 0x30);
	CMS_ContentInfo_free(cms);
	assert_int_equal(referee_cms("ec.bin"), 0);
}

static void test_rsa_pss(void **state)
{
	eseal_cms_options o = {.md = EVP_sha512()};
	CMS_ContentInfo *cms = seal_digest(fx.pss, &o, "pss.bin", NULL);
	CMS_SignerInfo *si = only_signer(cms);
	X509_ALGOR *sig = NULL;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig);
	assert_int_equal(OBJ_obj2nid(sig->algorithm), NID_rsassaPss);
	CMS_ContentInfo_free(cms);
	assert_int_equal(referee_cms("pss.bin"), 0);
	assert_int_equal(tu_run("openssl cms -cmsout -print -inform DER -in '%s.p7s' | grep -A12 'signatureAlgorithm' "
				"| grep -q 'mgf1' >&2",
				path_in("pss.bin")),
			 0);
}

static void test_bt_token_referee(void **state)
{
	eseal_cms_options o = {.tsa = fx.tsa, .add_signing_time = 1};
	size_t der_len = 0;
	CMS_ContentInfo *cms = seal_digest(fx.rsa, &o, "bt.bin", &der_len);
	CMS_SignerInfo *si = only_signer(cms);
	int idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
	ASN1_TYPE *v;
	ASN1_OCTET_STRING *sigval = CMS_SignerInfo_get0_signature(si);
	unsigned char h[32];
	char *hex;

	assert_true(idx >= 0);
	assert_int_equal(CMS_unsigned_get_attr_count(si), 1);
	v = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, idx), 0);
	assert_int_equal(ASN1_TYPE_get(v), V_ASN1_SEQUENCE);
	assert_int_equal(tu_write_file(path_in("bt.tst"), v->value.sequence->data, (size_t)v->value.sequence->length),
			 0);
	/* The imprint is the hash of the signature value's octets (EN 319 122-1 5.3). */
	assert_non_null(SHA256(ASN1_STRING_get0_data(sigval), (size_t)ASN1_STRING_length(sigval), h));
	hex = tu_hex(h, sizeof(h));
	assert_int_equal(tu_run("openssl ts -verify -digest %s -in '%s' -token_in -CAfile '%s' -untrusted '%s' >&2",
				hex, path_in("bt.tst"), tu_env("pki/root.pem"), tu_env("pki/tsa-chain.pem")),
			 0);
	hex[0] = hex[0] == '0' ? '1' : '0';
	assert_int_not_equal(tu_run("openssl ts -verify -digest %s -in '%s' -token_in -CAfile '%s' -untrusted '%s' >&2",
				    hex, path_in("bt.tst"), tu_env("pki/root.pem"), tu_env("pki/tsa-chain.pem")),
			     0);
	free(hex);
	CMS_ContentInfo_free(cms);
	assert_int_equal(referee_cms("bt.bin"), 0);
	/* With a token seen, the bound is learned: the next bound still covers a B-T CMS of this size. */
	assert_true(der_len <= eseal_cms_max_size(fx.rsa, &o));
	assert_true(eseal_cms_max_size(fx.rsa, &o) < der_len + 4096);
}

static void test_max_size_tight_bb(void **state)
{
	eseal_cms_options o = ESEAL_CMS_OPTIONS_INIT;
	size_t der_len = 0;
	CMS_ContentInfo *cms = seal_digest(fx.rsa, &o, "ms.bin", &der_len);

	/* B-B: the dry run knows everything but the exact signature; within the margin. */
	assert_true(eseal_cms_max_size(fx.rsa, &o) - der_len <= 512);
	CMS_ContentInfo_free(cms);
}

static void test_bad_digest_len(void **state)
{
	unsigned char d[20] = {0}, *der = NULL;
	size_t der_len = 0;
	eseal_cms_options o = ESEAL_CMS_OPTIONS_INIT;
	eseal_error err = {0};

	assert_int_equal(eseal_cms_sign_digest(fx.rsa, &o, d, sizeof(d), &der, &der_len, &err), ESEAL_E_USAGE);
	assert_null(der);
}

static void test_seal_file(void **state)
{
	eseal_cms_options o = {.add_signing_time = 1, .tsa = fx.tsa};
	eseal_error err = {0};
	unsigned char digest[32];
	size_t dlen;
	struct stat before, after;
	FILE *f;

	make_content("file.bin", 300 * 1024 + 7, EVP_sha256(), digest, &dlen);
	assert_int_equal(stat(path_in("file.bin"), &before), 0);
	if (eseal_cades_seal_file(fx.rsa, &o, path_in("file.bin"), path_in("file.bin.p7s"), 0, &err) != ESEAL_OK)
		fail_msg("eseal_cades_seal_file: %s", err.message);
	assert_int_equal(stat(path_in("file.bin"), &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	assert_int_equal(referee_cms("file.bin"), 0);

	/* An existing output is not replaced without overwrite, and stays as it was. */
	f = fopen(path_in("keep.p7s"), "w");
	assert_non_null(f);
	fputs("keep", f);
	fclose(f);
	eseal_error_clear(&err);
	assert_int_equal(eseal_cades_seal_file(fx.rsa, &o, path_in("file.bin"), path_in("keep.p7s"), 0, &err),
			 ESEAL_E_IO);
	assert_int_equal(tu_run("test \"$(cat '%s')\" = keep", path_in("keep.p7s")), 0);
	/* With overwrite it is replaced: a new inode holding a seal the referee accepts. */
	assert_int_equal(stat(path_in("keep.p7s"), &before), 0);
	eseal_error_clear(&err);
	if (eseal_cades_seal_file(fx.rsa, &o, path_in("file.bin"), path_in("keep.p7s"), 1, &err) != ESEAL_OK)
		fail_msg("overwrite: %s", err.message);
	assert_int_equal(stat(path_in("keep.p7s"), &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	assert_int_equal(tu_run("openssl cms -verify -cades -binary -inform DER -in '%s' -content '%s' -CAfile '%s' "
				"-purpose any -out /dev/null 2>/dev/null",
				path_in("keep.p7s"), path_in("file.bin"), tu_env("pki/root.pem")),
			 0);
	/* The input as output: refused even with overwrite. */
	eseal_error_clear(&err);
	assert_int_equal(eseal_cades_seal_file(fx.rsa, &o, path_in("file.bin"), path_in("file.bin"), 1, &err),
			 ESEAL_E_USAGE);
	assert_int_equal(tu_run("cmp -s '%s' /dev/null", path_in("file.bin")) != 0, 1);
	/* A missing input: named in the message, no output. */
	eseal_error_clear(&err);
	assert_int_equal(eseal_cades_seal_file(fx.rsa, &o, path_in("missing"), path_in("missing.p7s"), 0, &err),
			 ESEAL_E_IO);
	assert_non_null(strstr(err.message, "missing"));
	assert_int_not_equal(access(path_in("missing.p7s"), F_OK), 0);
}

static void test_seal_file_tsa_down_no_output(void **state)
{
	char dead[64];
	const char *urls[1];
	eseal_tsa_options to;
	eseal_tsa *t = NULL;
	eseal_cms_options o = {.add_signing_time = 1};
	eseal_error err = {0};
	unsigned char digest[32];
	size_t dlen;

	tu_dead_url(dead, sizeof(dead));
	urls[0] = dead;
	memset(&to, 0, sizeof(to));
	to.urls = urls;
	to.n_urls = 1;
	to.revocation = ESEAL_TSA_REVOCATION_OFF; /* no TSA anchors here: nothing to check the status against */
	assert_int_equal(eseal_tsa_open(&t, &to, &err), ESEAL_OK);
	o.tsa = t;
	make_content("down.bin", 1000, EVP_sha256(), digest, &dlen);
	assert_int_equal(eseal_cades_seal_file(fx.rsa, &o, path_in("down.bin"), path_in("down.bin.p7s"), 0, &err),
			 ESEAL_E_TSA);
	fprintf(stderr, "message: %s\n", err.message);
	assert_non_null(strstr(err.message, dead));
	assert_int_not_equal(access(path_in("down.bin.p7s"), F_OK), 0);
	eseal_tsa_free(t);
}

typedef struct {
	int ok;
	int mismatch;
} worker_result;

static void *sign_worker(void *p)
{
	worker_result *r = p;
	eseal_cms_options o = {.tsa = fx.tsa, .add_signing_time = 1};
	unsigned char digest[32], *der = NULL;
	const unsigned char *q;
	size_t der_len = 0;
	eseal_error err = {0};
	CMS_ContentInfo *cms;
	ASN1_OCTET_STRING *md;
	int i;

	for (i = 0; i < 3; i++) {
		memset(digest, (int)(pthread_self() + i) & 0xff, sizeof(digest));
		eseal_error_clear(&err);
		if (eseal_cms_sign_digest(fx.rsa, &o, digest, sizeof(digest), &der, &der_len, &err) != ESEAL_OK) {
			fprintf(stderr, "worker: %s\n", err.message);
			continue;
		}
		/* Each result carries its own digest: no state leaks between concurrent calls. */
		q = der;
		cms = d2i_CMS_ContentInfo(NULL, &q, (long)der_len);
		md = cms != NULL ? CMS_signed_get0_data_by_OBJ(only_signer(cms), OBJ_nid2obj(NID_pkcs9_messageDigest),
							       -3, V_ASN1_OCTET_STRING) :
				   NULL;
		if (md != NULL && ASN1_STRING_length(md) == 32 && memcmp(ASN1_STRING_get0_data(md), digest, 32) == 0)
			r->ok++;
		else
			r->mismatch++;
		CMS_ContentInfo_free(cms);
		eseal_bytes_free(der);
		der = NULL;
	}
	return NULL;
}

static void test_concurrent_bt(void **state)
{
	pthread_t th[4];
	worker_result res[4];
	int i;

	/* One signer, one TSA client, four threads (the bulk sealer's shape). */
	memset(res, 0, sizeof(res));
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, sign_worker, &res[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(res[i].ok, 3);
		assert_int_equal(res[i].mismatch, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bb_rsa_pades_style),
		cmocka_unit_test(test_signing_time_when_asked),
		cmocka_unit_test(test_ecdsa),
		cmocka_unit_test(test_rsa_pss),
		cmocka_unit_test(test_bt_token_referee),
		cmocka_unit_test(test_max_size_tight_bb),
		cmocka_unit_test(test_bad_digest_len),
		cmocka_unit_test(test_seal_file),
		cmocka_unit_test(test_seal_file_tsa_down_no_output),
		cmocka_unit_test(test_concurrent_bt),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
