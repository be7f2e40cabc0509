/* core/i18n_internal.h: marking and translating the library's texts for people (gettext domain "eseal").
 * ES_("...") translates into the process's language; ES_N_ only marks a text for xgettext, for tables. */
#ifndef ES_I18N_INTERNAL_H
#define ES_I18N_INTERNAL_H

#include "eseal/i18n.h"

#define ES_TEXTDOMAIN "eseal"
#define ES_(msgid) eseal_text(NULL, (msgid))
#define ES_N_(msgid) (msgid)

/* Binds the domain to its catalogs: $ESEAL_LOCALEDIR (a build tree's catalogs, for tests), else the install path. */
void es_i18n_bind(void);

#endif
