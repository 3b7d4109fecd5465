/*
 * discover.c: the daemon's "discover" (the feeds a URL is or links to:
 * the URL itself if it parses, else the <link rel="alternate"> feeds of
 * the HTML page there, else the usual paths of its site, each fetched and
 * parsed) and "fetch" (a document as the daemon gets it, for `feedctl
 * parse URL`), see feedd(8).  subscribe.c owns subscribing and what both
 * share: the URL check, fetch.c's start under --stdio, the reasons.
 *
 * Every fetch goes through fetch.c on the loop, with the limits, the
 * User-Agent and the address policy of polls.  A request holds its client
 * until its fetches are back (as server_cmd.c does for writes); each is a
 * struct disc on one list, so that shutdown frees what is pending.
 */
#include <sys/queue.h>
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feedd.h"
#include "proto.h"

#define DISC_MAX_FETCH_BODY	(4 * 1024 * 1024) /* "fetch": body cap */

/* The usual places of a site's feed, tried when a page links none. */
static const char *disc_guesses[] = {
	"/feed", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json",
};

struct disc;

/* One candidate feed of a discovery (its fetch's argument). */
struct disc_cand {
	struct disc	*s;
	char		*url;
	int		 done;
	int		 ok;
	char		*title;
	const char	*format;
	size_t		 items;
};

/* One request in flight. */
struct disc {
	struct client	*c;
	json_t		*id;
	char		*url;
	struct disc_cand *cands;
	size_t		 ncands;
	size_t		 pending;	/* candidates being fetched */
	TAILQ_ENTRY(disc) entry;
};

static TAILQ_HEAD(, disc) disc_list = TAILQ_HEAD_INITIALIZER(disc_list);

/* A new request in flight; the client waits for its answer. */
static struct disc *
disc_new(struct client *c, json_t *id, const char *url)
{
	struct disc	*s;

	s = xcalloc(1, sizeof *s);
	s->c = c;
	s->id = json_incref(id != NULL ? id : json_null());
	s->url = xstrdup(url);
	server_client_hold(c);
	TAILQ_INSERT_TAIL(&disc_list, s, entry);
	return (s);
}

/* Free a request (its client is released by disc_end() first). */
static void
disc_free(struct disc *s)
{
	size_t	i;

	TAILQ_REMOVE(&disc_list, s, entry);
	json_decref(s->id);
	free(s->url);
	for (i = 0; i < s->ncands; i++) {
		free(s->cands[i].url);
		free(s->cands[i].title);
	}
	free(s->cands);
	free(s);
}

/* Answer (o), let the client go, free the request. */
static void
disc_end(struct disc *s, json_t *o)
{
	if (server_client_alive(s->c))
		server_reply(s->c, o);
	else
		json_decref(o);
	server_client_release(s->c);
	disc_free(s);
}

/* Start a fetch of url; cb(result, arg) later (or now). */
static void
disc_fetch(const char *url, int keep_body, fetch_done_cb cb, void *arg)
{
	struct fetch_request	req;

	memset(&req, 0, sizeof req);
	req.url = url;
	req.keep_body = keep_body;
	fetch_start(&req, cb, arg);
}

/* The protocol's name of a format: rss, atom, json or rdf. */
static const char *
disc_format(enum feed_format f)
{
	switch (f) {
	case FEED_RSS090:
	case FEED_RSS10:
		return ("rdf");
	case FEED_ATOM03:
	case FEED_ATOM10:
		return ("atom");
	case FEED_JSON10:
	case FEED_JSON11:
		return ("json");
	default:
		return ("rss");
	}
}

/* Whether a failed 2xx result is a document that is not a feed. */
static int
disc_not_feed(const struct fetch_result *r)
{
	return (r->outcome == FETCH_ERROR && r->http_status >= 200 &&
	    r->http_status <= 299 && r->complete);
}

/* ---------------------------------------------------------------- */
/* discover */

/* The discovery is over: the candidates that parsed, in order. */
static void
disc_discover_end(struct disc *s)
{
	json_t		*o, *a;
	size_t		 i;

	a = json_array();
	for (i = 0; i < s->ncands; i++) {
		if (!s->cands[i].ok)
			continue;
		json_array_append_new(a, json_pack("{s:o, s:o, s:s, s:I}",
		    "url", proto_string(s->cands[i].url),
		    "title", proto_string(s->cands[i].title != NULL ?
		    s->cands[i].title : ""),
		    "format", s->cands[i].format,
		    "items", (json_int_t)s->cands[i].items));
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		disc_end(s, proto_error(s->id, PROTO_E_NOT_FOUND,
		    "no feed found at %.300s", s->url));
		return;
	}
	o = proto_ok(s->id);
	json_object_set_new(o, "url", proto_string(s->url));
	json_object_set_new(o, "feeds", a);
	disc_end(s, o);
}

/* Note a candidate's result (parsed or not). */
static void
disc_cand_set(struct disc_cand *k, const struct fetch_result *r)
{
	k->done = 1;
	if (r->outcome != FETCH_OK)
		return;
	k->ok = 1;
	k->title = r->meta.title != NULL ? xstrdup(r->meta.title) : NULL;
	k->format = disc_format(r->meta.format);
	k->items = r->nitems;
}

/* Add a candidate URL unless it is there already. */
static void
disc_cand_add(struct disc *s, const char *url)
{
	size_t	i;

	for (i = 0; i < s->ncands; i++)
		if (feedsfile_url_same(s->cands[i].url, url))
			return;
	s->cands = xreallocarray(s->cands, s->ncands + 1, sizeof *s->cands);
	memset(&s->cands[s->ncands], 0, sizeof *s->cands);
	s->cands[s->ncands++].url = xstrdup(url);
}

/* The origin ("https://host:port") of url, a new string. */
static char *
disc_origin(const char *url)
{
	const char	*p;

	p = strstr(url, "//");
	p = p != NULL ? p + 2 : url;
	return (xstrndup(url, (size_t)(p - url) + strcspn(p, "/?#")));
}

/* A candidate's fetch is over; the last one back answers. */
static void
disc_cand_cb(struct fetch_result *r, void *arg)
{
	struct disc_cand	*k = arg;
	struct disc	*s = k->s;

	disc_cand_set(k, r);
	fetch_result_free(r);
	if (--s->pending == 0)
		disc_discover_end(s);
}

/* Fetch every candidate at once; the last one back answers. */
static void
disc_cands_start(struct disc *s)
{
	struct fetch_request	 req;
	size_t			 i, n = s->ncands;

	if (n == 0) {
		disc_discover_end(s);
		return;
	}
	/*
	 * No candidate is added from here on: cands stays where it is.  One
	 * more pending until the loop is over, as a fetch that cannot start
	 * calls back at once.
	 */
	s->pending = n + 1;
	for (i = 0; i < n; i++) {
		s->cands[i].s = s;
		memset(&req, 0, sizeof req);
		req.url = s->cands[i].url;
		fetch_start(&req, disc_cand_cb, &s->cands[i]);
	}
	if (--s->pending == 0)
		disc_discover_end(s);
}

/* The page itself is fetched: a feed, a page that links feeds, or not. */
static void
disc_page_cb(struct fetch_result *r, void *arg)
{
	struct disc		*s = arg;
	struct html_link	*links;
	const char		*base;
	char			*origin, *u;
	json_t			*o;
	size_t			 n, i;

	if (r->outcome == FETCH_OK) {
		disc_cand_add(s, s->url);
		disc_cand_set(&s->cands[0], r);
		fetch_result_free(r);
		disc_discover_end(s);
		return;
	}
	if (!disc_not_feed(r)) {
		o = proto_error(s->id, PROTO_E_FETCH, "%.300s: %s", s->url,
		    subscribe_reason(r));
		/* No connection at all: feedctl may try http:// then. */
		if (r->unreachable)
			json_object_set_new(json_object_get(o, "error"),
			    "unreachable", json_true());
		disc_end(s, o);
		fetch_result_free(r);
		return;
	}
	base = r->final_url != NULL ? r->final_url : s->url;
	n = r->body.len > 0 ? html_feed_links(r->body.data, r->body.len, base,
	    &links) : 0;
	for (i = 0; i < n; i++)
		if (subscribe_url_ok(links[i].url))
			disc_cand_add(s, links[i].url);
	if (n > 0)
		html_links_free(links, n);
	if (s->ncands == 0 && r->error != NULL &&
	    strstr(r->error, "HTML") != NULL) {
		origin = disc_origin(base);
		for (i = 0; i < sizeof disc_guesses / sizeof disc_guesses[0];
		    i++) {
			xasprintf(&u, "%s%s", origin, disc_guesses[i]);
			disc_cand_add(s, u);
			free(u);
		}
		free(origin);
	}
	fetch_result_free(r);
	disc_cands_start(s);
}

/* A request naming a URL: fetch it (once curl is ready), then cb. */
static void
disc_start(struct client *c, json_t *id, json_t *req, fetch_done_cb cb)
{
	struct disc	*s;
	const char	*url;
	char		*cause = NULL;

	if ((url = subscribe_get_url(c, id, req)) == NULL)
		return;
	if (subscribe_fetch_ready(&cause) != 0) {
		server_reply(c, proto_error(id, PROTO_E_INTERNAL, "%s", cause));
		free(cause);
		return;
	}
	s = disc_new(c, id, url);
	disc_fetch(s->url, 1, cb, s);
}

/*
 * "discover": {"url":U} answers {"url":U,"feeds":[{"url","title",
 * "format","items"},...]}: U itself if it is a feed, else the feeds an
 * HTML page at U links to, else those of the usual paths that parse.
 */
void
discover_discover(struct client *c, json_t *id, json_t *req)
{
	disc_start(c, id, req, disc_page_cb);
}

/* ---------------------------------------------------------------- */
/* fetch */

/* Append len bytes of data to b as base64. */
static void
disc_base64(struct buf *b, const unsigned char *data, size_t len)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t		 v;
	size_t			 i;
	char			 q[4];

	buf_grow(b, (len + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 |
		    data[i + 2];
		q[0] = tab[v >> 18];
		q[1] = tab[(v >> 12) & 63];
		q[2] = tab[(v >> 6) & 63];
		q[3] = tab[v & 63];
		buf_add(b, q, 4);
	}
	if (i < len) {
		v = (uint32_t)data[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)data[i + 1] << 8;
		q[0] = tab[v >> 18];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		q[3] = '=';
		buf_add(b, q, 4);
	}
	buf_add(b, "", 0);
}

/* The document is fetched: hand its bytes back. */
static void
disc_fetched_cb(struct fetch_result *r, void *arg)
{
	struct disc	*s = arg;
	struct buf	 b = { NULL, 0, 0 };
	json_t		*o;

	if (r->outcome != FETCH_OK && !disc_not_feed(r)) {
		disc_end(s, proto_error(s->id, PROTO_E_FETCH, "%.300s: %s",
		    s->url, subscribe_reason(r)));
		fetch_result_free(r);
		return;
	}
	if (r->body.len > DISC_MAX_FETCH_BODY) {
		disc_end(s, proto_error(s->id, PROTO_E_FETCH, "%.300s: larger "
		    "than %d bytes", s->url, DISC_MAX_FETCH_BODY));
		fetch_result_free(r);
		return;
	}
	disc_base64(&b, (const unsigned char *)r->body.data, r->body.len);
	o = proto_ok(s->id);
	json_object_set_new(o, "url", proto_string(s->url));
	json_object_set_new(o, "final_url", proto_string(r->final_url != NULL ?
	    r->final_url : s->url));
	json_object_set_new(o, "status", json_integer(r->http_status));
	json_object_set_new(o, "body_base64", json_string(b.len > 0 ? b.data :
	    ""));
	buf_free(&b);
	fetch_result_free(r);
	disc_end(s, o);
}

/*
 * "fetch": {"url":U} answers {"url":U,"final_url":F,"status":N,
 * "body_base64":B}, the document's decoded bytes, whatever it is (a 2xx).
 */
void
discover_fetch(struct client *c, json_t *id, json_t *req)
{
	disc_start(c, id, req, disc_fetched_cb);
}

/* At shutdown, once fetch.c stopped its transfers: free what is pending. */
void
discover_free(void)
{
	struct disc	*s;

	while ((s = TAILQ_FIRST(&disc_list)) != NULL)
		disc_free(s);
}
