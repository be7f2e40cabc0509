/* core/tz.c: the offset and abbreviation of an IANA time zone at a given instant, from its TZif file (RFC 8536).
 * The stamp on a seal shows local time; setting TZ for localtime_r is not safe while other threads seal. */
#include "tz_internal.h"
#include "error_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A TZif file is a few kB; anything much larger is not one. */
#define TZIF_MAX (1u << 20)

static int32_t be32(const unsigned char *p)
{
	return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]);
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)(((uint64_t)(uint32_t)be32(p) << 32) | (uint32_t)be32(p + 4));
}

/* Zone names are paths below the zoneinfo folder: letters, digits, '_', '-', '+', '/', never "..". */
static int valid_name(const char *n)
{
	const char *p;

	if (n[0] == '\0' || n[0] == '/' || strlen(n) > 128 || strstr(n, "..") != NULL)
		return 0;
	for (p = n; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-' || *p == '+' || *p == '/'))
			return 0;
	return 1;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	unsigned char *buf = malloc(TZIF_MAX);
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || buf == NULL) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, TZIF_MAX - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == TZIF_MAX)
			break;
	}
	close(fd);
	*len = got;
	return buf;
}

/* Finds the local time type in effect at t. Returns 0 on success. */
static int tzif_lookup(const unsigned char *b, size_t len, time_t t, long *offset, char *abbr, size_t abbr_size)
{
	const unsigned char *h = b, *d, *types, *chars;
	uint32_t isut, isstd, leap, timecnt, typecnt, charcnt;
	size_t tsize = 4, body, i;
	int idx = -1;

	if (len < 44 || memcmp(h, "TZif", 4) != 0)
		return -1;
	/* Version 2+: skip the 32-bit block and read the 64-bit one that follows its own header. */
	for (;;) {
		isut = (uint32_t)be32(h + 20);
		isstd = (uint32_t)be32(h + 24);
		leap = (uint32_t)be32(h + 28);
		timecnt = (uint32_t)be32(h + 32);
		typecnt = (uint32_t)be32(h + 36);
		charcnt = (uint32_t)be32(h + 40);
		if (timecnt > 100000 || typecnt == 0 || typecnt > 256 || charcnt > 4096 || leap > 10000 || isut > 256 ||
		    isstd > 256)
			return -1;
		body = timecnt * tsize + timecnt + typecnt * 6 + charcnt + leap * (tsize + 4) + isstd + isut;
		if ((size_t)(h - b) + 44 + body > len)
			return -1;
		if (tsize == 4 && h[4] >= '2') {
			h = h + 44 + body;
			tsize = 8;
			if ((size_t)(h - b) + 44 > len || memcmp(h, "TZif", 4) != 0)
				return -1;
			continue;
		}
		break;
	}
	d = h + 44;
	for (i = 0; i < timecnt; i++) {
		int64_t at = tsize == 8 ? be64(d + i * 8) : be32(d + i * 4);

		if (at > (int64_t)t)
			break;
		idx = d[timecnt * tsize + i];
	}
	types = d + timecnt * tsize + timecnt;
	chars = types + typecnt * 6;
	if (idx < 0)
		idx = 0; /* before the first transition: the first type (RFC 8536 3.2) */
	if ((uint32_t)idx >= typecnt || types[idx * 6 + 5] >= charcnt)
		return -1;
	*offset = be32(types + idx * 6);
	snprintf(abbr, abbr_size, "%.*s",
		 (int)strnlen((const char *)chars + types[idx * 6 + 5], charcnt - types[idx * 6 + 5]),
		 (const char *)chars + types[idx * 6 + 5]);
	return 0;
}

eseal_status es_tz_at(const char *name, time_t t, long *offset, char *abbr, size_t abbr_size, eseal_error *err)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	unsigned char *buf;
	size_t len = 0;
	int system_zone = name == NULL || name[0] == '\0';

	*offset = 0;
	snprintf(abbr, abbr_size, "UTC");
	if (system_zone) {
		snprintf(path, sizeof(path), "/etc/localtime");
	} else {
		if (!valid_name(name))
			return es_error_set(err, ESEAL_E_USAGE,
					    "timezone: '%s' is not a time zone name (e.g. Asia/Tokyo)", name);
		snprintf(path, sizeof(path), "%s/%s", dir != NULL && dir[0] == '/' ? dir : "/usr/share/zoneinfo", name);
	}
	if ((buf = read_file(path, &len)) == NULL) {
		if (system_zone)
			return ESEAL_OK; /* no system zone configured: UTC, as the C library assumes */
		return es_error_set(err, ESEAL_E_USAGE, "timezone: '%s' is not a time zone of this system (%s: %s)",
				    name, path, strerror(errno));
	}
	if (tzif_lookup(buf, len, t, offset, abbr, abbr_size) != 0) {
		free(buf);
		if (system_zone)
			return ESEAL_OK;
		return es_error_set(err, ESEAL_E_USAGE, "timezone: %s is not a valid time zone file", path);
	}
	free(buf);
	return ESEAL_OK;
}

eseal_status es_tz_format(const char *name, time_t t, char *out, size_t size, eseal_error *err)
{
	char abbr[16], when[32];
	long off = 0;
	time_t local;
	struct tm tm;
	int rc;

	if ((rc = es_tz_at(name, t, &off, abbr, sizeof(abbr), err)) != ESEAL_OK)
		return rc;
	local = t + off;
	gmtime_r(&local, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (off == 0 && (strcmp(abbr, "UTC") == 0 || strcmp(abbr, "GMT") == 0))
		snprintf(out, size, "%s UTC", when);
	else
		snprintf(out, size, "%s %s (UTC%c%02ld:%02ld)", when, abbr, off < 0 ? '-' : '+', labs(off) / 3600,
			 (labs(off) % 3600) / 60);
	return ESEAL_OK;
}
