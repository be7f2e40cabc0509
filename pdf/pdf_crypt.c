/* pdf/pdf_crypt.c: sealing AES-256 encrypted PDFs (standard security handler, V5 R5/R6): the file key is derived
 * from the password as ISO 32000-2 7.6.4.3.3 says, and the strings and streams of the update are encrypted with it
 * (the signature's /Contents is not, per 7.6.2). Other handlers (RC4, AES-128) are refused. */
#include "pdf_internal.h"
#include "core/error_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define MAX_PASSWORD 127

static int aes_cbc(const EVP_CIPHER *cipher, int enc, const unsigned char *key, const unsigned char *iv,
		   const unsigned char *in, size_t len, unsigned char *out, int padding, size_t *out_len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	ok = ctx != NULL && EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, padding) == 1 && EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 &&
	     EVP_CipherFinal_ex(ctx, out + n, &m) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (out_len != NULL)
		*out_len = (size_t)(n + m);
	return ok ? 0 : -1;
}

/* Algorithm 2.B (R6), or plain SHA-256 (R5): the hash of password, 8-byte salt and (owner only) the 48 bytes of U. */
static int hash_r6(int r, const unsigned char *pw, size_t pw_len, const unsigned char *salt, const unsigned char *udata,
		   size_t udata_len, unsigned char out[32])
{
	unsigned char k[64], *k1 = NULL, *e = NULL;
	size_t klen = 32, unit, elen = 0, i;
	unsigned int mdlen = 0;
	int round, mod, rc = -1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(md, pw, pw_len) != 1 ||
	    EVP_DigestUpdate(md, salt, 8) != 1 || EVP_DigestUpdate(md, udata, udata_len) != 1 ||
	    EVP_DigestFinal_ex(md, k, &mdlen) != 1)
		goto cleanup;
	if (r == 5) {
		memcpy(out, k, 32);
		rc = 0;
		goto cleanup;
	}
	k1 = OPENSSL_malloc(64 * (MAX_PASSWORD + 64 + 48));
	e = OPENSSL_malloc(64 * (MAX_PASSWORD + 64 + 48) + 16);
	if (k1 == NULL || e == NULL)
		goto cleanup;
	for (round = 0;; round++) {
		unit = pw_len + klen + udata_len;
		for (i = 0; i < 64; i++) {
			memcpy(k1 + i * unit, pw, pw_len);
			memcpy(k1 + i * unit + pw_len, k, klen);
			memcpy(k1 + i * unit + pw_len + klen, udata, udata_len);
		}
		if (aes_cbc(EVP_aes_128_cbc(), 1, k, k + 16, k1, unit * 64, e, 0, &elen) != 0)
			goto cleanup;
		/* The first 16 bytes of E as a big-endian number, mod 3, is the sum of the bytes mod 3. */
		for (mod = 0, i = 0; i < 16; i++)
			mod += e[i];
		mod %= 3;
		if (EVP_DigestInit_ex(md,
				      mod == 0 ? EVP_sha256() :
				      mod == 1 ? EVP_sha384() :
						 EVP_sha512(),
				      NULL) != 1 ||
		    EVP_DigestUpdate(md, e, elen) != 1 || EVP_DigestFinal_ex(md, k, &mdlen) != 1)
			goto cleanup;
		klen = mdlen;
		if (round >= 63 && e[elen - 1] <= round - 31)
			break;
	}
	memcpy(out, k, 32);
	rc = 0;
cleanup:
	OPENSSL_cleanse(k, sizeof(k));
	if (k1 != NULL)
		OPENSSL_clear_free(k1, 64 * (MAX_PASSWORD + 64 + 48));
	if (e != NULL)
		OPENSSL_clear_free(e, 64 * (MAX_PASSWORD + 64 + 48) + 16);
	EVP_MD_CTX_free(md);
	return rc;
}

static const unsigned char *enc_string(es_pdf_doc *doc, qpdf_oh enc, const char *key, size_t want, size_t *len)
{
	qpdf_oh v = qpdf_oh_get_key(doc->q, enc, key);
	const char *s = NULL;

	*len = 0;
	if (qpdf_oh_is_string(doc->q, v))
		s = qpdf_oh_get_binary_string_value(doc->q, v, len);
	qpdf_oh_release(doc->q, v);
	return s != NULL && *len >= want ? (const unsigned char *)s : NULL;
}

static int name_is(es_pdf_doc *doc, qpdf_oh dict, const char *key, const char *name)
{
	qpdf_oh v = qpdf_oh_get_key(doc->q, dict, key);
	int r = qpdf_oh_is_name_and_equals(doc->q, v, name);

	qpdf_oh_release(doc->q, v);
	return r;
}

/* Both /StmF and /StrF must name a crypt filter with /CFM /AESV3 (or be /Identity: not encrypted). */
static int crypt_filter(es_pdf_doc *doc, qpdf_oh enc, const char *which, int *active)
{
	qpdf_oh f = qpdf_oh_get_key(doc->q, enc, which), cf = 0, filt = 0;
	int ok = 0;

	*active = 1;
	if (qpdf_oh_is_name_and_equals(doc->q, f, "/Identity")) {
		*active = 0;
		ok = 1;
	} else if (qpdf_oh_is_name(doc->q, f)) {
		cf = qpdf_oh_get_key(doc->q, enc, "/CF");
		filt = qpdf_oh_get_key_if_dict(doc->q, cf, qpdf_oh_get_name(doc->q, f));
		ok = name_is(doc, filt, "/CFM", "/AESV3");
	}
	qpdf_oh_release(doc->q, f);
	qpdf_oh_release(doc->q, cf);
	qpdf_oh_release(doc->q, filt);
	return ok;
}

int es_pdf_crypt_init(es_pdf_doc *doc, qpdf_oh enc, const char *password, eseal_error *err)
{
	es_pdf_crypt *c = &doc->crypt;
	qpdf_oh v = qpdf_oh_get_key(doc->q, enc, "/V"), r = qpdf_oh_get_key(doc->q, enc, "/R");
	qpdf_oh p = qpdf_oh_get_key(doc->q, enc, "/P");
	const unsigned char *o, *u, *oe, *ue;
	static const unsigned char none[1] = {0};
	const unsigned char *pw = password != NULL ? (const unsigned char *)password : none;
	unsigned char o48[48], u48[48], hash[32], inter[32], iv[16] = {0};
	size_t olen, ulen, oelen, uelen, pw_len = password != NULL ? strlen(password) : 0, n = 0;
	int rev = qpdf_oh_get_int_value_as_int(doc->q, r), rc = ESEAL_OK, owner = 0;
	long long perms = qpdf_oh_get_int_value(doc->q, p);

	memset(c, 0, sizeof(*c));
	if (!name_is(doc, enc, "/Filter", "/Standard") || qpdf_oh_get_int_value_as_int(doc->q, v) != 5 ||
	    (rev != 5 && rev != 6) || !crypt_filter(doc, enc, "/StmF", &c->streams) ||
	    !crypt_filter(doc, enc, "/StrF", &c->strings)) {
		rc = es_error_set(
			err, ESEAL_E_INPUT,
			"%s: encrypted with an algorithm the sealer does not write (only AES-256 is supported); "
			"decrypt first with qpdf --decrypt",
			doc->path);
		goto cleanup;
	}
	if (pw_len > MAX_PASSWORD)
		pw_len = MAX_PASSWORD;
	o = enc_string(doc, enc, "/O", 48, &olen);
	if (o == NULL) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: damaged encryption dictionary (/O)", doc->path);
		goto cleanup;
	}
	memcpy(o48, o, 48); /* QPDF's strings live only until its next call */
	u = enc_string(doc, enc, "/U", 48, &ulen);
	if (u == NULL) {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: damaged encryption dictionary (/U)", doc->path);
		goto cleanup;
	}
	memcpy(u48, u, 48);
	/* Owner password first (it unlocks everything), then user password. */
	if (hash_r6(rev, pw, pw_len, o48 + 32, u48, 48, hash) == 0 && CRYPTO_memcmp(hash, o48, 32) == 0) {
		owner = 1;
		if (hash_r6(rev, pw, pw_len, o48 + 40, u48, 48, inter) != 0)
			goto crypto_failed;
		oe = enc_string(doc, enc, "/OE", 32, &oelen);
		if (oe == NULL || aes_cbc(EVP_aes_256_cbc(), 0, inter, iv, oe, 32, c->key, 0, &n) != 0 || n != 32)
			goto crypto_failed;
	} else if (hash_r6(rev, pw, pw_len, u48 + 32, none, 0, hash) == 0 && CRYPTO_memcmp(hash, u48, 32) == 0) {
		if (hash_r6(rev, pw, pw_len, u48 + 40, none, 0, inter) != 0)
			goto crypto_failed;
		ue = enc_string(doc, enc, "/UE", 32, &uelen);
		if (ue == NULL || aes_cbc(EVP_aes_256_cbc(), 0, inter, iv, ue, 32, c->key, 0, &n) != 0 || n != 32)
			goto crypto_failed;
	} else {
		rc = es_error_set(err, ESEAL_E_INPUT, "%s: wrong password for the encrypted PDF", doc->path);
		goto cleanup;
	}
	/* With only the user password, the author's permissions apply: signing needs "fill in forms" (bit 9) or
	 * "modify annotations" (bit 6). */
	if (!owner && (perms & (1 << 8)) == 0 && (perms & (1 << 5)) == 0) {
		rc = es_error_set(err, ESEAL_E_INPUT,
				  "%s: the document's permissions do not allow signing; the owner "
				  "password is needed",
				  doc->path);
		goto cleanup;
	}
	c->active = 1;
	goto cleanup;
crypto_failed:
	rc = es_error_set_ossl(err, ESEAL_E_INPUT, "%s: cannot derive the file key", doc->path);
cleanup:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(inter, sizeof(inter));
	if (rc != ESEAL_OK)
		OPENSSL_cleanse(c->key, sizeof(c->key));
	qpdf_oh_release(doc->q, v);
	qpdf_oh_release(doc->q, r);
	qpdf_oh_release(doc->q, p);
	return rc;
}

/* AESV3: a random 16-byte IV, then AES-256-CBC with PKCS#7 padding, under the file key itself. */
int es_pdf_crypt_data(const es_pdf_crypt *c, const void *in, size_t len, unsigned char **out, size_t *out_len)
{
	unsigned char *buf = malloc(len + 32);
	size_t n = 0;

	*out = NULL;
	if (buf == NULL || RAND_bytes(buf, 16) != 1 ||
	    aes_cbc(EVP_aes_256_cbc(), 1, c->key, buf, in, len, buf + 16, 1, &n) != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = n + 16;
	return 0;
}

void es_pdf_string(es_buf *b, const es_pdf_crypt *c, const void *bytes, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = bytes;
	unsigned char *enc = NULL;
	size_t i;

	if (c != NULL && c->active && c->strings) {
		if (es_pdf_crypt_data(c, bytes, len, &enc, &len) != 0) {
			b->oom = 1;
			return;
		}
		p = enc;
	}
	es_buf_puts(b, "<");
	for (i = 0; i < len; i++) {
		char two[2] = {hex[p[i] >> 4], hex[p[i] & 15]};

		es_buf_append(b, two, 2);
	}
	es_buf_puts(b, ">");
	free(enc);
}
