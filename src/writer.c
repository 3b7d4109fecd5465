/*
 * writer.c: the writer thread, the one owner of the database's writes.
 *
 * DESIGN.md keeps feedd to one thread unless a step is measured to need
 * another.  This one was: in a first poll of many feeds about half of
 * feedd's CPU time went to SQLite (inserting items, writing the WAL,
 * checkpoints with their fdatasync) and the other half to curl, zlib and
 * the parser, all on one core (tests/bench/poll; README, "Where the code
 * departs from the design").  So the loop thread fetches, parses and reads,
 * and this thread writes, each with its own SQLite connection: the two
 * halves run on two cores, and the loop never waits for the disk or for
 * another process's lock.  The loop thread's connection is read-only
 * (store_set_readonly()), so a write anywhere else fails at once.
 *
 * Every write is a job (struct write_job in feedd.h): a poll's items and
 * feed row (poll.c), a load of the feeds file (sched.c), a mark, a search
 * index catch-up (server_cmd.c).  The loop thread hands it over with
 * writer_submit(); the writer runs job->write inside a transaction and
 * hands the job back through an ev_async; job->done then runs on the loop
 * thread, so logging, follow events, replies and the schedule stay
 * single-threaded.  Jobs that queued up while the writer was busy share a
 * transaction (group commit), each in a savepoint of its own, so one job
 * is still all or nothing and a failing one leaves the others alone.  When
 * its queue is empty, the writer indexes new items for search, a batch at
 * a time.
 *
 * Nothing else is shared: the queue, the done list and the index request
 * are under one mutex, and the writer touches only its own connection and
 * the jobs it holds.  writer_stop() stores every queued job before it
 * returns: a job handed over is never dropped.  Before the thread starts
 * (the load of the feeds at start), or when it cannot, writer_submit()
 * runs each job at once on the loop thread, with the same connection.
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
static struct store	*writer_store;		/* the one that writes */
static int		 writer_running;	/* the thread runs */
static int		 writer_index;		/* may index for search */
static int		 writer_index_at_stop;	/* --once: index the rest */
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

/* Nothing of the job was stored: set its error (NULL: none, retrying). */
static void
writer_job_unstored(struct write_job *job, const char *error)
{
	free(job->error);
	job->error = error != NULL ? xstrdup(error) : NULL;
}

/* Store one job in a transaction of its own; on failure set job->error. */
static void
writer_store_job(struct store *st, struct write_job *job)
{
	if (store_begin(st) == 0 && job->write(st, job) == 0 &&
	    store_commit(st) == 0)
		return;
	writer_job_unstored(job, store_errmsg(st));
	store_rollback(st);
}

/*
 * Store n jobs that queued up while the writer was busy in one transaction
 * (group commit), each job in a savepoint of its own: a job is still all
 * or nothing, and one that fails leaves the others alone.  Items are
 * indexed by date, so each feed's items touch pages all over the date
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
		ok = jobs[i]->write(st, jobs[i]) == 0;
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

/*
 * Stopping after --once: index what is left when it is little, as after
 * a routine run (FEEDD_INDEX_ONCE items at most, well under a second), so
 * that a cron user's next search finds everything and waits for nothing.
 * A large first poll leaves the rest to the daemon or to the searches,
 * which catch up a second's worth each and say what they could not see:
 * indexing is 55 MB of text a second, and doing it all here made the
 * first poll of 1,000 news feeds (165 MB of content) take 4.8 s instead
 * of 1.6.  For the same reason --once does not index while it polls: on
 * two cores the writer's idle time is the loop's other core, and the
 * first poll of the benchmark took 4.2 s instead of 2.9.  A stopping
 * daemon leaves the rest to its next start.
 */
static void
writer_index_rest(struct store *st)
{
	int64_t	behind;

	if (!writer_index_at_stop)
		return;
	if ((behind = store_index_behind(st)) < 0 ||
	    (behind > 0 && behind <= FEEDD_INDEX_ONCE &&
	    store_index(st, 0) < 0))
		log_warnx("%s", store_errmsg(st));
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
		} else if (writer_stopping) {
			writer_index_rest(st);
			break;
		}
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
 * Open the writing connection to the store at path, creating and migrating
 * the database.  Until writer_start(), jobs are stored as they are handed
 * over, on the loop thread (the daemon loads its feeds so at start).
 * Returns 0, or -1 and *cause.
 */
int
writer_open(const char *path, char **cause)
{
	if ((writer_store = store_open(path, cause)) == NULL)
		return (-1);
	return (0);
}

/*
 * Start the thread.  A daemon's writer indexes for search whenever it is
 * idle; with once (feedd --once) it indexes only when it stops, and only
 * a routine run's worth (writer_index_rest()).  Returns 0,
 * or -1 and *cause when the thread cannot start: jobs are then stored on
 * the loop thread, with the same connection.
 */
int
writer_start(int once, char **cause)
{
	sigset_t	 all, old;
	int		 rc;

	writer_index = !once;
	writer_index_at_stop = once;
	writer_stopping = 0;
	if (!store_threadsafe()) {
		xasprintf(cause, "SQLite was built without thread support");
		return (-1);
	}
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
		return (-1);
	}
	writer_running = 1;
	return (0);
}

/*
 * Hand a job to the writer: job->write(store, job) runs on the writer
 * thread inside a transaction (perhaps shared with other jobs, in a
 * savepoint of its own) and must not touch anything but the store it is
 * given and the job; it returns 0, or -1 with the error in the store, and
 * it may run again from the start when a shared transaction is lost.  Then
 * job->done(job) runs on the loop thread, job->error saying why nothing of
 * it was stored, if so.  The job stays the submitter's memory.  Without a
 * thread, both run before this returns.
 */
void
writer_submit(struct write_job *job)
{
	job->next = NULL;
	free(job->error);
	job->error = NULL;
	if (!writer_running) {
		writer_store_job(writer_store, job);
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
 * Without a thread the first search does it.
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
	if (writer_running) {
		pthread_mutex_lock(&writer_mtx);
		writer_stopping = 1;
		pthread_cond_signal(&writer_cond);
		pthread_mutex_unlock(&writer_mtx);
		pthread_join(writer_thread, NULL);
		writer_running = 0;
		log_debug("writer: %zu jobs stored in %zu batches",
		    writer_njobs, writer_ngroups);
		writer_reap();
		ev_ref(feedd_loop);
		ev_async_stop(feedd_loop, &writer_ev);
	}
	store_close(writer_store);
	writer_store = NULL;
}
