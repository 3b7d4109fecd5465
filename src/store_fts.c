/*
 * store_fts.c: the search index's tokenizer, "feedd_html".
 *
 * Items keep their content as HTML, and the FTS5 index reads it from the
 * items table (external content), so what is indexed must be the text a
 * reader sees, not the markup: with a plain tokenizer a search for "div",
 * "href" or "class" matches nearly every item.  This tokenizer wraps
 * FTS5's own unicode61 (its arguments are passed on) and shows it the
 * text with the markup blanked out: tags and comments, the insides of
 * script and style elements, and character references.  Blanking keeps
 * every byte offset, so snippet() and highlight() still point into the
 * stored text.
 *
 * It is part of the store (store.c is the only other file that sees
 * sqlite3) and must be registered on every connection that writes items,
 * since the update and delete triggers tokenize the old values; the
 * sqlite3 shell therefore cannot delete or change indexed items (it says
 * "no such tokenizer: feedd_html"), see README.
 *
 * What counts as a tag follows the HTML tokenizer's rule: "<" followed by
 * a letter, "/", "!" or "?", up to the next ">" outside quotes.  A "<"
 * without its ">" is text, so "a < b" in a title is searched as written.
 */

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "feedd.h"
#include "store_fts.h"

struct fts_html {
	fts5_tokenizer	 parent;	/* unicode61's methods */
	Fts5Tokenizer	*inner;		/* and its instance */
};

/* The end of the tag opening at p (just past its ">"), or NULL. */
static const char *
fts_tag_end(const char *p, const char *end)
{
	char	q = 0;

	if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
		for (p += 4; end - p >= 3; p++)
			if (memcmp(p, "-->", 3) == 0)
				return (p + 3);
		return (NULL);
	}
	for (p++; p < end; p++) {
		if (q != 0) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'')
			q = *p;
		else if (*p == '>')
			return (p + 1);
	}
	return (NULL);
}

/* Whether the tag at p opens an element named name (case aside). */
static int
fts_tag_is(const char *p, const char *end, const char *name)
{
	size_t	n = strlen(name);

	if ((size_t)(end - p) < n + 2 || strncasecmp(p + 1, name, n) != 0)
		return (0);
	p += n + 1;
	return (*p == '>' || *p == '/' || isspace((unsigned char)*p));
}

/* Where the element whose name was opened before p ends ("</name"). */
static const char *
fts_raw_end(const char *p, const char *end, const char *name)
{
	size_t	n = strlen(name);

	for (; end - p >= (ptrdiff_t)(n + 2); p++)
		if (p[0] == '<' && p[1] == '/' &&
		    strncasecmp(p + 2, name, n) == 0)
			return (p);
	return (end);
}

/* The end of a character reference at p ("&name;", "&#123;"), or NULL. */
static const char *
fts_ref_end(const char *p, const char *end)
{
	const char	*s = p + 1;
	int		 n;

	if (s < end && *s == '#')
		s++;
	for (n = 0; s < end && n < 32 && isalnum((unsigned char)*s); n++)
		s++;
	if (n == 0 || s >= end || *s != ';')
		return (NULL);
	return (s + 1);
}

/* Copy text to out (same length) with its markup turned into spaces. */
void
store_fts_blank(const char *text, int len, char *out)
{
	const char	*p = text, *end = text + len, *e;
	static const char *raw[] = { "script", "style" };
	size_t		 i;

	memcpy(out, text, len);
	while (p < end) {
		if (*p == '<' && p + 1 < end && (isalpha((unsigned char)p[1]) ||
		    p[1] == '/' || p[1] == '!' || p[1] == '?') &&
		    (e = fts_tag_end(p, end)) != NULL) {
			for (i = 0; i < sizeof raw / sizeof raw[0]; i++)
				if (fts_tag_is(p, end, raw[i])) {
					e = fts_raw_end(e, end, raw[i]);
					break;
				}
		} else if (*p == '&' && (e = fts_ref_end(p, end)) != NULL)
			;
		else {
			p++;
			continue;
		}
		memset(out + (p - text), ' ', e - p);
		p = e;
	}
}

static int
fts_html_create(void *api_arg, const char **argv, int argc,
    Fts5Tokenizer **out)
{
	fts5_api	*api = api_arg;
	struct fts_html	*t;
	void		*ud = NULL;
	int		 rc;

	t = xcalloc(1, sizeof *t);
	rc = api->xFindTokenizer(api, "unicode61", &ud, &t->parent);
	if (rc == SQLITE_OK)
		rc = t->parent.xCreate(ud, argv, argc, &t->inner);
	if (rc != SQLITE_OK) {
		free(t);
		return (rc);
	}
	*out = (Fts5Tokenizer *)t;
	return (SQLITE_OK);
}

static void
fts_html_delete(Fts5Tokenizer *tok)
{
	struct fts_html	*t = (struct fts_html *)tok;

	if (t == NULL)
		return;
	t->parent.xDelete(t->inner);
	free(t);
}

static int
fts_html_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text,
    int len, int (*token)(void *, int, const char *, int, int, int))
{
	struct fts_html	*t = (struct fts_html *)tok;
	char		 small[4096], *copy;
	int		 rc;

	if (len <= 0 || (memchr(text, '<', len) == NULL &&
	    memchr(text, '&', len) == NULL))
		return (t->parent.xTokenize(t->inner, ctx, flags, text, len,
		    token));
	if ((size_t)len <= sizeof small)
		copy = small;
	else
		copy = xmalloc(len);
	store_fts_blank(text, len, copy);
	rc = t->parent.xTokenize(t->inner, ctx, flags, copy, len, token);
	if (copy != small)
		free(copy);
	return (rc);
}

/* Register "feedd_html" on db.  Returns SQLITE_OK or an error code. */
int
store_fts_register(sqlite3 *db)
{
	static fts5_tokenizer	 tok = {
		fts_html_create, fts_html_delete, fts_html_tokenize };
	sqlite3_stmt		*stmt = NULL;
	fts5_api		*api = NULL;
	int			 rc;

	rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return (rc);
	sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (api == NULL || api->iVersion < 2)
		return (SQLITE_ERROR);
	return (api->xCreateTokenizer(api, "feedd_html", api, &tok, NULL));
}
