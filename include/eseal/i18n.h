/* eseal/i18n.h: the language of the texts eseal writes for people (staff messages, reports, printer job states).
 * English is built in; other languages come from gettext catalogs (domain "eseal") under the locale directory. */
#ifndef ESEAL_I18N_H
#define ESEAL_I18N_H

#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The translation of msgid (an English text) into lang: "ja", "en", or a locale name such as "ja_JP.UTF-8"; NULL
 * means the language LC_ALL/LC_MESSAGES/LANG/LANGUAGE choose for the process. Returns msgid itself when there is no
 * translation, no catalog, or the system lacks the language's locale (generate ja_JP.UTF-8 for Japanese). LANGUAGE,
 * when set, still takes precedence, as for every gettext program. Thread-safe; the result lives as long as the
 * process (gettext's catalogs stay mapped). */
const char *eseal_text(const char *lang, const char *msgid);

/* One sentence for the people who see a failure of this class (office staff at a printer, a clerk reading a report):
 * what happened and whether it will be retried, without technical detail (that stays in the error message and logs). */
const char *eseal_status_text(eseal_status status, const char *lang);

/* The locale name eseal_text uses for lang ("ja" -> "ja_JP.UTF-8"), or NULL for English and unknown short names. */
const char *eseal_language_locale(const char *lang);

#ifdef __cplusplus
}
#endif
#endif
