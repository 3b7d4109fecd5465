/*
 * test_html.c: table tests for html.c.  Every expected text was written
 * by hand from the input, the way a reader should see it in a terminal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "tap.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

#define IN	HTML_TEXT_INLINE
#define LN	HTML_TEXT_LINKS

static const struct {
	const char	*in;
	int		 flags;
	const char	*want;
} cases[] = {
	/* Titles: one line, entities decoded, tags dropped. */
	{ "Q&amp;A: <b>Fast</b> &rsquo;cars&rsquo;", IN,
	    "Q&A: Fast \xe2\x80\x99" "cars\xe2\x80\x99" },
	{ "Plain title", IN, "Plain title" },
	{ "  Spaced \t out\n\n title  ", IN, "Spaced out title" },
	{ "AT&T and Q&A", IN, "AT&T and Q&A" },
	{ "1 &lt; 2 &amp;&amp; 3 &gt; 2", IN, "1 < 2 && 3 > 2" },
	{ "&amp;amp; stays once-decoded", IN, "&amp; stays once-decoded" },
	{ "&#8220;Quoted&#8221; &#x2014; dash", IN,
	    "\xe2\x80\x9cQuoted\xe2\x80\x9d \xe2\x80\x94 dash" },
	{ "Caf&eacute; &euro;5 &copy;", IN,
	    "Caf\xc3\xa9 \xe2\x82\xac" "5 \xc2\xa9" },
	{ "<p>Block</p><p>title</p>", IN, "Block title" },
	{ "line<br>break", IN, "line break" },
	{ "a&nbsp;&nbsp;b", IN, "a b" },
	{ "<img src=x alt=Logo> News", IN, "Logo News" },
	{ "<a href=\"http://x/\">linked</a> title", IN | LN, "linked title" },
	{ "<ul><li>one</li><li>two</li></ul>", IN, "one two" },
	{ "<script>evil()</script>Safe", IN, "Safe" },
	{ "caf\xc3\xa9 na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
	    IN, "caf\xc3\xa9 na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac "
	    "\xf0\x9f\x98\x80" },

	/* Empty and blank. */
	{ "", 0, "" },
	{ "   \n\t ", 0, "" },
	{ "<p></p><div>  </div>", 0, "" },
	{ "<script>x</script>", 0, "" },
	{ "<!-- only a comment -->", 0, "" },

	/* Paragraphs, breaks, headings, whitespace folding. */
	{ "<p>Hello <b>world</b>.</p><p>Second.</p>", 0,
	    "Hello world.\n\nSecond." },
	{ "<p>a</p>   \n  <p>b</p>", 0, "a\n\nb" },
	{ "<p>line1<br>line2<br/>line3</p>", 0, "line1\nline2\nline3" },
	{ "a<br><br>b", 0, "a\n\nb" },
	{ "a<br><br><br><br><br>b", 0, "a\n\nb" },
	{ "<br><br>start", 0, "start" },
	{ "<h1>Title</h1><p>body</p>", 0, "Title\n\nbody" },
	{ "text<h2>Head</h2>more", 0, "text\n\nHead\n\nmore" },
	{ "<div>one</div><div>two</div>", 0, "one\ntwo" },
	{ "  lots   of\n\n\tspace  ", 0, "lots of space" },
	{ "a<span> </span>b", 0, "a b" },
	{ "a<b>b</b>c", 0, "abc" },
	{ "x<hr>y", 0, "x\n\n----\n\ny" },
	{ "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td>"
	    "</tr></table>", 0, "a b\nc d" },
	{ "<dl><dt>term</dt><dd>meaning</dd></dl>", 0, "term\n  meaning" },

	/* Lists. */
	{ "<ul><li>one</li><li>two</li></ul>", 0, "  * one\n  * two" },
	{ "<ul><li>a<li>b</ul>", 0, "  * a\n  * b" },
	{ "<ol><li>first</li><li>second</li></ol>", 0,
	    "  1. first\n  2. second" },
	{ "<ol start=\"7\"><li>seven</li><li>eight</li></ol>", 0,
	    "  7. seven\n  8. eight" },
	{ "<ul><li>a<ul><li>b</li><li>c</li></ul></li><li>d</li></ul>", 0,
	    "  * a\n      * b\n      * c\n  * d" },
	{ "<ol><li>one<ol><li>sub</li></ol></li><li>two</li></ol>", 0,
	    "  1. one\n       1. sub\n  2. two" },
	{ "<p>Intro</p><ul><li>x</li></ul><p>End</p>", 0,
	    "Intro\n\n  * x\n\nEnd" },
	{ "<ul><li><p>p1</p><p>p2</p></li><li>b</li></ul>", 0,
	    "  * p1\n\n    p2\n\n  * b" },

	/* Blockquotes. */
	{ "<blockquote>quoted</blockquote>", 0, "> quoted" },
	{ "<p>x</p><blockquote><p>q1</p><p>q2</p></blockquote><p>y</p>", 0,
	    "x\n\n> q1\n>\n> q2\n\ny" },
	{ "<blockquote>a<blockquote>b</blockquote>c</blockquote>", 0,
	    "> a\n>\n> > b\n>\n> c" },
	{ "<blockquote><ul><li>i</li></ul></blockquote>", 0, ">   * i" },

	/* Preformatted text is kept verbatim. */
	{ "<pre>  code\n    indented\n\nend</pre>", 0,
	    "  code\n    indented\n\nend" },
	{ "<p>a</p><pre>x\ty</pre><p>b</p>", 0, "a\n\nx\ty\n\nb" },
	{ "<pre>a &lt;b&gt;   c</pre>", 0, "a <b>   c" },

	/* Dropped: scripts, styles, head, forms. */
	{ "<html><head><title>T</title><style>p{}</style></head>"
	    "<body>Body</body></html>", 0, "Body" },
	{ "a<script>alert('x')</script>b<style>.c{}</style>c", 0, "abc" },
	{ "<p>x<script type=\"text/javascript\">if (a < b) "
	    "document.write('<p>no</p>');</script>y</p>", 0, "xy" },
	{ "<noscript>visible</noscript>", 0, "visible" },
	{ "Go<button>Click</button><select><option>o</option></select>", 0,
	    "Go" },

	/* Images. */
	{ "<p>Look: <img src=\"a.png\" alt=\"A cat\"> nice</p>", 0,
	    "Look: [image: A cat] nice" },
	{ "<img src=\"a.png\">", 0, "[image]" },
	{ "<img src=\"a.png\" alt=\"  \">", 0, "[image]" },
	{ "x<img src=\"t.gif\" width=\"1\" height=\"1\">", 0, "x" },
	{ "<img alt=\"Fish &amp; chips\" src=x>", 0,
	    "[image: Fish & chips]" },
	/* No space between an image and the punctuation after it. */
	{ "<p>See <img src=\"p.jpg\" alt=\"photo\">. End</p>", 0,
	    "See [image: photo]. End" },
	{ "<p>A <img src=\"p.jpg\">), <img src=\"q.jpg\">!</p>", 0,
	    "A [image]), [image]!" },
	{ "<p><img src=\"p.jpg\">word</p>", 0, "[image] word" },
	{ "<p><img src=\"p.jpg\"> .</p>", 0, "[image] ." },

	/* Media and quotes. */
	{ "<p>Watch <video src=\"http://v/a.mp4\">No video support"
	    "</video> now</p>", LN,
	    "Watch [video][1] now\n\n[1] http://v/a.mp4" },
	{ "<video><source src=\"http://v/b.webm\">fallback</video>", LN,
	    "[video][1]\n\n[1] http://v/b.webm" },
	{ "<audio src=\"http://a/c.mp3\">old browser</audio>", 0,
	    "[audio]" },
	{ "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>", LN,
	    "[iframe][1]\n\n[1] https://www.youtube.com/embed/x" },
	{ "Title <video src=x></video>", IN, "Title" },
	{ "He said <q>hi</q>.", 0,
	    "He said \xe2\x80\x9chi\xe2\x80\x9d." },

	/* Links. */
	{ "<a href=\"http://e.com/\">e</a>", 0, "e" },
	{ "<a href=\"http://e.com/\">e</a>", LN, "e[1]\n\n[1] http://e.com/" },
	{ "<p>See <a href=\"http://x/\">this</a> and "
	    "<a href=\"http://x/\">that</a>, <a href=\"http://y/\">y</a>.</p>",
	    LN, "See this[1] and that[1], y[2].\n\n"
	    "[1] http://x/\n[2] http://y/" },
	{ "<a href=\"http://x/\">click here </a>now", LN,
	    "click here[1] now\n\n[1] http://x/" },
	{ "<a href=\"#top\">top</a> <a href=\"javascript:void(0)\">js</a> "
	    "<a>bare</a>", LN, "top js bare" },
	{ "<a href=\"http://a/?x=1&amp;y=2\">q</a>", LN,
	    "q[1]\n\n[1] http://a/?x=1&y=2" },
	{ "<a href=\"http://a/\"><img src=x alt=Logo></a>", LN,
	    "[image: Logo][1]\n\n[1] http://a/" },

	{ "<a href=\"http://a/\">outer <a href=\"http://b/\">inner</a> "
	    "tail</a> after", LN,
	    "outer[1] inner[2] tail after\n\n[1] http://a/\n[2] http://b/" },
	{ "<p>x<iframe src=\"http://i/\"><p>fallback</p></iframe>y</p>", LN,
	    "x [iframe][1] y\n\n[1] http://i/" },
	{ "<svg><title>t</title><text>drawn</text></svg>ok", 0, "ok" },
	{ "<table><tr><th>H1<th>H2<tr><td>a<td>b</table>", 0, "H1 H2\na b" },

	/* Terminal safety: no ESC, no C1, no DEL, no other C0. */
	{ "\x1b[31mred\x1b[0m", IN, "[31mred[0m" },
	{ "<b>\x1b[31mred</b>", 0, "[31mred" },
	{ "<p>\x1b]0;pwned\x07title</p>", 0, "]0;pwnedtitle" },
	{ "a&#27;[2Jb", 0, "a[2Jb" },
	{ "a&#x1b;b", IN, "ab" },
	{ "x\xc2\x9b" "31my", 0, "x31my" },
	{ "<i>x\xc2\x9b" "31my</i>", 0, "x31my" },
	{ "del\x7f me", IN, "del me" },
	{ "a\x01\x02\x03\x08z", 0, "az" },
	{ "<p>a&#127;b&#1;c</p>", 0, "abc" },

	/* C1 references are Windows-1252, as HTML5 says; raw C1 is dropped. */
	{ "Don&#146;t &#150; &#x93;q&#x94;", IN,
	    "Don\xe2\x80\x99t \xe2\x80\x93 \xe2\x80\x9cq\xe2\x80\x9d" },
	{ "<p>Don&#146;t &#128;5&#133;</p>", 0,
	    "Don\xe2\x80\x99t \xe2\x82\xac" "5\xe2\x80\xa6" },
	{ "<p>&#x9b;31m &#129;&#x8d;x</p>", 0, "\xe2\x80\xba" "31m x" },
	{ "a&#0;b&#xD800;c&#x110000;d&#99999999999999999999;e&#;f", IN,
	    "abcdef" },
	{ "tab\there", IN, "tab here" },
	{ "Donau&shy;dampf\xc2\xadschiff", IN, "Donaudampfschiff" },
	{ "<p>line\xe2\x80\xa8sep\xe2\x80\xa9para</p>", 0, "line sep para" },

	/* Bad UTF-8 becomes U+FFFD; good non-ASCII text stays. */
	{ "bad \xff end", IN, "bad \xef\xbf\xbd end" },
	{ "<b>bad</b> \xc3\x28", 0, "bad \xef\xbf\xbd(" },
	{ "<p>over\xc0\xaflong</p>", 0,
	    "over\xef\xbf\xbd\xef\xbf\xbdlong" },
	{ "<p>surrogate \xed\xa0\x80</p>", 0,
	    "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "<p>cut \xe6\x97</p>", 0, "cut \xef\xbf\xbd\xef\xbf\xbd" },
	{ "<p>\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
	    "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85</p>", 0,
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
	    "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85" },
	{ "<meta charset=\"iso-8859-1\"><p>caf\xc3\xa9</p>", 0,
	    "caf\xc3\xa9" },

	/* Broken HTML. */
	{ "<p>unclosed <b>bold <i>both</p><p>next", 0,
	    "unclosed bold both\n\nnext" },
	{ "</div></p>stray ends</b>", 0, "stray ends" },
	{ "<p <b>x", 0, "x" },
	{ "text < not a tag", IN, "text < not a tag" },
	{ "<div><p>a</div>b", 0, "a\n\nb" },
	{ "&bogus; &amp;x", IN, "&bogus; &x" },
};

/* Run the table. */
static void
test_table(void)
{
	char	*s, what[200], *p;
	size_t	 i;

	for (i = 0; i < NITEMS(cases); i++) {
		snprintf(what, sizeof what, "html %zu \"%.60s\" flags %d", i,
		    cases[i].in, cases[i].flags);
		for (p = what; *p != '\0'; p++) {
			if ((unsigned char)*p < 0x20)
				*p = '.';	/* one TAP line each */
		}
		s = html_to_text(cases[i].in, strlen(cases[i].in),
		    cases[i].flags);
		tap_is_str(s, cases[i].want, what);
		free(s);
	}
}

/*
 * Text without tags takes a fast path that decodes references itself;
 * it must agree with libxml2, which renders the same text inside <b>.
 */
static void
test_fast_path(void)
{
	static const char *t[] = {
		"Q&amp;A &lt;b&gt; &rsquo;x&rsquo; &hellip;",
		"AT&T &amp &ampx &notit; &notin; &AMP; &Amp; &apos;",
		"&#65;&#x42;&#X43;&#68 &#x45 &#;&#x;&#x;x & &; &",
		"&#0;&#1;&#9;&#27;&#127;&#128;&#129;&#146;&#159;&#160;",
		"&#xd800;&#xdfff;&#xfffe;&#xffff;&#x10ffff;&#x110000;",
		"&#99999999999999999999999;&#x99999999999999999;z",
		"caf\xc3\xa9 \xff\xfe bad \xe2\x82 cut",
		"  spaces\t\tand\n\nlines  ",
		"&nbsp;&#160;\xc2\xa0x",
		"&eacute;&Eacute;&euro;&trade;&mdash;&nbsp;&thinsp;&zwj;",
	};
	char	*a, *b, *wrapped, what[120];
	size_t	 i;
	int	 f;

	for (i = 0; i < NITEMS(t); i++) {
		for (f = 0; f <= IN; f += IN) {
			xasprintf(&wrapped, "<b>%s</b>", t[i]);
			a = html_to_text(t[i], strlen(t[i]), f);
			b = html_to_text(wrapped, strlen(wrapped), f);
			snprintf(what, sizeof what,
			    "fast path agrees with libxml2: %zu, flags %d", i,
			    f);
			tap_is_str(a, b, what);
			free(a);
			free(b);
			free(wrapped);
		}
	}
}

/* Is s valid UTF-8 without control characters other than \n and \t? */
static int
clean_text(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	while (*p != '\0') {
		if (*p < 0x20 && *p != '\n' && *p != '\t')
			return (0);
		if (*p == 0x7f)
			return (0);
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return (0);
		if (*p >= 0xc2 && *p <= 0xdf && (p[1] & 0xc0) == 0x80) {
			p += 2;
			continue;
		}
		if (*p >= 0xe0 && *p <= 0xef && (p[1] & 0xc0) == 0x80 &&
		    (p[2] & 0xc0) == 0x80) {
			p += 3;
			continue;
		}
		if (*p >= 0xf0 && *p <= 0xf4 && (p[1] & 0xc0) == 0x80 &&
		    (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
			p += 4;
			continue;
		}
		return (0);
	}
	return (1);
}

/* Edge cases that need more than a table row. */
static void
test_edges(void)
{
	struct buf	 b;
	char		*s;
	size_t		 i;
	unsigned int	 seed = 12345;

	/* NULL and an explicit length shorter than the string. */
	s = html_to_text(NULL, 0, 0);
	tap_is_str(s, "", "NULL input gives an empty string");
	free(s);
	s = html_to_text("<b>abc</b>def", 5, 0);
	tap_is_str(s, "ab", "length is honoured");
	free(s);
	s = html_to_text("ab\0cd", 5, IN);
	tap_is_str(s, "abcd", "NUL byte in plain text is dropped");
	free(s);
	s = html_to_text("<b>ab\0cd</b>", 12, 0);
	tap_is_str(s, "abcd", "NUL byte in HTML is dropped");
	free(s);

	/* 100,000 nested divs: no crash, the text survives. */
	memset(&b, 0, sizeof b);
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "<div>");
	buf_adds(&b, "deep");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "</div>");
	buf_adds(&b, "after");
	s = html_to_text(b.data, b.len, 0);
	tap_is_str(s, "deep\nafter", "100000 nested divs");
	free(s);

	/* Deep lists and quotes: indentation is capped, text kept. */
	buf_reset(&b);
	for (i = 0; i < 5000; i++)
		buf_adds(&b, "<blockquote><ul><li>");
	buf_adds(&b, "x");
	s = html_to_text(b.data, b.len, 0);
	tap_ok(s[strlen(s) - 1] == 'x' && strlen(s) < 1000,
	    "5000 nested quotes and lists: indentation capped");
	free(s);

	/*
	 * Input is cut at 4 MiB and output capped at 4 MiB: 5 MiB of <img>
	 * would give 8 MiB of "[image] ".
	 */
	buf_reset(&b);
	for (i = 0; i < 1024 * 1024; i++)
		buf_adds(&b, "<img>");
	s = html_to_text(b.data, b.len, 0);
	tap_ok(strlen(s) >= 4 * 1024 * 1024 - 16 &&
	    strlen(s) <= 4 * 1024 * 1024 + 16 &&
	    strncmp(s, "[image] [image]", 15) == 0, "output capped at 4 MiB");
	free(s);

	/* Many links: numbered and listed once each. */
	buf_reset(&b);
	for (i = 0; i < 20; i++)
		buf_printf(&b, "<a href=\"http://h/%zu\">l%zu</a> ", i % 10, i);
	s = html_to_text(b.data, b.len, LN);
	tap_ok(strstr(s, "l19[10]") != NULL &&
	    strstr(s, "\n[10] http://h/9") != NULL &&
	    strstr(s, "[11]") == NULL, "repeated links share numbers");
	free(s);

	/* At most 1000 links are numbered. */
	buf_reset(&b);
	for (i = 0; i < 1100; i++)
		buf_printf(&b, "<a href=\"http://h/%zu\">x</a>", i);
	s = html_to_text(b.data, b.len, LN);
	tap_ok(strstr(s, "x[1000]x") != NULL &&
	    strstr(s, "\n[1000] http://h/999") != NULL &&
	    strstr(s, "[1001]") == NULL, "links capped at 1000");
	free(s);

	/* Random bytes with tags: output always clean UTF-8. */
	for (i = 0; i < 200; i++) {
		size_t	j, n = 1 + (i * 37) % 400;

		buf_reset(&b);
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			switch ((seed >> 16) % 8) {
			case 0:
				buf_adds(&b, "<p>");
				break;
			case 1:
				buf_adds(&b, "&#");
				buf_printf(&b, "%u;", (seed >> 8) % 300);
				break;
			case 2:
				buf_adds(&b, "<pre>\x1b[1m");
				break;
			default:
				buf_addc(&b, (char)(seed >> 20));
				break;
			}
		}
		s = html_to_text(b.data, b.len, i % 2 ? IN : LN);
		if (!clean_text(s)) {
			tap_ok(0, "random input gives clean UTF-8");
			free(s);
			break;
		}
		free(s);
	}
	if (i == 200)
		tap_ok(1, "random input gives clean UTF-8 (200 inputs)");
	buf_free(&b);
}

/* Run every group of checks and print the plan. */
int
main(void)
{
	test_table();
	test_fast_path();
	test_edges();
	return (tap_done());
}
