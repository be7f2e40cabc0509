/* core/tz_internal.h: local time in a named IANA time zone (Asia/Tokyo) for the texts people read (the seal stamp),
 * read from the system's TZif files: thread-safe, unlike setting TZ for localtime_r. */
#ifndef ES_TZ_INTERNAL_H
#define ES_TZ_INTERNAL_H

#include "eseal/error.h"

#include <time.h>

/* Offset east of UTC in seconds and the zone's abbreviation ("JST") at time t in zone name (NULL or "" = the
 * system's zone, /etc/localtime; UTC when there is none). ESEAL_E_USAGE if name is not a valid zone on this system. */
eseal_status es_tz_at(const char *name, time_t t, long *offset, char *abbr, size_t abbr_size, eseal_error *err);

/* "2026-12-04 03:10:33 JST (UTC+09:00)", or "2026-12-03 18:10:33 UTC" for UTC itself. */
eseal_status es_tz_format(const char *name, time_t t, char *out, size_t size, eseal_error *err);

#endif
