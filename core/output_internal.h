/* core/output_internal.h: what core/output.c and core/output_group.c share about a pending output.
 * Only these two files look inside an eseal_output. */
#ifndef ESEAL_OUTPUT_INTERNAL_H
#define ESEAL_OUTPUT_INTERNAL_H

#include <sys/types.h>

#include "eseal/output.h"

struct eseal_output {
	eseal_output_group *group;
	void *cookie;     /* the group's caller's name for this output, given back in the report */
	int fd;
	int dir_fd;
	dev_t dev;        /* file system of dir_fd, set when handed to a group */
	char *path;       /* final name, as given */
	char *base;       /* final name within dir_fd */
	char *temp_name;  /* set only on file systems without O_TMPFILE: a named temp file to unlink */
	off_t size;
	int overwrite;
	int committed;
};

/* Gives the complete, flushed file its final name (never replacing a file unless overwrite). */
int es_output_give_name(eseal_output *out, eseal_error *err);
/* Moves out into the group's queue; the caller keeps an empty shell to free (eseal_output_commit with a group). */
int es_output_group_hand_over(eseal_output *out, eseal_error *err);

#endif
