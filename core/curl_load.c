/* core/curl_load.c: loads libcurl on the first HTTP request (core/curl_internal.h says why), once per process, and
 * initialises it there: no command that stays offline pays for mapping it. */
#include "curl_internal.h"
#include "error_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* Written once under pthread_once and only read afterwards. libcurl stays loaded until the process ends (its
 * global state, OpenSSL's and nghttp2's, cannot be unloaded safely). */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static es_curl loaded;
static int load_ok;
static char load_error[512];

/* dlsym into a function pointer: the round trip through void * is what POSIX guarantees. */
#define SYM(field, name) (*(void **)(&loaded.field) = dlsym(h, name)) != NULL

static void load(void)
{
	CURLcode (*global_init)(long flags);
	void *h;

	if ((h = dlopen(ES_CURL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(load_error, sizeof(load_error), "%s", dlerror());
		return;
	}
	*(void **)(&global_init) = dlsym(h, "curl_global_init");
	if (global_init == NULL || !(SYM(easy_init, "curl_easy_init") && SYM(easy_setopt, "curl_easy_setopt") &&
				     SYM(easy_perform, "curl_easy_perform") && SYM(easy_getinfo, "curl_easy_getinfo") &&
				     SYM(easy_reset, "curl_easy_reset") && SYM(easy_cleanup, "curl_easy_cleanup") &&
				     SYM(easy_strerror, "curl_easy_strerror") &&
				     SYM(slist_append, "curl_slist_append") &&
				     SYM(slist_free_all, "curl_slist_free_all"))) {
		snprintf(load_error, sizeof(load_error), "a function of libcurl is missing");
		dlclose(h);
		return;
	}
	/* libcurl 7.84 and later initialise thread-safely; this runs once, before any handle exists. */
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof(load_error), "curl_global_init failed");
		return;
	}
	load_ok = 1;
}

eseal_status es_curl_get(const es_curl **out, eseal_error *err)
{
	*out = NULL;
	if (pthread_once(&load_once, load) != 0 || !load_ok)
		return es_error_set(err, ESEAL_E_CONFIG, "cannot load " ES_CURL_SONAME " for HTTP requests: %s",
				    load_error[0] != '\0' ? load_error : "pthread_once failed");
	*out = &loaded;
	return ESEAL_OK;
}
