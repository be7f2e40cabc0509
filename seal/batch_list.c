/* seal/batch_list.c: the list of documents a batch reads (--from FILE or - for stdin), one path per line or
 * NUL-separated. Read through the library's one input reader: a FIFO is refused, stdin is read up to a bound. */
#include "eseal/batch.h"
#include "core/error_internal.h"
#include "core/input_internal.h"

#include <stdlib.h>
#include <string.h>

/* A list file is named on the command line: unreadable is I/O (74) as before, a FIFO or device a bad argument. */
static const es_input_role list_role = {"cannot read input list", ESEAL_E_IO, ESEAL_E_USAGE, ES_INPUT_MAX_LIST, 1};

void eseal_batch_list_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; paths != NULL && i < n; i++)
		free(paths[i]);
	free(paths);
}

eseal_status eseal_batch_read_list(const char *from, char ***paths, size_t *n, eseal_error *err)
{
	unsigned char *data = NULL;
	char *p, *end, **list = NULL, **grown;
	size_t len = 0, count = 0;
	char sep = '\n';
	int rc;

	eseal_error_clear(err);
	*paths = NULL;
	*n = 0;
	if ((rc = es_input_read(from, &list_role, &data, &len, err)) != ESEAL_OK)
		return rc;
	/* NUL-separated if the data holds any NUL (find -print0), else one path per line. */
	if (memchr(data, '\0', len) != NULL)
		sep = '\0';
	for (p = (char *)data; p < (char *)data + len; p = end + 1) {
		end = memchr(p, sep, (size_t)((char *)data + len - p));
		if (end == NULL)
			end = (char *)data + len; /* es_input_read put a NUL there */
		*end = '\0';
		if (*p == '\0')
			continue;
		if ((grown = realloc(list, (count + 1) * sizeof(*list))) == NULL)
			goto oom;
		list = grown;
		if ((list[count] = strdup(p)) == NULL)
			goto oom;
		count++;
	}
	*paths = list;
	*n = count;
	free(data);
	return ESEAL_OK;
oom:
	eseal_batch_list_free(list, count);
	free(data);
	return es_error_set(err, ESEAL_E_INTERNAL, "out of memory reading %s", from);
}
