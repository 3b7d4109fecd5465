/*
 * poll.c: one poll of one feed, from due to done.  This file owns a poll
 * and reads as the path it takes, each step a call down:
 *
 *   due      sched.c starts it: poll_start()
 *   fetch    fetch.c gets and parses the document: a struct fetch_result
 *   plan     poll_fetched(): the feed's new row (validators, status,
 *            error, the server's hold) and its next due time (sched_plan)
 *   write    a job for the writer thread: items, row, retention
 *   announce poll_stored(): follow events, once per job
 *   done     sched_done() hands the feed back to the schedule
 *
 * Two ordering rules hold (tests/integration/daemon_order.sh): the next
 * due time is fixed before the write, so the row written with the items
 * carries it; and the feed goes back to the schedule only when its write
 * job came back, so a feed is never polled while a write of it is pending.
 *
 * The feed's row is read once, when the poll starts (its validators); the
 * new row is made from it.  Only polls write the columns a poll decides,
 * one poll of a feed at a time; the one a reload also writes (gone, when
 * the feeds file changes) is taken from the schedule's view of the feed.
 * When the write fails, nothing of the poll was stored, and the failure is
 * recorded on the row as it was, by a second job.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "feedd.h"

#define POLL_DEAD_DAYS	30	/* failing this long ... */
#define POLL_DEAD_POLLS	20	/* ... and this many polls in a row: gone */

struct poll {
	struct sched_feed	*feed;
	const char		*url;		/* the feed's, borrowed */
	struct store_feed	 was;		/* the row as the poll began */
	struct store_feed	 row;		/* the row to write */
	struct fetch_result	*res;
	int64_t			 now;		/* when the fetch ended */
	int64_t			 keep_items;	/* retention (store_prune) */
	int64_t			 keep_age;
	int			 keep_unread;
	int			 recording;	/* the job records a failure */
	int			 moved;		/* fetched at its new address */
	int			 id_mode;	/* id= (FEED_ID_*) */
	int			 updates_unread; /* updates=unread */
	int			 junk_dates;	/* the document's dates are */
	int			 dedupe_link;	/* dedupe=link */
	int			 churn;		/* guids found unreliable now */
	struct write_job	 job;

	/* Filled by the write, on the writer thread. */
	int64_t			*ids;		/* items new or updated */
	int			*isnew;
	size_t			 nids;
	int			 nnew;
	int			 nupd;

	TAILQ_ENTRY(poll)	 entry;		/* poll_list */
};

static struct poll_stats poll_stats;
static TAILQ_HEAD(, poll) poll_list = TAILQ_HEAD_INITIALIZER(poll_list);

static void	poll_fetched(struct fetch_result *, void *);
static int	poll_write(struct store *, struct write_job *);
static int	poll_write_record(struct store *, struct write_job *);
static void	poll_stored(struct write_job *);

/* Free a poll and everything it holds. */
static void
poll_free(struct poll *p)
{
	TAILQ_REMOVE(&poll_list, p, entry);
	store_feed_clear(&p->was);
	store_feed_clear(&p->row);
	fetch_result_free(p->res);
	free(p->ids);
	free(p->isnew);
	free(p->job.error);
	free(p);
}

/* The poll is over: count it and hand the feed back to the schedule. */
static void
poll_done(struct poll *p, int failed)
{
	struct sched_feed	*f = p->feed;
	int64_t			 id = sched_feed_id(f);

	if (failed)
		poll_stats.failed++;
	poll_free(p);
	sched_done(f, failed);
	subscribe_polled(id, failed);	/* a subscribe waits for it */
}

/*
 * A feed is due: read its row for the validators and fetch it.  Always
 * ends in sched_done(), now (the row cannot be read) or when the poll is
 * stored.
 */
void
poll_start(struct sched_feed *f)
{
	struct fetch_request	 req;
	struct poll		*p;

	p = xcalloc(1, sizeof *p);
	TAILQ_INSERT_TAIL(&poll_list, p, entry);
	p->feed = f;
	p->url = sched_feed_url(f);
	if (store_feed_get_id(feedd_store, sched_feed_id(f), &p->was) != 0) {
		log_warnx("%s: %s", p->url, store_errmsg(feedd_store));
		poll_stats.polls++;
		poll_done(p, 1);
		return;
	}
	memset(&req, 0, sizeof req);
	/*
	 * A feed that moved (a permanent redirect) is fetched at its new
	 * address, whatever the feeds file says, until `feedctl moved
	 * --apply` writes it there; the feed keeps its row.
	 */
	req.url = p->url;
	if (p->was.redirect_url != NULL) {
		req.url = p->was.redirect_url;
		p->moved = 1;
	}
	req.etag = p->was.etag;
	req.last_modified = p->was.last_modified;
	fetch_start(&req, poll_fetched, p);
}

/* Take over a new copy of s (or NULL) as *field. */
static void
poll_set(char **field, const char *s)
{
	free(*field);
	*field = s != NULL ? xstrdup(s) : NULL;
}

/*
 * A feed that has failed every poll for POLL_DEAD_DAYS and at least
 * POLL_DEAD_POLLS polls in a row (since its last success, or since it was
 * first listed) is dead: marked gone, as after a 410, with the reason.
 * Both, so that neither a burst of retries nor a month of a feed polled
 * once a week decides it alone.
 */
static void
poll_dead(struct poll *p, struct store_feed *row)
{
	int64_t	since = row->last_success > 0 ? row->last_success :
		    row->created;
	char	*why;

	if (row->gone || row->errors < POLL_DEAD_POLLS || since <= 0 ||
	    p->now - since < (int64_t)POLL_DEAD_DAYS * 86400)
		return;
	row->gone = 1;
	row->gone_since = p->now;
	xasprintf(&why, "dead: %d polls failed in %lld days (last: %s); not "
	    "polled until its line in the feeds file changes", row->errors,
	    (long long)((p->now - since) / 86400), row->last_error != NULL ?
	    row->last_error : "?");
	free(row->last_error);
	row->last_error = why;
	log_notice("%s: %s", p->url, why);
}

/*
 * Where the feed lives now.  A chain of permanent redirects (301, 308)
 * from the address fetched moves it there: fetched there from the next
 * poll on, logged once.  Fetched at its new address, it stays moved while
 * that answers; a 404 there sends it back to the feeds file's address (a
 * move that did not last).  A temporary redirect changes nothing.
 */
static void
poll_moved(struct poll *p, struct store_feed *row)
{
	const struct fetch_result *res = p->res;

	if (res->complete && res->redirect_url != NULL) {
		if (row->redirect_url == NULL ||
		    strcmp(row->redirect_url, res->redirect_url) != 0)
			log_notice("%s: moved permanently to %s: polled there "
			    "from now on (feedctl moved --apply writes it into "
			    "the feeds file)", p->url, res->redirect_url);
		poll_set(&row->redirect_url, res->redirect_url);
	} else if (res->complete && !p->moved)
		poll_set(&row->redirect_url, NULL);
	else if (p->moved && res->http_status == 404) {
		log_notice("%s: its new address %s answers 404: back to the "
		    "feeds file's", p->url, row->redirect_url);
		poll_set(&row->redirect_url, NULL);
	}
}

/* Whether key is one of the first n items' keys (slots: a hash set). */
static int
poll_key_seen(struct feed_item *items, uint32_t *slots, size_t cap,
    const char *key, size_t self, int add)
{
	size_t	i;

	for (i = util_hash64(key, strlen(key), 0) & (cap - 1); slots[i] != 0;
	    i = (i + 1) & (cap - 1))
		if (slots[i] - 1 != self &&
		    strcmp(items[slots[i] - 1].id, key) == 0)
			return (1);
	if (add)
		slots[i] = (uint32_t)self + 1;
	return (0);
}

/* Give item it the key it would have without its guid (and link). */
static void
poll_rekey(struct feed_item *it, int nolink)
{
	struct feed_item	tmp = *it;
	char			buf[32];

	tmp.id = tmp.guid = NULL;
	if (nolink)
		tmp.url = NULL;
	tmp.key_body = NULL;
	free(it->id);
	it->id = xstrdup(item_key(&tmp, buf, sizeof buf));
}

/*
 * The items' keys as the feed's identity says: id=link and id=hash key
 * every item by its link or its content; and within one document, items
 * that share a guid (a generator that gives every item the same one) are
 * told apart by their link, else their content, so that none overwrites
 * another.
 */
static void
poll_keys(struct poll *p)
{
	struct fetch_result	*res = p->res;
	uint32_t		*slots;
	size_t			 i, cap = 16;

	if (res->nitems == 0)
		return;
	while (cap < res->nitems * 2)
		cap *= 2;
	slots = xcalloc(cap, sizeof *slots);
	for (i = 0; i < res->nitems; i++) {
		if (p->id_mode == FEED_ID_LINK || p->id_mode == FEED_ID_HASH)
			poll_rekey(&res->items[i], p->id_mode == FEED_ID_HASH);
		if (poll_key_seen(res->items, slots, cap, res->items[i].id, i,
		    0)) {
			poll_rekey(&res->items[i], 0);
			if (poll_key_seen(res->items, slots, cap,
			    res->items[i].id, i, 0))
				poll_rekey(&res->items[i], 1);
		}
		poll_key_seen(res->items, slots, cap, res->items[i].id, i, 1);
	}
	free(slots);
}

/*
 * Whether a document's dates are junk, so that its new items sort by when
 * they were first seen: at least three dated items all with one date (a
 * build time), or every dated item more than a day in the future, or
 * every one before 1990 (an epoch zero, a year 1).
 */
static int
poll_junk_dates(const struct fetch_result *res, int64_t now)
{
	int64_t	d, first = DATE_NONE;
	size_t	i, n = 0, same = 0, future = 0, ancient = 0;

	for (i = 0; i < res->nitems; i++) {
		d = res->items[i].published != DATE_NONE ?
		    res->items[i].published : res->items[i].modified;
		if (d == DATE_NONE)
			continue;
		if (n++ == 0)
			first = d;
		same += d == first;
		future += d > now + 86400;
		ancient += d < 631152000;	/* 1990-01-01 */
	}
	return (n > 0 && ((n >= 3 && same == n) || future == n ||
	    ancient == n));
}

/* The feed's adaptive interval, from the dates of the document's items. */
static void
poll_adapt(struct poll *p, struct store_feed *row)
{
	const struct fetch_result *res = p->res;
	int64_t			*dates;
	size_t			 i;

	if (res->nitems == 0 || p->junk_dates)
		return;		/* junk dates tell no posting rate */
	dates = xreallocarray(NULL, res->nitems, sizeof *dates);
	for (i = 0; i < res->nitems; i++)
		dates[i] = res->items[i].published != DATE_NONE ?
		    res->items[i].published : res->items[i].modified;
	row->adaptive = sched_adapt(feedd_config, row->adaptive, dates,
	    res->nitems, p->now);
	free(dates);
}

/*
 * The fetch is over (on the loop thread): make the feed's new row from the
 * one the poll began with and the result, plan its next due time, and
 * hand the row with the parsed items to the writer.
 */
static void
poll_fetched(struct fetch_result *res, void *arg)
{
	const struct config	*cfg = feedd_config;
	struct poll		*p = arg;
	struct store_feed	*row = &p->row;

	p->res = res;
	p->now = util_now();
	poll_stats.polls++;
	poll_stats.last_poll = p->now;

	store_feed_copy(row, &p->was);
	row->last_fetch = p->now;
	row->http_status = res->http_status;
	row->gone = sched_feed_gone(p->feed);
	poll_moved(p, row);
	row->hold_until = sched_hold(cfg, res->http_status,
	    res->cache_control, res->expires, res->retry_after, p->now);
	p->junk_dates = res->outcome == FETCH_OK &&
	    poll_junk_dates(res, p->now);
	switch (res->outcome) {
	case FETCH_OK:
		poll_adapt(p, row);
		if (res->meta.title != NULL)
			poll_set(&row->title, res->meta.title);
		if (res->meta.home_page_url != NULL)
			poll_set(&row->site_url, res->meta.home_page_url);
		/* FALLTHROUGH */
	case FETCH_NOT_MODIFIED:
		/* A 304 may repeat the validators; the old ones stay else. */
		if (res->outcome == FETCH_OK || res->etag != NULL)
			poll_set(&row->etag, res->etag);
		if (res->outcome == FETCH_OK || res->last_modified != NULL)
			poll_set(&row->last_modified, res->last_modified);
		row->last_success = p->now;
		row->errors = 0;
		/* A truncated document: stored, and the feed says so. */
		poll_set(&row->last_error, res->warning);
		row->gone = 0;
		break;
	case FETCH_GONE:
		if (!row->gone)
			row->gone_since = p->now;
		row->gone = 1;
		row->errors = 0;
		poll_set(&row->last_error, "410 Gone: not polled until its "
		    "line in the feeds file changes");
		break;
	case FETCH_ERROR:
		row->errors++;
		poll_set(&row->last_error, res->error);
		poll_dead(p, row);
		break;
	}
	/* Plan before the write: the row written carries the due time. */
	sched_plan(p->feed, row, res->outcome == FETCH_OK ? &res->meta : NULL);

	p->id_mode = sched_feed_id_mode(p->feed);
	p->updates_unread = sched_feed_updates_unread(p->feed);
	p->dedupe_link = sched_feed_dedupe_link(p->feed) ||
	    cfg->dedupe_links;
	if (res->outcome == FETCH_OK)
		poll_keys(p);
	p->keep_items = sched_feed_keep_items(p->feed);
	p->keep_age = cfg->keep_age;
	p->keep_unread = cfg->keep_unread;
	p->job.write = poll_write;
	p->job.done = poll_stored;
	p->job.arg = p;
	writer_submit(&p->job);
}

/*
 * On the writer thread, in a transaction: the items of a good parse, the
 * feed's row, then retention.  May run again from the start (writer.c).
 */
static int
poll_write(struct store *st, struct write_job *job)
{
	struct poll		*p = job->arg;
	const struct fetch_result *res = p->res;
	int64_t			 item_id;
	size_t			 i, rekeyed;
	int			 r, parsed = res->outcome == FETCH_OK;

	p->nids = 0;
	p->nnew = p->nupd = 0;
	p->churn = 0;
	/* Changing guids are seen only where there are items to match. */
	store_set_rekey(st, parsed && p->id_mode != FEED_ID_GUID &&
	    p->was.item_count > 0);
	store_set_reunread(st, p->updates_unread);
	store_set_junk_dates(st, p->junk_dates);
	store_set_dedupe_links(st, p->dedupe_link);
	if (parsed && res->nitems > 0 && p->ids == NULL) {
		p->ids = xreallocarray(NULL, res->nitems, sizeof *p->ids);
		p->isnew = xreallocarray(NULL, res->nitems, sizeof *p->isnew);
	}
	for (i = 0; parsed && i < res->nitems; i++) {
		item_id = 0;
		r = store_item_upsert(st, p->row.id, &res->items[i], p->now,
		    &item_id);
		if (r < 0)
			return (-1);
		if (r == STORE_NEW || r == STORE_UPDATED) {
			p->ids[p->nids] = item_id;
			p->isnew[p->nids++] = r == STORE_NEW;
			if (r == STORE_NEW)
				p->nnew++;
			else
				p->nupd++;
		}
	}
	/*
	 * Most of the document came back under new guids: the feed's guids
	 * are not to be trusted, and it says so (the matching goes on
	 * whatever is recorded; id=guid turns it off).
	 */
	rekeyed = store_set_rekey(st, 0);
	store_set_reunread(st, 0);
	store_set_junk_dates(st, 0);
	store_set_dedupe_links(st, 0);
	if (p->id_mode == FEED_ID_AUTO && rekeyed >= 2 &&
	    rekeyed * 2 > res->nitems && p->row.identity == NULL) {
		p->row.identity = xstrdup("link");
		p->churn = 1;
	}
	if (store_feed_put(st, &p->row) != 0)
		return (-1);
	if (parsed && store_prune(st, p->row.id, p->keep_items, p->keep_age,
	    p->keep_unread, p->now) < 0)
		return (-1);
	return (0);
}

/* On the writer thread: record a failed write on the feed's row. */
static int
poll_write_record(struct store *st, struct write_job *job)
{
	struct poll	*p = job->arg;

	return (store_feed_put(st, &p->row));
}

/* Log a stored poll. */
static void
poll_log(const struct poll *p)
{
	const struct fetch_result *res = p->res;

	switch (res->outcome) {
	case FETCH_OK:
		if (res->warning != NULL)
			log_warnx("%s: %s", p->url, res->warning);
		if (res->http_status == 0)
			log_info("%s: read, %d new, %d updated", p->url,
			    p->nnew, p->nupd);
		else
			log_info("%s: %d, %d new, %d updated", p->url,
			    res->http_status, p->nnew, p->nupd);
		break;
	case FETCH_NOT_MODIFIED:
		log_info("%s: %s", p->url, res->http_status == 304 ?
		    "304 not modified" : "not modified");
		break;
	case FETCH_GONE:
		log_warnx("%s: 410 gone: polling stops", p->url);
		break;
	case FETCH_ERROR:
		log_warnx("%s: %s", p->url, res->error);
		break;
	}
}

/*
 * The writer is done with the poll (on the loop thread).  Stored: count,
 * announce to followers once for the whole job, log, and hand the feed
 * back.  Not stored: nothing of the poll was kept, so the failure is
 * recorded on the row as it was before the poll (errors + 1), with a due
 * time planned for it, by the writer too: a locked database never makes
 * the loop wait.
 */
static void
poll_stored(struct write_job *job)
{
	struct poll	*p = job->arg;

	if (p->recording) {
		if (job->error != NULL)
			log_debug("%s: recording the failure: %s", p->url,
			    job->error);
		poll_done(p, 1);
		return;
	}
	if (job->error == NULL) {
		poll_stats.items_new += p->nnew;
		poll_stats.items_updated += p->nupd;
		poll_stats.unsafe += (int64_t)p->res->meta.nunsafe;
		if (p->res->meta.nunsafe > 0)
			log_info("%s: dropped %zu active HTML elements, "
			    "attributes and URLs", p->url,
			    p->res->meta.nunsafe);
		server_items_stored(p->row.id, p->ids, p->isnew, p->nids);
		if (p->nnew > 0)
			writer_index_later();
		poll_log(p);
		if (p->churn)
			log_notice("%s: its guids change under the same items; "
			    "they are matched by link and content", p->url);
		poll_done(p, p->res->outcome == FETCH_ERROR);
		return;
	}

	log_warnx("%s: %s", p->url, job->error);
	store_feed_clear(&p->row);
	store_feed_copy(&p->row, &p->was);
	p->row.last_fetch = p->now;
	p->row.errors++;
	p->row.gone = sched_feed_gone(p->feed);
	poll_set(&p->row.last_error, job->error);
	sched_plan(p->feed, &p->row, NULL);
	p->recording = 1;
	p->job.write = poll_write_record;
	writer_submit(&p->job);
}

/*
 * At shutdown, once the writer stopped (every job handed over is back) and
 * fetch_free() aborted the transfers in flight: free their polls.
 */
void
poll_stop(void)
{
	struct poll	*p;

	while ((p = TAILQ_FIRST(&poll_list)) != NULL)
		poll_free(p);
}

/* The counters since start. */
void
poll_get_stats(struct poll_stats *st)
{
	*st = poll_stats;
}
