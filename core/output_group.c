/* core/output_group.c: the batch's committer thread (see eseal/output.h): outputs reach the disk in rounds of one
 * syncfs() while the workers that made them go on sealing. */
#include "output_internal.h"
#include "clock_internal.h"
#include "error_internal.h"
#include "input_internal.h"
#include "fd_budget_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ROUND_MS 10.0

/* The committer's own lists for one round (only the committer thread touches them). */
struct round {
	eseal_output *taken[ESEAL_OUTPUT_GROUP_PENDING]; /* data to flush, then to name */
	size_t n_taken;
	eseal_output *named[ESEAL_OUTPUT_GROUP_PENDING]; /* named last round: reported once this round's flush holds */
	size_t n_named;
};

struct eseal_output_group {
	pthread_mutex_t lock;
	pthread_cond_t wake;  /* the committer: something was handed over, or stop */
	pthread_cond_t room;  /* eseal_output_commit callers waiting for fewer than max_pending in flight */
	pthread_cond_t idle;  /* eseal_output_group_sync: nothing in flight */
	pthread_cond_t hurry; /* the committer, pacing its rounds: a sync or a stop wants everything now */
	pthread_t thread;
	int running;
	int stopping;
	int draining;         /* someone waits in eseal_output_group_sync: no more pacing */
	eseal_output_done_fn done;
	void *ctx;
	eseal_output *queue[ESEAL_OUTPUT_GROUP_PENDING]; /* handed over, not yet taken by the committer */
	size_t n_queued;
	size_t in_flight;      /* handed over and not yet reported */
	size_t max_pending;    /* ESEAL_OUTPUT_GROUP_PENDING, or fewer when descriptors are scarce (see group_new) */
	struct round round;    /* the committer's, outside the lock */
	char *root;            /* eseal_output_group_below: outputs must lie below this directory ... */
	int root_fd;           /* ... reached from it without symbolic links; -1: no such rule */
};

/* Tells the caller (with the cookie it gave) and drops the group's hold on the file. */
static void report(eseal_output_group *g, eseal_output *o, const eseal_error *err)
{
	g->done(g->ctx, o->cookie, err);
	eseal_output_free(o);
}

/* One syncfs() per file system among this round's outputs: it puts the taken files' data on disk and, with it,
 * the names given last round. Returns the first failure, reported for every output of the round. */
static int flush_file_systems(struct round *r, eseal_error *err)
{
	dev_t done_devs[2 * ESEAL_OUTPUT_GROUP_PENDING];
	size_t n_done = 0, i, k, total = r->n_taken + r->n_named;

	for (i = 0; i < total; i++) {
		eseal_output *o = i < r->n_taken ? r->taken[i] : r->named[i - r->n_taken];

		for (k = 0; k < n_done && done_devs[k] != o->dev; k++)
			;
		if (k < n_done)
			continue;
		if (syncfs(o->dir_fd) != 0)
			return es_error_set(err, ESEAL_E_IO, "%s: flushing to disk failed: %s", o->path, strerror(errno));
		done_devs[n_done++] = o->dev;
	}
	return ESEAL_OK;
}

/* Flush, report last round's names, name this round's files. Runs without the group lock: done() may take its own
 * locks, and the workers keep handing over meanwhile. Returns how many outputs were reported. */
static size_t commit_round(eseal_output_group *g, struct round *r)
{
	eseal_error flush_err, err;
	size_t i, reported = 0;
	int flushed;

	eseal_error_clear(&flush_err);
	flushed = flush_file_systems(r, &flush_err) == ESEAL_OK;
	for (i = 0; i < r->n_named; i++, reported++) {
		eseal_error_clear(&err);
		if (!flushed)
			es_error_set(&err, ESEAL_E_IO, "%s: written, but its name may not survive a crash: %s",
				     r->named[i]->path, flush_err.message);
		report(g, r->named[i], &err);
	}
	r->n_named = 0;
	for (i = 0; i < r->n_taken; i++) {
		eseal_output *o = r->taken[i];

		eseal_error_clear(&err);
		if (!flushed) {
			es_error_set(&err, ESEAL_E_IO, "%s: not written: %s", o->path, flush_err.message);
		} else if (es_output_give_name(o, &err) == ESEAL_OK) {
			o->committed = 1;
			r->named[r->n_named++] = o;
			continue;
		}
		report(g, o, &err);
		reported++;
	}
	r->n_taken = 0;
	return reported;
}

/* Rounds start at most every ROUND_MS: each syncfs() costs a disk cache flush whatever it carries, so a round
 * should carry many outputs. Waiting is cheap for a batch: the workers go on sealing meanwhile. */
static void pace_round(eseal_output_group *g, double last_start)
{
	double until = last_start + ROUND_MS;
	struct timespec ts;

	ts.tv_sec = (time_t)(until / 1000.0);
	ts.tv_nsec = (long)((until - (double)ts.tv_sec * 1000.0) * 1e6);
	while (!g->stopping && !g->draining && g->in_flight < g->max_pending / 2 && es_now_ms() < until)
		if (pthread_cond_timedwait(&g->hurry, &g->lock, &ts) == ETIMEDOUT)
			break;
}

static void *committer(void *arg)
{
	eseal_output_group *g = arg;
	struct round *r = &g->round;
	size_t reported;
	double last_start = 0;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (g->n_queued == 0 && r->n_named == 0 && !g->stopping)
			pthread_cond_wait(&g->wake, &g->lock);
		if (g->n_queued == 0 && r->n_named == 0)
			break;
		pace_round(g, last_start);
		last_start = es_now_ms();
		memcpy(r->taken, g->queue, g->n_queued * sizeof(g->queue[0]));
		r->n_taken = g->n_queued;
		g->n_queued = 0;
		pthread_mutex_unlock(&g->lock);
		reported = commit_round(g, r);
		pthread_mutex_lock(&g->lock);
		g->in_flight -= reported;
		pthread_cond_broadcast(&g->room);
		if (g->in_flight == 0)
			pthread_cond_broadcast(&g->idle);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

eseal_status eseal_output_group_new(eseal_output_group **out, eseal_output_done_fn done, void *ctx, eseal_error *err)
{
	eseal_output_group *g = NULL;
	pthread_condattr_t attr;

	eseal_error_clear(err);
	*out = NULL;
	if (done == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "an output group needs a report function");
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	pthread_cond_init(&g->room, NULL);
	pthread_cond_init(&g->idle, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* es_now_ms() is monotonic: so are the deadlines */
	pthread_cond_init(&g->hurry, &attr);
	pthread_condattr_destroy(&attr);
	g->done = done;
	g->ctx = ctx;
	g->root_fd = -1;
	/* Each pending output holds two descriptors (file and directory) until it is reported. A quarter of those the
	 * process may still open, i.e. half of them for pending outputs: the rest is for the workers' open documents
	 * and the libraries (token, TSA connections). Under `ulimit -n 64` that is a few, not 128. */
	g->max_pending = es_fd_budget() / 4;
	if (g->max_pending < 1)
		g->max_pending = 1;
	if (g->max_pending > ESEAL_OUTPUT_GROUP_PENDING)
		g->max_pending = ESEAL_OUTPUT_GROUP_PENDING;
	if (pthread_create(&g->thread, NULL, committer, g) != 0) {
		eseal_output_group_free(g);
		return es_error_set(err, ESEAL_E_INTERNAL, "cannot start the output committer thread");
	}
	g->running = 1;
	*out = g;
	return ESEAL_OK;
}

eseal_status eseal_output_group_below(eseal_output_group *g, const char *dir, eseal_error *err)
{
	eseal_error_clear(err);
	if ((g->root = strdup(dir)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "out of memory");
	if ((g->root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot open output directory: %s", dir, strerror(errno));
	return ESEAL_OK;
}

/* The directory the output was opened in must be the one its path names below the root, with no symbolic link on
 * the way: a link planted after the output was opened (or one the caller missed) is caught before the file gets
 * its name, and linkat() names it in exactly that directory. */
static int check_below_root(const eseal_output_group *g, const eseal_output *o, const struct stat *got, eseal_error *err)
{
	size_t n = strlen(g->root);
	const char *rel = o->path, *slash;
	char *dir = NULL;
	struct stat want;
	int fd = -1, rc = ESEAL_OK, ok;

	if (strncmp(rel, g->root, n) != 0 || (rel[n] != '/' && n > 0 && g->root[n - 1] != '/'))
		return es_error_set(err, ESEAL_E_IO, "%s: output is not below %s", o->path, g->root);
	for (rel += n; *rel == '/'; rel++)
		;
	slash = strrchr(rel, '/');
	if ((dir = strndup(rel, slash != NULL ? (size_t)(slash - rel) : 0)) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", o->path);
	/* An output straight in the root (the usual batch) is compared with the root's own descriptor. */
	if (dir[0] != '\0') {
		fd = es_input_open_walk(g->root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ok = fd >= 0 && fstat(fd, &want) == 0;
	} else {
		ok = fstat(g->root_fd, &want) == 0;
	}
	if (!ok || want.st_dev != got->st_dev || want.st_ino != got->st_ino)
		rc = es_error_set(err, ESEAL_E_IO,
				  "%s: its directory is reached through a symbolic link below %s; refusing to follow it",
				  o->path, g->root);
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

int es_output_group_hand_over(eseal_output *o, eseal_error *err)
{
	eseal_output_group *g = o->group;
	eseal_output *moved = NULL;
	struct stat st;
	int rc = ESEAL_OK;

	if (fstat(o->dir_fd, &st) != 0)
		return es_error_set(err, ESEAL_E_IO, "%s: cannot stat output directory: %s", o->path, strerror(errno));
	if (g->root_fd >= 0 && (rc = check_below_root(g, o, &st, err)) != ESEAL_OK)
		return rc;
	if ((moved = malloc(sizeof(*moved))) == NULL)
		return es_error_set(err, ESEAL_E_INTERNAL, "%s: out of memory", o->path);
	pthread_mutex_lock(&g->lock);
	while (g->in_flight >= g->max_pending && !g->stopping)
		pthread_cond_wait(&g->room, &g->lock);
	if (g->stopping) {
		rc = es_error_set(err, ESEAL_E_INTERNAL, "%s: the batch's output group is closed", o->path);
		goto unlock;
	}
	/* The group owns the file from here; the caller's shell owns nothing, so freeing it is harmless. */
	*moved = *o;
	moved->dev = st.st_dev;
	o->fd = -1;
	o->dir_fd = -1;
	o->path = NULL;
	o->base = NULL;
	o->temp_name = NULL;
	o->committed = 1;
	g->queue[g->n_queued++] = moved;
	g->in_flight++;
	moved = NULL;
	pthread_cond_signal(&g->wake);
	if (g->in_flight >= g->max_pending / 2)
		pthread_cond_signal(&g->hurry); /* a round is worth it now, and workers must not run out of room */
unlock:
	pthread_mutex_unlock(&g->lock);
	free(moved);
	return rc;
}

eseal_status eseal_output_group_sync(eseal_output_group *g, eseal_error *err)
{
	/* Each output's failure is in its own report; the names are durable before it (no directory left to fsync
	 * here: the round after naming flushed them, and holding a descriptor per directory ran large mirrored trees
	 * out of descriptors). */
	eseal_error_clear(err);
	pthread_mutex_lock(&g->lock);
	g->draining++;
	pthread_cond_signal(&g->hurry);
	while (g->in_flight > 0)
		pthread_cond_wait(&g->idle, &g->lock);
	g->draining--;
	pthread_mutex_unlock(&g->lock);
	return ESEAL_OK;
}

void eseal_output_group_free(eseal_output_group *g)
{
	if (g == NULL)
		return;
	if (g->running) {
		pthread_mutex_lock(&g->lock);
		g->stopping = 1;
		pthread_cond_broadcast(&g->wake);
		pthread_cond_signal(&g->hurry);
		pthread_cond_broadcast(&g->room);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL); /* it reports everything still queued before it ends */
	}
	pthread_cond_destroy(&g->hurry);
	pthread_cond_destroy(&g->idle);
	pthread_cond_destroy(&g->room);
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	if (g->root_fd >= 0)
		close(g->root_fd);
	free(g->root);
	free(g);
}
