/*
 * sched.c: when each feed is polled: the first step of a poll's path, due
 * -> fetch -> result -> plan -> write -> announce -> done (poll.c owns the
 * rest), and the "plan" glue that applies the policy (sched_policy.c) to a
 * feed after each poll.
 *
 * Owns the feeds the daemon polls (struct sched_feed), each an enum state
 * plus a due time and an ev_timer embedded in the feed (never an
 * ev_periodic: a due time is "interval after the last poll", not a wall
 * clock slot).  A feed whose timer fires is queued on its host; the
 * dispatcher starts queued feeds in turn, host by host (round robin), within
 * max-conns transfers in all, host-conns per host name and host-delay
 * between two starts to one host, by calling the start function it was
 * given (poll_start).  The poll asks sched_plan() for the next due time
 * before it writes, and hands the feed back with sched_done() once the
 * write came back.
 *
 * The configured feeds are loaded in two phases (sched_load): the writer
 * thread writes their rows in one transaction, and only once that
 * committed does the loop thread swap the new schedule in, so a failed
 * load leaves the running schedule exactly as it was.
 *
 * Due times are wall-clock unix seconds because they are persisted in the
 * store (next_fetch), so a restart honours them; a timer is armed with the
 * difference to now and is monotonic from then on.
 */
#include <sys/queue.h>

#include <ev.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "feedd.h"

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

enum sched_state {
	SCHED_IDLE,		/* timer armed (daemon) or done (--once) */
	SCHED_QUEUED,		/* due, waiting on its host's queue */
	SCHED_FETCHING,		/* transfer in flight (fetch.c) */
	SCHED_GONE,		/* 410 seen: not polled until feeds change */
};

struct sched_host {
	char			*name;		/* NULL: local files */
	int			 in_flight;
	ev_tstamp		 next_start;	/* ev_now() time */
	int			 waiting;	/* on sched_waiting */
	TAILQ_HEAD(, sched_feed) queue;
	TAILQ_ENTRY(sched_host)	 wentry;
	struct sched_host	*hnext;		/* hash chain */
};

struct sched_feed {
	int64_t			 id;		/* feeds.id in the store */
	char			*url;
	int64_t			 every;		/* every=, s; 0 default */
	int64_t			 keep_items;	/* keep=, -1 default */
	int			 id_mode;	/* id=, FEED_ID_* */
	int			 updates_unread; /* updates=unread */
	int			 dedupe_link;	/* dedupe=link */
	int64_t			 adaptive;	/* its posting rate's interval */
	int64_t			 hint;		/* <ttl>/sy:update*, s; 0 */
	uint32_t		 skip_hours;
	uint8_t			 skip_days;
	struct sched_host	*host;
	enum sched_state	 state;
	int			 dead;		/* removed while fetching */
	int			 failed;	/* last poll failed */
	int			 errors;	/* failed polls in a row */
	int			 mark;		/* reload: still configured */
	int			 gone;		/* 410 seen (the row's gone) */
	int64_t			 due;		/* unix s */
	int64_t			 hold;		/* server said wait until */
	ev_timer		 ev_due;
	TAILQ_ENTRY(sched_feed)	 entry;		/* sched_feeds */
	TAILQ_ENTRY(sched_feed)	 qentry;	/* host queue */
};

static TAILQ_HEAD(, sched_feed) sched_feeds =
    TAILQ_HEAD_INITIALIZER(sched_feeds);
static TAILQ_HEAD(, sched_host) sched_waiting =
    TAILQ_HEAD_INITIALIZER(sched_waiting);
static struct sched_host **sched_hosts;	/* hash table of hosts */
static size_t		 sched_nbuckets;
static size_t		 sched_nhosts;
static struct sched_host sched_local;	/* file:// feeds */
static int		 sched_nfeeds;
static int		 sched_in_flight;
static int		 sched_once;	/* --once: no timers, stop when done */
static int		 sched_force;	/* --force: ignore server holds */
static int		 sched_pending;	/* --once: feeds not yet done */
static int		 sched_skipped;	/* --once: held or gone */
static void		(*sched_start)(struct sched_feed *);
static ev_timer		 sched_ev_kick;	/* dispatch on next iteration */
static ev_timer		 sched_ev_delay; /* dispatch when a host may start */

static void	sched_dispatch(void);

/* The loop's time, as a double, for host spacing. */
static ev_tstamp
sched_now(void)
{
	return (ev_now(feedd_loop));
}

/* Dispatch on the next loop iteration (never from inside a callback). */
static void
sched_kick(void)
{
	if (!ev_is_active(&sched_ev_kick)) {
		ev_timer_set(&sched_ev_kick, 0., 0.);
		ev_timer_start(feedd_loop, &sched_ev_kick);
	}
}

/* Kick and delay timers: run the dispatcher. */
static void
sched_kick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	sched_dispatch();
}

/* Find or make the host entry for a host name (NULL: local). */
static struct sched_host *
sched_host_get(const char *name)
{
	struct sched_host	*h, **nb, *next;
	size_t			 i, b, nn;

	if (name == NULL)
		return (&sched_local);
	if (sched_nbuckets == 0) {
		sched_nbuckets = 256;
		sched_hosts = xcalloc(sched_nbuckets, sizeof *sched_hosts);
	}
	b = util_hash64(name, strlen(name), 0) % sched_nbuckets;
	for (h = sched_hosts[b]; h != NULL; h = h->hnext) {
		if (strcmp(h->name, name) == 0)
			return (h);
	}
	if (sched_nhosts >= sched_nbuckets) {
		/* Grow: rehash every chain into twice the buckets. */
		nn = sched_nbuckets * 2;
		nb = xcalloc(nn, sizeof *nb);
		for (i = 0; i < sched_nbuckets; i++) {
			for (h = sched_hosts[i]; h != NULL; h = next) {
				next = h->hnext;
				b = util_hash64(h->name, strlen(h->name), 0) %
				    nn;
				h->hnext = nb[b];
				nb[b] = h;
			}
		}
		free(sched_hosts);
		sched_hosts = nb;
		sched_nbuckets = nn;
		b = util_hash64(name, strlen(name), 0) % nn;
	}
	h = xcalloc(1, sizeof *h);
	h->name = xstrdup(name);
	TAILQ_INIT(&h->queue);
	h->hnext = sched_hosts[b];
	sched_hosts[b] = h;
	sched_nhosts++;
	return (h);
}

/*
 * Set up the scheduler: once is --once, force is --force, and start(f)
 * polls a due feed, which it hands back with sched_done().
 */
void
sched_init(int once, int force, void (*start)(struct sched_feed *))
{
	sched_once = once;
	sched_force = force;
	sched_start = start;
	TAILQ_INIT(&sched_local.queue);
	ev_timer_init(&sched_ev_kick, sched_kick_cb, 0., 0.);
	ev_timer_init(&sched_ev_delay, sched_kick_cb, 0., 0.);
}

/* Put a feed on its host's queue. */
static void
sched_enqueue(struct sched_feed *f)
{
	struct sched_host	*h = f->host;

	if (f->state == SCHED_QUEUED || f->state == SCHED_FETCHING)
		return;
	ev_timer_stop(feedd_loop, &f->ev_due);
	f->state = SCHED_QUEUED;
	TAILQ_INSERT_TAIL(&h->queue, f, qentry);
	if (!h->waiting && h != &sched_local) {
		h->waiting = 1;
		TAILQ_INSERT_TAIL(&sched_waiting, h, wentry);
	}
	sched_kick();
}

/* A feed's timer fired: it is due. */
static void
sched_due_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sched_feed	*f = w->data;

	sched_enqueue(f);
}

/* Arm the feed's timer for its due time (daemon mode only). */
static void
sched_arm(struct sched_feed *f)
{
	int64_t		now = util_now();
	ev_tstamp	delay;

	ev_timer_stop(feedd_loop, &f->ev_due);
	f->state = SCHED_IDLE;
	if (sched_once)
		return;
	delay = f->due > now ? (ev_tstamp)(f->due - now) : 0.;
	ev_timer_set(&f->ev_due, delay, 0.);
	ev_timer_start(feedd_loop, &f->ev_due);
}

/* Start queued feeds, host by host in turn, within the limits. */
static void
sched_dispatch(void)
{
	const struct config	*cfg = feedd_config;
	struct sched_host	*h;
	struct sched_feed	*f;
	ev_tstamp		 now = sched_now(), wake = 0.;
	int			 started, n, i, max_conns, host_conns;

	max_conns = cfg->max_conns > 0 ? cfg->max_conns : 1;
	host_conns = cfg->host_conns > 0 ? cfg->host_conns : 1;
	ev_timer_stop(feedd_loop, &sched_ev_delay);

	/*
	 * Local files first: they use no connection, but are read at once,
	 * so only a batch per loop iteration, to keep clients served.
	 */
	n = 0;
	while ((f = TAILQ_FIRST(&sched_local.queue)) != NULL) {
		if (n++ >= max_conns) {
			sched_kick();
			break;
		}
		TAILQ_REMOVE(&sched_local.queue, f, qentry);
		f->state = SCHED_FETCHING;
		sched_local.in_flight++;
		sched_in_flight++;
		sched_start(f);
	}

	/* Each pass offers every waiting host one start, in turn. */
	do {
		started = 0;
		n = 0;
		TAILQ_FOREACH(h, &sched_waiting, wentry)
			n++;
		for (i = 0; i < n; i++) {
			if (sched_in_flight - sched_local.in_flight >=
			    max_conns)
				goto out;
			if ((h = TAILQ_FIRST(&sched_waiting)) == NULL)
				break;
			TAILQ_REMOVE(&sched_waiting, h, wentry);
			if (h->in_flight < host_conns && now < h->next_start) {
				if (wake == 0. || h->next_start < wake)
					wake = h->next_start;
			} else if (h->in_flight < host_conns &&
			    (f = TAILQ_FIRST(&h->queue)) != NULL) {
				TAILQ_REMOVE(&h->queue, f, qentry);
				f->state = SCHED_FETCHING;
				h->in_flight++;
				h->next_start = now + cfg->host_delay;
				sched_in_flight++;
				started++;
				sched_start(f);
			}
			if (TAILQ_EMPTY(&h->queue))
				h->waiting = 0;
			else
				TAILQ_INSERT_TAIL(&sched_waiting, h, wentry);
		}
	} while (started > 0);
out:
	if (wake != 0.) {
		ev_timer_set(&sched_ev_delay, wake > now ? wake - now : 0., 0.);
		ev_timer_start(feedd_loop, &sched_ev_delay);
	}
}

/* Free one feed (not on any queue, timer stopped). */
static void
sched_feed_free(struct sched_feed *f)
{
	ev_timer_stop(feedd_loop, &f->ev_due);
	TAILQ_REMOVE(&sched_feeds, f, entry);
	sched_nfeeds--;
	free(f->url);
	free(f);
}

/* Take a feed out of the schedule; a feed in flight is freed when done. */
static void
sched_remove(struct sched_feed *f)
{
	struct sched_host	*h = f->host;

	switch (f->state) {
	case SCHED_FETCHING:
		f->dead = 1;
		return;
	case SCHED_QUEUED: {
		struct poll_outcome	o;

		TAILQ_REMOVE(&h->queue, f, qentry);
		if (TAILQ_EMPTY(&h->queue) && h->waiting) {
			h->waiting = 0;
			TAILQ_REMOVE(&sched_waiting, h, wentry);
		}
		if (sched_once)
			sched_pending--;
		/* Whoever waits for its poll hears that none comes. */
		memset(&o, 0, sizeof o);
		o.id = f->id;
		o.url = f->url;
		o.failed = 1;
		o.error = "removed from the feeds file before its poll";
		feedd_polled(&o);
		break;
	}
	default:
		break;
	}
	sched_feed_free(f);
}

/* Feeds that a reload keeps, by URL, for bsearch. */
static int
sched_cmp_url(const void *a, const void *b)
{
	const struct sched_feed *fa = *(struct sched_feed * const *)a;
	const struct sched_feed *fb = *(struct sched_feed * const *)b;

	return (strcmp(fa->url, fb->url));
}

/* Find a feed by URL in a sorted array. */
static struct sched_feed *
sched_find(struct sched_feed **v, size_t n, const char *url)
{
	struct sched_feed	 key, *kp = &key, **hit;

	if (n == 0)
		return (NULL);
	key.url = (char *)url;
	hit = bsearch(&kp, v, n, sizeof *v, sched_cmp_url);
	return (hit != NULL ? *hit : NULL);
}

/* The policy's view of a feed (sched_policy.c). */
static void
sched_feed_in(const struct sched_feed *f, struct sched_in *in)
{
	memset(in, 0, sizeof *in);
	in->every = f->every;
	/* A server's hint wins over what the posting rate suggests. */
	in->hint = f->hint > 0 ? f->hint : f->adaptive;
	in->adaptive = f->hint <= 0 && f->adaptive > 0;
	in->skip_hours = f->skip_hours;
	in->skip_days = f->skip_days;
	in->errors = f->errors;
	in->gone = f->gone;
	in->hold_until = f->hold;
}

/* A random number in [0, 1] for the policy's jitter. */
static double
sched_random(void)
{
	return ((double)arc4random_uniform(1000001) / 1000000.);
}

/*
 * Plan a feed's next due time after a poll whose outcome is in the row sf
 * (last_fetch, errors, gone, hold_until), with the document's hints when it
 * was parsed (meta): the feed's state follows, and sf->next_fetch is set
 * (0 when gone), before the row is written.
 */
void
sched_plan(struct sched_feed *f, struct store_feed *sf,
    const struct feed_meta *meta)
{
	struct sched_in	 in;
	int64_t		 now;

	now = sf->last_fetch > 0 ? sf->last_fetch : util_now();
	if (meta != NULL) {
		f->hint = sched_doc_hint(meta);
		f->skip_hours = meta->skip_hours;
		f->skip_days = meta->skip_days;
	}
	f->gone = sf->gone;
	f->adaptive = sf->adaptive;
	f->hold = sf->hold_until;
	f->errors = sf->errors;
	sched_feed_in(f, &in);
	sf->next_fetch = sched_next(feedd_config, &in, now, sched_random());
	if (sf->next_fetch != 0)
		f->due = sf->next_fetch;
}

/* A poll (poll.c) hands its feed back; failed says the poll failed. */
void
sched_done(struct sched_feed *f, int failed)
{
	struct sched_host	*h = f->host;

	h->in_flight--;
	sched_in_flight--;
	f->failed = failed;
	if (f->dead)
		sched_feed_free(f);
	else if (f->state == SCHED_FETCHING) {
		if (f->gone)
			f->state = SCHED_GONE;
		else
			sched_arm(f);
	}
	if (sched_once) {
		if (--sched_pending <= 0)
			ev_break(feedd_loop, EVBREAK_ALL);
	} else if (sched_in_flight == 0 && TAILQ_EMPTY(&sched_waiting)) {
		char			 when[16];
		struct tm		 tm;
		time_t			 t = (time_t)util_now();
		int			 n;

		/* A poll round ended: a short status for systemd. */
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M", &tm);
		n = sched_error_count();
		notify_status("%d feed%s, %d error%s, last poll %s",
		    sched_nfeeds, sched_nfeeds == 1 ? "" : "s", n,
		    n == 1 ? "" : "s", when);
	}
	sched_kick();
}

/* What the schedule needs of a feed's row, read back by a load. */
struct sched_row {
	int64_t			 id;
	int64_t			 next_fetch;
	int64_t			 hold_until;
	int			 errors;
	int			 gone;
	int64_t			 adaptive;
};

/* A load of the configured feeds, in two phases (see sched_load()). */
struct sched_load {
	const struct config	*cfg;
	struct sched_row	*rows;		/* cfg->feeds[i]'s */
	sched_load_cb		 cb;
	void			*arg;
	struct write_job	 job;
};

/*
 * The hash of what a feed's line in the feeds file says (URL, title, tags,
 * options), as 16 hex digits in buf: a gone feed comes back when it
 * changes, and only then.
 */
static const char *
sched_conf_hash(const struct feed_conf *fc, char *buf, size_t size)
{
	uint64_t	h;
	char		num[64];
	size_t		i;

	h = util_hash64(fc->url, strlen(fc->url) + 1, 0);
	if (fc->title != NULL)
		h = util_hash64(fc->title, strlen(fc->title) + 1, h);
	h = util_hash64("", 1, h);
	for (i = 0; i < fc->ntags; i++)
		h = util_hash64(fc->tags[i], strlen(fc->tags[i]) + 1, h);
	snprintf(num, sizeof num, "|%lld|%lld|%d|%d|%d", (long long)fc->every,
	    (long long)fc->keep_items, fc->id_mode, fc->updates_unread,
	    fc->dedupe_link);
	h = util_hash64(num, strlen(num), h);
	snprintf(buf, size, "%016llx", (unsigned long long)h);
	return (buf);
}

/*
 * Feeds that moved and whose new address the feeds file now names take
 * it, keeping their rows (store_feeds_adopt()).  Only when some feed has
 * moved: the URLs go to SQLite as a JSON array.
 */
static int
sched_adopt(struct store *st, const struct config *cfg)
{
	json_t	*a;
	char	*urls;
	size_t	 i;
	int	 n;

	if ((n = store_feeds_moved_count(st)) <= 0)
		return (n);
	a = json_array();
	for (i = 0; i < cfg->nfeeds; i++)
		json_array_append_new(a, json_string(cfg->feeds[i].url));
	urls = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	n = urls != NULL ? store_feeds_adopt(st, urls) : -1;
	free(urls);
	if (n > 0)
		log_notice("%d moved feed%s now listed at %s new address%s",
		    n, n == 1 ? "" : "s", n == 1 ? "its" : "their",
		    n == 1 ? "" : "es");
	return (n < 0 ? -1 : 0);
}

/*
 * Phase one, on the writer thread: every feed is marked inactive, then
 * each configured one gets its row (created if new), its title, tags and
 * line hash from the file, and is marked active; a gone one whose line
 * changed since it was found gone comes back; its row is read back.  One
 * transaction: all of it or nothing.
 */
static int
sched_load_write(struct store *st, struct write_job *job)
{
	struct sched_load	*l = job->arg;
	const struct config	*cfg = l->cfg;
	const struct feed_conf	*fc;
	struct store_feed	 sf;
	struct buf		 tags = { NULL, 0, 0 };
	char			 hash[24];
	size_t			 i, j;
	int			 rc = -1, revive;

	if (sched_adopt(st, cfg) != 0 || store_feeds_deactivate(st) != 0)
		return (-1);
	for (i = 0; i < cfg->nfeeds; i++) {
		fc = &cfg->feeds[i];
		if (store_feed_get(st, fc->url, &sf) != 0)
			goto out;
		buf_reset(&tags);
		for (j = 0; j < fc->ntags; j++)
			buf_printf(&tags, "%s%s", j > 0 ? "\n" : "",
			    fc->tags[j]);	/* a tag may hold spaces */
		l->rows[i].id = sf.id;
		l->rows[i].next_fetch = sf.next_fetch;
		l->rows[i].hold_until = sf.hold_until;
		l->rows[i].errors = sf.errors;
		l->rows[i].adaptive = sf.adaptive;
		/* No hash yet (a new row, an older store): nothing to undo. */
		sched_conf_hash(fc, hash, sizeof hash);
		revive = sf.gone && sf.conf_hash != NULL &&
		    strcmp(sf.conf_hash, hash) != 0;
		if (revive)
			log_info("%s: its line in the feeds file changed: "
			    "polled again", fc->url);
		l->rows[i].gone = sf.gone && !revive;
		store_feed_clear(&sf);
		if (store_feed_set_conf(st, l->rows[i].id, fc->title,
		    tags.len > 0 ? tags.data : NULL, 1, hash, revive) != 0)
			goto out;
	}
	rc = 0;
out:
	buf_free(&tags);
	return (rc);
}

/* Add a configured feed, new to the schedule, from its row. */
static struct sched_feed *
sched_add(const struct feed_conf *fc, const struct sched_row *row)
{
	struct sched_feed	*f;
	char			*host;

	f = xcalloc(1, sizeof *f);
	f->id = row->id;
	f->url = xstrdup(fc->url);
	f->every = fc->every;
	f->keep_items = fc->keep_items;
	f->id_mode = fc->id_mode;
	f->updates_unread = fc->updates_unread;
	f->dedupe_link = fc->dedupe_link;
	f->mark = 1;
	host = fetch_host(fc->url);
	f->host = sched_host_get(host);
	free(host);
	ev_timer_init(&f->ev_due, sched_due_cb, 0., 0.);
	f->ev_due.data = f;
	f->state = SCHED_IDLE;
	f->errors = row->errors;
	f->failed = row->errors > 0;
	f->gone = row->gone;
	f->adaptive = row->adaptive;
	f->hold = row->hold_until;
	TAILQ_INSERT_TAIL(&sched_feeds, f, entry);
	sched_nfeeds++;
	return (f);
}

/*
 * Phase two, on the loop thread, once the rows are committed: feeds kept
 * keep their state (new options apply), new ones are added, removed ones
 * stop; overdue first polls are spread.
 */
static void
sched_apply(const struct config *cfg, const struct sched_row *rows)
{
	struct sched_feed	**old, *f, *f1;
	const struct sched_row	*row;
	const struct feed_conf	*fc;
	struct sched_in		 in;
	int64_t			 now = util_now(), due;
	size_t			 i, nold = 0, noverdue = 0, k = 0;

	/* Index the feeds we have by URL. */
	old = xreallocarray(NULL, sched_nfeeds + 1, sizeof *old);
	TAILQ_FOREACH(f, &sched_feeds, entry) {
		if (!f->dead) {
			old[nold++] = f;
			f->mark = 0;
		}
	}
	qsort(old, nold, sizeof *old, sched_cmp_url);

	for (i = 0; i < cfg->nfeeds; i++) {
		fc = &cfg->feeds[i];
		row = &rows[i];
		if ((f = sched_find(old, nold, fc->url)) != NULL &&
		    !f->mark) {
			/*
			 * Kept: new options apply, state stays, but a
			 * shorter interval pulls a healthy feed's due time
			 * in, and a gone feed the store lets go is due now.
			 */
			f->mark = 1;
			f->every = fc->every;
			f->keep_items = fc->keep_items;
			f->id_mode = fc->id_mode;
			f->updates_unread = fc->updates_unread;
			f->dedupe_link = fc->dedupe_link;
			f->gone = row->gone;
			sched_feed_in(f, &in);
			if (f->state == SCHED_IDLE && !sched_once &&
			    (due = sched_rearm(cfg, &in, f->due, now)) !=
			    f->due) {
				f->due = due;
				sched_arm(f);
			}
			if (row->gone == 0 && f->state == SCHED_GONE) {
				f->due = now;
				sched_arm(f);
			}
			continue;
		}

		f = sched_add(fc, row);
		sched_feed_in(f, &in);
		if (row->gone) {
			f->state = SCHED_GONE;
			if (sched_once) {
				sched_skipped++;
				log_info("%s: skipped: gone until its line in "
				    "the feeds file changes", f->url);
			}
		} else if (sched_once) {
			if (sched_force || row->hold_until <= now) {
				sched_pending++;
				sched_enqueue(f);
			} else {
				sched_skipped++;
				log_info("%s: skipped: the server asked to "
				    "wait %lld more second%s (--force polls "
				    "it)", f->url,
				    (long long)(row->hold_until - now),
				    row->hold_until - now == 1 ? "" : "s");
			}
		} else if ((f->due = sched_resume(cfg, &in, row->next_fetch,
		    now)) != 0)
			sched_arm(f);	/* the store says later: honoured */
		else
			noverdue++;	/* overdue: spread below */
	}

	/* Feeds no longer configured stop. */
	TAILQ_FOREACH_SAFE(f, &sched_feeds, entry, f1) {
		if (!f->mark && !f->dead)
			sched_remove(f);
	}
	free(old);

	/* Spread overdue first polls over min(interval, 2 minutes). */
	if (noverdue > 0) {
		TAILQ_FOREACH(f, &sched_feeds, entry) {
			if (f->state != SCHED_IDLE || f->due != 0 || sched_once)
				continue;
			f->due = sched_spread(cfg, k++, noverdue, now);
			if (f->due == now)
				sched_enqueue(f);
			else
				sched_arm(f);
		}
	}
}

/* Phase two: the rows are written (or not): apply, then tell the caller. */
static void
sched_load_done(struct write_job *job)
{
	struct sched_load	*l = job->arg;

	if (job->error == NULL)
		sched_apply(l->cfg, l->rows);
	l->cb(job->error, l->arg);
	free(job->error);
	free(l->rows);
	free(l);
}

/*
 * Load the configured feeds of cfg into the schedule, at start and on
 * reload, in two phases: the writer writes their rows, then the loop
 * swaps the new schedule in (feeds kept keep their state, new ones are
 * added, removed ones stop).  cb(error, arg) runs on the loop thread once
 * it is done; error (NULL on success) says why nothing changed.  cfg must
 * live until then.
 */
void
sched_load(const struct config *cfg, sched_load_cb cb, void *arg)
{
	struct sched_load	*l;

	l = xcalloc(1, sizeof *l);
	l->cfg = cfg;
	l->rows = xcalloc(cfg->nfeeds + 1, sizeof *l->rows);
	l->cb = cb;
	l->arg = arg;
	l->job.write = sched_load_write;
	l->job.done = sched_load_done;
	l->job.arg = l;
	writer_submit(&l->job);
}

/*
 * Poll some feeds (by store id) now, or every feed when n is 0.  A feed
 * named is polled whatever its server said (a gone one too); of all the
 * feeds, those a server told to wait are left alone unless force, and gone
 * ones are.  cb, if not NULL, hears of each feed: polled (queued now, or
 * a poll already under way: it ends in feedd_polled() either way), held
 * (until when), gone, or not in the feeds file (a named id only).
 */
void
sched_refresh(const int64_t *ids, size_t n, int force, sched_refresh_cb cb,
    void *arg)
{
	struct sched_feed	*f;
	enum sched_refresh_what	 what;
	int64_t			 now = util_now();
	size_t			 i;
	int			 named;

	TAILQ_FOREACH(f, &sched_feeds, entry) {
		if (f->dead)
			continue;
		for (i = 0, named = n == 0; i < n && !named; i++)
			named = ids[i] == f->id;
		if (!named)
			continue;
		if (f->state == SCHED_QUEUED || f->state == SCHED_FETCHING)
			what = SCHED_REFRESH_POLL;
		else if (n == 0 && f->state == SCHED_GONE)
			what = SCHED_REFRESH_GONE;
		else if (n == 0 && f->hold > now && !force)
			what = SCHED_REFRESH_HELD;
		else {
			sched_enqueue(f);
			what = SCHED_REFRESH_POLL;
		}
		if (cb != NULL)
			cb(arg, f->id, f->url, what, f->hold);
	}
	/* Named feeds the schedule does not have: not in the feeds file. */
	for (i = 0; cb != NULL && i < n; i++) {
		TAILQ_FOREACH(f, &sched_feeds, entry)
			if (f->id == ids[i] && !f->dead)
				break;
		if (f == NULL)
			cb(arg, ids[i], NULL, SCHED_REFRESH_NONE, 0);
	}
}

/* Stop every timer and free every feed and host. */
void
sched_free(void)
{
	struct sched_feed	*f;
	struct sched_host	*h, *next;
	size_t			 i;

	while ((f = TAILQ_FIRST(&sched_feeds)) != NULL)
		sched_feed_free(f);
	for (i = 0; i < sched_nbuckets; i++) {
		for (h = sched_hosts[i]; h != NULL; h = next) {
			next = h->hnext;
			free(h->name);
			free(h);
		}
	}
	free(sched_hosts);
	sched_hosts = NULL;
	sched_nbuckets = sched_nhosts = 0;
	TAILQ_INIT(&sched_waiting);
	if (feedd_loop != NULL) {
		ev_timer_stop(feedd_loop, &sched_ev_kick);
		ev_timer_stop(feedd_loop, &sched_ev_delay);
	}
}

/* --once: feeds whose poll has not ended yet. */
int
sched_pending_count(void)
{
	return (sched_pending);
}

/* Feeds --once left alone: gone, or held by their server. */
int
sched_skip_count(void)
{
	return (sched_skipped);
}

/* Feeds in the schedule. */
int
sched_feed_count(void)
{
	return (sched_nfeeds);
}

/* Feeds whose last poll failed. */
int
sched_error_count(void)
{
	struct sched_feed	*f;
	int			 n = 0;

	TAILQ_FOREACH(f, &sched_feeds, entry) {
		if (f->failed && !f->dead)
			n++;
	}
	return (n);
}

/* The feed's id in the store. */
int64_t
sched_feed_id(const struct sched_feed *f)
{
	return (f->id);
}

/* The feed's URL. */
const char *
sched_feed_url(const struct sched_feed *f)
{
	return (f->url);
}

/* Is the feed gone (a 410 seen, and the feeds file unchanged since)? */
int
sched_feed_gone(const struct sched_feed *f)
{
	return (f->gone);
}

/* keep= from the feeds file, or the configured keep-items. */
int64_t
sched_feed_keep_items(const struct sched_feed *f)
{
	return (f->keep_items >= 0 ? f->keep_items :
	    feedd_config->keep_items);
}

/* How the feed's items are told apart (id= of the feeds file). */
int
sched_feed_id_mode(const struct sched_feed *f)
{
	return (f->id_mode);
}

/*
 * A feed's interval (by store id) in *secs, and what sets it: "every=",
 * "the feed's <ttl> or sy:updatePeriod", "its posting rate", "the
 * default"; a server's hold ("Retry-After, max-age or Expires") or a
 * failing feed's backoff comes first when in force.  NULL: no such feed.
 */
const char *
sched_explain(int64_t id, int64_t *secs)
{
	struct sched_feed	*f;
	struct sched_in		 in;
	int64_t			 now = util_now();

	TAILQ_FOREACH(f, &sched_feeds, entry)
		if (f->id == id && !f->dead)
			break;
	if (f == NULL)
		return (NULL);
	sched_feed_in(f, &in);
	*secs = sched_interval(feedd_config, in.every, in.hint);
	if (f->gone)
		return ("gone: not polled");
	if (f->hold > now)
		return ("held now: the server asked to wait (Retry-After, "
		    "max-age or Expires)");
	if (f->errors > 0)
		return ("backoff after failed polls");
	if (f->every > 0)
		return ("every= in the feeds file");
	if (f->hint > 0)
		return ("the feed's <ttl> or sy:updatePeriod");
	if (f->adaptive > 0)
		return ("its posting rate");
	return ("the default interval");
}

/* Whether the feed's items may be another feed's (dedupe=link). */
int
sched_feed_dedupe_link(const struct sched_feed *f)
{
	return (f->dedupe_link);
}

/* Whether a change makes an item unread again (updates=unread). */
int
sched_feed_updates_unread(const struct sched_feed *f)
{
	return (f->updates_unread);
}
