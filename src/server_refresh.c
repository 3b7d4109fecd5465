/*
 * server_refresh.c: the "refresh" request, and the clients that wait for
 * the polls it started (see feedd(8), PROTOCOL).
 *
 * A request without "wait" is answered as protocol 1 always did: one
 * line, and a feed reference that names nothing refuses the whole
 * request.  A request with "wait" (true or false) takes the feeds it can
 * name and lists the others under "unknown"; with "wait": false it is
 * answered at once, with "wait": true the client is held
 * (server_client_hold()) and hears a {"progress":{...}} line as each poll
 * ends, then an end line {"end":true,...} with the counts, the failures,
 * and the feeds left alone (held by their server, gone).
 *
 * Each waiting refresh keeps the ids of the feeds whose poll has not ended;
 * every poll that ends (server_refresh_polled(), from feedd_polled())
 * crosses its feed off.  A poll always ends (or its feed is removed, which
 * ends it too: sched.c), so a wait always ends; a client that went away
 * meanwhile is let go at the next poll's end, and nothing is sent to it.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feedd.h"
#include "proto.h"

#define SERVER_REFRESH_REFS	4096	/* feeds named in one request */

struct server_refresh {
	struct client	*c;
	json_t		*id;		/* the request's */
	int64_t		*pending;	/* feeds whose poll has not ended */
	size_t		 npending;
	size_t		 cap;
	int64_t		 total;		/* polls waited for */
	int64_t		 done;
	int64_t		 failed;
	int64_t		 items_new;
	json_t		*errors;	/* [{"id","url","title","error"}] */
	json_t		*held;		/* [{"id","url","title","until"}] */
	json_t		*gone;		/* [{"id","url","title"}] */
	json_t		*unknown;	/* [{"feed","error"}] */
	TAILQ_ENTRY(server_refresh) entry;
};

static TAILQ_HEAD(, server_refresh) server_refreshes =
    TAILQ_HEAD_INITIALIZER(server_refreshes);

/* Free a refresh, letting its client go if it held it. */
static void
server_refresh_free(struct server_refresh *r, int held)
{
	if (held) {
		TAILQ_REMOVE(&server_refreshes, r, entry);
		server_client_release(r->c);
	}
	json_decref(r->id);
	json_decref(r->errors);
	json_decref(r->held);
	json_decref(r->gone);
	json_decref(r->unknown);
	free(r->pending);
	free(r);
}

/* {"id","url","title"} of a feed, the title as the store knows it. */
static json_t *
server_refresh_feed(int64_t id, const char *url, const char *title)
{
	struct store_feed	 sf;
	json_t			*o;

	memset(&sf, 0, sizeof sf);
	if (title == NULL && store_feed_get_id(feedd_store, id, &sf) == 0)
		title = sf.conf_title != NULL ? sf.conf_title : sf.title;
	o = json_object();
	json_object_set_new(o, "id", json_integer(id));
	if (url != NULL)
		json_object_set_new(o, "url", proto_string(url));
	if (title != NULL)
		json_object_set_new(o, "title", proto_string(title));
	store_feed_clear(&sf);
	return (o);
}

/* sched_refresh() tells what it does with each feed. */
static void
server_refresh_cb(void *arg, int64_t id, const char *url,
    enum sched_refresh_what what, int64_t until)
{
	struct server_refresh	*r = arg;
	json_t			*o;
	size_t			 i;

	switch (what) {
	case SCHED_REFRESH_POLL:
		for (i = 0; i < r->npending; i++)
			if (r->pending[i] == id)
				return;
		if (r->npending == r->cap) {
			r->cap = r->cap == 0 ? 16 : r->cap * 2;
			r->pending = xreallocarray(r->pending, r->cap,
			    sizeof *r->pending);
		}
		r->pending[r->npending++] = id;
		r->total++;
		break;
	case SCHED_REFRESH_HELD:
		o = server_refresh_feed(id, url, NULL);
		json_object_set_new(o, "until", json_integer(until));
		json_array_append_new(r->held, o);
		break;
	case SCHED_REFRESH_GONE:
		json_array_append_new(r->gone, server_refresh_feed(id, url,
		    NULL));
		break;
	case SCHED_REFRESH_NONE:
		o = json_object();
		json_object_set_new(o, "feed", json_integer(id));
		json_object_set_new(o, "error", json_string("not in the feeds "
		    "file"));
		json_array_append_new(r->unknown, o);
		break;
	}
}

/*
 * The feeds the request names (none: all), each reference resolved alone:
 * those that name nothing go to r->unknown.  0, or -1 with an error.
 */
static int
server_refresh_refs(json_t *id, json_t *req, struct server_refresh *r,
    int64_t **ids, size_t *n, size_t *nrefs, json_t **errp)
{
	json_t	*v, *e, *err, *o;
	size_t	 i;

	*ids = NULL;
	*n = *nrefs = 0;
	v = json_object_get(req, "feed");
	if (v == NULL || json_is_null(v))
		return (0);
	if (json_is_array(v) && json_array_size(v) > SERVER_REFRESH_REFS) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "too many feeds (at most %d)", SERVER_REFRESH_REFS);
		return (-1);
	}
	*nrefs = json_is_array(v) ? json_array_size(v) : 1;
	*ids = xreallocarray(NULL, *nrefs + 1, sizeof **ids);
	for (i = 0; i < *nrefs; i++) {
		e = json_is_array(v) ? json_array_get(v, i) : v;
		if (server_cmd_feed_ref(id, e, &(*ids)[*n], &err) == 0) {
			(*n)++;
			continue;
		}
		o = json_object();
		json_object_set(o, "feed", e);
		json_object_set(o, "error", json_object_get(
		    json_object_get(err, "error"), "message"));
		json_array_append_new(r->unknown, o);
		json_decref(err);
	}
	return (0);
}

/* The answer's members: what was polled, failed, left alone, unknown. */
static json_t *
server_refresh_answer(struct server_refresh *r, int end)
{
	json_t	*o;

	o = proto_ok(r->id);
	if (end)
		json_object_set_new(o, "end", json_true());
	json_object_set_new(o, "feeds", json_integer(r->total));
	if (end) {
		json_object_set_new(o, "done", json_integer(r->done));
		json_object_set_new(o, "failed", json_integer(r->failed));
		json_object_set_new(o, "items_new",
		    json_integer(r->items_new));
		json_object_set(o, "errors", r->errors);
	}
	json_object_set(o, "held", r->held);
	json_object_set(o, "gone", r->gone);
	json_object_set(o, "unknown", r->unknown);
	return (o);
}

/*
 * "refresh": poll all feeds, or "feed" (one or an array), now; "force"
 * polls feeds a server told to wait too; "wait" waits for the polls (see
 * the top of this file).
 */
void
server_refresh_cmd(struct client *c, json_t *id, json_t *req)
{
	struct server_refresh	*r;
	int64_t			*ids;
	size_t			 n, nrefs;
	json_t			*err, *o;
	int			 wait = 0, force = 0;

	if (proto_get_bool(req, "wait", &wait) != 0 ||
	    proto_get_bool(req, "force", &force) != 0) {
		server_reply(c, proto_error(id, PROTO_E_BAD_REQUEST,
		    "\"wait\" and \"force\" are booleans"));
		return;
	}
	if (json_object_get(req, "wait") == NULL) {
		/* Protocol 1 as it was: all or nothing, one line. */
		if (server_cmd_feed_refs(id, req, "feed", &ids, &n,
		    &err) != 0) {
			server_reply(c, err);
			return;
		}
		server_daemon()->refresh(ids, n, force, NULL, NULL);
		o = proto_ok(id);
		json_object_set_new(o, "feeds", json_integer((json_int_t)n));
		server_reply(c, o);
		free(ids);
		return;
	}

	r = xcalloc(1, sizeof *r);
	r->c = c;
	r->id = json_incref(id != NULL ? id : json_null());
	r->errors = json_array();
	r->held = json_array();
	r->gone = json_array();
	r->unknown = json_array();
	if (server_refresh_refs(id, req, r, &ids, &n, &nrefs, &err) != 0) {
		server_reply(c, err);
		server_refresh_free(r, 0);
		return;
	}
	/* Named feeds of which none exists: nothing to poll (not all!). */
	if (nrefs == 0 || n > 0)
		server_daemon()->refresh(ids, n, force, server_refresh_cb, r);
	free(ids);
	if (!wait || r->npending == 0) {
		server_reply(c, server_refresh_answer(r, wait));
		server_refresh_free(r, 0);
		return;
	}
	server_client_hold(c);
	TAILQ_INSERT_TAIL(&server_refreshes, r, entry);
}

/*
 * A poll ended: each refresh waiting for it says so to its client, and
 * the last one of a refresh ends it with the end line.
 */
void
server_refresh_polled(const struct poll_outcome *po)
{
	struct server_refresh	*r, *next;
	json_t			*o, *p, *f;
	size_t			 i;

	for (r = TAILQ_FIRST(&server_refreshes); r != NULL; r = next) {
		next = TAILQ_NEXT(r, entry);
		if (!server_client_alive(r->c)) {
			server_refresh_free(r, 1);	/* it went away */
			continue;
		}
		for (i = 0; i < r->npending; i++)
			if (r->pending[i] == po->id)
				break;
		if (i == r->npending)
			continue;
		r->pending[i] = r->pending[--r->npending];
		r->done++;
		r->items_new += po->nnew;
		f = server_refresh_feed(po->id, po->url, po->title);
		if (po->failed) {
			r->failed++;
			json_object_set_new(f, "error", proto_string(
			    po->error != NULL ? po->error : "failed"));
			json_array_append(r->errors, f);
		} else
			json_object_set_new(f, "items_new",
			    json_integer(po->nnew));
		p = json_pack("{s:I, s:I, s:I, s:I, s:o}",
		    "done", (json_int_t)r->done,
		    "total", (json_int_t)r->total,
		    "failed", (json_int_t)r->failed,
		    "items_new", (json_int_t)r->items_new, "feed", f);
		o = proto_ok(r->id);
		json_object_set_new(o, "progress", p);
		server_reply(r->c, o);
		if (r->npending == 0) {
			server_reply(r->c, server_refresh_answer(r, 1));
			server_refresh_free(r, 1);
		}
	}
}

/* At shutdown, before the clients go: let every waiting refresh go. */
void
server_refresh_stop(void)
{
	struct server_refresh	*r;

	while ((r = TAILQ_FIRST(&server_refreshes)) != NULL)
		server_refresh_free(r, 1);
}
