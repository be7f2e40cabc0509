/* core/init.c: process-wide initialisation of the libraries eseal stands on.
 * The only global state of the library lives here, set once before threads start. */
#include "eseal/eseal.h"
#include "error_internal.h"
#include "i18n_internal.h"

#include <libxml/parser.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <xmlsec/crypto.h>
#include <xmlsec/xmlsec.h>

static int initialised;

eseal_status eseal_init(eseal_error *err)
{
	eseal_error_clear(err);
	if (initialised)
		return ESEAL_OK;
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_ADD_ALL_CIPHERS |
				    OPENSSL_INIT_ADD_ALL_DIGESTS, NULL) != 1)
		return es_error_set_ossl(err, ESEAL_E_INTERNAL, "cannot initialise OpenSSL");
	/* libcurl is loaded and initialised by its first request (core/curl_load.c). */
	xmlInitParser();
	/* Untrusted XML must never reach the network or the file system through the parser. */
	xmlSubstituteEntitiesDefault(0);
	xmlLoadExtDtdDefaultValue = 0;
	if (xmlSecInit() < 0)
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot initialise xmlsec");
	if (xmlSecCheckVersion() != 1)
		return es_error_set(err, ESEAL_E_INTERNAL, "xmlsec library version mismatch");
	if (xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0)
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot initialise xmlsec-openssl");
	es_i18n_bind();
	initialised = 1;
	return ESEAL_OK;
}

void eseal_cleanup(void)
{
	if (!initialised)
		return;
	xmlSecCryptoShutdown();
	xmlSecCryptoAppShutdown();
	xmlSecShutdown();
	xmlCleanupParser();
	initialised = 0;
}
