/*
 * test_parse.c: the streaming parser through its API (parse.c and the
 * JSON Feed input of jsonfeed.c).  Every fixture in tests/data/parse must
 * give the same items and meta whether pushed whole, byte by byte or in odd
 * chunks (so chunk boundaries fall inside multibyte characters, tags,
 * entities and CDATA markers); meta hints, id fallback rules, hash
 * stability, caps and error causes are checked against values written by
 * hand from the documents.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "tap.h"

/* What a parse produced, flattened to text for comparison. */
struct result {
	struct buf	 items;
	int		 n;
	char		*ids[16];
	char		*titles[16];
	int		 ntags[16];
	int64_t		 published[16];
	int		 badtitles;	/* titles (items, feed) not one line */
};

/* Append one string field. */
static void
add_field(struct buf *b, const char *k, const char *v)
{
	buf_printf(b, "%s=%s\n", k, v != NULL ? v : "(null)");
}

/* Whether a title (or NULL) is one trimmed line, as every title must be. */
static int
one_line(const char *t)
{
	size_t	len;

	if (t == NULL)
		return (1);
	len = strlen(t);
	return (strpbrk(t, "\n\r\t") == NULL && (len == 0 ||
	    (t[0] != ' ' && t[len - 1] != ' ')));
}

/* Item callback: record everything about the item. */
static void
record_cb(const struct feed_item *it, void *arg)
{
	struct result	*r = arg;
	size_t		 i;

	buf_printf(&r->items, "-- item %d\n", r->n);
	add_field(&r->items, "id", it->id);
	add_field(&r->items, "guid", it->guid);
	add_field(&r->items, "url", it->url);
	add_field(&r->items, "external_url", it->external_url);
	add_field(&r->items, "title", it->title);
	add_field(&r->items, "content_html", it->content_html);
	add_field(&r->items, "content_text", it->content_text);
	add_field(&r->items, "summary", it->summary);
	add_field(&r->items, "image", it->image);
	buf_printf(&r->items, "dates=%lld %lld\n", (long long)it->published,
	    (long long)it->modified);
	for (i = 0; i < it->nauthors; i++) {
		add_field(&r->items, "author.name", it->authors[i].name);
		add_field(&r->items, "author.url", it->authors[i].url);
		add_field(&r->items, "author.email", it->authors[i].email);
	}
	for (i = 0; i < it->ntags; i++)
		add_field(&r->items, "tag", it->tags[i]);
	if (!one_line(it->title))
		r->badtitles++;
	for (i = 0; i < it->nattachments; i++) {
		add_field(&r->items, "att.url", it->attachments[i].url);
		add_field(&r->items, "att.type", it->attachments[i].mime_type);
		buf_printf(&r->items, "att=%lld %lld\n",
		    (long long)it->attachments[i].size,
		    (long long)it->attachments[i].duration);
	}
	if (r->n < 16) {
		r->ids[r->n] = xstrdup(it->id);
		r->titles[r->n] = it->title != NULL ? xstrdup(it->title) : NULL;
		r->ntags[r->n] = (int)it->ntags;
		r->published[r->n] = it->published;
	}
	r->n++;
}

/* Free a result. */
static void
result_free(struct result *r)
{
	int	i;

	buf_free(&r->items);
	for (i = 0; i < r->n && i < 16; i++) {
		free(r->ids[i]);
		free(r->titles[i]);
	}
	memset(r, 0, sizeof *r);
}

/* Flatten the meta to text. */
static void
meta_text(struct buf *b, const struct feed_meta *m)
{
	size_t	i;

	buf_printf(b, "format=%d\n", (int)m->format);
	add_field(b, "title", m->title);
	add_field(b, "home", m->home_page_url);
	add_field(b, "feed_url", m->feed_url);
	add_field(b, "description", m->description);
	add_field(b, "icon", m->icon);
	add_field(b, "language", m->language);
	for (i = 0; i < m->nauthors; i++)
		add_field(b, "author", m->authors[i].name);
	buf_printf(b, "ttl=%lld period=%lld hours=%x days=%x nitems=%zu\n",
	    (long long)m->ttl, (long long)m->update_period, m->skip_hours,
	    m->skip_days, m->nitems);
}

/*
 * Parse doc pushing chunk bytes at a time (0: all at once); fill r, the
 * meta text and the cause.  Returns parser_finish()'s result.
 */
static int
parse_doc(const char *doc, size_t len, size_t chunk, const char *base,
    struct result *r, struct buf *meta, char **cause)
{
	struct parser	*p;
	size_t		 off, n;
	int		 rc;

	memset(r, 0, sizeof *r);
	p = parser_new(base, record_cb, r);
	if (chunk == 0)
		chunk = len;
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		if (parser_push(p, doc + off, n) != 0)
			break;
	}
	rc = parser_finish(p, cause);
	if (!one_line(parser_meta(p)->title))
		r->badtitles++;
	if (meta != NULL)
		meta_text(meta, parser_meta(p));
	parser_free(p);
	return (rc);
}

/* Read a whole file. */
static char *
read_file(const char *path, size_t *len)
{
	FILE	*f;
	char	*s;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = xmalloc((size_t)n + 1);
	*len = fread(s, 1, (size_t)n, f);
	s[*len] = '\0';
	fclose(f);
	return (s);
}

/* Every fixture: whole == byte by byte == odd chunks; and its format. */
static void
test_chunking(const char *dir)
{
	static const struct {
		const char	*file;
		enum feed_format format;
		int		 nitems;
	} fx[] = {
		{ "rss20-news.xml", FEED_RSS20, 2 },
		{ "rss20-podcast.xml", FEED_RSS20, 3 },
		{ "rss20-entities.xml", FEED_RSS20, 5 },
		{ "rss20-sloppy.xml", FEED_RSS20, 2 },
		{ "rss091.xml", FEED_RSS091, 2 },
		{ "rss092.xml", FEED_RSS092, 1 },
		{ "rss090.rdf", FEED_RSS090, 2 },
		{ "rss10.rdf", FEED_RSS10, 2 },
		{ "atom10.xml", FEED_ATOM10, 3 },
		{ "atom10-youtube.xml", FEED_ATOM10, 1 },
		{ "atom03.xml", FEED_ATOM03, 3 },
		{ "jsonfeed10.json", FEED_JSON10, 1 },
		{ "jsonfeed11.json", FEED_JSON11, 2 },
		{ "latin1-as-utf8.xml", FEED_RSS20, 2 },
		{ "windows-1252.xml", FEED_RSS20, 1 },
		{ "iso-8859-1-cp1252.xml", FEED_RSS20, 1 },
		{ "latin1-declared-utf8.xml", FEED_RSS20, 1 },
		{ "shift_jis.xml", FEED_RSS20, 1 },
		{ "koi8-r.xml", FEED_RSS20, 1 },
		{ "bom-utf8.xml", FEED_RSS20, 1 },
		{ "utf16le.xml", FEED_RSS20, 1 },
	};
	static const size_t chunks[] = { 1, 2, 3, 5, 7, 64, 1000 };
	struct result	 whole, part;
	struct buf	 m1 = { NULL, 0, 0 }, m2 = { NULL, 0, 0 };
	char		 what[256], *path, *doc, *cause;
	size_t		 i, j, len;
	int		 rc;

	for (i = 0; i < sizeof fx / sizeof fx[0]; i++) {
		xasprintf(&path, "%s/%s", dir, fx[i].file);
		doc = read_file(path, &len);
		free(path);
		if (doc == NULL) {
			snprintf(what, sizeof what, "read %s", fx[i].file);
			tap_ok(0, what);
			continue;
		}
		buf_reset(&m1);
		rc = parse_doc(doc, len, 0, "http://example.com/", &whole, &m1,
		    &cause);
		snprintf(what, sizeof what, "%s: parses", fx[i].file);
		tap_is_str(cause, NULL, what);
		free(cause);
		snprintf(what, sizeof what, "%s: finish returns 0", fx[i].file);
		tap_is_int(rc, 0, what);
		snprintf(what, sizeof what, "%s: format", fx[i].file);
		tap_is_int(parser_format_name(fx[i].format) != NULL &&
		    strstr(m1.data, "format=") != NULL ?
		    strtol(strstr(m1.data, "format=") + 7, NULL, 10) : -1,
		    fx[i].format, what);
		snprintf(what, sizeof what, "%s: %d items", fx[i].file,
		    fx[i].nitems);
		tap_is_int(whole.n, fx[i].nitems, what);
		for (j = 0; j < sizeof chunks / sizeof chunks[0]; j++) {
			buf_reset(&m2);
			parse_doc(doc, len, chunks[j], "http://example.com/",
			    &part, &m2, &cause);
			free(cause);
			snprintf(what, sizeof what,
			    "%s: items same in %zu-byte chunks", fx[i].file,
			    chunks[j]);
			tap_is_str(part.items.data, whole.items.data, what);
			snprintf(what, sizeof what,
			    "%s: meta same in %zu-byte chunks", fx[i].file,
			    chunks[j]);
			tap_is_str(m2.data, m1.data, what);
			result_free(&part);
		}
		result_free(&whole);
		free(doc);
	}
	buf_free(&m1);
	buf_free(&m2);
}

/*
 * Every file in tests/data/hostile, however malformed, gives the same
 * items and the same error message (its position aside) whole, byte by
 * byte and in 7-byte chunks, and titles (feed and items) of one trimmed
 * line.
 */
static void
test_hostile_chunking(const char *dir)
{
	static const size_t chunks[] = { 1, 7 };
	struct result	 whole, part;
	struct dirent	*de;
	DIR		*d;
	char		 what[512], *path, *doc, *c1, *c2;
	const char	*m1, *m2;
	size_t		 j, len;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL) {
		tap_ok(0, "hostile: open the directory");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		doc = read_file(path, &len);
		free(path);
		if (doc == NULL || len > 1024 * 1024) {
			free(doc);
			continue;
		}
		n++;
		parse_doc(doc, len, 0, NULL, &whole, NULL, &c1);
		snprintf(what, sizeof what,
		    "hostile %s: titles are one trimmed line", de->d_name);
		tap_is_int(whole.badtitles, 0, what);
		for (j = 0; j < sizeof chunks / sizeof chunks[0]; j++) {
			parse_doc(doc, len, chunks[j], NULL, &part, NULL, &c2);
			snprintf(what, sizeof what,
			    "hostile %s: same items in %zu-byte chunks",
			    de->d_name, chunks[j]);
			tap_is_str(part.items.data, whole.items.data, what);
			m1 = c1 != NULL && strstr(c1, ": ") != NULL ?
			    strstr(c1, ": ") : c1;
			m2 = c2 != NULL && strstr(c2, ": ") != NULL ?
			    strstr(c2, ": ") : c2;
			snprintf(what, sizeof what,
			    "hostile %s: same error in %zu-byte chunks",
			    de->d_name, chunks[j]);
			tap_is_str(m2, m1, what);
			free(c2);
			result_free(&part);
		}
		free(c1);
		result_free(&whole);
		free(doc);
	}
	closedir(d);
	tap_ok(n >= 10, "hostile: fixtures found");
}

/* Parse a string whole; the caller frees r. */
static int
parse_str(const char *doc, struct result *r, struct buf *meta,
    char **cause)
{
	return (parse_doc(doc, strlen(doc), 0, "http://example.com/dir/", r,
	    meta, cause));
}

/* Meta: ttl, sy:updatePeriod/Frequency, feed_url, skipHours/skipDays. */
static void
test_meta(void)
{
	struct parser		*p;
	struct result		 r;
	const struct feed_meta	*m;
	const char		*doc =
	    "<?xml version=\"1.0\"?>\n"
	    "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\""
	    " xmlns:s=\"http://purl.org/rss/1.0/modules/syndication/\">"
	    "<channel><title>T</title>"
	    "<atom:link rel=\"self\" href=\"../feed.xml\"/>"
	    "<ttl>45</ttl><s:updatePeriod>daily</s:updatePeriod>"
	    "<s:updateFrequency>3</s:updateFrequency>"
	    "<skipHours><hour>0</hour><hour>6</hour><hour>24</hour>"
	    "<hour>x</hour></skipHours>"
	    "<skipDays><day>Monday</day><day>Saturday</day></skipDays>"
	    "<item><title>a</title></item></channel></rss>";
	char			*cause;

	memset(&r, 0, sizeof r);
	p = parser_new("http://example.com/dir/index.xml", record_cb, &r);
	tap_is_int(parser_push(p, doc, strlen(doc)), 0, "meta: push");
	tap_is_int(parser_finish(p, &cause), 0, "meta: finish");
	m = parser_meta(p);
	tap_is_int(m->format, FEED_RSS20, "meta: RSS 2.0");
	tap_is_str(parser_format_name(m->format), "RSS 2.0",
	    "meta: format name");
	tap_is_int(m->ttl, 45 * 60, "meta: ttl 45 min in seconds");
	tap_is_int(m->update_period, 86400 / 3,
	    "meta: update period daily/3");
	tap_is_str(m->feed_url, "http://example.com/feed.xml",
	    "meta: rel=self resolved against the document URL");
	tap_is_int(m->skip_hours, (1 << 0) | (1 << 6),
	    "meta: skipHours 0, 6 and 24 (= 0)");
	tap_is_int(m->skip_days, (1 << 1) | (1 << 6),
	    "meta: skipDays Monday, Saturday");
	tap_is_int((int64_t)m->nitems, 1, "meta: nitems");
	parser_free(p);
	result_free(&r);

	/* Hourly without a frequency: one hour. */
	p = parser_new(NULL, record_cb, &r);
	doc = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-"
	    "ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:sy=\"http://purl."
	    "org/rss/1.0/modules/syndication/\"><channel><title>x</title>"
	    "<sy:updatePeriod>hourly</sy:updatePeriod></channel></rdf:RDF>";
	parser_push(p, doc, strlen(doc));
	tap_is_int(parser_finish(p, NULL), 0, "meta: RSS 1.0 finish");
	tap_is_int(parser_meta(p)->update_period, 3600,
	    "meta: hourly is 3600 s");
	tap_is_int(parser_meta(p)->ttl, 0, "meta: no ttl is 0");
	tap_is_int(parser_meta(p)->format, FEED_RSS10, "meta: RSS 1.0");
	parser_free(p);
	result_free(&r);
}

/* Ids: guid, else link, else a stable "hash:" of title+date+content. */
static void
test_ids(void)
{
	struct result	 r, r2;
	struct feed_item it;
	char		*cause, key[32];
	const char	*doc =
	    "<rss version=\"2.0\"><channel>"
	    "<item><guid isPermaLink=\"false\">g-1</guid>"
	    "<link>http://example.com/1</link></item>"
	    "<item><link>/2</link><title>Zwei</title></item>"
	    "<item><title>Ohne Kennung</title>"
	    "<pubDate>Tue, 03 Oct 2017 19:31:00 GMT</pubDate>"
	    "<description>&lt;p&gt;Text&lt;/p&gt;</description></item>"
	    "<item><guid>http://example.com/perma</guid></item>"
	    "<item><guid isPermaLink=\"false\">http://example.com/np</guid>"
	    "</item>"
	    "</channel></rss>";
	const char	*doc2 =
	    "<rss version=\"2.0\"><channel>"
	    "<item><title>Ohne Kennung</title>"
	    "<pubDate>Tue, 03 Oct 2017 19:31:00 GMT</pubDate>"
	    "<description>&lt;p&gt;Anders&lt;/p&gt;</description></item>"
	    "</channel></rss>";

	tap_is_int(parse_str(doc, &r, NULL, &cause), 0, "ids: parses");
	free(cause);
	tap_is_int(r.n, 5, "ids: five items");
	tap_is_str(r.ids[0], "g-1", "ids: guid wins over link");
	tap_is_str(r.ids[1], "http://example.com/2",
	    "ids: no guid, the resolved link");
	/* FNV-1a 64 of "Ohne Kennung\0" "1507059060\0" "<p>Text</p>". */
	tap_is_str(r.ids[2], "hash:60633db534a2e264",
	    "ids: neither: hash of title, date and content");
	tap_is_int(r.published[2], 1507059060, "ids: the date parsed");
	tap_is_str(r.ids[3], "http://example.com/perma",
	    "ids: permalink guid");
	tap_ok(strstr(r.items.data, "url=http://example.com/perma\n") !=
	    NULL, "ids: a permalink guid with no link gives the url");
	tap_ok(strstr(r.items.data, "url=http://example.com/np\n") == NULL,
	    "ids: isPermaLink=false gives no url");

	/* Same document again: same hash; other content: other hash. */
	parse_str(doc, &r2, NULL, &cause);
	free(cause);
	tap_is_str(r2.ids[2], r.ids[2], "ids: hash stable across parses");
	result_free(&r2);
	parse_str(doc2, &r2, NULL, &cause);
	free(cause);
	tap_ok(r2.ids[0] != NULL && strncmp(r2.ids[0], "hash:", 5) == 0 &&
	    strcmp(r2.ids[0], r.ids[2]) != 0,
	    "ids: different content, different hash");
	result_free(&r2);
	result_free(&r);

	/* The rule is item_key()'s, which the store uses too. */
	memset(&it, 0, sizeof it);
	it.title = "Ohne Kennung";
	it.published = 1507059060;
	it.modified = DATE_NONE;
	it.content_html = "<p>Text</p>";
	tap_is_str(item_key(&it, key, sizeof key), "hash:60633db534a2e264",
	    "item_key: title, date and content hashed");
	it.guid = "";
	it.url = "http://example.com/1";
	tap_is_str(item_key(&it, key, sizeof key), "http://example.com/1",
	    "item_key: an empty guid does not count, the link does");
	it.guid = "g-1";
	tap_is_str(item_key(&it, key, sizeof key), "g-1",
	    "item_key: the guid before the link");
	it.id = "set";
	tap_is_str(item_key(&it, key, sizeof key), "set",
	    "item_key: an id already set stays");
}

/*
 * Whether a cause matches a pattern: "*" stands for the column number
 * (which is libxml2's to count), and the pattern may be a prefix.
 */
static int
cause_is(const char *cause, const char *want)
{
	if (cause == NULL)
		return (0);
	for (; *want != '\0'; want++) {
		if (*want == '*') {
			if (*cause < '0' || *cause > '9')
				return (0);
			while (*cause >= '0' && *cause <= '9')
				cause++;
			continue;
		}
		if (*cause++ != *want)
			return (0);
	}
	return (1);
}

/* Errors: the cause is "LINE:COLUMN: message". */
static void
test_errors(void)
{
	static const struct {
		const char	*doc;
		const char	*cause;		/* prefix of the cause */
		const char	*what;
	} t[] = {
		{ "", "1:1: empty document", "empty" },
		{ "  \n\t ", "1:1: empty document", "blank" },
		{ "<!DOCTYPE html>\n<html><head><title>x</title></head></html>",
		    "1:1: not a feed: HTML document", "HTML page" },
		{ "\n <!doctype html><p>unclosed<br></body>",
		    "1:1: not a feed: HTML document", "lower-case doctype" },
		{ "<head><title>x</title></head><body>y</body>",
		    "1:*: not a feed: HTML document", "HTML without <html>" },
		{ "<HTML><BODY>hi</BODY></HTML>",
		    "1:*: not a feed: HTML document", "upper-case HTML" },
		{ "<?xml version=\"1.0\"?>\n<svg/>",
		    "2:*: not a feed: unknown root element <svg>",
		    "other XML" },
		{ "<rss version=\"2.0\"><channel><item><title>x",
		    "1:*: document is truncated", "truncated" },
		{ "just some text", "1:*: ", "garbage" },
		{ "{\"version\": \"https://jsonfeed.org/version/1.1\", "
		    "\"items\"",
		    "1:*: ", "truncated JSON" },
		{ "{\"a\": 1}", "1:1: not a feed: JSON without a JSON Feed "
		    "version", "JSON, not a feed" },
	};
	struct result	 r;
	char		 what[256], *cause;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		rc = parse_str(t[i].doc, &r, NULL, &cause);
		snprintf(what, sizeof what, "error %s: finish -1", t[i].what);
		tap_is_int(rc, -1, what);
		snprintf(what, sizeof what, "error %s: cause", t[i].what);
		if (!tap_ok(cause_is(cause, t[i].cause), what))
			printf("#   got:  %s\n#   want: %s...\n",
			    cause ? cause : "NULL", t[i].cause);
		free(cause);
		result_free(&r);
	}
}

/* Caps: nesting depth, list length, field size; push after an error. */
static void
test_caps(void)
{
	struct parser	*p;
	struct result	 r;
	struct buf	 b = { NULL, 0, 0 };
	char		*cause;
	int		 i;

	/* Deeper than PARSE_MAX_DEPTH: an error, not a crash. */
	buf_adds(&b, "<rss><channel>");
	for (i = 0; i < PARSE_MAX_DEPTH + 10; i++)
		buf_adds(&b, "<x>");
	/* Enough text after it that libxml2 is sure to have seen it. */
	for (i = 0; i < 70000; i++)
		buf_addc(&b, ' ');
	memset(&r, 0, sizeof r);
	p = parser_new(NULL, record_cb, &r);
	parser_push(p, b.data, b.len);
	tap_is_int(parser_push(p, "</x>", 4), -1,
	    "caps: push after a fatal error is -1");
	tap_is_int(parser_finish(p, &cause), -1, "caps: too deep fails");
	tap_ok(cause != NULL && strstr(cause, "deep") != NULL,
	    "caps: too deep says so");
	free(cause);
	parser_free(p);
	result_free(&r);

	/* More categories than PARSE_MAX_LIST: capped. */
	buf_reset(&b);
	buf_adds(&b, "<rss><channel><item><title>t</title>");
	for (i = 0; i < PARSE_MAX_LIST + 50; i++)
		buf_printf(&b, "<category>c%d</category>", i);
	buf_adds(&b, "</item></channel></rss>");
	tap_is_int(parse_str(b.data, &r, NULL, &cause), 0, "caps: list doc");
	free(cause);
	tap_is_int(r.ntags[0], PARSE_MAX_LIST, "caps: tags capped");
	result_free(&r);

	/* A title larger than PARSE_MAX_FIELD: cut, still valid UTF-8. */
	buf_reset(&b);
	buf_adds(&b, "<rss><channel><item><title>x");
	for (i = 0; i < PARSE_MAX_FIELD / 2 + 100; i++)
		buf_adds(&b, "\xc3\xa9");	/* two bytes, so the cap
						   falls inside one */
	buf_adds(&b, "</title></item></channel></rss>");
	tap_is_int(parse_str(b.data, &r, NULL, &cause), 0, "caps: big field");
	free(cause);
	tap_ok(r.titles[0] != NULL && strlen(r.titles[0]) <= PARSE_MAX_FIELD &&
	    strlen(r.titles[0]) > PARSE_MAX_FIELD - 8, "caps: field capped");
	tap_ok(r.titles[0] != NULL &&
	    (strlen(r.titles[0]) - 1) % 2 == 0 &&
	    ((unsigned char)r.titles[0][strlen(r.titles[0]) - 1]) == 0xa9,
	    "caps: cut on a character boundary");
	result_free(&r);
	buf_free(&b);
}

/* Text: encodings, entities, NULs, namespaces without declarations. */
static void
test_text(void)
{
	static const struct {
		const char	*doc;
		const char	*title;
		const char	*what;
	} t[] = {
		{ "<rss><channel><item><title>a\x00" "b\x01" "c</title>",
		    "abc", "NUL and C0 controls dropped" },
		{ "<rss><channel><item><title>\xff\xfe" "x</title>",
		    "\xc3\xbf\xc3\xbex", "stray bytes as Windows-1252" },
		{ "<rss><channel><item><title>\xe2\x82</title>",
		    "\xc3\xa2\xe2\x80\x9a", "cut-off UTF-8 as Windows-1252" },
		{ "<rss><channel><item><title>&hellip;&amp;amp;&#8212;</title>",
		    "\xe2\x80\xa6&\xe2\x80\x94", "HTML entity, double escape" },
		{ "<!DOCTYPE rss [<!ENTITY path \"C:\\d\\n\"><!ENTITY n "
		    "'it\"s'><!ENTITY % pe \"x\"><!ENTITY ext SYSTEM "
		    "\"file:///etc/passwd\"><!ENTITY nest \"&path;\">]>"
		    "<rss><channel><item><title>&path; &n; &ext; &nest;"
		    "</title>",
		    "C:\\d\\n it\"s &ext; &nest;",
		    "declared plain-text entities only" },
		{ "<rss><channel><item><title>A &foo; B &amp; C</title>",
		    "A &foo; B & C", "unknown entity kept as text" },
		{ "<rss><channel><item><title>&#146;&#X41;&#0;&#xD800;</title>",
		    "\xe2\x80\x99" "A" "\xef\xbf\xbd\xef\xbf\xbd",
		    "odd character references as browsers read them" },

		{ "<rss><channel><item><title><![CDATA[ a <i>b</i> ]]></title>",
		    "a b", "CDATA title with HTML" },
		{ "<rss><channel><item><title>Q&A</title>",
		    "Q&A", "bare ampersand kept" },
		{ "<?xml version=\"1.0\" encoding=\"bogus-42\"?><rss><channel>"
		    "<item><title>caf\xc3\xa9</title>", "caf\xc3\xa9",
		    "unknown encoding read as UTF-8" },
	};
	struct result	 r;
	struct buf	 b = { NULL, 0, 0 };
	char		 what[256], *cause;
	size_t		 i, len;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		/* The first case holds a NUL: its length is explicit. */
		len = i == 0 ? sizeof "<rss><channel><item><title>a\x00"
		    "b\x01" "c</title>" - 1 : strlen(t[i].doc);
		buf_reset(&b);
		buf_add(&b, t[i].doc, len);
		buf_adds(&b, "</item></channel></rss>");
		parse_doc(b.data, b.len, 0, NULL, &r, NULL, &cause);
		free(cause);
		snprintf(what, sizeof what, "text: %s", t[i].what);
		tap_is_str(r.n > 0 ? r.titles[0] : "(no item)", t[i].title,
		    what);
		result_free(&r);
	}
	buf_free(&b);
}

/* Namespaces by URI, whatever the prefix; undeclared common prefixes. */
static void
test_namespaces(void)
{
	struct result	 r;
	char		*cause;
	const char	*doc =
	    "<rss version=\"2.0\" xmlns:x=\"http://purl.org/dc/elements/1.1/\""
	    " xmlns:dc=\"http://example.com/not-dc\"><channel><item>"
	    "<x:creator>Right</x:creator><dc:creator>Wrong</dc:creator>"
	    "<title>t</title></item></channel></rss>";
	const char	*doc3 =
	    "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">"
	    "<channel><item><title>t</title><enclosure url=\"http://e.com/"
	    "?a=1&amp;b=&eacute;\" type=\"audio/mpeg\"/>"
	    "<atom:link href=\"http://e.com/p?x=1&amp;y=2\"/>"
	    "</item></channel></rss>";
	const char	*doc4 =
	    "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/"
	    "1.1/\"><channel><item><title>t</title>"
	    "<dc:creator>Ann Lee &lt;ann@example.com&gt;</dc:creator>"
	    "</item><item><title>u</title>"
	    "<dc:creator>bo@example.com (Bo Ng)</dc:creator>"
	    "</item></channel></rss>";
	const char	*doc2 =
	    "<rss version=\"2.0\"><channel><item><title>t</title>"
	    "<dc:creator>Undeclared</dc:creator>"
	    "<media:thumbnail url=\"http://example.com/t.jpg\"/>"
	    "</item></channel></rss>";

	parse_str(doc3, &r, NULL, &cause);
	free(cause);
	tap_ok(strstr(r.items.data, "att.url=http://e.com/?a=1&b=\xc3\xa9\n")
	    != NULL, "attr: &amp; and an HTML entity in an attribute value");
	tap_ok(strstr(r.items.data, "url=http://e.com/p?x=1&y=2\n") != NULL,
	    "attr: Atom link href with &amp;");
	result_free(&r);

	parse_str(doc4, &r, NULL, &cause);
	free(cause);
	tap_ok(strstr(r.items.data, "author.name=Ann Lee\n") != NULL &&
	    strstr(r.items.data, "author.email=ann@example.com\n") != NULL,
	    "dc:creator \"Name <mail>\": name and address apart");
	tap_ok(strstr(r.items.data, "author.name=Bo Ng\n") != NULL &&
	    strstr(r.items.data, "author.email=bo@example.com\n") != NULL,
	    "dc:creator \"mail (Name)\": name and address apart");
	result_free(&r);

	parse_str(doc, &r, NULL, &cause);
	free(cause);
	tap_ok(strstr(r.items.data, "author.name=Right\n") != NULL &&
	    strstr(r.items.data, "Wrong") == NULL,
	    "ns: matched by URI, not prefix");
	result_free(&r);
	parse_str(doc2, &r, NULL, &cause);
	free(cause);
	tap_ok(strstr(r.items.data, "author.name=Undeclared\n") != NULL,
	    "ns: undeclared dc: prefix understood");
	tap_ok(strstr(r.items.data, "image=http://example.com/t.jpg\n") !=
	    NULL, "ns: undeclared media: prefix understood");
	result_free(&r);
}

/*
 * iTunes: itunes:category text= (nested too) as item tags, itunes:image
 * with url= instead of href=, the old itunes:link rel="image".
 */
static void
test_itunes(void)
{
	struct result	 r;
	struct buf	 meta = { NULL, 0, 0 };
	char		*cause;
	const char	*doc =
	    "<rss xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">"
	    "<channel><itunes:image url=\"http://a.b/c.png\"/>"
	    "<itunes:category text=\"Arts\"/>"
	    "<item><guid>1</guid><itunes:category text=\"Technology\">"
	    "<itunes:category text=\" Gadgets \"/></itunes:category>"
	    "<itunes:image url=\"http://a.b/i.png\"/></item>"
	    "<item><guid>2</guid><itunes:link rel=\"other\" "
	    "href=\"http://a.b/no.png\"/><itunes:link rel=\"image\" "
	    "href=\"http://a.b/l.png\"/></item></channel></rss>";

	parse_str(doc, &r, &meta, &cause);
	free(cause);
	tap_is_int(r.n, 2, "itunes: two items");
	tap_ok(strstr(r.items.data, "tag=Technology\ntag=Gadgets\n") != NULL,
	    "itunes: category and nested category are tags");
	tap_ok(strstr(r.items.data, "tag=Arts") == NULL,
	    "itunes: channel category is not an item tag");
	tap_ok(strstr(r.items.data, "image=http://a.b/i.png\n") != NULL,
	    "itunes: item image from url=");
	tap_ok(strstr(r.items.data, "image=http://a.b/l.png\n") != NULL &&
	    strstr(r.items.data, "no.png") == NULL,
	    "itunes: link rel=image is the image, other rels are not");
	tap_ok(meta.data != NULL &&
	    strstr(meta.data, "icon=http://a.b/c.png\n") != NULL,
	    "itunes: channel image from url= is the icon");
	result_free(&r);
	buf_free(&meta);
}

/* Append s base64-encoded. */
static void
b64_add(struct buf *b, const char *s, size_t n)
{
	static const char	 a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t		 v;
	size_t			 i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)(unsigned char)s[i] << 16 |
		    (uint32_t)(unsigned char)s[i + 1] << 8 |
		    (unsigned char)s[i + 2];
		buf_addc(b, a[v >> 18]);
		buf_addc(b, a[(v >> 12) & 63]);
		buf_addc(b, a[(v >> 6) & 63]);
		buf_addc(b, a[v & 63]);
	}
	if (i < n) {
		v = (uint32_t)(unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)s[i + 1] << 8;
		buf_addc(b, a[v >> 18]);
		buf_addc(b, a[(v >> 12) & 63]);
		buf_addc(b, i + 1 < n ? a[(v >> 6) & 63] : '=');
		buf_addc(b, '=');
	}
}

/*
 * Base64 content long enough to outgrow every buffer, ending in a byte
 * that is not UTF-8 (so the input goes through the repair buffer) and
 * followed by bare ampersands in the same push: decoding must not touch
 * the input still being fed.  Any chunking gives the same items.
 */
static void
test_base64_repair(void)
{
	static const size_t	 chunks[] = { 0, 1, 7, 4096 };
	struct buf		 doc = { NULL, 0, 0 }, body = { NULL, 0, 0 };
	struct result		 r;
	char			*cause, what[64];
	size_t			 i, n;

	buf_adds(&body, "<p>");
	for (n = 0; n < 50000; n++)
		buf_addc(&body, 'x');
	buf_adds(&body, "</p>");
	buf_adds(&doc, "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/"
	    "ns#\"><title>t</title><entry><id>1</id><content type=\"text/"
	    "html\" mode=\"base64\">");
	b64_add(&doc, body.data, body.len);
	buf_adds(&doc, "\xe9</content><title>Fish & Chips</title></entry>"
	    "<entry><id>2</id><title>A & B & C</title></entry></feed>");
	for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		parse_doc(doc.data, doc.len, chunks[i], NULL, &r, NULL,
		    &cause);
		free(cause);
		snprintf(what, sizeof what, "base64+repair, chunk %zu",
		    chunks[i]);
		tap_is_int(r.n, 2, what);
		tap_ok(r.n == 2 && strcmp(r.titles[0], "Fish & Chips") == 0 &&
		    strcmp(r.titles[1], "A & B & C") == 0, what);
		tap_ok(strstr(r.items.data, "content_html=<p>xxxxxxxxxx") !=
		    NULL && strstr(r.items.data, "xxxxxxxxxx</p>\n") != NULL,
		    what);
		result_free(&r);
	}
	buf_free(&doc);
	buf_free(&body);
}

/* Run every group of checks; the fixtures are found via $top_srcdir. */
int
main(void)
{
	const char	*top = getenv("top_srcdir");
	char		 dir[1024];

	log_init("test_parse", 0, 0);
	snprintf(dir, sizeof dir, "%s/tests/data/parse",
	    top != NULL ? top : "../..");
	test_chunking(dir);
	snprintf(dir, sizeof dir, "%s/tests/data/hostile",
	    top != NULL ? top : "../..");
	test_hostile_chunking(dir);
	test_meta();
	test_ids();
	test_errors();
	test_caps();
	test_text();
	test_namespaces();
	test_base64_repair();
	test_itunes();
	return (tap_done());
}
