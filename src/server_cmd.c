/*
 * server_cmd.c: the daemon's answers to protocol requests (see proto.h and
 * feedd(8)), one handler per command, dispatched from one table whose
 * flags say what a command needs.  server.c owns the socket, the clients
 * and their buffers, and hands each parsed request to
 * server_cmd_dispatch(); the handlers read the store through the loop
 * thread's read-only connection (feedd_store), hand writes to the writer
 * thread (writer.c) and answer with server_reply().
 *
 * A request whose answer waits for a write (mark, reload, a search that
 * needs the index brought up to date) holds its client
 * (server_client_hold()): the client's next requests wait in its buffer,
 * in order, and every other client and the polling go on; the job's
 * callback answers and lets the client go (server_client_release()).
 * What needs the running daemon (refresh, reload, follow) answers
 * "offline" under feedd --stdio, where server.c has no daemon hooks.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "feedd.h"
#include "proto.h"

#define SERVER_PAGE		1000		/* rows per listing query */
#define SERVER_MAX_REFS		4096		/* feeds or ids in a request */
#define SERVER_FOLLOW_QUEUE	100000		/* events a follower may owe */

/* What a command needs (the flags of its table entry). */
#define SERVER_CMD_DAEMON	0x1	/* the running daemon: not --stdio */
#define SERVER_CMD_INDEX	0x2	/* a "search" waits for the index */

/*
 * A listing ("items", "feeds") produced a page at a time as the client
 * drains, so that no answer depends on the store fitting an output cap.
 */
struct server_stream {
	json_t		*id;		/* the request's id */
	int		 feeds;		/* a "feeds" listing, else items */
	struct store_query q;
	int64_t		*feed_ids;	/* owned copies behind q */
	char		*tag;
	char		*search;
	int		 content;	/* include item content */
	int64_t		 limit;		/* 0: all */
	int64_t		 skip;		/* "offset": rows skipped first */
	int64_t		 emitted;
	int64_t		 cursor;

	/*
	 * Keyset paging: the sort key (date, id) of the last row sent.  The
	 * next page starts right after it, so each page costs the same
	 * however deep the listing is (OFFSET would rescan every row before
	 * it).  Dates 0 and -1 cannot be bounds (0 means "no constraint" in
	 * struct store_query), so past such a row the listing falls back to
	 * OFFSET paging.
	 */
	int		 have_last;
	int		 offset_mode;
	int64_t		 last_date;
	int64_t		 last_id;
	int64_t		 since;		/* the request's own bounds */
	int64_t		 until;
	int64_t		 after;

	/* "total": how many items the listing has in all, in how many feeds. */
	int		 want_total;
	int		 brief;		/* feeds: a table's members only */
	int		 only_gone;	/* feeds: the gone ones only */
	int64_t		 total;
	int64_t		 total_feeds;
	int64_t		 unindexed;	/* a search: items it cannot see */

	/* "feeds": the last feed sent, by sort key and id. */
	int		 only_active;
	char		*last_key;
	int64_t		 last_feed;
};

static void	server_cmd_feeds_fill(struct client *);

/* Free what a request's filters own (server_cmd_query()). */
static void
server_cmd_query_clear(struct server_stream *s)
{
	free(s->feed_ids);
	free(s->tag);
	free(s->search);
	free(s->last_key);
	s->feed_ids = NULL;
	s->tag = s->search = s->last_key = NULL;
}

/* Free a listing. */
void
server_cmd_stream_free(struct server_stream *s)
{
	if (s == NULL)
		return;
	json_decref(s->id);
	server_cmd_query_clear(s);
	free(s);
}

/*
 * Resolve one feed reference (numeric id, URL or title; a number in a
 * string counts as an id when such a feed exists).  Returns 0, or -1 with
 * an error response in *errp.
 */
int
server_cmd_feed_ref(json_t *id, json_t *v, int64_t *out, json_t **errp)
{
	struct store_feed	 f;
	const char		*s;
	int			 rc;

	if (json_is_integer(v)) {
		memset(&f, 0, sizeof f);
		if (store_feed_get_id(feedd_store, json_integer_value(v),
		    &f) != 0) {
			*errp = proto_error(id, PROTO_E_NOT_FOUND,
			    "no feed with id %lld",
			    (long long)json_integer_value(v));
			return (-1);
		}
		*out = f.id;
		store_feed_clear(&f);
		return (0);
	}
	if (!json_is_string(v) || *json_string_value(v) == '\0') {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "a feed is named by its URL, id or title");
		return (-1);
	}
	s = json_string_value(v);
	rc = store_feed_lookup(feedd_store, s, out);
	if (rc == 0)
		return (0);
	if (rc == -1)
		*errp = proto_error(id, PROTO_E_NOT_FOUND, "no feed \"%.200s\"",
		    s);
	else
		*errp = proto_error(id, PROTO_E_AMBIGUOUS,
		    "\"%.200s\" names more than one feed; use its URL or id",
		    s);
	return (-1);
}

/*
 * Resolve the optional member key (one feed reference or an array of them)
 * into a new array of feed ids.  Returns 0 (with *n 0 when absent) or -1
 * with an error response.
 */
int
server_cmd_feed_refs(json_t *id, json_t *req, const char *key,
    int64_t **ids, size_t *n, json_t **errp)
{
	json_t	*v, *e;
	size_t	 i;

	*ids = NULL;
	*n = 0;
	v = json_object_get(req, key);
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_array(v)) {
		*ids = xmalloc(sizeof **ids);
		if (server_cmd_feed_ref(id, v, &(*ids)[0], errp) != 0) {
			free(*ids);
			*ids = NULL;
			return (-1);
		}
		*n = 1;
		return (0);
	}
	if (json_array_size(v) > SERVER_MAX_REFS) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "too many feeds (at most %d)", SERVER_MAX_REFS);
		return (-1);
	}
	*ids = xreallocarray(NULL, json_array_size(v) + 1, sizeof **ids);
	json_array_foreach(v, i, e) {
		if (server_cmd_feed_ref(id, e, &(*ids)[*n], errp) != 0) {
			free(*ids);
			*ids = NULL;
			*n = 0;
			return (-1);
		}
		(*n)++;
	}
	return (0);
}

/* Get an optional string member; -1 if present but not a string. */
static int
server_cmd_get_str(json_t *req, const char *key, const char **out)
{
	json_t	*v;

	v = json_object_get(req, key);
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_string(v))
		return (-1);
	*out = json_string_value(v);
	return (0);
}

/*
 * Check that some feed carries tag (NULL: no tag asked): an unknown tag is
 * an error naming it, as an unknown feed is, not an empty answer.  Returns
 * 0 or -1 with an error response in *errp.
 */
static int
server_cmd_tag_known(json_t *id, const char *tag, json_t **errp)
{
	int	rc;

	if (tag == NULL || (rc = store_feed_has_tag(feedd_store, 0, tag)) == 1)
		return (0);
	if (rc == 0)
		*errp = proto_error(id, PROTO_E_NOT_FOUND, "no tag \"%.200s\"",
		    tag);
	else
		*errp = proto_error(id, PROTO_E_INTERNAL, "store: %s",
		    store_errmsg(feedd_store));
	return (-1);
}

/*
 * Fill a store query from a request's filters: unread, starred, feed, tag,
 * since, until, search, cursor, after.  The strings and arrays it points to
 * are put in s (owned).  Returns 0 or -1 with an error response.
 */
static int
server_cmd_query(json_t *id, json_t *req, struct server_stream *s,
    json_t **errp)
{
	struct store_query	*q = &s->q;
	const char		*tag = NULL, *search = NULL, *order = NULL;
	int			 unread = 0, starred = 0, oldest = 0, updated = 0;
	int			 hidden = 1, unstarred = 0;
	int			 rd = 0;

	if (proto_get_bool(req, "unread", &unread) != 0 ||
	    proto_get_bool(req, "read", &rd) != 0 ||
	    proto_get_bool(req, "starred", &starred) != 0 ||
	    proto_get_bool(req, "unstarred", &unstarred) != 0 ||
	    proto_get_bool(req, "updated", &updated) != 0 ||
	    proto_get_bool(req, "oldest_first", &oldest) != 0 ||
	    proto_get_bool(req, "content", &s->content) != 0 ||
	    proto_get_bool(req, "hidden", &hidden) != 0) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "unread, read, starred, unstarred, updated, "
		    "oldest_first, content and hidden are booleans");
		return (-1);
	}
	if (starred && unstarred) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "starred and unstarred exclude each other");
		return (-1);
	}
	q->unread = unread;
	q->read = rd;
	q->starred = starred;
	q->unstarred = unstarred;
	q->updated = updated;
	q->oldest_first = oldest;
	if (proto_get_time(req, "since", &q->since) != 0 ||
	    proto_get_time(req, "until", &q->until) != 0) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "since and until are unix seconds or RFC 3339 times");
		return (-1);
	}
	if (proto_get_int(req, "limit", 0, INT64_MAX, &s->limit) != 0 ||
	    proto_get_int(req, "cursor", 0, INT64_MAX, &s->cursor) != 0 ||
	    proto_get_int(req, "after", 0, INT64_MAX, &q->after_id) != 0 ||
	    proto_get_int(req, "offset", 0, INT64_MAX, &s->skip) != 0) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "limit, cursor, after and offset are whole numbers >= 0");
		return (-1);
	}
	if (s->skip > 0)
		s->offset_mode = 1;	/* no key to continue after */
	if (server_cmd_get_str(req, "tag", &tag) != 0 ||
	    server_cmd_get_str(req, "search", &search) != 0) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "tag and search are strings");
		return (-1);
	}
	if (search != NULL && *search == '\0') {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "empty search");
		return (-1);
	}
	if (server_cmd_get_str(req, "order", &order) != 0 ||
	    (order != NULL && strcmp(order, "date") != 0 &&
	    strcmp(order, "rank") != 0 && strcmp(order, "id") != 0)) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "order is \"date\", \"id\" or \"rank\"");
		return (-1);
	}
	/* By id: the id is the key to continue after (keyset paging). */
	if (order != NULL && strcmp(order, "id") == 0)
		q->by_id = 1;
	if (order != NULL && strcmp(order, "rank") == 0) {
		if (search == NULL) {
			*errp = proto_error(id, PROTO_E_BAD_REQUEST,
			    "order \"rank\" needs a search");
			return (-1);
		}
		/* Pages by offset: a rank is no key to continue after. */
		q->rank = s->offset_mode = 1;
	}
	if (server_cmd_tag_known(id, tag, errp) != 0 ||
	    server_cmd_feed_refs(id, req, "feed", &s->feed_ids, &q->nfeed_ids,
	    errp) != 0)
		return (-1);
	q->feed_ids = s->feed_ids;
	if (tag != NULL)
		q->tag = s->tag = xstrdup(tag);
	if (search != NULL)
		q->search = s->search = xstrdup(search);
	/* "hidden":false (new): no '!' feeds, unless feed or tag names them. */
	/* Filtered only when a feed is hidden (an index probe says). */
	q->no_hidden = !hidden && tag == NULL && q->nfeed_ids == 0 &&
	    store_any_hidden(feedd_store) != 0;
	return (0);
}

/* store_items() callback for a listing: one line per item. */
static int
server_cmd_stream_item_cb(const struct store_item *it, void *arg)
{
	struct client		*c = arg;
	struct server_stream	*s = server_client_stream(c);
	json_t			*o;

	o = proto_ok(s->id);
	json_object_set_new(o, "item", proto_item_json(it));
	server_reply(c, o);
	s->emitted++;
	s->have_last = 1;
	/* The item's date as the store orders by it (STORE_ITEM_DATE). */
	s->last_date = it->published != DATE_NONE ? it->published :
	    it->updated != DATE_NONE ? it->updated : it->first_seen;
	if (it->junk_date)
		s->last_date = it->first_seen;
	if (s->last_date > it->first_seen + 86400)
		s->last_date = it->first_seen + 86400;
	s->last_id = it->id;
	return (!server_client_alive(c));
}

/* Run one page query of a listing; returns the rows sent or -1. */
static int64_t
server_cmd_stream_query(struct client *c, struct store_query *q,
    int64_t limit)
{
	struct server_stream	*s = server_client_stream(c);
	int			 n;

	q->limit = limit;
	n = store_items(feedd_store, q, s->content, server_cmd_stream_item_cb,
	    c);
	if (n < 0) {
		log_warnx("client %u: items: %s", server_client_num(c),
		    store_errmsg(feedd_store));
		server_reply(c, proto_error(s->id,
		    PROTO_E_INTERNAL, "store: %s", store_errmsg(feedd_store)));
		return (-1);
	}
	return (n);
}

/*
 * The next page of a listing, after the row (D, I) last sent: first the
 * rest of the rows dated D (ids beyond I), then rows dated beyond D.
 * Returns the rows sent, or -1.
 */
static int64_t
server_cmd_stream_keyset(struct client *c, int64_t page)
{
	struct server_stream	*s = server_client_stream(c);
	struct store_query	 q;
	int64_t			 d = s->last_date, got, more;

	/* Rows dated exactly d, past the last id in listing order. */
	q = s->q;
	q.offset = 0;
	q.since = s->since != 0 && s->since > d ? s->since : d;
	q.until = s->until != 0 && s->until < d + 1 ? s->until : d + 1;
	if (s->q.oldest_first) {
		q.after_id = s->after > s->last_id ? s->after : s->last_id;
		q.max_id = s->cursor;
	} else {
		q.after_id = s->after;
		q.max_id = s->last_id - 1 < s->cursor ? s->last_id - 1 :
		    s->cursor;
	}
	if (q.max_id <= 0 || q.since >= q.until)
		got = 0;
	else if ((got = server_cmd_stream_query(c, &q, page)) < 0)
		return (-1);
	if (got == page || !server_client_alive(c))
		return (got);

	/* Then rows dated beyond d. */
	q = s->q;
	q.offset = 0;
	q.max_id = s->cursor;
	if (s->q.oldest_first)
		q.since = d + 1;
	else
		q.until = d;
	if ((more = server_cmd_stream_query(c, &q, page - got)) < 0)
		return (-1);
	return (got + more);
}

/*
 * The next page of a listing by id, after the id last sent.  Returns the
 * rows sent, or -1.
 */
static int64_t
server_cmd_stream_keyset_id(struct client *c, int64_t page)
{
	struct server_stream	*s = server_client_stream(c);
	struct store_query	 q;

	q = s->q;
	q.offset = 0;
	q.max_id = s->cursor;
	if (s->q.oldest_first)
		q.after_id = s->after > s->last_id ? s->after : s->last_id;
	else if (s->last_id - 1 < s->cursor)
		q.max_id = s->last_id - 1;
	if (q.max_id <= 0 || q.max_id <= q.after_id)
		return (0);
	return (server_cmd_stream_query(c, &q, page));
}

/*
 * Produce the next page of a client's listing (server.c calls this as its
 * socket drains); after the last one send the end line
 * {"end":true,"count":N,"cursor":C} and drop the listing.
 */
void
server_cmd_stream_fill(struct client *c)
{
	struct server_stream	*s = server_client_stream(c);
	struct store_query	 q;
	int64_t			 page, got;
	json_t			*o;
	int			 done = 0;

	if (s->feeds) {
		server_cmd_feeds_fill(c);
		return;
	}
	page = SERVER_PAGE;
	if (s->limit != 0 && s->limit - s->emitted < page)
		page = s->limit - s->emitted;
	if (page > 0 && s->cursor > 0) {
		if (s->have_last && !s->offset_mode && !s->q.by_id &&
		    (s->last_date == 0 || s->last_date == -1 ||
		    s->last_date == INT64_MAX || s->last_date == INT64_MIN)) {
			s->offset_mode = 1;
		}
		if (s->have_last && !s->offset_mode && s->q.by_id)
			got = server_cmd_stream_keyset_id(c, page);
		else if (s->have_last && !s->offset_mode)
			got = server_cmd_stream_keyset(c, page);
		else {
			q = s->q;
			q.offset = s->skip + s->emitted;
			q.max_id = s->cursor;
			got = server_cmd_stream_query(c, &q, page);
		}
		if (got < 0) {
			server_client_set_stream(c, NULL);
			return;
		}
		if (got < page)
			done = 1;
	} else
		done = 1;
	if (s->limit != 0 && s->emitted >= s->limit)
		done = 1;
	if (!done || !server_client_alive(c))
		return;
	o = proto_ok(s->id);
	json_object_set_new(o, "end", json_true());
	json_object_set_new(o, "count", json_integer(s->emitted));
	json_object_set_new(o, "cursor", json_integer(s->cursor));
	if (s->want_total) {
		json_object_set_new(o, "total", json_integer(s->total));
		json_object_set_new(o, "total_feeds",
		    json_integer(s->total_feeds));
	}
	if (s->unindexed > 0)
		json_object_set_new(o, "unindexed", json_integer(s->unindexed));
	server_reply(c, o);
	server_client_set_stream(c, NULL);
}

/*
 * "items": start a listing; see server_cmd_stream_fill().  With "total",
 * the end line also says how many items match in all ("total") and in how
 * many feeds ("total_feeds"), the limit aside.
 */
static void
server_cmd_items(struct client *c, json_t *id, json_t *req)
{
	struct server_stream	*s;
	struct store_query	 q;
	json_t			*err;

	s = xcalloc(1, sizeof *s);
	s->id = json_incref(id != NULL ? id : json_null());
	if (server_cmd_query(id, req, s, &err) != 0) {
		server_reply(c, err);
		server_cmd_stream_free(s);
		return;
	}
	if (s->cursor == 0)
		s->cursor = store_max_item_id(feedd_store);
	if (s->q.search != NULL &&
	    (s->unindexed = store_index_behind(feedd_store)) < 0)
		s->unindexed = 0;
	s->since = s->q.since;
	s->until = s->q.until;
	s->after = s->q.after_id;
	if (proto_get_bool(req, "total", &s->want_total) != 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"total\" is a boolean"));
		server_cmd_stream_free(s);
		return;
	}
	if (s->want_total) {
		q = s->q;
		q.max_id = s->cursor;
		if (store_count(feedd_store, &q, &s->total,
		    &s->total_feeds) != 0) {
			server_reply(c, proto_error(id, PROTO_E_INTERNAL,
			    "store: %s", store_errmsg(feedd_store)));
			server_cmd_stream_free(s);
			return;
		}
	}
	server_client_set_stream(c, s);
	server_cmd_stream_fill(c);
}

/* store_items() callback for "item": the one row, with its content. */
static int
server_cmd_item_cb(const struct store_item *it, void *arg)
{
	json_t	**op = arg;

	if (*op == NULL)
		*op = proto_item_json(it);
	return (0);
}

/* "item": one item with its full content; {"item":N}. */
static void
server_cmd_item(struct client *c, json_t *id, json_t *req)
{
	struct store_query	 q;
	json_t			*item = NULL, *o;
	int64_t			 n = 0;

	if (proto_get_int(req, "item", 1, INT64_MAX, &n) != 0 || n == 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"item\" must be an item id"));
		return;
	}
	memset(&q, 0, sizeof q);
	q.ids = &n;
	q.nids = 1;
	q.limit = 1;
	if (store_items(feedd_store, &q, 1, server_cmd_item_cb, &item) < 0) {
		server_reply(c, proto_error(id, PROTO_E_INTERNAL,
		    "store: %s", store_errmsg(feedd_store)));
		json_decref(item);
		return;
	}
	if (item == NULL) {
		server_reply(c, proto_error(id, PROTO_E_NOT_FOUND,
		    "no item %lld", (long long)n));
		return;
	}
	o = proto_ok(id);
	json_object_set_new(o, "item", item);
	server_reply(c, o);
}

/*
 * Hand a job to the writer thread: write(store, job) there, done(job) back
 * on the loop; the client's answer waits for it, the loop does not.
 */
static void
server_cmd_write(struct client *c, struct write_job *job,
    int (*write)(struct store *, struct write_job *),
    void (*done)(struct write_job *), void *arg)
{
	job->write = write;
	job->done = done;
	job->arg = arg;
	server_client_hold(c);
	writer_submit(job);
}

/*
 * A mark, written by the writer thread; the client waits for its answer
 * (the loop does not).
 */
struct server_cmd_mark {
	struct client		*c;
	json_t			*id;
	struct server_stream	 s;		/* the query and what it owns */
	enum store_mark_op	 op;
	int64_t			*ids;		/* "items", if given */
	size_t			 nids;
	char			*seen;		/* seen[i]: ids[i] exists */
	int64_t			 changed;
	struct write_job	 job;
};

/* store_items() callback: note which of the asked ids exist. */
static int
server_cmd_mark_seen_cb(const struct store_item *it, void *arg)
{
	struct server_cmd_mark	*m = arg;
	size_t			 i;

	for (i = 0; i < m->nids; i++) {
		if (m->ids[i] == it->id)
			m->seen[i] = 1;
	}
	return (0);
}

/*
 * On the writer thread: which of the asked ids exist, then the mark
 * itself (a search in it brings the index up to date first).
 */
static int
server_cmd_mark_write(struct store *st, struct write_job *job)
{
	struct server_cmd_mark	*m = job->arg;
	struct store_query	 sq;

	if (m->nids > 0) {
		memset(m->seen, 0, m->nids);
		sq = m->s.q;
		sq.limit = 0;
		if (sq.search != NULL && store_index(st, 0) == -1)
			return (-1);
		if (store_items(st, &sq, 0, server_cmd_mark_seen_cb, m) < 0)
			return (-1);
	}
	m->changed = m->s.cursor == 0 ? 0 : store_mark(st, &m->s.q, m->op);
	return (m->changed < 0 ? -1 : 0);
}

/* Free a mark. */
static void
server_cmd_mark_free(struct server_cmd_mark *m)
{
	json_decref(m->id);
	server_cmd_query_clear(&m->s);
	free(m->ids);
	free(m->seen);
	free(m->job.error);
	free(m);
}

/* The mark is written (on the loop thread): answer the waiting client. */
static void
server_cmd_mark_done(struct write_job *job)
{
	struct server_cmd_mark	*m = job->arg;
	struct client		*c = m->c;
	json_t			*o, *missing;
	size_t			 i;

	if (!server_client_alive(c))
		;
	else if (job->error != NULL) {
		log_warnx("client %u: mark: %s", server_client_num(c),
		    job->error);
		server_reply(c, proto_error(m->id, PROTO_E_INTERNAL,
		    "store: %s", job->error));
	} else {
		o = proto_ok(m->id);
		json_object_set_new(o, "changed", json_integer(m->changed));
		json_object_set_new(o, "cursor", json_integer(m->s.cursor));
		missing = json_array();
		for (i = 0; i < m->nids; i++) {
			if (!m->seen[i])
				json_array_append_new(missing,
				    json_integer(m->ids[i]));
		}
		if (json_array_size(missing) > 0)
			json_object_set_new(o, "missing", missing);
		else
			json_decref(missing);
		server_reply(c, o);
	}
	server_client_release(c);
	server_cmd_mark_free(m);
}

/* The store's operation for a mark "op"; -1 if there is none. */
static int
server_cmd_mark_op(const char *name, enum store_mark_op *op)
{
	static const struct {
		const char		*name;
		enum store_mark_op	 op;
	} ops[] = {
		{ PROTO_MARK_READ, STORE_MARK_READ },
		{ PROTO_MARK_UNREAD, STORE_MARK_UNREAD },
		{ PROTO_MARK_STAR, STORE_MARK_STAR },
		{ PROTO_MARK_UNSTAR, STORE_MARK_UNSTAR },
	};
	size_t	i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strcmp(name, ops[i].name) == 0) {
			*op = ops[i].op;
			return (0);
		}
	}
	return (-1);
}

/*
 * "mark": {"op":"read"|"unread"|"star"|"unstar"} and one of "items" (ids),
 * "feed", "tag" or "all":true; "cursor" bounds it (default: the newest item
 * now).  Answers {"changed":N,"cursor":C} and "missing" ids if any, once
 * the writer thread has written it.
 */
static void
server_cmd_mark(struct client *c, json_t *id, json_t *req)
{
	struct server_cmd_mark	*m;
	struct store_query	*q;
	const char		*opname = NULL;
	json_t			*v, *e, *err;
	size_t			 i;
	int			 all = 0;

	m = xcalloc(1, sizeof *m);
	m->c = c;
	m->id = json_incref(id != NULL ? id : json_null());
	q = &m->s.q;
	if (server_cmd_get_str(req, "op", &opname) != 0 || opname == NULL) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "mark needs \"op\": read, unread, star or unstar"));
		goto fail;
	}
	if (server_cmd_mark_op(opname, &m->op) != 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "unknown mark op \"%.32s\"", opname));
		goto fail;
	}
	v = json_object_get(req, "items");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > SERVER_MAX_REFS) {
			server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
			    "\"items\" is an array of 1 to %d item ids",
			    SERVER_MAX_REFS));
			goto fail;
		}
		m->ids = xreallocarray(NULL, json_array_size(v),
		    sizeof *m->ids);
		json_array_foreach(v, i, e) {
			if (!json_is_integer(e) || json_integer_value(e) <= 0) {
				server_reply(c, proto_error(id,
				    PROTO_E_BAD_REQUEST,
				    "\"items\" is an array of item ids"));
				goto fail;
			}
			m->ids[m->nids++] = json_integer_value(e);
		}
		m->seen = xcalloc(m->nids, 1);
	}
	if (proto_get_bool(req, "all", &all) != 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"all\" is a boolean"));
		goto fail;
	}
	if (server_cmd_query(id, req, &m->s, &err) != 0) {
		server_reply(c, err);
		goto fail;
	}
	if (m->nids == 0 && q->nfeed_ids == 0 && q->tag == NULL &&
	    q->search == NULL && !all && !q->unread && !q->starred &&
	    !q->unstarred &&
	    q->since == 0 && q->until == 0 && q->after_id == 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "mark needs \"items\", \"feed\", \"tag\" or \"all\""));
		goto fail;
	}
	if (m->s.cursor == 0)
		m->s.cursor = store_max_item_id(feedd_store);
	q->max_id = m->s.cursor;
	q->limit = m->s.limit;
	q->ids = m->ids;
	q->nids = m->nids;
	server_cmd_write(c, &m->job, server_cmd_mark_write,
	    server_cmd_mark_done, m);
	return;
fail:
	server_cmd_mark_free(m);
}

/*
 * The options the feeds file gives the feed at url, as the daemon read
 * them ("every=15m", ...): a new array, NULL when the feed is not in the
 * file.
 */
static json_t *
server_cmd_feed_options(const char *url)
{
	const struct feed_conf	*fc;
	struct buf		 b;
	json_t			*a;
	char			*w, *next;

	if (feedd_config == NULL ||
	    (fc = config_feed_by_url(feedd_config, url)) == NULL)
		return (NULL);
	a = json_array();
	memset(&b, 0, sizeof b);
	buf_adds(&b, "");
	config_feed_options(&b, fc);
	/* Words, each after a blank. */
	for (w = b.data; w != NULL && *w == ' '; w = next) {
		w++;
		if ((next = strchr(w, ' ')) != NULL)
			*next = '\0';
		json_array_append_new(a, proto_string(w));
		if (next != NULL)
			*next = ' ';
	}
	buf_free(&b);
	return (a);
}

/* store_feed_list() callback: one line per feed (of those asked for). */
static int
server_cmd_feeds_cb(const struct store_feed *f, void *arg)
{
	struct client		*c = arg;
	struct server_stream	*s = server_client_stream(c);
	json_t			*o, *opts;
	const char		*why;
	int64_t			 iv;
	size_t			 i;

	free(s->last_key);
	s->last_key = xstrdup(store_feed_sort_key(f));
	s->last_feed = f->id;
	if (s->only_gone && !f->gone)
		return (0);
	if (s->q.nfeed_ids > 0) {
		for (i = 0; i < s->q.nfeed_ids; i++)
			if (s->q.feed_ids[i] == f->id)
				break;
		if (i == s->q.nfeed_ids)
			return (0);
	}
	o = proto_ok(s->id);
	json_object_set_new(o, "feed", proto_feed_json(f, s->brief));
	if (!s->brief && (opts = server_cmd_feed_options(f->url)) != NULL)
		json_object_set_new(json_object_get(o, "feed"), "options",
		    opts);
	/* Named feeds: their schedule, from the running daemon. */
	if (s->q.nfeed_ids > 0 && !s->brief && server_daemon() != NULL &&
	    (why = server_daemon()->interval(f->id, &iv)) != NULL) {
		json_object_set_new(json_object_get(o, "feed"), "interval",
		    json_integer(iv));
		json_object_set_new(json_object_get(o, "feed"),
		    "interval_why", json_string(why));
	}
	server_reply(c, o);
	s->emitted++;
	return (!server_client_alive(c));
}

/* The end line of a feeds listing: {"end":true,"count":N}. */
static void
server_cmd_feeds_end(struct client *c, struct server_stream *s)
{
	json_t	*o;

	o = proto_ok(s->id);
	json_object_set_new(o, "end", json_true());
	json_object_set_new(o, "count", json_integer(s->emitted));
	server_reply(c, o);
	server_client_set_stream(c, NULL);
}

/*
 * The next page of a "feeds" listing, after the last feed sent; after the
 * last page the end line {"end":true,"count":N} (see server_cmd_items()).
 */
static void
server_cmd_feeds_fill(struct client *c)
{
	struct server_stream	*s = server_client_stream(c);
	char			*after = s->last_key;
	int			 got;

	/* The callback replaces last_key: the query keeps its own. */
	s->last_key = NULL;
	got = store_feed_list(feedd_store, s->only_active, after,
	    s->last_feed, SERVER_PAGE, server_cmd_feeds_cb, c);
	free(after);
	if (got < 0) {
		log_warnx("client %u: feeds: %s", server_client_num(c),
		    store_errmsg(feedd_store));
		server_reply(c, proto_error(s->id, PROTO_E_INTERNAL,
		    "store: %s", store_errmsg(feedd_store)));
		server_client_set_stream(c, NULL);
		return;
	}
	if (got == SERVER_PAGE || !server_client_alive(c))
		return;
	server_cmd_feeds_end(c, s);
}

/* Order feeds as the listing does: by sort key, then id. */
static int
server_cmd_feed_cmp(const void *a, const void *b)
{
	const struct store_feed	*fa = a, *fb = b;
	int			 d;

	d = strcmp(store_feed_sort_key(fa), store_feed_sort_key(fb));
	if (d != 0)
		return (d);
	return (fa->id < fb->id ? -1 : fa->id > fb->id);
}

/*
 * A listing of named feeds: each read by its id (an index lookup), not
 * by a walk of the whole feed table, in the listing's order, then the end
 * line.  feedd-http names the few feeds of a page of entries.
 */
static void
server_cmd_feeds_named(struct client *c)
{
	struct server_stream	*s = server_client_stream(c);
	struct store_feed	*fs;
	size_t			 i, j, n = 0;
	int			 stop = 0;

	fs = xcalloc(s->q.nfeed_ids, sizeof *fs);
	for (i = 0; i < s->q.nfeed_ids; i++) {
		for (j = 0; j < i; j++)
			if (s->q.feed_ids[j] == s->q.feed_ids[i])
				break;
		if (j < i || store_feed_get_id(feedd_store,
		    s->q.feed_ids[i], &fs[n]) != 0)
			continue;
		if (s->only_active && !fs[n].active) {
			store_feed_clear(&fs[n]);
			continue;
		}
		n++;
	}
	qsort(fs, n, sizeof *fs, server_cmd_feed_cmp);
	for (i = 0; i < n; i++) {
		if (!stop)
			stop = server_cmd_feeds_cb(&fs[i], c);
		store_feed_clear(&fs[i]);
	}
	free(fs);
	if (!server_client_alive(c))
		return;
	server_cmd_feeds_end(c, s);
}

/*
 * Without "all", a feed named that is no longer in the feeds file is an
 * error naming it (the listing would leave it out without a word).
 * Returns 0 or -1 with an error response in *errp.
 */
static int
server_cmd_feeds_listed(json_t *id, struct server_stream *s, json_t **errp)
{
	struct store_feed	 f;
	size_t			 i;
	int			 active;

	for (i = 0; i < s->q.nfeed_ids; i++) {
		memset(&f, 0, sizeof f);
		if (store_feed_get_id(feedd_store, s->q.feed_ids[i], &f) != 0)
			continue;	/* resolved a moment ago */
		active = f.active;
		store_feed_clear(&f);
		if (!active) {
			*errp = proto_error(id, PROTO_E_NOT_FOUND,
			    "feed %lld is no longer in the feeds file",
			    (long long)s->q.feed_ids[i]);
			return (-1);
		}
	}
	return (0);
}

/*
 * "feeds": one line per feed (the active ones, unless "all"; only those
 * named by "feed", if given), in the order of the feed table, a page at
 * a time as the client reads, then {"end":true,"count":N}.  With "brief",
 * each feed has only the members the feed table of feedctl shows; with
 * "gone", only the gone feeds are listed.
 */
static void
server_cmd_feeds(struct client *c, json_t *id, json_t *req)
{
	struct server_stream	*s;
	json_t			*err;
	int			 all = 0, brief = 0, gone = 0;

	if (proto_get_bool(req, "all", &all) != 0 ||
	    proto_get_bool(req, "brief", &brief) != 0 ||
	    proto_get_bool(req, "gone", &gone) != 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"all\", \"brief\" and \"gone\" are booleans"));
		return;
	}
	s = xcalloc(1, sizeof *s);
	s->brief = brief;
	s->only_gone = gone;
	s->id = json_incref(id != NULL ? id : json_null());
	s->feeds = 1;
	s->only_active = !all;
	if (server_cmd_feed_refs(id, req, "feed", &s->feed_ids,
	    &s->q.nfeed_ids, &err) != 0) {
		server_reply(c, err);
		server_cmd_stream_free(s);
		return;
	}
	s->q.feed_ids = s->feed_ids;
	if (!all && server_cmd_feeds_listed(id, s, &err) != 0) {
		server_reply(c, err);
		server_cmd_stream_free(s);
		return;
	}
	server_client_set_stream(c, s);
	if (s->q.nfeed_ids > 0 && s->q.nfeed_ids <= SERVER_PAGE)
		server_cmd_feeds_named(c);
	else
		server_cmd_feeds_fill(c);
}

/* A reload that a client waits for. */
struct server_cmd_reload {
	struct client	*c;
	json_t		*id;
};

/* Add notes about the feeds file as name (an array) and name_total. */
static void
server_cmd_notes(json_t *o, const char *name,
    const struct config_notes *cn)
{
	json_t	*a;
	char	 key[64];
	size_t	 i;

	if (cn->total == 0)
		return;
	a = json_array();
	for (i = 0; i < cn->n; i++)
		json_array_append_new(a, proto_string(cn->v[i]));
	json_object_set_new(o, name, a);
	snprintf(key, sizeof key, "%s_total", name);
	json_object_set_new(o, key, json_integer(cn->total));
}

/*
 * The reload is over (error: why nothing changed): answer the client.  A
 * success names the feeds-file lines skipped and the warnings of the
 * configuration now running (feedd_config, just swapped in).
 */
static void
server_cmd_reloaded(const char *error, void *arg)
{
	struct server_cmd_reload	*r = arg;
	json_t				*o;

	if (server_client_alive(r->c)) {
		if (error != NULL)
			server_reply(r->c, proto_error(r->id, PROTO_E_RELOAD,
			    "%s", error));
		else {
			o = proto_ok(r->id);
			if (feedd_config != NULL) {
				server_cmd_notes(o, "skipped",
				    &feedd_config->feeds_skipped);
				server_cmd_notes(o, "warnings",
				    &feedd_config->feeds_warnings);
			}
			server_reply(r->c, o);
		}
	}
	server_client_release(r->c);
	json_decref(r->id);
	free(r);
}

/*
 * "reload": re-read feedd.conf and the feeds file; the answer comes once
 * the new schedule is in (or the old one stayed).
 */
static void
server_cmd_reload(struct client *c, json_t *id, json_t *req)
{
	struct server_cmd_reload	*r;

	r = xcalloc(1, sizeof *r);
	r->c = c;
	r->id = json_incref(id != NULL ? id : json_null());
	server_client_hold(c);
	server_daemon()->reload(server_cmd_reloaded, r);
}

/* "stats": the store's counts, the daemon's counters, clients. */
static void
server_cmd_stats(struct client *c, json_t *id, json_t *req)
{
	struct store_stats	 ss;
	struct feedd_stats	 fs;
	json_t			*o, *st;

	memset(&ss, 0, sizeof ss);
	memset(&fs, 0, sizeof fs);
	if (store_stats(feedd_store, &ss) != 0) {
		server_reply(c, proto_error(id, PROTO_E_INTERNAL,
		    "store: %s", store_errmsg(feedd_store)));
		return;
	}
	st = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
	    "feeds", (json_int_t)ss.feeds,
	    "active_feeds", (json_int_t)ss.active_feeds,
	    "items", (json_int_t)ss.items,
	    "unread", (json_int_t)ss.unread,
	    "starred", (json_int_t)ss.starred,
	    "db_bytes", (json_int_t)ss.db_bytes,
	    "daemon", server_daemon() != NULL);
	/* --stdio: no daemon, so no counters rather than zeros. */
	if (server_daemon() != NULL) {
		server_daemon()->stats(&fs);
		json_object_update_new(st, json_pack("{s:I, s:I, s:I, s:I, "
		    "s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:I, s:I}",
		    "started", (json_int_t)fs.started,
		    "uptime", (json_int_t)(fs.started != 0 ?
		    util_now() - fs.started : 0),
		    "last_poll", (json_int_t)fs.last_poll,
		    "polls", (json_int_t)fs.polls,
		    "poll_errors", (json_int_t)fs.poll_errors,
		    "items_new", (json_int_t)fs.items_new,
		    "items_updated", (json_int_t)fs.items_updated,
		    "bytes", (json_int_t)fs.bytes,
		    "unsafe_dropped", (json_int_t)fs.unsafe,
		    "in_flight", fs.in_flight,
		    "configured_feeds", fs.feeds,
		    "clients", (json_int_t)server_clients(),
		    "followers", (json_int_t)server_followers()));
	}
	/* The store's: hidden ('!' tags) unread items. */
	json_object_set_new(st, "unread_hidden",
	    json_integer((json_int_t)ss.unread_hidden));
	if (feedd_config != NULL && feedd_config->feeds_path != NULL)
		json_object_set_new(st, "feeds_file",
		    proto_string(feedd_config->feeds_path));
	o = proto_ok(id);
	json_object_set_new(o, "stats", st);
	server_reply(c, o);
}

/* "version": the daemon's and the protocol's versions. */
static void
server_cmd_version(struct client *c, json_t *id, json_t *req)
{
	json_t	*o;

	o = proto_ok(id);
	json_object_set_new(o, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(o, "protocol", json_integer(PROTO_VERSION));
	server_reply(c, o);
}

/*
 * "follow": the connection becomes a stream of {"event":"item",...} lines,
 * optionally only for "feed" (one or more) or "tag"; "max_backlog" lowers
 * the number of owed events past which the follower is cut off.
 */
static void
server_cmd_follow(struct client *c, json_t *id, json_t *req)
{
	const char	*tag = NULL;
	json_t		*err, *o;
	int64_t		 max = SERVER_FOLLOW_QUEUE, *feeds;
	size_t		 nfeeds;

	if (proto_get_int(req, "max_backlog", 1, SERVER_FOLLOW_QUEUE,
	    &max) != 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"max_backlog\" is a number from 1 to %d",
		    SERVER_FOLLOW_QUEUE));
		return;
	}
	if (server_cmd_get_str(req, "tag", &tag) != 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"tag\" is a string"));
		return;
	}
	if (server_cmd_tag_known(id, tag, &err) != 0 ||
	    server_cmd_feed_refs(id, req, "feed", &feeds, &nfeeds,
	    &err) != 0) {
		server_reply(c, err);
		return;
	}
	server_client_follow(c, feeds, nfeeds, tag, (size_t)max);
	o = proto_ok(id);
	json_object_set_new(o, "follow", json_true());
	json_object_set_new(o, "cursor",
	    json_integer(store_max_item_id(feedd_store)));
	server_reply(c, o);
}

/* The columns of a "counts" answer. */
struct server_counts {
	json_t		*id, *items, *unread, *starred, *tag;
};

/* store_feed_counts() callback: one feed into each column. */
static void
server_cmd_counts_cb(int64_t id, int64_t items, int64_t unread,
    int64_t starred, const char *tags, void *arg)
{
	struct server_counts	*sc = arg;
	size_t			 n;

	json_array_append_new(sc->id, json_integer(id));
	json_array_append_new(sc->items, json_integer(items));
	json_array_append_new(sc->unread, json_integer(unread));
	json_array_append_new(sc->starred, json_integer(starred));
	if (sc->tag != NULL) {
		n = tags != NULL ? strcspn(tags, "\n") : 0;
		json_array_append_new(sc->tag, n > 0 ?
		    json_stringn(tags, n) : json_null());
	}
}

/*
 * "counts": every active feed's counts in one line, by column,
 * {"ids":[...],"items":[...],"unread":[...],"starred":[...]}, and with
 * "tags":true each feed's first tag ("tag", null for none), from the feed
 * table alone (feedd-http's counters and categories: a "feeds" listing of
 * 10,000 feeds is thirty times the bytes).
 */
static void
server_cmd_counts(struct client *c, json_t *id, json_t *req)
{
	struct server_counts	 sc;
	json_t			*o;
	int			 tags = 0;

	if (proto_get_bool(req, "tags", &tags) != 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"tags\" is a boolean"));
		return;
	}
	o = proto_ok(id);
	json_object_set_new(o, "ids", sc.id = json_array());
	json_object_set_new(o, "items", sc.items = json_array());
	json_object_set_new(o, "unread", sc.unread = json_array());
	json_object_set_new(o, "starred", sc.starred = json_array());
	sc.tag = NULL;
	if (tags)
		json_object_set_new(o, "tag", sc.tag = json_array());
	if (store_feed_counts(feedd_store, server_cmd_counts_cb, &sc) < 0) {
		json_decref(o);
		server_reply(c, proto_error(id, PROTO_E_INTERNAL, "store: %s",
		    store_errmsg(feedd_store)));
		return;
	}
	server_reply(c, o);
}

/* The commands: name (enum proto_cmd), handler, what each needs. */
static const struct server_cmd_entry {
	int		 cmd;		/* enum proto_cmd: the name */
	void		(*handler)(struct client *, json_t *, json_t *);
	int		 flags;		/* SERVER_CMD_* */
} server_cmd_table[] = {
	{ PROTO_CMD_ITEMS,	server_cmd_items,	SERVER_CMD_INDEX },
	{ PROTO_CMD_ITEM,	server_cmd_item,	0 },
	{ PROTO_CMD_MARK,	server_cmd_mark,	0 },
	{ PROTO_CMD_FEEDS,	server_cmd_feeds,	0 },
	{ PROTO_CMD_REFRESH,	server_refresh_cmd,	SERVER_CMD_DAEMON },
	{ PROTO_CMD_RELOAD,	server_cmd_reload,	SERVER_CMD_DAEMON },
	{ PROTO_CMD_STATS,	server_cmd_stats,	0 },
	{ PROTO_CMD_VERSION,	server_cmd_version,	0 },
	{ PROTO_CMD_FOLLOW,	server_cmd_follow,	SERVER_CMD_DAEMON },
	{ PROTO_CMD_DISCOVER,	discover_discover,	0 },
	{ PROTO_CMD_SUBSCRIBE,	subscribe_subscribe,	0 },
	{ PROTO_CMD_UNSUBSCRIBE, subscribe_unsubscribe,	0 },
	{ PROTO_CMD_FETCH,	discover_fetch,		0 },
	{ PROTO_CMD_COUNTS,	server_cmd_counts,	0 },
};

/* A request held until the search index is up to date. */
struct server_cmd_held {
	const struct server_cmd_entry *e;
	struct client	*c;
	json_t		*id;
	json_t		*req;
	struct write_job job;
};

/* Milliseconds of the monotonic clock. */
static int64_t
server_cmd_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * On the writer thread: index what search has not seen yet, oldest first,
 * in batches, up to FEEDD_INDEX_SEARCH items or FEEDD_INDEX_SEARCH_MS,
 * whichever comes first (items differ in size: 50,000 news articles take
 * about 3 s).  A search after a huge first poll then answers from what is
 * indexed and says how much is not (the end line's "unindexed").
 */
static int
server_cmd_index_write(struct store *st, struct write_job *job)
{
	int64_t	start = server_cmd_ms(), done = 0, n;

	while (done < FEEDD_INDEX_SEARCH) {
		n = store_index(st, FEEDD_INDEX_SEARCH - done < 2000 ?
		    FEEDD_INDEX_SEARCH - done : 2000);
		if (n < 0)
			return (-1);
		if (n == 0 ||
		    server_cmd_ms() - start >= FEEDD_INDEX_SEARCH_MS)
			break;
		done += n;
	}
	return (0);
}

/*
 * The index is up to date (or could not be brought so: the search then
 * sees what is indexed): answer the held request.
 */
static void
server_cmd_index_done(struct write_job *job)
{
	struct server_cmd_held	*h = job->arg;

	if (job->error != NULL)
		log_warnx("%s", job->error);
	if (server_client_alive(h->c))
		h->e->handler(h->c, h->id, h->req);
	server_client_release(h->c);
	json_decref(h->id);
	json_decref(h->req);
	free(job->error);
	free(h);
}

/* Does the request search (a "search" member that is a string)? */
static int
server_cmd_searches(json_t *req)
{
	json_t	*v = json_object_get(req, "search");

	return (json_is_string(v) && *json_string_value(v) != '\0');
}

/*
 * Answer one request, cmd being its (known) command: refuse what needs
 * the daemon when there is none, and bring the search index up to date
 * first for a search (the client waits, not the loop).
 */
void
server_cmd_dispatch(struct client *c, int cmd, json_t *id, json_t *req)
{
	const struct server_cmd_entry	*e = NULL;
	struct server_cmd_held		*h;
	size_t				 i;

	for (i = 0; i < sizeof server_cmd_table / sizeof server_cmd_table[0];
	    i++) {
		if (server_cmd_table[i].cmd == cmd)
			e = &server_cmd_table[i];
	}
	if (e == NULL) {
		server_reply(c, proto_error(id, PROTO_E_UNKNOWN_CMD,
		    "unknown command \"%s\"", proto_cmd_name(cmd)));
		return;
	}
	if ((e->flags & SERVER_CMD_DAEMON) && server_daemon() == NULL) {
		server_reply(c, proto_error(id, PROTO_E_OFFLINE,
		    "feedd is not running; this needs the daemon (start it, "
		    "or run feedd --once to poll)"));
		return;
	}
	if ((e->flags & SERVER_CMD_INDEX) && server_cmd_searches(req)) {
		h = xcalloc(1, sizeof *h);
		h->e = e;
		h->c = c;
		h->id = json_incref(id);
		h->req = json_incref(req);
		server_cmd_write(c, &h->job, server_cmd_index_write,
		    server_cmd_index_done, h);
		return;
	}
	e->handler(c, id, req);
}
