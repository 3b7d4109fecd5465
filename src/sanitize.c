/*
 * sanitize.c: feed HTML made safe for whoever shows it, and the URL
 * schemes the store keeps.
 *
 * Feed content is written by strangers and read by programs too: a web
 * page built on `feedctl --json`, a notifier, a Miniflux client.  So the
 * HTML of contents and summaries is rewritten once, when a document is
 * parsed (the daemon stores only the result; `feedctl parse` prints it),
 * by an allowlist, as feedparser and Miniflux do:
 *
 * - libxml2's HTML parser (recovering, no network) reads the markup, as a
 *   browser would, entities and all; what this file writes back is built
 *   from its SAX events, so no quirk of the input survives into the
 *   output: every tag is balanced, every attribute quoted and escaped.
 * - Elements in sanitize_elems are kept with the attributes listed for
 *   them (and title, lang, dir on any); others are unwrapped (their text
 *   stays).  script, style, iframe, object, form, svg, math, the head and
 *   their kin are dropped with their content, embed, input, meta, link
 *   and the other void ones alone; an iframe with an http(s) src becomes
 *   a link to it, so an embedded video is not lost.
 * - URL attributes (href, src, srcset, poster, cite) are made absolute
 *   against the base of the element that held the HTML (xml:base, else
 *   the document's URL) and keep only http and https, and mailto for
 *   links; anything else drops the attribute, and an image or a media
 *   source without one drops the element.  Comments, processing
 *   instructions, on* handlers, style and class attributes all go.
 *
 * What was dropped as active (elements with content, handlers, URLs with
 * a scheme not allowed) is counted, for the poll's log and `stats`.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "feedd.h"

#define SAN_MAX_OUTPUT	(8 * 1024 * 1024)	/* bytes written */

/* What an element is. */
#define SAN_KEEP	0x01	/* written, with its allowed attributes */
#define SAN_DROP	0x02	/* dropped with its content (active) */
#define SAN_VOID	0x04	/* no end tag */
#define SAN_NEEDSRC	0x08	/* dropped without a src/srcset (img) */
#define SAN_IFRAME	0x10	/* iframe: a link to its src */
#define SAN_QUIET	0x20	/* SAN_DROP, but not counted: inert */

/*
 * The document is parsed inside this element: with an element open,
 * libxml2 does not wrap text in an implied <p>, as it does at the top.
 * Unknown to HTML, nothing in the content closes it; it is not written.
 */
#define SAN_ROOT	"feedd-root"

/*
 * Elements by name, sorted for bsearch, and the attributes each keeps
 * besides the global ones (a space-separated list).  Not listed: unwrapped.
 */
static const struct san_elem {
	const char	*name;
	int		 flags;
	const char	*attrs;
} sanitize_elems[] = {
	{ "a", SAN_KEEP, " href hreflang " },
	{ "abbr", SAN_KEEP, "" },
	{ "acronym", SAN_KEEP, "" },
	{ "address", SAN_KEEP, "" },
	{ "applet", SAN_DROP, NULL },
	{ "area", SAN_DROP | SAN_QUIET | SAN_VOID, NULL },
	{ "article", SAN_KEEP, "" },
	{ "aside", SAN_KEEP, "" },
	{ "audio", SAN_KEEP, " src controls loop muted preload " },
	{ "b", SAN_KEEP, "" },
	{ "base", SAN_DROP | SAN_VOID, NULL },
	{ "basefont", SAN_DROP | SAN_QUIET | SAN_VOID, NULL },
	{ "bdi", SAN_KEEP, "" },
	{ "bdo", SAN_KEEP, "" },
	{ "big", SAN_KEEP, "" },
	{ "blockquote", SAN_KEEP, " cite " },
	{ "br", SAN_KEEP | SAN_VOID, "" },
	{ "button", SAN_DROP | SAN_QUIET, NULL },
	{ "caption", SAN_KEEP, "" },
	{ "center", SAN_KEEP, "" },
	{ "cite", SAN_KEEP, "" },
	{ "code", SAN_KEEP, "" },
	{ "col", SAN_KEEP | SAN_VOID, " span " },
	{ "colgroup", SAN_KEEP, " span " },
	{ "dd", SAN_KEEP, "" },
	{ "del", SAN_KEEP, " cite datetime " },
	{ "details", SAN_KEEP, " open " },
	{ "dfn", SAN_KEEP, "" },
	{ "div", SAN_KEEP, "" },
	{ "dl", SAN_KEEP, "" },
	{ "dt", SAN_KEEP, "" },
	{ "em", SAN_KEEP, "" },
	{ "embed", SAN_DROP | SAN_VOID, NULL },
	{ "figcaption", SAN_KEEP, "" },
	{ "figure", SAN_KEEP, "" },
	{ "footer", SAN_KEEP, "" },
	{ "form", SAN_DROP, NULL },
	{ "frame", SAN_DROP | SAN_VOID, NULL },
	{ "frameset", SAN_DROP, NULL },
	{ "h1", SAN_KEEP, "" },
	{ "h2", SAN_KEEP, "" },
	{ "h3", SAN_KEEP, "" },
	{ "h4", SAN_KEEP, "" },
	{ "h5", SAN_KEEP, "" },
	{ "h6", SAN_KEEP, "" },
	{ "head", SAN_DROP | SAN_QUIET, NULL },
	{ "header", SAN_KEEP, "" },
	{ "hgroup", SAN_KEEP, "" },
	{ "hr", SAN_KEEP | SAN_VOID, "" },
	{ "i", SAN_KEEP, "" },
	{ "iframe", SAN_DROP | SAN_IFRAME, NULL },
	{ "img", SAN_KEEP | SAN_VOID | SAN_NEEDSRC,
	    " src srcset sizes alt width height " },
	{ "input", SAN_DROP | SAN_QUIET | SAN_VOID, NULL },
	{ "ins", SAN_KEEP, " cite datetime " },
	{ "kbd", SAN_KEEP, "" },
	{ "li", SAN_KEEP, " value " },
	{ "link", SAN_DROP | SAN_VOID, NULL },
	{ "main", SAN_KEEP, "" },
	{ "map", SAN_DROP | SAN_QUIET, NULL },
	{ "mark", SAN_KEEP, "" },
	{ "math", SAN_DROP, NULL },
	{ "meta", SAN_DROP | SAN_VOID, NULL },
	{ "noembed", SAN_DROP | SAN_QUIET, NULL },
	{ "noframes", SAN_DROP | SAN_QUIET, NULL },
	{ "object", SAN_DROP, NULL },
	{ "ol", SAN_KEEP, " start reversed type " },
	{ "p", SAN_KEEP, "" },
	{ "param", SAN_DROP | SAN_VOID, NULL },
	{ "picture", SAN_KEEP, "" },
	{ "pre", SAN_KEEP, "" },
	{ "q", SAN_KEEP, " cite " },
	{ "rp", SAN_KEEP, "" },
	{ "rt", SAN_KEEP, "" },
	{ "ruby", SAN_KEEP, "" },
	{ "s", SAN_KEEP, "" },
	{ "samp", SAN_KEEP, "" },
	{ "script", SAN_DROP, NULL },
	{ "section", SAN_KEEP, "" },
	{ "select", SAN_DROP | SAN_QUIET, NULL },
	{ "small", SAN_KEEP, "" },
	{ "source", SAN_KEEP | SAN_VOID | SAN_NEEDSRC,
	    " src srcset sizes type media " },
	{ "span", SAN_KEEP, "" },
	{ "strike", SAN_KEEP, "" },
	{ "strong", SAN_KEEP, "" },
	{ "style", SAN_DROP, NULL },
	{ "sub", SAN_KEEP, "" },
	{ "summary", SAN_KEEP, "" },
	{ "sup", SAN_KEEP, "" },
	{ "svg", SAN_DROP, NULL },
	{ "table", SAN_KEEP, "" },
	{ "tbody", SAN_KEEP, "" },
	{ "td", SAN_KEEP, " colspan rowspan headers " },
	{ "template", SAN_DROP, NULL },
	{ "textarea", SAN_DROP | SAN_QUIET, NULL },
	{ "tfoot", SAN_KEEP, "" },
	{ "th", SAN_KEEP, " colspan rowspan headers scope " },
	{ "thead", SAN_KEEP, "" },
	{ "time", SAN_KEEP, " datetime " },
	{ "title", SAN_DROP | SAN_QUIET, NULL },
	{ "tr", SAN_KEEP, "" },
	{ "track", SAN_KEEP | SAN_VOID | SAN_NEEDSRC,
	    " src kind srclang label default " },
	{ "tt", SAN_KEEP, "" },
	{ "u", SAN_KEEP, "" },
	{ "ul", SAN_KEEP, "" },
	{ "var", SAN_KEEP, "" },
	{ "video", SAN_KEEP,
	    " src poster controls loop muted preload width height " },
	{ "wbr", SAN_KEEP | SAN_VOID, "" },
};

/* Bytes that need a look: escaped, or ending a run of text or a value. */
static const uint8_t sanitize_special[256] = {
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};

/* The writer's state. */
struct san_state {
	struct buf	 out;
	const char	*base;		/* for relative URLs, or NULL */
	size_t		 dropped;	/* active things dropped */
	int		 skip;		/* inside a dropped element: depth */
	uint8_t		*open;		/* per open element: written? */
	size_t		 nopen, aopen;
	int		 full;
	htmlParserCtxtPtr ctxt;
};

/*
 * sanitize_elems by name: an open-addressing hash table of indexes + 1,
 * filled on first use (a lookup per tag is most of the fast path's cost).
 */
#define SAN_HASH_SIZE	256
static uint8_t		 sanitize_hash[SAN_HASH_SIZE];
static int		 sanitize_hash_ready;

/* FNV-1a of a name, lowercased into buf as it goes (n < 16). */
static uint32_t
sanitize_hash_name(const char *name, size_t n, char *buf)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < n; i++) {
		buf[i] = (char)tolower((unsigned char)name[i]);
		h = (h ^ (uint8_t)buf[i]) * 16777619u;
	}
	buf[n] = '\0';
	return (h);
}

/* An element by name (n bytes, any case), or NULL. */
static const struct san_elem *
sanitize_elem_n(const char *name, size_t n)
{
	const size_t	 nelems = sizeof sanitize_elems /
			    sizeof sanitize_elems[0];
	char		 buf[16];
	uint32_t	 i;
	size_t		 k;

	if (!sanitize_hash_ready) {
		for (k = 0; k < nelems; k++) {
			i = sanitize_hash_name(sanitize_elems[k].name,
			    strlen(sanitize_elems[k].name), buf);
			for (i &= SAN_HASH_SIZE - 1; sanitize_hash[i] != 0;
			    i = (i + 1) & (SAN_HASH_SIZE - 1))
				;
			sanitize_hash[i] = (uint8_t)(k + 1);
		}
		sanitize_hash_ready = 1;
	}
	if (n == 0 || n >= sizeof buf)
		return (NULL);
	for (i = sanitize_hash_name(name, n, buf) & (SAN_HASH_SIZE - 1);
	    sanitize_hash[i] != 0; i = (i + 1) & (SAN_HASH_SIZE - 1))
		if (strcmp(sanitize_elems[sanitize_hash[i] - 1].name, buf) == 0)
			return (&sanitize_elems[sanitize_hash[i] - 1]);
	return (NULL);
}

static const struct san_elem *
sanitize_elem(const char *name)
{
	return (sanitize_elem_n(name, strlen(name)));
}

/*
 * The scheme of URL u as a browser reads it (leading C0 controls and
 * spaces skipped, tabs and newlines anywhere ignored), lowercased into
 * buf; "" for a reference without one (relative, or "//host/...").
 */
static const char *
sanitize_scheme(const char *u, char *buf, size_t size)
{
	size_t	n = 0;

	while (*u != '\0' && (unsigned char)*u <= 0x20)
		u++;
	for (; *u != '\0'; u++) {
		if (*u == '\t' || *u == '\n' || *u == '\r')
			continue;
		if (*u == ':')
			break;
		if (!(isalpha((unsigned char)*u) || (n > 0 &&
		    (isdigit((unsigned char)*u) || *u == '+' || *u == '-' ||
		    *u == '.'))) || n + 1 >= size)
			return ("");
		buf[n++] = (char)tolower((unsigned char)*u);
	}
	if (*u != ':')
		return ("");
	buf[n] = '\0';
	return (buf);
}

/*
 * Whether URL u may be kept where kind says: any of them takes a
 * relative reference (nothing can run from one) and http or https;
 * SANITIZE_LINK adds mailto, SANITIZE_FIELD mailto and magnet (torrent
 * feeds link and enclose magnet URIs).
 */
int
sanitize_url_ok(const char *u, int kind)
{
	char		 buf[16];
	const char	*s = sanitize_scheme(u, buf, sizeof buf);

	if (*s == '\0' || strcmp(s, "http") == 0 || strcmp(s, "https") == 0)
		return (1);
	if (strcmp(s, "mailto") == 0)
		return (kind != SANITIZE_MEDIA);
	if (strcmp(s, "magnet") == 0)
		return (kind == SANITIZE_FIELD);
	return (0);
}

/*
 * Append plain text s as HTML: escaped, each line break a <br> (a text
 * summary is HTML to its readers, and its lines are the author's).
 */
void
sanitize_text_html(struct buf *out, const char *s, size_t n)
{
	const char	*nl;
	size_t		 len;

	while (n > 0) {
		nl = memchr(s, '\n', n);
		len = nl != NULL ? (size_t)(nl - s) : n;
		sanitize_escape(out, s, len, 0);
		if (nl == NULL)
			break;
		buf_adds(out, "<br>\n");
		s += len + 1;
		n -= len + 1;
	}
}

/* Append s, escaped for text (attr 0) or a quoted attribute value. */
void
sanitize_escape(struct buf *out, const char *s, size_t n, int attr)
{
	size_t	i, done = 0;
	const char *e;

	buf_grow(out, n);
	for (i = 0; i < n; i++) {
		if (!sanitize_special[(unsigned char)s[i]])
			continue;
		switch (s[i]) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			if (!attr)
				continue;
			e = "&quot;";
			break;
		default:
			continue;
		}
		buf_add(out, s + done, i - done);
		buf_adds(out, e);
		done = i + 1;
	}
	buf_add(out, s + done, n - done);
}

/* URL v resolved against the base and checked; a new string or NULL. */
static char *
sanitize_url(struct san_state *st, const char *v, int kind)
{
	char	*u;

	u = item_resolve(st->base, v);
	if (!sanitize_url_ok(u, kind)) {
		free(u);
		st->dropped++;
		return (NULL);
	}
	return (u);
}

/*
 * Append a srcset value with each URL resolved and checked: a candidate
 * whose URL is not allowed is left out.  Returns the candidates kept.
 */
static int
sanitize_srcset(struct san_state *st, struct buf *out, const char *v)
{
	const char	*u, *ue, *d;
	char		*ref, *abs;
	int		 n = 0;

	while (*v != '\0') {
		for (u = v; isspace((unsigned char)*u) || *u == ','; u++)
			;
		for (ue = u; *ue != '\0' && !isspace((unsigned char)*ue) &&
		    *ue != ','; ue++)
			;
		/* The descriptor ("2x", "480w"), up to the next comma. */
		for (d = ue; *d != '\0' && *d != ','; d++)
			;
		if (ue > u) {
			ref = xstrndup(u, (size_t)(ue - u));
			abs = sanitize_url(st, ref, SANITIZE_MEDIA);
			if (abs != NULL) {
				if (n++ > 0)
					buf_adds(out, ", ");
				sanitize_escape(out, abs, strlen(abs), 1);
				sanitize_escape(out, ue, (size_t)(d - ue), 1);
				while (out->len > 0 &&
				    isspace((unsigned char)out->data[out->len - 1]))
					out->len--;
			}
			free(abs);
			free(ref);
		}
		v = d;
	}
	return (n);
}

/* Whether attribute name is in list (" a b c "). */
static int
sanitize_listed(const char *list, const char *name)
{
	const char	*s;
	size_t		 n = strlen(name);

	if (n == 0)
		return (0);
	for (s = list; (s = strstr(s, name)) != NULL; s++)
		if (s[-1] == ' ' && s[n] == ' ')
			return (1);
	return (0);
}

/* The kind of URL attribute name holds on element e, or -1: not a URL. */
static int
sanitize_url_kind(const struct san_elem *e, const char *name)
{
	if (strcmp(name, "href") == 0)
		return (SANITIZE_LINK);
	if (strcmp(name, "src") == 0 || strcmp(name, "poster") == 0)
		return (SANITIZE_MEDIA);
	if (strcmp(name, "cite") == 0)
		return (SANITIZE_MEDIA);
	(void)e;
	return (-1);
}

/* Write the start tag of a kept element; 0 when it is dropped instead. */
static int
sanitize_start_tag(struct san_state *st, const struct san_elem *e,
    const xmlChar **atts)
{
	struct buf	 tag = { NULL, 0, 0 };
	const char	*name, *v;
	char		*u;
	size_t		 i, mark;
	int		 kind, src = 0;

	buf_addc(&tag, '<');
	buf_adds(&tag, e->name);
	for (i = 0; atts != NULL && atts[i] != NULL; i += 2) {
		name = (const char *)atts[i];
		v = atts[i + 1] != NULL ? (const char *)atts[i + 1] : "";
		if (strncasecmp(name, "on", 2) == 0) {
			st->dropped++;	/* an event handler */
			continue;
		}
		if (strcmp(name, "title") != 0 && strcmp(name, "lang") != 0 &&
		    strcmp(name, "dir") != 0 &&
		    !sanitize_listed(e->attrs, name))
			continue;
		mark = tag.len;
		buf_printf(&tag, " %s=\"", name);
		if (strcmp(name, "srcset") == 0) {
			if (sanitize_srcset(st, &tag, v) == 0) {
				tag.len = mark;
				continue;
			}
			src = 1;
		} else if ((kind = sanitize_url_kind(e, name)) >= 0) {
			if ((u = sanitize_url(st, v, kind)) == NULL) {
				tag.len = mark;
				continue;
			}
			sanitize_escape(&tag, u, strlen(u), 1);
			free(u);
			if (strcmp(name, "src") == 0)
				src = 1;
		} else
			sanitize_escape(&tag, v, strlen(v), 1);
		buf_addc(&tag, '"');
	}
	buf_addc(&tag, '>');
	if ((e->flags & SAN_NEEDSRC) && !src) {
		buf_free(&tag);
		return (0);
	}
	buf_add(&st->out, tag.data, tag.len);
	buf_free(&tag);
	return (1);
}

/* An iframe: a link to what it shows, when that may be linked. */
static void
sanitize_iframe(struct san_state *st, const xmlChar **atts)
{
	size_t	 i;
	char	*u;

	for (i = 0; atts != NULL && atts[i] != NULL; i += 2) {
		if (strcmp((const char *)atts[i], "src") != 0 ||
		    atts[i + 1] == NULL)
			continue;
		if ((u = sanitize_url(st, (const char *)atts[i + 1],
		    SANITIZE_MEDIA)) == NULL)
			return;
		if (strncmp(u, "http", 4) == 0) {
			buf_adds(&st->out, "<a href=\"");
			sanitize_escape(&st->out, u, strlen(u), 1);
			buf_adds(&st->out, "\">");
			sanitize_escape(&st->out, u, strlen(u), 0);
			buf_adds(&st->out, "</a>");
		}
		free(u);
		return;
	}
}

/* Stop once the output is over its cap. */
static int
sanitize_full(struct san_state *st)
{
	if (!st->full && st->out.len > SAN_MAX_OUTPUT) {
		st->full = 1;
		xmlStopParser(st->ctxt);
	}
	return (st->full);
}

/* SAX: an element starts. */
static void
sanitize_start_cb(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	struct san_state	*st = ctx;
	const struct san_elem	*e;
	uint8_t			 written = 0;

	if (sanitize_full(st))
		return;
	if (st->skip > 0) {
		st->skip++;
		return;
	}
	e = sanitize_elem((const char *)xname);
	if (e != NULL && (e->flags & SAN_DROP)) {
		if (!(e->flags & SAN_QUIET))
			st->dropped++;
		if (e->flags & SAN_IFRAME)
			sanitize_iframe(st, atts);
		/*
		 * A void one has no content: what libxml2 puts inside it
		 * (it takes <embed> for a container) is the text after it.
		 */
		if (!(e->flags & SAN_VOID)) {
			st->skip = 1;
			return;
		}
	} else if (e != NULL)
		written = (uint8_t)sanitize_start_tag(st, e, atts);
	if (written && (e->flags & SAN_VOID))
		written = 2;	/* no end tag */
	if (st->nopen == st->aopen) {
		st->aopen = st->aopen == 0 ? 64 : st->aopen * 2;
		st->open = xreallocarray(st->open, st->aopen, 1);
	}
	st->open[st->nopen++] = written;
}

/* SAX: an element ends (libxml2 ends each one it started). */
static void
sanitize_end_cb(void *ctx, const xmlChar *xname)
{
	struct san_state	*st = ctx;
	const struct san_elem	*e;

	if (st->skip > 0) {
		st->skip--;
		return;
	}
	if (st->nopen == 0)
		return;
	if (st->open[--st->nopen] == 1 &&
	    (e = sanitize_elem((const char *)xname)) != NULL) {
		buf_adds(&st->out, "</");
		buf_adds(&st->out, e->name);
		buf_addc(&st->out, '>');
	}
}

/* SAX: text. */
static void
sanitize_text_cb(void *ctx, const xmlChar *s, int len)
{
	struct san_state	*st = ctx;

	if (st->skip > 0 || len <= 0 || sanitize_full(st))
		return;
	sanitize_escape(&st->out, (const char *)s, (size_t)len, 0);
}

/* Append ' name="'. */
static void
sanitize_attr_start(struct buf *out, const char *name)
{
	buf_addc(out, ' ');
	buf_adds(out, name);
	buf_add(out, "=\"", 2);
}

/* Append an attribute value as given: entities stay, quotes are made safe. */
static void
sanitize_raw_value(struct buf *out, const char *v, size_t n)
{
	size_t	i, done = 0;
	const char *e;

	for (i = 0; i < n; i++) {
		if (v[i] == '"')
			e = "&quot;";
		else if (v[i] == '<')
			e = "&lt;";
		else if (v[i] == '>')
			e = "&gt;";
		else
			continue;
		buf_add(out, v + done, i - done);
		buf_adds(out, e);
		done = i + 1;
	}
	buf_add(out, v + done, n - done);
}

static size_t	sanitize_run(struct buf *, const char *, size_t,
		    const char *, int);

#define SAN_FAST_DEPTH	64
#define SAN_WS(c)	((c) == ' ' || (c) == '\t' || (c) == '\n' || \
			    (c) == '\r' || (c) == '\f')
#define SAN_NAME(c)	(isalnum((unsigned char)(c)) || (c) == '-' || \
			    (c) == '_' || (c) == ':')

/*
 * The fast path, for the markup most feeds write: text, and balanced tags
 * of allowed elements in plain syntax (quoted attribute values, no
 * comment, no "<" that does not start a tag).  It copies such HTML in one
 * pass, rewriting each tag as sanitize_start_tag() would: unlisted
 * attributes dropped, handlers dropped and counted, URLs resolved and
 * checked.  Anything else, or anything whose reading could differ from a
 * browser's (an entity in a relative URL, a srcset, a control character
 * in a URL, a tag left open), returns 0 with out as it was, for the full
 * parse.  The full parse costs ten times this one (libxml2 builds each
 * element and attribute through its dictionary), and the first poll of
 * a thousand feeds sanitizes some 200 MB; fuzz_sanitize checks that
 * whatever this path writes, the full one finds nothing to drop in.
 */
static int
sanitize_fast(struct san_state *st, const char *s, size_t len)
{
	const struct san_elem	*stack[SAN_FAST_DEPTH], *e;
	struct buf		*out = &st->out;
	const char		*end = s + len, *p, *lt, *name, *v;
	size_t			 mark = out->len, nlen, vlen, ndepth = 0, i;
	size_t			 dropped = st->dropped;
	char			*ref, *u, lname[16];
	int			 kind, src, q;

	for (p = s; p < end; ) {
		if ((lt = memchr(p, '<', (size_t)(end - p))) == NULL)
			lt = end;
		buf_add(out, p, (size_t)(lt - p));
		if (lt == end)
			break;
		p = lt + 1;
		if (p < end && *p == '/') {		/* an end tag */
			for (name = ++p; p < end && isalnum((unsigned char)*p);
			    p++)
				;
			nlen = (size_t)(p - name);
			while (p < end && SAN_WS(*p))
				p++;
			if (p == end || *p != '>' || ndepth == 0 ||
			    (e = sanitize_elem_n(name, nlen)) != stack[ndepth - 1])
				goto slow;
			ndepth--;
			buf_adds(out, "</");
			buf_adds(out, e->name);
			buf_addc(out, '>');
			p++;
			continue;
		}
		if (p == end || !isalpha((unsigned char)*p))
			goto slow;
		for (name = p; p < end && isalnum((unsigned char)*p); p++)
			;
		nlen = (size_t)(p - name);
		if ((e = sanitize_elem_n(name, nlen)) == NULL ||
		    !(e->flags & SAN_KEEP))
			goto slow;
		buf_addc(out, '<');
		buf_adds(out, e->name);
		src = 0;
		for (;;) {
			while (p < end && SAN_WS(*p))
				p++;
			if (p == end)
				goto slow;
			if (*p == '>')
				break;
			if (*p == '/' && p + 1 < end && p[1] == '>' &&
			    (e->flags & SAN_VOID)) {
				p++;
				break;
			}
			if (!isalpha((unsigned char)*p))
				goto slow;
			for (name = p; p < end && SAN_NAME(*p); p++)
				;
			nlen = (size_t)(p - name);
			while (p < end && SAN_WS(*p))
				p++;
			v = p;
			vlen = 0;
			if (p < end && *p == '=') {
				for (p++; p < end && SAN_WS(*p); p++)
					;
				if (p == end || (*p != '"' && *p != '\''))
					goto slow;
				q = *p++;
				if ((v = memchr(p, q, (size_t)(end - p))) == NULL)
					goto slow;
				vlen = (size_t)(v - p);
				v = p;
				p += vlen + 1;
			}
			if (nlen > 2 && strncasecmp(name, "on", 2) == 0) {
				st->dropped++;	/* an event handler */
				continue;
			}
			if (nlen >= sizeof lname)
				continue;	/* no listed name is so long */
			for (i = 0; i < nlen; i++)
				lname[i] = (char)tolower((unsigned char)name[i]);
			lname[nlen] = '\0';
			if (strcmp(lname, "title") != 0 &&
			    strcmp(lname, "lang") != 0 &&
			    strcmp(lname, "dir") != 0 &&
			    !sanitize_listed(e->attrs, lname))
				continue;
			if (strcmp(lname, "srcset") == 0)
				goto slow;
			if ((kind = sanitize_url_kind(e, lname)) < 0) {
				sanitize_attr_start(out, lname);
				sanitize_raw_value(out, v, vlen);
				buf_addc(out, '"');
				continue;
			}
			/*
			 * An entity could spell a scheme, or change what a
			 * relative reference resolves to: only an absolute
			 * http(s) URL keeps its entities (&amp; in a query).
			 * A control character (a tab in "java\tscript:") is
			 * left to the full parse too.
			 */
			for (i = 0; i < vlen && (unsigned char)v[i] >= 0x20; i++)
				;
			if (i < vlen || (memchr(v, '&', vlen) != NULL &&
			    (vlen < 8 || (strncmp(v, "http://", 7) != 0 &&
			    strncmp(v, "https://", 8) != 0))))
				goto slow;
			ref = xstrndup(v, vlen);
			u = sanitize_url(st, ref, kind);
			free(ref);
			if (u == NULL)
				continue;	/* not kept (and counted) */
			sanitize_attr_start(out, lname);
			sanitize_raw_value(out, u, strlen(u));
			buf_addc(out, '"');
			free(u);
			if (strcmp(lname, "src") == 0)
				src = 1;
		}
		p++;
		if ((e->flags & SAN_NEEDSRC) && !src)
			goto slow;
		buf_addc(out, '>');
		if (!(e->flags & SAN_VOID)) {
			if (ndepth == SAN_FAST_DEPTH)
				goto slow;
			stack[ndepth++] = e;
		}
	}
	if (ndepth == 0)
		return (1);
slow:
	out->len = mark;
	if (out->data != NULL)
		out->data[mark] = '\0';
	st->dropped = dropped;
	return (0);
}

/*
 * Write the sanitized form of HTML html (len bytes) to out, relative URLs
 * resolved against base (may be NULL).  Returns the number of active
 * things dropped.  Text without a tag is copied as it is: nothing in it
 * can be active.  Plain markup takes the fast path, the rest the full
 * parse.
 */
size_t
sanitize_html(struct buf *out, const char *html, size_t len,
    const char *base)
{
	return (sanitize_run(out, html, len, base, 1));
}

/* The same, always by the full parse (for fuzz_sanitize). */
size_t
sanitize_html_full(struct buf *out, const char *html, size_t len,
    const char *base)
{
	return (sanitize_run(out, html, len, base, 0));
}

static size_t
sanitize_run(struct buf *out, const char *html, size_t len,
    const char *base, int fast)
{
	struct san_state	 st;
	htmlSAXHandler		 sax;
	struct buf		 in = { NULL, 0, 0 };
	char			*clean;
	int			 i;

	if (memchr(html, '<', len) == NULL) {
		buf_add(out, html, len);
		return (0);
	}
	memset(&st, 0, sizeof st);
	st.base = base;
	st.out = *out;
	if (fast) {
		i = sanitize_fast(&st, html, len);
		*out = st.out;		/* it may have grown */
		if (i)
			return (st.dropped);
	}
	if ((clean = html_clean_input(html, &len)) != NULL)
		html = clean;
	buf_grow(&in, sizeof "<" SAN_ROOT ">" + len);
	buf_adds(&in, "<" SAN_ROOT ">");
	buf_add(&in, html, len);
	free(clean);
	memset(&sax, 0, sizeof sax);
	sax.startElement = sanitize_start_cb;
	sax.endElement = sanitize_end_cb;
	sax.characters = sanitize_text_cb;
	sax.ignorableWhitespace = sanitize_text_cb;
	/* cdataBlock: the text of script and style, dropped. */
	st.out = *out;
	html_sax_parse(&sax, &st, &st.ctxt, in.data, in.len,
	    HTML_PARSE_NOIMPLIED);
	*out = st.out;
	free(st.open);
	buf_free(&in);
	if (out->data == NULL)
		buf_add(out, "", 0);
	return (st.dropped);
}
