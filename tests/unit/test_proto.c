/* test_proto.c: table tests for proto.c (wire encoding). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feedd.h"
#include "proto.h"
#include "tap.h"

/* Command names both ways. */
static void
test_cmds(void)
{
	static const struct {
		const char	*name;
		int		 cmd;
	} t[] = {
		{ "items", PROTO_CMD_ITEMS }, { "item", PROTO_CMD_ITEM },
		{ "mark", PROTO_CMD_MARK }, { "feeds", PROTO_CMD_FEEDS },
		{ "refresh", PROTO_CMD_REFRESH },
		{ "reload", PROTO_CMD_RELOAD }, { "stats", PROTO_CMD_STATS },
		{ "version", PROTO_CMD_VERSION },
		{ "follow", PROTO_CMD_FOLLOW },
		{ "Items", PROTO_CMD_UNKNOWN }, { "", PROTO_CMD_UNKNOWN },
		{ "itemsx", PROTO_CMD_UNKNOWN },
	};
	char	what[64];
	size_t	i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(what, sizeof what, "lookup \"%s\"", t[i].name);
		tap_is_int(proto_cmd_lookup(t[i].name), t[i].cmd, what);
		if (t[i].cmd != PROTO_CMD_UNKNOWN) {
			snprintf(what, sizeof what, "name of %d", t[i].cmd);
			tap_is_str(proto_cmd_name(t[i].cmd), t[i].name, what);
		}
	}
	tap_is_int(proto_cmd_lookup(NULL), PROTO_CMD_UNKNOWN, "lookup NULL");
	tap_is_str(proto_cmd_name(99), "unknown", "name of 99");
}

/* Times on the wire. */
static void
test_times(void)
{
	static const struct {
		const char	*in;
		int		 rc;
		int64_t		 t;
	} t[] = {
		{ "0", 0, 0 },
		{ "1700000000", 0, 1700000000 },
		{ "-5", 0, -5 },
		{ "1970-01-01T00:00:00Z", 0, 0 },
		{ "2026-11-28T12:00:00Z", 0, 1795867200 },
		{ "2026-11-28t12:00:00z", 0, 1795867200 },
		{ "2026-11-28 12:00:00Z", 0, 1795867200 },
		{ "2026-11-28T13:30:00+01:30", 0, 1795867200 },
		{ "2026-11-28T10:00:00-02:00", 0, 1795867200 },
		{ "2026-11-28T12:00:00.123456Z", 0, 1795867200 },
		{ "2026-11-28", 0, 1795824000 },
		{ "2024-02-29T00:00:00Z", 0, 1709164800 },
		{ "2026-02-29T00:00:00Z", -1, 0 },
		{ "2026-13-01", -1, 0 },
		{ "2026-11-28T12:00:00", -1, 0 },
		{ "2026-11-28T12:00Z", -1, 0 },
		{ "2026-11-28T25:00:00Z", -1, 0 },
		{ "2026-11-28T12:00:00+1:00", -1, 0 },
		{ "2026-11-28T12:00:00Zjunk", -1, 0 },
		{ "2026-11-28T12:00:00.Z", -1, 0 },
		{ "yesterday", -1, 0 },
		{ "", -1, 0 },
		{ "12abc", -1, 0 },
	};
	char	what[96];
	int64_t	v;
	size_t	i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		v = 0;
		snprintf(what, sizeof what, "time \"%s\"", t[i].in);
		if (tap_is_int(proto_parse_time(t[i].in, &v), t[i].rc,
		    what) && t[i].rc == 0)
			tap_is_int(v, t[i].t, what);
	}
	tap_is_int(proto_parse_time(NULL, &v), -1, "time NULL");
}

/* Serialise obj and return the line (caller frees). */
static char *
dump(json_t *obj)
{
	struct buf	b;

	memset(&b, 0, sizeof b);
	proto_dump(&b, obj);
	return (b.data);
}

/* Strings: invalid UTF-8 repaired; controls escaped on output. */
static void
test_strings(void)
{
	json_t	*j;
	char	*s;

	j = proto_string("caf\xc3\xa9");
	tap_is_str(json_string_value(j), "caf\xc3\xa9", "valid UTF-8 kept");
	json_decref(j);
	j = proto_string("a\xff" "b\xc3");
	tap_is_str(json_string_value(j), "a\xef\xbf\xbd" "b\xef\xbf\xbd",
	    "invalid bytes become U+FFFD");
	json_decref(j);
	j = proto_string("\xed\xa0\x80");
	tap_is_str(json_string_value(j),
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "surrogate rejected");
	json_decref(j);
	j = proto_string(NULL);
	tap_ok(json_is_null(j), "NULL is JSON null");
	json_decref(j);

	j = json_pack("{s:s}", "t", "x\033[2Jy\a\b");
	s = dump(j);
	tap_is_str(s, "{\"t\":\"x\\u001B[2Jy\\u0007\\b\"}\n",
	    "C0 controls escaped");
	free(s);
	json_decref(j);
	j = json_pack("{s:s}", "t", "a\xc2\x9b" "31mb\xc2\x85\xc2\xa0");
	s = dump(j);
	tap_is_str(s, "{\"t\":\"a\\u009B31mb\\u0085\xc2\xa0\"}\n",
	    "C1 controls escaped, U+00A0 kept");
	free(s);
	json_decref(j);
}

/* Items and feeds as JSON objects. */
static void
test_rows(void)
{
	struct store_item	 it;
	struct store_feed	 f;
	json_t			*o;
	char			*s;

	memset(&it, 0, sizeof it);
	it.id = 42;
	it.feed_id = 3;
	it.feed_title = "Feed";
	it.url = "https://example.com/1";
	it.title = "T\xff";
	it.tags = "a\nb c\n\n";
	it.published = DATE_NONE;
	it.updated = 1700000000;
	it.first_seen = 1700000001;
	it.read = 1;
	o = proto_item_json(&it);
	s = dump(o);
	tap_is_str(s, "{\"id\":42,\"feed_id\":3,\"feed\":\"Feed\","
	    "\"feed_url\":null,\"guid\":null,"
	    "\"url\":\"https://example.com/1\",\"title\":\"T\xef\xbf\xbd\","
	    "\"author\":null,\"summary\":null,\"tags\":[\"a\",\"b c\"],"
	    "\"published\":null,\"updated\":1700000000,"
	    "\"first_seen\":1700000001,\"read\":true,\"starred\":false}\n",
	    "item JSON");
	free(s);
	json_decref(o);
	it.content = "<p>x</p>";
	it.enclosure_url = "https://example.com/a.mp3";
	it.enclosure_type = "audio/mpeg";
	o = proto_item_json(&it);
	tap_is_str(json_string_value(json_object_get(o, "content")),
	    "<p>x</p>", "content when present");
	tap_is_str(json_string_value(json_object_get(json_object_get(o,
	    "enclosure"), "type")), "audio/mpeg", "enclosure type");
	json_decref(o);

	memset(&f, 0, sizeof f);
	f.id = 7;
	f.url = "https://example.com/feed";
	f.title = "Doc title";
	f.tags = "news\n\nhardware news";
	f.http_status = 404;
	f.errors = 3;
	f.last_error = "HTTP 404";
	f.gone = 0;
	f.active = 1;
	f.item_count = 10;
	f.unread_count = 4;
	o = proto_feed_json(&f, 0);
	tap_is_str(json_string_value(json_object_get(o, "title")),
	    "Doc title", "feed title falls back to the document's");
	tap_is_int(json_array_size(json_object_get(o, "tags")), 2,
	    "feed tags split on lines, empty ones skipped");
	tap_is_str(json_string_value(json_array_get(json_object_get(o,
	    "tags"), 1)), "hardware news", "a tag keeps its spaces");
	tap_is_int(json_integer_value(json_object_get(o, "errors")), 3,
	    "feed errors");
	tap_is_int(json_integer_value(json_object_get(o, "unread")), 4,
	    "feed unread");
	tap_ok(json_is_true(json_object_get(o, "active")), "feed active");
	json_decref(o);
	f.conf_title = "Mine";
	o = proto_feed_json(&f, 0);
	tap_is_str(json_string_value(json_object_get(o, "title")), "Mine",
	    "feeds-file title wins");
	json_decref(o);
	f.conf_title = NULL;
	f.title = NULL;
	o = proto_feed_json(&f, 0);
	tap_is_str(json_string_value(json_object_get(o, "title")),
	    "https://example.com/feed", "untitled feed shows its URL");
	json_decref(o);
}

/* Check a request line; returns the command or -code index. */
static const char *
check(const char *line, int *cmd)
{
	static char	 code[64];
	json_t		*req, *err = NULL;
	json_error_t	 jerr;

	*cmd = -1;
	req = json_loads(line, JSON_DECODE_ANY, &jerr);
	if (req == NULL)
		return ("parse");
	if (proto_check(req, cmd, &err) == 0) {
		json_decref(req);
		return ("ok");
	}
	snprintf(code, sizeof code, "%s", json_string_value(
	    json_object_get(json_object_get(err, "error"), "code")));
	json_decref(err);
	json_decref(req);
	return (code);
}

/* Request validation and responses. */
static void
test_requests(void)
{
	static const struct {
		const char	*line;
		const char	*want;
	} t[] = {
		{ "{\"v\":1,\"id\":7,\"cmd\":\"items\"}", "ok" },
		{ "{\"cmd\":\"stats\"}", "ok" },
		{ "{\"v\":1,\"id\":\"a\",\"cmd\":\"version\"}", "ok" },
		{ "{\"v\":2,\"id\":7,\"cmd\":\"items\"}", PROTO_E_BAD_VERSION },
		{ "{\"v\":\"1\",\"cmd\":\"items\"}", PROTO_E_BAD_VERSION },
		{ "{\"v\":1,\"id\":7}", PROTO_E_BAD_REQUEST },
		{ "{\"v\":1,\"cmd\":7}", PROTO_E_BAD_REQUEST },
		{ "{\"v\":1,\"id\":[1],\"cmd\":\"items\"}",
		  PROTO_E_BAD_REQUEST },
		{ "{\"v\":1,\"cmd\":\"frobnicate\"}", PROTO_E_UNKNOWN_CMD },
		{ "[1,2]", PROTO_E_BAD_JSON },
		{ "\"items\"", PROTO_E_BAD_JSON },
	};
	json_t	*o, *id;
	char	*s, what[128];
	size_t	 i;
	int	 cmd;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(what, sizeof what, "check %s", t[i].line);
		tap_is_str(check(t[i].line, &cmd), t[i].want, what);
	}
	check("{\"v\":1,\"cmd\":\"mark\"}", &cmd);
	tap_is_int(cmd, PROTO_CMD_MARK, "check gives the command");

	o = json_loads("{\"v\":2,\"id\":7,\"cmd\":\"items\"}", 0, NULL);
	proto_check(o, &cmd, &id);
	json_decref(o);
	s = dump(id);
	tap_is_str(s, "{\"id\":7,\"ok\":false,\"error\":{\"code\":"
	    "\"bad_version\",\"message\":\"protocol version 2 requested, "
	    "this feedd speaks version 1\"}}\n",
	    "version mismatch names both versions, keeps the id");
	free(s);
	json_decref(id);

	id = json_integer(9);
	o = proto_ok(id);
	s = dump(o);
	tap_is_str(s, "{\"id\":9,\"ok\":true}\n", "ok response");
	free(s);
	json_decref(o);
	json_decref(id);
	o = proto_error(NULL, PROTO_E_TOO_LARGE, "over %d", 5);
	s = dump(o);
	tap_is_str(s, "{\"id\":null,\"ok\":false,\"error\":{\"code\":"
	    "\"too_large\",\"message\":\"over 5\"}}\n",
	    "error without an id");
	free(s);
	json_decref(o);
	o = proto_request(PROTO_CMD_FOLLOW, 12);
	s = dump(o);
	tap_is_str(s, "{\"v\":1,\"id\":12,\"cmd\":\"follow\"}\n", "request");
	free(s);
	json_decref(o);
}

/* Optional members. */
static void
test_members(void)
{
	json_t	*o;
	int64_t	 n;
	int	 b;

	o = json_loads("{\"a\":5,\"b\":\"6\",\"c\":-1,\"d\":\"x\","
	    "\"t\":true,\"f\":0,\"s\":\"2026-11-28\",\"n\":null}", 0, NULL);
	n = 1;
	tap_is_int(proto_get_int(o, "missing", 0, 10, &n), 0, "absent int");
	tap_is_int(n, 1, "absent int leaves value");
	tap_is_int(proto_get_int(o, "a", 0, 10, &n), 0, "int");
	tap_is_int(n, 5, "int value");
	tap_is_int(proto_get_int(o, "b", 0, 10, &n), 0, "int in a string");
	tap_is_int(n, 6, "int in a string value");
	tap_is_int(proto_get_int(o, "c", 0, 10, &n), -1, "int below min");
	tap_is_int(proto_get_int(o, "a", 0, 4, &n), -1, "int above max");
	tap_is_int(proto_get_int(o, "d", 0, 10, &n), -1, "int not a number");
	tap_is_int(proto_get_int(o, "n", 0, 10, &n), 0, "null int is absent");
	tap_is_int(proto_get_bool(o, "t", &b), 0, "bool");
	tap_is_int(b, 1, "bool true");
	tap_is_int(proto_get_bool(o, "f", &b), 0, "bool as number");
	tap_is_int(b, 0, "bool 0");
	tap_is_int(proto_get_bool(o, "d", &b), -1, "bool from a string");
	tap_is_int(proto_get_time(o, "a", &n), 0, "time as number");
	tap_is_int(n, 5, "time as number value");
	tap_is_int(proto_get_time(o, "s", &n), 0, "time as date");
	tap_is_int(n, 1795824000, "time as date value");
	tap_is_int(proto_get_time(o, "d", &n), -1, "bad time");
	tap_is_int(proto_get_time(o, "t", &n), -1, "time from a boolean");
	json_decref(o);
}

int
main(void)
{
	test_cmds();
	test_times();
	test_strings();
	test_rows();
	test_requests();
	test_members();
	return (tap_done());
}
