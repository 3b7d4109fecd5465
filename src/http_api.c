/*
 * http_api.c: the Miniflux v1 API of feedd-http, on feedd's socket.
 *
 * Each HTTP request is one or a few socket requests on a connection of
 * its own (a local round trip; feedd keeps no state for it), and each
 * answer is reshaped into Miniflux's JSON: field names and types as
 * Miniflux's model package and its Go client have them.
 *
 * Mapping (see feedd-http(8)):
 * - Categories are feedd's tags.  A feed is in the category of its first
 *   tag; untagged feeds are in "All", id 1, as Miniflux's default
 *   category.  A category's id is a hash of its lowercased name (31
 *   bits), stable without any table.
 * - Entries are items; "status" is read/unread; "limit" defaults to 100
 *   and is clamped to 1000; "order" id and created_at are feedd's id
 *   order (ids are given as items are first stored), the others feedd's
 *   date order, the direction as asked (Miniflux's default: asc).
 *   "starred=false" selects the items not starred, as in Miniflux.
 * - The user is one, id 1; every object's user_id is 1.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "feedd.h"
#include "proto.h"

#define API_LIMIT_DEFAULT	100	/* entries when no limit is given */
#define API_LIMIT_MAX		1000	/* limit is clamped to this */
#define API_MAX_LINE		(32 * 1024 * 1024) /* one answer line */
#define API_TIMEOUT		30	/* s for feedd to answer */
#define API_MAX_IDS		10000	/* entry_ids of one PUT */
#define API_ALL_ID		1	/* the category of untagged feeds */
#define API_ALL_TITLE		"All"
#define API_FEED_TTL		10	/* s a feed's text is reused */
#define API_FEED_CACHE		20000	/* feeds' texts kept at most */

static const char	*api_socket;
static const char	*api_user;

/*
 * Entries embed their feed's object.  Its text is kept for API_FEED_TTL
 * seconds, by feed id ("12": ["text", expiry]), shared by the server's
 * threads: a page of 100 entries from 100 feeds then costs no request for
 * its feeds (3 ms of feedd's time on 10,000 feeds).  A feed's title or
 * category shows its change in entries that much later.
 */
static json_t		*api_cache;
static pthread_mutex_t	 api_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* A connection to feedd and what was read from it. */
struct api_conn {
	int		 fd;
	struct buf	 in;
	size_t		 off;		/* start of the next line in in */
};

/* One request being answered. */
struct api_ctx {
	struct http_req		*req;
	struct http_resp	*resp;
	int64_t			 id[2];	/* ids in the path, in order */
};

/* Remember where feedd's socket is and the user's name. */
void
http_api_init(const char *socket_path, const char *user)
{
	api_socket = socket_path;
	api_user = user;
}

/* ---------------------------------------------------------------- */
/* Talking to feedd. */

/* Connect to feedd; -1 when it does not answer. */
static int
api_connect(struct api_conn *c)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { API_TIMEOUT, 0 };

	memset(c, 0, sizeof *c);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(api_socket) >= sizeof sun.sun_path)
		return (-1);
	memcpy(sun.sun_path, api_socket, strlen(api_socket));
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	(void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		log_warn("%s: connect", api_socket);
		close(c->fd);
		c->fd = -1;
		return (-1);
	}
	return (0);
}

static void
api_close(struct api_conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	buf_free(&c->in);
}

/* Send one request (taken).  Returns 0 or -1. */
static int
api_send(struct api_conn *c, json_t *req)
{
	struct buf	 b;
	size_t		 off = 0;
	ssize_t		 n;

	memset(&b, 0, sizeof b);
	proto_dump(&b, req);
	json_decref(req);
	while (off < b.len) {
		n = write(c->fd, b.data + off, b.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			buf_free(&b);
			return (-1);
		}
		off += (size_t)n;
	}
	buf_free(&b);
	return (0);
}

/* The next answer line as JSON, or NULL (closed, timeout, bad line). */
static json_t *
api_line(struct api_conn *c)
{
	char	*nl;
	ssize_t	 n;
	json_t	*v;
	size_t	 start;

	for (;;) {
		if (c->in.len > c->off &&
		    (nl = memchr(c->in.data + c->off, '\n',
		    c->in.len - c->off)) != NULL) {
			start = c->off;
			c->off = (size_t)(nl - c->in.data) + 1;
			v = json_loadb(c->in.data + start,
			    (size_t)(nl - c->in.data) - start, 0, NULL);
			if (c->off == c->in.len) {
				c->in.len = c->off = 0;
			}
			return (v);
		}
		if (c->in.len - c->off > API_MAX_LINE)
			return (NULL);
		if (c->off > 0) {
			memmove(c->in.data, c->in.data + c->off,
			    c->in.len - c->off);
			c->in.len -= c->off;
			c->off = 0;
		}
		buf_grow(&c->in, 65536);
		n = read(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len
		    - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (NULL);
		c->in.len += (size_t)n;
		c->in.data[c->in.len] = '\0';
	}
}

/* A new request object for cmd. */
static json_t *
api_req(const char *cmd)
{
	return (json_pack("{s:i,s:s}", "v", PROTO_VERSION, "cmd", cmd));
}

/* The error code of an answer, or NULL for a success. */
static const char *
api_err_code(json_t *ans)
{
	json_t	*e;

	if (json_is_true(json_object_get(ans, "ok")))
		return (NULL);
	e = json_object_get(ans, "error");
	if (json_is_string(json_object_get(e, "code")))
		return (json_string_value(json_object_get(e, "code")));
	return ("internal");
}

/* Answer an error of feedd's as HTTP: 404, 400, 503 or 500. */
static void
api_fail(struct api_ctx *x, json_t *ans)
{
	const char	*code = ans != NULL ? api_err_code(ans) : NULL;
	const char	*msg;

	if (ans == NULL) {
		http_resp_error(x->resp, 503, "feedd does not answer");
		return;
	}
	msg = json_string_value(json_object_get(json_object_get(ans,
	    "error"), "message"));
	if (msg == NULL)
		msg = code;
	if (strcmp(code, PROTO_E_NOT_FOUND) == 0)
		http_resp_error(x->resp, 404, "resource not found");
	else if (strcmp(code, PROTO_E_BAD_REQUEST) == 0 ||
	    strcmp(code, PROTO_E_AMBIGUOUS) == 0 ||
	    strcmp(code, "exists") == 0)
		http_resp_error(x->resp, 400, "%s", msg);
	else if (strcmp(code, PROTO_E_BUSY) == 0)
		http_resp_error(x->resp, 503, "feedd is busy");
	else if (strcmp(code, PROTO_E_UNKNOWN_CMD) == 0)
		http_resp_error(x->resp, 501, "feedd does not know this "
		    "request yet: %s", msg);
	else
		http_resp_error(x->resp, 500, "%s", msg);
}

/*
 * One request, one answer line (a new connection).  Returns the answer,
 * NULL when feedd did not answer.
 */
static json_t *
api_call(json_t *req)
{
	struct api_conn	 c;
	json_t		*ans = NULL;

	if (api_connect(&c) != 0) {
		json_decref(req);
		return (NULL);
	}
	if (api_send(&c, req) == 0)
		ans = api_line(&c);
	api_close(&c);
	return (ans);
}

/*
 * A listing: row(key's object, arg) for each line, then the end line in
 * *end.  Returns 0, or -1 with *end the error answer (NULL: no answer).
 */
static int
api_list(json_t *req, const char *key, void (*row)(json_t *, void *),
    void *arg, json_t **end)
{
	struct api_conn	 c;
	json_t		*ans, *v;

	*end = NULL;
	if (api_connect(&c) != 0) {
		json_decref(req);
		return (-1);
	}
	if (api_send(&c, req) != 0) {
		api_close(&c);
		return (-1);
	}
	while ((ans = api_line(&c)) != NULL) {
		if (api_err_code(ans) != NULL ||
		    json_is_true(json_object_get(ans, "end"))) {
			*end = ans;
			break;
		}
		if ((v = json_object_get(ans, key)) != NULL)
			row(v, arg);
		json_decref(ans);
	}
	api_close(&c);
	return (*end != NULL && api_err_code(*end) == NULL ? 0 : -1);
}

/* ---------------------------------------------------------------- */
/* Shapes. */

/* A unix time as RFC 3339 (UTC); Miniflux's zero time for none. */
static json_t *
api_time(json_t *v)
{
	char		 s[64];
	struct tm	 tm;
	time_t		 t;

	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return (json_string("0001-01-01T00:00:00Z"));
	t = (time_t)json_integer_value(v);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return (json_string("0001-01-01T00:00:00Z"));
	return (json_string(s));
}

/* A string member, or "" (Miniflux has no nulls in strings). */
static json_t *
api_str(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return (json_string(json_is_string(v) ? json_string_value(v) : ""));
}

/* A category's id: 1 for none, else a stable hash of the name. */
static int64_t
api_cat_id(const char *tag)
{
	uint32_t	h = 2166136261u;
	const char	*p;

	if (tag == NULL || *tag == '\0')
		return (API_ALL_ID);
	for (p = tag; *p != '\0'; p++) {
		h ^= (uint32_t)tolower((unsigned char)*p);
		h *= 16777619u;
	}
	return (2 + (int64_t)(h % 2000000000u));
}

/* The first tag of a feed object (its category), or NULL. */
static const char *
api_first_tag(json_t *f)
{
	json_t	*t = json_array_get(json_object_get(f, "tags"), 0);

	return (json_is_string(t) && *json_string_value(t) != '\0' ?
	    json_string_value(t) : NULL);
}

/* A Miniflux category object. */
static json_t *
api_category(const char *tag)
{
	return (json_pack("{s:I,s:s,s:i,s:b}", "id",
	    (json_int_t)api_cat_id(tag), "title",
	    tag != NULL ? tag : API_ALL_TITLE, "user_id", 1,
	    "hide_globally", 0));
}

/* A Miniflux feed object from a feedd feed object. */
static json_t *
api_feed(json_t *f)
{
	json_t		*o;
	json_int_t	 id = json_integer_value(json_object_get(f, "id"));
	static const char *empty[] = {
		"description", "language", "etag_header",
		"last_modified_header", "scraper_rules", "rewrite_rules",
		"blocklist_rules", "keeplist_rules", "block_filter_entry_rules",
		"keep_filter_entry_rules", "urlrewrite_rules", "user_agent",
		"cookie", "username", "password", "apprise_service_urls",
		"webhook_url", "ntfy_topic", "proxy_url",
	};
	static const char *no[] = {
		"no_media_player", "ignore_http_cache",
		"allow_self_signed_certificates", "fetch_via_proxy",
		"hide_globally", "disable_http2", "pushover_enabled",
		"ntfy_enabled", "crawler", "ignore_entry_updates",
	};
	size_t		 i;

	o = json_object();
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "user_id", json_integer(1));
	json_object_set_new(o, "feed_url", api_str(f, "url"));
	json_object_set_new(o, "site_url", api_str(f, "site_url"));
	json_object_set_new(o, "title", api_str(f, "title"));
	json_object_set_new(o, "checked_at",
	    api_time(json_object_get(f, "last_fetch")));
	json_object_set_new(o, "next_check_at",
	    api_time(json_object_get(f, "next_fetch")));
	json_object_set_new(o, "parsing_error_message",
	    api_str(f, "last_error"));
	json_object_set_new(o, "parsing_error_count", json_integer(
	    json_integer_value(json_object_get(f, "errors"))));
	for (i = 0; i < sizeof empty / sizeof empty[0]; i++)
		json_object_set_new(o, empty[i], json_string(""));
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		json_object_set_new(o, no[i], json_false());
	json_object_set_new(o, "disabled", json_boolean(
	    json_is_true(json_object_get(f, "gone")) ||
	    json_is_false(json_object_get(f, "active"))));
	json_object_set_new(o, "ntfy_priority", json_integer(0));
	json_object_set_new(o, "pushover_priority", json_integer(0));
	json_object_set_new(o, "category", api_category(api_first_tag(f)));
	json_object_set_new(o, "icon", json_pack("{s:I,s:i,s:s}", "feed_id",
	    id, "icon_id", 0, "external_icon_id", ""));
	return (o);
}

/* Minutes to read text of this many bytes of HTML, as Miniflux shows. */
static int
api_reading_time(const char *html)
{
	const char	*p;
	size_t		 words = 0;
	int		 in_tag = 0, in_word = 0;

	for (p = html; *p != '\0'; p++) {
		if (*p == '<')
			in_tag = 1;
		else if (*p == '>')
			in_tag = in_word = 0;
		else if (!in_tag && isspace((unsigned char)*p))
			in_word = 0;
		else if (!in_tag && !in_word) {
			in_word = 1;
			words++;
		}
	}
	return ((int)((words + 264) / 265));
}

/*
 * Append s as a JSON string.  It comes from jansson, so it is valid UTF-8:
 * only quotes, backslashes and control characters need escapes.
 */
static void
api_put_str(struct buf *b, const char *s)
{
	const char	*run;

	buf_addc(b, '"');
	while (*s != '\0') {
		for (run = s; *s != '\0' && *s != '"' && *s != '\\' &&
		    (unsigned char)*s >= 0x20; s++)
			;
		buf_add(b, run, (size_t)(s - run));
		if (*s == '\0')
			break;
		if (*s == '"' || *s == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, *s);
		} else
			buf_printf(b, "\\u%04x", (unsigned char)*s);
		s++;
	}
	buf_addc(b, '"');
}

/* Append "key":"string member of o, or empty", and a comma. */
static void
api_put_member(struct buf *b, const char *key, json_t *o, const char *mkey)
{
	const char	*v = json_string_value(json_object_get(o, mkey));

	buf_printf(b, "\"%s\":", key);
	api_put_str(b, v != NULL ? v : "");
	buf_addc(b, ',');
}

/* Append "key":"RFC 3339 time", and a comma. */
static void
api_put_time(struct buf *b, const char *key, json_t *v)
{
	json_t	*t = api_time(v);

	buf_printf(b, "\"%s\":\"%s\",", key, json_string_value(t));
	json_decref(t);
}

/* A feed object's Miniflux JSON text; the caller frees it. */
static char *
api_feed_text(json_t *f)
{
	json_t	*o = api_feed(f);
	char	*s;

	if ((s = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("json_dumps: out of memory");
	json_decref(o);
	return (s);
}

/*
 * Append a Miniflux entry from a feedd item and its feed's Miniflux text
 * (NULL: made of what the item says of its feed).  Written as text, not
 * built as a jansson object: a page of 100 entries with their feeds is
 * 7,000 members.
 */
static void
api_entry_put(struct buf *b, json_t *it, const char *feed)
{
	json_t		*e, *pub, *f;
	json_int_t	 id = json_integer_value(json_object_get(it, "id"));
	const char	*content;
	char		*ft = NULL;

	buf_printf(b, "{\"id\":%lld,\"user_id\":1,\"feed_id\":%lld,"
	    "\"status\":\"%s\",", (long long)id, (long long)json_integer_value(
	    json_object_get(it, "feed_id")), json_is_true(json_object_get(it,
	    "read")) ? "read" : "unread");
	api_put_member(b, "hash", it, "guid");
	api_put_member(b, "title", it, "title");
	api_put_member(b, "url", it, "url");
	buf_adds(b, "\"comments_url\":\"\",\"language\":\"\",");
	pub = json_object_get(it, "published");
	if (!json_is_integer(pub))
		pub = json_object_get(it, "updated");
	if (!json_is_integer(pub))
		pub = json_object_get(it, "first_seen");
	api_put_time(b, "published_at", pub);
	api_put_time(b, "created_at", json_object_get(it, "first_seen"));
	api_put_time(b, "changed_at", json_is_integer(json_object_get(it,
	    "changed")) ? json_object_get(it, "changed") :
	    json_object_get(it, "first_seen"));
	content = json_string_value(json_object_get(it, "content"));
	if (content == NULL)
		content = json_string_value(json_object_get(it, "summary"));
	if (content == NULL)
		content = "";
	buf_adds(b, "\"content\":");
	api_put_str(b, content);
	buf_addc(b, ',');
	api_put_member(b, "author", it, "author");
	buf_printf(b, "\"share_code\":\"\",\"starred\":%s,"
	    "\"reading_time\":%d,\"enclosures\":[",
	    json_is_true(json_object_get(it, "starred")) ? "true" : "false",
	    api_reading_time(content));
	e = json_object_get(it, "enclosure");
	if (json_is_string(json_object_get(e, "url"))) {
		buf_printf(b, "{\"id\":%lld,\"user_id\":1,\"entry_id\":%lld,",
		    (long long)id, (long long)id);
		api_put_member(b, "url", e, "url");
		api_put_member(b, "mime_type", e, "type");
		buf_adds(b, "\"size\":0,\"media_progression\":0}");
	}
	buf_adds(b, "],\"feed\":");
	if (feed == NULL) {
		/* The item carries its feed's id, title and URL. */
		f = json_pack("{s:O,s:O,s:O}", "id", json_object_get(it,
		    "feed_id"), "title", json_object_get(it, "feed"), "url",
		    json_object_get(it, "feed_url"));
		feed = ft = api_feed_text(f != NULL ? f : json_object());
		json_decref(f);
	}
	buf_adds(b, feed);
	free(ft);
	buf_adds(b, ",\"tags\":[]}");
}

/* ---------------------------------------------------------------- */
/* Parameters. */

/* A boolean query argument as Go's strconv.ParseBool reads it. */
static int
api_bool(const char *s, int *out)
{
	if (strcmp(s, "1") == 0 || strcasecmp(s, "t") == 0 ||
	    strcasecmp(s, "true") == 0)
		*out = 1;
	else if (strcmp(s, "0") == 0 || strcasecmp(s, "f") == 0 ||
	    strcasecmp(s, "false") == 0)
		*out = 0;
	else
		return (-1);
	return (0);
}

/* ---------------------------------------------------------------- */
/* Feeds and categories. */

/* Row callback: add the Miniflux feed to an array. */
static void
api_feeds_row(json_t *f, void *arg)
{
	json_array_append_new(arg, api_feed(f));
}

/* Row callback: keep the feedd feed object. */
static void
api_keep_row(json_t *f, void *arg)
{
	json_array_append(arg, f);
}

/* Every active feed as feedd objects; NULL after answering an error. */
static json_t *
api_all_feeds(struct api_ctx *x)
{
	json_t	*a = json_array(), *end;

	if (api_list(api_req("feeds"), "feed", api_keep_row, a, &end) != 0) {
		api_fail(x, end);
		json_decref(end);
		json_decref(a);
		return (NULL);
	}
	json_decref(end);
	return (a);
}

/* A streamed listing of feeds: feedd's lines become Miniflux's array. */
struct api_feed_stream {
	struct api_conn	 c;
	json_t		*first;		/* the line read before answering */
	size_t		 n;		/* feeds sent */
	json_t		*only;		/* ids to keep ("12": true), or NULL */
};

/* Append the next feeds (a few at a time); see http_resp_stream(). */
static int
api_feed_stream_fill(void *cls, struct buf *b)
{
	struct api_feed_stream	*fs = cls;
	json_t			*ans, *f;
	char			*t, k[32];
	int			 i;

	if (fs->n == 0 && b->len == 0 && fs->first != NULL)
		buf_addc(b, '[');
	for (i = 0; i < 32; i++) {
		if ((ans = fs->first) != NULL)
			fs->first = NULL;
		else if ((ans = api_line(&fs->c)) == NULL)
			return (-1);
		if (api_err_code(ans) != NULL) {
			json_decref(ans);
			return (-1);
		}
		if (json_is_true(json_object_get(ans, "end"))) {
			json_decref(ans);
			buf_addc(b, ']');
			return (1);
		}
		f = json_object_get(ans, "feed");
		(void)snprintf(k, sizeof k, "%lld", (long long)
		    json_integer_value(json_object_get(f, "id")));
		if (f != NULL && (fs->only == NULL ||
		    json_object_get(fs->only, k) != NULL)) {
			t = api_feed_text(f);
			if (fs->n++ > 0)
				buf_addc(b, ',');
			buf_adds(b, t);
			free(t);
		}
		json_decref(ans);
	}
	return (0);
}

static void
api_feed_stream_free(void *cls)
{
	struct api_feed_stream	*fs = cls;

	api_close(&fs->c);
	json_decref(fs->first);
	json_decref(fs->only);
	free(fs);
}

/*
 * Answer a "feeds" request (taken) as a Miniflux array, streamed: the
 * first line is read before answering, so that an error gets its status;
 * only the feeds in only (taken; NULL: all) are kept.
 */
static void
api_feeds_stream(struct api_ctx *x, json_t *req, json_t *only)
{
	struct api_feed_stream	*fs;

	fs = xcalloc(1, sizeof *fs);
	fs->only = only;
	if (api_connect(&fs->c) != 0) {
		json_decref(req);
		api_fail(x, NULL);
		api_feed_stream_free(fs);
		return;
	}
	if (api_send(&fs->c, req) != 0 ||
	    (fs->first = api_line(&fs->c)) == NULL ||
	    api_err_code(fs->first) != NULL) {
		api_fail(x, fs->first);
		api_feed_stream_free(fs);
		return;
	}
	http_resp_stream(x->resp, 200, "application/json",
	    api_feed_stream_fill, api_feed_stream_free, fs);
}

/* GET /v1/feeds */
static void
api_get_feeds(struct api_ctx *x)
{
	api_feeds_stream(x, api_req("feeds"), NULL);
}

/* GET /v1/feeds/{id} */
static void
api_get_feed(struct api_ctx *x)
{
	json_t	*a = json_array(), *end, *req;

	req = api_req("feeds");
	json_object_set_new(req, "feed", json_integer(x->id[0]));
	json_object_set_new(req, "all", json_true());
	if (api_list(req, "feed", api_feeds_row, a, &end) != 0)
		api_fail(x, end);
	else if (json_array_size(a) == 0)
		http_resp_error(x->resp, 404, "resource not found");
	else
		http_resp_json(x->resp, 200, json_incref(json_array_get(a, 0)));
	json_decref(a);
	json_decref(end);
}

/*
 * Every active feed's counts by column ("ids", "items", "unread",
 * "starred", and with tags "tag", the first tag or null), from the
 * "counts" request; NULL after answering an error.
 */
static json_t *
api_counts(struct api_ctx *x, int tags)
{
	json_t	*req, *ans;

	req = api_req("counts");
	if (tags)
		json_object_set_new(req, "tags", json_true());
	if ((ans = api_call(req)) == NULL || api_err_code(ans) != NULL) {
		api_fail(x, ans);
		json_decref(ans);
		return (NULL);
	}
	if (!json_is_array(json_object_get(ans, "ids"))) {
		json_decref(ans);
		http_resp_error(x->resp, 500, "no feeds in the answer");
		return (NULL);
	}
	return (ans);
}

/* Feed i's first tag in a counts answer, or NULL. */
static const char *
api_counts_tag(json_t *counts, size_t i)
{
	const char	*t;

	t = json_string_value(json_array_get(json_object_get(counts, "tag"),
	    i));
	return (t != NULL && *t != '\0' ? t : NULL);
}

/*
 * GET /v1/feeds/counters: {"reads":{"id":N,...},"unreads":{...}}, the
 * feeds with none left out as Miniflux does; written as text, as 10,000
 * feeds make 20,000 members.
 */
static void
api_get_counters(struct api_ctx *x)
{
	struct buf	 rd, un;
	json_t		*c, *ids, *items, *unreads;
	json_int_t	 id, n, unread;
	size_t		 i;

	if ((c = api_counts(x, 0)) == NULL)
		return;
	ids = json_object_get(c, "ids");
	items = json_object_get(c, "items");
	unreads = json_object_get(c, "unread");
	memset(&rd, 0, sizeof rd);
	memset(&un, 0, sizeof un);
	buf_adds(&rd, "{\"reads\":{");
	buf_adds(&un, "},\"unreads\":{");
	for (i = 0; i < json_array_size(ids); i++) {
		id = json_integer_value(json_array_get(ids, i));
		n = json_integer_value(json_array_get(items, i));
		unread = json_integer_value(json_array_get(unreads, i));
		if (n - unread > 0)
			buf_printf(&rd, "%s\"%lld\":%lld",
			    rd.data[rd.len - 1] == '{' ? "" : ",",
			    (long long)id, (long long)(n - unread));
		if (unread > 0)
			buf_printf(&un, "%s\"%lld\":%lld",
			    un.data[un.len - 1] == '{' ? "" : ",",
			    (long long)id, (long long)unread);
	}
	json_decref(c);
	buf_add(&rd, un.data, un.len);
	buf_adds(&rd, "}}");
	buf_free(&un);
	http_resp_raw(x->resp, 200, "application/json", rd.data, rd.len);
}

/* GET /v1/categories: "All" first, then each first tag once. */
static void
api_get_categories(struct api_ctx *x)
{
	json_t		*c, *out, *seen;
	const char	*tag;
	char		 k[32];
	size_t		 i;

	if ((c = api_counts(x, 1)) == NULL)
		return;
	out = json_array();
	seen = json_object();
	json_array_append_new(out, api_category(NULL));
	json_object_set_new(seen, "1", json_true());
	for (i = 0; i < json_array_size(json_object_get(c, "ids")); i++) {
		tag = api_counts_tag(c, i);
		(void)snprintf(k, sizeof k, "%lld", (long long)api_cat_id(tag));
		if (json_object_get(seen, k) != NULL)
			continue;
		json_object_set_new(seen, k, json_true());
		json_array_append_new(out, api_category(tag));
	}
	json_decref(seen);
	json_decref(c);
	http_resp_json(x->resp, 200, out);
}

/*
 * The ids of the feeds of category cat, as a new array; *exists says
 * whether the category exists ("All" always does); *tag (if not NULL)
 * gets its name, which the caller frees.  NULL after answering an error.
 */
static json_t *
api_category_ids(struct api_ctx *x, int64_t cat, int *exists, char **tag)
{
	json_t	*c, *ids, *cids;
	size_t	 i;

	if ((c = api_counts(x, 1)) == NULL)
		return (NULL);
	ids = json_array();
	cids = json_object_get(c, "ids");
	*exists = cat == API_ALL_ID;
	for (i = 0; i < json_array_size(cids); i++) {
		if (api_cat_id(api_counts_tag(c, i)) != cat)
			continue;
		if (!*exists && tag != NULL)
			*tag = xstrdup(api_counts_tag(c, i));
		*exists = 1;
		json_array_append(ids, json_array_get(cids, i));
	}
	json_decref(c);
	return (ids);
}

/* GET /v1/categories/{id}/feeds */
static void
api_get_category_feeds(struct api_ctx *x)
{
	json_t	*ids, *req, *f, *set;
	char	 k[32];
	size_t	 i;
	int	 exists;

	if ((ids = api_category_ids(x, x->id[0], &exists, NULL)) == NULL)
		return;
	if (!exists) {
		json_decref(ids);
		http_resp_error(x->resp, 404, "resource not found");
		return;
	}
	if (json_array_size(ids) == 0) {
		json_decref(ids);
		http_resp_json(x->resp, 200, json_array());
		return;
	}
	/* A few feeds by id; many by one walk of the feed table. */
	req = api_req("feeds");
	set = json_object();
	json_array_foreach(ids, i, f) {
		(void)snprintf(k, sizeof k, "%lld",
		    (long long)json_integer_value(f));
		json_object_set_new(set, k, json_true());
	}
	if (json_array_size(ids) <= 1000)
		json_object_set(req, "feed", ids);
	json_decref(ids);
	api_feeds_stream(x, req, set);
}

/* ---------------------------------------------------------------- */
/* Entries. */

/*
 * The feeds named by ids (taken), by id ("12": feedd's feed object): one
 * "feeds" request.  NULL if it fails (the entries then carry what their
 * items say of their feeds).
 */
static json_t *
api_feeds_by_id(json_t *ids)
{
	json_t	*byid, *feeds, *f, *end, *req;
	char	 k[32];
	size_t	 i;

	req = api_req("feeds");
	json_object_set_new(req, "feed", ids);
	json_object_set_new(req, "all", json_true());
	feeds = json_array();
	if (api_list(req, "feed", api_keep_row, feeds, &end) != 0) {
		json_decref(end);
		json_decref(feeds);
		return (NULL);
	}
	json_decref(end);
	byid = json_object();
	json_array_foreach(feeds, i, f) {
		(void)snprintf(k, sizeof k, "%lld", (long long)
		    json_integer_value(json_object_get(f, "id")));
		json_object_set(byid, k, f);
	}
	json_decref(feeds);
	return (byid);
}

/*
 * The Miniflux text of each feed of these items, by id: from the cache
 * while fresh, else from one "feeds" request for the rest.
 */
static json_t *
api_feed_texts(json_t *items)
{
	json_t		*texts, *missing, *byid, *it, *c, *f;
	char		 k[32], *s;
	const char	*key;
	time_t		 now = time(NULL);
	size_t		 i;

	texts = json_object();
	missing = json_array();
	pthread_mutex_lock(&api_cache_lock);
	if (api_cache == NULL)
		api_cache = json_object();
	json_array_foreach(items, i, it) {
		(void)snprintf(k, sizeof k, "%lld", (long long)
		    json_integer_value(json_object_get(it, "feed_id")));
		if (json_object_get(texts, k) != NULL)
			continue;
		c = json_object_get(api_cache, k);
		if (c != NULL && json_integer_value(json_array_get(c, 1)) >
		    now) {
			json_object_set(texts, k, json_array_get(c, 0));
			continue;
		}
		json_object_set_new(texts, k, json_null());
		json_array_append(missing, json_object_get(it, "feed_id"));
	}
	pthread_mutex_unlock(&api_cache_lock);
	if (json_array_size(missing) == 0) {
		json_decref(missing);
		return (texts);
	}
	if ((byid = api_feeds_by_id(missing)) == NULL)
		return (texts);
	pthread_mutex_lock(&api_cache_lock);
	if (json_object_size(api_cache) + json_object_size(byid) >
	    API_FEED_CACHE)
		json_object_clear(api_cache);
	json_object_foreach(byid, key, f) {
		s = api_feed_text(f);
		json_object_set_new(texts, key, json_string(s));
		json_object_set_new(api_cache, key, json_pack("[sI]", s,
		    (json_int_t)(now + API_FEED_TTL)));
		free(s);
	}
	pthread_mutex_unlock(&api_cache_lock);
	json_decref(byid);
	return (texts);
}

/*
 * Append the Miniflux entries of feedd items (and their feeds), comma
 * separated.
 */
static void
api_entries_put(struct buf *b, json_t *items)
{
	json_t	*texts, *it;
	char	 k[32];
	size_t	 i;

	texts = api_feed_texts(items);
	json_array_foreach(items, i, it) {
		(void)snprintf(k, sizeof k, "%lld", (long long)
		    json_integer_value(json_object_get(it, "feed_id")));
		if (i > 0)
			buf_addc(b, ',');
		api_entry_put(b, it, json_string_value(json_object_get(texts,
		    k)));
	}
	json_decref(texts);
}

/*
 * The entries of a listing: GET /v1/entries, /v1/feeds/{id}/entries
 * (feed > 0) and /v1/categories/{id}/entries (cat > 0), with Miniflux's
 * query arguments.  {"total":N,"entries":[...]}.
 */
static void
api_find_entries(struct api_ctx *x, int64_t feed, int64_t cat)
{
	struct http_req	*r = x->req;
	const char	*st[8], *s;
	json_t		*req, *ids, *entries, *end;
	struct buf	 out;
	int64_t		 n, limit = API_LIMIT_DEFAULT, offset = 0;
	int		 i, nst, rd = 0, unrd = 0, b, exists;
	int		 route_feed = feed > 0, route_cat = cat > 0;
	/*
	 * Miniflux's orders and feedd's for them: "id" and "created_at" by
	 * id (ids follow the first sight of items), the others by feedd's
	 * date (feedd-http(8) says so).
	 */
	static const struct {
		const char	*name;
		const char	*order;
	} orders[] = {
		{ "id", "id" },
		{ "status", "date" },
		{ "changed_at", "date" },
		{ "published_at", "date" },
		{ "created_at", "id" },
		{ "category_title", "date" },
		{ "category_id", "date" },
		{ "title", "date" },
		{ "author", "date" },
	};

	req = api_req("items");
	json_object_set_new(req, "content", json_true());
	json_object_set_new(req, "total", json_true());
	nst = http_req_args(r, "status", st, 8);
	for (i = 0; i < nst; i++) {
		if (strcmp(st[i], "read") == 0)
			rd = 1;
		else if (strcmp(st[i], "unread") == 0)
			unrd = 1;
		else if (strcmp(st[i], "removed") == 0) {
			json_decref(req);
			http_resp_error(x->resp, 400, "invalid entry status: "
			    "feedd removes no entries, valid status values "
			    "are: \"read\" and \"unread\"");
			return;
		} else {
			json_decref(req);
			http_resp_error(x->resp, 400, "invalid entry status, "
			    "valid status values are: \"read\" and \"unread\"");
			return;
		}
	}
	if (rd != unrd)
		json_object_set_new(req, rd ? "read" : "unread", json_true());
	if ((s = http_req_arg(r, "order")) != NULL) {
		for (i = 0; i < (int)(sizeof orders / sizeof orders[0]); i++)
			if (strcmp(s, orders[i].name) == 0)
				break;
		if (i == (int)(sizeof orders / sizeof orders[0])) {
			json_decref(req);
			http_resp_error(x->resp, 400, "invalid entry order");
			return;
		}
		if (strcmp(orders[i].order, "date") != 0)
			json_object_set_new(req, "order",
			    json_string(orders[i].order));
	}
	s = http_req_arg(r, "direction");
	if (s != NULL && strcmp(s, "asc") != 0 && strcmp(s, "desc") != 0) {
		json_decref(req);
		http_resp_error(x->resp, 400, "invalid direction, valid "
		    "direction values are: \"asc\" or \"desc\"");
		return;
	}
	/* Miniflux's default direction is ascending. */
	if (s == NULL || strcmp(s, "asc") == 0)
		json_object_set_new(req, "oldest_first", json_true());
	if ((s = http_req_arg(r, "limit")) != NULL &&
	    util_parse_int(s, INT64_MIN, INT64_MAX, &limit) != 0) {
		json_decref(req);
		http_resp_error(x->resp, 400, "limit is not a number");
		return;
	}
	if ((s = http_req_arg(r, "offset")) != NULL &&
	    util_parse_int(s, INT64_MIN, INT64_MAX, &offset) != 0) {
		json_decref(req);
		http_resp_error(x->resp, 400, "offset is not a number");
		return;
	}
	if (offset < 0 || limit < 0) {
		json_decref(req);
		http_resp_error(x->resp, 400, offset < 0 ?
		    "offset value should be >= 0" :
		    "limit value should be >= 0");
		return;
	}
	if (limit == 0 || limit > API_LIMIT_MAX)
		limit = API_LIMIT_MAX;
	json_object_set_new(req, "limit", json_integer(limit));
	if (offset > 0)
		json_object_set_new(req, "offset", json_integer(offset));
	/* As Miniflux: a value that is not a boolean is no filter. */
	if ((s = http_req_arg(r, "starred")) != NULL &&
	    api_bool(s, &b) == 0)
		json_object_set_new(req, b ? "starred" : "unstarred",
		    json_true());
	if ((s = http_req_arg(r, "search")) != NULL && *s != '\0')
		json_object_set_new(req, "search", json_string(s));
	if ((s = http_req_arg(r, "before")) != NULL &&
	    util_parse_int(s, 1, INT64_MAX / 2, &n) == 0)
		json_object_set_new(req, "until", json_integer(n));
	if ((s = http_req_arg(r, "after")) != NULL &&
	    util_parse_int(s, 0, INT64_MAX / 2, &n) == 0 && n > 0)
		json_object_set_new(req, "since", json_integer(n + 1));
	if ((s = http_req_arg(r, "before_entry_id")) != NULL &&
	    util_parse_int(s, 1, INT64_MAX, &n) == 0) {
		if (n <= 1) {
			json_decref(req);
			http_resp_json(x->resp, 200, json_pack("{s:i,s:[]}",
			    "total", 0, "entries"));
			return;
		}
		json_object_set_new(req, "cursor", json_integer(n - 1));
	}
	if ((s = http_req_arg(r, "after_entry_id")) != NULL &&
	    util_parse_int(s, 1, INT64_MAX, &n) == 0)
		json_object_set_new(req, "after", json_integer(n));
	if ((s = http_req_arg(r, "feed_id")) != NULL &&
	    util_parse_int(s, 1, INT64_MAX, &n) == 0)
		feed = n;
	if ((s = http_req_arg(r, "category_id")) != NULL &&
	    util_parse_int(s, 1, INT64_MAX, &n) == 0)
		cat = n;

	if (cat > 0) {
		if ((ids = api_category_ids(x, cat, &exists, NULL)) == NULL) {
			json_decref(req);
			return;
		}
		if (!exists) {
			json_decref(ids);
			json_decref(req);
			if (route_cat)
				http_resp_error(x->resp, 404,
				    "resource not found");
			else
				http_resp_error(x->resp, 400,
				    "invalid category ID");
			return;
		}
		if (json_array_size(ids) == 0) {
			json_decref(ids);
			json_decref(req);
			http_resp_json(x->resp, 200, json_pack("{s:i,s:[]}",
			    "total", 0, "entries"));
			return;
		}
		/* With a feed too: that feed, if it is in the category. */
		if (feed > 0) {
			json_decref(ids);
			ids = json_pack("[I]", (json_int_t)feed);
		}
		json_object_set_new(req, "feed", ids);
	} else if (feed > 0)
		json_object_set_new(req, "feed", json_integer(feed));

	entries = json_array();
	if (api_list(req, "item", api_keep_row, entries, &end) != 0) {
		if (end != NULL &&
		    strcmp(api_err_code(end), PROTO_E_NOT_FOUND) == 0 &&
		    !route_feed)
			http_resp_error(x->resp, 400, "invalid feed ID");
		else
			api_fail(x, end);
	} else {
		memset(&out, 0, sizeof out);
		buf_printf(&out, "{\"total\":%lld,\"entries\":[", (long long)
		    json_integer_value(json_object_get(end, "total")));
		api_entries_put(&out, entries);
		buf_adds(&out, "]}");
		http_resp_raw(x->resp, 200, "application/json", out.data,
		    out.len);
	}
	json_decref(entries);
	json_decref(end);
}

static void
api_get_entries(struct api_ctx *x)
{
	api_find_entries(x, 0, 0);
}

static void
api_get_feed_entries(struct api_ctx *x)
{
	api_find_entries(x, x->id[0], 0);
}

static void
api_get_category_entries(struct api_ctx *x)
{
	api_find_entries(x, 0, x->id[0]);
}

/* One item (feedd's object), or NULL after answering an error. */
static json_t *
api_item(struct api_ctx *x, int64_t id)
{
	json_t	*req, *ans, *it;

	req = api_req("item");
	json_object_set_new(req, "item", json_integer(id));
	if ((ans = api_call(req)) == NULL || api_err_code(ans) != NULL) {
		api_fail(x, ans);
		json_decref(ans);
		return (NULL);
	}
	it = json_incref(json_object_get(ans, "item"));
	json_decref(ans);
	if (it == NULL)
		http_resp_error(x->resp, 500, "no item in the answer");
	return (it);
}

/* Answer one entry (it, taken) as Miniflux's entry object. */
static void
api_entry_answer(struct api_ctx *x, json_t *it)
{
	struct buf	 out;
	json_t		*a;

	a = json_pack("[o]", it);
	memset(&out, 0, sizeof out);
	api_entries_put(&out, a);
	json_decref(a);
	http_resp_raw(x->resp, 200, "application/json", out.data, out.len);
}

/* GET /v1/entries/{id} */
static void
api_get_entry(struct api_ctx *x)
{
	json_t	*it;

	if ((it = api_item(x, x->id[0])) != NULL)
		api_entry_answer(x, it);
}

/* GET /v1/feeds/{feed}/entries/{id} */
static void
api_get_feed_entry(struct api_ctx *x)
{
	json_t	*it;

	if ((it = api_item(x, x->id[1])) == NULL)
		return;
	if (json_integer_value(json_object_get(it, "feed_id")) != x->id[0]) {
		json_decref(it);
		http_resp_error(x->resp, 404, "resource not found");
		return;
	}
	api_entry_answer(x, it);
}

/* A "mark" request; answers 204 or the error.  Returns 0 or -1. */
static int
api_mark(struct api_ctx *x, json_t *req, int answer)
{
	json_t	*ans;

	if ((ans = api_call(req)) == NULL || api_err_code(ans) != NULL) {
		api_fail(x, ans);
		json_decref(ans);
		return (-1);
	}
	json_decref(ans);
	if (answer)
		http_resp_raw(x->resp, 204, NULL, NULL, 0);
	return (0);
}

/* The request body as a JSON object, or NULL after answering 400. */
static json_t *
api_body(struct api_ctx *x)
{
	json_error_t	 e;
	const char	*b;
	size_t		 len;
	json_t		*v;

	b = http_req_body(x->req, &len);
	if ((v = json_loadb(b, len, JSON_REJECT_DUPLICATES, &e)) == NULL) {
		http_resp_error(x->resp, 400, "invalid JSON body: %s", e.text);
		return (NULL);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		http_resp_error(x->resp, 400, "the body is not a JSON object");
		return (NULL);
	}
	return (v);
}

/* PUT /v1/entries: {"entry_ids":[...],"status":"read"|"unread"} */
static void
api_put_entries(struct api_ctx *x)
{
	json_t		*body, *ids, *v, *req, *st, *star;
	const char	*status = NULL;
	size_t		 i;

	if ((body = api_body(x)) == NULL)
		return;
	ids = json_object_get(body, "entry_ids");
	st = json_object_get(body, "status");
	star = json_object_get(body, "starred");
	if (!json_is_array(ids) || json_array_size(ids) == 0) {
		http_resp_error(x->resp, 400,
		    "the list of entries cannot be empty");
		goto out;
	}
	if (json_array_size(ids) > API_MAX_IDS) {
		http_resp_error(x->resp, 400, "at most %d entries at once",
		    API_MAX_IDS);
		goto out;
	}
	json_array_foreach(ids, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			http_resp_error(x->resp, 400, "entry_ids: whole "
			    "numbers > 0");
			goto out;
		}
	}
	if (st != NULL && !json_is_null(st)) {
		status = json_string_value(st);
		if (status != NULL && strcmp(status, "removed") == 0) {
			http_resp_error(x->resp, 400, "feedd cannot remove "
			    "entries, valid status values are: \"read\" and "
			    "\"unread\"");
			goto out;
		}
		if (status == NULL || (strcmp(status, "read") != 0 &&
		    strcmp(status, "unread") != 0)) {
			http_resp_error(x->resp, 400, "invalid entry status, "
			    "valid status values are: \"read\" and \"unread\"");
			goto out;
		}
	}
	if (star != NULL && !json_is_null(star) && !json_is_boolean(star)) {
		http_resp_error(x->resp, 400, "starred is a boolean");
		goto out;
	}
	if (status == NULL && (star == NULL || json_is_null(star))) {
		http_resp_error(x->resp, 400, "either the status or the "
		    "starred field must be specified");
		goto out;
	}
	if (status != NULL) {
		req = api_req("mark");
		json_object_set_new(req, "op", json_string(status));
		json_object_set(req, "items", ids);
		if (api_mark(x, req, 0) != 0)
			goto out;
	}
	if (star != NULL && json_is_boolean(star)) {
		req = api_req("mark");
		json_object_set_new(req, "op", json_string(json_is_true(star) ?
		    "star" : "unstar"));
		json_object_set(req, "items", ids);
		if (api_mark(x, req, 0) != 0)
			goto out;
	}
	http_resp_raw(x->resp, 204, NULL, NULL, 0);
out:
	json_decref(body);
}

/* PUT /v1/entries/{id}/bookmark: toggle the star. */
static void
api_put_bookmark(struct api_ctx *x)
{
	json_t	*it, *req;
	int	 starred;

	if ((it = api_item(x, x->id[0])) == NULL)
		return;
	starred = json_is_true(json_object_get(it, "starred"));
	json_decref(it);
	req = api_req("mark");
	json_object_set_new(req, "op", json_string(starred ? "unstar" :
	    "star"));
	json_object_set_new(req, "items", json_pack("[I]",
	    (json_int_t)x->id[0]));
	(void)api_mark(x, req, 1);
}

/* PUT /v1/feeds/{id}/mark-all-as-read */
static void
api_put_feed_read(struct api_ctx *x)
{
	json_t	*req;

	req = api_req("mark");
	json_object_set_new(req, "op", json_string("read"));
	json_object_set_new(req, "feed", json_integer(x->id[0]));
	(void)api_mark(x, req, 1);
}

/* PUT /v1/feeds/{id}/refresh and PUT /v1/feeds/refresh */
static void
api_put_refresh(struct api_ctx *x)
{
	json_t	*req;

	req = api_req("refresh");
	if (x->id[0] > 0)
		json_object_set_new(req, "feed", json_integer(x->id[0]));
	(void)api_mark(x, req, 1);
}

/* ---------------------------------------------------------------- */
/* The rest. */

/* GET /healthcheck: "OK" when feedd answers. */
static void
api_get_health(struct api_ctx *x)
{
	json_t	*ans;

	if ((ans = api_call(api_req("version"))) == NULL ||
	    api_err_code(ans) != NULL) {
		json_decref(ans);
		http_resp_raw(x->resp, 503, "text/plain", xstrdup("feedd does "
		    "not answer"), 19);
		return;
	}
	json_decref(ans);
	http_resp_raw(x->resp, 200, "text/plain", xstrdup("OK"), 2);
}

/* GET /v1/version */
static void
api_get_version(struct api_ctx *x)
{
	http_resp_json(x->resp, 200, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,"
	    "s:s}", "version", PACKAGE_VERSION, "commit", "", "build_date", "",
	    "go_version", "", "compiler", "feedd-http", "arch", "", "os",
	    "linux"));
}

/* GET /v1/me: the one user. */
static void
api_get_me(struct api_ctx *x)
{
	http_resp_json(x->resp, 200, json_pack("{s:i,s:s,s:b,s:s,s:s,s:s,"
	    "s:s,s:s,s:s,s:i,s:b,s:b,s:b,s:n,s:s,s:s,s:s}", "id", 1,
	    "username", api_user != NULL ? api_user : "feedd", "is_admin", 1,
	    "theme", "system_serif", "language", "en_US", "timezone", "UTC",
	    "entry_sorting_direction", "desc", "entry_sorting_order",
	    "published_at", "stylesheet", "", "entries_per_page", 100,
	    "keyboard_shortcuts", 0, "show_reading_time", 1, "entry_swipe", 0,
	    "last_login_at", "display_mode", "standalone", "google_id", "",
	    "openid_connect_id", ""));
}

/* GET /v1/export: OPML, through opml.c as feedctl export writes it. */
static void
api_get_export(struct api_ctx *x)
{
	struct config	 cfg;
	struct feed_conf *fc;
	json_t		*feeds, *f, *tags, *t;
	FILE		*fp;
	char		*data = NULL, *cause = NULL;
	size_t		 len = 0, i, j;
	const char	*title;

	if ((feeds = api_all_feeds(x)) == NULL)
		return;
	memset(&cfg, 0, sizeof cfg);
	cfg.nfeeds = json_array_size(feeds);
	cfg.feeds = xcalloc(cfg.nfeeds + 1, sizeof *cfg.feeds);
	json_array_foreach(feeds, i, f) {
		fc = &cfg.feeds[i];
		fc->url = (char *)json_string_value(json_object_get(f, "url"));
		title = json_string_value(json_object_get(f, "title"));
		fc->title = (char *)title;
		tags = json_object_get(f, "tags");
		fc->ntags = json_array_size(tags);
		fc->tags = xcalloc(fc->ntags + 1, sizeof *fc->tags);
		json_array_foreach(tags, j, t)
			fc->tags[j] = (char *)json_string_value(t);
	}
	if ((fp = open_memstream(&data, &len)) == NULL)
		fatal("open_memstream");
	if (opml_write(fp, &cfg, &cause) != 0 || fclose(fp) != 0) {
		http_resp_error(x->resp, 500, "export: %s", cause != NULL ?
		    cause : "failed");
		free(cause);
		free(data);
	} else
		http_resp_raw(x->resp, 200, "application/xml", data, len);
	for (i = 0; i < cfg.nfeeds; i++)
		free(cfg.feeds[i].tags);
	free(cfg.feeds);
	json_decref(feeds);
}

/* POST /v1/discover: {"url":U} -> [{"url","title","type"}] */
static void
api_post_discover(struct api_ctx *x)
{
	json_t		*body, *req, *ans, *out, *f;
	const char	*url;
	size_t		 i;

	if ((body = api_body(x)) == NULL)
		return;
	if ((url = json_string_value(json_object_get(body, "url"))) == NULL ||
	    *url == '\0') {
		http_resp_error(x->resp, 400, "the URL is required");
		json_decref(body);
		return;
	}
	req = api_req("discover");
	json_object_set_new(req, "url", json_string(url));
	json_decref(body);
	if ((ans = api_call(req)) == NULL || api_err_code(ans) != NULL) {
		api_fail(x, ans);
		json_decref(ans);
		return;
	}
	out = json_array();
	json_array_foreach(json_object_get(ans, "feeds"), i, f)
		json_array_append_new(out, json_pack("{s:o,s:o,s:o}", "url",
		    api_str(f, "url"), "title", api_str(f, "title"), "type",
		    api_str(f, "format")));
	json_decref(ans);
	if (json_array_size(out) == 0) {
		json_decref(out);
		http_resp_error(x->resp, 404, "resource not found");
		return;
	}
	http_resp_json(x->resp, 200, out);
}

/*
 * POST /v1/feeds: {"feed_url":U,"category_id":N} subscribes, tagged with
 * the category's name (none for "All").  201 {"feed_id":N}.
 */
static void
api_post_feed(struct api_ctx *x)
{
	json_t		*body, *req, *ans, *ids, *tags, *cv;
	const char	*url;
	char		*tag = NULL;
	json_int_t	 cat = 0, id;
	int		 exists;

	if ((body = api_body(x)) == NULL)
		return;
	url = json_string_value(json_object_get(body, "feed_url"));
	cv = json_object_get(body, "category_id");
	if (url == NULL || *url == '\0') {
		http_resp_error(x->resp, 400, "the feed_url is required");
		goto out;
	}
	if (cv != NULL && !json_is_null(cv) && (!json_is_integer(cv) ||
	    (cat = json_integer_value(cv)) < 0)) {
		http_resp_error(x->resp, 400, "category_id is a whole number");
		goto out;
	}
	tags = json_array();
	if (cat > API_ALL_ID) {
		if ((ids = api_category_ids(x, cat, &exists, &tag)) == NULL) {
			json_decref(tags);
			goto out;
		}
		json_decref(ids);
		if (tag == NULL) {
			json_decref(tags);
			http_resp_error(x->resp, 400, "invalid category ID");
			goto out;
		}
		json_array_append_new(tags, json_string(tag));
	}
	req = api_req("subscribe");
	json_object_set_new(req, "url", json_string(url));
	json_object_set_new(req, "tags", tags);
	json_object_set_new(req, "force", json_false());
	if ((ans = api_call(req)) == NULL || api_err_code(ans) != NULL) {
		if (ans != NULL && strcmp(api_err_code(ans), "exists") == 0)
			http_resp_error(x->resp, 400, "this feed already "
			    "exists");
		else
			api_fail(x, ans);
		json_decref(ans);
		goto out;
	}
	id = json_integer_value(json_object_get(json_object_get(ans, "feed"),
	    "id"));
	json_decref(ans);
	http_resp_json(x->resp, 201, json_pack("{s:I}", "feed_id", id));
out:
	free(tag);
	json_decref(body);
}

/* DELETE /v1/feeds/{id}: unsubscribe, keeping its items. */
static void
api_delete_feed(struct api_ctx *x)
{
	json_t	*req;

	req = api_req("unsubscribe");
	json_object_set_new(req, "feeds", json_pack("[I]",
	    (json_int_t)x->id[0]));
	json_object_set_new(req, "purge", json_false());
	(void)api_mark(x, req, 1);
}

/* ---------------------------------------------------------------- */
/* Routes. */

static const struct api_route {
	const char	*method;
	const char	*path;		/* "#" is an id */
	void		(*fn)(struct api_ctx *);
} api_routes[] = {
	{ "GET", "/healthcheck", api_get_health },
	{ "GET", "/v1/me", api_get_me },
	{ "GET", "/v1/version", api_get_version },
	{ "GET", "/v1/feeds", api_get_feeds },
	{ "POST", "/v1/feeds", api_post_feed },
	{ "GET", "/v1/feeds/counters", api_get_counters },
	{ "PUT", "/v1/feeds/refresh", api_put_refresh },
	{ "GET", "/v1/feeds/#", api_get_feed },
	{ "DELETE", "/v1/feeds/#", api_delete_feed },
	{ "GET", "/v1/feeds/#/entries", api_get_feed_entries },
	{ "GET", "/v1/feeds/#/entries/#", api_get_feed_entry },
	{ "PUT", "/v1/feeds/#/mark-all-as-read", api_put_feed_read },
	{ "PUT", "/v1/feeds/#/refresh", api_put_refresh },
	{ "GET", "/v1/categories", api_get_categories },
	{ "GET", "/v1/categories/#/feeds", api_get_category_feeds },
	{ "GET", "/v1/categories/#/entries", api_get_category_entries },
	{ "GET", "/v1/entries", api_get_entries },
	{ "PUT", "/v1/entries", api_put_entries },
	{ "GET", "/v1/entries/#", api_get_entry },
	{ "PUT", "/v1/entries/#/bookmark", api_put_bookmark },
	{ "PUT", "/v1/entries/#/star", api_put_bookmark },
	{ "GET", "/v1/export", api_get_export },
	{ "POST", "/v1/discover", api_post_discover },
};

/*
 * Does path match pattern?  Ids go to ids (at most 2); *bad is set when a
 * "#" segment is not a whole number in 1..2^63-1.
 */
static int
api_match(const char *pattern, const char *path, int64_t *ids, int *bad)
{
	const char	*p = pattern, *s = path, *pe, *se;
	char		 num[32];
	int		 n = 0;

	*bad = 0;
	for (;;) {
		if (*p == '\0' || *s == '\0')
			return (*p == '\0' && *s == '\0');
		pe = p + strcspn(p, "/") + (*p == '/' ? 1 +
		    strcspn(p + 1, "/") : 0);
		se = s + strcspn(s, "/") + (*s == '/' ? 1 +
		    strcspn(s + 1, "/") : 0);
		if (pe - p == 2 && p[1] == '#') {
			if (se - s < 2)
				return (0);
			if ((size_t)(se - s - 1) >= sizeof num ||
			    n >= 2) {
				*bad = 1;
			} else {
				memcpy(num, s + 1, (size_t)(se - s - 1));
				num[se - s - 1] = '\0';
				if (util_parse_int(num, 1, INT64_MAX,
				    &ids[n]) != 0)
					*bad = 1;
				n++;
			}
		} else if (pe - p != se - s || memcmp(p, s,
		    (size_t)(pe - p)) != 0)
			return (0);
		p = pe;
		s = se;
	}
}

/* Route a request to its handler; 404 or 405 when there is none. */
void
http_api_dispatch(struct http_req *r, struct http_resp *resp)
{
	struct api_ctx	 x;
	const char	*method = http_req_method(r);
	size_t		 i;
	int		 bad, path_known = 0;

	memset(&x, 0, sizeof x);
	x.req = r;
	x.resp = resp;
	for (i = 0; i < sizeof api_routes / sizeof api_routes[0]; i++) {
		if (!api_match(api_routes[i].path, http_req_path(r), x.id,
		    &bad))
			continue;
		path_known = 1;
		if (strcmp(api_routes[i].method, method) != 0)
			continue;
		if (bad) {
			http_resp_error(resp, 400, "invalid %s ID",
			    strstr(http_req_path(r), "/entries/") != NULL ?
			    "entry" : strncmp(http_req_path(r),
			    "/v1/categories", 14) == 0 ? "category" : "feed");
			return;
		}
		api_routes[i].fn(&x);
		return;
	}
	if (path_known)
		http_resp_error(resp, 405, "method not allowed");
	else
		http_resp_error(resp, 404, "resource not found");
}
