/*
 * writer.c: the store writer thread.
 *
 * DESIGN.md keeps feedd to one thread unless a step is measured to need
 * another.  This one was: in a first poll of many feeds about half of
 * feedd's CPU time went to SQLite (inserting items, writing the WAL,
 * checkpoints with their fdatasync) and the other half to curl, zlib and
 * the parser, all on one core (tests/bench/poll; README, "Where the code
 * departs from the design").  So the loop thread fetches and parses, and
 * this thread stores, each with its own SQLite connection: the two halves
 * run on two cores and the loop never waits for the disk.
 *
 * The loop thread hands over a finished poll (struct write_job: the feed's
 * new row and its parsed items) with writer_submit().  The writer stores
 * each job in one transaction of its own, exactly as the loop thread did
 * before, and hands it back through an ev_async; the job's callback then
 * runs on the loop thread, so logging, follow events, counters and the
 * schedule stay single-threaded.  A feed is not polled again before its
 * job came back (sched_done() runs in the callback), so nothing reads a
 * feed's row while a write of it is pending.  When its queue is empty, the
 * writer indexes new items for search, a batch at a time.
 *
 * Nothing else is shared: the queue, the done list and the index request
 * are under one mutex, and the writer touches only its own connection and
 * the jobs it holds.  writer_stop() stores every queued job before it
 * returns: a job handed over is never dropped.  Without a writer (it could
 * not start) writer_submit() stores on the loop thread's connection.
 */
#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"

#define WRITER_GROUP	64	/* most jobs stored in one transaction */

static pthread_t	 writer_thread;
static pthread_mutex_t	 writer_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 writer_cond = PTHREAD_COND_INITIALIZER;
static struct store	*writer_store;		/* the writer's connection */
static int		 writer_running;
static int		 writer_index;		/* may index for search */
static size_t		 writer_njobs;		/* writer thread's counters */
static size_t		 writer_ngroups;

/* Under writer_mtx. */
static struct write_job	*writer_queue, **writer_qtail = &writer_queue;
static struct write_job	*writer_done, **writer_dtail = &writer_done;
static int		 writer_stopping;
static unsigned		 writer_index_req;	/* bumped by the loop */
static unsigned		 writer_index_seen;	/* caught up with this */

static ev_async		 writer_ev;
static size_t		 writer_pending;	/* jobs out; loop thread */

/*
 * Nothing of the job was stored: forget its counts and set its error
 * (NULL: none yet, before it is tried again).
 */
static void
writer_job_unstored(struct write_job *job, const char *error)
{
	free(job->error);
	job->error = error != NULL ? xstrdup(error) : NULL;
	job->nids = 0;
	job->nnew = job->nupd = 0;
}

/* A job's writes, in the transaction open; -1 (error in st) on failure. */
static int
writer_job_write(struct store *st, struct write_job *job)
{
	int64_t	 item_id;
	size_t	 i;
	int	 r;

	if (job->parsed && job->nitems > 0 && job->ids == NULL) {
		job->ids = xreallocarray(NULL, job->nitems, sizeof *job->ids);
		job->isnew = xreallocarray(NULL, job->nitems,
		    sizeof *job->isnew);
	}
	for (i = 0; job->parsed && i < job->nitems; i++) {
		item_id = 0;
		r = store_item_upsert(st, job->feed.id, &job->items[i],
		    job->now, &item_id);
		if (r < 0)
			return (-1);
		if (r == STORE_NEW || r == STORE_UPDATED) {
			job->ids[job->nids] = item_id;
			job->isnew[job->nids++] = r == STORE_NEW;
			if (r == STORE_NEW)
				job->nnew++;
			else
				job->nupd++;
		}
	}
	if (store_feed_put(st, &job->feed) != 0)
		return (-1);
	if (job->parsed && store_prune(st, job->feed.id, job->keep_items,
	    job->keep_age, job->keep_unread, job->now) < 0)
		return (-1);
	return (0);
}

/* Store one job in a transaction of its own; on failure set job->error. */
static void
writer_store_job(struct store *st, struct write_job *job)
{
	if (store_begin(st) == 0 && writer_job_write(st, job) == 0 &&
	    store_commit(st) == 0)
		return;
	writer_job_unstored(job, store_errmsg(st));
	store_rollback(st);
}

/*
 * Store n jobs that queued up while the writer was busy in one transaction
 * (group commit), each job in a savepoint of its own: a feed's update is
 * still all or nothing, and one that fails leaves the others alone.  Items
 * are indexed by date, so each feed's items touch pages all over the date
 * indexes; writing those to the WAL once per group instead of once per
 * feed saved about 6% of the CPU of a first poll of 1,000 feeds.  When the
 * transaction as a whole fails, each job is tried alone.
 */
static void
writer_store_group(struct store *st, struct write_job **jobs, size_t n)
{
	size_t	 i;
	int	 ok;

	if (n == 1) {
		writer_store_job(st, jobs[0]);
		return;
	}
	if (store_begin(st) != 0) {
		/* Busy or broken: the same answer for all, no retries. */
		for (i = 0; i < n; i++)
			writer_job_unstored(jobs[i], store_errmsg(st));
		return;
	}
	for (i = 0; i < n; i++) {
		if (store_part_begin(st) != 0)
			goto whole;
		ok = writer_job_write(st, jobs[i]) == 0;
		if (!ok)
			writer_job_unstored(jobs[i], store_errmsg(st));
		if (store_part_end(st, ok) != 0)
			goto whole;
	}
	if (store_commit(st) == 0)
		return;
whole:
	store_rollback(st);
	for (i = 0; i < n; i++) {
		writer_job_unstored(jobs[i], NULL);
		writer_store_job(st, jobs[i]);
	}
}

/* The thread: store jobs as they come; index for search when idle. */
static void *
writer_main(void *arg)
{
	struct store		*st = arg;
	struct write_job	*list, *group[WRITER_GROUP];
	unsigned		 req;
	int64_t			 indexed;
	size_t			 i, n;

	pthread_mutex_lock(&writer_mtx);
	for (;;) {
		while (writer_queue == NULL && !writer_stopping &&
		    (!writer_index || writer_index_req == writer_index_seen))
			pthread_cond_wait(&writer_cond, &writer_mtx);
		if ((list = writer_queue) != NULL) {
			writer_queue = NULL;
			writer_qtail = &writer_queue;
		} else if (writer_stopping)
			break;
		req = writer_index_req;
		pthread_mutex_unlock(&writer_mtx);
		if (list == NULL) {
			/* Idle: one batch for search, then look again. */
			if ((indexed = store_index(st, FEEDD_INDEX_BATCH)) ==
			    -1)
				log_warnx("%s", store_errmsg(st));
			pthread_mutex_lock(&writer_mtx);
			if (indexed <= 0)
				writer_index_seen = req;
			continue;
		}
		while (list != NULL) {
			for (n = 0; list != NULL && n < WRITER_GROUP; n++) {
				group[n] = list;
				list = list->next;
				group[n]->next = NULL;
			}
			writer_store_group(st, group, n);
			writer_njobs += n;
			writer_ngroups++;
			pthread_mutex_lock(&writer_mtx);
			for (i = 0; i < n; i++) {
				*writer_dtail = group[i];
				writer_dtail = &group[i]->next;
			}
			pthread_mutex_unlock(&writer_mtx);
			ev_async_send(feedd_loop, &writer_ev);
		}
		pthread_mutex_lock(&writer_mtx);
	}
	pthread_mutex_unlock(&writer_mtx);
	return (NULL);
}

/* Run the callbacks of the jobs the writer has finished. */
static void
writer_reap(void)
{
	struct write_job	*list, *job;

	pthread_mutex_lock(&writer_mtx);
	list = writer_done;
	writer_done = NULL;
	writer_dtail = &writer_done;
	pthread_mutex_unlock(&writer_mtx);
	while ((job = list) != NULL) {
		list = job->next;
		job->next = NULL;
		/* Jobs out keep the loop running (--once waits for them). */
		if (--writer_pending == 0)
			ev_unref(feedd_loop);
		job->done(job);
	}
}

/* The writer finished jobs. */
static void
writer_async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	writer_reap();
}

/*
 * Open a second connection to the store at path and start the thread.
 * index says whether the writer indexes for search when idle (not in
 * --once).  On failure the loop thread stores jobs itself.
 */
int
writer_start(const char *path, int index, char **cause)
{
	sigset_t	 all, old;
	int		 rc;

	if (!store_threadsafe()) {
		xasprintf(cause, "SQLite was built without thread support");
		return (-1);
	}
	if ((writer_store = store_open(path, cause)) == NULL)
		return (-1);
	writer_index = index;
	writer_stopping = 0;
	ev_async_init(&writer_ev, writer_async_cb);
	ev_async_start(feedd_loop, &writer_ev);
	ev_unref(feedd_loop);	/* only jobs out keep the loop running */

	/* Signals are the loop thread's (libev's ev_signal). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&writer_thread, NULL, writer_main, writer_store);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		xasprintf(cause, "cannot start the writer thread: %s",
		    strerror(rc));
		ev_ref(feedd_loop);
		ev_async_stop(feedd_loop, &writer_ev);
		store_close(writer_store);
		writer_store = NULL;
		return (-1);
	}
	writer_running = 1;
	return (0);
}

/*
 * Store a finished poll; job->done(job) runs on the loop thread once it is
 * stored (or job->error says why not).  Without a writer, at once.
 */
void
writer_submit(struct write_job *job)
{
	job->next = NULL;
	if (!writer_running) {
		writer_store_job(feedd_store, job);
		job->done(job);
		return;
	}
	if (writer_pending++ == 0)
		ev_ref(feedd_loop);
	pthread_mutex_lock(&writer_mtx);
	*writer_qtail = job;
	writer_qtail = &job->next;
	pthread_cond_signal(&writer_cond);
	pthread_mutex_unlock(&writer_mtx);
}

/*
 * New items were stored: index them for search when the writer is idle.
 * Without a writer, and in --once, the daemon or the first search does it.
 */
void
writer_index_later(void)
{
	if (!writer_running || !writer_index)
		return;
	pthread_mutex_lock(&writer_mtx);
	writer_index_req++;
	pthread_cond_signal(&writer_cond);
	pthread_mutex_unlock(&writer_mtx);
}

/* Store everything queued, run its callbacks, stop the thread. */
void
writer_stop(void)
{
	if (!writer_running)
		return;
	pthread_mutex_lock(&writer_mtx);
	writer_stopping = 1;
	pthread_cond_signal(&writer_cond);
	pthread_mutex_unlock(&writer_mtx);
	pthread_join(writer_thread, NULL);
	writer_running = 0;
	log_debug("writer: %zu jobs stored in %zu batches", writer_njobs,
	    writer_ngroups);
	writer_reap();
	ev_ref(feedd_loop);
	ev_async_stop(feedd_loop, &writer_ev);
	store_close(writer_store);
	writer_store = NULL;
}

/* Free a job and everything it holds. */
void
write_job_free(struct write_job *job)
{
	size_t	i;

	if (job == NULL)
		return;
	store_feed_clear(&job->feed);
	for (i = 0; i < job->nitems; i++)
		parser_item_free(&job->items[i]);
	free(job->items);
	free(job->ids);
	free(job->isnew);
	free(job->error);
	free(job);
}
