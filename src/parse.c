/*
 * parse.c: the streaming feed parser.  It owns format detection, input
 * decoding (BOM, declared encoding, repair of bytes that are invalid in
 * it), the libxml2 push parser and its SAX2 callbacks, the mapping of RSS
 * 0.9x/1.0/2.0 and Atom 0.3/1.0 elements (with the Dublin Core, content,
 * Media RSS, iTunes, syndication and Atom-in-RSS namespaces) to struct
 * feed_item and struct feed_meta, and item delivery.  JSON Feed input is
 * buffered here and handed to jsonfeed.c at the end.
 *
 * Nothing is built as a tree: each item is collected into capped buffers
 * that are reused for the next item (sfeed style) and handed to the
 * callback when its element ends.
 *
 * Encoding strategy: libxml2 is always fed clean UTF-8 and told to ignore
 * the declared encoding.  UTF-8 input (declared, by default, or BOM) is
 * validated as it streams; a byte that is not valid UTF-8 is taken as
 * Windows-1252 (the usual culprit: Latin-1 text served as UTF-8).  Any other
 * encoding is converted with iconv(3); ISO-8859-1 and US-ASCII are read as
 * Windows-1252, as browsers do; an unconvertible byte becomes U+FFFD.  C0
 * control characters that XML forbids (NUL and friends) are dropped.  So no
 * input needs to be kept for a retry, and one bad byte never costs more than
 * one character.  A document declared Latin-1 whose first non-ASCII
 * character is valid multibyte UTF-8 is read as UTF-8.  A bare '&' that
 * starts no reference ("Q&A") is escaped before libxml2 sees it, outside
 * CDATA sections and comments, since libxml2 would drop it.
 *
 * Entities: XML's five, character references and the HTML named entities
 * (&nbsp;, &rsquo;, ...: rewritten to character references before libxml2
 * sees them, from libxml2's HTML table).  Entities the document declares
 * are expanded only if their value is plain text (nothing nests), within
 * PARSE_MAX_EXPANSION bytes in all; any other reference stays as text.
 * Nothing external is ever loaded (no XML_PARSE_NOENT, no DTD loading,
 * XML_PARSE_NONET), so billion laughs, quadratic blowup and XXE are inert.
 * Numeric references are read as browsers do (&#146; is Windows-1252).
 * libxml2 is fed in fixed blocks, so any split of the input gives the
 * same result.
 *
 * Errors: libxml2 recovers what it can (XML_PARSE_RECOVER) and items keep
 * coming.  parser_finish() fails, with "LINE:COLUMN: message", when there
 * is no root element, the root is not a feed (HTML: "not a feed: HTML
 * document"), libxml2 had to stop, a cap was hit (input, depth), or the
 * document ended inside an element (truncated).  Items delivered before
 * the failure stay delivered; the caller decides what to keep.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include "feedd.h"

/*
 * Index of the lowest set bit, for the eight-bytes-at-a-time scans; they
 * read words as little-endian (the lowest bit is the first byte) and fall
 * back to bytes elsewhere.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PARSE_CTZ64(v)	__builtin_ctzll(v)
#else
#define PARSE_CTZ64(v)	0
#endif

/*
 * Entities a document declares are expanded only when their value is plain
 * text (no '&', no '<': nothing nests, no billion laughs), for at most this
 * many entities of at most this size, and this many bytes in all.
 */
#define PARSE_MAX_ENTITIES	64
#define PARSE_MAX_ENTITY	1024
#define PARSE_MAX_EXPANSION	(1024 * 1024)

/* libxml2 gets the document in blocks of this size (see parse_xml_feed). */
#define PARSE_BLOCK	(16 * 1024)

/* Bytes looked at before deciding format and encoding. */
#define PARSE_HEAD_MAX	1024

/* Where the bare-ampersand scan is. */
#define AMP_TEXT	0
#define AMP_CDATA	1
#define AMP_COMMENT	2

/* Namespace classes: which vocabulary an element belongs to. */
enum parse_ns {
	NS_NONE,	/* no namespace (RSS 0.91-2.0) */
	NS_RSS090,
	NS_RSS10,
	NS_RSS,		/* other RSS namespaces (userland rss2) */
	NS_RDF,
	NS_ATOM10,
	NS_ATOM03,
	NS_DC,
	NS_CONTENT,
	NS_MEDIA,
	NS_ITUNES,
	NS_SY,
	NS_XHTML,
	NS_XML,
	NS_OTHER,
};

/* Elements we act on. */
enum parse_tag {
	T_OTHER,
	T_RSS, T_RDF, T_FEED,
	T_CHANNEL, T_ITEM, T_IMAGE, T_SKIPSUB, T_SKIPHOURS, T_SKIPDAYS,
	T_HOUR, T_DAY,
	T_TITLE, T_LINK, T_DESCRIPTION, T_GUID, T_PUBDATE, T_ENCLOSURE,
	T_CATEGORY, T_RSSAUTHOR, T_TTL, T_LANGUAGE, T_URL,
	T_ID, T_UPDATED, T_PUBLISHED, T_SUMMARY, T_CONTENT, T_AUTHOR,
	T_NAME, T_URI, T_EMAIL, T_SUBTITLE, T_ICON, T_ATOMLINK,
	T_DCCREATOR, T_DCDATE, T_DCSUBJECT, T_DCMODIFIED,
	T_ENCODED,
	T_MCONTENT, T_MTHUMB, T_MGROUP, T_MDESC, T_MTITLE, T_MPLAYER,
	T_XBODY,
	T_IAUTHOR, T_IDURATION, T_IIMAGE, T_ISUMMARY, T_ICATEGORY, T_ILINK,
	T_SYPERIOD, T_SYFREQ,
};

/* How a captured text is to be read. */
#define KIND_TEXT	0
#define KIND_HTML	1
#define KIND_XHTML	2
#define KIND_LITERAL	3	/* Atom type="text" title: no markup */

/* Item text fields, kept in reused buffers. */
enum parse_field {
	F_GUID, F_LINK, F_TITLE, F_HTML, F_TEXT, F_DESC, F_SUMMARY, F_IMAGE,
	F_ABOUT, F_MTITLE, F_PLAYER, F_MDESC, F_NFIELDS
};

/* One open element. */
struct parse_frame {
	char		*base;		/* xml:base in effect (owned if own) */
	int		 own;
	int		 container;	/* its children may be fields */
	enum parse_tag	 tag;		/* what it is, if a container */
};

/* A text field: a reused buffer and the value inside it, or NULL. */
struct parse_field_buf {
	struct buf	 b;
	char		*v;
};

enum parse_mode {
	MODE_DETECT,	/* collecting the first bytes */
	MODE_XML,
	MODE_JSON,
	MODE_FAILED,
};

struct parser {
	parser_item_cb	 cb;
	void		*arg;
	char		*base;		/* document URL, or NULL */

	enum parse_mode	 mode;
	struct buf	 head;		/* first bytes, until detection */
	struct buf	 json;		/* the whole JSON document */
	size_t		 total;		/* bytes pushed */
	iconv_t		 cd;		/* non-UTF-8 input, or (iconv_t)-1 */
	int		 latin_guess;	/* declared Latin-1: UTF-8 really? */
	struct buf	 conv;		/* iconv output */
	struct buf	 join;		/* iconv input with carried bytes */
	struct buf	 join2;		/* UTF-8 input with carried bytes */
	struct buf	 fix;		/* repaired UTF-8 */
	struct buf	 b64;		/* decoded base64 text: not fix, which
					   may hold the input being parsed */
	unsigned char	 carry[8];	/* split sequence between pushes */
	size_t		 ncarry;
	unsigned char	 icarry[16];	/* split sequence for iconv */
	size_t		 nicarry;

	int		 astate;	/* AMP_*: where the '&' scan is */
	int		 amatch;	/* end marker bytes seen so far */
	struct buf	 acarry;	/* undecided tail of the last push */
	struct buf	 ajoin;
	struct buf	 stage;		/* less than a block, for libxml2 */
	struct buf	 aref;		/* a reference's replacement */
	char		*entname[PARSE_MAX_ENTITIES];	/* declared in the */
	char		*entvalue[PARSE_MAX_ENTITIES];	/* internal subset */
	size_t		 nent;
	size_t		 entbytes;	/* expanded so far */

	xmlParserCtxtPtr ctxt;
	xmlSAXHandler	 sax;
	xmlEntity	 ent;		/* HTML entity handed to libxml2 */
	char		 entval[8];
	char		*error;		/* our fatal error: "L:C: msg" */
	char		*lasterr;	/* libxml2's last error */
	int		 rootseen;
	char		*rooturi;	/* a root in an unknown namespace */
	enum parse_ns	 rootns;	/* ... read as this */
	int		 atomdefault;	/* unprefixed elements are Atom */

	/* Element stack. */
	struct parse_frame stack[PARSE_MAX_DEPTH + 2];
	int		 depth;
	int		 skip;		/* ignore everything below this */
	int		 initem;	/* depth of the item, or 0 */
	int		 inchannel;
	int		 inimage;
	int		 inauthor;
	int		 inskiphours;
	int		 inskipdays;

	/* Text being captured. */
	int		 cap;		/* depth, 0 when not capturing */
	enum parse_tag	 captag;
	enum parse_ns	 capns;
	int		 capkind;
	int		 capb64;
	int		 capwrap;	/* xhtml: depth of the wrapper div */
	size_t		 capmax;
	struct buf	 text;

	/* The item being built. */
	struct feed_item item;
	struct parse_field_buf f[F_NFIELDS];
	int		 summary_html;
	int		 mnested;	/* media:description in media:content */
	int		 mdesc_html;	/* ... is HTML */
	int		 guid_permalink;
	int64_t		 duration;
	int		 link_html;	/* url came from a text/html link */
	char		*linkrel, *linktype, *linklen;	/* Atom link */
	struct buf	 aname, auri, aemail;	/* author being built */
	char		 hash[32];

	/* The feed. */
	struct feed_meta meta;
	int64_t		 sy_period;
	int64_t		 sy_freq;
};

static void	 parse_sax_start(void *, const xmlChar *, const xmlChar *,
		     const xmlChar *, int, const xmlChar **, int, int,
		     const xmlChar **);
static void	 parse_sax_end(void *, const xmlChar *, const xmlChar *,
		     const xmlChar *);
static void	 parse_sax_text(void *, const xmlChar *, int);
static xmlEntityPtr parse_sax_entity(void *, const xmlChar *);
static void	 parse_sax_error(void *, xmlErrorPtr);
static void	 parse_atom_link(struct parser *, char *);
static int	 parse_is_relative(const char *, size_t);

/* Windows-1252 0x80-0x9f; 0 where the code page leaves a hole. */
static const uint16_t parse_cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/* Append code point c as UTF-8. */
static void
parse_put_utf8(struct buf *b, uint32_t c)
{
	char	s[4];

	if (c < 0x80)
		buf_addc(b, (char)c);
	else if (c < 0x800) {
		s[0] = (char)(0xc0 | (c >> 6));
		s[1] = (char)(0x80 | (c & 0x3f));
		buf_add(b, s, 2);
	} else if (c < 0x10000) {
		s[0] = (char)(0xe0 | (c >> 12));
		s[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		s[2] = (char)(0x80 | (c & 0x3f));
		buf_add(b, s, 3);
	} else {
		s[0] = (char)(0xf0 | (c >> 18));
		s[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		s[3] = (char)(0x80 | (c & 0x3f));
		buf_add(b, s, 4);
	}
}

/*
 * Length of the valid UTF-8 sequence at s (n bytes available): >0 valid,
 * 0 an incomplete but so far valid prefix, -1 invalid.
 */
static int
parse_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char	c = s[0], lo = 0x80, hi = 0xbf;
	int		len, i;

	if (c < 0x80)
		return (1);
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return (-1);
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return (0);
		if (s[i] < lo || s[i] > hi)
			return (-1);
		lo = 0x80;
		hi = 0xbf;
	}
	return (len);
}

/* Whether a valid sequence is a character XML forbids. */
static int
parse_utf8_bad(const unsigned char *s, int len)
{
	if (len == 1)
		return (s[0] < 0x20 && s[0] != '\t' && s[0] != '\n' &&
		    s[0] != '\r');
	/* C1 controls: Windows-1252 text mislabelled, read as such. */
	if (len == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return (1);
	/* U+FFFE and U+FFFF. */
	return (len == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe);
}

/* Length of the leading part of s that is clean, complete UTF-8. */
static size_t
parse_utf8_clean(const unsigned char *s, size_t n)
{
	const uint64_t	 hi = 0x8080808080808080ULL;
	const uint64_t	 sp = 0x2020202020202020ULL;
	uint64_t	 v;
	size_t		 i = 0;
	unsigned char	 c;
	int		 len;

	while (i < n) {
		/* Eight printable ASCII bytes at a time. */
		while (n - i >= 8) {
			memcpy(&v, s + i, 8);
			if ((v = (v | ((v - sp) & ~v)) & hi) != 0) {
				/* Skip to the first byte that is not. */
				i += (size_t)PARSE_CTZ64(v) / 8;
				break;
			}
			i += 8;
		}
		/* Then one character, the common ones inline. */
		if (i >= n)
			break;
		c = s[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				break;
			i++;
		} else if (c >= 0xc2 && c <= 0xdf && n - i >= 2 &&
		    (s[i + 1] & 0xc0) == 0x80 &&
		    (c != 0xc2 || s[i + 1] >= 0xa0))
			i += 2;
		else if (n - i >= 3 && ((c >= 0xe1 && c <= 0xec) ||
		    c == 0xee || (c == 0xef && s[i + 1] != 0xbf)) &&
		    (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80)
			i += 3;
		else {
			len = parse_utf8_len(s + i, n - i);
			if (len <= 0 || parse_utf8_bad(s + i, len))
				break;
			i += len;
		}
	}
	return (i);
}

/*
 * Append s to out, repairing it: invalid bytes are read as Windows-1252,
 * forbidden controls dropped.  Unless final, an incomplete sequence at the
 * end is left alone; returns the bytes consumed.
 */
static size_t
parse_utf8_repair(struct buf *out, const unsigned char *s, size_t n,
    int final)
{
	size_t		i = 0, clean;
	uint32_t	c;
	int		len;

	while (i < n) {
		clean = parse_utf8_clean(s + i, n - i);
		buf_add(out, s + i, clean);
		i += clean;
		if (i >= n)
			break;
		len = parse_utf8_len(s + i, n - i);
		if (len == 0 && !final)
			break;
		if (len == 2) {
			/* U+0080-U+009F: as Windows-1252 ("demoronize"). */
			c = parse_cp1252[s[i + 1] - 0x80];
			parse_put_utf8(out, c != 0 ? c : 0xfffd);
			i += 2;
			continue;
		}
		if (len > 0) {
			i += len;	/* a forbidden character: drop it */
			continue;
		}
		if (s[i] >= 0x80 && s[i] < 0xa0) {
			if (parse_cp1252[s[i] - 0x80] != 0)
				parse_put_utf8(out, parse_cp1252[s[i] - 0x80]);
			else
				parse_put_utf8(out, 0xfffd);
		} else if (s[i] >= 0xa0)
			parse_put_utf8(out, s[i]);
		i++;
	}
	return (i);
}

/*
 * Take s (allocated) and return it as valid UTF-8: s itself when it is,
 * else a repaired copy (s freed).  libxml2 can hand over attribute values
 * with a multi-byte character cut (an HTML entity after broken markup).
 */
static char *
parse_utf8_own(char *s)
{
	struct buf	b = { NULL, 0, 0 };
	size_t		n = strlen(s);

	if (parse_utf8_clean((const unsigned char *)s, n) == n)
		return (s);
	parse_utf8_repair(&b, (const unsigned char *)s, n, 1);
	free(s);
	if (b.data == NULL)
		return (xstrdup(""));
	return (b.data);
}

/* A valid UTF-8 copy of s, for messages that quote input (jsonfeed.c). */
char *
parser_utf8_copy(const char *s)
{
	return (parse_utf8_own(xstrdup(s)));
}

/* Cut an incomplete UTF-8 sequence off the end of b (after a cap). */
static void
parse_utf8_cut(struct buf *b)
{
	size_t	i, back;
	int	len;

	if (b->len == 0)
		return;
	i = b->len;
	for (back = 0; back < 4 && i > 0; back++) {
		i--;
		if (((unsigned char)b->data[i] & 0xc0) != 0x80)
			break;
	}
	len = parse_utf8_len((unsigned char *)b->data + i, b->len - i);
	if (len <= 0 || (size_t)len != b->len - i) {
		b->len = i;
		b->data[i] = '\0';
	}
}

/* Record our own fatal error at the current position; first one wins. */
static void
parse_fail(struct parser *p, const char *msg)
{
	int	line = 1, col = 1;

	if (p->error != NULL)
		return;
	if (p->ctxt != NULL && p->ctxt->input != NULL) {
		line = p->ctxt->input->line;
		col = p->ctxt->input->col;
	}
	xasprintf(&p->error, "%d:%d: %s", line, col, msg);
	if (p->ctxt != NULL)
		xmlStopParser(p->ctxt);
	p->mode = MODE_FAILED;
}

/* Record libxml2's errors; the last one explains a failure. */
static void
parse_sax_error(void *arg, xmlErrorPtr e)
{
	struct parser	*p = arg;
	char		*msg, *s;

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	msg = xstrdup(e->message != NULL ? e->message : "parse error");
	s = util_trim(msg);
	free(p->lasterr);
	xasprintf(&p->lasterr, "%d:%d: %s", e->line > 0 ? e->line : 1,
	    e->int2 > 0 ? e->int2 : 1, s);
	free(msg);
}

/*
 * In recovery mode libxml2 keeps parsing but, once the document is not
 * well-formed, it drops every entity reference (even &amp;).  We keep our
 * own account of errors, so at each callback tell it to carry on as
 * normal (it clears the flag after reporting, so the error callback is
 * too early for this).
 */
static inline void
parse_keep_going(struct parser *p)
{
	if (p->ctxt != NULL && p->ctxt->recovery)
		p->ctxt->wellFormed = 1;
}

/*
 * Entities beyond XML's five: the HTML ones, as feeds use them freely.
 * Entities declared in the document are never expanded (no billion laughs,
 * no external entities).
 */
static xmlEntityPtr
parse_sax_entity(void *arg, const xmlChar *name)
{
	struct parser		*p = arg;
	const htmlEntityDesc	*d;
	struct buf		 b = { NULL, 0, 0 };

	parse_keep_going(p);
	if ((d = htmlEntityLookup(name)) == NULL)
		return (NULL);
	/* In attribute values libxml2 copies only one byte of it. */
	if (d->value >= 0x80 && p->ctxt != NULL &&
	    p->ctxt->instate == XML_PARSER_START_TAG)
		return (NULL);
	parse_put_utf8(&b, d->value);
	memcpy(p->entval, b.data, b.len + 1);
	buf_free(&b);
	memset(&p->ent, 0, sizeof p->ent);
	p->ent.type = XML_ENTITY_DECL;
	p->ent.etype = XML_INTERNAL_PREDEFINED_ENTITY;
	p->ent.name = name;
	p->ent.content = (xmlChar *)p->entval;
	p->ent.orig = (xmlChar *)p->entval;
	p->ent.length = (int)strlen(p->entval);
	return (&p->ent);
}

/* Hand one block to libxml2 and notice when it gives up. */
static void
parse_xml_push(struct parser *p, const char *s, size_t n, int terminate)
{
	if (p->mode == MODE_FAILED)
		return;
	xmlParseChunk(p->ctxt, s, (int)n, terminate);
	if (p->mode != MODE_FAILED && p->ctxt->disableSAX) {
		/* libxml2 gave up: a fatal, unrecoverable error. */
		if (p->error == NULL)
			p->error = xstrdup(p->lasterr != NULL ? p->lasterr :
			    "1:1: parse error");
		p->mode = MODE_FAILED;
	}
}

/*
 * Feed clean UTF-8 to libxml2 in blocks of PARSE_BLOCK bytes, whatever
 * the sizes of the pushes: libxml2's push parser recovers from some
 * malformed input differently depending on where chunks end, and a feed
 * must give the same items however the network splits it.
 */
static void
parse_xml_feed(struct parser *p, const char *s, size_t n, int terminate)
{
	size_t	take;

	if (p->stage.len > 0 && n > 0) {
		take = PARSE_BLOCK - p->stage.len;
		if (take > n)
			take = n;
		buf_add(&p->stage, s, take);
		s += take;
		n -= take;
		if (p->stage.len == PARSE_BLOCK) {
			parse_xml_push(p, p->stage.data, PARSE_BLOCK, 0);
			buf_reset(&p->stage);
		}
	}
	while (n >= PARSE_BLOCK) {
		parse_xml_push(p, s, PARSE_BLOCK, 0);
		s += PARSE_BLOCK;
		n -= PARSE_BLOCK;
	}
	if (n > 0)
		buf_add(&p->stage, s, n);
	if (terminate) {
		parse_xml_push(p, p->stage.data != NULL ? p->stage.data : "",
		    p->stage.len, 1);
		buf_reset(&p->stage);
	}
}

/*
 * Whether s (n bytes, at an '&') starts a character or entity reference:
 * 1 yes, 0 no, -1 cannot tell without more bytes.
 */
static int
parse_amp_ref(const unsigned char *s, size_t n)
{
	size_t	i, start;
	int	hex = 0;

	if (n < 2)
		return (-1);
	if (s[1] == '#') {
		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		start = i;
		while (i < n && i < 16 && (hex ? isxdigit(s[i]) :
		    isdigit(s[i])))
			i++;
		if (i >= n)
			return (i < 16 ? -1 : 0);
		return (i > start && s[i] == ';');
	}
	if (!isalpha(s[1]) && s[1] != '_' && s[1] != ':' && s[1] < 0x80)
		return (0);
	for (i = 2; i < n && i < 64; i++) {
		if (!isalnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != ':' && s[i] != '-' && s[i] < 0x80)
			break;
	}
	if (i >= n)
		return (i < 64 ? -1 : 0);
	return (s[i] == ';');
}

/*
 * s is at an '&' that starts a complete reference.  Rewrite what libxml2
 * would get wrong, as browsers and feed readers read it: an HTML entity
 * that XML lacks (&nbsp;) becomes its character reference (which also
 * works in attribute values, where libxml2 would copy only the first byte
 * of an entity's value); an unknown entity stays as text ("&amp;foo;");
 * a character reference to a C1 control is read as Windows-1252
 * (&#146; is a quote), one to a character XML forbids becomes U+FFFD, and
 * "&#X41;" is read as "&#x41;".  Writes the replacement to ref and returns
 * the length of the reference replaced, or 0 to keep it.
 */
static size_t
parse_amp_rewrite(struct parser *p, const unsigned char *s)
{
	const htmlEntityDesc	*d;
	const char		*e;
	char			 name[64];
	uint32_t		 v = 0, c;
	size_t			 i, k;
	int			 hex = 0;

	buf_reset(&p->aref);

	if (s[1] == '#') {
		i = 2;
		if (s[i] == 'x' || s[i] == 'X')
			hex = s[i++];
		for (; s[i] != ';'; i++) {
			c = isdigit(s[i]) ? (uint32_t)(s[i] - '0') :
			    (uint32_t)(tolower(s[i]) - 'a' + 10);
			if (v < 0x110000)
				v = v * (hex ? 16 : 10) + c;
		}
		c = v;
		if (v >= 0x80 && v < 0xa0)
			c = parse_cp1252[v - 0x80] != 0 ?
			    parse_cp1252[v - 0x80] : 0xfffd;
		else if ((v < 0x20 && v != '\t' && v != '\n' && v != '\r') ||
		    (v >= 0xd800 && v < 0xe000) || v == 0xfffe ||
		    v == 0xffff || v > 0x10ffff)
			c = 0xfffd;
		if (c == v && hex != 'X')
			return (0);
		buf_printf(&p->aref, "&#%u;", c);
		return (i + 1);
	}
	for (i = 1; i < sizeof name && s[i] != ';'; i++)
		name[i - 1] = (char)s[i];
	if (i >= sizeof name)
		return (0);
	name[i - 1] = '\0';
	if (strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 ||
	    strcmp(name, "gt") == 0 || strcmp(name, "quot") == 0 ||
	    strcmp(name, "apos") == 0)
		return (0);
	for (k = 0; k < p->nent; k++) {
		if (strcmp(p->entname[k], name) != 0 ||
		    p->entbytes > PARSE_MAX_EXPANSION)
			continue;
		/* Declared by the document: its plain-text value. */
		for (e = p->entvalue[k]; *e != '\0'; e++) {
			if (*e == '"')
				buf_adds(&p->aref, "&#34;");
			else if (*e == '\'')
				buf_adds(&p->aref, "&#39;");
			else
				buf_addc(&p->aref, *e);
		}
		p->entbytes += p->aref.len;
		return (i + 1);
	}
	if ((d = htmlEntityLookup((const xmlChar *)name)) != NULL)
		buf_printf(&p->aref, "&#%u;", d->value);
	else
		buf_printf(&p->aref, "&amp;%s;", name);
	return (i + 1);
}

/*
 * Note an entity declaration (s is at "<!ENTITY", n bytes available) whose
 * value is plain text; the declaration itself passes on unchanged.
 * Returns -1 when more bytes are needed to tell, else 0.
 */
static int
parse_entity_decl(struct parser *p, const unsigned char *s, size_t n,
    int final)
{
	const unsigned char	*e = s + n, *t = s + 8, *name, *v, *q;
	size_t			 nlen;

	while (t < e && isspace(*t))
		t++;
	name = t;
	while (t < e && (isalnum(*t) || *t == '_' || *t == ':' ||
	    *t == '.' || *t == '-' || *t >= 0x80))
		t++;
	nlen = (size_t)(t - name);
	while (t < e && isspace(*t))
		t++;
	if (t >= e || (t < e && (*t == '"' || *t == '\'') &&
	    (q = memchr(t + 1, *t, (size_t)(e - t - 1))) == NULL)) {
		/* Cut off: wait for the rest, within reason. */
		return (!final && n < PARSE_MAX_ENTITY + 128 ? -1 : 0);
	}
	if (nlen == 0 || nlen >= 64 || (*t != '"' && *t != '\''))
		return (0);	/* a parameter or external entity */
	v = t + 1;
	q = memchr(v, *t, (size_t)(e - v));
	if (q == NULL || (size_t)(q - v) > PARSE_MAX_ENTITY ||
	    memchr(v, '&', (size_t)(q - v)) != NULL ||
	    memchr(v, '<', (size_t)(q - v)) != NULL ||
	    p->nent >= PARSE_MAX_ENTITIES)
		return (0);
	p->entname[p->nent] = xstrndup((const char *)name, nlen);
	p->entvalue[p->nent] = xstrndup((const char *)v, (size_t)(q - v));
	p->nent++;
	return (0);
}

/*
 * Escape bare ampersands ("Fish & Chips", "?a=1&b=2"), which libxml2
 * would drop, then feed libxml2.  CDATA sections and comments are left
 * alone; a tail that cannot be decided yet waits for the next push.
 */
static void
parse_amp_feed(struct parser *p, const char *buf, size_t n, int final)
{
	const uint64_t		 hi = 0x8080808080808080ULL;
	const uint64_t		 lo = 0x0101010101010101ULL;
	const uint64_t		 amp = 0x2626262626262626ULL;	/* '&' */
	const uint64_t		 lt = 0x3c3c3c3c3c3c3c3cULL;	/* '<' */
	const unsigned char	*s = (const unsigned char *)buf;
	const char		*term, *hit;
	uint64_t		 v;
	size_t			 i = 0, start = 0, left, len;
	int			 r;

	if (p->acarry.len > 0) {
		buf_reset(&p->ajoin);
		buf_add(&p->ajoin, p->acarry.data, p->acarry.len);
		buf_add(&p->ajoin, buf, n);
		buf_reset(&p->acarry);
		s = (const unsigned char *)p->ajoin.data;
		buf = p->ajoin.data;
		n = p->ajoin.len;
	}
	while (i < n) {
		if (p->astate != AMP_TEXT) {
			term = p->astate == AMP_CDATA ? "]]>" : "-->";
			while (p->amatch > 0 && i < n) {
				if (s[i] != (unsigned char)term[p->amatch]) {
					p->amatch = 0;
					break;
				}
				i++;
				if (++p->amatch == 3) {
					p->amatch = 0;
					p->astate = AMP_TEXT;
					break;
				}
			}
			if (p->astate == AMP_TEXT || i >= n)
				continue;
			/* The end marker's first byte is rare in text. */
			hit = memchr(s + i, term[0], n - i);
			while (hit != NULL && (size_t)((const unsigned char *)
			    hit - s) + 3 <= n && memcmp(hit, term, 3) != 0)
				hit = memchr(hit + 1, term[0], n - (size_t)
				    ((const unsigned char *)hit + 1 - s));
			if (hit != NULL && (size_t)((const unsigned char *)
			    hit - s) + 3 <= n) {
				i = (size_t)((const unsigned char *)hit -
				    s) + 3;
				p->astate = AMP_TEXT;
				continue;
			}
			if (n - i >= 2 && s[n - 2] == term[0] &&
			    s[n - 1] == term[1])
				p->amatch = 2;
			else if (s[n - 1] == term[0])
				p->amatch = 1;
			i = n;
			break;
		}
		if (s[i] != '&' && s[i] != '<') {
			i++;
			/* Eight bytes at a time while none is '&' or '<'. */
			while (n - i >= 8) {
				memcpy(&v, s + i, 8);
				v = ((((v ^ amp) - lo) & ~(v ^ amp)) |
				    (((v ^ lt) - lo) & ~(v ^ lt))) & hi;
				if (v != 0) {
					i += (size_t)PARSE_CTZ64(v) / 8;
					break;
				}
				i += 8;
			}
			continue;
		}
		left = n - i;
		if (s[i] == '<') {
			if (left >= 2 && s[i + 1] != '!') {
				i += 2;
				continue;
			}
			if (left >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
				p->astate = AMP_CDATA;
				i += 9;
			} else if (left >= 4 && memcmp(s + i, "<!--", 4) == 0) {
				p->astate = AMP_COMMENT;
				i += 4;
			} else if (left >= 8 &&
			    memcmp(s + i, "<!ENTITY", 8) == 0) {
				if (parse_entity_decl(p, s + i, left,
				    final) < 0)
					break;
				i += 8;
			} else if (!final && (memcmp(s + i, "<![CDATA[",
			    left < 9 ? left : 9) == 0 ||
			    memcmp(s + i, "<!--", left < 4 ? left : 4) == 0 ||
			    memcmp(s + i, "<!ENTITY",
			    left < 8 ? left : 8) == 0))
				break;
			else
				i++;
			continue;
		}
		r = parse_amp_ref(s + i, left);
		if (r == -1 && !final)
			break;
		if (r != 1) {
			if (i > start)
				parse_xml_feed(p, buf + start, i - start, 0);
			parse_xml_feed(p, "&amp;", 5, 0);
			start = i + 1;
		} else if ((len = parse_amp_rewrite(p, s + i)) > 0) {
			if (i > start)
				parse_xml_feed(p, buf + start, i - start, 0);
			parse_xml_feed(p, p->aref.data, p->aref.len, 0);
			start = i + len;
			i += len;
			continue;
		}
		i++;
	}
	if (i < n)
		buf_add(&p->acarry, s + i, n - i);
	parse_xml_feed(p, buf + start, i - start, final);
}

/* Repair UTF-8 input and feed it to libxml2. */
static void
parse_utf8_feed(struct parser *p, const char *buf, size_t len, int final)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 clean, used;

	if (p->ncarry == 0) {
		clean = parse_utf8_clean(s, len);
		if (clean == len) {
			parse_amp_feed(p, buf, len, final);
			return;
		}
		if (clean > 0)
			parse_amp_feed(p, buf, clean, 0);
		s += clean;
		len -= clean;
		buf_reset(&p->fix);
		used = parse_utf8_repair(&p->fix, s, len, final);
	} else {
		/* Join the split sequence with the new bytes. */
		buf_reset(&p->fix);
		buf_reset(&p->join2);
		buf_add(&p->join2, p->carry, p->ncarry);
		buf_add(&p->join2, s, len);
		s = (const unsigned char *)p->join2.data;
		len = p->join2.len;
		used = parse_utf8_repair(&p->fix, s, len, final);
	}
	p->ncarry = len - used;
	if (p->ncarry > 0)
		memmove(p->carry, s + used, p->ncarry);
	parse_amp_feed(p, p->fix.data != NULL ? p->fix.data : "",
	    p->fix.len, final);
}

/* Make room for n more bytes in b. */
static void
parse_reserve(struct buf *b, size_t n)
{
	if (b->cap - b->len > n)
		return;
	b->cap = b->len + n + 1;
	b->data = xrealloc(b->data, b->cap);
}

/* Convert input in another encoding to UTF-8 and feed it. */
static void
parse_iconv_feed(struct parser *p, const char *buf, size_t len, int final)
{
	struct buf	*out = &p->conv;
	char		*ip, *op;
	size_t		 il, ol, r;

	buf_reset(&p->join);
	buf_add(&p->join, p->icarry, p->nicarry);
	buf_add(&p->join, buf, len);
	p->nicarry = 0;
	ip = p->join.data;
	il = p->join.len;
	buf_reset(out);
	while (il > 0) {
		parse_reserve(out, 64 + il * 4);
		op = out->data + out->len;
		ol = out->cap - out->len - 1;
		r = iconv(p->cd, &ip, &il, &op, &ol);
		out->len = (size_t)(op - out->data);
		out->data[out->len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		if (errno == EINVAL && !final && il < sizeof p->icarry) {
			memcpy(p->icarry, ip, il);
			p->nicarry = il;
			break;
		}
		/* Invalid or truncated: one replacement character. */
		parse_put_utf8(out, 0xfffd);
		ip++;
		il--;
		iconv(p->cd, NULL, NULL, NULL, NULL);
	}
	parse_utf8_feed(p, out->data != NULL ? out->data : "", out->len,
	    final);
}

/*
 * A document declared Latin-1 (or ASCII, or Windows-1252) is often UTF-8
 * in truth.  Decide at its first non-ASCII character: if that is a valid
 * multibyte UTF-8 sequence (Latin-1 text almost never holds one), read the
 * document as UTF-8.  Returns 1 when it handled the input itself.
 */
static int
parse_latin_guess(struct parser *p, const char *buf, size_t len, int final)
{
	struct buf	 tmp = { NULL, 0, 0 };
	size_t		 i;
	int		 r;

	if (p->nicarry > 0) {
		buf_add(&tmp, p->icarry, p->nicarry);
		buf_add(&tmp, buf, len);
		p->nicarry = 0;
		buf = tmp.data;
		len = tmp.len;
	}
	for (i = 0; i < len && (unsigned char)buf[i] < 0x80; i++)
		;
	if (i == len) {
		/* ASCII so far reads the same either way. */
		parse_utf8_feed(p, buf, len, final);
		buf_free(&tmp);
		return (1);
	}
	r = parse_utf8_len((const unsigned char *)buf + i, len - i);
	if (r == 0 && !final) {
		parse_utf8_feed(p, buf, i, 0);
		memcpy(p->icarry, buf + i, len - i);
		p->nicarry = len - i;
		buf_free(&tmp);
		return (1);
	}
	p->latin_guess = 0;
	if (r > 1) {
		iconv_close(p->cd);
		p->cd = (iconv_t)-1;
	}
	if (tmp.data != NULL) {
		if (p->cd != (iconv_t)-1)
			parse_iconv_feed(p, buf, len, final);
		else
			parse_utf8_feed(p, buf, len, final);
		buf_free(&tmp);
		return (1);
	}
	return (0);
}

/* Pass input on to the decoder chosen at detection. */
static void
parse_decode(struct parser *p, const char *buf, size_t len, int final)
{
	if (p->latin_guess && parse_latin_guess(p, buf, len, final))
		return;
	if (p->cd != (iconv_t)-1)
		parse_iconv_feed(p, buf, len, final);
	else
		parse_utf8_feed(p, buf, len, final);
}

/* Map a declared encoding to what we read it as. */
static const char *
parse_encoding_name(const char *enc)
{
	static const char *latin[] = { "iso-8859-1", "iso8859-1", "latin1",
	    "latin-1", "l1", "iso_8859-1", "us-ascii", "ascii", "cp819",
	    "ibm819", "iso-ir-100", "windows-1252", "cp1252", "x-cp1252",
	    NULL };
	size_t	i;

	if (enc == NULL || strcasecmp(enc, "utf-8") == 0 ||
	    strcasecmp(enc, "utf8") == 0 ||
	    strncasecmp(enc, "utf-16", 6) == 0 ||
	    strncasecmp(enc, "utf-32", 6) == 0 ||
	    strcasecmp(enc, "utf16") == 0)
		return (NULL);
	for (i = 0; latin[i] != NULL; i++) {
		if (strcasecmp(enc, latin[i]) == 0)
			return ("WINDOWS-1252");
	}
	return (enc);
}

/* Find encoding="..." in an XML declaration. */
static char *
parse_decl_encoding(const char *s, size_t n)
{
	const char	*e, *v, *end;
	char		 q;

	if (n < 6 || strncmp(s, "<?xml", 5) != 0)
		return (NULL);
	if ((end = memmem(s, n, "?>", 2)) == NULL)
		end = s + n;
	if ((e = memmem(s, (size_t)(end - s), "encoding", 8)) == NULL)
		return (NULL);
	e += 8;
	while (e < end && isspace((unsigned char)*e))
		e++;
	if (e >= end || *e++ != '=')
		return (NULL);
	while (e < end && isspace((unsigned char)*e))
		e++;
	if (e >= end || (*e != '"' && *e != '\''))
		return (NULL);
	q = *e++;
	for (v = e; v < end && *v != q; v++) {
		if (!isalnum((unsigned char)*v) && strchr("._:-", *v) == NULL)
			return (NULL);
	}
	if (v >= end || v == e || v - e > 40)
		return (NULL);
	return (xstrndup(e, (size_t)(v - e)));
}

/* Start the libxml2 push parser. */
static void
parse_xml_start(struct parser *p)
{
	memset(&p->sax, 0, sizeof p->sax);
	p->sax.initialized = XML_SAX2_MAGIC;
	p->sax.startElementNs = parse_sax_start;
	p->sax.endElementNs = parse_sax_end;
	p->sax.characters = parse_sax_text;
	p->sax.cdataBlock = parse_sax_text;
	p->sax.getEntity = parse_sax_entity;
	p->sax.serror = parse_sax_error;
	p->ctxt = xmlCreatePushParserCtxt(&p->sax, p, NULL, 0, NULL);
	if (p->ctxt == NULL)
		fatalx("xmlCreatePushParserCtxt failed");
	/* Never XML_PARSE_NOENT, never XML_PARSE_HUGE. */
	xmlCtxtUseOptions(p->ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET |
	    XML_PARSE_IGNORE_ENC | XML_PARSE_NOWARNING);
	p->ctxt->replaceEntities = 0;
	p->ctxt->loadsubset = 0;
	p->ctxt->validate = 0;
	p->mode = MODE_XML;
}

/*
 * Decide from the first bytes: JSON or XML, and which encoding.  Returns 0
 * when more bytes are needed.
 */
static int
parse_detect(struct parser *p, int final)
{
	const unsigned char	*s = (const unsigned char *)p->head.data;
	size_t			 n = p->head.len, i = 0, hn;
	const char		*enc = NULL, *name;
	char			*decl = NULL;

	if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		i = 3;
	else if (n >= 4 && memcmp(s, "\0\0\xfe\xff", 4) == 0) {
		enc = "UTF-32BE";
		i = 4;
	} else if (n >= 4 && memcmp(s, "\xff\xfe\0\0", 4) == 0) {
		enc = "UTF-32LE";
		i = 4;
	} else if (n >= 2 && s[0] == 0xfe && s[1] == 0xff) {
		enc = "UTF-16BE";
		i = 2;
	} else if (n >= 2 && s[0] == 0xff && s[1] == 0xfe) {
		if (n < 4 && !final)
			return (0);
		enc = "UTF-16LE";
		i = 2;
	} else if (n >= 4 && memcmp(s, "\0<\0?", 4) == 0)
		enc = "UTF-16BE";
	else if (n >= 4 && memcmp(s, "<\0?\0", 4) == 0)
		enc = "UTF-16LE";
	else if (n < 4 && !final)
		return (0);

	if (enc == NULL) {
		while (i < n && isspace(s[i]))
			i++;
		if (i == n && !final)
			return (0);
		if (i < n && s[i] == '{') {
			p->mode = MODE_JSON;
			buf_add(&p->json, s + i, n - i);
			return (1);
		}
		if (n - i < 14 && !final)
			return (0);
		if (n - i >= 14 && strncasecmp((const char *)s + i,
		    "<!doctype html", 14) == 0) {
			parse_fail(p, "not a feed: HTML document");
			return (1);
		}
		if (i < n && s[i] == '<' && n - i >= 5 &&
		    memcmp(s + i, "<?xml", 5) == 0) {
			/*
			 * The declaration is looked for in the first
			 * PARSE_HEAD_MAX bytes only, however the input is
			 * split, so that chunking never changes the encoding.
			 */
			hn = n - i < PARSE_HEAD_MAX ? n - i : PARSE_HEAD_MAX;
			if (memmem(s + i, hn, "?>", 2) == NULL &&
			    hn < PARSE_HEAD_MAX && !final)
				return (0);
			decl = parse_decl_encoding((const char *)s + i, hn);
		} else if (n - i < 5 && !final)
			return (0);
		name = parse_encoding_name(decl);
		if (name != NULL) {
			p->cd = iconv_open("UTF-8", name);
			if (p->cd == (iconv_t)-1)
				log_debug("parse: unknown encoding %s", name);
			else if (strcmp(name, "WINDOWS-1252") == 0)
				p->latin_guess = 1;
		}
		free(decl);
	} else {
		if ((p->cd = iconv_open("UTF-8", enc)) == (iconv_t)-1)
			fatal("iconv_open %s", enc);
	}
	parse_xml_start(p);
	parse_decode(p, (const char *)s + i, n - i, final);
	return (1);
}

/* Which vocabulary a namespace URI (or, undeclared, a prefix) names. */
static enum parse_ns
parse_ns_class(const xmlChar *uri, const xmlChar *prefix)
{
	const char	*u = (const char *)uri, *x = (const char *)prefix;

	if (u == NULL) {
		if (x == NULL)
			return (NS_NONE);
		if (strcmp(x, "dc") == 0 || strcmp(x, "dcterms") == 0)
			return (NS_DC);
		if (strcmp(x, "content") == 0)
			return (NS_CONTENT);
		if (strcmp(x, "media") == 0)
			return (NS_MEDIA);
		if (strcmp(x, "itunes") == 0)
			return (NS_ITUNES);
		if (strcmp(x, "sy") == 0)
			return (NS_SY);
		if (strcmp(x, "atom") == 0)
			return (NS_ATOM10);
		if (strcmp(x, "rdf") == 0)
			return (NS_RDF);
		if (strcmp(x, "xhtml") == 0)
			return (NS_XHTML);
		return (NS_OTHER);
	}
	if (strcmp(u, "http://www.w3.org/2005/Atom") == 0)
		return (NS_ATOM10);
	if (strcmp(u, "http://purl.org/dc/elements/1.1/") == 0 ||
	    strcmp(u, "http://purl.org/dc/terms/") == 0)
		return (NS_DC);
	if (strcmp(u, "http://purl.org/rss/1.0/modules/content/") == 0)
		return (NS_CONTENT);
	if (strncmp(u, "http://search.yahoo.com/mrss", 28) == 0)
		return (NS_MEDIA);
	if (strcasecmp(u, "http://www.itunes.com/dtds/podcast-1.0.dtd") == 0)
		return (NS_ITUNES);
	if (strcmp(u, "http://purl.org/rss/1.0/modules/syndication/") == 0)
		return (NS_SY);
	if (strcmp(u, "http://purl.org/rss/1.0/") == 0)
		return (NS_RSS10);
	if (strcmp(u, "http://my.netscape.com/rdf/simple/0.9/") == 0)
		return (NS_RSS090);
	if (strcmp(u, "http://www.w3.org/1999/02/22-rdf-syntax-ns#") == 0)
		return (NS_RDF);
	if (strcmp(u, "http://purl.org/atom/ns#") == 0)
		return (NS_ATOM03);
	if (strcmp(u, "http://www.w3.org/1999/xhtml") == 0)
		return (NS_XHTML);
	if (strcmp(u, "http://backend.userland.com/rss2") == 0 ||
	    strcmp(u, "http://backend.userland.com/rss") == 0)
		return (NS_RSS);
	return (NS_OTHER);
}

/* Name-to-tag tables, one per vocabulary. */
struct parse_name {
	const char	*name;
	enum parse_tag	 tag;
};
static const struct parse_name parse_rss_names[] = {
	{ "item", T_ITEM }, { "title", T_TITLE }, { "link", T_LINK },
	{ "description", T_DESCRIPTION }, { "guid", T_GUID },
	{ "pubDate", T_PUBDATE }, { "enclosure", T_ENCLOSURE },
	{ "category", T_CATEGORY }, { "author", T_RSSAUTHOR },
	{ "channel", T_CHANNEL }, { "image", T_IMAGE }, { "url", T_URL },
	{ "ttl", T_TTL }, { "language", T_LANGUAGE },
	{ "managingEditor", T_RSSAUTHOR }, { "textInput", T_SKIPSUB },
	{ "textinput", T_SKIPSUB }, { "source", T_SKIPSUB },
	{ "skipHours", T_SKIPHOURS }, { "skipDays", T_SKIPDAYS },
	{ "hour", T_HOUR }, { "day", T_DAY }, { "rss", T_RSS },
	{ "fullitem", T_ENCODED },
	{ NULL, T_OTHER }
};
static const struct parse_name parse_atom_names[] = {
	{ "entry", T_ITEM }, { "title", T_TITLE }, { "link", T_ATOMLINK },
	{ "id", T_ID }, { "updated", T_UPDATED }, { "modified", T_UPDATED },
	{ "published", T_PUBLISHED }, { "issued", T_PUBLISHED },
	{ "created", T_PUBLISHED }, { "summary", T_SUMMARY },
	{ "content", T_CONTENT }, { "author", T_AUTHOR }, { "name", T_NAME },
	{ "uri", T_URI }, { "url", T_URI }, { "homepage", T_URI },
	{ "email", T_EMAIL },
	{ "category", T_CATEGORY }, { "subtitle", T_SUBTITLE },
	{ "tagline", T_SUBTITLE }, { "icon", T_ICON }, { "logo", T_ICON },
	{ "source", T_SKIPSUB }, { "contributor", T_SKIPSUB },
	{ "feed", T_FEED },
	{ NULL, T_OTHER }
};
static const struct parse_name parse_dc_names[] = {
	{ "creator", T_DCCREATOR }, { "date", T_DCDATE },
	{ "subject", T_DCSUBJECT }, { "title", T_TITLE },
	{ "description", T_DESCRIPTION }, { "language", T_LANGUAGE },
	{ "modified", T_DCMODIFIED }, { "issued", T_DCDATE },
	{ "created", T_DCDATE },
	{ NULL, T_OTHER }
};
static const struct parse_name parse_media_names[] = {
	{ "content", T_MCONTENT }, { "thumbnail", T_MTHUMB },
	{ "group", T_MGROUP }, { "description", T_MDESC },
	{ "player", T_MPLAYER },
	{ "title", T_MTITLE },
	{ NULL, T_OTHER }
};
static const struct parse_name parse_itunes_names[] = {
	{ "author", T_IAUTHOR }, { "duration", T_IDURATION },
	{ "image", T_IIMAGE }, { "summary", T_ISUMMARY },
	{ "category", T_ICATEGORY }, { "link", T_ILINK },
	{ NULL, T_OTHER }
};

/* Look a name up in a table; nocase: then ignoring case. */
static enum parse_tag
parse_lookup(const struct parse_name *t, const char *name, int nocase)
{
	const struct parse_name	*n;

	for (n = t; n->name != NULL; n++) {
		if (strcmp(n->name, name) == 0)
			return (n->tag);
	}
	/* Podcast feeds: iTunes reads <TiTlE> as <title>. */
	for (n = t; nocase && n->name != NULL; n++) {
		if (strcasecmp(n->name, name) == 0)
			return (n->tag);
	}
	return (T_OTHER);
}

/* Map an element to a tag. */
static enum parse_tag
parse_tag_of(struct parser *p, enum parse_ns ns, const char *name)
{
	switch (ns) {
	case NS_NONE:
		if (p->atomdefault)
			return (parse_lookup(parse_atom_names, name, 0));
		/* FALLTHROUGH */
	case NS_RSS090:
	case NS_RSS10:
	case NS_RSS:
		return (parse_lookup(parse_rss_names, name, 1));
	case NS_ATOM10:
	case NS_ATOM03:
		return (parse_lookup(parse_atom_names, name, 0));
	case NS_DC:
		return (parse_lookup(parse_dc_names, name, 0));
	case NS_CONTENT:
		return (strcmp(name, "encoded") == 0 ? T_ENCODED : T_OTHER);
	case NS_MEDIA:
		return (parse_lookup(parse_media_names, name, 0));
	case NS_ITUNES:
		return (parse_lookup(parse_itunes_names, name, 0));
	case NS_SY:
		if (strcmp(name, "updatePeriod") == 0)
			return (T_SYPERIOD);
		if (strcmp(name, "updateFrequency") == 0)
			return (T_SYFREQ);
		return (T_OTHER);
	case NS_RDF:
		return (strcmp(name, "RDF") == 0 ? T_RDF : T_OTHER);
	case NS_XHTML:
		return (strcmp(name, "body") == 0 ? T_XBODY : T_OTHER);
	default:
		return (T_OTHER);
	}
}

/*
 * Attribute i's value as a new string.  Without entity substitution
 * libxml2 hands a '&' in an attribute value over as "&#38;" (every other
 * reference it decodes), so that is turned back into '&' here.
 */
static char *
parse_attr_value(const xmlChar **attrs, int i)
{
	const char	*v = (const char *)attrs[i * 5 + 3];
	const char	*end = (const char *)attrs[i * 5 + 4];
	char		*s, *w;

	s = w = xstrndup(v, (size_t)(end - v));
	for (v = s; *v != '\0'; v++) {
		*w++ = *v;
		if (*v == '&' && strncmp(v, "&#38;", 5) == 0)
			v += 4;
	}
	*w = '\0';
	return (parse_utf8_own(s));
}

/* An attribute's value (a new string), or NULL. */
static char *
parse_attr(const xmlChar **attrs, int n, const char *name)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (strcmp((const char *)attrs[i * 5], name) == 0 &&
		    (attrs[i * 5 + 1] == NULL || strcmp(name, "about") == 0))
			return (parse_attr_value(attrs, i));
	}
	return (NULL);
}

/* Resolve a reference against the element's base; a new string. */
static char *
parse_resolve(struct parser *p, const char *ref)
{
	const char	*base = p->stack[p->depth].base;
	xmlChar		*u;
	char		*s;

	while (isspace((unsigned char)*ref))
		ref++;
	/* Absolute already (the usual case): nothing to resolve. */
	if (base == NULL || *ref == '\0' || (*ref != '#' &&
	    !parse_is_relative(ref, strcspn(ref, ":/?#") + 1)))
		return (xstrdup(ref));
	if ((u = xmlBuildURI((const xmlChar *)ref,
	    (const xmlChar *)base)) == NULL)
		return (xstrdup(ref));
	s = xstrdup((const char *)u);
	xmlFree(u);
	return (s);
}

/* Set an item field from a string, unless set; first one wins. */
static void
parse_field_set(struct parser *p, enum parse_field f, const char *s,
    size_t len)
{
	struct parse_field_buf	*fb = &p->f[f];

	if (fb->v != NULL || len == 0)
		return;
	buf_reset(&fb->b);
	buf_add(&fb->b, s, len);
	fb->v = fb->b.data;
}

/*
 * Set an item field to s, which points into the capture buffer, unless
 * set: the buffers trade places instead of copying (content is large).
 */
static void
parse_field_take(struct parser *p, enum parse_field f, char *s)
{
	struct parse_field_buf	*fb = &p->f[f];
	struct buf		 tmp;

	if (fb->v != NULL || *s == '\0')
		return;
	tmp = fb->b;
	fb->b = p->text;
	p->text = tmp;
	fb->v = s;
}

/* Whether a URL reference is relative: no scheme, not a bare fragment. */
static int
parse_is_relative(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || s[0] == '#')
		return (0);
	if (!isalpha((unsigned char)s[0]))
		return (1);
	for (i = 1; i < n; i++) {
		if (s[i] == ':')
			return (0);
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			return (1);
	}
	return (1);
}

/* Append a srcset value ("a.png, b.png 2x") with its URLs made absolute. */
static void
parse_srcset(struct parser *p, struct buf *out, const char *v,
    const char *ve)
{
	const char	*u, *ue;
	char		*ref, *abs;

	while (v < ve) {
		for (u = v; u < ve && (isspace((unsigned char)*u) ||
		    *u == ','); u++)
			;
		buf_add(out, v, (size_t)(u - v));
		for (ue = u; ue < ve && !isspace((unsigned char)*ue) &&
		    *ue != ','; ue++)
			;
		if (ue > u && parse_is_relative(u, (size_t)(ue - u))) {
			ref = xstrndup(u, (size_t)(ue - u));
			abs = parse_resolve(p, ref);
			buf_adds(out, abs);
			free(abs);
			free(ref);
		} else
			buf_add(out, u, (size_t)(ue - u));
		/* The descriptor ("2x", "480w"), up to the next comma. */
		for (v = ue; v < ve && *v != ','; v++)
			;
		buf_add(out, ue, (size_t)(v - ue));
	}
}

/*
 * Make the relative href and src attributes of an HTML field absolute,
 * against the base in effect for the element that held it (xml:base, else
 * the document URL), as readers of the content outside the feed need.
 */
static void
parse_html_links(struct parser *p, enum parse_field f)
{
	struct parse_field_buf	*fb = &p->f[f];
	struct buf		 out = { NULL, 0, 0 };
	const char		*s = fb->v, *t, *name, *v, *ve;
	char			*ref, *abs, q;
	size_t			 done = 0, nlen;

	if (s == NULL || p->stack[p->depth].base == NULL)
		return;
	/* Most content has no links: look before walking the tags. */
	if (strstr(s, "href") == NULL && strstr(s, "src") == NULL &&
	    strstr(s, "HREF") == NULL && strstr(s, "SRC") == NULL)
		return;
	for (t = s; (t = strchr(t, '<')) != NULL;) {
		if (!isalpha((unsigned char)*++t))
			continue;
		while (*t != '\0' && *t != '>' && *t != '<') {
			if (!isspace((unsigned char)*t)) {
				t++;
				continue;
			}
			while (isspace((unsigned char)*t))
				t++;
			name = t;
			while (isalnum((unsigned char)*t) || *t == '-')
				t++;
			nlen = (size_t)(t - name);
			while (isspace((unsigned char)*t))
				t++;
			if (*t != '=')
				continue;
			t++;
			while (isspace((unsigned char)*t))
				t++;
			q = *t == '"' || *t == '\'' ? *t++ : '\0';
			v = t;
			if (q != '\0') {
				if ((ve = strchr(v, q)) == NULL)
					break;
			} else
				ve = v + strcspn(v, " \t\r\n>");
			t = q != '\0' ? ve + 1 : ve;
			if (nlen == 6 && strncasecmp(name, "srcset", 6) == 0) {
				buf_add(&out, s + done, (size_t)(v - s) - done);
				parse_srcset(p, &out, v, ve);
				done = (size_t)(ve - s);
				continue;
			}
			if (!((nlen == 4 &&
			    strncasecmp(name, "href", 4) == 0) ||
			    (nlen == 3 && strncasecmp(name, "src", 3) == 0)) ||
			    !parse_is_relative(v, (size_t)(ve - v)))
				continue;
			ref = xstrndup(v, (size_t)(ve - v));
			abs = parse_resolve(p, ref);
			buf_add(&out, s + done, (size_t)(v - s) - done);
			buf_adds(&out, abs);
			done = (size_t)(ve - s);
			free(abs);
			free(ref);
		}
	}
	if (out.data == NULL)
		return;
	buf_adds(&out, s + done);
	buf_free(&fb->b);
	fb->b = out;
	fb->v = fb->b.data;
}

/* Add a string to a list, without duplicates and within the cap. */
static void
parse_list_add(char ***list, size_t *n, const char *s)
{
	size_t	i;

	if (*s == '\0' || *n >= PARSE_MAX_LIST)
		return;
	for (i = 0; i < *n; i++) {
		if (strcmp((*list)[i], s) == 0)
			return;
	}
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = xstrdup(s);
}

/* Add a person to a list unless one of that name is there. */
static void
parse_person_add(struct feed_person **list, size_t *n, const char *name,
    const char *url, const char *email)
{
	struct feed_person	*fp;
	size_t			 i;

	if ((name == NULL || *name == '\0') && (url == NULL || *url == '\0') &&
	    (email == NULL || *email == '\0'))
		return;
	if (*n >= PARSE_MAX_LIST)
		return;
	for (i = 0; i < *n; i++) {
		fp = &(*list)[i];
		if (name != NULL && fp->name != NULL &&
		    strcmp(fp->name, name) == 0)
			return;
	}
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	fp = &(*list)[(*n)++];
	fp->name = name != NULL && *name != '\0' ? xstrdup(name) : NULL;
	fp->url = url != NULL && *url != '\0' ? xstrdup(url) : NULL;
	fp->email = email != NULL && *email != '\0' ? xstrdup(email) : NULL;
}

/* Whether s looks like a mail address. */
static int
parse_is_addr(const char *s)
{
	return (strchr(s, '@') != NULL && strpbrk(s, " \t") == NULL);
}

/*
 * Add an RSS-style author: "jane@example.com (Jane Doe)", "Jane Doe
 * (jane@example.com)", "Jane Doe <jane@example.com>", an address alone or
 * a name alone ("Author (name)" is a name: neither part is an address).
 */
static void
parse_rss_author(struct feed_person **list, size_t *n, char *s)
{
	char	*copy, *open, *in, *out;
	size_t	 len = strlen(s);

	if (len > 0 && (s[len - 1] == ')' || s[len - 1] == '>') &&
	    (open = strrchr(s, s[len - 1] == ')' ? '(' : '<')) != NULL) {
		copy = xstrdup(s);
		copy[len - 1] = '\0';
		copy[open - s] = '\0';
		in = util_trim(copy + (open - s) + 1);
		out = util_trim(copy);
		if (parse_is_addr(out) || parse_is_addr(in)) {
			if (parse_is_addr(in))
				parse_person_add(list, n, out, NULL, in);
			else
				parse_person_add(list, n, in, NULL, out);
			free(copy);
			return;
		}
		free(copy);
	} else if (parse_is_addr(s)) {
		parse_person_add(list, n, NULL, NULL, s);
		return;
	}
	parse_person_add(list, n, s, NULL, NULL);
}

/* Parse "123", "12:03" or "1:02:03" seconds; -1 if not a duration. */
static int64_t
parse_duration(const char *s)
{
	int64_t	 v = 0, part;
	int	 nparts = 0;

	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return (-1);
		part = 0;
		while (isdigit((unsigned char)*s)) {
			if (part > INT32_MAX / 10)
				return (-1);
			part = part * 10 + (*s++ - '0');
		}
		v = v * 60 + part;
		if (++nparts > 3)
			return (-1);
		if (*s == ':')
			s++;
		else if (*s == '.') {
			while (isdigit((unsigned char)*++s))
				;
			break;
		}
	}
	return (*s == '\0' && nparts > 0 ? v : -1);
}

/* Add or merge an attachment (same URL: fill in what is missing). */
static void
parse_attach(struct parser *p, const char *url, const char *type,
    const char *size, const char *duration)
{
	struct feed_item	*it = &p->item;
	struct feed_attachment	*a = NULL;
	char			*u;
	size_t			 i;
	int64_t			 v;

	if (url == NULL || *url == '\0')
		return;
	u = parse_resolve(p, url);
	for (i = 0; i < it->nattachments; i++) {
		if (strcmp(it->attachments[i].url, u) == 0) {
			a = &it->attachments[i];
			free(u);
			break;
		}
	}
	if (a == NULL) {
		if (it->nattachments >= PARSE_MAX_LIST) {
			free(u);
			return;
		}
		it->attachments = xreallocarray(it->attachments,
		    it->nattachments + 1, sizeof *it->attachments);
		a = &it->attachments[it->nattachments++];
		a->url = u;
		a->mime_type = NULL;
		a->size = a->duration = -1;
	}
	if (a->mime_type == NULL && type != NULL && *type != '\0')
		a->mime_type = xstrdup(type);
	if (a->size < 0 && size != NULL &&
	    util_parse_int(size, 0, INT64_MAX, &v) == 0 && v > 0)
		a->size = v;
	if (a->duration < 0 && duration != NULL &&
	    (v = parse_duration(duration)) >= 0)
		a->duration = v;
}

/* Free the lists of an item: authors, tags, attachments. */
static void
parse_item_free_lists(struct feed_item *it)
{
	size_t	i;

	for (i = 0; i < it->nauthors; i++) {
		free(it->authors[i].name);
		free(it->authors[i].url);
		free(it->authors[i].email);
	}
	free(it->authors);
	for (i = 0; i < it->ntags; i++)
		free(it->tags[i]);
	free(it->tags);
	for (i = 0; i < it->nattachments; i++) {
		free(it->attachments[i].url);
		free(it->attachments[i].mime_type);
	}
	free(it->attachments);
}

/*
 * Free an item whose strings are all its own (a copy kept past the
 * callback, or one built from JSON Feed), and zero it.
 */
void
parser_item_free(struct feed_item *it)
{
	free(it->id);
	free(it->guid);
	free(it->url);
	free(it->external_url);
	free(it->title);
	free(it->content_html);
	free(it->content_text);
	free(it->summary);
	free(it->image);
	parse_item_free_lists(it);
	memset(it, 0, sizeof *it);
	it->published = it->modified = DATE_NONE;
}

/* Empty the item for reuse (its strings live in the parser's buffers). */
static void
parse_item_reset(struct parser *p)
{
	struct feed_item	*it = &p->item;
	size_t			 i;

	parse_item_free_lists(it);
	memset(it, 0, sizeof *it);
	it->published = it->modified = DATE_NONE;
	for (i = 0; i < F_NFIELDS; i++) {
		buf_reset(&p->f[i].b);
		p->f[i].v = NULL;
	}
	p->summary_html = 0;
	p->guid_permalink = 1;
	p->duration = -1;
	p->link_html = 0;
}

/* Fill in the id (guid, else url, else a stable hash) and deliver. */
void
parser_deliver(struct parser *p, struct feed_item *it)
{
	const char	*parts[2];
	char		 date[32];
	uint64_t	 h;

	if (it->id == NULL && it->guid != NULL && *it->guid != '\0')
		it->id = it->guid;
	if (it->id == NULL && it->url != NULL && *it->url != '\0')
		it->id = it->url;
	if (it->id == NULL) {
		snprintf(date, sizeof date, "%lld", (long long)
		    (it->published != DATE_NONE ? it->published :
		    it->modified));
		parts[0] = it->title != NULL ? it->title : "";
		parts[1] = it->content_html != NULL ? it->content_html :
		    it->content_text != NULL ? it->content_text :
		    it->summary != NULL ? it->summary : "";
		h = util_hash64(parts[0], strlen(parts[0]) + 1, 0);
		h = util_hash64(date, strlen(date) + 1, h);
		h = util_hash64(parts[1], strlen(parts[1]), h);
		snprintf(p->hash, sizeof p->hash, "hash:%016llx",
		    (unsigned long long)h);
		it->id = p->hash;
	}
	p->meta.nitems++;
	p->cb(it, p->arg);
}

/* The item element ended: settle the fields and deliver it. */
static void
parse_item_end(struct parser *p)
{
	struct feed_item	*it = &p->item;
	size_t			 i;

	it->guid = p->f[F_GUID].v;
	if (it->guid == NULL)
		it->guid = p->f[F_ABOUT].v;
	it->url = p->f[F_LINK].v;
	if (it->url == NULL && p->f[F_GUID].v != NULL && p->guid_permalink &&
	    (strncmp(it->guid, "http://", 7) == 0 ||
	    strncmp(it->guid, "https://", 8) == 0))
		it->url = it->guid;
	if (it->url == NULL)
		it->url = p->f[F_PLAYER].v;
	if (it->url == NULL && p->f[F_ABOUT].v != NULL &&
	    (strncmp(p->f[F_ABOUT].v, "http://", 7) == 0 ||
	    strncmp(p->f[F_ABOUT].v, "https://", 8) == 0))
		it->url = p->f[F_ABOUT].v;
	it->title = p->f[F_TITLE].v;
	if (it->title == NULL)
		it->title = p->f[F_MTITLE].v;
	it->content_html = p->f[F_HTML].v;
	it->content_text = p->f[F_TEXT].v;
	it->summary = p->f[F_SUMMARY].v;
	if (it->content_html == NULL && it->content_text == NULL &&
	    it->summary == NULL && p->f[F_DESC].v == NULL &&
	    p->f[F_MDESC].v != NULL) {
		/* Only the media's own description: better than nothing. */
		it->summary = p->f[F_MDESC].v;
		p->summary_html = p->mdesc_html;
	}
	if (it->content_html == NULL && it->content_text == NULL) {
		/* The description, else the summary, is the body. */
		if (p->f[F_DESC].v != NULL)
			it->content_html = p->f[F_DESC].v;
		else if (it->summary != NULL) {
			if (p->summary_html)
				it->content_html = it->summary;
			else
				it->content_text = it->summary;
			it->summary = NULL;
		}
	} else if (it->summary == NULL)
		it->summary = p->f[F_DESC].v;
	it->image = p->f[F_IMAGE].v;
	for (i = 0; it->image == NULL && i < it->nattachments; i++) {
		if (it->attachments[i].mime_type != NULL &&
		    strncmp(it->attachments[i].mime_type, "image/", 6) == 0)
			it->image = it->attachments[i].url;
	}
	for (i = 0; p->duration >= 0 && i < it->nattachments; i++) {
		if (it->attachments[i].duration < 0) {
			it->attachments[i].duration = p->duration;
			break;
		}
	}
	if (it->nauthors == 0 && (p->meta.format == FEED_ATOM10 ||
	    p->meta.format == FEED_ATOM03)) {
		/* RFC 4287 4.2.1: the feed's authors apply to the entry. */
		for (i = 0; i < p->meta.nauthors; i++)
			parse_person_add(&it->authors, &it->nauthors,
			    p->meta.authors[i].name, p->meta.authors[i].url,
			    p->meta.authors[i].email);
	}
	if (it->published == DATE_NONE && it->modified != DATE_NONE &&
	    p->meta.format != FEED_ATOM10 && p->meta.format != FEED_ATOM03) {
		/* RSS: a lone modification date is the date we have. */
		it->published = it->modified;
		it->modified = DATE_NONE;
	}
	parser_deliver(p, it);
	parse_item_reset(p);
}

/*
 * Fold runs of whitespace (and no-break spaces) into one space, in place,
 * and trim: a title is one line.  Returns the new length.
 */
size_t
parser_fold(char *s)
{
	char	*r = s, *w = s;
	int	 space = 0;

	while (*r != '\0' && isspace((unsigned char)*r))
		r++;
	for (; *r != '\0'; r++) {
		if (isspace((unsigned char)*r)) {
			space = 1;
			continue;
		}
		if ((unsigned char)r[0] == 0xc2 &&
		    (unsigned char)r[1] == 0xa0) {
			space = 1;	/* no-break space */
			r++;
			continue;
		}
		if (space && w != s)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
	return ((size_t)(w - s));
}

/* Whether text may hold markup: a tag or an entity reference. */
static int
parse_has_markup(const char *s)
{
	for (; (s = strpbrk(s, "<&")) != NULL; s++) {
		if (*s == '<' || isalpha((unsigned char)s[1]) || s[1] == '#')
			return (1);
	}
	return (0);
}

/* Turn a title into one line of plain text; a new string. */
static char *
parse_title(char *s, int kind)
{
	char	*t;

	if (kind == KIND_LITERAL || (kind == KIND_TEXT &&
	    !parse_has_markup(s))) {
		parser_fold(s);
		return (xstrdup(s));
	}
	t = html_to_text(s, strlen(s), HTML_TEXT_INLINE);
	if (t == NULL) {
		parser_fold(s);
		return (xstrdup(s));
	}
	parser_fold(t);
	return (t);
}

/* Decode base64 in place (Atom 0.3 mode="base64"); returns the length. */
static size_t
parse_base64(char *s)
{
	static const char	 alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*c;
	char			*r, *w = s;
	uint32_t		 acc = 0;
	int			 bits = 0;

	for (r = s; *r != '\0' && *r != '='; r++) {
		if ((c = strchr(alpha, *r)) == NULL)
			continue;
		acc = (acc << 6) | (uint32_t)(c - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*w++ = (char)((acc >> bits) & 0xff);
		}
	}
	*w = '\0';
	return ((size_t)(w - s));
}

/* Store a meta string unless set. */
static void
parse_meta_set(char **field, const char *s)
{
	if (*field == NULL && s != NULL && *s != '\0')
		*field = xstrdup(s);
}

/* Day names for skipDays. */
static int
parse_day(const char *s)
{
	static const char *days[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	int	i;

	for (i = 0; i < 7; i++) {
		if (strcasecmp(s, days[i]) == 0 ||
		    strncasecmp(s, days[i], 3) == 0)
			return (i);
	}
	return (-1);
}

/* A captured field ended: store its text where it belongs. */
static void
parse_field_end(struct parser *p)
{
	struct feed_item	*it = &p->item;
	struct feed_meta	*m = &p->meta;
	enum parse_tag		 tag = p->captag;
	char			*s, *t;
	size_t			 len;
	int64_t			 v;
	int			 initem = p->initem != 0;

	if (p->text.len >= p->capmax)
		parse_utf8_cut(&p->text);
	if (p->text.data == NULL)
		buf_add(&p->text, "", 0);
	if (p->capb64) {
		len = parse_base64(p->text.data);
		buf_reset(&p->b64);
		parse_utf8_repair(&p->b64, (unsigned char *)p->text.data, len,
		    1);
		buf_reset(&p->text);
		buf_add(&p->text, p->b64.data != NULL ? p->b64.data : "",
		    p->b64.len);
	}
	s = util_trim(p->text.data);
	len = strlen(s);
	p->cap = 0;

	if (p->inauthor) {
		if (tag == T_NAME)
			buf_add(&p->aname, s, len);
		else if (tag == T_URI)
			buf_add(&p->auri, s, len);
		else if (tag == T_EMAIL)
			buf_add(&p->aemail, s, len);
		return;
	}
	if (p->inimage) {
		if (tag == T_URL && len > 0) {
			t = parse_resolve(p, s);
			if (initem)
				parse_field_set(p, F_IMAGE, t, strlen(t));
			else
				parse_meta_set(&m->icon, t);
			free(t);
		}
		return;
	}
	switch (tag) {
	case T_TITLE:
		if (len == 0 || (initem ? p->f[F_TITLE].v != NULL :
		    m->title != NULL))
			break;
		t = parse_title(s, p->capkind);
		if (initem)
			parse_field_set(p, F_TITLE, t, strlen(t));
		else
			parse_meta_set(&m->title, t);
		free(t);
		break;
	case T_LINK:
		if (len == 0)
			break;
		t = parse_resolve(p, s);
		if (initem)
			parse_field_set(p, F_LINK, t, strlen(t));
		else
			parse_meta_set(&m->home_page_url, t);
		free(t);
		break;
	case T_DESCRIPTION:
	case T_SUBTITLE:
		if (initem) {
			parse_field_take(p, F_DESC, s);
			parse_html_links(p, F_DESC);
		} else if (m->description == NULL && len > 0) {
			/* JSON Feed's description is plain text. */
			if (p->capkind != KIND_LITERAL &&
			    (p->capkind != KIND_TEXT || parse_has_markup(s))) {
				t = html_to_text(s, len, 0);
				parse_meta_set(&m->description, t);
				free(t);
			} else
				parse_meta_set(&m->description, s);
		}
		break;
	case T_GUID:
	case T_ID:
		if (initem)
			parse_field_set(p, F_GUID, s, len);
		break;
	case T_PUBDATE:
	case T_PUBLISHED:
	case T_DCDATE:
		if (initem && it->published == DATE_NONE &&
		    date_parse(s, &v) == 0)
			it->published = v;
		break;
	case T_UPDATED:
	case T_DCMODIFIED:
		if (initem && it->modified == DATE_NONE &&
		    date_parse(s, &v) == 0)
			it->modified = v;
		break;
	case T_CATEGORY:
	case T_DCSUBJECT:
		if (initem)
			parse_list_add(&it->tags, &it->ntags, s);
		break;
	case T_RSSAUTHOR:
		if (initem)
			parse_rss_author(&it->authors, &it->nauthors, s);
		else
			parse_rss_author(&m->authors, &m->nauthors, s);
		break;
	case T_DCCREATOR:
	case T_IAUTHOR:
		if (initem)
			parse_person_add(&it->authors, &it->nauthors, s, NULL,
			    NULL);
		else
			parse_person_add(&m->authors, &m->nauthors, s, NULL,
			    NULL);
		break;
	case T_TTL:
		if (!initem && util_parse_int(s, 1, 10 * 365 * 24 * 60,
		    &v) == 0)
			m->ttl = v * 60;
		break;
	case T_LANGUAGE:
		if (!initem)
			parse_meta_set(&m->language, s);
		break;
	case T_ICON:
		if (!initem && len > 0) {
			t = parse_resolve(p, s);
			parse_meta_set(&m->icon, t);
			free(t);
		}
		break;
	case T_MTITLE:
		if (initem && p->f[F_MTITLE].v == NULL && len > 0) {
			t = parse_title(s, p->capkind);
			parse_field_set(p, F_MTITLE, t, strlen(t));
			free(t);
		}
		break;
	case T_MDESC:
		if (initem && p->mnested) {
			if (p->f[F_MDESC].v == NULL && len > 0) {
				parse_field_take(p, F_MDESC, s);
				p->mdesc_html = p->capkind != KIND_TEXT;
			}
			break;
		}
		/* FALLTHROUGH */
	case T_SUMMARY:
	case T_ISUMMARY:
		if (initem && p->f[F_SUMMARY].v == NULL && len > 0) {
			parse_field_take(p, F_SUMMARY, s);
			if (p->capkind != KIND_TEXT)
				parse_html_links(p, F_SUMMARY);
			p->summary_html = p->capkind != KIND_TEXT;
		}
		break;
	case T_CONTENT:
	case T_ENCODED:
		if (!initem || len == 0)
			break;
		if (p->capkind == KIND_TEXT)
			parse_field_take(p, F_TEXT, s);
		else {
			parse_field_take(p, F_HTML, s);
			parse_html_links(p, F_HTML);
		}
		break;
	case T_ATOMLINK:
		parse_atom_link(p, s);
		break;
	case T_IDURATION:
		if (initem && p->duration < 0)
			p->duration = parse_duration(s);
		break;
	case T_SYPERIOD:
		if (strcasecmp(s, "hourly") == 0)
			p->sy_period = 3600;
		else if (strcasecmp(s, "daily") == 0)
			p->sy_period = 86400;
		else if (strcasecmp(s, "weekly") == 0)
			p->sy_period = 7 * 86400;
		else if (strcasecmp(s, "monthly") == 0)
			p->sy_period = 30 * 86400;
		else if (strcasecmp(s, "yearly") == 0)
			p->sy_period = 365 * 86400;
		break;
	case T_SYFREQ:
		if (util_parse_int(s, 1, 1000000, &v) == 0)
			p->sy_freq = v;
		break;
	case T_HOUR:
		if (p->inskiphours && util_parse_int(s, 0, 24, &v) == 0)
			m->skip_hours |= 1U << (v % 24);
		break;
	case T_DAY:
		if (p->inskipdays && (v = parse_day(s)) >= 0)
			m->skip_days |= (uint8_t)(1U << v);
		break;
	default:
		break;
	}
}

/* An Atom link (rel, type, length from the element) to href. */
static void
parse_atom_link(struct parser *p, char *href)
{
	const char	*rel = p->linkrel, *type = p->linktype;
	char		*t;
	int		 html, initem = p->initem != 0;

	if (*util_trim(href) == '\0')
		return;
	t = parse_resolve(p, href);
	if (rel == NULL || strcmp(rel, "alternate") == 0) {
		html = type == NULL || strcasecmp(type, "text/html") == 0;
		if (initem && (p->f[F_LINK].v == NULL ||
		    (html && !p->link_html))) {
			p->f[F_LINK].v = NULL;
			parse_field_set(p, F_LINK, t, strlen(t));
			p->link_html = html;
		} else if (!initem)
			parse_meta_set(&p->meta.home_page_url, t);
	} else if (strcmp(rel, "self") == 0 && !initem)
		parse_meta_set(&p->meta.feed_url, t);
	else if (strcmp(rel, "enclosure") == 0 && initem)
		parse_attach(p, t, type, p->linklen, NULL);
	free(t);
}

/* Read the Atom text construct attributes: type and (0.3) mode. */
static int
parse_text_kind(const xmlChar **attrs, int n, int *b64, int html_default)
{
	char	*type, *mode;
	int	 kind = html_default ? KIND_HTML : KIND_TEXT;

	type = parse_attr(attrs, n, "type");
	mode = parse_attr(attrs, n, "mode");
	if (type != NULL) {
		if (strcasecmp(type, "html") == 0 ||
		    strcasecmp(type, "text/html") == 0)
			kind = KIND_HTML;
		else if (strcasecmp(type, "xhtml") == 0 ||
		    strcasecmp(type, "application/xhtml+xml") == 0)
			kind = KIND_XHTML;
		else if (strcasecmp(type, "text") == 0 ||
		    strncasecmp(type, "text/", 5) == 0)
			kind = KIND_TEXT;
	}
	if (mode != NULL && strcasecmp(mode, "base64") == 0)
		*b64 = 1;
	else if (mode == NULL && type != NULL && strchr(type, '/') != NULL &&
	    strncasecmp(type, "text/", 5) != 0 && kind != KIND_XHTML &&
	    strcasestr(type, "xml") == NULL)
		*b64 = 1;	/* RFC 4287 4.1.3.3: other types are base64 */
	else if (mode != NULL && strcasecmp(mode, "escaped") == 0 &&
	    kind == KIND_XHTML)
		kind = KIND_HTML;
	else if (mode != NULL && strcasecmp(mode, "xml") == 0 &&
	    kind == KIND_HTML)
		kind = KIND_XHTML;
	free(type);
	free(mode);
	return (kind);
}

/* Begin capturing the text of the current element. */
static void
parse_capture(struct parser *p, enum parse_tag tag, enum parse_ns ns,
    int kind, int b64)
{
	p->cap = p->depth;
	p->captag = tag;
	p->capns = ns;
	p->capkind = kind;
	p->capb64 = b64;
	p->capwrap = 0;
	p->capmax = PARSE_MAX_FIELD;
	buf_reset(&p->text);
}

/* Append text to the capture, within the field cap. */
static void
parse_text_add(struct parser *p, const char *s, size_t len)
{
	if (p->text.len >= p->capmax)
		return;
	if (len > p->capmax - p->text.len)
		len = p->capmax - p->text.len;
	buf_add(&p->text, s, len);
}

/* Append text escaped for HTML. */
static void
parse_text_escape(struct parser *p, const char *s, size_t len, int attr)
{
	size_t	i, start = 0;

	for (i = 0; i < len; i++) {
		const char *rep = NULL;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = attr ? "&quot;" : NULL; break;
		}
		if (rep == NULL)
			continue;
		parse_text_add(p, s + start, i - start);
		parse_text_add(p, rep, strlen(rep));
		start = i + 1;
	}
	parse_text_add(p, s + start, len - start);
}

/* HTML elements that have no end tag. */
static int
parse_void(const char *name)
{
	static const char *v[] = { "area", "base", "br", "col", "embed", "hr",
	    "img", "input", "link", "meta", "param", "source", "track", "wbr",
	    NULL };
	int	i;

	for (i = 0; v[i] != NULL; i++) {
		if (strcasecmp(name, v[i]) == 0)
			return (1);
	}
	return (0);
}

/* An element inside captured text: write it out as HTML. */
static void
parse_capture_start(struct parser *p, const char *name,
    const xmlChar **attrs, int nattrs)
{
	char	*v;
	int	 i;

	if (p->capkind == KIND_LITERAL)
		return;		/* plain text: only the text counts */
	if (p->capkind == KIND_XHTML && p->depth == p->cap + 1 &&
	    strcmp(name, "div") == 0 && p->capwrap == 0 &&
	    strspn(p->text.data != NULL ? p->text.data : "", " \t\r\n") ==
	    p->text.len) {
		p->capwrap = p->depth;	/* the wrapper: children only */
		buf_reset(&p->text);
		return;
	}
	parse_text_add(p, "<", 1);
	parse_text_add(p, name, strlen(name));
	for (i = 0; i < nattrs; i++) {
		parse_text_add(p, " ", 1);
		parse_text_add(p, (const char *)attrs[i * 5],
		    strlen((const char *)attrs[i * 5]));
		parse_text_add(p, "=\"", 2);
		v = parse_attr_value(attrs, i);
		parse_text_escape(p, v, strlen(v), 1);
		free(v);
		parse_text_add(p, "\"", 1);
	}
	parse_text_add(p, ">", 1);
}

/* Handle the root element: decide the format or refuse the document. */
static void
parse_root(struct parser *p, enum parse_ns ns, const char *name,
    const xmlChar **attrs, int nattrs)
{
	char	*v, *msg;
	int	 i;

	p->rootseen = 1;
	for (i = 0; i < nattrs; i++) {
		if (strcmp((const char *)attrs[i * 5], "lang") == 0 &&
		    attrs[i * 5 + 2] != NULL && strcmp((const char *)
		    attrs[i * 5 + 2], (const char *)XML_XML_NAMESPACE) == 0 &&
		    p->meta.language == NULL && attrs[i * 5 + 4] >
		    attrs[i * 5 + 3])
			p->meta.language = parse_attr_value(attrs, i);
	}
	if (strcmp(name, "rss") == 0 && ns != NS_OTHER) {
		v = parse_attr(attrs, nattrs, "version");
		if (v == NULL || strncmp(v, "2", 1) == 0)
			p->meta.format = FEED_RSS20;
		else if (strcmp(v, "0.91") == 0)
			p->meta.format = FEED_RSS091;
		else if (strcmp(v, "0.90") == 0 || strcmp(v, "0.9") == 0)
			p->meta.format = FEED_RSS090;
		else if (strncmp(v, "0.9", 3) == 0)
			p->meta.format = FEED_RSS092;
		else
			p->meta.format = FEED_RSS20;
		free(v);
	} else if (strcmp(name, "RDF") == 0 && (ns == NS_RDF ||
	    ns == NS_NONE || ns == NS_RSS10))
		p->meta.format = FEED_RSS10;
	else if (strcmp(name, "feed") == 0 && ns == NS_ATOM03)
		p->meta.format = FEED_ATOM03;
	else if (strcmp(name, "feed") == 0 && (ns == NS_ATOM10 ||
	    ns == NS_NONE)) {
		v = parse_attr(attrs, nattrs, "version");
		p->meta.format = v != NULL && strcmp(v, "0.3") == 0 ?
		    FEED_ATOM03 : FEED_ATOM10;
		free(v);
		if (ns == NS_NONE)
			p->atomdefault = 1;
	} else if (strcasecmp(name, "html") == 0 ||
	    strcasecmp(name, "head") == 0 || strcasecmp(name, "body") == 0)
		parse_fail(p, "not a feed: HTML document");
	else {
		xasprintf(&msg, "not a feed: unknown root element <%s>", name);
		parse_fail(p, msg);
		free(msg);
	}
}

/* SAX: an element starts. */
static void
parse_sax_start(void *arg, const xmlChar *lname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **nsl, int nattrs,
    int ndef, const xmlChar **attrs)
{
	struct parser		*p = arg;
	struct parse_frame	*fr;
	const char		*name = (const char *)lname;
	enum parse_ns		 ns;
	enum parse_tag		 tag;
	char			*v, *href, *type, *len, *t;
	int			 i, b64 = 0, initem;

	if (p->mode == MODE_FAILED)
		return;
	parse_keep_going(p);
	if (p->depth >= PARSE_MAX_DEPTH) {
		parse_fail(p, "elements nested too deeply");
		return;
	}
	p->depth++;
	fr = &p->stack[p->depth];
	fr->base = p->stack[p->depth - 1].base;
	fr->own = 0;
	fr->container = 0;
	fr->tag = T_OTHER;
	for (i = 0; i < nattrs; i++) {
		if (strcmp((const char *)attrs[i * 5], "base") != 0 ||
		    attrs[i * 5 + 2] == NULL ||
		    strcmp((const char *)attrs[i * 5 + 2],
		    (const char *)XML_XML_NAMESPACE) != 0)
			continue;
		/* Given twice (recovery mode): the last one counts. */
		if (fr->own)
			free(fr->base);
		v = parse_attr_value(attrs, i);
		p->depth--;
		fr->base = parse_resolve(p, v);
		p->depth++;
		fr->own = 1;
		free(v);
	}

	if (p->cap != 0) {
		parse_capture_start(p, name, attrs, nattrs);
		return;
	}
	if (p->skip != 0)
		return;

	/* Undeclared prefix in recovery mode: "media:content" as a name. */
	if (uri == NULL && prefix == NULL && (t = strchr(name, ':')) != NULL) {
		v = xstrndup(name, (size_t)(t - name));
		ns = parse_ns_class(NULL, (const xmlChar *)v);
		free(v);
		name = t + 1;
	} else
		ns = parse_ns_class(uri, prefix);
	if (ns == NS_OTHER && uri != NULL && p->rooturi != NULL &&
	    strcmp((const char *)uri, p->rooturi) == 0)
		ns = p->rootns;

	if (p->depth == 1) {
		fr->container = 1;
		if (ns == NS_OTHER && uri != NULL &&
		    (strcmp(name, "rss") == 0 || strcmp(name, "feed") == 0)) {
			/* An unknown namespace on a feed's root: its own. */
			p->rooturi = xstrdup((const char *)uri);
			p->rootns = strcmp(name, "rss") == 0 ? NS_RSS :
			    NS_ATOM10;
			ns = p->rootns;
		}
		parse_root(p, ns, name, attrs, nattrs);
		return;
	}
	tag = parse_tag_of(p, ns, name);
	/*
	 * Fields count only inside the elements that hold them (item,
	 * channel, author, image, media:group...), so an <id> inside an
	 * unknown <image> of an Atom entry is not the entry's id.
	 */
	if (!p->stack[p->depth - 1].container && tag != T_ITEM &&
	    tag != T_CHANNEL)
		tag = T_OTHER;
	switch (tag) {
	case T_CHANNEL: case T_ITEM: case T_IMAGE: case T_AUTHOR:
	case T_MGROUP: case T_MCONTENT: case T_SKIPHOURS: case T_SKIPDAYS:
	case T_ICATEGORY:	/* iTunes subcategories nest */
		fr->container = 1;
		fr->tag = tag;
		break;
	case T_MDESC:
		/*
		 * Inside media:content it describes the media (alt text):
		 * the item's text only when it has no other.
		 */
		p->mnested = p->stack[p->depth - 1].tag == T_MCONTENT;
		break;
	default:
		break;
	}
	if (p->meta.format == FEED_RSS10 && ns == NS_RSS090 &&
	    tag == T_CHANNEL)
		p->meta.format = FEED_RSS090;
	initem = p->initem != 0;

	if (p->inimage) {
		if (tag == T_URL)
			parse_capture(p, tag, ns, KIND_TEXT, 0);
		return;
	}
	switch (tag) {
	case T_ITEM:
		if (initem) {
			p->skip = p->depth;
			break;
		}
		parse_item_reset(p);
		p->initem = p->depth;
		if ((v = parse_attr(attrs, nattrs, "about")) != NULL) {
			t = util_trim(v);
			parse_field_set(p, F_ABOUT, t, strlen(t));
			free(v);
		}
		break;
	case T_CHANNEL:
		p->inchannel = p->depth;
		break;
	case T_IMAGE:
		p->inimage = p->depth;
		break;
	case T_SKIPSUB:
		p->skip = p->depth;
		break;
	case T_SKIPHOURS:
		p->inskiphours = p->depth;
		break;
	case T_SKIPDAYS:
		p->inskipdays = p->depth;
		break;
	case T_AUTHOR:
		p->inauthor = p->depth;
		buf_reset(&p->aname);
		buf_reset(&p->auri);
		buf_reset(&p->aemail);
		break;
	case T_NAME:
	case T_URI:
	case T_EMAIL:
		if (p->inauthor)
			parse_capture(p, tag, ns, KIND_TEXT, 0);
		break;
	case T_TITLE:
		if (initem ? p->f[F_TITLE].v != NULL : p->meta.title != NULL)
			break;
		if (ns == NS_ATOM10 || ns == NS_ATOM03 || p->atomdefault) {
			i = parse_text_kind(attrs, nattrs, &b64, 0);
			if (i == KIND_TEXT)
				i = KIND_LITERAL;
		} else
			i = KIND_TEXT;
		parse_capture(p, tag, ns, i, b64);
		break;
	case T_SUMMARY:
	case T_CONTENT:
		if (!initem)
			break;
		if (tag == T_CONTENT && (v = parse_attr(attrs, nattrs,
		    "src")) != NULL) {
			free(v);
			break;
		}
		i = parse_text_kind(attrs, nattrs, &b64, 0);
		parse_capture(p, tag, ns, i, b64);
		break;
	case T_SUBTITLE:
		if (initem)
			break;
		i = parse_text_kind(attrs, nattrs, &b64, 0);
		if (i == KIND_TEXT)
			i = KIND_LITERAL;
		parse_capture(p, tag, ns, i, b64);
		break;
	case T_MPLAYER:
		/* A page to watch it: the link when there is none. */
		if (initem && (v = parse_attr(attrs, nattrs, "url")) != NULL) {
			t = parse_resolve(p, util_trim(v));
			parse_field_set(p, F_PLAYER, t, strlen(t));
			free(t);
			free(v);
		}
		break;
	case T_XBODY:
		if (initem)
			parse_capture(p, T_ENCODED, ns, KIND_XHTML, 0);
		break;
	case T_MDESC:
	case T_MTITLE:
		/* Media RSS text (YouTube): type="plain" unless "html". */
		if (!initem)
			break;
		v = parse_attr(attrs, nattrs, "type");
		i = v != NULL && strcasecmp(v, "html") == 0 ? KIND_HTML :
		    KIND_TEXT;
		free(v);
		parse_capture(p, tag, ns, tag == T_MTITLE && i == KIND_TEXT ?
		    KIND_LITERAL : i, 0);
		break;
	case T_ENCODED:
	case T_DESCRIPTION:
		if (initem)
			parse_capture(p, tag, ns, KIND_HTML, 0);
		else
			parse_capture(p, tag, ns, KIND_TEXT, 0);
		break;
	case T_GUID:
		if (initem && (v = parse_attr(attrs, nattrs,
		    "isPermaLink")) != NULL) {
			p->guid_permalink = strcasecmp(util_trim(v),
			    "false") != 0;
			free(v);
		}
		parse_capture(p, tag, ns, KIND_TEXT, 0);
		break;
	case T_LINK:
	case T_ID:
	case T_PUBDATE:
	case T_PUBLISHED:
	case T_UPDATED:
	case T_DCDATE:
	case T_DCMODIFIED:
	case T_DCSUBJECT:
	case T_RSSAUTHOR:
	case T_DCCREATOR:
	case T_IAUTHOR:
	case T_TTL:
	case T_LANGUAGE:
	case T_ICON:
	case T_ISUMMARY:
	case T_IDURATION:
	case T_SYPERIOD:
	case T_SYFREQ:
	case T_HOUR:
	case T_DAY:
		parse_capture(p, tag, ns, KIND_TEXT, 0);
		break;
	case T_CATEGORY:
		if (ns == NS_ATOM10 || ns == NS_ATOM03 || p->atomdefault) {
			if (!initem)
				break;
			v = parse_attr(attrs, nattrs, "term");
			if (v == NULL || *util_trim(v) == '\0') {
				free(v);
				v = parse_attr(attrs, nattrs, "label");
			}
			if (v != NULL)
				parse_list_add(&p->item.tags, &p->item.ntags,
				    util_trim(v));
			free(v);
			break;
		}
		parse_capture(p, tag, ns, KIND_TEXT, 0);
		break;
	case T_ATOMLINK:
		href = parse_attr(attrs, nattrs, "href");
		free(p->linkrel);
		free(p->linktype);
		free(p->linklen);
		p->linkrel = parse_attr(attrs, nattrs, "rel");
		p->linktype = parse_attr(attrs, nattrs, "type");
		p->linklen = parse_attr(attrs, nattrs, "length");
		if (href != NULL)
			parse_atom_link(p, href);
		else	/* Atom 0.3 in the wild: the URL as text. */
			parse_capture(p, tag, ns, KIND_TEXT, 0);
		free(href);
		break;
	case T_ENCLOSURE:
	case T_MCONTENT:
		if (!initem)
			break;
		href = parse_attr(attrs, nattrs, "url");
		type = parse_attr(attrs, nattrs, "type");
		len = parse_attr(attrs, nattrs, tag == T_ENCLOSURE ? "length" :
		    "fileSize");
		v = tag == T_MCONTENT ? parse_attr(attrs, nattrs, "duration") :
		    NULL;
		if (href != NULL)
			parse_attach(p, util_trim(href), type != NULL ?
			    util_trim(type) : NULL, len != NULL ?
			    util_trim(len) : NULL, v);
		free(href);
		free(type);
		free(len);
		free(v);
		break;
	case T_ICATEGORY:
		/* <itunes:category text="Technology">: the item's tag. */
		if (initem && (v = parse_attr(attrs, nattrs, "text")) != NULL) {
			parse_list_add(&p->item.tags, &p->item.ntags,
			    util_trim(v));
			free(v);
		}
		break;
	case T_ILINK:
	case T_MTHUMB:
	case T_IIMAGE:
		if (tag == T_ILINK) {
			/* Old iTunes style: <itunes:link rel="image">. */
			v = parse_attr(attrs, nattrs, "rel");
			i = v != NULL && strcmp(util_trim(v), "image") == 0;
			free(v);
			if (!i)
				break;
		}
		href = parse_attr(attrs, nattrs, tag == T_MTHUMB ? "url" :
		    "href");
		if (href == NULL && tag == T_IIMAGE)
			/* A common mistake: url= for href=. */
			href = parse_attr(attrs, nattrs, "url");
		if (href != NULL && *util_trim(href) != '\0') {
			t = parse_resolve(p, href);
			if (initem)
				parse_field_set(p, F_IMAGE, t, strlen(t));
			else
				parse_meta_set(&p->meta.icon, t);
			free(t);
		}
		free(href);
		break;
	default:
		break;
	}
}

/* SAX: an element ends. */
static void
parse_sax_end(void *arg, const xmlChar *lname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct parser		*p = arg;
	struct parse_frame	*fr;
	const char		*name = (const char *)lname;
	int			 d = p->depth;

	if (p->mode == MODE_FAILED || d == 0)
		return;
	parse_keep_going(p);
	if (p->cap != 0 && d > p->cap) {
		if (d != p->capwrap && p->capkind != KIND_LITERAL &&
		    !parse_void(name)) {
			parse_text_add(p, "</", 2);
			parse_text_add(p, name, strlen(name));
			parse_text_add(p, ">", 1);
		}
	} else if (p->cap == d)
		parse_field_end(p);
	else if (p->skip == d)
		p->skip = 0;
	else if (p->skip == 0) {
		if (p->initem == d) {
			p->initem = 0;
			parse_item_end(p);
		} else if (p->inauthor == d) {
			p->inauthor = 0;
			if (p->initem)
				parse_person_add(&p->item.authors,
				    &p->item.nauthors, p->aname.data,
				    p->auri.data, p->aemail.data);
			else
				parse_person_add(&p->meta.authors,
				    &p->meta.nauthors, p->aname.data,
				    p->auri.data, p->aemail.data);
		} else if (p->inimage == d)
			p->inimage = 0;
		else if (p->inchannel == d)
			p->inchannel = 0;
		else if (p->inskiphours == d)
			p->inskiphours = 0;
		else if (p->inskipdays == d)
			p->inskipdays = 0;
	}
	fr = &p->stack[d];
	if (fr->own)
		free(fr->base);
	fr->base = NULL;
	fr->own = 0;
	p->depth--;
}

/* SAX: text or CDATA. */
static void
parse_sax_text(void *arg, const xmlChar *s, int len)
{
	struct parser	*p = arg;

	parse_keep_going(p);
	if (p->cap == 0 || len <= 0)
		return;
	if (p->capkind == KIND_XHTML || p->depth > p->cap)
		parse_text_escape(p, (const char *)s, (size_t)len, 0);
	else
		parse_text_add(p, (const char *)s, (size_t)len);
}

/* Make a parser; base is the document's URL for relative links. */
struct parser *
parser_new(const char *base, parser_item_cb cb, void *arg)
{
	struct parser	*p;

	xmlInitParser();
	p = xcalloc(1, sizeof *p);
	p->cb = cb;
	p->arg = arg;
	if (base != NULL && *base != '\0')
		p->base = xstrdup(base);
	p->stack[0].base = p->base;
	p->cd = (iconv_t)-1;
	p->mode = MODE_DETECT;
	p->meta.format = FEED_UNKNOWN;
	parse_item_reset(p);
	return (p);
}

/* Push the next chunk of the document; -1 on a fatal error or the cap. */
int
parser_push(struct parser *p, const char *buf, size_t len)
{
	if (p->mode == MODE_FAILED)
		return (-1);
	if (len > PARSE_MAX_INPUT - p->total) {
		parse_fail(p, "document larger than the input limit");
		return (-1);
	}
	p->total += len;
	switch (p->mode) {
	case MODE_DETECT:
		buf_add(&p->head, buf, len);
		if (parse_detect(p, 0))
			buf_free(&p->head);
		break;
	case MODE_JSON:
		buf_add(&p->json, buf, len);
		break;
	case MODE_XML:
		parse_decode(p, buf, len, 0);
		break;
	default:
		break;
	}
	return (p->mode == MODE_FAILED ? -1 : 0);
}

/* End of input: finish parsing; 0, or -1 and "LINE:COLUMN: message". */
int
parser_finish(struct parser *p, char **cause)
{
	struct buf	 fixed = { NULL, 0, 0 };
	char		*s;
	int		 r;

	if (cause != NULL)
		*cause = NULL;
	if (p->mode == MODE_DETECT) {
		if (p->head.len == 0 ||
		    strspn(p->head.data, " \t\r\n") == p->head.len) {
			if (p->error == NULL)
				p->error = xstrdup("1:1: empty document");
			p->mode = MODE_FAILED;
		} else
			parse_detect(p, 1);
		buf_free(&p->head);
	}
	if (p->mode == MODE_XML) {
		parse_decode(p, "", 0, 1);
		if (p->mode == MODE_XML && p->ctxt != NULL)
			parse_xml_feed(p, "", 0, 1);
		if (p->mode != MODE_FAILED && !p->rootseen && p->error == NULL)
			p->error = xstrdup(p->lasterr != NULL ? p->lasterr :
			    "1:1: empty document");
		if (p->mode != MODE_FAILED && p->depth > 0 && p->error == NULL)
			parse_fail(p, "document is truncated");
	} else if (p->mode == MODE_JSON) {
		parse_utf8_repair(&fixed, (unsigned char *)p->json.data,
		    p->json.len, 1);
		buf_free(&p->json);
		if (jsonfeed_parse(p, fixed.data != NULL ? fixed.data : "",
		    fixed.len, &p->error) != 0 && p->error == NULL)
			p->error = xstrdup("1:1: bad JSON Feed");
		buf_free(&fixed);
	}
	if (p->sy_period > 0)
		p->meta.update_period = p->sy_period /
		    (p->sy_freq > 0 ? p->sy_freq : 1);
	r = p->error != NULL ? -1 : 0;
	if (r == -1 && cause != NULL) {
		/* Messages quote the document: no control characters. */
		*cause = xstrdup(p->error);
		for (s = *cause; *s != '\0'; s++) {
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				*s = '?';
		}
	}
	return (r);
}

/* What the document says about the feed (complete after finish). */
const struct feed_meta *
parser_meta(const struct parser *p)
{
	return (&p->meta);
}

/*
 * Move what the document said about the feed into *out (complete after
 * finish): the parser keeps an empty meta, the caller frees *out with
 * parser_meta_clear().  So a poll's result outlives its parser.
 */
void
parser_meta_take(struct parser *p, struct feed_meta *out)
{
	*out = p->meta;
	memset(&p->meta, 0, sizeof p->meta);
	p->meta.format = out->format;
}

/* Free the strings of a feed_meta and empty it. */
void
parser_meta_clear(struct feed_meta *m)
{
	size_t	i;

	free(m->title);
	free(m->home_page_url);
	free(m->feed_url);
	free(m->description);
	free(m->icon);
	free(m->language);
	for (i = 0; i < m->nauthors; i++) {
		free(m->authors[i].name);
		free(m->authors[i].url);
		free(m->authors[i].email);
	}
	free(m->authors);
	memset(m, 0, sizeof *m);
}

/* For jsonfeed.c: the meta to fill in. */
struct feed_meta *
parser_meta_edit(struct parser *p)
{
	return (&p->meta);
}

/* For jsonfeed.c: resolve a reference against the document URL. */
char *
parser_resolve(struct parser *p, const char *ref)
{
	return (parse_resolve(p, ref));
}

/* A format's name for humans. */
const char *
parser_format_name(enum feed_format f)
{
	switch (f) {
	case FEED_RSS090: return ("RSS 0.90");
	case FEED_RSS091: return ("RSS 0.91");
	case FEED_RSS092: return ("RSS 0.92");
	case FEED_RSS20: return ("RSS 2.0");
	case FEED_RSS10: return ("RSS 1.0");
	case FEED_ATOM03: return ("Atom 0.3");
	case FEED_ATOM10: return ("Atom 1.0");
	case FEED_JSON10: return ("JSON Feed 1.0");
	case FEED_JSON11: return ("JSON Feed 1.1");
	default: return ("unknown");
	}
}

/* Free the parser and everything it owns. */
void
parser_free(struct parser *p)
{
	size_t	i;
	int	d;

	if (p == NULL)
		return;
	parse_item_reset(p);
	for (i = 0; i < F_NFIELDS; i++)
		buf_free(&p->f[i].b);
	for (d = 1; d <= PARSE_MAX_DEPTH + 1; d++) {
		if (p->stack[d].own)
			free(p->stack[d].base);
	}
	if (p->ctxt != NULL) {
		if (p->ctxt->myDoc != NULL)
			xmlFreeDoc(p->ctxt->myDoc);
		xmlFreeParserCtxt(p->ctxt);
	}
	if (p->cd != (iconv_t)-1)
		iconv_close(p->cd);
	parser_meta_clear(&p->meta);
	buf_free(&p->head);
	buf_free(&p->json);
	buf_free(&p->conv);
	buf_free(&p->join);
	buf_free(&p->join2);
	buf_free(&p->acarry);
	buf_free(&p->stage);
	buf_free(&p->aref);
	for (i = 0; i < p->nent; i++) {
		free(p->entname[i]);
		free(p->entvalue[i]);
	}
	buf_free(&p->ajoin);
	buf_free(&p->fix);
	buf_free(&p->b64);
	buf_free(&p->text);
	buf_free(&p->aname);
	buf_free(&p->auri);
	buf_free(&p->aemail);
	free(p->error);
	free(p->lasterr);
	free(p->linkrel);
	free(p->linktype);
	free(p->linklen);
	free(p->rooturi);
	free(p->base);
	free(p);
}
