/*
 * test_decode.c: table tests for decode.c, a document's bytes to clean
 * UTF-8.  Each case gives the input bytes, the format decode_push() must
 * find and the exact text the callback must get: UTF-8 passed through,
 * invalid bytes read as Windows-1252, controls dropped, byte order marks,
 * declared encodings through iconv, the Latin-1 guess, bare ampersands in
 * text but not in CDATA sections or comments, HTML entities, character
 * references and declared entities.  Every case must give the same text
 * pushed whole, split in two at every point, and byte by byte, with the
 * callback's final flag on its last call only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "tap.h"

/* What the callback got. */
struct out {
	struct buf	 b;
	int		 calls;
	int		 finals;	/* calls with final set */
	int		 late;		/* calls after the final one */
};

/* The decode callback: collect the text. */
static void
out_cb(const char *s, size_t n, int final, void *arg)
{
	struct out	*o = arg;

	if (o->finals > 0)
		o->late++;
	o->calls++;
	if (final)
		o->finals++;
	buf_add(&o->b, s, n);
}

/*
 * Decode doc (len bytes), pushed in pieces that end at each offset of cuts
 * (ascending, then the rest), then a final empty push.  Fills o and
 * returns the format the final push reported.
 */
static enum decode_format
run(const char *doc, size_t len, const size_t *cuts, size_t ncuts,
    struct out *o)
{
	struct decode		*d;
	enum decode_format	 f;
	size_t			 i, off = 0;

	memset(o, 0, sizeof *o);
	buf_add(&o->b, "", 0);
	d = decode_new(out_cb, o);
	for (i = 0; i < ncuts; i++) {
		decode_push(d, doc + off, cuts[i] - off, 0);
		off = cuts[i];
	}
	decode_push(d, doc + off, len - off, 0);
	f = decode_push(d, "", 0, 1);
	decode_free(d);
	return (f);
}

/* Whether a run gave the expected format and text, in good order. */
static int
run_ok(const struct out *o, enum decode_format f, enum decode_format want,
    const char *text)
{
	if (f != want || o->late != 0)
		return (0);
	if (want != DECODE_XML && want != DECODE_JSON)
		return (o->calls == 0);
	return (o->finals == 1 && strcmp(o->b.data, text) == 0);
}

/* The cases. */
static const struct {
	const char		*what;
	const char		*in;
	size_t			 len;	/* 0: strlen(in) */
	enum decode_format	 format;
	const char		*out;
} cases[] = {
	/* UTF-8 and its repair. */
	{ "UTF-8 passes through",
	  "<a>caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xe4\xb8\xad</a>", 0,
	  DECODE_XML,
	  "<a>caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xe4\xb8\xad</a>" },
	{ "invalid bytes read as Windows-1252",
	  "<a>\x93quoted\x94 caf\xe9 \x80</a>", 0, DECODE_XML,
	  "<a>\xe2\x80\x9cquoted\xe2\x80\x9d caf\xc3\xa9 \xe2\x82\xac</a>" },
	{ "C1 control as UTF-8 read as Windows-1252",
	  "<a>it\xc2\x92s</a>", 0, DECODE_XML, "<a>it\xe2\x80\x99s</a>" },
	{ "a hole in Windows-1252 becomes U+FFFD",
	  "<a>\x81</a>", 0, DECODE_XML, "<a>\xef\xbf\xbd</a>" },
	{ "C0 controls dropped, tab and newline kept",
	  "<a>a\x00" "b\x01" "c\td\r\ne\x1f</a>", 19, DECODE_XML,
	  "<a>abc\td\r\ne</a>" },
	{ "U+FFFE and U+FFFF dropped",
	  "<a>x\xef\xbf\xbey\xef\xbf\xbfz</a>", 0, DECODE_XML, "<a>xyz</a>" },
	{ "overlong form and surrogate read byte by byte",
	  "<a>\xc0\xaf\xed\xa0\x80</a>", 0, DECODE_XML,
	  "<a>\xc3\x80\xc2\xaf\xc3\xad\xc2\xa0\xe2\x82\xac</a>" },
	{ "a sequence cut by the end",
	  "<a>\xe2\x82", 0, DECODE_XML, "<a>\xc3\xa2\xe2\x80\x9a" },

	/* Byte order marks, UTF-16 and UTF-32. */
	{ "UTF-8 BOM skipped",
	  "\xef\xbb\xbf<rss/>", 0, DECODE_XML, "<rss/>" },
	{ "UTF-16LE with BOM",
	  "\xff\xfe<\0r\0>\0\xe9\0\xac\x20<\0/\0r\0>\0", 20, DECODE_XML,
	  "<r>\xc3\xa9\xe2\x82\xac</r>" },
	{ "UTF-16BE with BOM",
	  "\xfe\xff\0<\0r\0/\0>", 10, DECODE_XML, "<r/>" },
	{ "UTF-16BE without BOM",
	  "\0<\0?\0x\0m\0l\0?\0>\0<\0a\0/\0>", 22, DECODE_XML,
	  "<?xml?><a/>" },
	{ "UTF-16LE without BOM",
	  "<\0?\0x\0m\0l\0?\0>\0<\0a\0/\0>\0", 22, DECODE_XML,
	  "<?xml?><a/>" },
	{ "UTF-32LE with BOM",
	  "\xff\xfe\0\0<\0\0\0a\0\0\0/\0\0\0>\0\0\0", 20, DECODE_XML,
	  "<a/>" },
	{ "odd UTF-16 byte at the end becomes U+FFFD",
	  "\xff\xfe<\0a\0/\0>\0x", 11, DECODE_XML, "<a/>\xef\xbf\xbd" },

	/* Declared encodings. */
	{ "ISO-8859-1 read as Windows-1252",
	  "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\x93"
	  "caf\xe9\x94</a>", 0, DECODE_XML,
	  "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>"
	  "\xe2\x80\x9c" "caf\xc3\xa9\xe2\x80\x9d</a>" },
	{ "KOI8-R through iconv",
	  "<?xml version='1.0' encoding='koi8-r'?><a>\xf0\xd2\xc9\xd7\xc5"
	  "\xd4</a>", 0, DECODE_XML,
	  "<?xml version='1.0' encoding='koi8-r'?><a>\xd0\x9f\xd1\x80\xd0"
	  "\xb8\xd0\xb2\xd0\xb5\xd1\x82</a>" },
	{ "Shift_JIS through iconv",
	  "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x93\xfa\x96"
	  "\x7b</a>", 0, DECODE_XML,
	  "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\xe6\x97\xa5"
	  "\xe6\x9c\xac</a>" },
	{ "Shift_JIS: an invalid byte becomes U+FFFD",
	  "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\xa0x</a>", 0,
	  DECODE_XML,
	  "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\xef\xbf\xbdx"
	  "</a>" },
	{ "declared Latin-1, really UTF-8",
	  "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>plain "
	  "caf\xc3\xa9 \xe2\x80\x94</a>", 0, DECODE_XML,
	  "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>plain "
	  "caf\xc3\xa9 \xe2\x80\x94</a>" },
	{ "declared Latin-1, really Latin-1",
	  "<?xml version=\"1.0\" encoding=\"latin1\"?><a>caf\xe9 "
	  "\xc3\xa9</a>", 0, DECODE_XML,
	  "<?xml version=\"1.0\" encoding=\"latin1\"?><a>caf\xc3\xa9 "
	  "\xc3\x83\xc2\xa9</a>" },
	{ "declared UTF-8, bytes repaired",
	  "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xe9</a>", 0,
	  DECODE_XML,
	  "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xc3\xa9</a>" },
	{ "unknown encoding read as UTF-8",
	  "<?xml version=\"1.0\" encoding=\"bogus-42\"?><a>caf\xc3\xa9</a>",
	  0, DECODE_XML,
	  "<?xml version=\"1.0\" encoding=\"bogus-42\"?><a>caf\xc3\xa9</a>" },
	{ "white space before the document dropped",
	  " \r\n\t<rss/>", 0, DECODE_XML, "<rss/>" },

	/* Ampersands and references. */
	{ "bare ampersands escaped in text",
	  "<a>Q&A, fish & chips, ?a=1&b=2, &</a>", 0, DECODE_XML,
	  "<a>Q&amp;A, fish &amp; chips, ?a=1&amp;b=2, &amp;</a>" },
	{ "bare ampersands kept in CDATA",
	  "<a><![CDATA[Q&A &nbsp; ]] ]]> & </a>", 0, DECODE_XML,
	  "<a><![CDATA[Q&A &nbsp; ]] ]]> &amp; </a>" },
	{ "a CDATA section or a comment ending in its end marker's byte",
	  "<a><![CDATA[x[i]]]> & <!-- y --->&</a>", 0, DECODE_XML,
	  "<a><![CDATA[x[i]]]> &amp; <!-- y --->&amp;</a>" },
	{ "bare ampersands kept in comments",
	  "<!-- a & b -- &c; --><a>&</a>", 0, DECODE_XML,
	  "<!-- a & b -- &c; --><a>&amp;</a>" },
	{ "attribute values too",
	  "<a href=\"?x=1&y=2&amp;z=&eacute;\"/>", 0, DECODE_XML,
	  "<a href=\"?x=1&amp;y=2&amp;z=&#233;\"/>" },
	{ "HTML entities become character references",
	  "<a>&nbsp;&rsquo;&hellip;&eacute;&euro;</a>", 0, DECODE_XML,
	  "<a>&#160;&#8217;&#8230;&#233;&#8364;</a>" },
	{ "XML's five kept",
	  "<a>&amp;&lt;&gt;&quot;&apos;&amp;amp;</a>", 0, DECODE_XML,
	  "<a>&amp;&lt;&gt;&quot;&apos;&amp;amp;</a>" },
	{ "unknown entity kept as text",
	  "<a>&foo; &x.y-z;</a>", 0, DECODE_XML,
	  "<a>&amp;foo; &amp;x.y-z;</a>" },
	{ "character references read as browsers do",
	  "<a>&#146;&#X41;&#0;&#xD800;&#65;&#x20AC;&#1114112;</a>", 0,
	  DECODE_XML,
	  "<a>&#8217;&#65;&#65533;&#65533;&#65;&#x20AC;&#65533;</a>" },
	{ "references as long as the scan goes, at any split",
	  "<a>&#xffffffffffff1;&#0000000000041; &#00000000000041;"
	  "&a23456789012345678901234567890123456789012345678901234567890123;"
	  "</a>", 0, DECODE_XML,
	  "<a>&#65533;&#0000000000041; &#00000000000041;"
	  "&a23456789012345678901234567890123456789012345678901234567890123;"
	  "</a>" },
	{ "not references: escaped",
	  "<a>&#; &#x; &#12 &1; & ;</a>", 0, DECODE_XML,
	  "<a>&amp;#; &amp;#x; &amp;#12 &amp;1; &amp; ;</a>" },
	/* (In a declaration too: the pre-pass does not tell.) */
	{ "declared plain-text entities expanded",
	  "<!DOCTYPE a [<!ENTITY who 'Jo \"J\" Doe'><!ENTITY n \"&who;\">"
	  "<!ENTITY ext SYSTEM \"file:///etc/passwd\">]>"
	  "<a>&who; &n; &ext;</a>", 0, DECODE_XML,
	  "<!DOCTYPE a [<!ENTITY who 'Jo \"J\" Doe'><!ENTITY n \"Jo "
	  "&#34;J&#34; Doe\">"
	  "<!ENTITY ext SYSTEM \"file:///etc/passwd\">]>"
	  "<a>Jo &#34;J&#34; Doe &amp;n; &amp;ext;</a>" },

	/* Formats. */
	{ "JSON, repaired, whole",
	  " \n{\"title\": \"caf\xe9 & \x01\"}", 0, DECODE_JSON,
	  "{\"title\": \"caf\xc3\xa9 & \"}" },
	{ "JSON after a UTF-8 BOM",
	  "\xef\xbb\xbf{}", 0, DECODE_JSON, "{}" },
	{ "HTML page", "\n<!DOCTYPE html><html></html>", 0, DECODE_HTML,
	  NULL },
	{ "HTML page, lower case", "<!doctype html>", 0, DECODE_HTML, NULL },
	{ "nothing but white space", " \t\r\n ", 0, DECODE_EMPTY, NULL },
	{ "nothing at all", "", 0, DECODE_EMPTY, NULL },
	{ "a few bytes", "<a", 0, DECODE_XML, "<a" },
};

/* Each case whole, then split at every point and byte by byte. */
static void
test_cases(void)
{
	struct out		 o;
	enum decode_format	 f;
	char			 what[256];
	size_t			 i, k, len, *cuts;
	int			 ok;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].in);
		f = run(cases[i].in, len, NULL, 0, &o);
		snprintf(what, sizeof what, "%s: format", cases[i].what);
		tap_is_int(f, cases[i].format, what);
		snprintf(what, sizeof what, "%s: text", cases[i].what);
		if (cases[i].out != NULL)
			tap_is_str(o.b.data, cases[i].out, what);
		else
			tap_is_int(o.calls, 0, what);
		snprintf(what, sizeof what, "%s: final on the last call only",
		    cases[i].what);
		tap_ok(run_ok(&o, f, cases[i].format, cases[i].out), what);
		buf_free(&o.b);

		for (k = 0, ok = 1; k <= len && ok; k++) {
			f = run(cases[i].in, len, &k, 1, &o);
			ok = run_ok(&o, f, cases[i].format, cases[i].out);
			if (!ok)
				printf("#   split at %zu: format %d, \"%s\"\n",
				    k, f, o.b.data);
			buf_free(&o.b);
		}
		snprintf(what, sizeof what, "%s: same split at any point",
		    cases[i].what);
		tap_ok(ok, what);

		cuts = xcalloc(len + 1, sizeof *cuts);
		for (k = 0; k < len; k++)
			cuts[k] = k;
		f = run(cases[i].in, len, cuts, len, &o);
		snprintf(what, sizeof what, "%s: same byte by byte",
		    cases[i].what);
		if (!tap_ok(run_ok(&o, f, cases[i].format, cases[i].out),
		    what))
			printf("#   got: format %d, \"%s\"\n", f, o.b.data);
		buf_free(&o.b);
		free(cuts);
	}
}

/*
 * A long document: the eight-byte scans and the carries over pushes of
 * 1 to 9 bytes, with a reference, a CDATA section and a character cut
 * everywhere in turn.
 */
static void
test_long(void)
{
	struct buf	 doc = { NULL, 0, 0 }, want = { NULL, 0, 0 };
	struct out	 o;
	size_t		*cuts, n, k, step;
	int		 i, ok = 1;

	for (i = 0; i < 40; i++) {
		buf_adds(&doc, "<p>some text, caf\xe9, \xe2\x80\x94 & ");
		buf_adds(&doc, "&hellip;<![CDATA[a&b]]><!--&--></p>\n");
		buf_adds(&want, "<p>some text, caf\xc3\xa9, \xe2\x80\x94 ");
		buf_adds(&want, "&amp; ");
		buf_adds(&want, "&#8230;<![CDATA[a&b]]><!--&--></p>\n");
	}
	cuts = xcalloc(doc.len + 1, sizeof *cuts);
	for (step = 1; step <= 9; step++) {
		for (n = 0, k = step; k < doc.len; k += step)
			cuts[n++] = k;
		run(doc.data, doc.len, cuts, n, &o);
		if (strcmp(o.b.data, want.data) != 0) {
			printf("#   %zu-byte pushes differ\n", step);
			ok = 0;
		}
		buf_free(&o.b);
	}
	tap_ok(ok, "long document: same text in pushes of 1 to 9 bytes");
	free(cuts);
	buf_free(&doc);
	buf_free(&want);
}

/* The UTF-8 helpers parse.c and jsonfeed.c use. */
static void
test_utf8(void)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*s;

	tap_is_int(decode_utf8_repair(&b, "ab\xe2\x82", 4, 0), 2,
	    "repair: an incomplete sequence waits unless final");
	tap_is_str(b.data, "ab", "repair: the complete part");
	buf_reset(&b);
	tap_is_int(decode_utf8_repair(&b, "ab\xe2\x82", 4, 1), 4,
	    "repair: final takes all");
	tap_is_str(b.data, "ab\xc3\xa2\xe2\x80\x9a",
	    "repair: final reads the rest as Windows-1252");
	buf_reset(&b);
	buf_adds(&b, "x\xc3\xa9\xe2\x80");
	decode_utf8_cut(&b);
	tap_is_str(b.data, "x\xc3\xa9", "cut: incomplete tail removed");
	decode_utf8_cut(&b);
	tap_is_str(b.data, "x\xc3\xa9", "cut: complete text kept");
	buf_reset(&b);
	decode_put_utf8(&b, 0x41);
	decode_put_utf8(&b, 0xe9);
	decode_put_utf8(&b, 0x20ac);
	decode_put_utf8(&b, 0x1f600);
	tap_is_str(b.data, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	    "put: one to four bytes");
	buf_free(&b);
	s = decode_utf8_copy("near '\xe2\x80'");
	tap_is_str(s, "near '\xc3\xa2\xe2\x82\xac'",
	    "copy: a quote cut inside a character");
	free(s);
}

/* Run every group of checks. */
int
main(void)
{
	log_init("test_decode", 0, 0);
	test_cases();
	test_long();
	test_utf8();
	return (tap_done());
}
