/*
 * html.c: HTML to plain text for titles and for `feedctl show`.
 *
 * libxml2's HTML parser (recovering, no network, no error output) reads
 * the markup and this file lays out its SAX events the way a browser lays
 * out text: runs of whitespace fold to one space, blocks are
 * separated by blank lines, <br> breaks the line, lists get "  * " or
 * "  1. " markers, blockquotes "> ", <pre> is kept as is, scripts, styles
 * and the head are dropped, images become "[image: alt]", and with
 * HTML_TEXT_LINKS each link is numbered and listed at the end.
 * HTML_TEXT_INLINE makes one trimmed line for titles.
 *
 * Feed text is untrusted and goes to terminals: the result is always valid
 * UTF-8 (bad bytes become U+FFFD) and holds no control characters except
 * newline and tab, so no ESC, no C1 (U+0080-U+009F), no DEL.  Input and
 * output size, the number of links and the depth of indentation are
 * capped; nesting depth itself costs nothing, since no tree is built.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>

#include "feedd.h"

#define HTML_MAX_INPUT	PARSE_MAX_FIELD		/* bytes parsed (one field) */
#define HTML_MAX_OUTPUT	(4 * 1024 * 1024)	/* bytes written */
#define HTML_MAX_LINKS	1000			/* numbered links */
#define HTML_MAX_LEVELS	32			/* indented levels */

/* What an element does to the layout. */
#define HTML_SKIP	0x01	/* drop it and its content */
#define HTML_BLOCK	0x02	/* on its own lines */
#define HTML_PARA	0x04	/* blank line before and after */
#define HTML_LIST	0x08	/* ul, ol, menu, dir */
#define HTML_ITEM	0x10	/* li */
#define HTML_QUOTE	0x20	/* blockquote */
#define HTML_PRE	0x40	/* pre, listing, xmp, plaintext */
#define HTML_CELL	0x80	/* td, th */
#define HTML_BR		0x100	/* br */
#define HTML_IMG	0x200	/* img */
#define HTML_MEDIA	0x400	/* video, audio, iframe: "[video]" */
#define HTML_HR		0x800	/* hr: "----" */
#define HTML_Q		0x1000	/* q: curly quotes */
#define HTML_A		0x2000	/* a: numbered link */
#define HTML_OL		0x4000	/* ol: numbered items */
#define HTML_DD		0x8000	/* dd: indented, no marker */
#define HTML_SOURCE	0x10000	/* source: media src */

/* Elements with a layout, sorted by name for bsearch. */
static const struct html_elem {
	const char	*name;
	int		 flags;
} html_elems[] = {
	{ "a", HTML_A },
	{ "address", HTML_BLOCK },
	{ "applet", HTML_SKIP },
	{ "article", HTML_BLOCK },
	{ "aside", HTML_BLOCK },
	{ "audio", HTML_MEDIA },
	{ "blockquote", HTML_PARA | HTML_QUOTE },
	{ "body", HTML_BLOCK },
	{ "br", HTML_BR },
	{ "button", HTML_SKIP },
	{ "caption", HTML_BLOCK },
	{ "center", HTML_BLOCK },
	{ "dd", HTML_BLOCK | HTML_ITEM | HTML_DD },
	{ "details", HTML_BLOCK },
	{ "dialog", HTML_BLOCK },
	{ "dir", HTML_PARA | HTML_LIST },
	{ "div", HTML_BLOCK },
	{ "dl", HTML_PARA },
	{ "dt", HTML_BLOCK },
	{ "embed", HTML_SKIP },
	{ "fieldset", HTML_BLOCK },
	{ "figcaption", HTML_BLOCK },
	{ "figure", HTML_PARA },
	{ "footer", HTML_BLOCK },
	{ "form", HTML_BLOCK },
	{ "frameset", HTML_SKIP },
	{ "h1", HTML_PARA },
	{ "h2", HTML_PARA },
	{ "h3", HTML_PARA },
	{ "h4", HTML_PARA },
	{ "h5", HTML_PARA },
	{ "h6", HTML_PARA },
	{ "head", HTML_SKIP },
	{ "header", HTML_BLOCK },
	{ "hgroup", HTML_BLOCK },
	{ "hr", HTML_PARA | HTML_HR },
	{ "iframe", HTML_MEDIA },
	{ "img", HTML_IMG },
	{ "input", HTML_SKIP },
	{ "legend", HTML_BLOCK },
	{ "li", HTML_BLOCK | HTML_ITEM },
	{ "listing", HTML_PARA | HTML_PRE },
	{ "main", HTML_BLOCK },
	{ "map", HTML_SKIP },
	{ "math", HTML_SKIP },
	{ "menu", HTML_PARA | HTML_LIST },
	{ "nav", HTML_BLOCK },
	{ "noembed", HTML_SKIP },
	{ "noframes", HTML_SKIP },
	{ "object", HTML_SKIP },
	{ "ol", HTML_PARA | HTML_LIST | HTML_OL },
	{ "p", HTML_PARA },
	{ "plaintext", HTML_PARA | HTML_PRE },
	{ "pre", HTML_PARA | HTML_PRE },
	{ "q", HTML_Q },
	{ "script", HTML_SKIP },
	{ "section", HTML_BLOCK },
	{ "select", HTML_SKIP },
	{ "source", HTML_SOURCE },
	{ "style", HTML_SKIP },
	{ "summary", HTML_BLOCK },
	{ "svg", HTML_SKIP },
	{ "table", HTML_PARA },
	{ "td", HTML_CELL },
	{ "template", HTML_SKIP },
	{ "textarea", HTML_SKIP },
	{ "th", HTML_CELL },
	{ "title", HTML_SKIP },
	{ "tr", HTML_BLOCK },
	{ "ul", HTML_PARA | HTML_LIST },
	{ "video", HTML_MEDIA },
	{ "xmp", HTML_PARA | HTML_PRE },
};

/* One indented level: a list, a list item or a blockquote. */
struct html_level {
	int		 type;		/* HTML_LIST, HTML_ITEM, HTML_QUOTE */
	int		 ordered;	/* HTML_LIST: ol */
	long		 next;		/* HTML_LIST: next ol number */
	char		 marker[24];	/* HTML_ITEM: "* ", "12. " */
	int		 marked;	/* HTML_ITEM: marker written */
};

/* The writer's state. */
struct html_state {
	struct buf	 out;
	int		 flags;
	size_t		 cap;		/* stop writing at this length */
	int		 full;		/* cap reached */
	int		 nl;		/* newlines owed before next text */
	int		 space;		/* a space owed before next text */
	int		 pre;		/* inside pre: keep whitespace */
	struct html_level levels[HTML_MAX_LEVELS];
	int		 nlevels;
	int		 line_levels;	/* nlevels of the last line */
	int		 overflow;	/* levels past HTML_MAX_LEVELS */
	char		**links;
	size_t		 nlinks;
	size_t		 anchors[HTML_MAX_LEVELS]; /* open <a>: link numbers */
	int		 nanchors;
	int		 aoverflow;	/* <a> past HTML_MAX_LEVELS */
	int		 skip;		/* inside a dropped element: depth */
	const char	*media;		/* skipped media: its label */
	char		*media_src;	/* ... and its src */
	htmlParserCtxtPtr ctxt;		/* to stop it when full */
};

/* ASCII letter or digit, whatever the locale. */
static int
html_isalnum(char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'));
}

/* Order elements by name for bsearch. */
static int
html_elem_cmp(const void *key, const void *elem)
{
	return (strcasecmp(key, ((const struct html_elem *)elem)->name));
}

/* The layout flags of an element. */
static int
html_elem_flags(const char *name)
{
	const struct html_elem	*e;

	e = bsearch(name, html_elems, sizeof html_elems /
	    sizeof html_elems[0], sizeof html_elems[0], html_elem_cmp);
	return (e == NULL ? 0 : e->flags);
}

/*
 * Windows-1252 for the C1 range: HTML5 maps "&#146;" to U+2019 as every
 * browser does, and feeds converted from Windows text are full of these.
 * Zero marks the five holes, which stay C1 and are dropped.
 */
static const uint16_t html_cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/* Encode a code point as UTF-8 into out (4 bytes); returns the length. */
static size_t
html_utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return (1);
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return (3);
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return (4);
}

/*
 * Read a numeric character reference ("&#8217;", "&#x2019;", the ';'
 * optional as in libxml2) at s, n bytes.  Returns its length, 0 if s does
 * not start with "&#".  *cp is the character, or 0 for what libxml2
 * refuses (NUL, surrogates, beyond U+10FFFF, U+FFFE/FFFF, C0 controls but
 * tab, newline and carriage return); *mapped says a C1 reference was
 * mapped through Windows-1252.
 */
static size_t
html_charref(const char *s, size_t n, uint32_t *cp, int *mapped)
{
	uint32_t	v = 0;
	size_t		i = 2, start;
	int		hex = 0, d;

	*mapped = 0;
	if (n < 3 || s[0] != '&' || s[1] != '#')
		return (0);
	if (s[2] == 'x' || s[2] == 'X') {
		hex = 1;
		i = 3;
	}
	for (start = i; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (hex && s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (hex && s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			break;
		v = v * (hex ? 16 : 10) + (uint32_t)d;
		if (v > 0x110000)
			v = 0x110000;	/* saturate: no overflow */
	}
	if (i == start)
		v = 0;		/* "&#;", "&#x": dropped, as libxml2 does */
	if (i < n && s[i] == ';')
		i++;
	if (v >= 0x80 && v <= 0x9f && html_cp1252[v - 0x80] != 0) {
		v = html_cp1252[v - 0x80];
		*mapped = 1;
	}
	if (v == 0 || (v < 0x20 && v != '\t' && v != '\n' && v != '\r') ||
	    (v >= 0xd800 && v <= 0xdfff) || v == 0xfffe || v == 0xffff ||
	    v > 0x10ffff)
		v = 0;
	*cp = v;
	return (i);
}

/*
 * Return the input as valid UTF-8 without NUL bytes, so that libxml2 never
 * falls back to Latin-1 for the whole document: bad bytes become U+FFFD.
 * Character references to C1 code points become their Windows-1252
 * characters (see html_cp1252).  Returns NULL when the input is clean.
 */
char *
html_clean_input(const char *s, size_t *lenp)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct buf		 b;
	uint32_t		 cp;
	size_t			 i, n = *lenp, len, rlen, clean = 0;
	char			 enc[4];
	int			 mapped, dirty = 0;

	for (i = 0; i < n && !dirty; i += len) {
		if ((len = util_utf8_decode((const char *)p + i, n - i, &cp)) == 0 || cp == 0)
			dirty = 1;
		else if (cp == '&' && html_charref(s + i, n - i, &cp,
		    &mapped) != 0 && mapped)
			dirty = 1;
	}
	if (!dirty)
		return (NULL);
	memset(&b, 0, sizeof b);
	for (i = 0; i < n; i += len) {
		len = util_utf8_decode((const char *)p + i, n - i, &cp);
		if (len == 0) {
			buf_add(&b, s + clean, i - clean);
			buf_adds(&b, "\xef\xbf\xbd");
			len = 1;
			clean = i + 1;
		} else if (cp == 0) {
			buf_add(&b, s + clean, i - clean);
			clean = i + 1;
		} else if (cp == '&' && (rlen = html_charref(s + i, n - i,
		    &cp, &mapped)) != 0 && mapped) {
			buf_add(&b, s + clean, i - clean);
			buf_add(&b, enc, html_utf8_put(cp, enc));
			len = rlen;
			clean = i + rlen;
		}
	}
	buf_add(&b, s + clean, n - clean);
	*lenp = b.len;
	return (b.data);
}

/* Append the current line prefix: quotes, list indents, a marker. */
static void
html_prefix(struct html_state *st, int blank)
{
	struct html_level	*l;
	size_t			 start = st->out.len;
	int			 i, n;

	/*
	 * A blank line belongs to the levels both around it share: no "> "
	 * on the blank line before a blockquote.
	 */
	n = st->nlevels;
	if (blank && st->line_levels < n)
		n = st->line_levels;
	else if (!blank)
		st->line_levels = n;
	for (i = 0; i < n; i++) {
		l = &st->levels[i];
		switch (l->type) {
		case HTML_QUOTE:
			buf_adds(&st->out, "> ");
			break;
		case HTML_LIST:
			buf_adds(&st->out, "  ");
			break;
		case HTML_ITEM:
			if (!l->marked && !blank) {
				buf_adds(&st->out, l->marker);
				l->marked = 1;
			} else
				buf_add(&st->out, "        ",
				    strlen(l->marker));
			break;
		}
	}
	if (blank) {
		while (st->out.len > start && st->out.data[st->out.len - 1] ==
		    ' ')
			st->out.len--;
		buf_addc(&st->out, '\n');
	}
}

/* End the line: drop trailing spaces, then a newline. */
static void
html_newline(struct html_state *st)
{
	while (st->out.len > 0 && st->out.data[st->out.len - 1] == ' ')
		st->out.len--;
	buf_addc(&st->out, '\n');
}

/* Pay the newlines or space owed before the next visible character. */
static void
html_flush(struct html_state *st)
{
	int	i;

	if (st->out.len == 0) {
		st->nl = st->space = 0;
		if (!(st->flags & HTML_TEXT_INLINE))
			html_prefix(st, 0);
		return;
	}
	if (st->nl > 0) {
		html_newline(st);
		for (i = 1; i < st->nl && st->out.len < st->cap; i++)
			html_prefix(st, 1);
		html_prefix(st, 0);
	} else if (st->space)
		buf_addc(&st->out, ' ');
	st->nl = st->space = 0;
}

/* Ask for n line breaks (at most one blank line) before the next text. */
static void
html_break(struct html_state *st, int n)
{
	if (st->flags & HTML_TEXT_INLINE) {
		st->space = 1;
		return;
	}
	if (st->nl < n)
		st->nl = n;
}

/*
 * Append text: fold whitespace (unless in pre), replace bad UTF-8 with
 * U+FFFD, drop control characters.
 */
static void
html_text(struct html_state *st, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 len, i;

	for (i = 0; i < n && !st->full; i += len) {
		if (p[i] > ' ' && p[i] < 0x7f) {
			/* A run of visible ASCII: the common case. */
			for (len = 1; i + len < n && p[i + len] > ' ' &&
			    p[i + len] < 0x7f; len++)
				;
			html_flush(st);
			if (st->out.len + len >= st->cap) {
				len = st->cap > st->out.len ?
				    st->cap - st->out.len : 0;
				st->full = 1;
			}
			buf_add(&st->out, p + i, len);
			if (len == 0)
				break;
			continue;
		}
		len = util_utf8_decode((const char *)p + i, n - i, &cp);
		if (len == 0) {
			len = 1;
			cp = 0xfffd;
		}
		if (cp == 0xa0 && !(st->flags & HTML_TEXT_INLINE)) {
			/* No-break space: kept, but as a plain space. */
			html_flush(st);
			buf_addc(&st->out, ' ');
			continue;
		}
		if (cp == 0xad)
			continue;	/* soft hyphen: invisible unless split */
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
		    cp == '\f' || cp == 0xa0 || cp == 0x2028 || cp == 0x2029) {
			if (!st->pre || (st->flags & HTML_TEXT_INLINE)) {
				st->space = 1;
				continue;
			}
			if (cp == '\n' && st->nl < INT_MAX)
				st->nl++;	/* every line of pre counts */
			if (cp != ' ' && cp != '\t')
				continue;
		}
		if ((cp < 0x20 && cp != '\t') || cp == 0x7f ||
		    (cp >= 0x80 && cp <= 0x9f))
			continue;
		html_flush(st);
		if (cp == 0xfffd && len == 1)
			buf_adds(&st->out, "\xef\xbf\xbd");
		else
			buf_add(&st->out, p + i, len);
		if (st->out.len >= st->cap)
			st->full = 1;
	}
}

/*
 * Plain text with character references but no tags (most titles): decode
 * the references as libxml2 would, without building a document.
 */
static void
html_decode(struct html_state *st, const char *s, size_t n)
{
	const htmlEntityDesc	*e;
	const char		*amp;
	char			 name[32], enc[4];
	uint32_t		 cp;
	size_t			 i, k, len;
	int			 mapped;

	while (n > 0 && !st->full) {
		if ((amp = memchr(s, '&', n)) == NULL) {
			html_text(st, s, n);
			return;
		}
		html_text(st, s, (size_t)(amp - s));
		n -= (size_t)(amp - s);
		s = amp;
		if ((len = html_charref(s, n, &cp, &mapped)) != 0) {
			if (cp != 0)
				html_text(st, enc, html_utf8_put(cp, enc));
			s += len;
			n -= len;
			continue;
		}
		/* A named reference: letters and digits, then ';'. */
		for (i = 1, k = 0; i < n && k < sizeof name - 1 &&
		    html_isalnum(s[i]); i++)
			name[k++] = s[i];
		name[k] = '\0';
		if (k > 0 && i < n && s[i] == ';' &&
		    (e = htmlEntityLookup((const xmlChar *)name)) != NULL) {
			html_text(st, enc, html_utf8_put(e->value, enc));
			s += i + 1;
			n -= i + 1;
			continue;
		}
		html_text(st, "&", 1);
		s++;
		n--;
	}
}

/* Append text that belongs to the previous word ("[3]" after a link). */
static void
html_glue(struct html_state *st, const char *s)
{
	int	nl = st->nl, space = st->space;

	if (st->out.len == 0) {
		html_text(st, s, strlen(s));
		return;
	}
	st->nl = st->space = 0;
	html_text(st, s, strlen(s));
	st->nl = nl;
	st->space = space;
}

/* Push an indented level, or count it when too deep. */
static struct html_level *
html_push(struct html_state *st, int type)
{
	struct html_level	*l;

	if (st->nlevels == HTML_MAX_LEVELS) {
		st->overflow++;
		return (NULL);
	}
	l = &st->levels[st->nlevels++];
	memset(l, 0, sizeof *l);
	l->type = type;
	return (l);
}

/* Pop the level html_push() made. */
static void
html_pop(struct html_state *st)
{
	if (st->overflow > 0)
		st->overflow--;
	else if (st->nlevels > 0) {
		st->nlevels--;
		if (st->line_levels > st->nlevels)
			st->line_levels = st->nlevels;
	}
}

/* An attribute's value from libxml2's SAX list, or NULL. */
static const char *
html_attr(const xmlChar **atts, const char *name)
{
	for (; atts != NULL && atts[0] != NULL; atts += 2) {
		if (strcasecmp((const char *)atts[0], name) == 0)
			return (atts[1] != NULL ? (const char *)atts[1] : "");
	}
	return (NULL);
}

/* The number of a link, adding it to the list; 0 when not listed. */
static size_t
html_link(struct html_state *st, const char *href)
{
	size_t	i;

	while (*href == ' ' || (*href >= '\t' && *href <= '\r'))
		href++;
	if (*href == '\0' || *href == '#' ||
	    strncasecmp(href, "javascript:", 11) == 0)
		return (0);
	for (i = 0; i < st->nlinks; i++) {
		if (strcmp(st->links[i], href) == 0)
			return (i + 1);
	}
	if (st->nlinks == HTML_MAX_LINKS)
		return (0);
	st->links = xreallocarray(st->links, st->nlinks + 1,
	    sizeof *st->links);
	st->links[st->nlinks++] = xstrdup(href);
	return (st->nlinks);
}

/* Write an image as "[image: alt]"; tracking pixels are left out. */
static void
html_image(struct html_state *st, const xmlChar **atts)
{
	const char	*alt, *w, *h;

	w = html_attr(atts, "width");
	h = html_attr(atts, "height");
	if ((w != NULL && strtol(w, NULL, 10) <= 1) ||
	    (h != NULL && strtol(h, NULL, 10) <= 1))
		return;
	alt = html_attr(atts, "alt");
	if (st->flags & HTML_TEXT_INLINE) {
		if (alt != NULL)
			html_text(st, alt, strlen(alt));
		return;
	}
	st->space = 1;
	html_text(st, "[image", 6);
	if (alt != NULL && alt[strspn(alt, " \t\r\n")] != '\0') {
		html_glue(st, ":");
		html_text(st, " ", 1);
		html_text(st, alt, strlen(alt));
	}
	html_glue(st, "]");
	st->space = 1;
}

/*
 * Write a skipped video, audio or iframe as "[video]", numbered like a
 * link when links are listed (its src, or its first <source src>).
 */
static void
html_media(struct html_state *st)
{
	char	num[32];
	size_t	k;

	st->space = 1;
	html_text(st, st->media, strlen(st->media));
	if ((st->flags & HTML_TEXT_LINKS) && st->media_src != NULL &&
	    (k = html_link(st, st->media_src)) != 0) {
		snprintf(num, sizeof num, "[%zu]", k);
		html_glue(st, num);
	}
	st->space = 1;
	free(st->media_src);
	st->media_src = NULL;
	st->media = NULL;
}

/* Start dropping an element and its content. */
static void
html_skip(struct html_state *st, const char *media, const xmlChar **atts)
{
	const char	*src;

	st->skip = 1;
	if (media == NULL || (st->flags & HTML_TEXT_INLINE))
		return;
	st->media = media;
	if ((src = html_attr(atts, "src")) != NULL)
		st->media_src = xstrdup(src);
}

/* SAX: an element starts. */
static void
html_start_cb(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	struct html_state	*st = ctx;
	struct html_level	*l, *list;
	const char		*name = (const char *)xname, *v;
	size_t			 k;
	int			 f, i;

	if (st->full) {
		xmlStopParser(st->ctxt);
		return;
	}
	f = html_elem_flags(name);
	if (st->skip > 0) {
		st->skip++;
		if ((f & HTML_SOURCE) && st->media != NULL &&
		    st->media_src == NULL &&
		    (v = html_attr(atts, "src")) != NULL)
			st->media_src = xstrdup(v);
		return;
	}
	if (f & HTML_BR) {
		if (st->flags & HTML_TEXT_INLINE)
			st->space = 1;
		else if (st->out.len > 0 && st->nl < 2)
			st->nl++;
		return;
	}
	if (f & HTML_IMG) {
		html_image(st, atts);
		return;
	}
	if (f & HTML_MEDIA) {
		html_skip(st, name[0] == 'v' ? "[video]" : name[0] == 'a' ?
		    "[audio]" : "[iframe]", atts);
		return;
	}
	if (f & HTML_SKIP) {
		html_skip(st, NULL, NULL);
		return;
	}
	if (f & HTML_HR) {
		html_break(st, 2);
		if (!(st->flags & HTML_TEXT_INLINE))
			html_text(st, "----", 4);
		html_break(st, 2);
		return;
	}
	if (f & HTML_Q)
		html_text(st, "\xe2\x80\x9c", 3);	/* “ */
	if (f & HTML_PARA)
		html_break(st, 2);
	else if (f & HTML_BLOCK)
		html_break(st, 1);
	else if (f & HTML_CELL)
		st->space = 1;
	if (st->flags & HTML_TEXT_INLINE)
		return;

	if (f & HTML_A) {
		k = 0;
		if ((st->flags & HTML_TEXT_LINKS) &&
		    (v = html_attr(atts, "href")) != NULL)
			k = html_link(st, v);
		if (st->nanchors < HTML_MAX_LEVELS)
			st->anchors[st->nanchors++] = k;
		else
			st->aoverflow++;
	}
	if (f & HTML_PRE)
		st->pre++;
	if (f & HTML_QUOTE)
		html_push(st, HTML_QUOTE);
	if (f & HTML_LIST) {
		/* Nested lists need no blank line around them. */
		if (st->nlevels > 0 &&
		    st->levels[st->nlevels - 1].type == HTML_ITEM)
			st->nl = 1;
		if ((l = html_push(st, HTML_LIST)) != NULL) {
			l->ordered = (f & HTML_OL) != 0;
			l->next = 1;
			if (l->ordered &&
			    (v = html_attr(atts, "start")) != NULL) {
				l->next = strtol(v, NULL, 10);
				if (l->next < -999999 || l->next > 999999)
					l->next = 1;
			}
		}
	}
	if (f & HTML_ITEM) {
		list = NULL;
		for (i = st->nlevels - 1; i >= 0; i--) {
			if (st->levels[i].type == HTML_LIST) {
				list = &st->levels[i];
				break;
			}
			if (st->levels[i].type == HTML_QUOTE)
				break;
		}
		if ((l = html_push(st, HTML_ITEM)) != NULL) {
			if (f & HTML_DD)
				snprintf(l->marker, sizeof l->marker, "  ");
			else if (list != NULL && list->ordered)
				snprintf(l->marker, sizeof l->marker, "%ld. ",
				    list->next++);
			else
				snprintf(l->marker, sizeof l->marker, "* ");
		}
	}
}

/* SAX: an element ends (libxml2 closes every element it opened). */
static void
html_end_cb(void *ctx, const xmlChar *xname)
{
	struct html_state	*st = ctx;
	char			 num[32];
	size_t			 k;
	int			 f;

	if (st->skip > 0) {
		if (--st->skip == 0 && st->media != NULL)
			html_media(st);
		return;
	}
	f = html_elem_flags((const char *)xname);
	if (f & (HTML_BR | HTML_IMG | HTML_HR))
		return;		/* all done at the start */
	if (f & HTML_Q)
		html_glue(st, "\xe2\x80\x9d");	/* ” */
	if (f & HTML_PARA)
		html_break(st, 2);
	else if (f & HTML_BLOCK)
		html_break(st, 1);
	if (st->flags & HTML_TEXT_INLINE)
		return;
	if (f & HTML_PRE)
		st->pre--;
	if (f & (HTML_QUOTE | HTML_LIST | HTML_ITEM))
		html_pop(st);
	if ((f & HTML_LIST) && st->nlevels > 0 &&
	    st->levels[st->nlevels - 1].type == HTML_ITEM)
		st->nl = 1;
	if (f & HTML_A) {
		if (st->aoverflow > 0)
			st->aoverflow--;
		else if (st->nanchors > 0 &&
		    (k = st->anchors[--st->nanchors]) != 0) {
			snprintf(num, sizeof num, "[%zu]", k);
			html_glue(st, num);
		}
	}
}

/* SAX: text, whitespace included. */
static void
html_text_cb(void *ctx, const xmlChar *s, int len)
{
	struct html_state	*st = ctx;

	if (st->skip == 0 && len > 0) {
		html_text(st, (const char *)s, (size_t)len);
		if (st->full && st->ctxt != NULL)
			xmlStopParser(st->ctxt);
	}
}

/* SAX: errors go nowhere, whatever handler another module set. */
#if LIBXML_VERSION >= 21200
static void
html_error_cb(void *ctx, const xmlError *error)
#else
static void
html_error_cb(void *ctx, xmlErrorPtr error)
#endif
{
}

/*
 * Run libxml2's HTML parser over html (len bytes of UTF-8) with sax's
 * callbacks and data as their context; errors go nowhere, and no tree is
 * built.  *ctxtp holds the parser while it runs (to stop it).  For this
 * file and sanitize.c; options adds to the common ones.
 */
void
html_sax_parse(htmlSAXHandler *sax, void *data, htmlParserCtxtPtr *ctxtp,
    const char *html, size_t len, int options)
{
	htmlSAXHandler		*oldsax;
	htmlParserCtxtPtr	 ctxt;
	xmlCharEncodingHandler	*utf8;

	sax->initialized = XML_SAX2_MAGIC;	/* so serror is used */
	sax->serror = html_error_cb;
	if ((ctxt = htmlCreateMemoryParserCtxt(html, (int)len)) == NULL)
		return;
	/*
	 * XML_PARSE_HUGE lifts libxml2's limits on text and names; the
	 * input cap bounds the work.  The encoding is fixed: a <meta
	 * charset> inside feed content must not switch it.
	 */
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC |
	    HTML_PARSE_NODEFDTD | XML_PARSE_HUGE | options);
	if ((utf8 = xmlFindCharEncodingHandler("UTF-8")) != NULL)
		xmlSwitchToEncoding(ctxt, utf8);
	oldsax = ctxt->sax;
	ctxt->sax = sax;
	ctxt->userData = data;
	*ctxtp = ctxt;
	htmlParseDocument(ctxt);
	*ctxtp = NULL;
	ctxt->sax = oldsax;
	ctxt->userData = NULL;
	if (ctxt->myDoc != NULL)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	htmlFreeParserCtxt(ctxt);
}

/*
 * Parse with libxml2's HTML parser and lay the text out from its SAX
 * events, so no tree is built: memory stays flat however deep the
 * nesting, and every event costs the same.
 */
static void
html_parse(struct html_state *st, const char *html, size_t len)
{
	htmlSAXHandler		 sax;

	memset(&sax, 0, sizeof sax);
	sax.startElement = html_start_cb;
	sax.endElement = html_end_cb;
	sax.characters = html_text_cb;
	sax.ignorableWhitespace = html_text_cb;
	sax.cdataBlock = html_text_cb;
	html_sax_parse(&sax, st, &st->ctxt, html, len, 0);
	if (st->media != NULL)
		html_media(st);
}

/* Append the numbered link list. */
static void
html_links(struct html_state *st)
{
	char	num[32];
	size_t	i;

	st->nlevels = st->overflow = 0;
	st->pre = 0;
	st->full = 0;
	st->cap = st->out.len + HTML_MAX_OUTPUT;
	for (i = 0; i < st->nlinks && !st->full; i++) {
		html_break(st, i == 0 ? 2 : 1);
		snprintf(num, sizeof num, "[%zu] ", i + 1);
		html_text(st, num, strlen(num));
		html_text(st, st->links[i], strlen(st->links[i]));
	}
}

/*
 * Render HTML as plain text (see the top of the file for flags).  Returns
 * a new string, empty when there is no text; never NULL.
 */
char *
html_to_text(const char *html, size_t len, int flags)
{
	struct html_state	 st;
	char			*clean;
	size_t			 i;

	memset(&st, 0, sizeof st);
	st.flags = flags;
	st.cap = HTML_MAX_OUTPUT;
	if (html == NULL || len == 0)
		return (xstrdup(""));
	if (len > HTML_MAX_INPUT)
		len = HTML_MAX_INPUT;

	if (memchr(html, '<', len) == NULL) {
		/* Plain text, the common case for titles. */
		if (memchr(html, '&', len) == NULL)
			html_text(&st, html, len);
		else
			html_decode(&st, html, len);
	} else {
		if ((clean = html_clean_input(html, &len)) != NULL)
			html = clean;
		html_parse(&st, html, len);
		free(clean);
		if (flags & HTML_TEXT_LINKS)
			html_links(&st);
	}
	for (i = 0; i < st.nlinks; i++)
		free(st.links[i]);
	free(st.links);
	if (st.out.data == NULL)
		return (xstrdup(""));
	while (st.out.len > 0 && (st.out.data[st.out.len - 1] == ' ' ||
	    st.out.data[st.out.len - 1] == '\n'))
		st.out.len--;
	st.out.data[st.out.len] = '\0';
	return (st.out.data);
}

/* ---------------------------------------------------------------- */
/* Feed discovery: <link rel="alternate" type="..."> of an HTML page. */

#define HTML_MAX_FEED_LINKS	32

/* The link types that name a feed. */
static const char *html_feed_types[] = {
	"application/rss+xml", "application/atom+xml",
	"application/feed+json", "application/json", "application/rdf+xml",
};

/* What the link scan collects. */
struct html_linkscan {
	char			*base;		/* page URL, or <base href> */
	int			 base_set;	/* a <base> was seen */
	struct html_link	*links;
	size_t			 n;
};

/* An attribute's value, or NULL. */
static const char *
html_feed_attr(const xmlChar **atts, const char *name)
{
	size_t	i;

	for (i = 0; atts != NULL && atts[i] != NULL; i += 2) {
		if (strcasecmp((const char *)atts[i], name) == 0)
			return (atts[i + 1] != NULL ?
			    (const char *)atts[i + 1] : "");
	}
	return (NULL);
}

/* Whether the space-separated list rel holds "alternate". */
static int
html_rel_alternate(const char *rel)
{
	size_t	n;

	while (*rel != '\0') {
		rel += strspn(rel, " \t\r\n\f");
		n = strcspn(rel, " \t\r\n\f");
		if (n == 9 && strncasecmp(rel, "alternate", 9) == 0)
			return (1);
		rel += n;
	}
	return (0);
}

/* SAX: a <base href> (the first) and each feed <link>. */
static void
html_linkscan_cb(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct html_linkscan	*ls = ctx;
	const char		*href, *rel, *type, *title;
	char			*url, *t;
	size_t			 i, tl;

	href = html_feed_attr(atts, "href");
	if (strcasecmp((const char *)name, "base") == 0) {
		if (href != NULL && !ls->base_set) {
			url = item_resolve(ls->base, href);
			free(ls->base);
			ls->base = url;
			ls->base_set = 1;
		}
		return;
	}
	if (strcasecmp((const char *)name, "link") != 0 || href == NULL ||
	    *href == '\0' || ls->n == HTML_MAX_FEED_LINKS)
		return;
	rel = html_feed_attr(atts, "rel");
	type = html_feed_attr(atts, "type");
	if (rel == NULL || type == NULL || !html_rel_alternate(rel))
		return;
	tl = strcspn(type, "; \t");
	for (i = 0; i < sizeof html_feed_types / sizeof html_feed_types[0];
	    i++) {
		if (strlen(html_feed_types[i]) == tl &&
		    strncasecmp(type, html_feed_types[i], tl) == 0)
			break;
	}
	if (i == sizeof html_feed_types / sizeof html_feed_types[0])
		return;
	url = item_resolve(ls->base, href);
	if (url == NULL)
		return;
	for (i = 0; i < ls->n; i++) {
		if (strcmp(ls->links[i].url, url) == 0) {
			free(url);
			return;
		}
	}
	ls->links = xreallocarray(ls->links, ls->n + 1, sizeof *ls->links);
	ls->links[ls->n].url = url;
	ls->links[ls->n].type = xstrndup(type, tl);
	title = html_feed_attr(atts, "title");
	t = NULL;
	if (title != NULL && *title != '\0')
		t = html_to_text(title, strlen(title), HTML_TEXT_INLINE);
	ls->links[ls->n].title = t;
	ls->n++;
}

/*
 * The feeds an HTML page (len bytes) links to with <link rel="alternate"
 * type="application/rss+xml"> and the like (Atom, JSON Feed, RDF), in page
 * order, each URL made absolute against the page's <base href> or base,
 * duplicates dropped, at most HTML_MAX_FEED_LINKS.  Returns how many, the
 * array in *out (html_links_free()).
 */
size_t
html_feed_links(const char *html, size_t len, const char *base,
    struct html_link **out)
{
	struct html_linkscan	 ls;
	htmlSAXHandler		 sax;
	htmlParserCtxtPtr	 ctxt = NULL;
	char			*clean;

	memset(&ls, 0, sizeof ls);
	ls.base = base != NULL ? xstrdup(base) : NULL;
	if (len > HTML_MAX_INPUT)
		len = HTML_MAX_INPUT;
	if ((clean = html_clean_input(html, &len)) != NULL)
		html = clean;
	memset(&sax, 0, sizeof sax);
	sax.startElement = html_linkscan_cb;
	html_sax_parse(&sax, &ls, &ctxt, html, len, 0);
	free(clean);
	free(ls.base);
	*out = ls.links;
	return (ls.n);
}

/* Free what html_feed_links() returned. */
void
html_links_free(struct html_link *links, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(links[i].url);
		free(links[i].type);
		free(links[i].title);
	}
	free(links);
}
