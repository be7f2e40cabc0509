/* eseal/eseal.h: umbrella header and library initialisation.
 * Call eseal_init once per process before any other function (it initialises OpenSSL; libxml2, xmlsec and libcurl
 * are initialised by their first use, once, thread-safely). */
#ifndef ESEAL_ESEAL_H
#define ESEAL_ESEAL_H

#include "eseal/error.h"
#include "eseal/output.h"
#include "eseal/profile.h"
#include "eseal/signer.h"
#include "eseal/timestamp.h"
#include "eseal/cms.h"
#include "eseal/pdf.h"
#include "eseal/xml.h"
#include "eseal/seal.h"
#include "eseal/batch.h"
#include "eseal/i18n.h"
#include "eseal/asic.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESEAL_VERSION "0.1.0"

eseal_status eseal_init(eseal_error *err);
void eseal_cleanup(void);

#ifdef __cplusplus
}
#endif
#endif
