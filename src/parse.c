/*
 * parse.c: the streaming feed parser.  It owns the libxml2 push parser and
 * its SAX2 callbacks, the mapping of RSS 0.9x/1.0/2.0 and Atom 0.3/1.0
 * elements (with the Dublin Core, content, Media RSS, iTunes, syndication
 * and Atom-in-RSS namespaces) to struct feed_item and struct feed_meta,
 * and item delivery.  The bytes pushed go through decode.c first (format
 * and encoding detection, UTF-8 repair, the entity pre-pass), so libxml2
 * is always fed clean UTF-8 and told to ignore the declared encoding.  A
 * JSON Feed document comes from decode.c whole, at the end, and goes to
 * jsonfeed.c.
 *
 * Nothing is built as a tree: each item is collected into capped buffers
 * that are reused for the next item (sfeed style) and handed to the
 * callback when its element ends.
 *
 * Entities: XML's five, character references, the HTML named entities and
 * the plain-text ones the document declares (decode.c rewrites these
 * before libxml2 sees them; parse_sax_entity() is a fallback).  Nothing
 * external is ever loaded (no XML_PARSE_NOENT, no DTD loading,
 * XML_PARSE_NONET), so billion laughs, quadratic blowup and XXE are inert.
 * libxml2 is fed in fixed blocks, so any split of the input gives the same
 * result.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include "feedd.h"

/* libxml2 gets the document in blocks of this size (see parse_xml_feed). */
#define PARSE_BLOCK	(16 * 1024)

/* parser_read() reads this much at a time. */
#define PARSE_READ_CHUNK	(64 * 1024)

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
	T_NTAGS
};

/* How a captured text is to be read. */
#define KIND_TEXT	0
#define KIND_HTML	1
#define KIND_XHTML	2
#define KIND_LITERAL	3	/* Atom type="text" title: no markup */

/* One open element. */
struct parse_frame {
	char		*base;		/* xml:base in effect (owned if own) */
	int		 own;
	int		 container;	/* its children may be fields */
	enum parse_tag	 tag;		/* what it is, if a container */
};

enum parse_mode {
	MODE_START,	/* no reader yet: decode.c looks, or keeps JSON */
	MODE_XML,
	MODE_JSON,
	MODE_FAILED,
};

struct parser {
	parser_item_cb	 cb;
	void		*arg;
	char		*base;		/* document URL, or NULL */

	enum parse_mode	 mode;
	size_t		 total;		/* bytes pushed */
	struct decode	*dec;		/* the bytes, to clean UTF-8 */
	struct buf	 stage;		/* less than a block, for libxml2 */
	struct buf	 b64;		/* decoded base64 text */

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
	struct item_draft d;
	int		 mnested;	/* media:description in media:content */
	char		*linkrel, *linktype, *linklen;	/* Atom link */
	struct buf	 aname, auri, aemail;	/* author being built */
	char		 hash[32];	/* an item's "hash:" key */

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
	decode_put_utf8(&b, d->value);
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
 * decode.c's output, clean UTF-8.  The first call starts the reader of the
 * format it found; a JSON document comes whole, at the end.
 */
static void
parse_input_cb(const char *s, size_t n, int final, void *arg)
{
	struct parser	*p = arg;

	if (p->mode == MODE_START) {
		if (decode_format(p->dec) == DECODE_JSON)
			p->mode = MODE_JSON;
		else
			parse_xml_start(p);
	}
	if (p->mode != MODE_JSON) {
		parse_xml_feed(p, s, n, final);
		return;
	}
	if (jsonfeed_parse(p, s, n, &p->error) != 0 && p->error == NULL)
		p->error = xstrdup("1:1: bad JSON Feed");
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
	return (decode_utf8_own(s));
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

/*
 * Resolve a URL against the element's base; a new string, or NULL (and
 * counted) when its scheme is not one a URL field keeps (sanitize.c).
 */
static char *
parse_resolve(struct parser *p, const char *ref)
{
	char	*u = item_resolve(p->stack[p->depth].base, ref);

	if (sanitize_url_ok(u, SANITIZE_FIELD))
		return (u);
	free(u);
	p->meta.nunsafe++;
	return (NULL);
}

/*
 * Set HTML field f from s (in the capture buffer), unless set, sanitized
 * (sanitize.c): active content goes, links are made absolute against the
 * base in effect for the element that held it (xml:base, else the
 * document URL).
 */
static void
parse_take_html(struct parser *p, enum item_field f, char *s)
{
	struct buf	 out = { NULL, 0, 0 };

	if (p->d.v[f] != NULL)
		return;
	item_draft_take(&p->d, f, &p->text, s);
	if (p->d.v[f] == NULL || strchr(p->d.v[f], '<') == NULL)
		return;
	p->meta.nunsafe += sanitize_html(&out, p->d.v[f], strlen(p->d.v[f]),
	    p->stack[p->depth].base);
	item_draft_rewrite(&p->d, f, &out);
}

/* Add an attachment to the item, or merge it with one of the same URL. */
static void
parse_attach(struct parser *p, const char *url, const char *type,
    const char *size, const char *duration)
{
	char	*u;

	if (url != NULL && *url != '\0' && (u = parse_resolve(p, url)) != NULL)
		item_attach(&p->d.it, u, type, size, duration);
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
	item_free_lists(it);
	memset(it, 0, sizeof *it);
	it->published = it->modified = DATE_NONE;
}

/* Set the item's dedupe key (item_key()) and deliver it. */
void
parser_deliver(struct parser *p, struct feed_item *it)
{
	it->id = item_key(it, p->hash, sizeof p->hash);
	p->meta.nitems++;
	p->cb(it, p->arg);
}

/* The item element ended: settle its fields and deliver it. */
static void
parse_item_end(struct parser *p)
{
	parser_deliver(p, item_draft_end(&p->d, &p->meta));
	item_draft_reset(&p->d);
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

/* Feed fields a text may fill (strings of struct feed_meta, and authors). */
enum parse_mfield {
	M_NONE, M_TITLE, M_HOME, M_DESC, M_ICON, M_LANGUAGE, M_AUTHORS
};

/* How a text is read, and so what it may fill. */
enum parse_conv {
	CONV_NONE,	/* not in the table: see parse_field_other() */
	CONV_TEXT,	/* a string as it is */
	CONV_URL,	/* a string, resolved against the base */
	CONV_TITLE,	/* a string, one line of plain text */
	CONV_DESC,	/* item: HTML, links made absolute; feed: plain text */
	CONV_SUMMARY,	/* HTML or text by its type, the first one only */
	CONV_CONTENT,	/* the body: HTML (links made absolute) or ITEM_TEXT */
	CONV_DATE,	/* ITEM_PUBLISHED or _MODIFIED, the first one only */
	CONV_TAG,	/* a category, to ITEM_TAGS */
	CONV_NAME,	/* a person's name, to the authors */
	CONV_RSSAUTHOR,	/* "mail (Name)", "Name <mail>", ... to the authors */
};

/*
 * Where the text of an element goes, by tag, as sfeed maps tags to fields:
 * the vocabulary tables map (format, element) to a tag, and this one maps
 * the tag to the item field it fills inside an item, the feed field it
 * fills outside, and how it is read.  Tags not listed are read by
 * parse_field_other().
 */
static const struct parse_map {
	enum parse_conv	  conv;
	enum item_field	  item;
	enum parse_mfield meta;
} parse_map[T_NTAGS] = {
	/* tag			  how		item		feed */
	[T_TITLE] =		{ CONV_TITLE,	ITEM_TITLE,	M_TITLE },
	[T_MTITLE] =		{ CONV_TITLE,	ITEM_MTITLE,	M_NONE },
	[T_LINK] =		{ CONV_URL,	ITEM_LINK,	M_HOME },
	[T_ICON] =		{ CONV_URL,	ITEM_NONE,	M_ICON },
	[T_GUID] =		{ CONV_TEXT,	ITEM_GUID,	M_NONE },
	[T_ID] =		{ CONV_TEXT,	ITEM_GUID,	M_NONE },
	[T_LANGUAGE] =		{ CONV_TEXT,	ITEM_NONE,	M_LANGUAGE },
	[T_DESCRIPTION] =	{ CONV_DESC,	ITEM_DESC,	M_DESC },
	[T_SUBTITLE] =		{ CONV_DESC,	ITEM_DESC,	M_DESC },
	[T_SUMMARY] =		{ CONV_SUMMARY,	ITEM_SUMMARY,	M_NONE },
	[T_ISUMMARY] =		{ CONV_SUMMARY,	ITEM_SUMMARY,	M_NONE },
	[T_CONTENT] =		{ CONV_CONTENT,	ITEM_HTML,	M_NONE },
	[T_ENCODED] =		{ CONV_CONTENT,	ITEM_HTML,	M_NONE },
	[T_PUBDATE] =		{ CONV_DATE,	ITEM_PUBLISHED,	M_NONE },
	[T_PUBLISHED] =		{ CONV_DATE,	ITEM_PUBLISHED,	M_NONE },
	[T_DCDATE] =		{ CONV_DATE,	ITEM_PUBLISHED,	M_NONE },
	[T_UPDATED] =		{ CONV_DATE,	ITEM_MODIFIED,	M_NONE },
	[T_DCMODIFIED] =	{ CONV_DATE,	ITEM_MODIFIED,	M_NONE },
	[T_CATEGORY] =		{ CONV_TAG,	ITEM_TAGS,	M_NONE },
	[T_DCSUBJECT] =		{ CONV_TAG,	ITEM_TAGS,	M_NONE },
	[T_DCCREATOR] =		{ CONV_RSSAUTHOR, ITEM_AUTHORS, M_AUTHORS },
	[T_IAUTHOR] =		{ CONV_NAME,	ITEM_AUTHORS,	M_AUTHORS },
	[T_RSSAUTHOR] =		{ CONV_RSSAUTHOR, ITEM_AUTHORS, M_AUTHORS },
};

/* The feed string a parse_mfield names. */
static char **
parse_meta_str(struct feed_meta *m, enum parse_mfield mf)
{
	switch (mf) {
	case M_TITLE:
		return (&m->title);
	case M_HOME:
		return (&m->home_page_url);
	case M_DESC:
		return (&m->description);
	case M_ICON:
		return (&m->icon);
	case M_LANGUAGE:
		return (&m->language);
	default:
		fatalx("%s: %d is not a string", __func__, (int)mf);
	}
}

/* Store a string read as conv says (text, URL, title) in f or *ms. */
static void
parse_field_str(struct parser *p, enum parse_conv conv, enum item_field f,
    char **ms, char *s, size_t len)
{
	char	*t;

	if (conv == CONV_TEXT) {
		if (f != ITEM_NONE)
			item_draft_set(&p->d, f, s, len);
		else
			parse_meta_set(ms, s);
		return;
	}
	if (len == 0 || (f != ITEM_NONE ? p->d.v[f] != NULL : *ms != NULL))
		return;
	if (conv == CONV_URL) {
		if ((t = parse_resolve(p, s)) == NULL)
			return;
	} else
		t = item_title(s, p->capkind != KIND_LITERAL &&
		    (p->capkind != KIND_TEXT || item_has_markup(s)));
	if (f != ITEM_NONE)
		item_draft_set(&p->d, f, t, strlen(t));
	else
		parse_meta_set(ms, t);
	free(t);
}

/* Store HTML (or text) in f, taking the capture buffer. */
static void
parse_field_html(struct parser *p, enum parse_conv conv, enum item_field f,
    char *s, size_t len)
{
	int	html = p->capkind != KIND_TEXT;

	switch (conv) {
	case CONV_DESC:
		parse_take_html(p, f, s);
		break;
	case CONV_SUMMARY:
		if (p->d.v[f] != NULL || len == 0)
			break;
		if (html)
			parse_take_html(p, f, s);
		else
			item_draft_take(&p->d, f, &p->text, s);
		p->d.summary_html = html;
		break;
	default:
		if (len == 0)
			break;
		if (!html)
			item_draft_take(&p->d, ITEM_TEXT, &p->text, s);
		else
			parse_take_html(p, f, s);
		break;
	}
}

/* The feed's description: plain text, from HTML unless it is text. */
static void
parse_meta_desc(struct parser *p, char **ms, char *s, size_t len)
{
	char	*t;

	if (*ms != NULL || len == 0)
		return;
	if (p->capkind != KIND_LITERAL &&
	    (p->capkind != KIND_TEXT || item_has_markup(s))) {
		t = html_to_text(s, len, 0);
		parse_meta_set(ms, t);
		free(t);
	} else
		parse_meta_set(ms, s);
}

/* Store the text of an element that parse_map lists. */
static void
parse_field_map(struct parser *p, const struct parse_map *fm, char *s,
    size_t len)
{
	struct feed_item	*it = &p->d.it;
	struct feed_meta	*m = &p->meta;
	enum item_field		 f = p->initem ? fm->item : ITEM_NONE;
	enum parse_mfield	 mf = p->initem ? M_NONE : fm->meta;
	struct feed_person	**list;
	size_t			*n;
	int64_t			*date, v;

	if (f == ITEM_NONE && mf == M_NONE)
		return;
	switch (fm->conv) {
	case CONV_TEXT:
	case CONV_URL:
	case CONV_TITLE:
		parse_field_str(p, fm->conv, f, f != ITEM_NONE ? NULL :
		    parse_meta_str(m, mf), s, len);
		break;
	case CONV_DESC:
		if (f == ITEM_NONE) {
			parse_meta_desc(p, parse_meta_str(m, mf), s, len);
			break;
		}
		/* FALLTHROUGH */
	case CONV_SUMMARY:
	case CONV_CONTENT:
		parse_field_html(p, fm->conv, f, s, len);
		break;
	case CONV_DATE:
		date = f == ITEM_PUBLISHED ? &it->published : &it->modified;
		if (*date == DATE_NONE && date_parse(s, &v) == 0)
			*date = v;
		break;
	case CONV_TAG:
		item_list_add(&it->tags, &it->ntags, s);
		break;
	case CONV_NAME:
	case CONV_RSSAUTHOR:
		list = f != ITEM_NONE ? &it->authors : &m->authors;
		n = f != ITEM_NONE ? &it->nauthors : &m->nauthors;
		if (fm->conv == CONV_NAME)
			item_person_add(list, n, s, NULL, NULL);
		else
			item_rss_author(list, n, s);
		break;
	default:
		break;
	}
}

/* Update periods of the syndication module, in seconds. */
static const struct {
	const char	*name;
	int64_t		 secs;
} parse_periods[] = {
	{ "hourly", 3600 }, { "daily", 86400 }, { "weekly", 7 * 86400 },
	{ "monthly", 30 * 86400 }, { "yearly", 365 * 86400 },
};

/* Store the text of an element that parse_map does not list. */
static void
parse_field_other(struct parser *p, enum parse_tag tag, char *s,
    size_t len)
{
	struct feed_meta	*m = &p->meta;
	int64_t			 v;
	size_t			 i;

	switch (tag) {
	case T_MDESC:
		/* In media:content: the media's own, else a summary. */
		if (!p->initem || !p->mnested)
			parse_field_map(p, &parse_map[T_SUMMARY], s, len);
		else if (p->d.v[ITEM_MDESC] == NULL && len > 0) {
			p->d.mdesc_html = p->capkind != KIND_TEXT;
			if (p->d.mdesc_html)
				parse_take_html(p, ITEM_MDESC, s);
			else
				item_draft_take(&p->d, ITEM_MDESC, &p->text,
				    s);
		}
		break;
	case T_ATOMLINK:
		parse_atom_link(p, s);
		break;
	case T_TTL:
		if (!p->initem && util_parse_int(s, 1, 10 * 365 * 24 * 60,
		    &v) == 0)
			m->ttl = v * 60;
		break;
	case T_IDURATION:
		if (p->initem && p->d.duration < 0)
			p->d.duration = item_duration(s);
		break;
	case T_SYPERIOD:
		for (i = 0; i < sizeof parse_periods /
		    sizeof parse_periods[0]; i++) {
			if (strcasecmp(s, parse_periods[i].name) == 0)
				p->sy_period = parse_periods[i].secs;
		}
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

/* A captured field ended: store its text where it belongs. */
static void
parse_field_end(struct parser *p)
{
	enum parse_tag	 tag = p->captag;
	char		*s, *t;
	size_t		 len;

	if (p->text.len >= p->capmax)
		decode_utf8_cut(&p->text);
	if (p->text.data == NULL)
		buf_add(&p->text, "", 0);
	if (p->capb64) {
		len = parse_base64(p->text.data);
		buf_reset(&p->b64);
		decode_utf8_repair(&p->b64, p->text.data, len, 1);
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
		if (tag == T_URL && len > 0 &&
		    (t = parse_resolve(p, s)) != NULL) {
			if (p->initem)
				item_draft_set(&p->d, ITEM_IMAGE, t, strlen(t));
			else
				parse_meta_set(&p->meta.icon, t);
			free(t);
		}
		return;
	}
	if (parse_map[tag].conv != CONV_NONE)
		parse_field_map(p, &parse_map[tag], s, len);
	else
		parse_field_other(p, tag, s, len);
}

/* An Atom link (rel, type, length from the element) to href. */
static void
parse_atom_link(struct parser *p, char *href)
{
	const char	*rel = p->linkrel, *type = p->linktype;
	char		*t;
	int		 html, initem = p->initem != 0;

	if (*util_trim(href) == '\0' || (t = parse_resolve(p, href)) == NULL)
		return;
	if (rel == NULL || strcmp(rel, "alternate") == 0) {
		html = type == NULL || strcasecmp(type, "text/html") == 0;
		if (initem && (p->d.v[ITEM_LINK] == NULL ||
		    (html && !p->d.link_html))) {
			p->d.v[ITEM_LINK] = NULL;
			item_draft_set(&p->d, ITEM_LINK, t, strlen(t));
			p->d.link_html = html;
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

/*
 * The root element: decide the format or refuse the document.  A feed's
 * root in a namespace we do not know makes that namespace its own.
 */
static void
parse_root(struct parser *p, enum parse_ns ns, const char *name,
    const xmlChar *uri, const xmlChar **attrs, int nattrs)
{
	char	*v, *msg;
	int	 i;

	p->rootseen = 1;
	p->stack[p->depth].container = 1;
	if (ns == NS_OTHER && uri != NULL &&
	    (strcmp(name, "rss") == 0 || strcmp(name, "feed") == 0)) {
		p->rooturi = xstrdup((const char *)uri);
		p->rootns = strcmp(name, "rss") == 0 ? NS_RSS : NS_ATOM10;
		ns = p->rootns;
	}
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

/*
 * Open the frame of an element: its base is its parent's, or what its
 * xml:base resolves to against that.
 */
static void
parse_frame_push(struct parser *p, const xmlChar **attrs, int nattrs)
{
	struct parse_frame	*fr;
	char			*v, *u;
	int			 i;

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
		/*
		 * Given twice (recovery mode): the last one counts.  A base
		 * that is not http(s) is ignored: javascript:x// would turn
		 * every relative link below it into script.
		 */
		v = parse_attr_value(attrs, i);
		u = item_resolve(p->stack[p->depth - 1].base, v);
		free(v);
		if (strncasecmp(u, "http://", 7) != 0 &&
		    strncasecmp(u, "https://", 8) != 0) {
			if (!sanitize_url_ok(u, SANITIZE_FIELD))
				p->meta.nunsafe++;
			free(u);
			continue;
		}
		if (fr->own)
			free(fr->base);
		fr->base = u;
		fr->own = 1;
	}
}

/*
 * The vocabulary of an element, by its namespace URI, or by its prefix
 * when that is undeclared: recovery mode then hands "media:content" over
 * as the name, and *name moves past the prefix.
 */
static enum parse_ns
parse_element_ns(struct parser *p, const char **name, const xmlChar *prefix,
    const xmlChar *uri)
{
	enum parse_ns	 ns;
	const char	*t;
	char		*v;

	if (uri == NULL && prefix == NULL &&
	    (t = strchr(*name, ':')) != NULL) {
		v = xstrndup(*name, (size_t)(t - *name));
		ns = parse_ns_class(NULL, (const xmlChar *)v);
		free(v);
		*name = t + 1;
	} else
		ns = parse_ns_class(uri, prefix);
	if (ns == NS_OTHER && uri != NULL && p->rooturi != NULL &&
	    strcmp((const char *)uri, p->rooturi) == 0)
		ns = p->rootns;
	return (ns);
}

/* What an element below the root is to us; marks containers. */
static enum parse_tag
parse_element_tag(struct parser *p, enum parse_ns ns, const char *name)
{
	struct parse_frame	*fr = &p->stack[p->depth];
	enum parse_tag		 tag;

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
	return (tag);
}

/* An item starts, unless one is open (then it is skipped, nested). */
static void
parse_start_item(struct parser *p, const xmlChar **attrs, int nattrs)
{
	char	*v, *t;

	if (p->initem) {
		p->skip = p->depth;
		return;
	}
	item_draft_reset(&p->d);
	p->initem = p->depth;
	if ((v = parse_attr(attrs, nattrs, "about")) != NULL) {
		t = util_trim(v);
		item_draft_set(&p->d, ITEM_ABOUT, t, strlen(t));
		free(v);
	}
}

/* An Atom category: its term, else its label, is an item tag. */
static void
parse_start_category(struct parser *p, const xmlChar **attrs, int nattrs)
{
	char	*v;

	if (!p->initem)
		return;
	v = parse_attr(attrs, nattrs, "term");
	if (v == NULL || *util_trim(v) == '\0') {
		free(v);
		v = parse_attr(attrs, nattrs, "label");
	}
	if (v != NULL)
		item_list_add(&p->d.it.tags, &p->d.it.ntags, util_trim(v));
	free(v);
}

/*
 * An element whose text we want: capture it, read as what its type says
 * (parse_text_kind()) or as its vocabulary has it.
 */
static void
parse_start_text(struct parser *p, enum parse_tag tag, enum parse_ns ns,
    const xmlChar **attrs, int nattrs)
{
	char	*v;
	int	 initem = p->initem != 0, kind = KIND_TEXT, b64 = 0;
	int	 atom = ns == NS_ATOM10 || ns == NS_ATOM03 || p->atomdefault;

	switch (tag) {
	case T_NAME: case T_URI: case T_EMAIL:
		if (!p->inauthor)
			return;
		break;
	case T_TITLE:
		if (initem ? p->d.v[ITEM_TITLE] != NULL : p->meta.title != NULL)
			return;
		if (atom && (kind = parse_text_kind(attrs, nattrs, &b64,
		    0)) == KIND_TEXT)
			kind = KIND_LITERAL;
		break;
	case T_CONTENT:
		/* Content elsewhere (src=): nothing to read here. */
		if (initem && (v = parse_attr(attrs, nattrs, "src")) != NULL) {
			free(v);
			return;
		}
		/* FALLTHROUGH */
	case T_SUMMARY:
		if (!initem)
			return;
		kind = parse_text_kind(attrs, nattrs, &b64, 0);
		break;
	case T_SUBTITLE:
		if (initem)
			return;
		if ((kind = parse_text_kind(attrs, nattrs, &b64, 0)) ==
		    KIND_TEXT)
			kind = KIND_LITERAL;
		break;
	case T_XBODY:
		if (!initem)
			return;
		tag = T_ENCODED;
		kind = KIND_XHTML;
		break;
	case T_MDESC: case T_MTITLE:
		/* Media RSS text (YouTube): type="plain" unless "html". */
		if (!initem)
			return;
		v = parse_attr(attrs, nattrs, "type");
		if (v != NULL && strcasecmp(v, "html") == 0)
			kind = KIND_HTML;
		else if (tag == T_MTITLE)
			kind = KIND_LITERAL;
		free(v);
		break;
	case T_ENCODED: case T_DESCRIPTION:
		kind = initem ? KIND_HTML : KIND_TEXT;
		break;
	case T_GUID:
		if (initem && (v = parse_attr(attrs, nattrs,
		    "isPermaLink")) != NULL) {
			p->d.guid_permalink = strcasecmp(util_trim(v),
			    "false") != 0;
			free(v);
		}
		break;
	case T_CATEGORY:
		if (atom) {
			parse_start_category(p, attrs, nattrs);
			return;
		}
		break;
	case T_LINK: case T_ID: case T_PUBDATE: case T_PUBLISHED:
	case T_UPDATED: case T_DCDATE: case T_DCMODIFIED: case T_DCSUBJECT:
	case T_RSSAUTHOR: case T_DCCREATOR: case T_IAUTHOR: case T_TTL:
	case T_LANGUAGE: case T_ICON: case T_ISUMMARY: case T_IDURATION:
	case T_SYPERIOD: case T_SYFREQ: case T_HOUR: case T_DAY:
		break;
	default:
		return;
	}
	parse_capture(p, tag, ns, kind, b64);
}

/* An Atom link: rel, type and length wait for its href, or its text. */
static void
parse_start_atomlink(struct parser *p, enum parse_ns ns,
    const xmlChar **attrs, int nattrs)
{
	char	*href;

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
		parse_capture(p, T_ATOMLINK, ns, KIND_TEXT, 0);
	free(href);
}

/* An RSS enclosure or a media:content: an attachment of the item. */
static void
parse_start_enclosure(struct parser *p, enum parse_tag tag,
    const xmlChar **attrs, int nattrs)
{
	char	*href, *type, *len, *v;

	if (!p->initem)
		return;
	href = parse_attr(attrs, nattrs, "url");
	type = parse_attr(attrs, nattrs, "type");
	len = parse_attr(attrs, nattrs, tag == T_ENCLOSURE ? "length" :
	    "fileSize");
	v = tag == T_MCONTENT ? parse_attr(attrs, nattrs, "duration") : NULL;
	if (href != NULL)
		parse_attach(p, util_trim(href), type != NULL ?
		    util_trim(type) : NULL, len != NULL ? util_trim(len) : NULL,
		    v);
	free(href);
	free(type);
	free(len);
	free(v);
}

/*
 * An image given as an attribute (media:thumbnail, itunes:image, the old
 * itunes:link rel="image"): the item's image, or the feed's icon.
 */
static void
parse_start_image(struct parser *p, enum parse_tag tag,
    const xmlChar **attrs, int nattrs)
{
	char	*href, *t;
	int	 image;

	if (tag == T_ILINK) {
		t = parse_attr(attrs, nattrs, "rel");
		image = t != NULL && strcmp(util_trim(t), "image") == 0;
		free(t);
		if (!image)
			return;
	}
	href = parse_attr(attrs, nattrs, tag == T_MTHUMB ? "url" : "href");
	if (href == NULL && tag == T_IIMAGE)
		/* A common mistake: url= for href=. */
		href = parse_attr(attrs, nattrs, "url");
	if (href != NULL && *util_trim(href) != '\0' &&
	    (t = parse_resolve(p, href)) != NULL) {
		if (p->initem)
			item_draft_set(&p->d, ITEM_IMAGE, t, strlen(t));
		else
			parse_meta_set(&p->meta.icon, t);
		free(t);
	}
	free(href);
}

/* An element below the root starts, outside any capture: act on it. */
static void
parse_element_start(struct parser *p, enum parse_tag tag, enum parse_ns ns,
    const xmlChar **attrs, int nattrs)
{
	char	*v, *t;

	switch (tag) {
	case T_ITEM:
		parse_start_item(p, attrs, nattrs);
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
	case T_ATOMLINK:
		parse_start_atomlink(p, ns, attrs, nattrs);
		break;
	case T_ENCLOSURE:
	case T_MCONTENT:
		parse_start_enclosure(p, tag, attrs, nattrs);
		break;
	case T_ILINK:
	case T_MTHUMB:
	case T_IIMAGE:
		parse_start_image(p, tag, attrs, nattrs);
		break;
	case T_MPLAYER:
		/* A page to watch it: the link when there is none. */
		if (p->initem &&
		    (v = parse_attr(attrs, nattrs, "url")) != NULL &&
		    (t = parse_resolve(p, util_trim(v))) != NULL) {
			item_draft_set(&p->d, ITEM_PLAYER, t, strlen(t));
			free(t);
			free(v);
		}
		break;
	case T_ICATEGORY:
		/* <itunes:category text="Technology">: the item's tag. */
		if (p->initem &&
		    (v = parse_attr(attrs, nattrs, "text")) != NULL) {
			item_list_add(&p->d.it.tags, &p->d.it.ntags,
			    util_trim(v));
			free(v);
		}
		break;
	default:
		parse_start_text(p, tag, ns, attrs, nattrs);
		break;
	}
}

/* SAX: an element starts. */
static void
parse_sax_start(void *arg, const xmlChar *lname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **nsl, int nattrs,
    int ndef, const xmlChar **attrs)
{
	struct parser	*p = arg;
	const char	*name = (const char *)lname;
	enum parse_ns	 ns;
	enum parse_tag	 tag;

	if (p->mode == MODE_FAILED)
		return;
	parse_keep_going(p);
	if (p->depth >= PARSE_MAX_DEPTH) {
		parse_fail(p, "elements nested too deeply");
		return;
	}
	parse_frame_push(p, attrs, nattrs);
	if (p->cap != 0) {
		parse_capture_start(p, name, attrs, nattrs);
		return;
	}
	if (p->skip != 0)
		return;
	ns = parse_element_ns(p, &name, prefix, uri);
	if (p->depth == 1) {
		parse_root(p, ns, name, uri, attrs, nattrs);
		return;
	}
	tag = parse_element_tag(p, ns, name);
	if (p->inimage) {
		/* A channel's or an item's image: only its URL counts. */
		if (tag == T_URL)
			parse_capture(p, tag, ns, KIND_TEXT, 0);
		return;
	}
	parse_element_start(p, tag, ns, attrs, nattrs);
}

/* SAX: an element ends. */
static void
parse_sax_end(void *arg, const xmlChar *lname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct parser		*p = arg;
	struct parse_frame	*fr;
	const char		*name = (const char *)lname, *au;
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
			au = p->auri.data;
			if (au != NULL && !sanitize_url_ok(au, SANITIZE_FIELD)) {
				au = NULL;
				p->meta.nunsafe++;
			}
			if (p->initem)
				item_person_add(&p->d.it.authors,
				    &p->d.it.nauthors, p->aname.data,
				    au, p->aemail.data);
			else
				item_person_add(&p->meta.authors,
				    &p->meta.nauthors, p->aname.data,
				    au, p->aemail.data);
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
	p->dec = decode_new(parse_input_cb, p);
	p->mode = MODE_START;
	p->meta.format = FEED_UNKNOWN;
	item_draft_reset(&p->d);
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
	if (decode_push(p->dec, buf, len, 0) == DECODE_HTML)
		parse_fail(p, "not a feed: HTML document");
	return (p->mode == MODE_FAILED ? -1 : 0);
}

/*
 * Push what fd holds through p, to its end or to a fatal parse error
 * (`feedctl parse`).  Returns 0, or -1 when reading failed (see errno);
 * parser_finish() comes next either way.
 */
int
parser_read(struct parser *p, int fd)
{
	char	*buf;
	ssize_t	 n;
	int	 r = 0, saved;

	buf = xmalloc(PARSE_READ_CHUNK);
	for (;;) {
		n = read(fd, buf, PARSE_READ_CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			r = -1;
		if (n <= 0 || parser_push(p, buf, (size_t)n) != 0)
			break;
	}
	saved = errno;
	free(buf);
	errno = saved;
	return (r);
}

/* End of input: finish parsing; 0, or -1 and "LINE:COLUMN: message". */
int
parser_finish(struct parser *p, char **cause)
{
	char	*s;
	int	 r;

	if (cause != NULL)
		*cause = NULL;
	if (p->mode != MODE_FAILED) {
		switch (decode_push(p->dec, "", 0, 1)) {
		case DECODE_EMPTY:
			if (p->error == NULL)
				p->error = xstrdup("1:1: empty document");
			p->mode = MODE_FAILED;
			break;
		case DECODE_HTML:
			parse_fail(p, "not a feed: HTML document");
			break;
		default:
			break;
		}
	}
	if (p->mode == MODE_XML) {
		parse_xml_feed(p, "", 0, 1);
		if (p->mode != MODE_FAILED && !p->rootseen && p->error == NULL)
			p->error = xstrdup(p->lasterr != NULL ? p->lasterr :
			    "1:1: empty document");
		if (p->mode != MODE_FAILED && p->depth > 0 && p->error == NULL)
			parse_fail(p, "document is truncated");
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

/*
 * For jsonfeed.c: resolve a reference against the document URL; NULL when
 * its scheme is not kept.
 */
char *
parser_resolve(struct parser *p, const char *ref)
{
	return (parse_resolve(p, ref));
}

/*
 * For jsonfeed.c: HTML s (may be NULL) sanitized against the document
 * URL: s itself when it has no markup, else a new string.
 */
char *
parser_html(struct parser *p, char *s)
{
	struct buf	out = { NULL, 0, 0 };

	if (s == NULL || strchr(s, '<') == NULL)
		return (s);
	p->meta.nunsafe += sanitize_html(&out, s, strlen(s), p->base);
	return (out.data);
}

/*
 * Text s (may be NULL) as HTML: a summary is always HTML to its readers,
 * so text with markup characters is escaped, and its line breaks become
 * <br>: s, or a new string.
 */
char *
parser_text_html(char *s)
{
	struct buf	out = { NULL, 0, 0 };

	if (s == NULL || strpbrk(s, "<\n") == NULL)
		return (s);
	sanitize_text_html(&out, s, strlen(s));
	return (out.data);
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
	int	d;

	if (p == NULL)
		return;
	item_draft_free(&p->d);
	for (d = 1; d <= PARSE_MAX_DEPTH + 1; d++) {
		if (p->stack[d].own)
			free(p->stack[d].base);
	}
	if (p->ctxt != NULL) {
		if (p->ctxt->myDoc != NULL)
			xmlFreeDoc(p->ctxt->myDoc);
		xmlFreeParserCtxt(p->ctxt);
	}
	decode_free(p->dec);
	parser_meta_clear(&p->meta);
	buf_free(&p->stage);
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
