/* core/init.c: process-wide initialisation of OpenSSL and the message catalogs, set once before threads start.
 * What is loaded on first use (libcurl, the XML module, the renderer) keeps its own once-only state. */
#include "eseal/eseal.h"
#include "error_internal.h"
#include "i18n_internal.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

static int initialised;

eseal_status eseal_init(eseal_error *err)
{
	eseal_error_clear(err);
	if (initialised)
		return ESEAL_OK;
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_ADD_ALL_CIPHERS |
				    OPENSSL_INIT_ADD_ALL_DIGESTS, NULL) != 1)
		return es_error_set_ossl(err, ESEAL_E_INTERNAL, "cannot initialise OpenSSL");
	/* libcurl is loaded and initialised by its first request (core/curl_load.c), libxml2 and xmlsec with the XML
	 * module by the first XML document (xml/xml.c, xml/xml_lib.c): a PDF verification needs neither. */
	es_i18n_bind();
	initialised = 1;
	return ESEAL_OK;
}

void eseal_cleanup(void)
{
	/* What was loaded on first use (libcurl, the XML module, the renderer) stays until the process ends. */
	initialised = 0;
}
