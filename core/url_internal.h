/* core/url_internal.h: URLs as the library shows them in messages, JSON and logs.
 * A URL may carry credentials ("http://user:password@tsa.example/"); no message ever shows them. */
#ifndef ES_URL_INTERNAL_H
#define ES_URL_INTERNAL_H

#include <stddef.h>

/* The longest URL shown in full; a longer one is cut (with "...") but still has no credentials. */
#define ES_URL_SHOW_MAX 512

/* url with any user information ("user:password@" before the host) replaced by "***@", into buf; returns buf.
 * Every place a URL reaches a message goes through here. */
const char *es_url_show(const char *url, char *buf, size_t size);

#endif
