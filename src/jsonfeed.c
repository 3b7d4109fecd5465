/*
 * jsonfeed.c: JSON Feed 1.0/1.1 input (called by parse.c when a document
 * starts with '{'), and `feedctl parse`, which prints any feed as JSON
 * Feed 1.1 while it is parsed: channel keys first, then each item as its
 * callback arrives, then any feed keys the document gave only after its
 * items (JSON key order is free).
 */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "feedd.h"

#define JSONFEED_VERSION	"https://jsonfeed.org/version/1.1"
#define JSONFEED_CHUNK		(64 * 1024)

/* First flagged byte of a little-endian word (else: start at the word). */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JSONFEED_CTZ64(v)	__builtin_ctzll(v)
#else
#define JSONFEED_CTZ64(v)	0
#endif

/* ---------------------------------------------------------------- */
/* Input. */

/* A string member, trimmed and capped, as a new string; or NULL. */
static char *
jsonfeed_str(json_t *o, const char *key)
{
	json_t		*v = json_object_get(o, key);
	const char	*s;
	char		*t, *r;
	size_t		 len;

	if (json_is_integer(v)) {
		xasprintf(&r, "%lld", (long long)json_integer_value(v));
		return (r);
	}
	if (!json_is_string(v))
		return (NULL);
	s = json_string_value(v);
	len = json_string_length(v);
	if (len > PARSE_MAX_FIELD) {
		len = PARSE_MAX_FIELD;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	t = xstrndup(s, len);
	r = xstrdup(util_trim(t));
	free(t);
	if (*r == '\0') {
		free(r);
		return (NULL);
	}
	return (r);
}

/*
 * A title member as one line of plain text, or NULL.  With html, markup in
 * it is read as HTML (feeds put it in item titles).
 */
static char *
jsonfeed_title(json_t *o, const char *key, int html)
{
	char	*t, *s;

	if ((t = jsonfeed_str(o, key)) == NULL)
		return (NULL);
	if (html && strpbrk(t, "<&") != NULL) {
		s = html_to_text(t, strlen(t), HTML_TEXT_INLINE);
		if (*s != '\0') {
			free(t);
			t = s;
		} else
			free(s);
	}
	if (item_fold(t) == 0) {
		free(t);
		return (NULL);
	}
	return (t);
}

/* A URL member, resolved against the document URL. */
static char *
jsonfeed_url(struct parser *p, json_t *o, const char *key)
{
	char	*s, *r;

	if ((s = jsonfeed_str(o, key)) == NULL)
		return (NULL);
	r = parser_resolve(p, s);
	free(s);
	return (r);
}

/* Read "authors" (1.1) or "author" (1.0) into a list. */
static void
jsonfeed_authors(struct parser *p, json_t *o, struct feed_person **list,
    size_t *n)
{
	json_t	*a, *one;
	size_t	 i;

	if ((a = json_object_get(o, "authors")) == NULL ||
	    !json_is_array(a)) {
		if ((one = json_object_get(o, "author")) == NULL ||
		    !json_is_object(one))
			return;
		a = NULL;
	}
	for (i = 0; a == NULL ? i < 1 : i < json_array_size(a); i++) {
		if (*n >= PARSE_MAX_LIST)
			break;
		if (a != NULL)
			one = json_array_get(a, i);
		if (!json_is_object(one))
			continue;
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[*n].name = jsonfeed_str(one, "name");
		(*list)[*n].url = jsonfeed_url(p, one, "url");
		(*list)[*n].email = NULL;
		if ((*list)[*n].name == NULL && (*list)[*n].url == NULL)
			continue;
		(*n)++;
	}
}

/* A date member, or DATE_NONE. */
static int64_t
jsonfeed_date(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);
	int64_t	 t;

	if (json_is_string(v) && date_parse(json_string_value(v), &t) == 0)
		return (t);
	return (DATE_NONE);
}

/* A non-negative number member, or -1. */
static int64_t
jsonfeed_num(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);
	double	 d;

	if (json_is_integer(v))
		return (json_integer_value(v) >= 0 ?
		    (int64_t)json_integer_value(v) : -1);
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d >= 0 && d < 9e18)
			return ((int64_t)d);
	}
	return (-1);
}

/* Deliver one JSON Feed item. */
static void
jsonfeed_item(struct parser *p, json_t *o, const struct feed_meta *m)
{
	struct feed_item	 it;
	struct feed_attachment	*a;
	json_t			*v, *e;
	char			*s;
	size_t			 i;

	memset(&it, 0, sizeof it);
	it.guid = jsonfeed_str(o, "id");
	it.url = jsonfeed_url(p, o, "url");
	it.external_url = jsonfeed_url(p, o, "external_url");
	it.title = jsonfeed_title(o, "title", 1);
	it.content_html = jsonfeed_str(o, "content_html");
	it.content_text = jsonfeed_str(o, "content_text");
	it.summary = jsonfeed_str(o, "summary");
	it.image = jsonfeed_url(p, o, "image");
	if (it.image == NULL)
		it.image = jsonfeed_url(p, o, "banner_image");
	it.published = jsonfeed_date(o, "date_published");
	it.modified = jsonfeed_date(o, "date_modified");
	jsonfeed_authors(p, o, &it.authors, &it.nauthors);
	if (it.nauthors == 0 && m->nauthors > 0) {
		/* Items inherit the feed's authors (JSON Feed 1.1). */
		it.authors = xreallocarray(it.authors, m->nauthors,
		    sizeof *it.authors);
		for (i = 0; i < m->nauthors; i++) {
			it.authors[i].name = m->authors[i].name == NULL ?
			    NULL : xstrdup(m->authors[i].name);
			it.authors[i].url = m->authors[i].url == NULL ? NULL :
			    xstrdup(m->authors[i].url);
			it.authors[i].email = NULL;
		}
		it.nauthors = m->nauthors;
	}
	v = json_object_get(o, "tags");
	for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		e = json_array_get(v, i);
		if (!json_is_string(e) || it.ntags >= PARSE_MAX_LIST)
			continue;
		s = xstrdup(json_string_value(e));
		if (*util_trim(s) == '\0') {
			free(s);
			continue;
		}
		it.tags = xreallocarray(it.tags, it.ntags + 1,
		    sizeof *it.tags);
		it.tags[it.ntags] = xstrdup(util_trim(s));
		it.ntags++;
		free(s);
	}
	v = json_object_get(o, "attachments");
	for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		e = json_array_get(v, i);
		if (!json_is_object(e) || it.nattachments >= PARSE_MAX_LIST ||
		    (s = jsonfeed_url(p, e, "url")) == NULL)
			continue;
		it.attachments = xreallocarray(it.attachments,
		    it.nattachments + 1, sizeof *it.attachments);
		a = &it.attachments[it.nattachments++];
		a->url = s;
		a->mime_type = jsonfeed_str(e, "mime_type");
		a->size = jsonfeed_num(e, "size_in_bytes");
		a->duration = jsonfeed_num(e, "duration_in_seconds");
	}
	parser_deliver(p, &it);
	it.id = NULL;
	parser_item_free(&it);
}

/*
 * Parse a whole JSON Feed document and deliver its items through p.
 * Returns 0, or -1 with "LINE:COLUMN: message" in *cause.
 */
int
jsonfeed_parse(struct parser *p, const char *buf, size_t len, char **cause)
{
	struct feed_meta	*m = parser_meta_edit(p);
	json_error_t		 e;
	json_t			*root, *items, *v;
	const char		*ver;
	char			*text;
	size_t			 i;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
	if (root == NULL) {
		/* jansson's "near '...'" may cut a character in two. */
		text = decode_utf8_copy(e.text);
		xasprintf(cause, "%d:%d: %s", e.line > 0 ? e.line : 1,
		    e.column > 0 ? e.column : 1, text);
		free(text);
		return (-1);
	}
	v = json_object_get(root, "version");
	ver = json_is_string(v) ? json_string_value(v) : "";
	items = json_object_get(root, "items");
	if (!json_is_object(root) ||
	    (strncmp(ver, "https://jsonfeed.org/version/1", 30) != 0 &&
	    !json_is_array(items))) {
		xasprintf(cause, "1:1: not a feed: JSON without a JSON Feed "
		    "version");
		json_decref(root);
		return (-1);
	}
	m->format = strcmp(ver, "https://jsonfeed.org/version/1") == 0 ?
	    FEED_JSON10 : FEED_JSON11;
	m->title = jsonfeed_title(root, "title", 0);
	m->home_page_url = jsonfeed_url(p, root, "home_page_url");
	m->feed_url = jsonfeed_url(p, root, "feed_url");
	m->description = jsonfeed_str(root, "description");
	if ((m->icon = jsonfeed_url(p, root, "icon")) == NULL)
		m->icon = jsonfeed_url(p, root, "favicon");
	m->language = jsonfeed_str(root, "language");
	jsonfeed_authors(p, root, &m->authors, &m->nauthors);
	for (i = 0; json_is_array(items) && i < json_array_size(items); i++) {
		v = json_array_get(items, i);
		if (json_is_object(v))
			jsonfeed_item(p, v, m);
	}
	json_decref(root);
	return (0);
}

/* ---------------------------------------------------------------- */
/* Output: `feedctl parse`. */

/*
 * The output is written by hand rather than with json_dumps(): jansson
 * decodes every string character by character to dump it, which cost
 * more than parsing the feed.  The layout is jansson's JSON_INDENT(2)
 * (keys in insertion order, UTF-8 kept, "/" not escaped), so the output
 * is the same text, at the speed of a memchr-style scan.
 */

/* Feed keys in output order. */
enum jsonfeed_key {
	K_TITLE, K_HOME, K_FEEDURL, K_DESC, K_ICON, K_LANG, K_AUTHORS, K_N
};

struct jsonfeed_out {
	struct parser	*p;
	struct buf	 b;		/* output not yet written */
	int		 begun;		/* "{" printed */
	int		 nitems;
	int		 done[K_N];
};

/* Bytes that a JSON string cannot hold as they are. */
static unsigned char jsonfeed_esc[256];

/* Append s as a JSON string. */
static void
jsonfeed_put_str(struct buf *b, const char *s)
{
	const uint64_t		 hi = 0x8080808080808080ULL;
	const uint64_t		 lo = 0x0101010101010101ULL;
	const uint64_t		 sp = 0x2020202020202020ULL;
	const uint64_t		 qq = 0x2222222222222222ULL;	/* '"' */
	const uint64_t		 bs = 0x5c5c5c5c5c5c5c5cULL;	/* '\\' */
	const unsigned char	*u = (const unsigned char *)s, *run, *end;
	uint64_t		 v;
	char			 tmp[8];

	if (jsonfeed_esc[0] == 0) {
		memset(jsonfeed_esc, 1, 0x20);
		jsonfeed_esc['"'] = jsonfeed_esc['\\'] = 1;
	}
	buf_addc(b, '"');
	end = u + strlen(s);
	for (;;) {
		run = u;
		/* Eight bytes at a time: none below 0x20, '"' or '\\'. */
		while (end - u >= 8) {
			memcpy(&v, u, 8);
			v = (((v - sp) & ~v) | (((v ^ qq) - lo) & ~(v ^ qq)) |
			    (((v ^ bs) - lo) & ~(v ^ bs))) & hi;
			if (v != 0) {
				u += JSONFEED_CTZ64(v) / 8;
				break;
			}
			u += 8;
		}
		while (!jsonfeed_esc[*u])
			u++;
		if (u > run)
			buf_add(b, run, (size_t)(u - run));
		if (*u == '\0')
			break;
		switch (*u) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\b': buf_add(b, "\\b", 2); break;
		case '\f': buf_add(b, "\\f", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default:
			snprintf(tmp, sizeof tmp, "\\u%04X", *u);
			buf_add(b, tmp, 6);
			break;
		}
		u++;
	}
	buf_addc(b, '"');
}

/* Append ind spaces. */
static void
jsonfeed_indent(struct buf *b, int ind)
{
	static const char	sp[] = "                ";

	while (ind > 0) {
		buf_add(b, sp, ind > 16 ? 16 : (size_t)ind);
		ind -= 16;
	}
}

/* Start the next member of an object whose keys sit at column ind. */
static void
jsonfeed_key(struct buf *b, int *n, int ind, const char *key)
{
	buf_adds(b, *n == 0 ? "{\n" : ",\n");
	jsonfeed_indent(b, ind);
	buf_addc(b, '"');
	buf_adds(b, key);
	buf_add(b, "\": ", 3);
	(*n)++;
}

/* Start the next element of an array whose elements sit at column ind. */
static void
jsonfeed_elem(struct buf *b, int *n, int ind)
{
	buf_adds(b, *n == 0 ? "[\n" : ",\n");
	jsonfeed_indent(b, ind);
	(*n)++;
}

/* Close an object or array whose members sat at column ind. */
static void
jsonfeed_close(struct buf *b, int ind, char c)
{
	buf_addc(b, '\n');
	jsonfeed_indent(b, ind - 2);
	buf_addc(b, c);
}

/* A string member, when s is present. */
static void
jsonfeed_put(struct buf *b, int *n, int ind, const char *key, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	jsonfeed_key(b, n, ind, key);
	jsonfeed_put_str(b, s);
}

/* A number member, when v is not negative. */
static void
jsonfeed_put_num(struct buf *b, int *n, int ind, const char *key, int64_t v)
{
	if (v < 0)
		return;
	jsonfeed_key(b, n, ind, key);
	buf_printf(b, "%lld", (long long)v);
}

/* A date member, when t is present. */
static void
jsonfeed_put_date(struct buf *b, int *n, int ind, const char *key,
    int64_t t)
{
	char	buf[64];

	if (t != DATE_NONE && date_format_rfc3339(t, buf, sizeof buf) > 0)
		jsonfeed_put(b, n, ind, key, buf);
}

/* An "authors" member: people with a name or a URL (mailto: an email). */
static void
jsonfeed_put_people(struct buf *b, int *n, int ind,
    const struct feed_person *a, size_t na)
{
	char	*mailto;
	size_t	 i;
	int	 ne = 0, no;

	for (i = 0; i < na; i++) {
		if (a[i].name == NULL && a[i].url == NULL &&
		    a[i].email == NULL)
			continue;
		if (ne == 0)
			jsonfeed_key(b, n, ind, "authors");
		jsonfeed_elem(b, &ne, ind + 2);
		no = 0;
		jsonfeed_put(b, &no, ind + 4, "name", a[i].name);
		if (a[i].url != NULL)
			jsonfeed_put(b, &no, ind + 4, "url", a[i].url);
		else if (a[i].email != NULL) {
			xasprintf(&mailto, "mailto:%s", a[i].email);
			jsonfeed_put(b, &no, ind + 4, "url", mailto);
			free(mailto);
		}
		jsonfeed_close(b, ind + 4, '}');
	}
	if (ne > 0)
		jsonfeed_close(b, ind + 2, ']');
}

/* Write out what is buffered. */
static void
jsonfeed_flush(struct jsonfeed_out *o)
{
	if (o->b.len > 0)
		fwrite(o->b.data, 1, o->b.len, stdout);
	buf_reset(&o->b);
}

/*
 * Print the feed keys known now and not printed yet.  An XML feed may name
 * more authors after its items, so its "authors" wait for the end (final).
 */
static void
jsonfeed_meta(struct jsonfeed_out *o, int final)
{
	const struct feed_meta	*m = parser_meta(o->p);
	const char		*names[K_N] = { "title", "home_page_url",
				    "feed_url", "description", "icon",
				    "language", "authors" };
	const char		*vals[K_N] = { m->title, m->home_page_url,
				    m->feed_url, m->description, m->icon,
				    m->language, NULL };
	int			 k, n = 1;

	if (!o->begun) {
		buf_adds(&o->b, "{\n  \"version\": \"" JSONFEED_VERSION "\"");
		o->begun = 1;
	}
	for (k = 0; k < K_N; k++) {
		if (o->done[k])
			continue;
		if (k == K_AUTHORS) {
			if (m->nauthors == 0 || (!final &&
			    m->format != FEED_JSON10 &&
			    m->format != FEED_JSON11))
				continue;
			jsonfeed_put_people(&o->b, &n, 2, m->authors,
			    m->nauthors);
		} else {
			if (vals[k] == NULL || *vals[k] == '\0')
				continue;
			jsonfeed_put(&o->b, &n, 2, names[k], vals[k]);
		}
		o->done[k] = 1;
	}
}

/* Item callback: print the item at once. */
static void
jsonfeed_item_cb(const struct feed_item *it, void *arg)
{
	struct jsonfeed_out	*o = arg;
	struct buf		*b = &o->b;
	size_t			 i;
	int			 n = 0, na, nt;

	if (o->nitems == 0) {
		jsonfeed_meta(o, 0);
		buf_adds(b, ",\n  \"items\": [\n    ");
	} else
		buf_adds(b, ",\n    ");
	o->nitems++;

	jsonfeed_put(b, &n, 6, "id", it->id);
	jsonfeed_put(b, &n, 6, "url", it->url);
	jsonfeed_put(b, &n, 6, "external_url", it->external_url);
	jsonfeed_put(b, &n, 6, "title", it->title);
	jsonfeed_put(b, &n, 6, "content_html", it->content_html);
	jsonfeed_put(b, &n, 6, "content_text", it->content_text);
	jsonfeed_put(b, &n, 6, "summary", it->summary);
	jsonfeed_put(b, &n, 6, "image", it->image);
	jsonfeed_put_date(b, &n, 6, "date_published", it->published);
	jsonfeed_put_date(b, &n, 6, "date_modified", it->modified);
	jsonfeed_put_people(b, &n, 6, it->authors, it->nauthors);
	nt = 0;
	for (i = 0; i < it->ntags; i++) {
		if (nt == 0)
			jsonfeed_key(b, &n, 6, "tags");
		jsonfeed_elem(b, &nt, 8);
		jsonfeed_put_str(b, it->tags[i]);
	}
	if (nt > 0)
		jsonfeed_close(b, 8, ']');
	na = 0;
	for (i = 0; i < it->nattachments; i++) {
		int	 no = 0;

		if (na == 0)
			jsonfeed_key(b, &n, 6, "attachments");
		jsonfeed_elem(b, &na, 8);
		jsonfeed_put(b, &no, 10, "url", it->attachments[i].url);
		jsonfeed_put(b, &no, 10, "mime_type",
		    it->attachments[i].mime_type);
		jsonfeed_put_num(b, &no, 10, "size_in_bytes",
		    it->attachments[i].size);
		jsonfeed_put_num(b, &no, 10, "duration_in_seconds",
		    it->attachments[i].duration);
		jsonfeed_close(b, 10, '}');
	}
	if (na > 0)
		jsonfeed_close(b, 8, ']');
	if (n == 0)
		buf_adds(b, "{}");
	else
		jsonfeed_close(b, 6, '}');
	if (b->len >= 64 * 1024)
		jsonfeed_flush(o);
}

/* Print usage and return the usage exit status. */
static int
jsonfeed_usage(void)
{
	fprintf(stderr, "usage: feedctl parse [--base URL] FILE|-\n");
	return (2);
}

/*
 * `feedctl parse [--base URL] FILE|-`: print the feed as JSON Feed 1.1.
 * Exit 0, 1 on a parse error (FILE:LINE:COLUMN: message), 2 on usage.
 */
int
jsonfeed_cmd(int argc, char **argv)
{
	struct jsonfeed_out	 o;
	const char		*base = NULL, *path = NULL, *name;
	char			*cause = NULL, *buf;
	ssize_t			 n;
	int			 i, fd, rc = 0, pushed = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (strncmp(argv[i], "--base=", 7) == 0)
			base = argv[i] + 7;
		else if (strcmp(argv[i], "--") == 0 && i + 2 == argc) {
			path = argv[++i];
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return (jsonfeed_usage());
		else if (path == NULL)
			path = argv[i];
		else
			return (jsonfeed_usage());
	}
	if (path == NULL)
		return (jsonfeed_usage());
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		name = "<stdin>";
	} else if ((fd = open(path, O_RDONLY)) == -1) {
		warn("%s", path);
		return (1);
	} else
		name = path;

	setvbuf(stdout, NULL, _IOFBF, 256 * 1024);
	memset(&o, 0, sizeof o);
	o.p = parser_new(base, jsonfeed_item_cb, &o);
	buf = xmalloc(JSONFEED_CHUNK);
	for (;;) {
		n = read(fd, buf, JSONFEED_CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			warn("%s", name);
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		if (parser_push(o.p, buf, (size_t)n) != 0) {
			pushed = -1;
			break;
		}
	}
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	if (parser_finish(o.p, &cause) != 0 || pushed != 0) {
		if (cause != NULL)
			fprintf(stderr, "%s:%s\n", name, cause);
		rc = 1;
	}
	if (rc == 0 || o.nitems > 0) {
		/* Close the document even after an error, if it was begun. */
		if (o.nitems == 0) {
			jsonfeed_meta(&o, 1);
			buf_adds(&o.b, ",\n  \"items\": []");
		} else {
			buf_adds(&o.b, "\n  ]");
			jsonfeed_meta(&o, 1);
		}
		buf_adds(&o.b, "\n}\n");
	}
	jsonfeed_flush(&o);
	buf_free(&o.b);
	free(cause);
	parser_free(o.p);
	if (fflush(stdout) != 0 || ferror(stdout))
		err(1, "stdout");
	return (rc);
}
