/*
 * proto.c: request and response encoding shared by feedd (server.c) and
 * feedctl: command names, the version check, times on the wire, store rows
 * as JSON objects, and one-line serialisation.  Uses jansson.
 *
 * Strings put on the wire are always valid UTF-8 (invalid bytes become
 * U+FFFD), and serialised lines escape C0 and C1 controls, so that a
 * `--json` listing piped to a terminal cannot carry escape sequences.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "feedd.h"
#include "proto.h"

/* Command names by enum value; order matches enum proto_cmd. */
static const char *proto_cmd_names[] = {
	NULL,
	"items",
	"item",
	"mark",
	"feeds",
	"refresh",
	"reload",
	"stats",
	"version",
	"follow",
	"discover",
	"subscribe",
	"unsubscribe",
	"fetch",
	"counts",
};

/* Look a command name up; PROTO_CMD_UNKNOWN when there is none. */
int
proto_cmd_lookup(const char *name)
{
	size_t	i;

	if (name == NULL)
		return (PROTO_CMD_UNKNOWN);
	for (i = 1; i < sizeof proto_cmd_names / sizeof proto_cmd_names[0];
	    i++) {
		if (strcmp(proto_cmd_names[i], name) == 0)
			return ((int)i);
	}
	return (PROTO_CMD_UNKNOWN);
}

/* The name of a command. */
const char *
proto_cmd_name(int cmd)
{
	if (cmd <= PROTO_CMD_UNKNOWN ||
	    (size_t)cmd >= sizeof proto_cmd_names / sizeof proto_cmd_names[0])
		return ("unknown");
	return (proto_cmd_names[cmd]);
}

/* Parse exactly n digits. */
static int
proto_digits(const char **sp, int n, int *out)
{
	const char	*s = *sp;
	int		 v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)*s))
			return (-1);
		v = v * 10 + (*s++ - '0');
	}
	*sp = s;
	*out = v;
	return (0);
}

/*
 * Parse a time on the wire: unix seconds ("1700000000", "-5") or RFC 3339
 * ("2026-11-28T12:00:00Z", "...+01:00", fractions ignored; a plain
 * "2026-11-28" is midnight UTC).  Returns 0 or -1.
 */
int
proto_parse_time(const char *s, int64_t *out)
{
	struct tm	 tm;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, oh, om, sign;
	int64_t		 off = 0, t;
	time_t		 tt;
	const char	*p = s;

	if (s == NULL || *s == '\0')
		return (-1);
	if (strchr(s, '-') == NULL || (*s == '-' && strchr(s + 1, '-') == NULL))
		return (util_parse_int(s, INT64_MIN / 2, INT64_MAX / 2, out));
	if (proto_digits(&p, 4, &y) != 0 || *p++ != '-' ||
	    proto_digits(&p, 2, &mo) != 0 || *p++ != '-' ||
	    proto_digits(&p, 2, &d) != 0)
		return (-1);
	if (*p != '\0') {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return (-1);
		p++;
		if (proto_digits(&p, 2, &h) != 0 || *p++ != ':' ||
		    proto_digits(&p, 2, &mi) != 0 || *p++ != ':' ||
		    proto_digits(&p, 2, &sec) != 0)
			return (-1);
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return (-1);
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (proto_digits(&p, 2, &oh) != 0 || *p++ != ':' ||
			    proto_digits(&p, 2, &om) != 0 || oh > 23 ||
			    om > 59)
				return (-1);
			off = sign * (oh * 3600 + om * 60);
		} else
			return (-1);
		if (*p != '\0')
			return (-1);
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return (-1);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tt = timegm(&tm);
	if (tm.tm_mday != d)		/* February 30th and the like */
		return (-1);
	t = (int64_t)tt - off;
	*out = t;
	return (0);
}

/*
 * A JSON string from possibly invalid UTF-8: invalid sequences become
 * U+FFFD.  NULL gives JSON null.
 */
json_t *
proto_string(const char *s)
{
	struct buf	 b;
	const char	*p;
	size_t		 len, n;
	uint32_t	 cp;
	json_t		*j;

	if (s == NULL)
		return (json_null());
	len = strlen(s);
	j = json_stringn(s, len);
	if (j != NULL)
		return (j);
	memset(&b, 0, sizeof b);
	for (p = s; len > 0; p += n, len -= n) {
		n = util_utf8_decode(p, len, &cp);
		if (n == 0) {
			buf_adds(&b, "\xef\xbf\xbd");
			n = 1;
		} else
			buf_add(&b, p, n);
	}
	j = json_stringn(b.data != NULL ? b.data : "", b.len);
	buf_free(&b);
	if (j == NULL)
		fatalx("proto_string: cannot build a string");
	return (j);
}

/* Set key to a string (or null) in obj. */
static void
proto_set_str(json_t *obj, const char *key, const char *s)
{
	json_object_set_new(obj, key, proto_string(s));
}

/* Set key to a time in unix seconds, or null when unknown. */
static void
proto_set_time(json_t *obj, const char *key, int64_t t)
{
	if (t == DATE_NONE)
		json_object_set_new(obj, key, json_null());
	else
		json_object_set_new(obj, key, json_integer(t));
}

/* Split s on any of the separator bytes into a JSON array of strings. */
static json_t *
proto_split(const char *s, const char *sep)
{
	json_t		*a;
	const char	*p;
	size_t		 n;
	char		*w;

	a = json_array();
	if (s == NULL)
		return (a);
	for (p = s; *p != '\0'; p += n) {
		p += strspn(p, sep);
		n = strcspn(p, sep);
		if (n == 0)
			break;
		w = xstrndup(p, n);
		json_array_append_new(a, proto_string(w));
		free(w);
	}
	return (a);
}

/* One item as a JSON object; content only when the row has it. */
json_t *
proto_item_json(const struct store_item *it)
{
	json_t	*o, *e;
	int64_t	 d;

	o = json_object();
	json_object_set_new(o, "id", json_integer(it->id));
	json_object_set_new(o, "feed_id", json_integer(it->feed_id));
	proto_set_str(o, "feed", it->feed_title);
	proto_set_str(o, "feed_url", it->feed_url);
	proto_set_str(o, "guid", it->guid);
	proto_set_str(o, "url", it->url);
	proto_set_str(o, "title", it->title);
	proto_set_str(o, "author", it->author);
	proto_set_str(o, "summary", it->summary);
	if (it->content != NULL) {
		proto_set_str(o, "content", it->content);
		/* "text": plain text, whose line breaks are its own. */
		if (it->content_type != NULL)
			proto_set_str(o, "content_type", it->content_type);
	}
	/* An untitled item: what to call it (render_item_title()). */
	if (it->excerpt != NULL && it->content == NULL)
		proto_set_str(o, "excerpt", it->excerpt);
	json_object_set_new(o, "tags", proto_split(it->tags, "\n"));
	if (it->enclosure_url != NULL) {
		e = json_object();
		proto_set_str(e, "url", it->enclosure_url);
		proto_set_str(e, "type", it->enclosure_type);
		if (it->enclosure_length > 0)
			json_object_set_new(e, "size",
			    json_integer(it->enclosure_length));
		json_object_set_new(o, "enclosure", e);
	}
	proto_set_time(o, "published", it->published);
	proto_set_time(o, "updated", it->updated);
	proto_set_time(o, "first_seen", it->first_seen);
	/* A date over a day past when it was first seen: sorted as then. */
	d = it->published != DATE_NONE ? it->published : it->updated;
	if (d != DATE_NONE && d > it->first_seen + 86400)
		json_object_set_new(o, "future_date", json_true());
	/* Its feed's dates were junk: it sorts by when it was first seen. */
	if (it->junk_date)
		json_object_set_new(o, "junk_date", json_true());
	/* Only for a changed item: listings of 350,000 items stay lean. */
	if (it->update_count > 0) {
		json_object_set_new(o, "update_count",
		    json_integer(it->update_count));
		json_object_set_new(o, "changed", it->changed > 0 ?
		    json_integer(it->changed) : json_null());
	}
	json_object_set_new(o, "read", json_boolean(it->read));
	json_object_set_new(o, "starred", json_boolean(it->starred));
	return (o);
}

/* One feed's status as a JSON object. */
json_t *
proto_feed_json(const struct store_feed *f, int brief)
{
	json_t		*o;
	const char	*title;

	title = f->conf_title != NULL && *f->conf_title != '\0' ?
	    f->conf_title : f->title != NULL && *f->title != '\0' ?
	    f->title : f->url;
	o = json_object();
	json_object_set_new(o, "id", json_integer(f->id));
	/* Brief too: feedctl tells feeds of the same title by their URL. */
	proto_set_str(o, "url", f->url);
	proto_set_str(o, "title", title);
	if (!brief) {
		proto_set_str(o, "doc_title", f->title);
		proto_set_str(o, "conf_title", f->conf_title);
		json_object_set_new(o, "tags", proto_split(f->tags, "\n"));
		proto_set_str(o, "site_url", f->site_url);
	}
	json_object_set_new(o, "last_fetch", json_integer(f->last_fetch));
	if (!brief)
		json_object_set_new(o, "last_success",
		    json_integer(f->last_success));
	json_object_set_new(o, "next_fetch", json_integer(f->next_fetch));
	if (!brief)
		json_object_set_new(o, "hold_until",
		    json_integer(f->hold_until));
	json_object_set_new(o, "http_status", json_integer(f->http_status));
	/*
	 * Brief leaves out what is at its zero value, most feeds' lot: a
	 * table of 10,000 feeds is parsed 10% faster (jansson) for it.
	 */
	if (!brief || f->errors != 0)
		json_object_set_new(o, "errors", json_integer(f->errors));
	if (!brief || f->last_error != NULL)
		proto_set_str(o, "last_error", f->last_error);
	if (!brief || f->redirect_url != NULL)
		proto_set_str(o, "redirect_url", f->redirect_url);
	if (!brief || f->gone)
		json_object_set_new(o, "gone", json_boolean(f->gone));
	if (!brief || f->gone_since != 0)
		json_object_set_new(o, "gone_since",
		    json_integer(f->gone_since));
	if (!brief) {
		proto_set_str(o, "identity", f->identity);
		json_object_set_new(o, "adaptive_interval",
		    json_integer(f->adaptive));
	}
	json_object_set_new(o, "active", json_boolean(f->active));
	json_object_set_new(o, "items", json_integer(f->item_count));
	json_object_set_new(o, "unread", json_integer(f->unread_count));
	if (!brief)
		json_object_set_new(o, "starred",
		    json_integer(f->starred_count));
	return (o);
}

/*
 * Append obj to b as one compact line ending in "\n".  C1 controls
 * (U+0080..U+009F, bytes C2 80..C2 9F), which jansson leaves raw, are
 * written as \u escapes: they can only occur inside strings.
 */
void
proto_dump(struct buf *b, const json_t *obj)
{
	size_t	start, i, n;
	char	esc[8];

	/*
	 * Straight into the buffer's free space (json_dumpb says how much it
	 * needed; written again after growing when it did not fit) rather
	 * than through a callback for every token: --json feeds of 10,000
	 * feeds went from 70 to 63 ms.
	 */
	start = b->len;
	buf_grow(b, 256);
	n = json_dumpb(obj, b->data + start, b->cap - start - 1,
	    JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (n > b->cap - start - 1) {
		buf_grow(b, n);
		n = json_dumpb(obj, b->data + start, b->cap - start - 1,
		    JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	if (n == 0)
		fatalx("proto_dump: cannot serialise");
	b->len = start + n;
	b->data[b->len] = '\0';
	for (i = start; i + 1 < b->len; i++) {
		if ((unsigned char)b->data[i] != 0xc2 ||
		    (unsigned char)b->data[i + 1] < 0x80 ||
		    (unsigned char)b->data[i + 1] > 0x9f)
			continue;
		break;
	}
	if (i + 1 < b->len) {
		struct buf	 c;

		memset(&c, 0, sizeof c);
		buf_add(&c, b->data + start, b->len - start);
		b->len = start;
		for (i = 0; i < c.len; i++) {
			if ((unsigned char)c.data[i] == 0xc2 && i + 1 < c.len &&
			    (unsigned char)c.data[i + 1] >= 0x80 &&
			    (unsigned char)c.data[i + 1] <= 0x9f) {
				snprintf(esc, sizeof esc, "\\u%04X",
				    (unsigned char)c.data[i + 1]);
				buf_adds(b, esc);
				i++;
			} else
				buf_addc(b, c.data[i]);
		}
		buf_free(&c);
	}
	buf_addc(b, '\n');
}

/* A new request object {"v":PROTO_VERSION,"id":id,"cmd":name}. */
json_t *
proto_request(int cmd, int64_t id)
{
	return (json_pack("{s:i, s:I, s:s}", "v", PROTO_VERSION, "id",
	    (json_int_t)id, "cmd", proto_cmd_name(cmd)));
}

/* A new success response {"id":id,"ok":true}; id is borrowed. */
json_t *
proto_ok(json_t *id)
{
	json_t	*o;

	o = json_object();
	json_object_set(o, "id", id != NULL ? id : json_null());
	json_object_set_new(o, "ok", json_true());
	return (o);
}

/* A new error response; id is borrowed and may be NULL. */
json_t *
proto_error(json_t *id, const char *code, const char *fmt, ...)
{
	json_t	*o, *e;
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	o = json_object();
	json_object_set(o, "id", id != NULL ? id : json_null());
	json_object_set_new(o, "ok", json_false());
	e = json_object();
	json_object_set_new(e, "code", json_string(code));
	json_object_set_new(e, "message", proto_string(msg));
	json_object_set_new(o, "error", e);
	free(msg);
	return (o);
}

/*
 * Check a parsed request line: an object with "v" == PROTO_VERSION (absent
 * is taken as the current version), a number or string "id" (optional) and
 * a known "cmd".  On success returns 0 and the command; otherwise returns -1
 * and a new error response in *errp.
 */
int
proto_check(json_t *req, int *cmdp, json_t **errp)
{
	json_t		*v, *id, *cmd;
	const char	*name;

	*errp = NULL;
	if (!json_is_object(req)) {
		*errp = proto_error(NULL, PROTO_E_BAD_JSON,
		    "request is not a JSON object");
		return (-1);
	}
	id = json_object_get(req, "id");
	if (id != NULL && !json_is_integer(id) && !json_is_string(id) &&
	    !json_is_null(id)) {
		*errp = proto_error(NULL, PROTO_E_BAD_REQUEST,
		    "\"id\" must be a number or a string");
		return (-1);
	}
	v = json_object_get(req, "v");
	if (v != NULL && (!json_is_integer(v) ||
	    json_integer_value(v) != PROTO_VERSION)) {
		if (json_is_integer(v))
			*errp = proto_error(id, PROTO_E_BAD_VERSION,
			    "protocol version %lld requested, this feedd "
			    "speaks version %d",
			    (long long)json_integer_value(v), PROTO_VERSION);
		else
			*errp = proto_error(id, PROTO_E_BAD_VERSION,
			    "\"v\" must be a number; this feedd speaks "
			    "version %d", PROTO_VERSION);
		return (-1);
	}
	cmd = json_object_get(req, "cmd");
	if (!json_is_string(cmd)) {
		*errp = proto_error(id, PROTO_E_BAD_REQUEST,
		    "missing \"cmd\"");
		return (-1);
	}
	name = json_string_value(cmd);
	if ((*cmdp = proto_cmd_lookup(name)) == PROTO_CMD_UNKNOWN) {
		*errp = proto_error(id, PROTO_E_UNKNOWN_CMD,
		    "unknown command \"%.64s\"", name);
		return (-1);
	}
	return (0);
}

/*
 * Get an optional time member: a number (unix seconds) or a string (unix
 * seconds or RFC 3339).  Returns 0 (leaving *out alone when absent) or -1.
 */
int
proto_get_time(json_t *obj, const char *key, int64_t *out)
{
	json_t	*v;

	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v))
		return (0);
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return (0);
	}
	if (json_is_string(v))
		return (proto_parse_time(json_string_value(v), out));
	return (-1);
}

/* Get an optional integer member within [min, max]; 0 or -1. */
int
proto_get_int(json_t *obj, const char *key, int64_t min, int64_t max,
    int64_t *out)
{
	json_t	*v;
	int64_t	 n;

	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v))
		return (0);
	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_string(v)) {
		if (util_parse_int(json_string_value(v), min, max, &n) != 0)
			return (-1);
	} else
		return (-1);
	if (n < min || n > max)
		return (-1);
	*out = n;
	return (0);
}

/* Get an optional boolean member (true, false, 1, 0); 0 or -1. */
int
proto_get_bool(json_t *obj, const char *key, int *out)
{
	json_t	*v;

	v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v))
		return (0);
	if (json_is_boolean(v))
		*out = json_is_true(v);
	else if (json_is_integer(v))
		*out = json_integer_value(v) != 0;
	else
		return (-1);
	return (0);
}
