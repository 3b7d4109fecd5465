/*
 * test_sanitize.c: table tests for sanitize.c.  Each input is sanitized
 * by sanitize_html() (the fast path where it applies) and by
 * sanitize_html_full() (libxml2's parse, always); where the two may write
 * the same markup differently (entities kept or decoded, quotes), the
 * case gives the full parse's text separately.  Every expected text and
 * count was written by hand.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "tap.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])
#define BASE		"http://example.com/blog/feed.xml"

static const struct {
	const char	*in;
	const char	*want;		/* sanitize_html() */
	const char	*full;		/* sanitize_html_full(); NULL: want */
	size_t		 dropped;
} cases[] = {
	/* Plain text is copied; allowed markup kept. */
	{ "Just text &amp; more", "Just text &amp; more", NULL, 0 },
	{ "Hello <b>bold</b> and <em>em</em>",
	    "Hello <b>bold</b> and <em>em</em>", NULL, 0 },
	{ "<P>Upper <STRONG>case</STRONG></P>",
	    "<p>Upper <strong>case</strong></p>", NULL, 0 },
	{ "<p>a<br>b<br/>c</p>", "<p>a<br>b<br>c</p>", NULL, 0 },
	{ "<ul><li>a</li><li>b</li></ul>", "<ul><li>a</li><li>b</li></ul>",
	    NULL, 0 },
	/* Unlisted attributes go quietly; handlers go and are counted. */
	{ "<p class=\"x\" id=\"y\" style=\"color:red\">t</p>", "<p>t</p>",
	    NULL, 0 },
	{ "<p onclick=\"evil()\" ONMOUSEOVER='x'>t</p>", "<p>t</p>", NULL, 2 },
	{ "<img src=\"a.png\"onerror=\"x\">",
	    "<img src=\"http://example.com/blog/a.png\">", NULL, 1 },
	/* Links: made absolute; http, https, mailto kept; others dropped. */
	{ "<a href=\"/x?a=1\" target=\"_blank\" rel=\"nofollow\">l</a>",
	    "<a href=\"http://example.com/x?a=1\">l</a>", NULL, 0 },
	{ "<a href=\"https://e.org/?a=1&amp;b=2\">q</a>",
	    "<a href=\"https://e.org/?a=1&amp;b=2\">q</a>", NULL, 0 },
	{ "<a href=\"mailto:ed@example.org\">m</a>",
	    "<a href=\"mailto:ed@example.org\">m</a>", NULL, 0 },
	{ "<a href=\"javascript:alert(1)\">j</a>", "<a>j</a>", NULL, 1 },
	{ "<a href=\"JaVaScRiPt:alert(1)\">j</a>", "<a>j</a>", NULL, 1 },
	{ "<a href=\"&#106;avascript:alert(1)\">j</a>", "<a>j</a>", NULL, 1 },
	{ "<a href=\"java\tscript:alert(1)\">j</a>", "<a>j</a>", NULL, 1 },
	{ "<a href=\" \x01javascript:alert(1)\">j</a>", "<a>j</a>", NULL, 1 },
	{ "<a href=\"vbscript:x\">v</a><a href=\"data:text/html,x\">d</a>",
	    "<a>v</a><a>d</a>", NULL, 2 },
	/* Images: http(s) only; without a source the image goes. */
	{ "<img src=\"data:image/png;base64,AAAA\" alt=\"d\">x", "x", NULL, 1 },
	{ "<img src=\"/i.png\" srcset=\"/i2.png 2x, javascript:x 3x\">",
	    "<img src=\"http://example.com/i.png\" "
	    "srcset=\"http://example.com/i2.png 2x\">", NULL, 1 },
	{ "<video poster=\"javascript:x\" src=\"v.mp4\"></video>",
	    "<video src=\"http://example.com/blog/v.mp4\"></video>", NULL, 1 },
	/* Dropped with their content, and counted. */
	{ "a<script>evil()</script>b", "ab", NULL, 1 },
	{ "a<SCRIPT SRC=\"x.js\"></SCRIPT>b", "ab", NULL, 1 },
	{ "a<style>p{}</style>b", "ab", NULL, 1 },
	{ "<svg onload=\"x\"><script>y</script></svg>t", "t", NULL, 1 },
	{ "<form action=\"/x\"><input name=\"q\"><button>Go</button></form>t",
	    "t", NULL, 1 },
	{ "<object data=\"x.swf\"><param name=\"a\"></object>t", "t", NULL, 1 },
	{ "a<embed src=\"x.swf\">b", "ab", NULL, 1 },
	{ "<math><mi>x</mi></math>t", "t", NULL, 1 },
	/* An iframe becomes a link to what it showed. */
	{ "<iframe src=\"https://v.example/e/1\"></iframe>",
	    "<a href=\"https://v.example/e/1\">https://v.example/e/1</a>",
	    NULL, 1 },
	{ "<iframe src=\"javascript:x\"></iframe>t", "t", NULL, 2 },
	/* Unknown elements are unwrapped; comments dropped. */
	{ "<custom-el x=\"1\">kept</custom-el>", "kept", NULL, 0 },
	{ "a<!-- c --><!--[if IE]><script>x</script><![endif]-->b", "ab",
	    NULL, 0 },
	/* Text that is not markup is escaped; tags are balanced. */
	{ "1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2", NULL, 0 },
	{ "<b>open", "<b>open</b>", NULL, 0 },
	{ "<p>x &nbsp; y</p>", "<p>x &nbsp; y</p>", "<p>x \xc2\xa0 y</p>", 0 },
	{ "<img src='a.png' alt='say \"hi\"'>",
	    "<img src=\"http://example.com/blog/a.png\" alt=\"say &quot;hi&quot;\">",
	    NULL, 0 },
	/* A base or meta cannot redirect what follows. */
	{ "<base href=\"javascript:x//\"><a href=\"y\">y</a>",
	    "<a href=\"http://example.com/blog/y\">y</a>", NULL, 1 },
};

int
main(void)
{
	struct buf	 out;
	size_t		 i, n;
	const char	*want;
	char		 what[128];

	for (i = 0; i < NITEMS(cases); i++) {
		memset(&out, 0, sizeof out);
		n = sanitize_html(&out, cases[i].in, strlen(cases[i].in), BASE);
		snprintf(what, sizeof what, "case %zu: %.60s", i, cases[i].in);
		tap_is_str(out.data, cases[i].want, what);
		tap_is_int((int64_t)n, (int64_t)cases[i].dropped, "  dropped");
		buf_free(&out);
		memset(&out, 0, sizeof out);
		n = sanitize_html_full(&out, cases[i].in, strlen(cases[i].in),
		    BASE);
		want = cases[i].full != NULL ? cases[i].full : cases[i].want;
		tap_is_str(out.data, want, "  by the full parse");
		tap_is_int((int64_t)n, (int64_t)cases[i].dropped,
		    "  dropped by the full parse");
		buf_free(&out);
	}

	/* URL fields: the schemes each kind keeps. */
	tap_ok(sanitize_url_ok("https://e.org/", SANITIZE_MEDIA), "https media");
	tap_ok(sanitize_url_ok("relative/x", SANITIZE_MEDIA), "relative");
	tap_ok(!sanitize_url_ok("mailto:a@b", SANITIZE_MEDIA), "mailto media");
	tap_ok(sanitize_url_ok("mailto:a@b", SANITIZE_LINK), "mailto link");
	tap_ok(!sanitize_url_ok("magnet:?xt=1", SANITIZE_LINK), "magnet link");
	tap_ok(sanitize_url_ok("magnet:?xt=1", SANITIZE_FIELD), "magnet field");
	tap_ok(!sanitize_url_ok(" JAVA\nSCRIPT:x", SANITIZE_FIELD),
	    "javascript with a newline, upper case");
	tap_ok(!sanitize_url_ok("file:///etc/passwd", SANITIZE_FIELD), "file");
	tap_ok(sanitize_url_ok("./javascript:x", SANITIZE_FIELD),
	    "a relative path that names javascript: is a path");
	return (tap_done());
}
