/* test_util.c: table tests for util.c. */
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "tap.h"

static void
test_duration(void)
{
	static const struct {
		const char	*in;
		int		 rc;
		int64_t		 secs;
	} t[] = {
		{ "30s", 0, 30 }, { "15m", 0, 900 }, { "2h", 0, 7200 },
		{ "1d", 0, 86400 }, { "1w", 0, 604800 }, { "45", 0, 45 },
		{ "1h30m", 0, 5400 }, { "0s", 0, 0 }, { "", -1, 0 },
		{ "m", -1, 0 }, { "5x", -1, 0 }, { "-5m", -1, 0 },
		{ " 5m", -1, 0 }, { "99999999999999999999d", -1, 0 },
	};
	char	 what[128];
	int64_t	 v;
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		v = 0;
		snprintf(what, sizeof what, "duration \"%s\"", t[i].in);
		if (tap_is_int(util_parse_duration(t[i].in, &v), t[i].rc,
		    what) && t[i].rc == 0)
			tap_is_int(v, t[i].secs, what);
	}
}

static void
test_format_duration(void)
{
	static const struct {
		int64_t		 secs;
		const char	*out;
	} t[] = {
		{ 30, "30s" }, { 900, "15m" }, { 7200, "2h" }, { 86400, "1d" },
		{ 5400, "90m" }, { 0, "0s" }, { 61, "61s" },
	};
	char	*s, what[64];
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		s = util_format_duration(t[i].secs);
		snprintf(what, sizeof what, "format %lld",
		    (long long)t[i].secs);
		tap_is_str(s, t[i].out, what);
		free(s);
	}
}

static void
test_size_int(void)
{
	int64_t	v;

	tap_ok(util_parse_size("16M", &v) == 0 && v == 16777216, "size 16M");
	tap_ok(util_parse_size("512k", &v) == 0 && v == 524288, "size 512k");
	tap_ok(util_parse_size("100", &v) == 0 && v == 100, "size 100");
	tap_ok(util_parse_size("1GB", &v) == 0 && v == 1073741824, "size 1GB");
	tap_ok(util_parse_size("12Q", &v) == -1, "size 12Q rejected");
	tap_ok(util_parse_size("-1", &v) == -1, "size -1 rejected");
	tap_ok(util_parse_int("42", 0, 100, &v) == 0 && v == 42, "int 42");
	tap_ok(util_parse_int("101", 0, 100, &v) == -1, "int over max");
	tap_ok(util_parse_int("4x", 0, 100, &v) == -1, "int trailing junk");
	tap_ok(util_parse_int("", 0, 100, &v) == -1, "int empty");
}

static void
test_buf_trim_hash(void)
{
	struct buf	 b = { 0 };
	char		 s[] = " \t hello world \n";
	int		 i;

	for (i = 0; i < 1000; i++)
		buf_addc(&b, 'x');
	buf_printf(&b, "%d", 42);
	tap_is_int((int64_t)b.len, 1002, "buf length after 1000 addc + printf");
	tap_is_str(b.data + 1000, "42", "buf printf appends");
	buf_reset(&b);
	buf_adds(&b, "abc");
	tap_is_str(b.data, "abc", "buf reset then adds");
	buf_free(&b);
	tap_is_str(util_trim(s), "hello world", "trim both ends");
	tap_ok(util_hash64("abc", 3, 0) == util_hash64("abc", 3, 0),
	    "hash is stable");
	tap_ok(util_hash64("abc", 3, 0) != util_hash64("abd", 3, 0),
	    "hash differs on one byte");
	/* FNV-1a 64 of "a" is a published test vector. */
	tap_ok(util_hash64("a", 1, 0) == 0xaf63dc4c8601ec8cULL,
	    "hash matches FNV-1a test vector");
}

/* util_casecmp(): Unicode simple case folding, ASCII unchanged. */
static void
test_casecmp(void)
{
	static const struct {
		const char	*a;
		const char	*b;
		int		 cmp;	/* -1, 0, 1 */
	} t[] = {
		/* ASCII, as before. */
		{ "Hello World", "hello world", 0 },
		{ "HELLO", "hellO", 0 },
		{ "abc", "abd", -1 },
		{ "abd", "abc", 1 },
		{ "ab", "abc", -1 },
		{ "abc", "ab", 1 },
		{ "", "", 0 },
		{ "[x]", "[X]", 0 },
		{ "a_b", "a-b", 1 },
		/* Latin-1 and beyond. */
		{ "CAFÉ (custom)", "Café (custom)", 0 },
		{ "É", "é", 0 },
		{ "É", "e", 1 },
		{ "ÄRGER", "ärger", 0 },
		{ "Ä", "a", 1 },
		{ "ſ", "S", 0 },		/* long s folds to s */
		/* Greek: final sigma folds with sigma (CaseFolding.txt). */
		{ "ΣΟΦΟΣ", "σοφος", 0 },
		{ "ΣΟΦΟΣ", "σοφοσ", 0 },
		{ "σ", "ς", 0 },
		{ "Σ", "ς", 0 },
		{ "Α", "α", 0 },
		{ "α", "β", -1 },
		/* Cyrillic. */
		{ "НОВОСТИ", "новости", 0 },
		{ "Ёж", "ёЖ", 0 },
		{ "Ж", "ж", 0 },
		{ "ж", "з", -1 },
		/* Invalid UTF-8 compares as its bytes. */
		{ "a\xff", "a\xff", 0 },
		{ "a\xff", "A\xff", 0 },
		{ "a\xff", "a\xfe", 1 },
		{ "\xc3", "\xc3\xa9", 1 },
	};
	char	 what[128];
	size_t	 i;
	int	 got;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = util_casecmp(t[i].a, strlen(t[i].a), t[i].b,
		    strlen(t[i].b));
		got = got < 0 ? -1 : got > 0;
		snprintf(what, sizeof what, "casecmp \"%s\" \"%s\"", t[i].a,
		    t[i].b);
		tap_is_int(got, t[i].cmp, what);
	}
	tap_is_int(util_fold(0x130), 'i', "fold: I with dot above is i");
	tap_is_int(util_fold('A'), 'a', "fold: A");
	tap_is_int(util_fold(0x3c2), 0x3c3, "fold: final sigma is sigma");
}

int
main(void)
{
	test_duration();
	test_format_duration();
	test_size_int();
	test_buf_trim_hash();
	test_casecmp();
	return (tap_done());
}
