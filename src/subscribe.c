/*
 * subscribe.c: the daemon's subscription commands (see feedd(8)):
 * "subscribe" (check a feed, append its line to the feeds file, reload,
 * poll it now) and "unsubscribe" (comment its line out, reload, optionally
 * delete its items); and what discover.c ("discover", "fetch") shares
 * with them: the URL check, fetch.c's start under --stdio, the reasons.
 *
 * Every fetch goes through fetch.c on the loop, with the limits, the
 * User-Agent and the address policy of polls (a URL a user names is like
 * one in the feeds file: it may be on the LAN).  A request whose answer
 * waits for fetches, a reload or a poll holds its client (as server_cmd.c
 * does for writes); each request in flight is a struct sub on one list,
 * so that shutdown frees what is pending (subscribe_free()).
 *
 * Under feedd --stdio (no daemon) the same commands work: fetch.c is
 * started on first use, the feeds file is edited, and nothing is reloaded
 * or polled (the answer says "polled":false).
 *
 * Only http and https URLs are taken over the socket: a client must not
 * make the daemon read its local files.  A file: feed is written into the
 * feeds file by hand.
 */
#include <sys/queue.h>
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "feedd.h"
#include "proto.h"

#define SUB_MAX_TAGS		32
#define SUB_MAX_NAMES		256		/* feeds in one unsubscribe */

/* One request in flight. */
struct sub {
	int		 cmd;		/* PROTO_CMD_* */
	struct client	*c;
	json_t		*id;
	char		*url;

	/* subscribe */
	struct feed_conf fc;
	char		*line;
	int		 lineno;
	char		*doc_title;
	size_t		 nitems;
	int64_t		 feed_id;
	int		 waiting;	/* for its first poll */

	/* unsubscribe */
	json_t		*removed;
	int64_t		*purge;
	size_t		 npurge;
	struct write_job job;

	TAILQ_ENTRY(sub) entry;
};

static TAILQ_HEAD(, sub) sub_list = TAILQ_HEAD_INITIALIZER(sub_list);
static int	sub_fetch_own;		/* fetch.c started here (--stdio) */

/* A new request in flight; the client waits for its answer. */
static struct sub *
sub_new(int cmd, struct client *c, json_t *id)
{
	struct sub	*s;

	s = xcalloc(1, sizeof *s);
	s->cmd = cmd;
	s->c = c;
	s->id = json_incref(id != NULL ? id : json_null());
	s->fc.keep_items = -1;
	server_client_hold(c);
	TAILQ_INSERT_TAIL(&sub_list, s, entry);
	return (s);
}

/* Free a request (its client is released by sub_end() first). */
static void
sub_free(struct sub *s)
{
	size_t	i;

	TAILQ_REMOVE(&sub_list, s, entry);
	json_decref(s->id);
	free(s->url);
	free(s->fc.url);
	free(s->fc.title);
	for (i = 0; i < s->fc.ntags; i++)
		free(s->fc.tags[i]);
	free(s->fc.tags);
	free(s->line);
	free(s->doc_title);
	json_decref(s->removed);
	free(s->purge);
	free(s->job.error);
	free(s);
}

/* Answer (o, or nothing if NULL), let the client go, free the request. */
static void
sub_end(struct sub *s, json_t *o)
{
	if (server_client_alive(s->c) && o != NULL)
		server_reply(s->c, o);
	else
		json_decref(o);
	server_client_release(s->c);
	sub_free(s);
}

/*
 * Make sure fetch.c runs: the daemon started it; under --stdio it is
 * started on first use.  Returns 0, or -1 with *cause.
 */
int
subscribe_fetch_ready(char **cause)
{
	if (server_daemon() != NULL || sub_fetch_own)
		return (0);
	if (feedd_config == NULL) {
		*cause = xstrdup("no configuration");
		return (-1);
	}
	if (fetch_init(feedd_config, cause) != 0)
		return (-1);
	sub_fetch_own = 1;
	return (0);
}

/* Whether url is an absolute http or https URL with a host. */
int
subscribe_url_ok(const char *url)
{
	const char	*p;

	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return (0);
	if (*p == '\0' || *p == '/' || *p == '?' || *p == '#')
		return (0);
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return (0);
	return (1);
}

/* The "url" member, an http(s) URL; NULL after an error answer. */
const char *
subscribe_get_url(struct client *c, json_t *id, json_t *req)
{
	json_t		*v = json_object_get(req, "url");
	const char	*url;

	if (!json_is_string(v) || *(url = json_string_value(v)) == '\0') {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"url\" is a string: the URL"));
		return (NULL);
	}
	if (!subscribe_url_ok(url)) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "%.300s: not an absolute http or https URL", url));
		return (NULL);
	}
	return (url);
}

/* Start a fetch of url for s; cb(result, s) later (or now). */
static void
sub_fetch(struct sub *s, const char *url, int keep_body, fetch_done_cb cb)
{
	struct fetch_request	req;

	memset(&req, 0, sizeof req);
	req.url = url;
	req.keep_body = keep_body;
	fetch_start(&req, cb, s);
}

/* Why a fetch failed, as "reason" (the caller names the URL). */
const char *
subscribe_reason(const struct fetch_result *r)
{
	if (r->outcome == FETCH_GONE)
		return ("410 Gone");
	if (r->outcome == FETCH_NOT_MODIFIED)
		return ("304 Not Modified");
	return (r->error != NULL ? r->error : "failed");
}

/* ---------------------------------------------------------------- */
/* subscribe */

/* The feeds file of the running configuration; NULL if none. */
static const char *
sub_feeds_path(void)
{
	return (feedd_config != NULL ? feedd_config->feeds_path : NULL);
}

/*
 * Read the feeds file into a new config (an absent file: no feeds).
 * NULL and *cause on an error.
 */
static struct config *
sub_feeds_load(const char *path, char **cause)
{
	struct config	*cfg;
	FILE		*fp;

	cfg = config_new();
	if ((fp = fopen(path, "r")) == NULL && errno == ENOENT)
		return (cfg);
	if (fp != NULL)
		fclose(fp);
	if (config_load_feeds(cfg, path, cause) != 0) {
		config_free(cfg);
		return (NULL);
	}
	return (cfg);
}

/* The answer to a subscribe: the feed, its items, where its line is. */
static void
sub_subscribed(struct sub *s, int polled)
{
	struct store_feed	 f;
	struct buf		 tags = { NULL, 0, 0 };
	json_t			*o;
	int64_t			 items = (int64_t)s->nitems;
	size_t			 i;

	memset(&f, 0, sizeof f);
	if (s->feed_id == 0 || store_feed_get_id(feedd_store, s->feed_id,
	    &f) != 0) {
		store_feed_clear(&f);
		memset(&f, 0, sizeof f);
		f.url = xstrdup(s->fc.url);
		f.title = s->doc_title != NULL ? xstrdup(s->doc_title) : NULL;
		f.conf_title = s->fc.title != NULL ? xstrdup(s->fc.title) :
		    NULL;
		for (i = 0; i < s->fc.ntags; i++)
			buf_printf(&tags, "%s%s", i > 0 ? "\n" : "",
			    s->fc.tags[i]);
		f.tags = tags.data;	/* store_feed_clear() frees it */
		f.active = 1;
	} else if (polled)
		items = f.item_count;
	o = proto_ok(s->id);
	json_object_set_new(o, "feed", proto_feed_json(&f, 0));
	json_object_set_new(o, "items", json_integer(items));
	json_object_set_new(o, "file", proto_string(sub_feeds_path()));
	json_object_set_new(o, "line", json_integer(s->lineno));
	json_object_set_new(o, "polled", json_boolean(polled));
	store_feed_clear(&f);
	sub_end(s, o);
}

/*
 * A feed's poll is over (poll.c): answer the subscribes that wait for it.
 */
void
subscribe_polled(int64_t feed_id, int failed)
{
	struct sub	*s, *s1;

	for (s = TAILQ_FIRST(&sub_list); s != NULL; s = s1) {
		s1 = TAILQ_NEXT(s, entry);
		if (s->waiting && s->feed_id == feed_id) {
			s->waiting = 0;
			sub_subscribed(s, 1);
		}
	}
}

/* The daemon reloaded with the new line: poll the feed now. */
static void
sub_reloaded(const char *error, void *arg)
{
	struct sub	*s = arg;
	int64_t		 fid;

	if (error != NULL) {
		sub_end(s, proto_error(s->id, PROTO_E_RELOAD, "%s:%d written, "
		    "but the reload failed: %s", sub_feeds_path(), s->lineno,
		    error));
		return;
	}
	if (store_feed_lookup(feedd_store, s->fc.url, &fid) != 0) {
		sub_subscribed(s, 0);
		return;
	}
	s->feed_id = fid;
	s->waiting = 1;
	server_daemon()->refresh(&fid, 1, 1, NULL, NULL);
}

/* Write the line, then reload (daemon) or answer (--stdio). */
static void
sub_write(struct sub *s)
{
	struct config	*cfg;
	const char	*path = sub_feeds_path();
	char		*cause = NULL;
	json_t		*o, *e;
	size_t		 i;
	int		 saved;

	if (path == NULL) {
		sub_end(s, proto_error(s->id, PROTO_E_FILE, "no feeds file "
		    "configured"));
		return;
	}
	/* Checked again now: the file may have changed while we fetched. */
	if ((cfg = sub_feeds_load(path, &cause)) == NULL) {
		sub_end(s, proto_error(s->id, PROTO_E_FILE, "%s", cause));
		free(cause);
		return;
	}
	for (i = 0; i < cfg->nfeeds; i++) {
		if (feedsfile_url_same(cfg->feeds[i].url, s->fc.url)) {
			sub_end(s, proto_error(s->id, PROTO_E_EXISTS,
			    "%.300s is already in %s:%d", s->fc.url, path,
			    cfg->feeds[i].line));
			config_free(cfg);
			return;
		}
	}
	config_free(cfg);
	if (feedsfile_append(path, s->line, &s->lineno, &cause) != 0) {
		saved = errno;
		o = proto_error(s->id, PROTO_E_FILE, "%s", cause);
		/*
		 * A system feedd whose feeds file is root's: the client may
		 * write it itself (feedctl does) and ask for a reload.
		 */
		if (saved == EACCES || saved == EPERM || saved == EROFS) {
			e = json_object_get(o, "error");
			json_object_set_new(e, "file", proto_string(path));
			json_object_set_new(e, "denied", json_true());
		}
		sub_end(s, o);
		free(cause);
		return;
	}
	log_info("%s:%d: subscribed to %s", path, s->lineno, s->fc.url);
	if (server_daemon() == NULL) {
		sub_subscribed(s, 0);
		return;
	}
	server_daemon()->reload(sub_reloaded, s);
}

/* The feed is fetched (the check before writing). */
static void
sub_checked_cb(struct fetch_result *r, void *arg)
{
	struct sub	*s = arg;

	if (r->outcome != FETCH_OK) {
		sub_end(s, proto_error(s->id, PROTO_E_FETCH, "%.300s: %s",
		    s->url, subscribe_reason(r)));
		fetch_result_free(r);
		return;
	}
	s->nitems = r->nitems;
	if (r->meta.title != NULL)
		s->doc_title = xstrdup(r->meta.title);
	fetch_result_free(r);
	sub_write(s);
}

/* Fill s->fc from the request; -1 after an error answer. */
static int
sub_request_conf(struct sub *s, json_t *req)
{
	json_t		*v, *e;
	const char	*t;
	size_t		 i;

	v = json_object_get(req, "title");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v)) {
			sub_end(s, proto_error(s->id, PROTO_E_BAD_REQUEST,
			    "\"title\" is a string"));
			return (-1);
		}
		if (*json_string_value(v) != '\0')
			s->fc.title = xstrdup(json_string_value(v));
	}
	v = json_object_get(req, "tags");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) > SUB_MAX_TAGS) {
			sub_end(s, proto_error(s->id, PROTO_E_BAD_REQUEST,
			    "\"tags\" is an array of at most %d strings",
			    SUB_MAX_TAGS));
			return (-1);
		}
		s->fc.tags = xcalloc(json_array_size(v) + 1,
		    sizeof *s->fc.tags);
		json_array_foreach(v, i, e) {
			if (!json_is_string(e)) {
				sub_end(s, proto_error(s->id,
				    PROTO_E_BAD_REQUEST,
				    "\"tags\" is an array of strings"));
				return (-1);
			}
			s->fc.tags[s->fc.ntags++] =
			    xstrdup(json_string_value(e));
		}
	}
	v = json_object_get(req, "every");
	if (v != NULL && !json_is_null(v)) {
		t = json_is_string(v) ? json_string_value(v) : NULL;
		if (t == NULL || util_parse_duration(t, &s->fc.every) != 0 ||
		    s->fc.every < 1) {
			sub_end(s, proto_error(s->id, PROTO_E_BAD_REQUEST,
			    "\"every\" is a duration such as 30m or 2h"));
			return (-1);
		}
	}
	return (0);
}

/*
 * Make the feeds-file line and read it back with the real parser: the
 * same URL, title and tags, or the request is refused.
 */
static int
sub_make_line(struct sub *s)
{
	struct buf		 b = { NULL, 0, 0 };
	struct config		*back;
	const struct feed_conf	*fc;
	char			*cause = NULL;
	size_t			 i;
	int			 same;

	if (feedsfile_format(&b, &s->fc, &cause) != 0 ||
	    (back = config_parse_feed_line(b.data, &cause)) == NULL) {
		sub_end(s, proto_error(s->id, PROTO_E_BAD_REQUEST, "%s",
		    cause != NULL ? cause : "bad line"));
		free(cause);
		buf_free(&b);
		return (-1);
	}
	fc = back->nfeeds == 1 ? &back->feeds[0] : NULL;
	same = fc != NULL && strcmp(fc->url, s->fc.url) == 0 &&
	    fc->ntags == s->fc.ntags && fc->every == s->fc.every &&
	    ((fc->title == NULL && s->fc.title == NULL) ||
	    (fc->title != NULL && s->fc.title != NULL &&
	    strcmp(fc->title, s->fc.title) == 0));
	for (i = 0; same && i < fc->ntags; i++)
		same = strcmp(fc->tags[i], s->fc.tags[i]) == 0;
	config_free(back);
	if (!same) {
		sub_end(s, proto_error(s->id, PROTO_E_BAD_REQUEST, "the line "
		    "\"%.300s\" would not read back as given (a repeated "
		    "tag?)", b.data));
		buf_free(&b);
		return (-1);
	}
	s->line = b.data;
	return (0);
}

/*
 * "subscribe": {"url":F,"tags":[...],"title":T,"every":D,"force":B}
 * fetches and parses F (unless force), appends its line to the feeds
 * file, reloads and polls it; answers {"feed":{...},"items":N,"file":P,
 * "line":L,"polled":B}.
 */
void
subscribe_subscribe(struct client *c, json_t *id, json_t *req)
{
	struct sub	*s;
	struct config	*cfg;
	const char	*url, *path = sub_feeds_path();
	char		*cause = NULL;
	int		 force = 0;
	size_t		 i;

	if ((url = subscribe_get_url(c, id, req)) == NULL)
		return;
	if (proto_get_bool(req, "force", &force) != 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"force\" is a boolean"));
		return;
	}
	if (path == NULL) {
		server_reply(c, proto_error(id, PROTO_E_FILE,
		    "no feeds file configured"));
		return;
	}
	s = sub_new(PROTO_CMD_SUBSCRIBE, c, id);
	s->url = xstrdup(url);
	s->fc.url = xstrdup(url);
	if (sub_request_conf(s, req) != 0 || sub_make_line(s) != 0)
		return;
	if ((cfg = sub_feeds_load(path, &cause)) == NULL) {
		sub_end(s, proto_error(id, PROTO_E_FILE, "%s", cause));
		free(cause);
		return;
	}
	for (i = 0; i < cfg->nfeeds; i++) {
		if (feedsfile_url_same(cfg->feeds[i].url, url)) {
			sub_end(s, proto_error(id, PROTO_E_EXISTS,
			    "%.300s is already in %s:%d", url, path,
			    cfg->feeds[i].line));
			config_free(cfg);
			return;
		}
	}
	config_free(cfg);
	if (force) {
		sub_write(s);
		return;
	}
	if (subscribe_fetch_ready(&cause) != 0) {
		sub_end(s, proto_error(id, PROTO_E_INTERNAL, "%s", cause));
		free(cause);
		return;
	}
	sub_fetch(s, s->url, 0, sub_checked_cb);
}

/* ---------------------------------------------------------------- */
/* unsubscribe */

/* On the writer thread: delete the purged feeds with their items. */
static int
sub_purge_write(struct store *st, struct write_job *job)
{
	struct sub	*s = job->arg;
	size_t		 i;

	for (i = 0; i < s->npurge; i++)
		if (store_feed_delete(st, s->purge[i]) != 0)
			return (-1);
	return (0);
}

/* The purge is written (or not): answer. */
static void
sub_purged(struct write_job *job)
{
	struct sub	*s = job->arg;
	json_t		*o;

	if (job->error != NULL) {
		sub_end(s, proto_error(s->id, PROTO_E_INTERNAL, "lines "
		    "commented out, but the purge failed: store: %s",
		    job->error));
		return;
	}
	o = proto_ok(s->id);
	json_object_set_new(o, "removed", json_incref(s->removed));
	json_object_set_new(o, "purged", json_integer((json_int_t)s->npurge));
	sub_end(s, o);
}

/* The lines are out (and the daemon reloaded): purge, or answer. */
static void
sub_unsubscribed(const char *error, void *arg)
{
	struct sub	*s = arg;

	if (error != NULL) {
		sub_end(s, proto_error(s->id, PROTO_E_RELOAD, "lines commented "
		    "out, but the reload failed: %s", error));
		return;
	}
	s->job.arg = s;
	if (s->npurge > 0) {
		s->job.write = sub_purge_write;
		s->job.done = sub_purged;
		writer_submit(&s->job);
		return;
	}
	sub_purged(&s->job);
}

/*
 * The feeds-file feed that name (URL, title, or a store id/URL/title)
 * names; NULL if none.
 */
static const struct feed_conf *
sub_name_lookup(const struct config *cfg, json_t *v, const char **namep)
{
	struct store_feed	 f;
	const char		*name = NULL;
	char			*url = NULL;
	const struct feed_conf	*fc = NULL;
	int64_t			 fid;
	size_t			 i;

	memset(&f, 0, sizeof f);
	if (json_is_integer(v)) {
		fid = json_integer_value(v);
		if (store_feed_get_id(feedd_store, fid, &f) == 0)
			url = xstrdup(f.url);
	} else {
		name = json_string_value(v);
		for (i = 0; i < cfg->nfeeds && fc == NULL; i++)
			if (feedsfile_url_same(cfg->feeds[i].url, name))
				fc = &cfg->feeds[i];
		for (i = 0; i < cfg->nfeeds && fc == NULL; i++)
			if (cfg->feeds[i].title != NULL &&
			    strcasecmp(cfg->feeds[i].title, name) == 0)
				fc = &cfg->feeds[i];
		if (fc == NULL && store_feed_lookup(feedd_store, name,
		    &fid) == 0 && store_feed_get_id(feedd_store, fid, &f) == 0)
			url = xstrdup(f.url);
	}
	store_feed_clear(&f);
	for (i = 0; url != NULL && i < cfg->nfeeds && fc == NULL; i++)
		if (feedsfile_url_same(cfg->feeds[i].url, url))
			fc = &cfg->feeds[i];
	free(url);
	*namep = name;
	return (fc);
}

/*
 * "unsubscribe": {"feeds":[NAME,...],"purge":B} comments each feed's line
 * out ("# removed by feedctl YYYY-MM-DD: "), reloads, and with purge
 * deletes the feed and its items; answers {"removed":[{"url","file",
 * "line"},...]}.  An unknown name changes nothing.
 */
void
subscribe_unsubscribe(struct client *c, json_t *id, json_t *req)
{
	struct sub		*s;
	struct config		*cfg;
	const struct feed_conf	*fc;
	const char		*path = sub_feeds_path(), *name;
	json_t			*v, *e, *o;
	char			*cause = NULL, prefix[64], *num;
	int			*lines = NULL, *ul = NULL, purge = 0, nl, k;
	int			 saved;
	size_t			 i, j, n = 0;
	int64_t			 fid;

	v = json_object_get(req, "feeds");
	if (json_is_string(v) || json_is_integer(v)) {
		e = json_array();
		json_array_append(e, v);
		v = e;
	} else
		json_incref(v);
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > SUB_MAX_NAMES ||
	    proto_get_bool(req, "purge", &purge) != 0) {
		json_decref(v);
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "unsubscribe needs \"feeds\": 1 to %d URLs, ids or titles "
		    "(and \"purge\", a boolean)", SUB_MAX_NAMES));
		return;
	}
	if (path == NULL || (cfg = sub_feeds_load(path, &cause)) == NULL) {
		json_decref(v);
		server_reply(c, proto_error(id, PROTO_E_FILE, "%s",
		    cause != NULL ? cause : "no feeds file configured"));
		free(cause);
		return;
	}
	s = sub_new(PROTO_CMD_UNSUBSCRIBE, c, id);
	s->removed = json_array();
	s->purge = xcalloc(json_array_size(v), sizeof *s->purge);
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) && !json_is_integer(e)) {
			sub_end(s, proto_error(id, PROTO_E_BAD_REQUEST,
			    "a feed is named by its URL, id or title"));
			goto out;
		}
		if ((fc = sub_name_lookup(cfg, e, &name)) == NULL) {
			if (name != NULL)
				sub_end(s, proto_error(id, PROTO_E_NOT_FOUND,
				    "no feed \"%.200s\" in %s", name, path));
			else
				sub_end(s, proto_error(id, PROTO_E_NOT_FOUND,
				    "no feed with id %lld in %s",
				    (long long)json_integer_value(e), path));
			goto out;
		}
		for (j = 0; j < n; j++)
			if (lines[j] == fc->line)
				break;
		if (j < n)
			continue;
		/* Every line of that URL (config.c merged them into one). */
		if ((nl = feedsfile_url_lines(path, fc->url, &ul,
		    &cause)) < 0) {
			sub_end(s, proto_error(id, PROTO_E_FILE, "%s", cause));
			free(cause);
			goto out;
		}
		if (nl == 0) {		/* the file changed meanwhile */
			ul = xreallocarray(ul, 1, sizeof *ul);
			ul[nl++] = fc->line;
		}
		lines = xreallocarray(lines, n + (size_t)nl, sizeof *lines);
		for (k = 0; k < nl; k++) {
			lines[n++] = ul[k];
			json_array_append_new(s->removed, json_pack(
			    "{s:o, s:o, s:i}", "url", proto_string(fc->url),
			    "file", proto_string(path), "line", ul[k]));
		}
		free(ul);
		if (purge && store_feed_lookup(feedd_store, fc->url,
		    &fid) == 0)
			s->purge[s->npurge++] = fid;
	}
	feedsfile_removed_prefix(prefix, sizeof prefix);
	if (feedsfile_comment(path, lines, n, prefix, &cause) != 0) {
		saved = errno;
		o = proto_error(id, PROTO_E_FILE, "%s", cause);
		/* As for subscribe: the client may comment them out. */
		if (saved == EACCES || saved == EPERM || saved == EROFS) {
			e = json_object_get(o, "error");
			json_object_set_new(e, "file", proto_string(path));
			json_object_set_new(e, "denied", json_true());
			json_object_set_new(e, "removed",
			    json_incref(s->removed));
		}
		sub_end(s, o);
		free(cause);
		goto out;
	}
	for (j = 0; j < n; j++) {
		xasprintf(&num, "%d", lines[j]);
		log_info("%s:%s: unsubscribed", path, num);
		free(num);
	}
	if (server_daemon() != NULL)
		server_daemon()->reload(sub_unsubscribed, s);
	else
		sub_unsubscribed(NULL, s);
out:
	free(lines);
	config_free(cfg);
	json_decref(v);
}

/*
 * At shutdown, after fetch.c stopped its transfers (or here, under
 * --stdio, where this file started it): free what is still pending.
 */
void
subscribe_free(void)
{
	struct sub	*s;

	if (sub_fetch_own) {
		fetch_free();
		sub_fetch_own = 0;
	}
	while ((s = TAILQ_FIRST(&sub_list)) != NULL)
		sub_free(s);
	discover_free();
}
