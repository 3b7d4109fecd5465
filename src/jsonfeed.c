/*
 * jsonfeed.c: JSON Feed 1.0/1.1 input.  parse.c hands over a document
 * that starts with '{', whole and as valid UTF-8; its feed keys go to the
 * parser's meta and its items through parser_deliver(), which sets their
 * dedupe key.  Strings are trimmed and capped, titles folded to one line
 * as in XML feeds (item.c), URLs resolved against the document URL.
 * Writing JSON Feed is render.c's (`feedctl parse`).
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feedd.h"

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
	char			*s, *html, *sum;
	size_t			 i;

	memset(&it, 0, sizeof it);
	it.guid = jsonfeed_str(o, "id");
	it.url = jsonfeed_url(p, o, "url");
	it.external_url = jsonfeed_url(p, o, "external_url");
	it.title = jsonfeed_title(o, "title", 1);
	html = jsonfeed_str(o, "content_html");
	it.content_html = parser_html(p, html);
	it.content_text = jsonfeed_str(o, "content_text");
	/* Plain text by the spec; HTML to whoever reads a summary. */
	sum = jsonfeed_str(o, "summary");
	it.summary = parser_text_html(sum);
	/* The key hashes the body as given (see item_key()). */
	it.key_body = html != NULL ? html : it.content_text != NULL ?
	    it.content_text : sum;
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
	if (html != it.content_html)
		free(html);
	if (sum != it.summary)
		free(sum);
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
