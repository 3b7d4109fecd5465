/*
 * test_feedsfile.c: table tests for feedsfile.c (the line `feedctl add`
 * writes, read back through config.c's real parser; URL sameness; the
 * atomic append and comment-out edits) and for html.c's feed discovery
 * (<link rel="alternate"> of a page).
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedd.h"
#include "tap.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

/* A feed to write: URL, title, up to three tags, every=; the line wanted. */
static const struct {
	const char	*url;
	const char	*title;
	const char	*tags[3];
	int64_t		 every;
	const char	*want;
} lines[] = {
	{ "https://a.example/feed", NULL, { NULL }, 0,
	    "https://a.example/feed" },
	{ "https://a.example/feed", "Alpha", { "news", "tech" }, 0,
	    "https://a.example/feed news tech \"~Alpha\"" },
	{ "https://a.example/f", "Say \"hi\" \\o/", { "two words" }, 7200,
	    "https://a.example/f \"two words\" every=2h "
	    "\"~Say \\\"hi\\\" \\\\o/\"" },
	{ "https://a.example/f", "~tilde # not a comment", { "#hash",
	    "q\"uote" }, 0,
	    "https://a.example/f \"#hash\" \"q\\\"uote\" "
	    "\"~~tilde # not a comment\"" },
	{ "https://a.example/f", "tab\there", { "caf\xc3\xa9" }, 86400,
	    "https://a.example/f caf\xc3\xa9 every=1d \"~tab\\there\"" },
	{ "https://a.example/f?a=1&b=2", NULL, { "x" }, 0,
	    "https://a.example/f?a=1&b=2 x" },
};

/* Tags that cannot be written: they would read back as something else. */
static const char *badtags[] = { "~title", "every=2h", "" };

static const struct {
	const char	*a, *b;
	int		 same;
} urls[] = {
	{ "https://a.example/x", "https://a.example/x", 1 },
	{ "HTTPS://A.Example/x", "https://a.example/x", 1 },
	{ "https://a.example/x#top", "https://a.example/x", 1 },
	{ "https://a.example/X", "https://a.example/x", 0 },
	{ "https://a.example/x", "https://a.example/x/", 0 },
	{ "http://a.example/x", "https://a.example/x", 0 },
	{ "https://a.example:8080/x", "https://a.example/x", 0 },
};

/* A page and the feeds it links to, as "type url|..." in order. */
static const struct {
	const char	*html;
	const char	*base;
	const char	*want;
} pages[] = {
	{ "<html><head>"
	  "<link rel=\"alternate\" type=\"application/rss+xml\" "
	  "title=\"R\" href=\"/rss\">"
	  "<link rel=\"stylesheet\" href=\"s.css\">"
	  "<link rel=\"alternate\" type=\"text/html\" href=\"/en\">"
	  "<link rel=\"alternate\" type=\"application/atom+xml\" "
	  "href=\"atom.xml\">"
	  "<link rel=\"Alternate feed\" type=\"application/feed+json\" "
	  "href=\"https://other.example/f.json\">"
	  "<link rel=\"alternate\" type=\"application/rss+xml\" "
	  "href=\"/rss\">"
	  "</head></html>", "http://s.example/blog/post",
	  "application/rss+xml http://s.example/rss R|"
	  "application/atom+xml http://s.example/blog/atom.xml -|"
	  "application/feed+json https://other.example/f.json -|" },
	{ "<head><base href=\"http://cdn.example/x/\">"
	  "<LINK REL=alternate TYPE=\"application/rdf+xml; charset=utf-8\" "
	  "HREF=\"index.rdf\"></head>", "http://s.example/",
	  "application/rdf+xml http://cdn.example/x/index.rdf -|" },
	{ "<p>No head, <a href=\"/feed\">a link</a></p>", "http://s/", "" },
	{ "<link rel=\"alternate\" type=\"application/json\" href=\"\">",
	  "http://s/", "" },
};

int
main(void)
{
	struct feed_conf	 fc;
	struct config		*back;
	struct buf		 b = { NULL, 0, 0 }, got = { NULL, 0, 0 };
	struct html_link	*links;
	char			*cause, path[64], *what;
	size_t			 i, j, n;
	int			 lineno, fd;
	FILE			*fp;
	char			 text[512];

	for (i = 0; i < NITEMS(lines); i++) {
		memset(&fc, 0, sizeof fc);
		fc.url = (char *)lines[i].url;
		fc.title = (char *)lines[i].title;
		fc.tags = (char **)lines[i].tags;
		for (n = 0; n < 3 && lines[i].tags[n] != NULL; n++)
			;
		fc.ntags = n;
		fc.every = lines[i].every;
		fc.keep_items = -1;
		buf_reset(&b);
		cause = NULL;
		xasprintf(&what, "line %zu written", i);
		tap_ok(feedsfile_format(&b, &fc, &cause) == 0, what);
		free(what);
		xasprintf(&what, "line %zu as wanted", i);
		tap_is_str(b.data, lines[i].want, what);
		free(what);
		/* Read back by the real parser: the same feed. */
		back = config_parse_feed_line(b.data, &cause);
		xasprintf(&what, "line %zu reads back", i);
		if (!tap_ok(back != NULL && back->nfeeds == 1, what))
			printf("#   %s\n", cause != NULL ? cause : "");
		free(what);
		if (back == NULL || back->nfeeds != 1) {
			config_free(back);
			free(cause);
			continue;
		}
		xasprintf(&what, "line %zu: same URL", i);
		tap_is_str(back->feeds[0].url, lines[i].url, what);
		free(what);
		xasprintf(&what, "line %zu: same title", i);
		tap_is_str(back->feeds[0].title, lines[i].title, what);
		free(what);
		xasprintf(&what, "line %zu: same tags", i);
		tap_is_int((int64_t)back->feeds[0].ntags, (int64_t)n, what);
		free(what);
		for (j = 0; j < n && j < back->feeds[0].ntags; j++) {
			xasprintf(&what, "line %zu: tag %zu", i, j);
			tap_is_str(back->feeds[0].tags[j], lines[i].tags[j],
			    what);
			free(what);
		}
		xasprintf(&what, "line %zu: same every=", i);
		tap_is_int(back->feeds[0].every, lines[i].every, what);
		free(what);
		config_free(back);
	}
	for (i = 0; i < NITEMS(badtags); i++) {
		memset(&fc, 0, sizeof fc);
		fc.url = "https://a.example/";
		fc.tags = (char **)&badtags[i];
		fc.ntags = 1;
		fc.keep_items = -1;
		buf_reset(&b);
		cause = NULL;
		xasprintf(&what, "tag \"%s\" refused", badtags[i]);
		tap_ok(feedsfile_format(&b, &fc, &cause) == -1 &&
		    cause != NULL, what);
		free(what);
		free(cause);
	}

	for (i = 0; i < NITEMS(urls); i++) {
		xasprintf(&what, "%s %s %s", urls[i].a,
		    urls[i].same ? "is" : "is not", urls[i].b);
		tap_is_int(feedsfile_url_same(urls[i].a, urls[i].b),
		    urls[i].same, what);
		free(what);
	}

	/* Append: a newline ends the last line first; the rest stays. */
	snprintf(path, sizeof path, "/tmp/test_feedsfile.XXXXXX");
	fd = mkstemp(path);
	tap_ok(fd != -1, "temporary file");
	(void)write(fd, "# c\n\nhttps://x/ t", 17);
	fchmod(fd, 0640);
	close(fd);
	cause = NULL;
	tap_ok(feedsfile_append(path, "https://y/ \"~Y\"", &lineno,
	    &cause) == 0, "append");
	tap_is_int(lineno, 4, "appended as line 4");
	fp = fopen(path, "r");
	n = fp != NULL ? fread(text, 1, sizeof text - 1, fp) : 0;
	text[n] = '\0';
	if (fp != NULL)
		fclose(fp);
	tap_is_str(text, "# c\n\nhttps://x/ t\nhttps://y/ \"~Y\"\n",
	    "the file after the append");
	{
		struct stat sb;

		tap_ok(stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0640,
		    "the mode is kept");
	}
	tap_ok(feedsfile_comment(path, (int []){ 3 }, 1, "# gone: ",
	    &cause) == 0, "comment out line 3");
	fp = fopen(path, "r");
	n = fp != NULL ? fread(text, 1, sizeof text - 1, fp) : 0;
	text[n] = '\0';
	if (fp != NULL)
		fclose(fp);
	tap_is_str(text, "# c\n\n# gone: https://x/ t\nhttps://y/ \"~Y\"\n",
	    "the file after the comment-out");
	tap_ok(feedsfile_comment(path, (int []){ 9 }, 1, "# gone: ",
	    &cause) == -1 && cause != NULL, "no line 9: refused");
	free(cause);
	{
		char	prefix[64];
		int	y, mo, d, end = 0;

		/* The daemon's remove and feedctl's fallback write this. */
		feedsfile_removed_prefix(prefix, sizeof prefix);
		tap_ok(sscanf(prefix, "# removed by feedctl %4d-%2d-%2d: %n",
		    &y, &mo, &d, &end) == 3 && end == (int)strlen(prefix) &&
		    strlen(prefix) == 33 && y >= 2024 && mo >= 1 && mo <= 12 &&
		    d >= 1 && d <= 31, "the removed prefix: \"# removed by "
		    "feedctl YYYY-MM-DD: \"");
	}
	{
		int	*ul = NULL, nl;

		fp = fopen(path, "w");
		fputs("https://x/ a\n  \"HTTPS://X/#f\" b\n# https://x/\n"
		    "https://x/y\nhttps://x/", fp);
		fclose(fp);
		nl = feedsfile_url_lines(path, "https://x/", &ul, &cause);
		tap_is_int(nl, 3, "a URL's lines: quoted, fragment, no newline");
		tap_ok(nl == 3 && ul[0] == 1 && ul[1] == 2 && ul[2] == 5,
		    "lines 1, 2 and 5, not the comment nor /y");
		free(ul);
	}
	unlink(path);

	for (i = 0; i < NITEMS(pages); i++) {
		n = html_feed_links(pages[i].html, strlen(pages[i].html),
		    pages[i].base, &links);
		buf_reset(&got);
		buf_add(&got, "", 0);
		for (j = 0; j < n; j++)
			buf_printf(&got, "%s %s %s|", links[j].type,
			    links[j].url, links[j].title != NULL ?
			    links[j].title : "-");
		xasprintf(&what, "page %zu: its feed links", i);
		tap_is_str(got.data, pages[i].want, what);
		free(what);
		html_links_free(links, n);
	}
	buf_free(&b);
	buf_free(&got);
	return (tap_done());
}
