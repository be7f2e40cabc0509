/* core/url.c: URLs without their credentials, for messages (see url_internal.h).
 * RFC 3986: the authority follows "//" and ends at the first "/", "?" or "#"; user information ends at its last "@". */
#include "url_internal.h"

#include <stdio.h>
#include <string.h>

const char *es_url_show(const char *url, char *buf, size_t size)
{
	const char *auth, *end, *at = NULL, *p;
	int n;

	if (size == 0)
		return "";
	if (url == NULL) {
		snprintf(buf, size, "(none)");
		return buf;
	}
	auth = strstr(url, "://");
	auth = auth != NULL ? auth + 3 : url; /* no scheme: the text may still start with an authority */
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		n = snprintf(buf, size, "%s", url);
	else
		n = snprintf(buf, size, "%.*s***%s", (int)(auth - url), url, at);
	if (n >= 0 && (size_t)n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}
