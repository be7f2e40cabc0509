/* core/file_tree_internal.h: the files of a directory tree as sorted relative names, for seals over a whole folder
 * (detached XAdES, ASiC containers) and their verifiers, which must agree on what "every file under DIR" means. */
#ifndef ES_FILE_TREE_INTERNAL_H
#define ES_FILE_TREE_INTERNAL_H

#include <stddef.h>

#include "eseal/error.h"

/* Caps: a delivery folder holds thousands of files, not millions; deeper trees are a loop or an attack. */
#define ES_FILE_TREE_MAX_FILES 100000
#define ES_FILE_TREE_MAX_DEPTH 64

typedef struct es_file_tree {
	char **names; /* relative to the root, '/'-separated, sorted by strcmp (byte order, as UTF-8 sorts) */
	size_t n;
} es_file_tree;

/* Lists every regular file below dir. A symbolic link, FIFO, device or socket anywhere in the tree is refused
 * (ESEAL_E_INPUT naming it): sealing what a link points to today would not be what the folder holds tomorrow.
 * skip (may be NULL) is a name relative to dir left out (the seal file itself when it lies in the tree). */
int es_file_tree_list(const char *dir, const char *skip, es_file_tree *out, eseal_error *err);
/* 1 if name is in the (sorted) tree. */
int es_file_tree_has(const es_file_tree *t, const char *name);
void es_file_tree_free(es_file_tree *t);
/* ESEAL_E_USAGE when out_path would lie inside dir (what: "seal", "container"): sealing a folder never adds a file to
 * it, and a later seal of the same folder would take the first one in. */
int es_file_tree_outside(const char *dir, const char *out_path, const char *what, eseal_error *err);
/* dir + "/" + name, malloc'd (NULL when out of memory). */
char *es_file_tree_path(const char *dir, const char *name);

#endif
