/*
 * fetch.c: one poll of one feed, from request to stored items.
 *
 * Owns the libcurl multi handle and its glue to the libev loop (as in
 * curl's evhiperfifo.c and multi-event.c): curl tells us which sockets to
 * watch (CURLMOPT_SOCKETFUNCTION: an ev_io per socket, kept with
 * curl_multi_assign) and when to call it back (CURLMOPT_TIMERFUNCTION: one
 * ev_timer); every watcher calls curl_multi_socket_action() and then drains
 * curl_multi_info_read().  Nothing polls.
 *
 * Each transfer is a struct fetch (CURLOPT_PRIVATE).  Its body goes into
 * the streaming parser chunk by chunk as it arrives; the parser's items are
 * copied and kept until the transfer ends, since transfers interleave and
 * a feed's poll is stored whole or not at all.  When the transfer ends,
 * fetch_store() works out the feed's new row and hands it, with the items
 * of a good parse, to the writer thread (writer.c), which stores them in
 * one transaction; fetch_stored() then logs and hands the feed back to the
 * schedule.  A failed poll changes nothing but the feed's row.  A file:// URL
 * written in the feeds file is read from disk here (never through curl, so
 * no redirect can reach a local file).  This is the only file that sees
 * curl, besides date.c's use of curl_getdate.
 */
#include <sys/queue.h>
#include <sys/stat.h>

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "feedd.h"

#define FETCH_MAX_HEADER	1024	/* longest validator we keep */
#define FETCH_MAX_REDIRS	5

/* A socket curl asked us to watch. */
struct fetch_sock {
	ev_io			 io;
	curl_socket_t		 fd;
};

/* One transfer in flight. */
struct fetch {
	struct sched_feed	*feed;
	CURL			*easy;
	struct curl_slist	*headers;
	struct parser		*parser;
	int			 parse_failed;	/* parser_push said no */
	int			 too_big;	/* over max-body */
	int			 complete;	/* a final response arrived */
	int64_t			 body;		/* decoded bytes so far */

	/* The current response's header fields (reset per response). */
	int			 status;
	char			*reason;
	char			*etag;
	char			*last_modified;
	char			*location;
	int64_t			 max_age;	/* -1 none */
	int64_t			 expires;	/* DATE_NONE none */
	int64_t			 retry_after;	/* unix s, 0 none */
	int			 perm_chain;	/* every hop so far permanent */
	char			*redirect_url;	/* end of the permanent chain */

	/* How it ended, for the log once the writer stored it. */
	int			 outcome;	/* enum fetch_outcome */
	int			 http_status;
	char			*error;

	/* Copies of the parsed items, stored when the transfer ends well. */
	struct feed_item	*items;
	size_t			 nitems;
	size_t			 itemsalloc;

	char			 errbuf[CURL_ERROR_SIZE];
	TAILQ_ENTRY(fetch)	 entry;
};

static CURLM		*fetch_multi;
static CURLSH		*fetch_share;
static ev_timer		 fetch_ev_timer;
static int		 fetch_running;
static struct fetch_stats fetch_stats;
static TAILQ_HEAD(, fetch) fetch_list = TAILQ_HEAD_INITIALIZER(fetch_list);

static void	fetch_check(void);
static void	fetch_finish(struct fetch *, CURLcode);

/* ---------------------------------------------------------------- */
/* Items: deep copies, since the parser reuses its item. */

/* Copy a string that may be NULL. */
static char *
fetch_dup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

/* Copy one parsed item. */
static void
fetch_item_copy(struct feed_item *d, const struct feed_item *s)
{
	size_t	i;

	memset(d, 0, sizeof *d);
	d->id = fetch_dup(s->id);
	d->guid = fetch_dup(s->guid);
	d->url = fetch_dup(s->url);
	d->external_url = fetch_dup(s->external_url);
	d->title = fetch_dup(s->title);
	d->content_html = fetch_dup(s->content_html);
	d->content_text = fetch_dup(s->content_text);
	d->summary = fetch_dup(s->summary);
	d->image = fetch_dup(s->image);
	d->published = s->published;
	d->modified = s->modified;
	if (s->nauthors > 0) {
		d->authors = xcalloc(s->nauthors, sizeof *d->authors);
		for (i = 0; i < s->nauthors; i++) {
			d->authors[i].name = fetch_dup(s->authors[i].name);
			d->authors[i].url = fetch_dup(s->authors[i].url);
			d->authors[i].email = fetch_dup(s->authors[i].email);
		}
		d->nauthors = s->nauthors;
	}
	if (s->ntags > 0) {
		d->tags = xcalloc(s->ntags, sizeof *d->tags);
		for (i = 0; i < s->ntags; i++)
			d->tags[i] = fetch_dup(s->tags[i]);
		d->ntags = s->ntags;
	}
	if (s->nattachments > 0) {
		d->attachments = xcalloc(s->nattachments,
		    sizeof *d->attachments);
		for (i = 0; i < s->nattachments; i++) {
			d->attachments[i] = s->attachments[i];
			d->attachments[i].url =
			    fetch_dup(s->attachments[i].url);
			d->attachments[i].mime_type =
			    fetch_dup(s->attachments[i].mime_type);
		}
		d->nattachments = s->nattachments;
	}
}

/* The parser's item callback: keep a copy. */
static void
fetch_item_cb(const struct feed_item *item, void *arg)
{
	struct fetch	*fe = arg;

	if (item->id == NULL)
		return;
	if (fe->nitems == fe->itemsalloc) {
		fe->itemsalloc = fe->itemsalloc == 0 ? 16 : fe->itemsalloc * 2;
		fe->items = xreallocarray(fe->items, fe->itemsalloc,
		    sizeof *fe->items);
	}
	fetch_item_copy(&fe->items[fe->nitems++], item);
}

/* Free a transfer and everything it holds. */
static void
fetch_free_one(struct fetch *fe)
{
	size_t	i;

	if (fe->easy != NULL)
		curl_easy_cleanup(fe->easy);
	curl_slist_free_all(fe->headers);
	if (fe->parser != NULL)
		parser_free(fe->parser);
	for (i = 0; i < fe->nitems; i++)
		parser_item_free(&fe->items[i]);
	free(fe->items);
	free(fe->reason);
	free(fe->etag);
	free(fe->last_modified);
	free(fe->location);
	free(fe->redirect_url);
	free(fe->error);
	free(fe);
}

/* ---------------------------------------------------------------- */
/* libev glue (evhiperfifo.c, with multi-event.c's CURL_CSELECT_*). */

/* An ev_io fired: tell curl which directions are ready. */
static void
fetch_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fetch_sock	*fs = w->data;
	int			 action = 0;

	if (revents & EV_READ)
		action |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(fetch_multi, fs->fd, action, &fetch_running);
	fetch_check();
}

/* The multi timer fired: let curl handle its timeouts. */
static void
fetch_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	curl_multi_socket_action(fetch_multi, CURL_SOCKET_TIMEOUT, 0,
	    &fetch_running);
	fetch_check();
}

/*
 * CURLMOPT_TIMERFUNCTION: (re)arm the one timer.  Never calls curl: a
 * timeout of 0 fires on the next loop iteration.
 */
static int
fetch_multi_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	ev_timer_stop(feedd_loop, &fetch_ev_timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&fetch_ev_timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(feedd_loop, &fetch_ev_timer);
	}
	return (0);
}

/* CURLMOPT_SOCKETFUNCTION: watch, change or forget one socket. */
static int
fetch_socket_cb(CURL *easy, curl_socket_t s, int what, void *arg,
    void *sockp)
{
	struct fetch_sock	*fs = sockp;
	int			 kind;

	if (what == CURL_POLL_REMOVE) {
		if (fs != NULL) {
			ev_io_stop(feedd_loop, &fs->io);
			free(fs);
		}
		curl_multi_assign(fetch_multi, s, NULL);
		return (0);
	}
	kind = ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (fs == NULL) {
		fs = xcalloc(1, sizeof *fs);
		fs->fd = s;
		ev_init(&fs->io, fetch_io_cb);
		fs->io.data = fs;
		curl_multi_assign(fetch_multi, s, fs);
	} else
		ev_io_stop(feedd_loop, &fs->io);
	ev_io_set(&fs->io, s, kind);
	ev_io_start(feedd_loop, &fs->io);
	return (0);
}

/* Drain curl's messages: each finished transfer is handled once. */
static void
fetch_check(void)
{
	CURLMsg		*msg;
	struct fetch	*fe;
	int		 left;
	char		*p;

	while ((msg = curl_multi_info_read(fetch_multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		p = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
		fe = (struct fetch *)p;
		curl_multi_remove_handle(fetch_multi, msg->easy_handle);
		fetch_finish(fe, msg->data.result);
	}
}

/* ---------------------------------------------------------------- */
/* Setup and teardown. */

/* Create the multi and share handles. */
int
fetch_init(char **cause)
{
	CURLcode		 rc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		xasprintf(cause, "curl_global_init: %s",
		    curl_easy_strerror(rc));
		return (-1);
	}
	if ((fetch_multi = curl_multi_init()) == NULL ||
	    (fetch_share = curl_share_init()) == NULL) {
		*cause = xstrdup("curl_multi_init failed");
		return (-1);
	}
	/* One thread: the share needs no lock functions. */
	curl_share_setopt(fetch_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(fetch_share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(fetch_multi, CURLMOPT_SOCKETFUNCTION,
	    fetch_socket_cb);
	curl_multi_setopt(fetch_multi, CURLMOPT_TIMERFUNCTION,
	    fetch_multi_timer_cb);
	curl_multi_setopt(fetch_multi, CURLMOPT_PIPELINING,
	    (long)CURLPIPE_MULTIPLEX);
	fetch_reconfigure();
	ev_timer_init(&fetch_ev_timer, fetch_timer_cb, 0., 0.);
	return (0);
}

/* Apply the connection limits of the (new) configuration. */
void
fetch_reconfigure(void)
{
	const struct config	*cfg = feedd_config;

	curl_multi_setopt(fetch_multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)cfg->max_conns);
	curl_multi_setopt(fetch_multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)cfg->host_conns);
	curl_multi_setopt(fetch_multi, CURLMOPT_MAXCONNECTS,
	    (long)(cfg->max_conns * 2));
}

/* Abort every transfer and release curl. */
void
fetch_free(void)
{
	struct fetch	*fe;

	while ((fe = TAILQ_FIRST(&fetch_list)) != NULL) {
		TAILQ_REMOVE(&fetch_list, fe, entry);
		if (fe->easy != NULL)
			curl_multi_remove_handle(fetch_multi, fe->easy);
		fetch_free_one(fe);
	}
	if (fetch_multi != NULL) {
		curl_multi_cleanup(fetch_multi);
		fetch_multi = NULL;
	}
	if (fetch_share != NULL) {
		curl_share_cleanup(fetch_share);
		fetch_share = NULL;
	}
	if (feedd_loop != NULL)
		ev_timer_stop(feedd_loop, &fetch_ev_timer);
	curl_global_cleanup();
}

/* The counters since start. */
void
fetch_get_stats(struct fetch_stats *st)
{
	*st = fetch_stats;
}

/* The lower-case host name of an http(s) URL; NULL for anything else. */
char *
fetch_host(const char *url)
{
	CURLU	*u;
	char	*host = NULL, *scheme = NULL, *out = NULL, *p;

	if ((u = curl_url()) == NULL)
		return (NULL);
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		out = xstrdup(host);
		for (p = out; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return (out);
}

/* ---------------------------------------------------------------- */
/* Callbacks of one transfer. */

/* Resolve a Location against the URL it answered. */
static char *
fetch_resolve(const char *base, const char *loc)
{
	CURLU	*u;
	char	*s = NULL, *out;

	if ((u = curl_url()) == NULL)
		return (xstrdup(loc));
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, loc, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK || curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return (xstrdup(loc));
	}
	out = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return (out);
}

/* Is a header value short and free of control characters? */
static int
fetch_header_ok(const char *v, size_t len)
{
	size_t	i;

	if (len == 0 || len > FETCH_MAX_HEADER)
		return (0);
	for (i = 0; i < len; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return (0);
	}
	return (1);
}

/* A copy of a header value, or NULL if it is not fit to keep. */
static char *
fetch_header_value(const char *v, size_t len)
{
	if (!fetch_header_ok(v, len))
		return (NULL);
	return (xstrndup(v, len));
}

/* Parse Cache-Control's max-age. */
static int64_t
fetch_max_age(const char *v)
{
	const char	*p;
	int64_t		 n = 0;

	for (p = v; (p = strstr(p, "max-age")) != NULL; p += 7) {
		if (p != v && p[-1] != ' ' && p[-1] != ',' && p[-1] != '\t')
			continue;
		p += 7;
		while (*p == ' ')
			p++;
		if (*p++ != '=')
			return (-1);
		while (*p == ' ' || *p == '"')
			p++;
		if (!isdigit((unsigned char)*p))
			return (-1);
		while (isdigit((unsigned char)*p) && n < INT32_MAX)
			n = n * 10 + (*p++ - '0');
		return (n);
	}
	return (-1);
}

/* A new response starts (status line): forget the previous one's fields. */
static void
fetch_new_response(struct fetch *fe, int status, const char *reason,
    size_t rlen)
{
	free(fe->reason);
	free(fe->etag);
	free(fe->last_modified);
	free(fe->location);
	fe->reason = rlen > 0 ? fetch_header_value(reason, rlen) : NULL;
	fe->etag = fe->last_modified = fe->location = NULL;
	fe->max_age = -1;
	fe->expires = DATE_NONE;
	fe->retry_after = 0;
	fe->status = status;
}

/* CURLOPT_HEADERFUNCTION: one header line of any response in the chain. */
static size_t
fetch_header_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct fetch	*fe = arg;
	size_t		 len = size * n, nlen, vlen;
	const char	*colon, *v, *end;
	char		*val, *url = NULL;
	int64_t		 t, now;
	int		 status;

	end = buf + len;
	while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	len = (size_t)(end - buf);
	if (len > 5 && strncmp(buf, "HTTP/", 5) == 0) {
		v = memchr(buf, ' ', len);
		if (v == NULL)
			return (size * n);
		v++;
		status = 0;
		while (v < end && isdigit((unsigned char)*v))
			status = status * 10 + (*v++ - '0');
		while (v < end && *v == ' ')
			v++;
		if (status >= 100 && status < 200)
			return (size * n);	/* 100 Continue and friends */
		fetch_new_response(fe, status, v, (size_t)(end - v));
		return (size * n);
	}
	if ((colon = memchr(buf, ':', len)) == NULL)
		return (size * n);
	nlen = (size_t)(colon - buf);
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(end - v);
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if ((val = fetch_header_value(v, vlen)) == NULL)
		return (size * n);
	now = util_now();
	if (nlen == 4 && strncasecmp(buf, "ETag", 4) == 0) {
		free(fe->etag);
		fe->etag = val;
		val = NULL;
	} else if (nlen == 13 && strncasecmp(buf, "Last-Modified", 13) == 0) {
		free(fe->last_modified);
		fe->last_modified = val;
		val = NULL;
	} else if (nlen == 13 && strncasecmp(buf, "Cache-Control", 13) == 0) {
		fe->max_age = fetch_max_age(val);
	} else if (nlen == 7 && strncasecmp(buf, "Expires", 7) == 0) {
		if (date_parse_http(val, &t) == 0)
			fe->expires = t;
	} else if (nlen == 11 && strncasecmp(buf, "Retry-After", 11) == 0) {
		if (util_parse_int(val, 0, INT32_MAX, &t) == 0)
			fe->retry_after = now + t;
		else if (date_parse_http(val, &t) == 0)
			fe->retry_after = t;
	} else if (nlen == 8 && strncasecmp(buf, "Location", 8) == 0 &&
	    fe->status >= 300 && fe->status < 400) {
		curl_easy_getinfo(fe->easy, CURLINFO_EFFECTIVE_URL, &url);
		free(fe->location);
		fe->location = fetch_resolve(url != NULL ? url :
		    sched_feed_url(fe->feed), val);
		/* A permanent redirect is recorded while the chain stays so. */
		if (fe->perm_chain &&
		    (fe->status == 301 || fe->status == 308)) {
			free(fe->redirect_url);
			fe->redirect_url = xstrdup(fe->location);
		} else
			fe->perm_chain = 0;
	}
	free(val);
	return (size * n);
}

/* Make the parser on the first body byte of a successful response. */
static void
fetch_parser_start(struct fetch *fe, const char *base)
{
	if (fe->parser == NULL)
		fe->parser = parser_new(base, fetch_item_cb, fe);
}

/* Count decoded bytes against max-body; 0 if still within. */
static int
fetch_count(struct fetch *fe, size_t n)
{
	int64_t	max = feedd_config->max_body;

	fe->body += (int64_t)n;
	fetch_stats.bytes += (int64_t)n;
	if (max > 0 && fe->body > max) {
		fe->too_big = 1;
		return (-1);
	}
	return (0);
}

/*
 * CURLOPT_WRITEFUNCTION: decoded body bytes.  A 2xx body goes to the parser
 * as it comes; other bodies are counted and dropped.  Returning 0 aborts.
 */
static size_t
fetch_write_cb(char *ptr, size_t size, size_t n, void *arg)
{
	struct fetch	*fe = arg;
	size_t		 len = size * n;
	char		*url = NULL;

	if (fetch_count(fe, len) != 0)
		return (0);
	if (fe->status < 200 || fe->status > 299)
		return (len);
	if (fe->parser == NULL) {
		curl_easy_getinfo(fe->easy, CURLINFO_EFFECTIVE_URL, &url);
		fetch_parser_start(fe, url != NULL ? url :
		    sched_feed_url(fe->feed));
	}
	if (parser_push(fe->parser, ptr, len) != 0) {
		fe->parse_failed = 1;
		return (0);
	}
	return (len);
}

/* ---------------------------------------------------------------- */
/* Outcomes. */

enum fetch_outcome {
	FETCH_OK,		/* 2xx parsed: store items */
	FETCH_NOT_MODIFIED,	/* 304, or an unchanged local file */
	FETCH_GONE,		/* 410 */
	FETCH_ERROR,
};

/* Log a stored poll. */
static void
fetch_log(struct fetch *fe, const struct write_job *job)
{
	const char	*url = sched_feed_url(fe->feed);

	switch (fe->outcome) {
	case FETCH_OK:
		if (fe->http_status == 0)
			log_info("%s: read, %d new, %d updated", url,
			    job->nnew, job->nupd);
		else
			log_info("%s: %d, %d new, %d updated", url,
			    fe->http_status, job->nnew, job->nupd);
		break;
	case FETCH_NOT_MODIFIED:
		log_info("%s: %s", url, fe->http_status == 304 ?
		    "304 not modified" : "not modified");
		break;
	case FETCH_GONE:
		log_warnx("%s: 410 gone: polling stops", url);
		break;
	case FETCH_ERROR:
		log_warnx("%s: %s", url, fe->error);
		break;
	}
}

/* The poll is over: count it and hand the feed back to the schedule. */
static void
fetch_done(struct fetch *fe, int failed)
{
	struct sched_feed	*f = fe->feed;

	if (failed)
		fetch_stats.failed++;
	fetch_free_one(fe);
	sched_done(f, failed);
}

/* The writer recorded a failure to store a poll on the feed's row. */
static void
fetch_recorded(struct write_job *job)
{
	struct fetch	*fe = job->arg;

	if (job->error != NULL)
		log_debug("%s: recording the failure: %s",
		    sched_feed_url(fe->feed), job->error);
	write_job_free(job);
	fetch_done(fe, 1);
}

/*
 * The writer stored a poll (writer.c; on the loop thread): count, tell
 * followers, log, and hand the feed back to the schedule.  When the store
 * failed, nothing of the poll was kept: the failure is recorded on the
 * feed's row instead, by the writer too, so that a locked database never
 * makes the loop wait.
 */
static void
fetch_stored(struct write_job *job)
{
	struct fetch		*fe = job->arg;
	struct sched_feed	*f = fe->feed;
	struct write_job	*rec;
	size_t			 i;

	if (job->error == NULL) {
		fetch_stats.items_new += job->nnew;
		fetch_stats.items_updated += job->nupd;
		for (i = 0; i < job->nids; i++)
			server_item_stored(job->ids[i], job->isnew[i]);
		if (job->nnew > 0)
			writer_index_later();
		fetch_log(fe, job);
		write_job_free(job);
		fetch_done(fe, fe->outcome == FETCH_ERROR);
		return;
	}

	log_warnx("%s: %s", sched_feed_url(f), job->error);
	rec = xcalloc(1, sizeof *rec);
	rec->done = fetch_recorded;
	rec->arg = fe;
	rec->now = job->now;
	if (store_feed_get_id(feedd_store, job->feed.id, &rec->feed) != 0) {
		write_job_free(rec);
		write_job_free(job);
		fetch_done(fe, 1);
		return;
	}
	rec->feed.last_fetch = job->now;
	rec->feed.errors++;
	free(rec->feed.last_error);
	rec->feed.last_error = job->error;
	job->error = NULL;
	sched_plan(f, &rec->feed, NULL);
	write_job_free(job);
	writer_submit(rec);
}

/*
 * A poll ended with outcome oc: work out the feed's new row (validators,
 * status, error, the next due time) and hand it, with the parsed items, to
 * the writer, which stores it in one transaction.  fe then belongs to the
 * writer's callback, fetch_stored().  error is taken over.
 */
static void
fetch_store(struct fetch *fe, enum fetch_outcome oc, int http_status,
    char *error)
{
	const struct config	*cfg = feedd_config;
	struct store		*st = feedd_store;
	struct sched_feed	*f = fe->feed;
	const struct feed_meta	*meta = NULL;
	const char		*url = sched_feed_url(f);
	struct write_job	*job;
	struct store_feed	*sf;
	int64_t			 now = util_now(), hold = 0, cap;

	fetch_stats.polls++;
	fetch_stats.last_poll = now;
	fe->outcome = oc;
	fe->http_status = http_status;
	fe->error = error;
	job = xcalloc(1, sizeof *job);
	job->done = fetch_stored;
	job->arg = fe;
	job->now = now;
	sf = &job->feed;
	if (store_feed_get_id(st, sched_feed_id(f), sf) != 0) {
		/* Not even the feed's row: nothing to store. */
		log_warnx("%s: %s", url, store_errmsg(st));
		write_job_free(job);
		fetch_done(fe, 1);
		return;
	}
	sf->last_fetch = now;
	sf->http_status = http_status;
	if (fe->complete) {
		/* Only a chain that ended in a response says where it went. */
		free(sf->redirect_url);
		sf->redirect_url = fetch_dup(fe->redirect_url);
	}

	/* What the server said about when to come back. */
	cap = cfg->max_interval > 0 ? cfg->max_interval : FEEDD_MAX_INTERVAL;
	if (fe->max_age > 0)
		hold = now + (fe->max_age < cap ? fe->max_age : cap);
	else if (fe->max_age < 0 && fe->expires != DATE_NONE &&
	    fe->expires > now)
		hold = fe->expires < now + cap ? fe->expires : now + cap;
	if ((http_status == 429 || http_status == 503) &&
	    fe->retry_after > now) {
		cap = cfg->backoff_max > cap ? cfg->backoff_max : cap;
		hold = fe->retry_after < now + cap ? fe->retry_after :
		    now + cap;
	}
	sf->hold_until = hold;

	switch (oc) {
	case FETCH_OK:
		meta = parser_meta(fe->parser);
		if (meta->title != NULL) {
			free(sf->title);
			sf->title = xstrdup(meta->title);
		}
		if (meta->home_page_url != NULL) {
			free(sf->site_url);
			sf->site_url = xstrdup(meta->home_page_url);
		}
		/* FALLTHROUGH */
	case FETCH_NOT_MODIFIED:
		if (oc == FETCH_OK || fe->etag != NULL) {
			free(sf->etag);
			sf->etag = fetch_dup(fe->etag);
		}
		if (oc == FETCH_OK || fe->last_modified != NULL) {
			free(sf->last_modified);
			sf->last_modified = fetch_dup(fe->last_modified);
		}
		sf->last_success = now;
		sf->errors = 0;
		free(sf->last_error);
		sf->last_error = NULL;
		sf->gone = 0;
		break;
	case FETCH_GONE:
		sf->gone = 1;
		sf->errors = 0;
		free(sf->last_error);
		sf->last_error = xstrdup("410 Gone: not polled until the "
		    "feeds file changes");
		break;
	case FETCH_ERROR:
		sf->errors++;
		free(sf->last_error);
		sf->last_error = xstrdup(error);
		break;
	}
	sched_plan(f, sf, meta);

	if (oc == FETCH_OK) {
		/* The items move to the job; the parser has done its part. */
		job->parsed = 1;
		job->items = fe->items;
		job->nitems = fe->nitems;
		fe->items = NULL;
		fe->nitems = fe->itemsalloc = 0;
		job->keep_items = sched_feed_keep_items(f);
		job->keep_age = cfg->keep_age;
		job->keep_unread = cfg->keep_unread;
	}
	/* The transfer is over: let curl and the parser go now. */
	if (fe->easy != NULL) {
		curl_easy_cleanup(fe->easy);
		fe->easy = NULL;
	}
	if (fe->parser != NULL) {
		parser_free(fe->parser);
		fe->parser = NULL;
	}
	writer_submit(job);
}

/* The message for a failed transfer. */
static char *
fetch_error(struct fetch *fe, CURLcode rc)
{
	char	*s, *msg = NULL;
	int64_t	 max = feedd_config->max_body;

	if (fe->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		xasprintf(&s, "body exceeds max-body (%lld bytes)",
		    (long long)max);
		return (s);
	}
	if (fe->parse_failed && fe->parser != NULL) {
		if (parser_finish(fe->parser, &msg) != 0 && msg != NULL)
			return (msg);
		free(msg);
		return (xstrdup("parse error"));
	}
	if (rc == CURLE_TOO_MANY_REDIRECTS) {
		xasprintf(&s, "too many redirects (more than %d)",
		    FETCH_MAX_REDIRS);
		return (s);
	}
	if (rc == CURLE_UNSUPPORTED_PROTOCOL && fe->location != NULL) {
		xasprintf(&s, "redirect to %s refused: only http and https",
		    fe->location);
		return (s);
	}
	if (fe->errbuf[0] != '\0')
		return (xstrdup(fe->errbuf));
	return (xstrdup(curl_easy_strerror(rc)));
}

/* A transfer ended (curl's result in rc): decide, store, hand back. */
static void
fetch_finish(struct fetch *fe, CURLcode rc)
{
	struct sched_feed	*f = fe->feed;
	enum fetch_outcome	 oc;
	long			 code = 0;
	char			*error = NULL;

	TAILQ_REMOVE(&fetch_list, fe, entry);
	fetch_stats.in_flight--;
	curl_easy_getinfo(fe->easy, CURLINFO_RESPONSE_CODE, &code);
	fe->complete = rc == CURLE_OK;
	if (rc != CURLE_OK) {
		oc = FETCH_ERROR;
		error = fetch_error(fe, rc);
	} else if (code >= 200 && code <= 299) {
		if (fe->parser == NULL)
			fetch_parser_start(fe, sched_feed_url(f));
		if (parser_finish(fe->parser, &error) != 0) {
			oc = FETCH_ERROR;
			if (error == NULL)
				error = xstrdup("parse error");
		} else
			oc = FETCH_OK;
	} else if (code == 304)
		oc = FETCH_NOT_MODIFIED;
	else if (code == 410)
		oc = FETCH_GONE;
	else {
		oc = FETCH_ERROR;
		xasprintf(&error, "%ld%s%s", code, fe->reason != NULL ? " " :
		    "", fe->reason != NULL ? fe->reason : "");
	}
	fetch_store(fe, oc, (int)code, error);
}

/* ---------------------------------------------------------------- */
/* Starting a poll. */

/* Read a file:// feed from disk into the parser, then finish it. */
static void
fetch_file(struct fetch *fe)
{
	struct sched_feed *f = fe->feed;
	const char	*url = sched_feed_url(f);
	struct store_feed sf;
	struct stat	 sb;
	CURLU		*u;
	char		*path = NULL, *host = NULL, *error = NULL, *stamp;
	char		 buf[65536];
	ssize_t		 n;
	int		 fd = -1;
	enum fetch_outcome oc = FETCH_ERROR;

	if ((u = curl_url()) != NULL &&
	    curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK && curl_url_get(u, CURLUPART_PATH, &path,
	    CURLU_URLDECODE) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_HOST, &host, 0);
		if (host != NULL && *host != '\0' &&
		    strcasecmp(host, "localhost") != 0)
			error = xstrdup("file URL names another host");
	} else
		error = xstrdup("bad file URL");
	curl_url_cleanup(u);
	/* Never block the loop: a FIFO or device is refused, not read. */
	if (error == NULL && ((fd = open(path, O_RDONLY | O_CLOEXEC |
	    O_NONBLOCK)) == -1 || fstat(fd, &sb) != 0))
		xasprintf(&error, "%s: %s", path, strerror(errno));
	else if (error == NULL && !S_ISREG(sb.st_mode))
		xasprintf(&error, "%s: not a regular file", path);
	if (error != NULL)
		goto done;

	/* The file's size and mtime serve as its ETag. */
	xasprintf(&stamp, "\"%llx-%llx.%lx\"", (long long)sb.st_size,
	    (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec);
	memset(&sf, 0, sizeof sf);
	if (store_feed_get_id(feedd_store, sched_feed_id(fe->feed), &sf) ==
	    0 && sf.etag != NULL && strcmp(sf.etag, stamp) == 0) {
		oc = FETCH_NOT_MODIFIED;
		store_feed_clear(&sf);
		free(stamp);
		goto done;
	}
	store_feed_clear(&sf);
	fe->etag = stamp;
	fetch_parser_start(fe, url);
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(&error, "%s: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if (fetch_count(fe, (size_t)n) != 0) {
			error = fetch_error(fe, CURLE_OK);
			goto done;
		}
		if (parser_push(fe->parser, buf, (size_t)n) != 0)
			break;
	}
	if (parser_finish(fe->parser, &error) != 0) {
		if (error == NULL)
			error = xstrdup("parse error");
	} else
		oc = FETCH_OK;
done:
	if (fd != -1)
		close(fd);
	curl_free(path);
	curl_free(host);
	fetch_store(fe, oc, 0, error);
}

/*
 * Start polling one feed.  Always ends in sched_done(), now (local files,
 * setup errors) or when the transfer finishes.
 */
void
fetch_start(struct sched_feed *f)
{
	const struct config	*cfg = feedd_config;
	struct fetch		*fe;
	struct store_feed	 sf;
	const char		*url = sched_feed_url(f);
	char			*h;
	CURL			*e;
	CURLMcode		 mc;

	fe = xcalloc(1, sizeof *fe);
	fe->feed = f;
	fe->max_age = -1;
	fe->expires = DATE_NONE;
	fe->perm_chain = 1;
	if (strncasecmp(url, "file:", 5) == 0) {
		fetch_file(fe);
		return;
	}

	if ((e = fe->easy = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)fe);
	curl_easy_setopt(e, CURLOPT_SHARE, fetch_share);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, fe->errbuf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	/*
	 * Wait for a connection that can multiplex only where HTTP/2 is to
	 * be had (https): on plain http, PIPEWAIT queues new transfers
	 * behind one slow response from the same host.
	 */
	if (strncasecmp(url, "https:", 6) == 0)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, cfg->user_agent != NULL ?
	    cfg->user_agent : PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)cfg->connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)cfg->timeout);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
	    (long)cfg->low_speed_limit);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)cfg->low_speed_time);
	if (cfg->max_body > 0)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)cfg->max_body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, fe);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, fetch_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, fe);

	/* Conditional GET from the stored validators, sent verbatim. */
	memset(&sf, 0, sizeof sf);
	if (store_feed_get_id(feedd_store, sched_feed_id(f), &sf) == 0) {
		if (sf.etag != NULL && fetch_header_ok(sf.etag,
		    strlen(sf.etag))) {
			xasprintf(&h, "If-None-Match: %s", sf.etag);
			fe->headers = curl_slist_append(fe->headers, h);
			free(h);
		}
		if (sf.last_modified != NULL && fetch_header_ok(
		    sf.last_modified, strlen(sf.last_modified))) {
			xasprintf(&h, "If-Modified-Since: %s",
			    sf.last_modified);
			fe->headers = curl_slist_append(fe->headers, h);
			free(h);
		}
	}
	store_feed_clear(&sf);
	if (fe->headers != NULL)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, fe->headers);

	log_debug("%s: fetching", url);
	TAILQ_INSERT_TAIL(&fetch_list, fe, entry);
	fetch_stats.in_flight++;
	if ((mc = curl_multi_add_handle(fetch_multi, e)) != CURLM_OK) {
		log_warnx("%s: %s", url, curl_multi_strerror(mc));
		TAILQ_REMOVE(&fetch_list, fe, entry);
		fetch_stats.in_flight--;
		fetch_stats.polls++;
		fetch_stats.failed++;
		fetch_free_one(fe);
		sched_done(f, 1);
	}
}
