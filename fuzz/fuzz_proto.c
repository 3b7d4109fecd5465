/*
 * fuzz_proto.c: libFuzzer target for proto.c, the NDJSON request side of
 * the socket protocol.  The input is one request line; it goes through
 * json_loadb() with the flags server.c uses, proto_check(), and the
 * proto_get_*() calls server.c makes for its commands.  The same bytes are
 * also given to proto_parse_time() and proto_string().  Properties checked:
 * - every response proto_dump() writes is one line: valid UTF-8, no raw
 *   C0 or C1 control (DEL may stay), ending in exactly one newline, and
 *   it parses back as the same JSON;
 * - proto_check() fails exactly when it hands back an error response;
 * - proto_string() of valid UTF-8 keeps the text, and of anything else
 *   gives a valid string.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feedd.h"
#include "proto.h"
#include "fuzz.h"

/* Serialise obj and check the line. */
static void
fuzz_dump(const char *what, const json_t *obj)
{
	struct buf	 b = { NULL, 0, 0 };
	json_t		*back;
	json_error_t	 jerr;
	size_t		 at;

	proto_dump(&b, obj);
	if (b.len == 0 || b.data[b.len - 1] != '\n')
		fuzz_fail("%s: line does not end in a newline", what);
	if ((at = fuzz_utf8_bad(b.data, b.len)) != b.len)
		fuzz_fail("%s: invalid UTF-8 at byte %zu", what, at);
	/* proto.c escapes C0 and C1; DEL is harmless and stays raw. */
	if ((at = fuzz_control_at(b.data, b.len - 1, "\x7f")) != b.len - 1)
		fuzz_fail("%s: raw control 0x%02x at byte %zu: %.*s", what,
		    (unsigned char)b.data[at], at, (int)b.len, b.data);
	back = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
	if (back == NULL)
		fuzz_fail("%s: own output does not parse: %s: %.*s", what,
		    jerr.text, (int)b.len, b.data);
	if (!json_equal(back, obj))
		fuzz_fail("%s: own output reads back different", what);
	json_decref(back);
	buf_free(&b);
}

/* The member checks server.c makes, in its order. */
static void
fuzz_members(json_t *req, int cmd)
{
	int64_t		 t, n;
	int		 b;
	json_t		*ok;
	static const char *bools[] = {
		"unread", "starred", "oldest_first", "content", "all"
	};
	size_t		 i;

	ok = proto_ok(json_object_get(req, "id"));
	for (i = 0; i < sizeof bools / sizeof bools[0]; i++) {
		b = -1;
		if (proto_get_bool(req, bools[i], &b) == 0 && b != -1 &&
		    b != 0 && b != 1)
			fuzz_fail("proto_get_bool(%s) = %d", bools[i], b);
	}
	t = 0;
	(void)proto_get_time(req, "since", &t);
	(void)proto_get_time(req, "until", &t);
	n = 0;
	if (proto_get_int(req, "limit", 0, INT64_MAX, &n) == 0 && n < 0)
		fuzz_fail("proto_get_int(limit) = %lld", (long long)n);
	(void)proto_get_int(req, "cursor", 0, INT64_MAX, &n);
	(void)proto_get_int(req, "after", 0, INT64_MAX, &n);
	n = 1;
	if (proto_get_int(req, "item", 1, INT64_MAX, &n) == 0 && n < 1)
		fuzz_fail("proto_get_int(item) = %lld", (long long)n);
	json_object_set_new(ok, "cmd", json_string(proto_cmd_name(cmd)));
	json_object_set_new(ok, "count", json_integer(n));
	fuzz_dump("ok", ok);
	json_decref(ok);
}

/* Quiet the logs once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

/* One input: one request line, then the same bytes as a time and text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t		*req, *err, *s, *arr;
	json_error_t	 jerr;
	char		*str;
	int64_t		 t;
	int		 cmd, rc;
	size_t		 len;

	if (size > PROTO_MAX_LINE)
		return (-1);
	req = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (req != NULL) {
		cmd = -1;
		err = (json_t *)0x1;
		rc = proto_check(req, &cmd, &err);
		if (rc == 0 && (err != NULL || cmd <= PROTO_CMD_UNKNOWN))
			fuzz_fail("proto_check passed with an error or no "
			    "command");
		if (rc != 0 && !json_is_object(err))
			fuzz_fail("proto_check failed without an error");
		if (rc == 0)
			fuzz_members(req, cmd);
		else {
			fuzz_dump("error", err);
			json_decref(err);
		}
		json_decref(req);
	} else {
		err = proto_error(NULL, PROTO_E_BAD_JSON, "%s", jerr.text);
		fuzz_dump("bad json", err);
		json_decref(err);
	}

	str = xstrndup((const char *)data, size);
	len = strlen(str);
	t = 0;
	(void)proto_parse_time(str, &t);
	s = proto_string(str);
	if (!json_is_string(s))
		fuzz_fail("proto_string did not make a string");
	if (fuzz_utf8_bad(str, len) == len &&
	    (json_string_length(s) != len ||
	    memcmp(json_string_value(s), str, len) != 0))
		fuzz_fail("proto_string changed valid UTF-8");
	arr = json_array();
	json_array_append_new(arr, s);
	json_array_append_new(arr, proto_string(NULL));
	err = json_pack("{s:o}", "list", arr);
	fuzz_dump("string", err);
	json_decref(err);
	free(str);
	return (0);
}
