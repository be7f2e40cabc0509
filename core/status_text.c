/* core/status_text.c: what each class of failure means to a person who is not a PKI specialist, in their language.
 * Staff at an e-Seal printer and recipients of a report see these; the technical reason goes to logs. */
#include "i18n_internal.h"

const char *eseal_status_text(eseal_status status, const char *lang)
{
	const char *msgid;

	switch (status) {
	case ESEAL_OK:
		msgid = ES_N_("Done.");
		break;
	case ESEAL_E_USAGE:
		msgid = ES_N_("The request is not valid; check the command or the settings.");
		break;
	case ESEAL_E_INPUT:
		msgid = ES_N_("This document cannot be sealed or verified as it is.");
		break;
	case ESEAL_E_IO:
		msgid = ES_N_("A file could not be read or written.");
		break;
	case ESEAL_E_CONFIG:
		msgid = ES_N_("The seal's key, certificate or trust settings cannot be used; ask the administrator.");
		break;
	case ESEAL_E_PIN:
		msgid = ES_N_("The HSM refused the PIN; ask the administrator (not retried, so that the key is not locked).");
		break;
	case ESEAL_E_HSM:
		msgid = ES_N_("The HSM is not available at the moment; this will be retried.");
		break;
	case ESEAL_E_TSA:
		msgid = ES_N_("The time-stamp service cannot be reached at the moment; this will be retried.");
		break;
	case ESEAL_E_CRYPTO:
		msgid = ES_N_("A cryptographic operation failed; ask the administrator.");
		break;
	case ESEAL_E_CANCELLED:
		msgid = ES_N_("Stopped before this document was sealed; seal it again.");
		break;
	case ESEAL_E_REMOTE:
		msgid = ES_N_("The remote e-Seal service is not available at the moment; this will be retried.");
		break;
	case ESEAL_E_INTERNAL:
	default:
		msgid = ES_N_("An internal error occurred; ask the administrator.");
		break;
	}
	return eseal_text(lang, msgid);
}
