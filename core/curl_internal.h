/* core/curl_internal.h: libcurl, loaded the first time the library makes an HTTP request (OCSP, CRL, a TSA, a csc:
 * service): a command that never reaches the network (an offline verification) never maps libcurl and the twenty
 * libraries it stands on. curl's header still gives the types and constants; the functions come from this table. */
#ifndef ES_CURL_INTERNAL_H
#define ES_CURL_INTERNAL_H

#include <curl/curl.h>

#include "eseal/error.h"

/* The soname loaded: the libcurl the library is built against (libcurl4, OpenSSL flavour). */
#define ES_CURL_SONAME "libcurl.so.4"

typedef struct es_curl {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_reset)(CURL *h);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
} es_curl;

/* libcurl's functions, loaded and globally initialised once per process (thread-safe; curl_global_init runs under
 * the same once). ESEAL_E_CONFIG naming the library and dlopen's reason when it cannot be loaded; err may be NULL
 * where curl is known to be loaded already (a handle exists). */
eseal_status es_curl_get(const es_curl **out, eseal_error *err);

#endif
