/* tests/verify/cms_tst_swap.c: test tool: moves the signature-time-stamp attribute of B.p7s into A.p7s, giving a
 * CMS whose time-stamp covers a different signature (the verifier must reject it). usage: A B OUT */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <stdio.h>

static CMS_ContentInfo *load(const char *path)
{
	BIO *in = BIO_new_file(path, "rb");
	CMS_ContentInfo *cms = in != NULL ? d2i_CMS_bio(in, NULL) : NULL;

	BIO_free(in);
	return cms;
}

int main(int argc, char **argv)
{
	CMS_ContentInfo *a = NULL, *b = NULL;
	CMS_SignerInfo *sa, *sb;
	X509_ATTRIBUTE *tst = NULL;
	BIO *out = NULL;
	int ia, ib, rc = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: %s A.p7s B.p7s OUT.p7s\n", argv[0]);
		return 64;
	}
	a = load(argv[1]);
	b = load(argv[2]);
	if (a == NULL || b == NULL)
		goto cleanup;
	sa = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(a), 0);
	sb = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(b), 0);
	ia = CMS_unsigned_get_attr_by_NID(sa, NID_id_smime_aa_timeStampToken, -1);
	ib = CMS_unsigned_get_attr_by_NID(sb, NID_id_smime_aa_timeStampToken, -1);
	if (ia < 0 || ib < 0)
		goto cleanup;
	X509_ATTRIBUTE_free(CMS_unsigned_delete_attr(sa, ia));
	tst = CMS_unsigned_get_attr(sb, ib);
	if (CMS_unsigned_add1_attr(sa, tst) != 1)
		goto cleanup;
	out = BIO_new_file(argv[3], "wb");
	if (out == NULL || i2d_CMS_bio(out, a) != 1)
		goto cleanup;
	rc = 0;
cleanup:
	if (rc != 0)
		ERR_print_errors_fp(stderr);
	BIO_free(out);
	CMS_ContentInfo_free(a);
	CMS_ContentInfo_free(b);
	return rc;
}
