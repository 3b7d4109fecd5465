/* test_render.c: table tests for render.c (terminal output). */
#include <fcntl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feedd.h"
#include "tap.h"

/* The sanitiser: hostile feed text in, terminal-safe text out. */
static void
test_sanitize(void)
{
	static const struct {
		const char	*what;
		const char	*in;
		int		 flags;
		const char	*want;
	} t[] = {
		{ "plain", "hello", 0, "hello" },
		{ "UTF-8 kept", "caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80", 0,
		  "caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80" },
		{ "CSI clear screen", "a\033[2Jb", 0, "ab" },
		{ "CSI colour with params", "a\033[1;31;48;5;200mb", 0, "ab" },
		{ "CSI private mode", "a\033[?1049hb", 0, "ab" },
		{ "OSC 52 clipboard, BEL", "x\033]52;c;SGVsbG8=\ay", 0, "xy" },
		{ "OSC title, ST", "x\033]0;pwned\033\\y", 0, "xy" },
		{ "OSC 8 hyperlink", "\033]8;;http://evil/\033\\link"
		  "\033]8;;\033\\", 0, "link" },
		{ "DCS", "\033Pq#0;2;0;0;0\033\\x", 0, "x" },
		{ "APC", "\033_Gf=100;AAAA\033\\x", 0, "x" },
		{ "charset ESC ( B", "\033(Bx", 0, "x" },
		{ "ESC c reset", "a\033cb", 0, "ab" },
		{ "lone ESC at end", "a\033", 0, "a" },
		{ "ESC ESC [", "a\033\033[1mb", 0, "ab" },
		{ "unterminated CSI", "a\033[12", 0, "a" },
		{ "CSI cut by a control", "a\033[1\nb", 0, "a b" },
		{ "BEL", "a\ab", 0, "ab" },
		{ "backspace overstrike", "a\bb_\bc", 0, "ab_c" },
		{ "C0 controls", "a\001\002\016\017\033b", 0, "a" },
		{ "NUL-free C0 run", "a\x01\x1f" "b", 0, "ab" },
		{ "DEL", "a\x7f" "b", 0, "ab" },
		{ "C1 CSI U+009B", "a\xc2\x9b" "31mb", 0, "ab" },
		{ "C1 OSC U+009D to ST U+009C", "a\xc2\x9d" "0;t\xc2\x9c" "b",
		  0, "ab" },
		{ "C1 NEL U+0085", "a\xc2\x85" "b", 0, "ab" },
		{ "raw 0x9b byte", "a\x9b" "31mb", 0,
		  "a\xef\xbf\xbd" "31mb" },
		{ "invalid UTF-8", "a\xff\xfe" "b", 0,
		  "a\xef\xbf\xbd\xef\xbf\xbd" "b" },
		{ "overlong slash", "\xc0\xaf", 0,
		  "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "truncated sequence", "ab\xe6\x97", 0,
		  "ab\xef\xbf\xbd\xef\xbf\xbd" },
		{ "surrogate", "\xed\xa0\x80", 0,
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "bidi override U+202E", "a\xe2\x80\xae" "cba", 0, "acba" },
		{ "bidi isolate U+2066", "a\xe2\x81\xa6" "b", 0, "ab" },
		{ "newline folded", "a\nb", 0, "a b" },
		{ "newline kept", "a\nb", RENDER_KEEP_NL, "a\nb" },
		{ "tab is a space", "a\tb", 0, "a b" },
		{ "CR dropped", "a\r\nb", RENDER_KEEP_NL, "a\nb" },
		{ "CR overwrite", "safe\rEVIL", 0, "safeEVIL" },
	};
	char	*s;
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		s = render_sanitize(t[i].in, t[i].flags);
		tap_is_str(s, t[i].want, t[i].what);
		free(s);
	}
	s = render_sanitize(NULL, 0);
	tap_is_str(s, "", "NULL is empty");
	free(s);
}

/* UTF-8 decoding. */
static void
test_decode(void)
{
	static const struct {
		const char	*in;
		size_t		 len;
		size_t		 n;
		uint32_t	 cp;
	} t[] = {
		{ "A", 1, 1, 0x41 },
		{ "\xc3\xa9", 2, 2, 0xe9 },
		{ "\xe2\x82\xac", 3, 3, 0x20ac },
		{ "\xf0\x9f\x98\x80", 4, 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
		{ "\xf4\x90\x80\x80", 4, 0, 0 },
		{ "\xc3", 1, 0, 0 },
		{ "\xc3\x28", 2, 0, 0 },
		{ "\xe0\x80\x80", 3, 0, 0 },
		{ "\x80", 1, 0, 0 },
		{ "\xf8\x88\x80\x80\x80", 5, 0, 0 },
	};
	char		what[64];
	uint32_t	cp;
	size_t		i, n;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cp = 0;
		n = util_utf8_decode(t[i].in, t[i].len, &cp);
		snprintf(what, sizeof what, "decode case %zu length", i);
		tap_is_int(n, t[i].n, what);
		if (t[i].n != 0) {
			snprintf(what, sizeof what, "decode case %zu", i);
			tap_is_int(cp, t[i].cp, what);
		}
	}
	tap_is_int(util_utf8_decode("", 0, &cp), 0, "decode empty");
}

/* Widths and cells. */
static void
test_cells(void)
{
	static const struct {
		const char	*in;
		int		 width;
		int		 pad;
		const char	*want;
	} t[] = {
		{ "hello", 3, 0, "he\xe2\x80\xa6" },
		{ "hello", 5, 0, "hello" },
		{ "hello", 6, 1, "hello " },
		{ "hi", 5, 1, "hi   " },
		{ "hi", 5, 0, "hi" },
		{ "hello", 1, 0, "\xe2\x80\xa6" },
		{ "hello", 0, 0, "" },
		{ "hello", -1, 0, "hello" },
		{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 0,
		  "\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6" },
		{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, 1,
		  "\xe6\x97\xa5\xe2\x80\xa6 " },
		{ NULL, 3, 1, "   " },
	};
	struct buf	b;
	char		what[64];
	size_t		i;

	tap_is_int(render_width("abc"), 3, "width ascii");
	tap_is_int(render_width("\xe6\x97\xa5\xe6\x9c\xac"), 4,
	    "width CJK is 2 each");
	tap_is_int(render_width("e\xcc\x81"), 1, "width combining accent");
	tap_is_int(render_width(""), 0, "width empty");
	memset(&b, 0, sizeof b);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		buf_adds(&b, "");
		render_cell(&b, t[i].in, t[i].width, t[i].pad);
		snprintf(what, sizeof what, "cell \"%s\" in %d%s",
		    t[i].in != NULL ? t[i].in : "NULL", t[i].width,
		    t[i].pad ? " padded" : "");
		tap_is_str(b.data, t[i].want, what);
	}
	buf_free(&b);
}

/* Relative dates, in a fixed time zone. */
static void
test_reltime(void)
{
	/* Saturday 2026-11-28 12:00:00 UTC. */
	const int64_t	 now = 1795867200;
	static const struct {
		const char	*tz;
		int64_t		 delta;	/* t - now */
		const char	*want;
	} t[] = {
		{ "UTC0", 0, "now" },
		{ "UTC0", -30, "now" },
		{ "UTC0", -300, "5m ago" },
		{ "UTC0", -3599, "59m ago" },
		{ "UTC0", -7200, "2h ago" },
		{ "UTC0", -11 * 3600, "11h ago" },
		{ "UTC0", -16 * 3600, "yesterday" },
		{ "UTC0", -3 * 86400, "3d ago" },
		{ "UTC0", -6 * 86400, "6d ago" },
		{ "UTC0", -10 * 86400, "2026-11-18" },
		{ "UTC0", 300, "in 5m" },
		{ "UTC0", 7200, "in 2h" },
		{ "UTC0", 86400, "tomorrow" },
		{ "UTC0", 3 * 86400, "in 3d" },
		{ "UTC0", 30 * 86400, "2026-12-28" },
		/* 21:00 local in UTC+9: 22h ago is 23:00 the day before. */
		{ "JST-9", -22 * 3600, "yesterday" },
		{ "JST-9", -20 * 3600, "20h ago" },
		{ "JST-9", -10 * 86400 - 4 * 3600, "2026-11-18" },
		/* 02:00 local in UTC-10: 3h ago is still "3h ago". */
		{ "HST10", -3 * 3600, "3h ago" },
	};
	char	*s, what[64];
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		setenv("TZ", t[i].tz, 1);
		tzset();
		s = render_reltime(now + t[i].delta, now);
		snprintf(what, sizeof what, "reltime %s %+lld", t[i].tz,
		    (long long)t[i].delta);
		tap_is_str(s, t[i].want, what);
		free(s);
	}
	s = render_reltime(0, now);
	tap_is_str(s, "-", "reltime never");
	free(s);
	s = render_reltime(DATE_NONE, now);
	tap_is_str(s, "-", "reltime unknown");
	free(s);
}

/* Terminal detection, NO_COLOR, SGR, HTML. */
static void
test_terminal(void)
{
	int	 fd;
	char	*s;

	fd = open("/dev/null", O_WRONLY);
	unsetenv("COLUMNS");
	tap_is_int(render_term_width(fd), 0, "a non-terminal has no width");
	setenv("COLUMNS", "100", 1);
	tap_is_int(render_term_width(fd), 100, "COLUMNS when not a tty");
	setenv("COLUMNS", "abc", 1);
	tap_is_int(render_term_width(fd), 0, "bad COLUMNS ignored");
	unsetenv("COLUMNS");
	unsetenv("NO_COLOR");
	tap_is_int(render_use_color(fd), 0, "no colour when not a tty");
	setenv("NO_COLOR", "1", 1);
	tap_is_int(render_use_color(fd), 0, "no colour with NO_COLOR");
	close(fd);
	render_set_color(0);
	tap_is_str(render_sgr("\033[1m"), "", "sgr off");
	render_set_color(1);
	tap_is_str(render_sgr("\033[1m"), "\033[1m", "sgr on");
	render_set_color(0);

	s = render_html("<p>a\033[2Jb\033]52;c;eA==\a</p>");
	tap_ok(strchr(s, '\033') == NULL && strchr(s, '\a') == NULL,
	    "html: no escapes survive");
	tap_ok(s[0] == 'a', "html: the text survives");
	free(s);
	s = render_html("<p>Hi <a href=\"https://x.example/\">there</a></p>");
	tap_ok(strstr(s, "there") != NULL &&
	    strstr(s, "https://x.example/") != NULL, "html: links listed");
	free(s);
	s = render_html(NULL);
	tap_is_str(s, "", "html NULL");
	free(s);
}

/* show's pieces: plain text, the title rule, the date line. */
static void
test_show(void)
{
	static const struct {
		const char	*title;
		const char	*html;
		const char	*want;
	} titles[] = {
		{ "A title", "<p>Body</p>", "A title" },
		{ "A title", NULL, "A title" },
		{ NULL, NULL, "(untitled)" },
		{ "", NULL, "(untitled)" },
		{ "  ", "", "(untitled)" },
		{ NULL, "<p>  </p><img src=\"t.gif\" width=\"1\">",
		    "(untitled)" },
		{ NULL, "<p>Short body.</p>", "Short body." },
		{ "", "Plain   text\nover lines", "Plain text over lines" },
		{ NULL, "<p>No title here, just words in the body of it, and "
		    "then a great many more words that go on.</p>",
		    "No title here, just words in the body of it, and then "
		    "a…" },
		{ NULL, "<p>Supercalifragilisticexpialidocious-and-a-word-"
		    "that-never-ends-at-all-ever-and-ever</p>",
		    "Supercalifragilisticexpialidocious-and-a-word-that-never-"
		    "end…" },
	};
	char	*s, *big, what[64];
	size_t	 i;

	for (i = 0; i < sizeof titles / sizeof titles[0]; i++) {
		s = render_item_title(titles[i].title, titles[i].html);
		snprintf(what, sizeof what, "item title %zu", i);
		tap_is_str(s, titles[i].want, what);
		free(s);
	}
	/* A long body names the item as its excerpt does (a listing). */
	big = xmalloc(4000);
	memset(big, 'a', 3999);
	big[3999] = '\0';
	memcpy(big, "<p>Word ", 8);
	s = render_item_title(NULL, big);
	big[RENDER_EXCERPT] = '\0';
	{
		char	*e = render_item_title(NULL, big);

		tap_is_str(s, e, "item title: content and excerpt agree");
		free(e);
	}
	free(s);
	free(big);

	s = render_text("Line one\nLine two <b>not bold</b>\n");
	tap_is_str(s, "Line one\nLine two <b>not bold</b>",
	    "text: lines kept, markup is text");
	free(s);
	s = render_text("\n\n  indented\r\n\n\n\nafter   \nend\033[2J");
	tap_is_str(s, "  indented\n\nafter\nend",
	    "text: one blank line at most, none at the ends, no escapes");
	free(s);
	s = render_text(NULL);
	tap_is_str(s, "", "text NULL");
	free(s);

	/* Dates, in UTC: 2025-11-24 09:00 is 1763974800. */
	s = render_dates(1763974800, DATE_NONE, 1764000000, 1796662074);
	tap_is_str(s, "2025-11-24 09:00", "dates: old, once");
	free(s);
	s = render_dates(1763974800, 1763978400, 1764000000, 1796662074);
	tap_is_str(s, "2025-11-24 09:00, updated 10:00",
	    "dates: updated the same day");
	free(s);
	s = render_dates(1763888400, 1763978400, 1764000000, 1796662074);
	tap_is_str(s, "2025-11-23 09:00, updated 2025-11-24 10:00",
	    "dates: updated another day");
	free(s);
	s = render_dates(1763974800, 1763974800, 1764000000, 1796662074);
	tap_is_str(s, "2025-11-24 09:00", "dates: updated = published");
	free(s);
	s = render_dates(DATE_NONE, 1763974800, 1764000000, 1796662074);
	tap_is_str(s, "2025-11-24 09:00", "dates: updated alone");
	free(s);
	s = render_dates(DATE_NONE, DATE_NONE, 1763974800, 1796662074);
	tap_is_str(s, "2025-11-24 09:00", "dates: first seen alone");
	free(s);
	s = render_dates(1763974800, DATE_NONE, 1763974800,
	    1763974800 + 3 * 3600);
	tap_is_str(s, "2025-11-24 09:00 (3h ago)", "dates: recent, how long");
	free(s);
}

/* render_feed_labels(): titles told apart by host, else URL. */
static void
test_labels(void)
{
	const char	*titles[] = { "Same", "Jay", "SAME", "same", "Café",
	    "CAFÉ" };
	const char	*urls[] = { "http://a.example/1", "http://j.example/",
	    "https://user@b.example:8080/x?y", "http://a.example/2",
	    "http://c.example/", "http://d.example/" };
	const char	*want[] = { "Same (http://a.example/1)", "Jay",
	    "SAME (b.example:8080)", "same (http://a.example/2)",
	    "Café (c.example)", "CAFÉ (d.example)" };
	char		**l;
	size_t		 i;

	l = render_feed_labels(titles, urls, 6);
	for (i = 0; i < 6; i++) {
		tap_is_str(l[i], want[i], "feed label");
		free(l[i]);
	}
	free(l);
	l = render_feed_labels(titles, urls, 0);
	free(l);
}

int
main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "en_US.UTF-8");
	test_sanitize();
	test_decode();
	test_cells();
	test_reltime();
	test_terminal();
	setenv("TZ", "UTC", 1);
	tzset();
	test_show();
	test_labels();
	return (tap_done());
}
