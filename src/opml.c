/*
 * opml.c: OPML subscription lists, to and from struct config's feeds, for
 * `feedctl import` and `feedctl export`.
 *
 * An exception to "only parse.c, jsonfeed.c and html.c see libxml2": OPML
 * is XML, and libxml2's tree reader and text writer are the well-kept way
 * to read and write it.  This file only maps outlines to feed_conf entries
 * and back; nothing here touches the network (XML_PARSE_NONET) or expands
 * entities.
 *
 * Import: every <outline> with an xmlUrl (http or https) is a feed, its
 * #fragment dropped as the feeds file drops it; its title is the title
 * attribute, else text; enclosing outlines without xmlUrl are folders and
 * give tags, as do the comma-separated category paths ("/Tech/News" gives
 * Tech and News).  Export writes OPML 2.0: feeds
 * without tags first, then one folder per first tag; every feed also lists
 * all its tags in category, and its options (every=2h keep=50 ...) in
 * feedd:options (namespace OPML_NS), so an export imports back to the
 * same feeds, titles, tags and options.  A feed the feeds file gives no
 * title is exported with the store's title as its text, when known.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "feedd.h"

#define OPML_MAX_DEPTH	64	/* outline nesting */
#define OPML_MAX_FEEDS	100000
#define OPML_MAX_TAGS	32	/* per feed */
/* The namespace of feedd:options, the feed's options (every=2h ...). */
#define OPML_NS		"https://feedd.org/ns/opml"

/* Walking state: the folders above the current outline. */
struct opml_walk {
	struct config	*cfg;
	const char	*path;
	char		*folders[OPML_MAX_DEPTH];
	int		 nfolders;
	int		 skipped;
};

/* An attribute as a new sanitised string, or NULL when absent or empty. */
static char *
opml_attr(xmlNode *n, const char *name)
{
	xmlChar	*v;
	char	*s, *t;

	v = xmlGetProp(n, (const xmlChar *)name);
	if (v == NULL)
		return (NULL);
	s = render_sanitize((const char *)v, 0);
	xmlFree(v);
	t = xstrdup(util_trim(s));
	free(s);
	if (*t == '\0') {
		free(t);
		return (NULL);
	}
	return (t);
}

/* Add a tag to a feed unless it has it already (case-insensitive). */
static void
opml_add_tag(struct feed_conf *fc, const char *tag)
{
	size_t	i;

	if (*tag == '\0' || fc->ntags >= OPML_MAX_TAGS)
		return;
	for (i = 0; i < fc->ntags; i++)
		if (strcasecmp(fc->tags[i], tag) == 0)
			return;
	fc->tags = xreallocarray(fc->tags, fc->ntags + 1, sizeof *fc->tags);
	fc->tags[fc->ntags++] = xstrdup(tag);
}

/*
 * Why the feeds file would not accept url (absolute http or https, no
 * blanks), or NULL when it would.
 */
static const char *
opml_url_problem(const char *url)
{
	const char	*p;

	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0)
		return ("not an http or https URL");
	for (p = url; *p != '\0'; p++) {
		if (*p == ' ')
			return ("the URL contains a space");
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return ("the URL contains a control character");
		if (*p == '"')
			return ("the URL contains a double quote");
	}
	return (NULL);
}

/*
 * The feed's options from feedd:options ("every=2h keep=50"), read the
 * way the feeds file reads them; bad ones are reported and dropped.
 */
static void
opml_options(struct opml_walk *w, xmlNode *n, struct feed_conf *fc)
{
	struct config	*one;
	xmlChar		*v;
	char		*line, *cause = NULL;

	v = xmlGetNsProp(n, (const xmlChar *)"options",
	    (const xmlChar *)OPML_NS);
	if (v == NULL)
		return;
	xasprintf(&line, "http://x/ %s", (const char *)v);
	xmlFree(v);
	if ((one = config_parse_feed_line(line, &cause)) == NULL ||
	    one->nfeeds != 1) {
		log_warnx("%s:%d: %s: feedd:options ignored: %s", w->path,
		    (int)xmlGetLineNo(n), fc->url, cause != NULL ? cause :
		    "bad options");
	} else {
		fc->every = one->feeds[0].every;
		fc->keep_items = one->feeds[0].keep_items;
		fc->id_mode = one->feeds[0].id_mode;
		fc->updates_unread = one->feeds[0].updates_unread;
		fc->dedupe_link = one->feeds[0].dedupe_link;
	}
	config_free(one);
	free(cause);
	free(line);
}

/* Add the feed an outline describes. */
static void
opml_add_feed(struct opml_walk *w, xmlNode *n, char *url)
{
	struct config	*cfg = w->cfg;
	struct feed_conf *fc;
	const char	*why;
	char		*cat, *p, *q, *hash;
	int		 i;

	if ((why = opml_url_problem(url)) != NULL) {
		log_warnx("%s:%d: skipping %s: %s", w->path,
		    (int)xmlGetLineNo(n), url, why);
		w->skipped++;
		free(url);
		return;
	}
	if (cfg->nfeeds >= OPML_MAX_FEEDS) {
		w->skipped++;
		free(url);
		return;
	}
	if ((hash = strchr(url, '#')) != NULL) {
		/* As the feeds file reads it (config.c): never sent. */
		log_info("%s:%d: %s: fragment \"%s\" dropped", w->path,
		    (int)xmlGetLineNo(n), url, hash);
		*hash = '\0';
	}
	cfg->feeds = xreallocarray(cfg->feeds, cfg->nfeeds + 1,
	    sizeof *cfg->feeds);
	free(cfg->by_url);	/* config_feed_by_url()'s index is stale */
	cfg->by_url = NULL;
	fc = &cfg->feeds[cfg->nfeeds++];
	memset(fc, 0, sizeof *fc);
	fc->url = url;
	fc->keep_items = -1;
	fc->line = (int)xmlGetLineNo(n);
	if ((fc->title = opml_attr(n, "title")) == NULL)
		fc->title = opml_attr(n, "text");
	if (fc->title != NULL && strcmp(fc->title, url) == 0) {
		free(fc->title);
		fc->title = NULL;
	}
	for (i = 0; i < w->nfolders; i++)
		opml_add_tag(fc, w->folders[i]);
	opml_options(w, n, fc);
	if ((cat = opml_attr(n, "category")) != NULL) {
		for (p = cat; p != NULL; p = q) {
			if ((q = strpbrk(p, ",/")) != NULL)
				*q++ = '\0';
			opml_add_tag(fc, util_trim(p));
		}
		free(cat);
	}
}

/* Walk the outlines under n. */
static void
opml_walk(struct opml_walk *w, xmlNode *n, int depth)
{
	char	*url, *folder;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    xmlStrcasecmp(n->name, (const xmlChar *)"outline") != 0)
			continue;
		url = opml_attr(n, "xmlUrl");
		if (url == NULL)
			url = opml_attr(n, "xmlurl");
		if (url != NULL) {
			opml_add_feed(w, n, url);
			continue;
		}
		if (n->children == NULL || depth >= OPML_MAX_DEPTH)
			continue;
		if ((folder = opml_attr(n, "title")) == NULL)
			folder = opml_attr(n, "text");
		if (folder != NULL)
			w->folders[w->nfolders++] = folder;
		opml_walk(w, n->children, depth + 1);
		if (folder != NULL)
			free(w->folders[--w->nfolders]);
	}
}

/*
 * What a file that is not OPML looks like ("an RSS feed"), from its root
 * element (read leniently: a feed need not be well-formed XML to be
 * recognised) or its first byte, or NULL.
 */
static const char *
opml_looks_like(const char *path)
{
	static const struct {
		const char	*root;
		const char	*what;
	} kinds[] = {
		{ "rss", "an RSS feed" },
		{ "RDF", "an RSS 1.0 feed" },
		{ "feed", "an Atom feed" },
		{ "html", "an HTML page" },
	};
	const char	*what = NULL;
	xmlDoc		*doc;
	xmlNode		*root;
	FILE		*fp;
	size_t		 i;
	int		 c;

	if ((fp = fopen(path, "r")) != NULL) {
		while ((c = getc(fp)) != EOF && strchr(" \t\r\n", c) != NULL)
			continue;
		fclose(fp);
		if (c == '{')
			return ("a JSON Feed");
	}
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_RECOVER);
	if (doc == NULL)
		return (NULL);
	if ((root = xmlDocGetRootElement(doc)) != NULL) {
		for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			if (xmlStrcasecmp(root->name,
			    (const xmlChar *)kinds[i].root) == 0)
				what = kinds[i].what;
	}
	xmlFreeDoc(doc);
	return (what);
}

/*
 * Read an OPML file's feeds into cfg->feeds (appended).  Returns 0, or -1
 * and *cause.
 */
int
opml_read(const char *path, struct config *cfg, char **cause)
{
	struct opml_walk	 w;
	xmlDoc			*doc;
	xmlNode			*root, *n;
	const xmlError		*e;
	const char		*what;

	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	if ((root == NULL || xmlStrcasecmp(root->name,
	    (const xmlChar *)"opml") != 0) &&
	    (what = opml_looks_like(path)) != NULL) {
		xmlFreeDoc(doc);
		xasprintf(cause, "%s is not an OPML document (it looks like "
		    "%s; subscribe to a feed with feedctl add URL)", path,
		    what);
		return (-1);
	}
	if (doc == NULL) {
		e = xmlGetLastError();
		if (e != NULL && e->message != NULL && e->line > 0)
			xasprintf(cause, "%s:%d: %.*s", path, e->line,
			    (int)strcspn(e->message, "\n"), e->message);
		else
			xasprintf(cause, "%s: cannot read OPML", path);
		return (-1);
	}
	if (root == NULL ||
	    xmlStrcasecmp(root->name, (const xmlChar *)"opml") != 0) {
		xmlFreeDoc(doc);
		xasprintf(cause, "%s: not an OPML file", path);
		return (-1);
	}
	memset(&w, 0, sizeof w);
	w.cfg = cfg;
	w.path = path;
	for (n = root->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcasecmp(n->name, (const xmlChar *)"body") == 0)
			opml_walk(&w, n->children, 0);
	}
	xmlFreeDoc(doc);
	return (0);
}

/* Write one feed's outline. */
static int
opml_write_feed(xmlTextWriter *tw, const struct feed_conf *fc,
    const char *store_title)
{
	struct buf	 cat, opt = { NULL, 0, 0 };
	char		*title, *url, *t;
	size_t		 i;
	int		 rc = 0;

	url = render_sanitize(fc->url, 0);
	title = render_sanitize(fc->title != NULL ? fc->title :
	    store_title != NULL ? store_title : fc->url, 0);
	config_feed_options(&opt, fc);
	memset(&cat, 0, sizeof cat);
	for (i = 0; i < fc->ntags; i++) {
		t = render_sanitize(fc->tags[i], 0);
		if (cat.len != 0)
			buf_addc(&cat, ',');
		buf_adds(&cat, t);
		free(t);
	}
	if (xmlTextWriterStartElement(tw, (const xmlChar *)"outline") < 0 ||
	    xmlTextWriterWriteAttribute(tw, (const xmlChar *)"type",
	    (const xmlChar *)"rss") < 0 ||
	    xmlTextWriterWriteAttribute(tw, (const xmlChar *)"text",
	    (const xmlChar *)title) < 0 ||
	    (fc->title != NULL && xmlTextWriterWriteAttribute(tw,
	    (const xmlChar *)"title", (const xmlChar *)title) < 0) ||
	    xmlTextWriterWriteAttribute(tw, (const xmlChar *)"xmlUrl",
	    (const xmlChar *)url) < 0 ||
	    (cat.len > 0 && xmlTextWriterWriteAttribute(tw,
	    (const xmlChar *)"category", (const xmlChar *)cat.data) < 0) ||
	    (opt.len > 0 && (xmlTextWriterWriteAttribute(tw,
	    (const xmlChar *)"xmlns:feedd", (const xmlChar *)OPML_NS) < 0 ||
	    xmlTextWriterWriteAttribute(tw, (const xmlChar *)"feedd:options",
	    (const xmlChar *)opt.data + 1) < 0)) ||
	    xmlTextWriterEndElement(tw) < 0)
		rc = -1;
	buf_free(&cat);
	buf_free(&opt);
	free(url);
	free(title);
	return (rc);
}

/*
 * Write cfg's feeds as an OPML 2.0 document to fp.  Returns 0, or -1 and
 * *cause.
 */
int
opml_write(FILE *fp, const struct config *cfg, char **cause)
{
	return (opml_write_titles(fp, cfg, NULL, cause));
}

/*
 * The same, with store_titles[i] (if not NULL) as the text of feed i when
 * the feeds file gives it no title: the title the store knows.
 */
int
opml_write_titles(FILE *fp, const struct config *cfg,
    char *const *store_titles, char **cause)
{
	xmlBuffer	*xb;
	xmlTextWriter	*tw;
	const struct feed_conf *fc;
	char		 date[64], *folder;
	time_t		 now;
	struct tm	 tm;
	size_t		 i, j, k;
	int		 rc = -1, seen;

	if ((xb = xmlBufferCreate()) == NULL)
		fatalx("xmlBufferCreate");
	if ((tw = xmlNewTextWriterMemory(xb, 0)) == NULL)
		fatalx("xmlNewTextWriterMemory");
	xmlTextWriterSetIndent(tw, 1);
	xmlTextWriterSetIndentString(tw, (const xmlChar *)"  ");
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (xmlTextWriterStartDocument(tw, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(tw, (const xmlChar *)"opml") < 0 ||
	    xmlTextWriterWriteAttribute(tw, (const xmlChar *)"version",
	    (const xmlChar *)"2.0") < 0 ||
	    xmlTextWriterStartElement(tw, (const xmlChar *)"head") < 0 ||
	    xmlTextWriterWriteElement(tw, (const xmlChar *)"title",
	    (const xmlChar *)"feedd subscriptions") < 0 ||
	    xmlTextWriterWriteElement(tw, (const xmlChar *)"dateCreated",
	    (const xmlChar *)date) < 0 ||
	    xmlTextWriterEndElement(tw) < 0 ||
	    xmlTextWriterStartElement(tw, (const xmlChar *)"body") < 0)
		goto out;
	for (i = 0; i < cfg->nfeeds; i++) {
		if (cfg->feeds[i].ntags == 0 &&
		    opml_write_feed(tw, &cfg->feeds[i], store_titles != NULL ?
		    store_titles[i] : NULL) != 0)
			goto out;
	}
	/* One folder per distinct first tag, in order of appearance. */
	for (i = 0; i < cfg->nfeeds; i++) {
		fc = &cfg->feeds[i];
		if (fc->ntags == 0)
			continue;
		for (seen = 0, k = 0; k < i && !seen; k++)
			seen = cfg->feeds[k].ntags > 0 &&
			    strcmp(cfg->feeds[k].tags[0], fc->tags[0]) == 0;
		if (seen)
			continue;
		folder = render_sanitize(fc->tags[0], 0);
		if (xmlTextWriterStartElement(tw,
		    (const xmlChar *)"outline") < 0 ||
		    xmlTextWriterWriteAttribute(tw, (const xmlChar *)"text",
		    (const xmlChar *)folder) < 0 ||
		    xmlTextWriterWriteAttribute(tw, (const xmlChar *)"title",
		    (const xmlChar *)folder) < 0) {
			free(folder);
			goto out;
		}
		free(folder);
		for (j = i; j < cfg->nfeeds; j++) {
			if (cfg->feeds[j].ntags == 0 ||
			    strcmp(cfg->feeds[j].tags[0], fc->tags[0]) != 0)
				continue;
			if (opml_write_feed(tw, &cfg->feeds[j],
			    store_titles != NULL ? store_titles[j] : NULL) != 0)
				goto out;
		}
		if (xmlTextWriterEndElement(tw) < 0)
			goto out;
	}
	if (xmlTextWriterEndDocument(tw) < 0)
		goto out;
	xmlFreeTextWriter(tw);
	tw = NULL;
	if (fwrite(xmlBufferContent(xb), 1, (size_t)xmlBufferLength(xb),
	    fp) != (size_t)xmlBufferLength(xb)) {
		xasprintf(cause, "write: %s", strerror(errno));
		xmlBufferFree(xb);
		return (-1);
	}
	rc = 0;
out:
	if (rc != 0)
		xasprintf(cause, "cannot write OPML");
	if (tw != NULL)
		xmlFreeTextWriter(tw);
	xmlBufferFree(xb);
	return (rc);
}
