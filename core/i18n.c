/* core/i18n.c: translations of the texts eseal writes for people, in the process's language or one a caller names.
 * A per-call language (a report's --lang, a printer job's natural language) uses a thread locale, not setlocale. */
#include "i18n_internal.h"

#include <libintl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#ifndef ESEAL_LOCALEDIR
#define ESEAL_LOCALEDIR "/usr/local/share/locale"
#endif

void es_i18n_bind(void)
{
	const char *dir = getenv("ESEAL_LOCALEDIR");

	bindtextdomain(ES_TEXTDOMAIN, dir != NULL && dir[0] != '\0' ? dir : ESEAL_LOCALEDIR);
	/* Reports, JSON and the stamp are UTF-8 whatever the terminal's encoding. */
	bind_textdomain_codeset(ES_TEXTDOMAIN, "UTF-8");
}

const char *eseal_language_locale(const char *lang)
{
	/* Short names of the languages we ship catalogs for; a full locale name is taken as given. */
	static const struct {
		const char *lang, *locale;
	} known[] = {{"ja", "ja_JP.UTF-8"}};
	size_t i;

	if (lang == NULL || lang[0] == '\0')
		return NULL;
	if (strchr(lang, '_') != NULL || strchr(lang, '.') != NULL)
		return lang;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(lang, known[i].lang) == 0)
			return known[i].locale;
	return NULL;
}

const char *eseal_text(const char *lang, const char *msgid)
{
	const char *name, *out;
	locale_t loc, old;

	if (lang == NULL)
		return dgettext(ES_TEXTDOMAIN, msgid);
	if ((name = eseal_language_locale(lang)) == NULL)
		return msgid;
	if ((loc = newlocale(LC_MESSAGES_MASK, name, (locale_t)0)) == (locale_t)0)
		return msgid;
	/* glibc's gettext reads the calling thread's LC_MESSAGES. LANGUAGE, when set, still comes first (gettext's rule):
	 * a front end that names one language for the whole process sets LANGUAGE itself. */
	old = uselocale(loc);
	out = dgettext(ES_TEXTDOMAIN, msgid);
	uselocale(old);
	freelocale(loc);
	return out;
}
