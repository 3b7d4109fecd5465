/*
 * fuzz_parse.c: libFuzzer target for the streaming feed parser (parse.c,
 * and jsonfeed.c behind it: a document whose first byte is '{' is JSON
 * Feed).  Built twice: as fuzz/fuzz_parse, and with -DFUZZ_JSONFEED as
 * fuzz/fuzz_jsonfeed, which only takes inputs that start with '{' so that
 * its corpus stays JSON.
 *
 * The input is the document, as served, so a crash reproducer can be fed
 * to `feedctl parse` as it is.  Each input is parsed twice: pushed whole,
 * then pushed in chunks whose sizes come from a generator seeded by a hash
 * of the input (which also decides whether there is a base URL).
 * Properties checked:
 * - both runs agree: the same result, the same feed metadata and the same
 *   items in the same order, field by field;
 * - every string handed out is strict UTF-8 with no NUL;
 * - every item has a non-empty id; titles are one trimmed line;
 * - lists stay within PARSE_MAX_LIST and fields within PARSE_MAX_FIELD.
 * ASan, UBSan and LeakSanitizer check the rest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "fuzz.h"

/* The base URL relative links resolve against. */
#define FUZZ_BASE	"https://example.org/blog/feed.xml"

/* A field may grow by escaping or U+FFFD; allow for that. */
#define FUZZ_MAX_FIELD	(4 * (size_t)PARSE_MAX_FIELD)

/* What one run saw: one serialised record per item. */
struct fuzz_run {
	struct buf	*items;
	size_t		 n;
	struct buf	 meta;
	int		 rc;
	char		*cause;
};

/* Append one string field as "name=<len>:value\n" (absent: "name=-\n"). */
static void
fuzz_field(struct buf *b, const char *what, const char *name, const char *s)
{
	size_t	len;

	if (s == NULL) {
		buf_printf(b, "%s=-\n", name);
		return;
	}
	len = strlen(s);
	if (len > FUZZ_MAX_FIELD)
		fuzz_fail("%s.%s: %zu bytes, over the field cap", what, name,
		    len);
	fuzz_check_utf8(name, s);
	buf_printf(b, "%s=%zu:", name, len);
	buf_add(b, s, len);
	buf_addc(b, '\n');
}

/* Append a list of people. */
static void
fuzz_people(struct buf *b, const char *what, const struct feed_person *a,
    size_t n)
{
	size_t	i;

	if (n > PARSE_MAX_LIST)
		fuzz_fail("%s: %zu authors, over PARSE_MAX_LIST", what, n);
	if (n > 0 && a == NULL)
		fuzz_fail("%s: %zu authors but no array", what, n);
	for (i = 0; i < n; i++) {
		fuzz_field(b, what, "author.name", a[i].name);
		fuzz_field(b, what, "author.url", a[i].url);
		fuzz_field(b, what, "author.email", a[i].email);
	}
}

/* Check one title: a single line, trimmed. */
static void
fuzz_title(const char *what, const char *t)
{
	size_t	len;

	if (t == NULL)
		return;
	len = strlen(t);
	if (strpbrk(t, "\n\r\t") != NULL)
		fuzz_fail("%s: title \"%.80s\" is not one line", what, t);
	if (len > 0 && (t[0] == ' ' || t[len - 1] == ' '))
		fuzz_fail("%s: title \"%.80s\" is not trimmed", what, t);
}

/* The item callback: check the item and record it. */
static void
fuzz_item_cb(const struct feed_item *it, void *arg)
{
	struct fuzz_run	*r = arg;
	struct buf	*b;
	size_t		 i;

	if (it->id == NULL || *it->id == '\0')
		fuzz_fail("item %zu: no id", r->n);
	fuzz_title("item", it->title);
	if (it->ntags > PARSE_MAX_LIST)
		fuzz_fail("item %zu: %zu tags", r->n, it->ntags);
	if (it->nattachments > PARSE_MAX_LIST)
		fuzz_fail("item %zu: %zu attachments", r->n,
		    it->nattachments);
	if ((it->ntags > 0 && it->tags == NULL) ||
	    (it->nattachments > 0 && it->attachments == NULL))
		fuzz_fail("item %zu: a count without an array", r->n);

	r->items = xreallocarray(r->items, r->n + 1, sizeof *r->items);
	b = &r->items[r->n++];
	memset(b, 0, sizeof *b);
	fuzz_field(b, "item", "id", it->id);
	fuzz_field(b, "item", "guid", it->guid);
	fuzz_field(b, "item", "url", it->url);
	fuzz_field(b, "item", "external_url", it->external_url);
	fuzz_field(b, "item", "title", it->title);
	fuzz_field(b, "item", "content_html", it->content_html);
	fuzz_field(b, "item", "content_text", it->content_text);
	fuzz_field(b, "item", "summary", it->summary);
	fuzz_field(b, "item", "image", it->image);
	buf_printf(b, "published=%lld\nmodified=%lld\n",
	    (long long)it->published, (long long)it->modified);
	fuzz_people(b, "item", it->authors, it->nauthors);
	for (i = 0; i < it->ntags; i++) {
		if (it->tags[i] == NULL)
			fuzz_fail("item %zu: tag %zu is NULL", r->n, i);
		fuzz_field(b, "item", "tag", it->tags[i]);
	}
	for (i = 0; i < it->nattachments; i++) {
		fuzz_field(b, "item", "att.url", it->attachments[i].url);
		fuzz_field(b, "item", "att.type",
		    it->attachments[i].mime_type);
		buf_printf(b, "att.size=%lld\natt.duration=%lld\n",
		    (long long)it->attachments[i].size,
		    (long long)it->attachments[i].duration);
	}
}

/* Record the feed's metadata after parser_finish(). */
static void
fuzz_meta(struct fuzz_run *r, const struct feed_meta *m)
{
	struct buf	*b = &r->meta;

	fuzz_title("feed", m->title);
	buf_printf(b, "format=%d\n", (int)m->format);
	fuzz_check_utf8("format name", parser_format_name(m->format));
	fuzz_field(b, "feed", "title", m->title);
	fuzz_field(b, "feed", "home_page_url", m->home_page_url);
	fuzz_field(b, "feed", "feed_url", m->feed_url);
	fuzz_field(b, "feed", "description", m->description);
	fuzz_field(b, "feed", "icon", m->icon);
	fuzz_field(b, "feed", "language", m->language);
	fuzz_people(b, "feed", m->authors, m->nauthors);
	buf_printf(b, "ttl=%lld\nupdate_period=%lld\nskip_hours=%lx\n"
	    "skip_days=%x\nnitems=%zu\n", (long long)m->ttl,
	    (long long)m->update_period, (unsigned long)m->skip_hours,
	    (unsigned int)m->skip_days, m->nitems);
	if (m->ttl < 0 || m->update_period < 0)
		fuzz_fail("feed: negative ttl or update period");
}

/*
 * Parse data against base (may be NULL), in one push (seed 0) or in chunks
 * drawn from the generator seeded with seed.
 */
static void
fuzz_run(struct fuzz_run *r, const uint8_t *data, size_t size, uint64_t seed,
    const char *base)
{
	struct parser	*p;
	size_t		 off = 0, n;
	uint64_t	 st = seed;

	memset(r, 0, sizeof *r);
	p = parser_new(base, fuzz_item_cb, r);
	if (seed == 0) {
		if (parser_push(p, (const char *)data, size) != 0)
			goto finish;
	} else {
		while (off < size) {
			/* Mostly tiny chunks; now and then a large one. */
			switch (fuzz_rand(&st) % 4) {
			case 0:
				n = 1;
				break;
			case 1:
			case 2:
				n = 1 + fuzz_rand(&st) % 16;
				break;
			default:
				n = 1 + fuzz_rand(&st) % 4096;
				break;
			}
			if (n > size - off)
				n = size - off;
			if (parser_push(p, (const char *)data + off, n) != 0)
				break;
			off += n;
		}
	}
finish:
	r->rc = parser_finish(p, &r->cause);
	if (r->rc != 0 && r->cause == NULL)
		fuzz_fail("parser_finish failed without a cause");
	if (r->rc == 0 && r->cause != NULL)
		fuzz_fail("parser_finish succeeded with a cause");
	fuzz_check_utf8("cause", r->cause);
	fuzz_meta(r, parser_meta(p));
	parser_free(p);
}

/* Free what a run recorded. */
static void
fuzz_run_free(struct fuzz_run *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		buf_free(&r->items[i]);
	free(r->items);
	buf_free(&r->meta);
	free(r->cause);
}

/* Do two records differ?  Print both when they do. */
static int
fuzz_differ(const char *what, const struct buf *a, const struct buf *b)
{
	if (a->len == b->len && (a->len == 0 ||
	    memcmp(a->data, b->data, a->len) == 0))
		return (0);
	fprintf(stderr, "%s differs:\n--- whole:\n%.*s--- chunked:\n%.*s",
	    what, (int)(a->len > 2000 ? 2000 : a->len),
	    a->data != NULL ? a->data : "",
	    (int)(b->len > 2000 ? 2000 : b->len),
	    b->data != NULL ? b->data : "");
	return (1);
}

/* Quiet the logs once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

/* One input: parse it whole and chunked, check and compare. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_run	 whole, chunked;
	uint64_t	 seed;
	size_t		 i;
	const char	*base;

#ifdef FUZZ_JSONFEED
	if (size == 0 || data[0] != '{')
		return (-1);
#endif
	/* One input in eight is parsed without a base URL. */
	seed = util_hash64(data, size, 0) | 1;
	base = (seed & 0xe) == 0 ? NULL : FUZZ_BASE;
	fuzz_run(&whole, data, size, 0, base);
	fuzz_run(&chunked, data, size, seed, base);

	if (whole.rc != chunked.rc)
		fuzz_fail("whole run returned %d (%s), chunked %d (%s)",
		    whole.rc, whole.cause != NULL ? whole.cause : "",
		    chunked.rc, chunked.cause != NULL ? chunked.cause : "");
	if (whole.n != chunked.n)
		fuzz_fail("whole run gave %zu items (%s), chunked %zu (%s)",
		    whole.n, whole.cause != NULL ? whole.cause : "ok",
		    chunked.n, chunked.cause != NULL ? chunked.cause : "ok");
	for (i = 0; i < whole.n; i++) {
		if (fuzz_differ("item", &whole.items[i], &chunked.items[i]))
			fuzz_fail("item %zu differs between runs", i);
	}
	if (fuzz_differ("feed", &whole.meta, &chunked.meta))
		fuzz_fail("feed metadata differs between runs");

	fuzz_run_free(&whole);
	fuzz_run_free(&chunked);
	return (0);
}
