/*
 * item.c: the values that make up a feed item, whatever the format they
 * came in: titles as one line of plain text, people (RSS "mail (Name)"
 * forms too), tag lists, durations, attachments, URLs resolved against a
 * base and made absolute in HTML content.  These are functions of
 * strings and of struct feed_item, with no parser state: parse.c and
 * jsonfeed.c read documents, this file says what their values become.
 *
 * An item of an XML feed is filled in as a draft (struct item_draft):
 * text fields in buffers reused from item to item (sfeed style), the
 * first value of each kept.  item_draft_end() then settles what stands in
 * for what: a permalink guid for a missing link, the description for a
 * missing body, the feed's authors for an Atom entry's, and so on.
 *
 * The dedupe key has one owner, item_key(), used by the parser and by the
 * store: the document's id (guid), else the link, else "hash:" and a hash
 * of title, date and content.  Keys are stored, so the rule and the hash
 * (FNV-1a) never change.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "feedd.h"

/*
 * Fold runs of whitespace (and no-break spaces) into one space, in place,
 * and trim: a title is one line.  Returns the new length.
 */
size_t
item_fold(char *s)
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
int
item_has_markup(const char *s)
{
	for (; (s = strpbrk(s, "<&")) != NULL; s++) {
		if (*s == '<' || isalpha((unsigned char)s[1]) || s[1] == '#')
			return (1);
	}
	return (0);
}

/*
 * A title as one line of plain text, a new string; with html, s is read as
 * HTML.  s itself may be changed.
 */
char *
item_title(char *s, int html)
{
	char	*t;

	if (!html) {
		item_fold(s);
		return (xstrdup(s));
	}
	t = html_to_text(s, strlen(s), HTML_TEXT_INLINE);
	if (t == NULL) {
		item_fold(s);
		return (xstrdup(s));
	}
	item_fold(t);
	return (t);
}

/* Add a string to a list, without duplicates and within the cap. */
void
item_list_add(char ***list, size_t *n, const char *s)
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
void
item_person_add(struct feed_person **list, size_t *n, const char *name,
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
item_is_addr(const char *s)
{
	return (strchr(s, '@') != NULL && strpbrk(s, " \t") == NULL);
}

/*
 * Add an RSS-style author: "jane@example.com (Jane Doe)", "Jane Doe
 * (jane@example.com)", "Jane Doe <jane@example.com>", an address alone or
 * a name alone ("Author (name)" is a name: neither part is an address).
 */
void
item_rss_author(struct feed_person **list, size_t *n, char *s)
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
		if (item_is_addr(out) || item_is_addr(in)) {
			if (item_is_addr(in))
				item_person_add(list, n, out, NULL, in);
			else
				item_person_add(list, n, in, NULL, out);
			free(copy);
			return;
		}
		free(copy);
	} else if (item_is_addr(s)) {
		item_person_add(list, n, NULL, NULL, s);
		return;
	}
	item_person_add(list, n, s, NULL, NULL);
}

/* Parse "123", "12:03" or "1:02:03" seconds; -1 if not a duration. */
int64_t
item_duration(const char *s)
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

/*
 * Add an attachment to an item, url (a new string, resolved) its own; one
 * of the same URL is merged: what it lacks is filled in.
 */
void
item_attach(struct feed_item *it, char *url, const char *type,
    const char *size, const char *duration)
{
	struct feed_attachment	*a = NULL;
	size_t			 i;
	int64_t			 v;

	for (i = 0; i < it->nattachments; i++) {
		if (strcmp(it->attachments[i].url, url) == 0) {
			a = &it->attachments[i];
			free(url);
			break;
		}
	}
	if (a == NULL) {
		if (it->nattachments >= PARSE_MAX_LIST) {
			free(url);
			return;
		}
		it->attachments = xreallocarray(it->attachments,
		    it->nattachments + 1, sizeof *it->attachments);
		a = &it->attachments[it->nattachments++];
		a->url = url;
		a->mime_type = NULL;
		a->size = a->duration = -1;
	}
	if (a->mime_type == NULL && type != NULL && *type != '\0')
		a->mime_type = xstrdup(type);
	if (a->size < 0 && size != NULL &&
	    util_parse_int(size, 0, INT64_MAX, &v) == 0 && v > 0)
		a->size = v;
	if (a->duration < 0 && duration != NULL &&
	    (v = item_duration(duration)) >= 0)
		a->duration = v;
}

/* Free the lists of an item: authors, tags, attachments. */
void
item_free_lists(struct feed_item *it)
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

/* The body and the summary of a draft's item (see item_draft_end()). */
static void
item_draft_body(struct item_draft *d)
{
	struct feed_item	*it = &d->it;
	struct buf		 out = { NULL, 0, 0 };
	enum item_field		 f;

	it->content_html = d->v[ITEM_HTML];
	it->content_text = d->v[ITEM_TEXT];
	it->summary = d->v[ITEM_SUMMARY];
	if (it->content_html == NULL && it->content_text == NULL &&
	    it->summary == NULL && d->v[ITEM_DESC] == NULL &&
	    d->v[ITEM_MDESC] != NULL) {
		/* Only the media's own description: better than nothing. */
		it->summary = d->v[ITEM_MDESC];
		d->summary_html = d->mdesc_html;
	}
	if (it->content_html == NULL && it->content_text == NULL) {
		/* The description, else the summary, is the body. */
		if (d->v[ITEM_DESC] != NULL)
			it->content_html = d->v[ITEM_DESC];
		else if (it->summary != NULL) {
			if (d->summary_html)
				it->content_html = it->summary;
			else
				it->content_text = it->summary;
			it->summary = NULL;
		}
	} else if (it->summary == NULL)
		it->summary = d->v[ITEM_DESC];
	if (it->summary != NULL && it->summary != d->v[ITEM_DESC] &&
	    !d->summary_html && strpbrk(it->summary, "<\n") != NULL) {
		/*
		 * A text summary: readers take it as HTML, so escape it, and
		 * keep its line breaks as <br>.
		 */
		f = it->summary == d->v[ITEM_SUMMARY] ? ITEM_SUMMARY :
		    ITEM_MDESC;
		sanitize_text_html(&out, it->summary, strlen(it->summary));
		item_draft_rewrite(d, f, &out);
		it->summary = d->v[f];
	}
}

/*
 * Replace text field f with its rewritten (sanitized, escaped) form, out
 * (taken), keeping the text as given for the dedupe key: an item keyed by
 * its content keeps its key whatever the sanitizer becomes.
 */
void
item_draft_rewrite(struct item_draft *d, enum item_field f, struct buf *out)
{
	if (d->rv[f] == NULL) {
		buf_free(&d->raw[f]);
		d->raw[f] = d->b[f];
		d->rv[f] = d->v[f];
	} else
		buf_free(&d->b[f]);	/* rewritten twice: keep the first */
	d->b[f] = *out;
	d->v[f] = out->data;
	memset(out, 0, sizeof *out);
}

/*
 * The dedupe key of an item: its id when that is set, else its guid, else
 * its link, else "hash:" and the FNV-1a hash of its title, its date (the
 * published one, else the modified one) and its content (HTML, else text,
 * else summary) as the document gave it (key_body, before sanitizing),
 * written to buf (32 bytes suffice).
 */
char *
item_key(const struct feed_item *it, char *buf, size_t size)
{
	const char	*title, *body;
	char		 date[32];
	uint64_t	 h;

	if (it->id != NULL)
		return (it->id);
	if (it->guid != NULL && *it->guid != '\0')
		return (it->guid);
	if (it->url != NULL && *it->url != '\0')
		return (it->url);
	snprintf(date, sizeof date, "%lld", (long long)
	    (it->published != DATE_NONE ? it->published : it->modified));
	title = it->title != NULL ? it->title : "";
	body = it->key_body != NULL ? it->key_body :
	    it->content_html != NULL ? it->content_html :
	    it->content_text != NULL ? it->content_text :
	    it->summary != NULL ? it->summary : "";
	h = util_hash64(title, strlen(title) + 1, 0);
	h = util_hash64(date, strlen(date) + 1, h);
	h = util_hash64(body, strlen(body), h);
	snprintf(buf, size, "hash:%016llx", (unsigned long long)h);
	return (buf);
}

/* Empty a draft for the next item (its lists are freed). */
void
item_draft_reset(struct item_draft *d)
{
	size_t	i;

	item_free_lists(&d->it);
	memset(&d->it, 0, sizeof d->it);
	d->it.published = d->it.modified = DATE_NONE;
	for (i = 0; i < ITEM_NTEXT; i++) {
		buf_reset(&d->b[i]);
		d->v[i] = NULL;
		buf_reset(&d->raw[i]);
		d->rv[i] = NULL;
	}
	d->summary_html = 0;
	d->guid_permalink = 1;
	d->duration = -1;
	d->link_html = 0;
}

/* Free what a draft holds. */
void
item_draft_free(struct item_draft *d)
{
	size_t	i;

	item_draft_reset(d);
	for (i = 0; i < ITEM_NTEXT; i++) {
		buf_free(&d->b[i]);
		buf_free(&d->raw[i]);
	}
}

/* Set a text field from a string, unless set: the first one wins. */
void
item_draft_set(struct item_draft *d, enum item_field f, const char *s,
    size_t len)
{
	if (d->v[f] != NULL || len == 0)
		return;
	buf_reset(&d->b[f]);
	buf_add(&d->b[f], s, len);
	d->v[f] = d->b[f].data;
}

/*
 * Set a text field to s, which points into text, unless set: the buffers
 * trade places instead of copying (content is large).
 */
void
item_draft_take(struct item_draft *d, enum item_field f, struct buf *text,
    char *s)
{
	struct buf	tmp;

	if (d->v[f] != NULL || *s == '\0')
		return;
	tmp = d->b[f];
	d->b[f] = *text;
	*text = tmp;
	d->v[f] = s;
}

/*
 * Settle a draft into its item, by the rules of what stands in for what:
 * the link (else a permalink guid, a media player page, an rdf:about), the
 * title, the body (content, else the description, else the summary), the
 * summary, the image, the duration, the authors (an Atom feed's apply to
 * its entries) and the date (in RSS a lone modification date is the date).
 * The item's strings are the draft's until it is reset.
 */
struct feed_item *
item_draft_end(struct item_draft *d, const struct feed_meta *m)
{
	struct feed_item	*it = &d->it;
	size_t			 i;
	int			 atom;

	atom = m->format == FEED_ATOM10 || m->format == FEED_ATOM03;
	it->guid = d->v[ITEM_GUID];
	if (it->guid == NULL)
		it->guid = d->v[ITEM_ABOUT];
	it->url = d->v[ITEM_LINK];
	if (it->url == NULL && d->v[ITEM_GUID] != NULL && d->guid_permalink &&
	    (strncmp(it->guid, "http://", 7) == 0 ||
	    strncmp(it->guid, "https://", 8) == 0))
		it->url = it->guid;
	if (it->url == NULL)
		it->url = d->v[ITEM_PLAYER];
	if (it->url == NULL && d->v[ITEM_ABOUT] != NULL &&
	    (strncmp(d->v[ITEM_ABOUT], "http://", 7) == 0 ||
	    strncmp(d->v[ITEM_ABOUT], "https://", 8) == 0))
		it->url = d->v[ITEM_ABOUT];
	it->title = d->v[ITEM_TITLE];
	if (it->title == NULL)
		it->title = d->v[ITEM_MTITLE];
	item_draft_body(d);
	it->key_body = it->content_html != NULL ? it->content_html :
	    it->content_text != NULL ? it->content_text : it->summary;
	for (i = 0; i < ITEM_NTEXT; i++)
		if (it->key_body != NULL && d->v[i] == it->key_body)
			it->key_body = d->rv[i];	/* NULL: as given */
	it->image = d->v[ITEM_IMAGE];
	for (i = 0; it->image == NULL && i < it->nattachments; i++) {
		if (it->attachments[i].mime_type != NULL &&
		    strncmp(it->attachments[i].mime_type, "image/", 6) == 0)
			it->image = it->attachments[i].url;
	}
	for (i = 0; d->duration >= 0 && i < it->nattachments; i++) {
		if (it->attachments[i].duration < 0) {
			it->attachments[i].duration = d->duration;
			break;
		}
	}
	if (it->nauthors == 0 && atom) {
		/* RFC 4287 4.2.1: the feed's authors apply to the entry. */
		for (i = 0; i < m->nauthors; i++)
			item_person_add(&it->authors, &it->nauthors,
			    m->authors[i].name, m->authors[i].url,
			    m->authors[i].email);
	}
	if (it->published == DATE_NONE && it->modified != DATE_NONE &&
	    !atom) {
		/* RSS: a lone modification date is the date we have. */
		it->published = it->modified;
		it->modified = DATE_NONE;
	}
	return (it);
}

/* Whether a URL reference is relative: no scheme, not a bare fragment. */
static int
item_is_relative(const char *s, size_t n)
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

/* Resolve a reference against base (may be NULL); a new string. */
char *
item_resolve(const char *base, const char *ref)
{
	xmlChar	*u;
	char	*s;

	while (isspace((unsigned char)*ref))
		ref++;
	/* Absolute already (the usual case): nothing to resolve. */
	if (base == NULL || *ref == '\0' || (*ref != '#' &&
	    !item_is_relative(ref, strcspn(ref, ":/?#") + 1)))
		return (xstrdup(ref));
	if ((u = xmlBuildURI((const xmlChar *)ref,
	    (const xmlChar *)base)) == NULL)
		return (xstrdup(ref));
	s = xstrdup((const char *)u);
	xmlFree(u);
	return (s);
}
