/*
 * server.c: the daemon's Unix socket and its clients, on the one libev loop
 * (feedd_loop), answering from the store (feedd_store).  Owns the listening
 * socket (creation under a tight umask, the "already running" check, stale
 * socket replacement, systemd's socket when given), peer credential checks,
 * per-client input and output buffers with hard caps, request dispatch, the
 * streamed "items"/"feeds" listings, and "follow" subscribers.
 *
 * Invariants:
 * - A client never makes the daemon's memory grow without bound: request
 *   lines are capped at PROTO_MAX_LINE; no new request is read while more
 *   than SERVER_OUT_HIWAT bytes wait to be sent; a streamed listing is
 *   produced a page at a time as the socket drains; a client whose pending
 *   output passes PROTO_MAX_OUTPUT (a follower that stopped reading) is cut
 *   off.
 * - EV_WRITE is armed only while output is queued and a write would block;
 *   output is batched and flushed from an ev_prepare before the loop sleeps
 *   (redis beforeSleep).
 * - Clients are freed late: server_client_kill() marks a client dead, stops
 *   its watchers and closes its socket; the memory is freed from the
 *   prepare callback, when no callback can still hold the pointer.
 * - Nothing a client sends reaches fatal().
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>
#include <jansson.h>

#include "feedd.h"
#include "proto.h"

#define SERVER_READ_SIZE	16384
#define SERVER_OUT_HIWAT	(1024 * 1024)	/* stop taking requests */
#define SERVER_OUT_LOWAT	(256 * 1024)	/* refill a listing below */
#define SERVER_PAGE		1000		/* rows per listing query */
#define SERVER_LINES		64		/* requests a client a turn */
#define SERVER_ACCEPTS		64		/* accepts per callback */
#define SERVER_MAX_REFS		4096		/* feeds or ids in a request */
#define SERVER_FOLLOW_QUEUE	100000		/* events a follower may owe */
#define SERVER_FOLLOW_BATCH	256		/* events rendered a turn */

/* A listing ("items") produced a page at a time as the client drains. */
struct server_stream {
	json_t		*id;		/* the request's id */
	struct store_query q;
	int64_t		*feed_ids;	/* owned copies behind q */
	char		*tag;
	char		*search;
	int		 content;	/* include item content */
	int64_t		 limit;		/* 0: all */
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
};

struct client {
	int		 fd;
	u_int		 num;		/* for log messages */
	pid_t		 pid;
	uid_t		 uid;
	int		 flags;
#define CLIENT_DEAD	0x1	/* killed; freed from the prepare callback */
#define CLIENT_EOF	0x2	/* the peer will send no more */
#define CLIENT_CLOSING	0x4	/* close once output is flushed */
#define CLIENT_FOLLOW	0x8	/* a "follow" subscriber */

	ev_io		 ev_read;
	ev_io		 ev_write;

	struct buf	 in;
	size_t		 in_off;	/* first unprocessed byte */
	struct buf	 out;
	size_t		 out_off;	/* first unsent byte */

	struct server_stream *stream;

	int64_t		*follow_feeds;	/* follow filters */
	size_t		 nfollow_feeds;
	char		*follow_tag;

	/*
	 * Events owed to a follower: item ids (negative: updated, not new),
	 * rendered from the store only as the socket drains, so that a burst
	 * (one feed update can store thousands of items) costs 8 bytes an
	 * event rather than a rendered line.  A follower owing more than
	 * evq_max events (SERVER_FOLLOW_QUEUE, or less if it asked) has
	 * stopped reading and is cut off.
	 */
	int64_t		*evq;
	size_t		 evq_head;
	size_t		 evq_len;
	size_t		 evq_cap;
	size_t		 evq_max;	/* cut off past this many */

	TAILQ_ENTRY(client) entry;
};
TAILQ_HEAD(client_list, client);

static struct client_list server_list = TAILQ_HEAD_INITIALIZER(server_list);
static size_t		 server_nclients;
static size_t		 server_nfollowers;
static u_int		 server_next_num;
static int		 server_fd = -1;
static char		*server_path;
static int		 server_offline;	/* feedd --stdio: no poller */
static int		 server_unlink;	/* we created the socket file */
static int		 server_have_gid;
static gid_t		 server_gid;
static int		 server_running;
static ev_io		 server_ev_accept;
static ev_timer		 server_ev_pause;
static ev_prepare	 server_ev_prepare;
static ev_idle		 server_ev_idle;

static void	server_client_kill(struct client *, const char *);
static void	server_follow_fill(struct client *);
static void	server_client_update(struct client *);

/* Pending output bytes of a client. */
static size_t
server_client_pending(const struct client *c)
{
	return (c->out.len - c->out_off);
}

/* Queue one JSON line for a client; cut it off past the output cap. */
static void
server_client_send(struct client *c, json_t *obj)
{
	if (c->flags & CLIENT_DEAD)
		return;
	if (server_client_pending(c) > PROTO_MAX_OUTPUT) {
		server_client_kill(c, "output cap reached (not reading)");
		return;
	}
	proto_dump(&c->out, obj);
}

/* Queue one JSON line and release the object. */
static void
server_client_send_new(struct client *c, json_t *obj)
{
	server_client_send(c, obj);
	json_decref(obj);
}

/* Free a listing. */
static void
server_stream_free(struct server_stream *s)
{
	if (s == NULL)
		return;
	json_decref(s->id);
	free(s->feed_ids);
	free(s->tag);
	free(s->search);
	free(s);
}

/* Mark a client dead: stop its watchers and close it; freed later. */
static void
server_client_kill(struct client *c, const char *why)
{
	if (c->flags & CLIENT_DEAD)
		return;
	if (why != NULL)
		log_info("client %u (pid %ld, uid %ld): %s", c->num,
		    (long)c->pid, (long)c->uid, why);
	else
		log_debug("client %u: closed", c->num);
	c->flags |= CLIENT_DEAD;
	ev_io_stop(feedd_loop, &c->ev_read);
	ev_io_stop(feedd_loop, &c->ev_write);
	close(c->fd);
	c->fd = -1;
	if (c->flags & CLIENT_FOLLOW)
		server_nfollowers--;
	server_nclients--;
}

/* Release a dead client's memory. */
static void
server_client_free(struct client *c)
{
	TAILQ_REMOVE(&server_list, c, entry);
	buf_free(&c->in);
	buf_free(&c->out);
	server_stream_free(c->stream);
	free(c->follow_feeds);
	free(c->follow_tag);
	free(c->evq);
	free(c);
}

/*
 * Write as much pending output as the socket takes.  Arms EV_WRITE only
 * when a write would block; disarms it once everything is out.
 */
static void
server_client_flush(struct client *c)
{
	ssize_t	n;

	while (!(c->flags & CLIENT_DEAD) && server_client_pending(c) > 0) {
		n = send(c->fd, c->out.data + c->out_off,
		    server_client_pending(c), MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!ev_is_active(&c->ev_write))
				ev_io_start(feedd_loop, &c->ev_write);
			/* Keep the buffer from creeping forward forever. */
			if (c->out_off > 65536 &&
			    c->out_off > c->out.len / 2) {
				memmove(c->out.data, c->out.data + c->out_off,
				    server_client_pending(c));
				c->out.len -= c->out_off;
				c->out.data[c->out.len] = '\0';
				c->out_off = 0;
			}
			return;
		}
		server_client_kill(c, n == -1 && errno != EPIPE &&
		    errno != ECONNRESET ? "write failed" : NULL);
		return;
	}
	if (c->flags & CLIENT_DEAD)
		return;
	buf_reset(&c->out);
	c->out_off = 0;
	if (ev_is_active(&c->ev_write))
		ev_io_stop(feedd_loop, &c->ev_write);
	/* A shrunk buffer after a big listing gives memory back. */
	if (c->out.cap > 4 * SERVER_OUT_HIWAT)
		buf_free(&c->out);
}

/*
 * Resolve one feed reference (numeric id, URL or title; a number in a
 * string counts as an id when such a feed exists).  Returns 0, or -1 with
 * an error response in *errp.
 */
static int
server_feed_ref(json_t *id, json_t *v, int64_t *out, json_t **errp)
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
static int
server_feed_refs(json_t *id, json_t *req, const char *key, int64_t **ids,
    size_t *n, json_t **errp)
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
		if (server_feed_ref(id, v, &(*ids)[0], errp) != 0) {
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
		if (server_feed_ref(id, e, &(*ids)[*n], errp) != 0) {
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
server_get_str(json_t *req, const char *key, const char **out)
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
 * Fill a store query from a request's filters: unread, starred, feed, tag,
 * since, until, search, cursor, after.  The strings and arrays it points to
 * are put in s (owned).  Returns 0 or -1 with an error response.
 */
static int
server_query(json_t *id, json_t *req, struct server_stream *s,
    json_t **errp)
{
	struct store_query	*q = &s->q;
	const char		*tag = NULL, *search = NULL;
	int			 unread = 0, starred = 0, oldest = 0;

	if (proto_get_bool(req, "unread", &unread) != 0 ||
	    proto_get_bool(req, "starred", &starred) != 0 ||
	    proto_get_bool(req, "oldest_first", &oldest) != 0 ||
	    proto_get_bool(req, "content", &s->content) != 0) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "unread, starred, oldest_first and content are booleans");
		return (-1);
	}
	q->unread = unread;
	q->starred = starred;
	q->oldest_first = oldest;
	if (proto_get_time(req, "since", &q->since) != 0 ||
	    proto_get_time(req, "until", &q->until) != 0) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "since and until are unix seconds or RFC 3339 times");
		return (-1);
	}
	if (proto_get_int(req, "limit", 0, INT64_MAX, &s->limit) != 0 ||
	    proto_get_int(req, "cursor", 0, INT64_MAX, &s->cursor) != 0 ||
	    proto_get_int(req, "after", 0, INT64_MAX, &q->after_id) != 0) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "limit, cursor and after are whole numbers >= 0");
		return (-1);
	}
	if (server_get_str(req, "tag", &tag) != 0 ||
	    server_get_str(req, "search", &search) != 0) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "tag and search are strings");
		return (-1);
	}
	if (search != NULL && *search == '\0') {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "empty search");
		return (-1);
	}
	if (server_feed_refs(id, req, "feed", &s->feed_ids, &q->nfeed_ids,
	    errp) != 0)
		return (-1);
	q->feed_ids = s->feed_ids;
	if (tag != NULL)
		q->tag = s->tag = xstrdup(tag);
	if (search != NULL)
		q->search = s->search = xstrdup(search);
	return (0);
}

/* store_items() callback for a listing: one line per item. */
static int
server_stream_item_cb(const struct store_item *it, void *arg)
{
	struct client	*c = arg;
	json_t		*o;

	struct server_stream	*s = c->stream;

	o = proto_ok(s->id);
	json_object_set_new(o, "item", proto_item_json(it));
	server_client_send_new(c, o);
	s->emitted++;
	s->have_last = 1;
	s->last_date = it->published != DATE_NONE ? it->published :
	    it->first_seen;
	s->last_id = it->id;
	return ((c->flags & CLIENT_DEAD) != 0);
}

/* Run one page query of a listing; returns the rows sent or -1. */
static int64_t
server_stream_query(struct client *c, struct store_query *q, int64_t limit)
{
	int	n;

	q->limit = limit;
	n = store_items(feedd_store, q, c->stream->content,
	    server_stream_item_cb, c);
	if (n < 0) {
		log_warnx("client %u: items: %s", c->num,
		    store_errmsg(feedd_store));
		server_client_send_new(c, proto_error(c->stream->id,
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
server_stream_keyset(struct client *c, int64_t page)
{
	struct server_stream	*s = c->stream;
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
	else if ((got = server_stream_query(c, &q, page)) < 0)
		return (-1);
	if (got == page || (c->flags & CLIENT_DEAD))
		return (got);

	/* Then rows dated beyond d. */
	q = s->q;
	q.offset = 0;
	q.max_id = s->cursor;
	if (s->q.oldest_first)
		q.since = d + 1;
	else
		q.until = d;
	if ((more = server_stream_query(c, &q, page - got)) < 0)
		return (-1);
	return (got + more);
}

/*
 * Produce the next page of a client's listing; after the last one send
 * the end line {"end":true,"count":N,"cursor":C} and drop the listing.
 */
static void
server_stream_fill(struct client *c)
{
	struct server_stream	*s = c->stream;
	struct store_query	 q;
	int64_t			 page, got;
	json_t			*o;
	int			 done = 0;

	page = SERVER_PAGE;
	if (s->limit != 0 && s->limit - s->emitted < page)
		page = s->limit - s->emitted;
	if (page > 0 && s->cursor > 0) {
		if (s->have_last && !s->offset_mode &&
		    (s->last_date == 0 || s->last_date == -1 ||
		    s->last_date == INT64_MAX || s->last_date == INT64_MIN)) {
			s->offset_mode = 1;
		}
		if (s->have_last && !s->offset_mode)
			got = server_stream_keyset(c, page);
		else {
			q = s->q;
			q.offset = s->emitted;
			q.max_id = s->cursor;
			got = server_stream_query(c, &q, page);
		}
		if (got < 0) {
			server_stream_free(s);
			c->stream = NULL;
			return;
		}
		if (got < page)
			done = 1;
	} else
		done = 1;
	if (s->limit != 0 && s->emitted >= s->limit)
		done = 1;
	if (!done || (c->flags & CLIENT_DEAD))
		return;
	o = proto_ok(s->id);
	json_object_set_new(o, "end", json_true());
	json_object_set_new(o, "count", json_integer(s->emitted));
	json_object_set_new(o, "cursor", json_integer(s->cursor));
	server_client_send_new(c, o);
	server_stream_free(s);
	c->stream = NULL;
}

/* "items": start a listing; see server_stream_fill(). */
static void
server_cmd_items(struct client *c, json_t *id, json_t *req)
{
	struct server_stream	*s;
	json_t			*err;

	s = xcalloc(1, sizeof *s);
	s->id = json_incref(id != NULL ? id : json_null());
	if (server_query(id, req, s, &err) != 0) {
		server_client_send_new(c, err);
		server_stream_free(s);
		return;
	}
	if (s->cursor == 0)
		s->cursor = store_max_item_id(feedd_store);
	s->since = s->q.since;
	s->until = s->q.until;
	s->after = s->q.after_id;
	c->stream = s;
	server_stream_fill(c);
}

/* store_items() callback for "item": the one row, with its content. */
static int
server_item_cb(const struct store_item *it, void *arg)
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
		server_client_send_new(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"item\" must be an item id"));
		return;
	}
	memset(&q, 0, sizeof q);
	q.ids = &n;
	q.nids = 1;
	q.limit = 1;
	if (store_items(feedd_store, &q, 1, server_item_cb, &item) < 0) {
		server_client_send_new(c, proto_error(id, PROTO_E_INTERNAL,
		    "store: %s", store_errmsg(feedd_store)));
		json_decref(item);
		return;
	}
	if (item == NULL) {
		server_client_send_new(c, proto_error(id, PROTO_E_NOT_FOUND,
		    "no item %lld", (long long)n));
		return;
	}
	o = proto_ok(id);
	json_object_set_new(o, "item", item);
	server_client_send_new(c, o);
}

/* store_items() callback: note which of the asked ids exist. */
static int
server_mark_seen_cb(const struct store_item *it, void *arg)
{
	json_t	*seen = arg;
	char	 key[32];

	snprintf(key, sizeof key, "%lld", (long long)it->id);
	json_object_set_new(seen, key, json_true());
	return (0);
}

/*
 * "mark": {"op":"read"|"unread"|"star"|"unstar"} and one of "items" (ids),
 * "feed", "tag" or "all":true; "cursor" bounds it (default: the newest item
 * now).  Answers {"changed":N,"cursor":C} and "missing" ids if any.
 */
static void
server_cmd_mark(struct client *c, json_t *id, json_t *req)
{
	struct server_stream	 s;
	struct store_query	*q = &s.q, sq;
	enum store_mark_op	 op;
	const char		*opname = NULL;
	json_t			*v, *e, *err, *o, *seen = NULL, *missing;
	int64_t			*ids = NULL, changed;
	size_t			 i, nids = 0;
	int			 all = 0;
	char			 key[32];

	memset(&s, 0, sizeof s);
	if (server_get_str(req, "op", &opname) != 0 || opname == NULL) {
		server_client_send_new(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "mark needs \"op\": read, unread, star or unstar"));
		return;
	}
	if (strcmp(opname, PROTO_MARK_READ) == 0)
		op = STORE_MARK_READ;
	else if (strcmp(opname, PROTO_MARK_UNREAD) == 0)
		op = STORE_MARK_UNREAD;
	else if (strcmp(opname, PROTO_MARK_STAR) == 0)
		op = STORE_MARK_STAR;
	else if (strcmp(opname, PROTO_MARK_UNSTAR) == 0)
		op = STORE_MARK_UNSTAR;
	else {
		server_client_send_new(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "unknown mark op \"%.32s\"", opname));
		return;
	}
	v = json_object_get(req, "items");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > SERVER_MAX_REFS) {
			server_client_send_new(c, proto_error(id,
			    PROTO_E_BAD_REQUEST, "\"items\" is an array of "
			    "1 to %d item ids", SERVER_MAX_REFS));
			return;
		}
		ids = xreallocarray(NULL, json_array_size(v), sizeof *ids);
		json_array_foreach(v, i, e) {
			if (!json_is_integer(e) || json_integer_value(e) <= 0) {
				free(ids);
				server_client_send_new(c, proto_error(id,
				    PROTO_E_BAD_REQUEST,
				    "\"items\" is an array of item ids"));
				return;
			}
			ids[nids++] = json_integer_value(e);
		}
	}
	if (proto_get_bool(req, "all", &all) != 0) {
		free(ids);
		server_client_send_new(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"all\" is a boolean"));
		return;
	}
	if (server_query(id, req, &s, &err) != 0) {
		free(ids);
		server_client_send_new(c, err);
		return;
	}
	if (nids == 0 && q->nfeed_ids == 0 && q->tag == NULL &&
	    q->search == NULL && !all && !q->unread && !q->starred &&
	    q->since == 0 && q->until == 0 && q->after_id == 0) {
		free(ids);
		free(s.feed_ids);
		free(s.tag);
		free(s.search);
		server_client_send_new(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "mark needs \"items\", \"feed\", \"tag\" or \"all\""));
		return;
	}
	if (s.cursor == 0)
		s.cursor = store_max_item_id(feedd_store);
	q->max_id = s.cursor;
	q->limit = s.limit;
	q->ids = ids;
	q->nids = nids;
	if (nids > 0) {
		seen = json_object();
		sq = *q;
		sq.limit = 0;
		if (store_items(feedd_store, &sq, 0, server_mark_seen_cb,
		    seen) < 0) {
			json_decref(seen);
			seen = NULL;
		}
	}
	changed = s.cursor == 0 ? 0 : store_mark(feedd_store, q, op);
	if (changed < 0) {
		server_client_send_new(c, proto_error(id, PROTO_E_INTERNAL,
		    "store: %s", store_errmsg(feedd_store)));
	} else {
		o = proto_ok(id);
		json_object_set_new(o, "changed", json_integer(changed));
		json_object_set_new(o, "cursor", json_integer(s.cursor));
		if (seen != NULL) {
			missing = json_array();
			for (i = 0; i < nids; i++) {
				snprintf(key, sizeof key, "%lld",
				    (long long)ids[i]);
				if (json_object_get(seen, key) == NULL)
					json_array_append_new(missing,
					    json_integer(ids[i]));
			}
			if (json_array_size(missing) > 0)
				json_object_set_new(o, "missing", missing);
			else
				json_decref(missing);
		}
		server_client_send_new(c, o);
	}
	json_decref(seen);
	free(ids);
	free(s.feed_ids);
	free(s.tag);
	free(s.search);
}

/* What "feeds" lists: all feeds or only some, and its count. */
struct server_feeds {
	struct client	*c;
	json_t		*id;
	int64_t		*only;
	size_t		 nonly;
	int64_t		 count;
};

/* store_feed_list() callback: one line per feed. */
static int
server_feeds_cb(const struct store_feed *f, void *arg)
{
	struct server_feeds	*sf = arg;
	json_t			*o;
	size_t			 i;

	if (sf->nonly > 0) {
		for (i = 0; i < sf->nonly; i++)
			if (sf->only[i] == f->id)
				break;
		if (i == sf->nonly)
			return (0);
	}
	o = proto_ok(sf->id);
	json_object_set_new(o, "feed", proto_feed_json(f));
	server_client_send_new(sf->c, o);
	sf->count++;
	return (0);
}

/* "feeds": one line per feed, then {"end":true,"count":N}. */
static void
server_cmd_feeds(struct client *c, json_t *id, json_t *req)
{
	struct server_feeds	 sf;
	json_t			*err, *o;
	int			 all = 0;

	memset(&sf, 0, sizeof sf);
	sf.c = c;
	sf.id = id;
	if (proto_get_bool(req, "all", &all) != 0) {
		server_client_send_new(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"all\" is a boolean"));
		return;
	}
	if (server_feed_refs(id, req, "feed", &sf.only, &sf.nonly,
	    &err) != 0) {
		server_client_send_new(c, err);
		return;
	}
	if (store_feed_list(feedd_store, !all, server_feeds_cb, &sf) < 0) {
		server_client_send_new(c, proto_error(id, PROTO_E_INTERNAL,
		    "store: %s", store_errmsg(feedd_store)));
	} else {
		o = proto_ok(id);
		json_object_set_new(o, "end", json_true());
		json_object_set_new(o, "count", json_integer(sf.count));
		server_client_send_new(c, o);
	}
	free(sf.only);
}

/* "refresh": poll all feeds, or "feed" (one or an array), now. */
static void
server_cmd_refresh(struct client *c, json_t *id, json_t *req)
{
	int64_t	*ids;
	size_t	 n;
	json_t	*err, *o;

	if (server_offline) {
		server_client_send_new(c, proto_error(id, PROTO_E_OFFLINE,
		    "feedd is not running; this needs the daemon (start it, "
		    "or run feedd --once to poll)"));
		return;
	}
	if (server_feed_refs(id, req, "feed", &ids, &n, &err) != 0) {
		server_client_send_new(c, err);
		return;
	}
	feedd_refresh(ids, n);
	o = proto_ok(id);
	json_object_set_new(o, "feeds", json_integer((json_int_t)n));
	server_client_send_new(c, o);
	free(ids);
}

/* "reload": re-read feedd.conf and the feeds file. */
static void
server_cmd_reload(struct client *c, json_t *id, json_t *req)
{
	char	*cause = NULL;

	if (server_offline) {
		server_client_send_new(c, proto_error(id, PROTO_E_OFFLINE,
		    "feedd is not running; this needs the daemon (start it, "
		    "or run feedd --once to poll)"));
		return;
	}
	if (feedd_reload(&cause) != 0) {
		server_client_send_new(c, proto_error(id, PROTO_E_RELOAD,
		    "%s", cause != NULL ? cause : "reload failed"));
		free(cause);
		return;
	}
	free(cause);
	server_client_send_new(c, proto_ok(id));
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
		server_client_send_new(c, proto_error(id, PROTO_E_INTERNAL,
		    "store: %s", store_errmsg(feedd_store)));
		return;
	}
	feedd_get_stats(&fs);
	st = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:I, s:i, s:i, s:I, s:I}",
	    "feeds", (json_int_t)ss.feeds,
	    "active_feeds", (json_int_t)ss.active_feeds,
	    "items", (json_int_t)ss.items,
	    "unread", (json_int_t)ss.unread,
	    "starred", (json_int_t)ss.starred,
	    "db_bytes", (json_int_t)ss.db_bytes,
	    "started", (json_int_t)fs.started,
	    "uptime", (json_int_t)(fs.started != 0 ?
	    util_now() - fs.started : 0),
	    "last_poll", (json_int_t)fs.last_poll,
	    "polls", (json_int_t)fs.polls,
	    "poll_errors", (json_int_t)fs.poll_errors,
	    "items_new", (json_int_t)fs.items_new,
	    "items_updated", (json_int_t)fs.items_updated,
	    "bytes", (json_int_t)fs.bytes,
	    "in_flight", fs.in_flight,
	    "configured_feeds", fs.feeds,
	    "clients", (json_int_t)server_nclients,
	    "followers", (json_int_t)server_nfollowers);
	o = proto_ok(id);
	json_object_set_new(o, "stats", st);
	server_client_send_new(c, o);
}

/* "version": the daemon's and the protocol's versions. */
static void
server_cmd_version(struct client *c, json_t *id, json_t *req)
{
	json_t	*o;

	o = proto_ok(id);
	json_object_set_new(o, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(o, "protocol", json_integer(PROTO_VERSION));
	server_client_send_new(c, o);
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
	int64_t		 max = SERVER_FOLLOW_QUEUE;

	if (server_offline) {
		server_client_send_new(c, proto_error(id, PROTO_E_OFFLINE,
		    "feedd is not running; this needs the daemon (start it, "
		    "or run feedd --once to poll)"));
		return;
	}
	if (proto_get_int(req, "max_backlog", 1, SERVER_FOLLOW_QUEUE,
	    &max) != 0) {
		server_client_send_new(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"max_backlog\" is a number from 1 to %d",
		    SERVER_FOLLOW_QUEUE));
		return;
	}
	if (server_get_str(req, "tag", &tag) != 0) {
		server_client_send_new(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"tag\" is a string"));
		return;
	}
	if (server_feed_refs(id, req, "feed", &c->follow_feeds,
	    &c->nfollow_feeds, &err) != 0) {
		server_client_send_new(c, err);
		return;
	}
	if (tag != NULL)
		c->follow_tag = xstrdup(tag);
	c->evq_max = (size_t)max;
	c->flags |= CLIENT_FOLLOW;
	server_nfollowers++;
	o = proto_ok(id);
	json_object_set_new(o, "follow", json_true());
	json_object_set_new(o, "cursor",
	    json_integer(store_max_item_id(feedd_store)));
	server_client_send_new(c, o);
}

/* Parse and answer one request line. */
static void
server_client_request(struct client *c, const char *line, size_t len)
{
	json_t		*req, *err, *id;
	json_error_t	 jerr;
	const char	*code;
	int		 cmd;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
	    line[len - 1] == '\t'))
		len--;
	if (len == 0)
		return;		/* blank lines are ignored */
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		server_client_send_new(c, proto_error(NULL, PROTO_E_BAD_JSON,
		    "invalid JSON at column %d: %s", jerr.column, jerr.text));
		c->flags |= CLIENT_CLOSING;
		log_info("client %u: invalid JSON, closing", c->num);
		return;
	}
	if (proto_check(req, &cmd, &err) != 0) {
		code = json_string_value(json_object_get(json_object_get(err,
		    "error"), "code"));
		/* Not our protocol (version): say so and hang up. */
		if (code == NULL || strcmp(code, PROTO_E_BAD_JSON) == 0 ||
		    strcmp(code, PROTO_E_BAD_VERSION) == 0)
			c->flags |= CLIENT_CLOSING;
		server_client_send_new(c, err);
		json_decref(req);
		return;
	}
	id = json_object_get(req, "id");
	log_debug("client %u: %s", c->num, proto_cmd_name(cmd));
	switch (cmd) {
	case PROTO_CMD_ITEMS:
		server_cmd_items(c, id, req);
		break;
	case PROTO_CMD_ITEM:
		server_cmd_item(c, id, req);
		break;
	case PROTO_CMD_MARK:
		server_cmd_mark(c, id, req);
		break;
	case PROTO_CMD_FEEDS:
		server_cmd_feeds(c, id, req);
		break;
	case PROTO_CMD_REFRESH:
		server_cmd_refresh(c, id, req);
		break;
	case PROTO_CMD_RELOAD:
		server_cmd_reload(c, id, req);
		break;
	case PROTO_CMD_STATS:
		server_cmd_stats(c, id, req);
		break;
	case PROTO_CMD_VERSION:
		server_cmd_version(c, id, req);
		break;
	case PROTO_CMD_FOLLOW:
		server_cmd_follow(c, id, req);
		break;
	}
	json_decref(req);
}

/*
 * Do the work a client has waiting: refill its listing, answer buffered
 * requests (a bounded number per turn), notice the end.  Returns 1 if more
 * work remains that does not wait for the socket.
 */
static int
server_client_run(struct client *c)
{
	char	*start, *nl;
	size_t	 avail, len;
	int	 n;

	for (n = 0; n < SERVER_LINES; n++) {
		if (c->flags & CLIENT_DEAD)
			return (0);
		if (c->stream != NULL) {
			if (server_client_pending(c) >= SERVER_OUT_LOWAT)
				return (0);	/* wait for the socket */
			server_stream_fill(c);
			continue;
		}
		if (server_client_pending(c) > SERVER_OUT_HIWAT)
			return (0);
		if (c->flags & (CLIENT_CLOSING | CLIENT_FOLLOW)) {
			buf_reset(&c->in);
			c->in_off = 0;
			if (c->flags & CLIENT_FOLLOW)
				server_follow_fill(c);
			break;
		}
		avail = c->in.len - c->in_off;
		if (avail == 0)
			break;
		start = c->in.data + c->in_off;
		nl = memchr(start, '\n', avail);
		if (nl == NULL && avail > PROTO_MAX_LINE) {
			server_client_send_new(c, proto_error(NULL,
			    PROTO_E_TOO_LARGE, "request longer than %d bytes",
			    PROTO_MAX_LINE));
			log_info("client %u: request too long, closing",
			    c->num);
			c->flags |= CLIENT_CLOSING;
			continue;
		}
		if (nl == NULL && !(c->flags & CLIENT_EOF))
			break;
		len = nl != NULL ? (size_t)(nl - start) : avail;
		c->in_off += nl != NULL ? len + 1 : len;
		if (len > PROTO_MAX_LINE) {
			server_client_send_new(c, proto_error(NULL,
			    PROTO_E_TOO_LARGE, "request longer than %d bytes",
			    PROTO_MAX_LINE));
			c->flags |= CLIENT_CLOSING;
			continue;
		}
		server_client_request(c, start, len);
	}
	if (c->in_off == c->in.len) {
		buf_reset(&c->in);
		c->in_off = 0;
	} else if (c->in_off > 0 && c->in_off >= c->in.len / 2) {
		memmove(c->in.data, c->in.data + c->in_off,
		    c->in.len - c->in_off);
		c->in.len -= c->in_off;
		c->in.data[c->in.len] = '\0';
		c->in_off = 0;
	}
	if (n == SERVER_LINES)
		return (1);
	return (0);
}

/* Is a client finished: nothing more will be read, answered or sent? */
static int
server_client_done(struct client *c)
{
	if (server_client_pending(c) > 0 || c->stream != NULL)
		return (0);
	if (c->flags & CLIENT_CLOSING)
		return (1);
	if ((c->flags & CLIENT_EOF) && (c->flags & CLIENT_FOLLOW))
		return (1);
	return ((c->flags & CLIENT_EOF) && c->in_off == c->in.len);
}

/* Arm the read watcher only while we can take more input. */
static void
server_client_update(struct client *c)
{
	int	want;

	if (c->flags & CLIENT_DEAD)
		return;
	want = !(c->flags & CLIENT_EOF) &&
	    c->in.len - c->in_off <= PROTO_MAX_LINE;
	if (want && !ev_is_active(&c->ev_read))
		ev_io_start(feedd_loop, &c->ev_read);
	else if (!want && ev_is_active(&c->ev_read))
		ev_io_stop(feedd_loop, &c->ev_read);
}

/* Readable: take what is there (discard it once closing). */
static void
server_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct client	*c = w->data;
	char		 tmp[SERVER_READ_SIZE];
	ssize_t		 n;

	n = read(c->fd, tmp, sizeof tmp);
	if (n == -1) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		server_client_kill(c, errno == ECONNRESET ? NULL :
		    "read failed");
		return;
	}
	if (n == 0) {
		c->flags |= CLIENT_EOF;
		if (c->flags & CLIENT_FOLLOW) {
			server_client_kill(c, NULL);
			return;
		}
	} else if (!(c->flags & (CLIENT_CLOSING | CLIENT_FOLLOW)))
		buf_add(&c->in, tmp, (size_t)n);
	server_client_run(c);
	server_client_update(c);
}

/* Writable: send what is queued. */
static void
server_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct client	*c = w->data;

	server_client_flush(c);
}

/*
 * Before the loop sleeps: free dead clients, run and flush the rest, and
 * keep the loop from sleeping while work remains (the idle watcher).
 */
static void
server_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct client	*c, *c1;
	int		 more = 0;

	for (c = TAILQ_FIRST(&server_list); c != NULL; c = c1) {
		c1 = TAILQ_NEXT(c, entry);
		if (c->flags & CLIENT_DEAD) {
			server_client_free(c);
			continue;
		}
		if (server_client_run(c))
			more = 1;
		server_client_flush(c);
		if (c->flags & CLIENT_DEAD)
			continue;
		if (server_client_done(c)) {
			server_client_kill(c, NULL);
			continue;
		}
		if ((c->stream != NULL || c->evq_len > 0) &&
		    server_client_pending(c) < SERVER_OUT_LOWAT)
			more = 1;
		server_client_update(c);
	}
	if (more && !ev_is_active(&server_ev_idle))
		ev_idle_start(loop, &server_ev_idle);
	else if (!more && ev_is_active(&server_ev_idle))
		ev_idle_stop(loop, &server_ev_idle);
}

/* Idle: nothing to do here; it only keeps the loop from blocking. */
static void
server_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
}

/* Is uid a member of the socket group (primary or supplementary)? */
static int
server_in_group(uid_t uid, gid_t gid)
{
	struct passwd	*pw;
	gid_t		 groups[256];
	int		 n = 256, i;

	if ((pw = getpwuid(uid)) == NULL)
		return (0);
	if (pw->pw_gid == gid)
		return (1);
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) == -1)
		return (0);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return (1);
	return (0);
}

/* Start serving an accepted connection, if its peer may talk to us. */
static void
server_client_add(int fd)
{
	struct client	*c;
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		log_warn("accept: SO_PEERCRED");
		close(fd);
		return;
	}
	if (cred.uid != 0 && cred.uid != geteuid() && !(server_have_gid &&
	    (cred.gid == server_gid || server_in_group(cred.uid,
	    server_gid)))) {
		log_warnx("%s: refusing pid %ld uid %ld: not allowed",
		    server_path, (long)cred.pid, (long)cred.uid);
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->num = ++server_next_num;
	c->pid = cred.pid;
	c->uid = cred.uid;
	ev_io_init(&c->ev_read, server_read_cb, fd, EV_READ);
	ev_io_init(&c->ev_write, server_write_cb, fd, EV_WRITE);
	c->ev_read.data = c;
	c->ev_write.data = c;
	ev_io_start(feedd_loop, &c->ev_read);
	TAILQ_INSERT_TAIL(&server_list, c, entry);
	server_nclients++;
	log_debug("client %u: connected (pid %ld, uid %ld)", c->num,
	    (long)cred.pid, (long)cred.uid);
}

/* Accepting is paused after EMFILE; resume after a second. */
static void
server_pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (server_running && server_fd != -1)
		ev_io_start(loop, &server_ev_accept);
}

/* The listening socket is readable: accept what waits. */
static void
server_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	int	fd, i;

	for (i = 0; i < SERVER_ACCEPTS; i++) {
		fd = accept4(server_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			server_client_add(fd);
			continue;
		}
		switch (errno) {
		case EAGAIN:
#if EAGAIN != EWOULDBLOCK
		case EWOULDBLOCK:
#endif
		case EINTR:
		case ECONNABORTED:
			return;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			log_warn("%s: accept (pausing for a second)",
			    server_path);
			ev_io_stop(loop, &server_ev_accept);
			ev_timer_set(&server_ev_pause, 1., 0.);
			ev_timer_start(loop, &server_ev_pause);
			return;
		default:
			log_warn("%s: accept", server_path);
			return;
		}
	}
}

/* Fill a Unix socket address; -1 if path does not fit. */
static int
server_sockaddr(struct sockaddr_un *sun, const char *path)
{
	size_t	len;

	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	len = strlen(path);
	if (len == 0 || len >= sizeof sun->sun_path)
		return (-1);
	memcpy(sun->sun_path, path, len + 1);
	return (0);
}

/*
 * Is a daemon answering on path?  Returns 1 if one accepts a connection,
 * 0 if nobody listens (no file, or connection refused: a stale socket), -1
 * on other errors (errno set).
 */
int
server_probe(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd, rc, saved;

	if (server_sockaddr(&sun, path) != 0) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	saved = errno;
	close(fd);
	if (rc == 0)
		return (1);
	if (saved == ECONNREFUSED || saved == ENOENT)
		return (0);
	errno = saved;
	return (-1);
}

/* Create, bind and listen on path; 0, or -1 and *cause. */
static int
server_listen(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	mode_t			 old;
	int			 fd;

	if (server_sockaddr(&sun, path) != 0) {
		xasprintf(cause, "%s: socket path too long", path);
		return (-1);
	}
	switch (server_probe(path)) {
	case 1:
		xasprintf(cause, "%s: another feedd is listening", path);
		return (-1);
	case -1:
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			xasprintf(cause, "%s: exists and is not a socket",
			    path);
			return (-1);
		}
		log_info("%s: replacing stale socket", path);
		if (unlink(path) != 0) {
			xasprintf(cause, "%s: unlink: %s", path,
			    strerror(errno));
			return (-1);
		}
	}
	if (util_mkdir_parents(path, 0755) != 0) {
		xasprintf(cause, "%s: cannot create directory: %s", path,
		    strerror(errno));
		return (-1);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "%s: socket: %s", path, strerror(errno));
		return (-1);
	}
	old = umask(S_IXUSR | S_IRWXG | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		umask(old);
		xasprintf(cause, "%s: bind: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	umask(old);
	server_unlink = 1;
	if (server_have_gid) {
		if (chown(path, (uid_t)-1, server_gid) != 0 ||
		    chmod(path, 0660) != 0) {
			xasprintf(cause, "%s: socket-group: %s", path,
			    strerror(errno));
			close(fd);
			unlink(path);
			server_unlink = 0;
			return (-1);
		}
	} else if (chmod(path, 0600) != 0) {
		xasprintf(cause, "%s: chmod: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		server_unlink = 0;
		return (-1);
	}
	if (listen(fd, 128) != 0) {
		xasprintf(cause, "%s: listen: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		server_unlink = 0;
		return (-1);
	}
	server_fd = fd;
	return (0);
}

/*
 * Start serving on path, or on listen_fd (>= 0, from systemd) which is then
 * not unlinked at stop.  group, if not NULL, may connect too (mode 0660).
 * Returns 0, or -1 and *cause ("PATH: another feedd is listening").
 */
int
server_start(const char *path, int listen_fd, const char *group,
    char **cause)
{
	struct group	*gr;
	int		 fl;

	if (server_running) {
		xasprintf(cause, "server already started");
		return (-1);
	}
	server_have_gid = 0;
	if (group != NULL && *group != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			xasprintf(cause, "socket-group %s: no such group",
			    group);
			return (-1);
		}
		server_gid = gr->gr_gid;
		server_have_gid = 1;
	}
	server_unlink = 0;
	free(server_path);
	server_path = xstrdup(path != NULL ? path : "(socket)");
	if (listen_fd >= 0) {
		fl = fcntl(listen_fd, F_GETFL);
		if (fl == -1 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) ||
		    fcntl(listen_fd, F_SETFD, FD_CLOEXEC) == -1) {
			xasprintf(cause, "%s: fcntl: %s", server_path,
			    strerror(errno));
			return (-1);
		}
		server_fd = listen_fd;
	} else if (server_listen(server_path, cause) != 0) {
		free(server_path);
		server_path = NULL;
		return (-1);
	}
	ev_io_init(&server_ev_accept, server_accept_cb, server_fd, EV_READ);
	ev_io_start(feedd_loop, &server_ev_accept);
	ev_timer_init(&server_ev_pause, server_pause_cb, 1., 0.);
	ev_prepare_init(&server_ev_prepare, server_prepare_cb);
	ev_prepare_start(feedd_loop, &server_ev_prepare);
	ev_unref(feedd_loop);	/* the prepare watcher keeps nothing alive */
	ev_idle_init(&server_ev_idle, server_idle_cb);
	server_running = 1;
	log_info("%s: listening", server_path);
	return (0);
}

/*
 * Serve one already connected socket and nothing else: feedctl's offline
 * access through `feedd --stdio`, when no daemon is running.  The requests
 * that need the poller (refresh, reload, follow) answer "offline".
 */
void
server_attach(const char *name, int fd)
{
	free(server_path);
	server_path = xstrdup(name);
	server_offline = 1;
	server_unlink = 0;
	server_have_gid = 0;
	server_fd = -1;
	ev_timer_init(&server_ev_pause, server_pause_cb, 1., 0.);
	ev_prepare_init(&server_ev_prepare, server_prepare_cb);
	ev_prepare_start(feedd_loop, &server_ev_prepare);
	ev_unref(feedd_loop);	/* the client's watchers keep the loop alive */
	ev_idle_init(&server_ev_idle, server_idle_cb);
	server_running = 1;
	server_client_add(fd);
}

/* Close every client and the listening socket (removing our file). */
void
server_stop(void)
{
	struct client	*c;

	if (!server_running)
		return;
	while ((c = TAILQ_FIRST(&server_list)) != NULL) {
		if (!(c->flags & CLIENT_DEAD)) {
			server_client_flush(c);
			server_client_kill(c, NULL);
		}
		server_client_free(c);
	}
	ev_io_stop(feedd_loop, &server_ev_accept);
	ev_timer_stop(feedd_loop, &server_ev_pause);
	ev_ref(feedd_loop);
	ev_prepare_stop(feedd_loop, &server_ev_prepare);
	ev_idle_stop(feedd_loop, &server_ev_idle);
	if (server_fd != -1)
		close(server_fd);
	server_fd = -1;
	if (server_unlink && server_path != NULL)
		unlink(server_path);
	server_unlink = 0;
	free(server_path);
	server_path = NULL;
	server_running = 0;
}

/* What a store lookup learned about a stored item. */
struct server_event {
	int64_t		 feed_id;
	json_t		*item;		/* built only when asked */
	int		 want_json;
	int		 found;
};

/* store_items() callback for follow events. */
static int
server_event_cb(const struct store_item *it, void *arg)
{
	struct server_event	*ev = arg;

	if (!ev->found && ev->want_json)
		ev->item = proto_item_json(it);
	ev->feed_id = it->feed_id;
	ev->found = 1;
	return (0);
}

/* Look one item up (with the tag filter if tag is not NULL). */
static int
server_event_lookup(int64_t item_id, const char *tag, int want_json,
    struct server_event *ev)
{
	struct store_query	 q;

	memset(&q, 0, sizeof q);
	memset(ev, 0, sizeof *ev);
	ev->want_json = want_json;
	q.ids = &item_id;
	q.nids = 1;
	q.tag = tag;
	if (store_items(feedd_store, &q, 0, server_event_cb, ev) < 0) {
		log_warnx("follow: item %lld: %s", (long long)item_id,
		    store_errmsg(feedd_store));
		return (-1);
	}
	return (0);
}

/* Owe a follower one event; cut it off past the queue cap. */
static void
server_follow_push(struct client *c, int64_t item_id, int is_new)
{
	if (c->evq_len >= c->evq_max) {
		server_client_kill(c, "follower not reading, cut off");
		return;
	}
	if (c->evq_head + c->evq_len == c->evq_cap) {
		if (c->evq_head > 0) {
			memmove(c->evq, c->evq + c->evq_head,
			    c->evq_len * sizeof *c->evq);
			c->evq_head = 0;
		}
		if (c->evq_len == c->evq_cap) {
			c->evq_cap = c->evq_cap == 0 ? 64 : c->evq_cap * 2;
			c->evq = xreallocarray(c->evq, c->evq_cap,
			    sizeof *c->evq);
		}
	}
	c->evq[c->evq_head + c->evq_len++] = is_new ? item_id : -item_id;
}

/*
 * Render owed events while the socket keeps up: at most a batch a turn
 * and only below the low-water mark.  An item gone from the store since
 * (pruned) is skipped.
 */
static void
server_follow_fill(struct client *c)
{
	struct server_event	 ev;
	json_t			*o;
	int64_t			 v;
	int			 n;

	for (n = 0; n < SERVER_FOLLOW_BATCH && c->evq_len > 0; n++) {
		if ((c->flags & CLIENT_DEAD) ||
		    server_client_pending(c) >= SERVER_OUT_LOWAT)
			break;
		v = c->evq[c->evq_head++];
		c->evq_len--;
		if (server_event_lookup(v < 0 ? -v : v, NULL, 1, &ev) != 0 ||
		    ev.item == NULL)
			continue;
		o = json_object();
		json_object_set_new(o, "event", json_string("item"));
		json_object_set_new(o, "new", json_boolean(v > 0));
		json_object_set_new(o, "item", ev.item);
		server_client_send_new(c, o);
	}
	if (c->evq_len == 0)
		c->evq_head = 0;
}

/*
 * An item was committed to the store (is_new: inserted, else updated):
 * owe {"event":"item","new":B,"item":{...}} to each matching follower.
 */
void
server_item_stored(int64_t item_id, int is_new)
{
	struct server_event	 ev, tev;
	struct client		*c;
	size_t			 i;

	if (!server_running || server_nfollowers == 0 || item_id <= 0)
		return;
	if (server_event_lookup(item_id, NULL, 0, &ev) != 0 || !ev.found)
		return;
	TAILQ_FOREACH(c, &server_list, entry) {
		if ((c->flags & (CLIENT_DEAD | CLIENT_FOLLOW)) != CLIENT_FOLLOW)
			continue;
		if (c->nfollow_feeds > 0) {
			for (i = 0; i < c->nfollow_feeds; i++)
				if (c->follow_feeds[i] == ev.feed_id)
					break;
			if (i == c->nfollow_feeds)
				continue;
		}
		if (c->follow_tag != NULL && (server_event_lookup(item_id,
		    c->follow_tag, 0, &tev) != 0 || !tev.found))
			continue;
		server_follow_push(c, item_id, is_new);
	}
}

/* How many clients are connected now. */
size_t
server_clients(void)
{
	return (server_nclients);
}
