/* tests/fuzz/fuzz_seal_common.h: what the sealer fuzz targets share: a throw-away key and certificate made at start
 * (no HSM, no network), a tmpfs scratch directory for the files, and a verifier trusting that key to read outputs. */
#ifndef ES_FUZZ_SEAL_COMMON_H
#define ES_FUZZ_SEAL_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "fuzz_common.h"
#include "eseal/signer.h"

typedef struct fuzz_seal_env {
	char dir[128];               /* scratch directory: key, certificate, per-run input and output */
	char in[192], out[192];      /* the per-run files (the output is removed after every run) */
	char key[192], cert[192];
	eseal_signer *signer;
	ASN1_INTEGER *serial;        /* of the throw-away certificate: names our seal in a verify report */
} fuzz_seal_env;

static fuzz_seal_env fuzz_env;

/* Debug aid for a campaign: ESEAL_FUZZ_STRICT=1 also aborts when the verifier does not pass a seal the sealer made
 * (a policy difference, not necessarily a bug; off in CI). */
static int fuzz_strict;
/* ESEAL_FUZZ_VERBOSE=1: each run says whether the sealer refused the input, and why (triage of a corpus). */
static int fuzz_verbose;

static void fuzz_die(const char *what, const eseal_error *err) __attribute__((noreturn));

static void fuzz_die(const char *what, const eseal_error *err)
{
	fprintf(stderr, "fuzz setup: %s: %s\n", what, err != NULL ? err->message : strerror(errno));
	abort();
}

static void fuzz_cleanup_dir(void)
{
	unlink(fuzz_env.in);
	unlink(fuzz_env.out);
	unlink(fuzz_env.key);
	unlink(fuzz_env.cert);
	rmdir(fuzz_env.dir);
}

static void fuzz_add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1)
		fuzz_die("certificate extension", NULL);
	X509_EXTENSION_free(ext);
}

/* A seal certificate as the CLI expects one (O, organizationIdentifier, keyUsage), valid for a day around now. */
static void fuzz_make_key(int rsa)
{
	EVP_PKEY *pkey = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n;
	BIGNUM *bn = BN_new();
	FILE *f;

	if (pkey == NULL || x == NULL || bn == NULL || BN_rand(bn, 120, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1)
		fuzz_die("key generation", NULL);
	fuzz_env.serial = BN_to_ASN1_INTEGER(bn, NULL);
	n = X509_get_subject_name(x);
	X509_set_version(x, 2);
	X509_set_serialNumber(x, fuzz_env.serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"JP", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Fuzz Org", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "organizationIdentifier", MBSTRING_ASC,
				   (const unsigned char *)"NTRJP-0000000000000", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"Fuzz Seal", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, pkey);
	fuzz_add_ext(x, NID_basic_constraints, "critical,CA:FALSE");
	fuzz_add_ext(x, NID_key_usage, "critical,digitalSignature,nonRepudiation");
	if (X509_sign(x, pkey, EVP_sha256()) <= 0)
		fuzz_die("certificate signature", NULL);
	if ((f = fopen(fuzz_env.key, "w")) == NULL || PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(f) != 0)
		fuzz_die(fuzz_env.key, NULL);
	if ((f = fopen(fuzz_env.cert, "w")) == NULL || PEM_write_X509(f, x) != 1 || fclose(f) != 0)
		fuzz_die(fuzz_env.cert, NULL);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(pkey);
}

/* rsa: FatturaPA accepts only rsa-sha256; elsewhere P-256 keeps each run's signature cheap. */
static int fuzz_seal_init(int rsa)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	eseal_signer_options so = ESEAL_SIGNER_OPTIONS_INIT;
	eseal_verifier_options vo = ESEAL_VERIFIER_OPTIONS_INIT;
	const char *trust[1];
	eseal_error err;

	eseal_error_clear(&err);
	fuzz_strict = getenv("ESEAL_FUZZ_STRICT") != NULL && strcmp(getenv("ESEAL_FUZZ_STRICT"), "1") == 0;
	fuzz_verbose = getenv("ESEAL_FUZZ_VERBOSE") != NULL && strcmp(getenv("ESEAL_FUZZ_VERBOSE"), "1") == 0;
	snprintf(fuzz_env.dir, sizeof(fuzz_env.dir), "%s/eseal-fuzz-XXXXXX", base);
	if (mkdtemp(fuzz_env.dir) == NULL)
		fuzz_die(fuzz_env.dir, NULL);
	snprintf(fuzz_env.in, sizeof(fuzz_env.in), "%s/in", fuzz_env.dir);
	snprintf(fuzz_env.out, sizeof(fuzz_env.out), "%s/out", fuzz_env.dir);
	snprintf(fuzz_env.key, sizeof(fuzz_env.key), "%s/key.pem", fuzz_env.dir);
	snprintf(fuzz_env.cert, sizeof(fuzz_env.cert), "%s/cert.pem", fuzz_env.dir);
	atexit(fuzz_cleanup_dir);
	if (eseal_init(&err) != ESEAL_OK)
		fuzz_die("eseal_init", &err);
	fuzz_make_key(rsa);
	so.key = fuzz_env.key;
	so.cert_file = fuzz_env.cert;
	if (eseal_signer_open(&fuzz_env.signer, &so, &err) != ESEAL_OK)
		fuzz_die("signer", &err);
	trust[0] = fuzz_env.cert;
	vo.trust_files = trust;
	vo.n_trust_files = 1;
	vo.offline = 1;
	if (eseal_verifier_open(&fuzz_verifier, &vo, &err) != ESEAL_OK)
		fuzz_die("verifier", &err);
	return 0;
}

/* The run's input file: what the sealers read (they take paths; tmpfs keeps this cheap). */
static void fuzz_write_input(const uint8_t *data, size_t size)
{
	int fd = open(fuzz_env.in, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		fuzz_die(fuzz_env.in, NULL);
	while (done < size) {
		n = write(fd, data + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fuzz_die(fuzz_env.in, NULL);
		done += (size_t)n;
	}
	close(fd);
}

/* The output of a seal that succeeded (malloc'd, *len bytes): a success without one is a bug. */
static unsigned char *fuzz_read_output(size_t *len)
{
	struct stat st;
	unsigned char *buf = NULL;
	FILE *f = fopen(fuzz_env.out, "rb");

	if (f == NULL) {
		fprintf(stderr, "fuzz: the sealer reported success but wrote no output\n");
		abort();
	}
	if (fstat(fileno(f), &st) != 0 || (buf = malloc((size_t)st.st_size + 1)) == NULL ||
	    fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		fuzz_die(fuzz_env.out, NULL);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

/* Our seal in a verify report: the one signed with the throw-away certificate (no input can carry it: it is made
 * at start with a random serial). NULL when the verifier found none, or more than one. */
static const eseal_seal_report *fuzz_our_seal(const eseal_report *r)
{
	const eseal_seal_report *found = NULL;
	BIGNUM *bn = ASN1_INTEGER_to_BN(fuzz_env.serial, NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	size_t i;
	int n = 0;

	for (i = 0; hex != NULL && i < r->n_seals; i++)
		if (r->seals[i].serial != NULL && strcasecmp(r->seals[i].serial, hex) == 0 && n++ == 0)
			found = &r->seals[i];
	OPENSSL_free(hex);
	BN_free(bn);
	return n == 1 ? found : NULL;
}

/* Stops the run on a certain bug in what the sealer wrote, keeping that output beside libFuzzer's crash artifact
 * (sealed-output-PID in the working directory): the input alone may not reproduce it (fresh key, time, nonce). */
static void fuzz_output_bug(const char *bug, const unsigned char *out, size_t out_len, const eseal_report *r)
{
	char *json = r != NULL ? eseal_report_to_json(r) : NULL;
	char keep[64];
	FILE *f;

	snprintf(keep, sizeof(keep), "sealed-output-%ld", (long)getpid());
	if ((f = fopen(keep, "wb")) != NULL) {
		fwrite(out, 1, out_len, f);
		fclose(f);
	}
	fprintf(stderr, "fuzz: %s (output kept in %s)\n%s\n", bug, keep, json != NULL ? json : "");
	eseal_string_free(json);
	abort();
}

/* Certain bugs in what the sealer wrote, seen by the library's own verifier: our seal's digest or signature does
 * not check, or (PDF) its signed bytes are not the whole output. Everything else the verifier may refuse for its own
 * policy reasons (strict mode aborts on those too, to list them). */
static void fuzz_check_report(const eseal_report *r, int whole_file, const unsigned char *out, size_t out_len)
{
	const eseal_seal_report *s = fuzz_our_seal(r);

	if (s != NULL && (s->sub_indication == ESEAL_SUB_HASH_FAILURE || s->sub_indication == ESEAL_SUB_SIG_CRYPTO_FAILURE))
		fuzz_output_bug("the sealer's own seal does not verify", out, out_len, r);
	if (s != NULL && whole_file && !s->covers_whole_document)
		fuzz_output_bug("the sealer's own seal does not cover the whole output", out, out_len, r);
	if (fuzz_strict && (s == NULL || s->indication != ESEAL_TOTAL_PASSED || s->modified_after))
		fuzz_output_bug("strict: the verifier does not pass the sealer's seal", out, out_len, r);
}

/* After a seal attempt: a failure must say why (an empty message is a bug in the error path). */
static void fuzz_check_failure(int rc, const eseal_error *err)
{
	if (fuzz_verbose)
		fprintf(stderr, "fuzz: seal %s: %s\n", rc == ESEAL_OK ? "made" : "refused", rc == ESEAL_OK ? "" : err->message);
	if (rc != ESEAL_OK && err->message[0] == '\0') {
		fprintf(stderr, "fuzz: the sealer failed without saying why (status %d)\n", err->status);
		abort();
	}
}

#endif
