/* xml/xml_lib.c: libxml2's and xmlsec's process-wide initialisation, done on the first XML use instead of in
 * eseal_init, so that commands that never touch XML (a PDF verification) do not pay for it. */
#include "xml_lib.h"

#include "core/error_internal.h"

#include <pthread.h>
#include <stdio.h>

#include <libxml/parser.h>
#include <xmlsec/crypto.h>
#include <xmlsec/xmlsec.h>

/* Written once under load_once, only read afterwards. */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const char *load_failure;

static void load(void)
{
	xmlInitParser();
	/* Untrusted XML must never reach the network or the file system through the parser. */
	xmlSubstituteEntitiesDefault(0);
	xmlLoadExtDtdDefaultValue = 0;
	if (xmlSecInit() < 0)
		load_failure = "cannot initialise xmlsec";
	else if (xmlSecCheckVersion() != 1)
		load_failure = "xmlsec library version mismatch";
	else if (xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0)
		load_failure = "cannot initialise xmlsec-openssl";
}

eseal_status es_xml_lib_init(eseal_error *err)
{
	if (pthread_once(&load_once, load) != 0)
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot initialise libxml2 and xmlsec");
	if (load_failure != NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s", load_failure);
	eseal_error_clear(err);
	return ESEAL_OK;
}
