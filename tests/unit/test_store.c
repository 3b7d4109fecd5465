/*
 * test_store.c: store.c on real SQLite files in a private temp directory.
 *
 * Covers the schema and migrations, upsert and dedupe, search, every
 * filter of store_items, store_mark with a cursor, feed lookup and
 * listing, retention, stats and hostile strings.  Expected values are
 * worked out by hand from the rows each test inserts.  sqlite3 is used
 * directly only to look at the file as an outside tool would.
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "feedd.h"
#include "store_fts.h"
#include "tap.h"

static char	 tmpdir[] = "/tmp/test_store.XXXXXX";

/* What turns a version 16 database back into version 15 (hidden feeds). */
#define STORE_UNDO_16 \
	"DROP INDEX feeds_hidden; PRAGMA user_version = 15;"
/* What turns a version 15 database back into version 14 (enclosure size). */
#define STORE_UNDO_15 \
	"ALTER TABLE items DROP COLUMN enclosure_length;" \
	" PRAGMA user_version = 14;"
/* What turns a version 14 database back into version 13 (unseen). */
#define STORE_UNDO_14 \
	"DROP INDEX items_unseen; ALTER TABLE items DROP COLUMN unseen_change;" \
	" PRAGMA user_version = 13;"
/* What turns a version 13 database back into version 12 (link hashes). */
#define STORE_UNDO_13 \
	"DROP INDEX items_link; ALTER TABLE items DROP COLUMN link_hash;" \
	" PRAGMA user_version = 12;"
/* What turns a version 12 database back into version 11 (junk dates). */
#define STORE_UNDO_12 \
	"DROP INDEX items_time; DROP INDEX items_feed;" \
	" ALTER TABLE items DROP COLUMN junk_date;" \
	" CREATE INDEX items_time ON items" \
	" (MIN(COALESCE(published, updated, first_seen), first_seen + 86400)," \
	" id);" \
	" CREATE INDEX items_feed ON items (feed_id," \
	" MIN(COALESCE(published, updated, first_seen), first_seen + 86400)," \
	" id);" \
	" PRAGMA user_version = 11;"
/* What turns a version 11 database back into version 10 (date cap). */
#define STORE_UNDO_11 \
	"DROP INDEX items_time; DROP INDEX items_feed;" \
	" CREATE INDEX items_time ON items" \
	" (COALESCE(published, updated, first_seen), id);" \
	" CREATE INDEX items_feed ON items" \
	" (feed_id, COALESCE(published, updated, first_seen), id);" \
	" UPDATE unread SET date = (SELECT" \
	" COALESCE(published, updated, first_seen)" \
	" FROM items i WHERE i.id = unread.id);" \
	" PRAGMA user_version = 10;"
/* What turns a version 10 database back into version 9 (adaptive). */
#define STORE_UNDO_10 \
	"ALTER TABLE feeds DROP COLUMN adaptive;" \
	" PRAGMA user_version = 9;"
/* What turns a version 9 database back into version 8 (update counts). */
#define STORE_UNDO_9 \
	"ALTER TABLE items DROP COLUMN update_count;" \
	" ALTER TABLE items DROP COLUMN changed;" \
	" PRAGMA user_version = 8;"
/* What turns a version 8 database back into version 7 (identity). */
#define STORE_UNDO_8 \
	"ALTER TABLE feeds DROP COLUMN identity;" \
	" PRAGMA user_version = 7;"
/* What turns a version 7 database back into version 6 (item dates). */
#define STORE_UNDO_7 \
	"DROP INDEX items_time; DROP INDEX items_feed;" \
	" CREATE INDEX items_time ON items" \
	" (COALESCE(published, first_seen), id);" \
	" CREATE INDEX items_feed ON items" \
	" (feed_id, COALESCE(published, first_seen), id);" \
	" UPDATE unread SET date = (SELECT COALESCE(published, first_seen)" \
	" FROM items i WHERE i.id = unread.id);" \
	" PRAGMA user_version = 6;"
/* What turns a version 6 database back into version 5 (gone feeds). */
#define STORE_UNDO_6 \
	"ALTER TABLE feeds DROP COLUMN conf_hash;" \
	" ALTER TABLE feeds DROP COLUMN gone_since;" \
	" PRAGMA user_version = 5;"
/* What turns a version 3 database back into version 2 (the counters). */
#define STORE_UNDO_5 \
	"DROP TRIGGER items_ad; DROP TRIGGER items_fts_au;" \
	" DROP TRIGGER item_text_au;" \
	" DROP VIEW items_fts_src;" \
	" ALTER TABLE items ADD COLUMN content TEXT;" \
	" UPDATE items SET content = (SELECT content FROM item_text" \
	" WHERE id = items.id);" \
	" DROP TABLE item_text;" \
	" ALTER TABLE items ADD COLUMN read INTEGER NOT NULL DEFAULT 0;" \
	" UPDATE items SET read = (id NOT IN (SELECT id FROM unread));" \
	" DROP TABLE unread;" \
	" CREATE INDEX items_unread ON items" \
	" (COALESCE(published, first_seen), id, feed_id) WHERE read = 0;" \
	" CREATE VIEW items_fts_src AS SELECT id, title," \
	" COALESCE(content, summary) AS content FROM items;" \
	" CREATE TRIGGER items_fts_ad AFTER DELETE ON items" \
	" WHEN old.id <= (SELECT upto FROM fts_state) BEGIN" \
	" INSERT INTO items_fts(items_fts, rowid, title, content)" \
	" VALUES ('delete', old.id, old.title," \
	" COALESCE(old.content, old.summary)); END;" \
	" CREATE TRIGGER items_fts_au AFTER UPDATE OF title, content, summary" \
	" ON items WHEN old.id <= (SELECT upto FROM fts_state) BEGIN" \
	" INSERT INTO items_fts(items_fts, rowid, title, content)" \
	" VALUES ('delete', old.id, old.title," \
	" COALESCE(old.content, old.summary));" \
	" INSERT INTO items_fts(rowid, title, content)" \
	" VALUES (new.id, new.title, COALESCE(new.content, new.summary));" \
	" END;" \
	" PRAGMA user_version = 4;"
#define STORE_UNDO_4 \
	"DROP TABLE items_fts;" \
	" CREATE VIRTUAL TABLE items_fts USING fts5(title, content," \
	" content='items_fts_src', content_rowid='id'," \
	" tokenize='unicode61 remove_diacritics 2', columnsize=0);" \
	" INSERT INTO items_fts(items_fts) VALUES ('rebuild');" \
	" PRAGMA user_version = 3;"
#define STORE_UNDO_3 \
	"DROP INDEX feeds_order;" \
	" ALTER TABLE feeds DROP COLUMN item_count;" \
	" ALTER TABLE feeds DROP COLUMN unread_count;" \
	" ALTER TABLE feeds DROP COLUMN starred_count;" \
	" PRAGMA user_version = 2;"
static char	*dbfiles[32];
static int	 ndbfiles;

/* A new database path in the temp directory (removed at the end). */
static char *
db_path(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", tmpdir, name);
	if (ndbfiles < (int)(sizeof dbfiles / sizeof dbfiles[0]))
		dbfiles[ndbfiles++] = p;
	return (p);
}

/* Remove the temp directory and what the tests left in it. */
static void
cleanup(void)
{
	char	*f;
	int	 i;

	for (i = 0; i < ndbfiles; i++) {
		unlink(dbfiles[i]);
		xasprintf(&f, "%s-wal", dbfiles[i]);
		unlink(f);
		free(f);
		xasprintf(&f, "%s-shm", dbfiles[i]);
		unlink(f);
		free(f);
		free(dbfiles[i]);
	}
	rmdir(tmpdir);
}

/* Open a store or fail loudly. */
static struct store *
open_store(const char *path)
{
	struct store	*st;
	char		*cause = NULL;

	st = store_open(path, &cause);
	if (st == NULL) {
		printf("# store_open %s: %s\n", path, cause);
		free(cause);
		printf("Bail out! cannot open store\n");
		exit(1);
	}
	return (st);
}

/* Read one integer with a separate sqlite3 connection. */
static int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	int64_t		 v = -12345;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return (v);
	store_fts_register(db);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		if (sqlite3_step(stmt) == SQLITE_ROW)
			v = sqlite3_column_int64(stmt, 0);
		sqlite3_finalize(stmt);
	}
	sqlite3_close(db);
	return (v);
}

/* Run one statement with a separate sqlite3 connection. */
static int
raw_exec(const char *path, const char *sql)
{
	sqlite3	*db;
	int	 rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return (-1);
	store_fts_register(db);	/* the triggers tokenize, as store.c does */
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return (rc == SQLITE_OK ? 0 : -1);
}

/* A zeroed item with the usual fields. */
static void
mkitem(struct feed_item *it, const char *id, const char *title,
    const char *content, int64_t published)
{
	memset(it, 0, sizeof *it);
	it->id = (char *)id;
	it->title = (char *)title;
	it->content_html = (char *)content;
	it->published = published;
	it->modified = DATE_NONE;
}

/* Upsert an item with just these fields; returns the id (0 on error). */
static int64_t
add(struct store *st, int64_t feed, const char *key, const char *title,
    const char *content, int64_t published, int64_t now, int *rc)
{
	struct feed_item	it;
	int64_t			id = 0;
	int			r;

	mkitem(&it, key, title, content, published);
	r = store_item_upsert(st, feed, &it, now, &id);
	if (rc != NULL)
		*rc = r;
	if (r == -1)
		printf("# upsert %s: %s\n", key, store_errmsg(st));
	return (id);
}

/* A feed id by URL (created when new). */
static int64_t
feed(struct store *st, const char *url)
{
	struct store_feed	f;
	int64_t			id;

	if (store_feed_get(st, url, &f) != 0) {
		printf("# feed_get %s: %s\n", url, store_errmsg(st));
		return (0);
	}
	id = f.id;
	store_feed_clear(&f);
	return (id);
}

/* Collects the ids delivered by store_items, as "1,2,3". */
struct got {
	struct buf	 ids;
	int		 n;
	int		 stop_after;	/* stop after this many, 0 never */
};

/* store_items() callback: append the id. */
static int
got_cb(const struct store_item *it, void *arg)
{
	struct got	*g = arg;

	buf_printf(&g->ids, "%s%" PRId64, g->n == 0 ? "" : ",", it->id);
	g->n++;
	return (g->stop_after != 0 && g->n >= g->stop_after);
}

/* Run a query and check the ids it delivers, in order. */
static void
check_ids(struct store *st, const struct store_query *q, const char *want,
    const char *what)
{
	struct got	g = { 0 };
	int		n;

	buf_adds(&g.ids, "");
	if (q->search != NULL)
		store_index(st, 0);	/* reads never write: catch up first */
	n = store_items(st, q, 0, got_cb, &g);
	if (n < 0)
		printf("# %s: %s\n", what, store_errmsg(st));
	tap_is_str(g.ids.data, want, what);
	buf_free(&g.ids);
}

/* One item copied out of the callback. */
struct copy {
	int64_t		 id;
	char		*feed_title;
	char		*title;
	char		*author;
	char		*summary;
	char		*content;
	char		*tags;
	char		*enclosure_url;
	char		*enclosure_type;
	char		*guid;
	char		*url;
	int64_t		 published;
	int64_t		 updated;
	int64_t		 first_seen;
	int		 read;
	int		 starred;
	int		 found;
};

/* Copy a string or NULL. */
static char *
dup_or_null(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

/* store_items() callback: copy the row, stop. */
static int
copy_cb(const struct store_item *it, void *arg)
{
	struct copy	*c = arg;

	c->found++;
	c->id = it->id;
	c->feed_title = dup_or_null(it->feed_title);
	c->title = dup_or_null(it->title);
	c->author = dup_or_null(it->author);
	c->summary = dup_or_null(it->summary);
	c->content = dup_or_null(it->content);
	c->tags = dup_or_null(it->tags);
	c->enclosure_url = dup_or_null(it->enclosure_url);
	c->enclosure_type = dup_or_null(it->enclosure_type);
	c->guid = dup_or_null(it->guid);
	c->url = dup_or_null(it->url);
	c->published = it->published;
	c->updated = it->updated;
	c->first_seen = it->first_seen;
	c->read = it->read;
	c->starred = it->starred;
	return (1);
}

/* Free a copied row. */
static void
copy_free(struct copy *c)
{
	free(c->feed_title);
	free(c->title);
	free(c->author);
	free(c->summary);
	free(c->content);
	free(c->tags);
	free(c->enclosure_url);
	free(c->enclosure_type);
	free(c->guid);
	free(c->url);
	memset(c, 0, sizeof *c);
}

/* Fetch one item by id (with content). */
static void
get_item(struct store *st, int64_t id, struct copy *c)
{
	struct store_query	q = { 0 };

	memset(c, 0, sizeof *c);
	q.ids = &id;
	q.nids = 1;
	if (store_items(st, &q, 1, copy_cb, c) < 0)
		printf("# get_item: %s\n", store_errmsg(st));
}

/* Number of items a search finds. */
static int
search_count(struct store *st, const char *s)
{
	struct store_query	q = { 0 };
	struct got		g = { 0 };
	int			n;

	q.search = s;
	store_index(st, 0);	/* reads never write: catch up first */
	n = store_items(st, &q, 0, got_cb, &g);
	buf_free(&g.ids);
	return (n);
}

/* Create, migrate, reopen, refuse newer and broken files. */
static void
test_open(void)
{
	struct store	*st;
	char		*path, *cause = NULL, *bad;
	FILE		*fp;

	path = db_path("open.db");
	st = store_open(path, &cause);
	tap_ok(st != NULL, "open creates a new database");
	tap_is_int(raw_int(path, "PRAGMA user_version"), 16,
	    "new database is at schema version 16");
	tap_is_int(raw_int(path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name IN ('feeds', 'items', 'meta', 'items_fts')"), 4,
	    "feeds, items, meta and items_fts exist");
	tap_is_int(raw_int(path, "SELECT journal_mode = 'wal'"
	    " FROM pragma_journal_mode()"), 1, "database is in WAL mode");
	tap_is_int(store_meta_set(st, "k", "v1"), 0, "meta set");
	tap_is_int(store_meta_set(st, "k", "v2"), 0, "meta overwrite");
	store_close(st);

	/* Reopen: no migration runs again, data is kept. */
	st = store_open(path, &cause);
	tap_ok(st != NULL, "reopen");
	if (st != NULL) {
		char	*v = store_meta_get(st, "k");

		tap_is_str(v, "v2", "meta value survives reopen");
		free(v);
		v = store_meta_get(st, "absent");
		tap_is_str(v, NULL, "absent meta key is NULL");
		tap_is_int(store_meta_set(st, "k", NULL), 0, "meta delete");
		v = store_meta_get(st, "k");
		tap_is_str(v, NULL, "deleted meta key is NULL");
		free(v);
		store_close(st);
	}
	tap_is_int(raw_int(path, "PRAGMA user_version"), 16,
	    "version still 16 after reopen");

	/* A newer schema is refused, with the path in the message. */
	tap_is_int(raw_exec(path, "PRAGMA user_version = 20"), 0,
	    "raw: bump user_version to 20");
	st = store_open(path, &cause);
	tap_ok(st == NULL, "newer schema version refused");
	tap_ok(cause != NULL && strstr(cause, path) != NULL &&
	    strstr(cause, "newer") != NULL, "refusal names path and 'newer'");
	if (cause != NULL)
		printf("# %s\n", cause);
	free(cause);
	cause = NULL;
	tap_is_int(raw_int(path, "PRAGMA user_version"), 20,
	    "refused database left untouched");

	/* Not a database. */
	bad = db_path("garbage.db");
	if ((fp = fopen(bad, "w")) != NULL) {
		fputs("this is not an SQLite database, not at all......."
		    "..................................................\n",
		    fp);
		fclose(fp);
	}
	st = store_open(bad, &cause);
	tap_ok(st == NULL, "garbage file refused");
	tap_ok(cause != NULL && strncmp(cause, bad, strlen(bad)) == 0,
	    "garbage refusal starts with the path");
	free(cause);
	cause = NULL;

	/* Missing directory. */
	xasprintf(&bad, "%s/no/such/dir/x.db", tmpdir);
	st = store_open(bad, &cause);
	tap_ok(st == NULL, "open in a missing directory fails");
	tap_ok(cause != NULL && strstr(cause, bad) != NULL,
	    "missing-directory error names the path");
	free(cause);
	free(bad);
}

/* Feed rows: get (insert), put, set_conf, deactivate, clear_gone. */
static void
test_feeds(void)
{
	struct store		*st;
	struct store_feed	 f, g;
	char			*path;
	int64_t			 id;

	path = db_path("feeds.db");
	st = open_store(path);

	tap_is_int(store_feed_get(st, "https://x.example/feed", &f), 0,
	    "feed_get creates");
	tap_ok(f.id > 0, "new feed has an id");
	tap_is_str(f.url, "https://x.example/feed", "new feed url");
	tap_is_int(f.active, 1, "new feed is active");
	tap_is_str(f.etag, NULL, "new feed has no etag");
	tap_is_int(f.errors + f.gone + f.http_status, 0,
	    "new feed counters are zero");
	id = f.id;

	free(f.title);
	f.title = xstrdup("Doc Title");
	f.site_url = xstrdup("https://x.example/");
	f.etag = xstrdup("\"abc\"");
	f.last_modified = xstrdup("Wed, 21 Oct 2015 07:28:00 GMT");
	f.last_fetch = 1000;
	f.last_success = 900;
	f.next_fetch = 2800;
	f.hold_until = 5000;
	f.http_status = 410;
	f.errors = 3;
	f.last_error = xstrdup("timeout");
	f.redirect_url = xstrdup("https://y.example/feed");
	f.gone = 1;
	f.active = 0;	/* not written by put */
	tap_is_int(store_feed_put(st, &f), 0, "feed_put");
	store_feed_clear(&f);

	tap_is_int(store_feed_get_id(st, id, &g), 0, "feed_get_id");
	tap_is_str(g.title, "Doc Title", "put/get title");
	tap_is_str(g.site_url, "https://x.example/", "put/get site_url");
	tap_is_str(g.etag, "\"abc\"", "put/get etag");
	tap_is_str(g.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT",
	    "put/get last_modified");
	tap_is_int(g.last_fetch, 1000, "put/get last_fetch");
	tap_is_int(g.last_success, 900, "put/get last_success");
	tap_is_int(g.next_fetch, 2800, "put/get next_fetch");
	tap_is_int(g.hold_until, 5000, "put/get hold_until");
	tap_is_int(g.http_status, 410, "put/get http_status");
	tap_is_int(g.errors, 3, "put/get errors");
	tap_is_str(g.last_error, "timeout", "put/get last_error");
	tap_is_str(g.redirect_url, "https://y.example/feed",
	    "put/get redirect_url");
	tap_is_int(g.gone, 1, "put/get gone");
	tap_is_int(g.active, 1, "put leaves active alone");
	store_feed_clear(&g);

	tap_is_int(store_feed_get(st, "https://x.example/feed", &g), 0,
	    "feed_get existing");
	tap_is_int(g.id, id, "feed_get existing returns the same id");
	tap_is_str(g.etag, "\"abc\"", "feed_get existing returns state");
	store_feed_clear(&g);

	tap_is_int(store_feed_set_conf(st, id, "Conf", "a\nb", 0, NULL, 0), 0,
	    "set_conf");
	tap_is_int(store_feed_get_id(st, id, &g), 0, "get after set_conf");
	tap_is_str(g.conf_title, "Conf", "set_conf conf_title");
	tap_is_str(g.tags, "a\nb", "set_conf tags");
	tap_is_int(g.active, 0, "set_conf active=0");
	store_feed_clear(&g);

	feed(st, "https://z.example/feed");
	tap_is_int(store_feeds_deactivate(st), 0, "deactivate all");
	tap_is_int(raw_int(path, "SELECT count(*) FROM feeds"
	    " WHERE active <> 0"), 0, "no active feed after deactivate");
	/* A gone feed: its line's hash is kept; only revive brings it back. */
	tap_is_int(store_feed_set_conf(st, id, "Conf", NULL, 1, "h1", 0), 0,
	    "set_conf with a hash");
	tap_is_int(raw_int(path, "SELECT gone FROM feeds WHERE conf_hash ="
	    " 'h1'"), 1, "set_conf without revive leaves gone alone");
	tap_is_int(store_feed_set_conf(st, id, "Conf", NULL, 1, "h2", 1), 0,
	    "set_conf reviving");
	tap_is_int(raw_int(path, "SELECT count(*) FROM feeds WHERE gone"),
	    0, "no gone feed after the revive");
	tap_is_int(store_feed_get_id(st, id, &g), 0, "get after revive");
	tap_is_str(g.conf_hash, "h2", "conf_hash read back");
	tap_is_int(g.gone_since, 0, "gone_since cleared by the revive");
	tap_ok(g.created > 0, "created read back");
	store_feed_clear(&g);
	tap_is_int(store_feed_get_id(st, 9999, &g), -1,
	    "feed_get_id of a missing id fails");
	tap_ok(strstr(store_errmsg(st), "9999") != NULL,
	    "missing id error names the id");
	tap_is_int(raw_int(path, "SELECT count(*) FROM feeds"), 2,
	    "two feeds, no duplicates");
	store_close(st);
}

/*
 * A read-only connection (the daemon's loop thread) reads and refuses
 * every write; a feed row copies; the tag test reads tags as the tag
 * filter does.
 */
static void
test_readonly(void)
{
	struct store		*st, *ro;
	struct store_feed	 f, g;
	struct store_query	 q;
	struct got		 got = { 0 };
	char			*path;
	int64_t			 id;

	path = db_path("readonly.db");
	st = open_store(path);
	id = feed(st, "https://ro.example/feed");
	tap_is_int(store_feed_set_conf(st, id, "Ro", "a\nNews Today", 1, NULL,
	    0), 0,
	    "readonly: tags set");
	tap_is_int(store_begin(st), 0, "readonly: begin");
	add(st, id, "k1", "an item", NULL, 1000, 2000, NULL);
	tap_is_int(store_commit(st), 0, "readonly: commit");

	ro = open_store(path);
	tap_is_int(store_set_readonly(ro), 0, "set_readonly");
	memset(&q, 0, sizeof q);
	buf_adds(&got.ids, "");
	tap_is_int(store_items(ro, &q, 0, got_cb, &got), 1,
	    "a read-only connection reads");
	buf_free(&got.ids);
	tap_is_int(store_feed_get_id(ro, id, &f), 0, "and reads a feed row");
	tap_is_int(store_feed_put(ro, &f), -1, "but refuses to write it");
	tap_ok(strstr(store_errmsg(ro), "readonly") != NULL,
	    "saying the connection is read-only");
	tap_is_int(store_feed_get(ro, "https://new.example/feed", &g), -1,
	    "and refuses to create a feed");
	tap_is_int(store_begin(ro), -1, "and to begin a write transaction");
	tap_is_int(raw_int(path, "SELECT count(*) FROM feeds"), 1,
	    "nothing was written");

	store_feed_copy(&g, &f);
	store_feed_clear(&f);
	tap_is_str(g.url, "https://ro.example/feed", "feed_copy: url");
	tap_is_str(g.tags, "a\nNews Today", "feed_copy: tags");
	tap_is_int(g.id, id, "feed_copy: id");
	store_feed_clear(&g);

	tap_is_int(store_feed_has_tag(ro, id, "news today"), 1,
	    "has_tag: a whole tag, any case");
	tap_is_int(store_feed_has_tag(ro, id, "A"), 1, "has_tag: the first");
	tap_is_int(store_feed_has_tag(ro, id, "News"), 0,
	    "has_tag: part of a tag is not the tag");
	tap_is_int(store_feed_has_tag(ro, id, "  "), 1,
	    "has_tag: a blank tag matches");
	tap_is_int(store_feed_has_tag(ro, id + 1, "a"), 0,
	    "has_tag: no such feed");
	tap_is_int(store_feed_has_tag(ro, 0, "NEWS TODAY"), 1,
	    "has_tag: id 0, any feed carries it");
	tap_is_int(store_feed_has_tag(ro, 0, "nosuchtag"), 0,
	    "has_tag: id 0, no feed carries it");
	store_close(ro);
	store_close(st);
}

/* A feed's counters as "items/unread/starred". */
static char *
counts(struct store *st, int64_t id)
{
	struct store_feed	 f;
	char			*s;

	if (store_feed_get_id(st, id, &f) != 0)
		return (xstrdup("none"));
	xasprintf(&s, "%lld/%lld/%lld", (long long)f.item_count,
	    (long long)f.unread_count, (long long)f.starred_count);
	store_feed_clear(&f);
	return (s);
}

/* Does store_check() find everything in order? */
static int
check_ok(struct store *st)
{
	char	*report = NULL;
	int	 rc;

	rc = store_check(st, 0, &report);
	if (rc != 0)
		printf("# check: %s\n", report != NULL ? report :
		    store_errmsg(st));
	free(report);
	return (rc == 0);
}

/*
 * Marking every item read empties the unread set at once; a cursor older
 * than the newest item, or any filter, takes the row by row way, and both
 * keep the counters right.
 */
static void
test_mark_all(void)
{
	struct store		*st;
	struct store_query	 q;
	char			*path, *c;
	int64_t			 a, b, a3, a4;

	path = db_path("markall.db");
	st = open_store(path);
	a = feed(st, "http://a.example/feed");
	b = feed(st, "http://b.example/feed");
	tap_is_int(store_begin(st), 0, "mark all: begin");
	add(st, a, "a1", "one", NULL, 1000, 5000, NULL);
	add(st, a, "a2", "two", NULL, 1001, 5000, NULL);
	a3 = add(st, a, "a3", "three", NULL, 1002, 5000, NULL);
	add(st, b, "b1", "bee", NULL, 1003, 5000, NULL);
	add(st, b, "b2", "bee two", NULL, DATE_NONE, 5000, NULL);
	tap_is_int(store_commit(st), 0, "mark all: commit");
	memset(&q, 0, sizeof q);
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 5,
	    "mark all: every item read");
	tap_is_int(raw_int(path, "SELECT count(*) FROM unread"), 0,
	    "the unread set is empty");
	c = counts(st, a);
	tap_is_str(c, "3/0/0", "feed a: nothing unread");
	free(c);
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 0,
	    "again: nothing to mark");

	tap_is_int(store_begin(st), 0, "mark all: begin a4");
	a4 = add(st, a, "a4", "four", NULL, 1004, 6000, NULL);
	tap_is_int(store_commit(st), 0, "mark all: commit a4");
	q.max_id = a3;
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 0,
	    "up to an older cursor: the newer item is left alone");
	c = counts(st, a);
	tap_is_str(c, "4/1/0", "feed a: the new item is unread");
	free(c);
	q.max_id = 0;
	tap_is_int(store_mark(st, &q, STORE_MARK_UNREAD), 5,
	    "mark all unread: five more");
	tap_is_int(raw_int(path, "SELECT count(*) FROM unread u JOIN items i"
	    " ON i.id = u.id WHERE u.date = COALESCE(i.published,"
	    " i.first_seen) AND u.feed_id = i.feed_id"), 6,
	    "each unread row with its item's feed and date");
	q.max_id = a4 - 1;
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 5,
	    "read up to a cursor before the newest: row by row");
	c = counts(st, a);
	tap_is_str(c, "4/1/0", "feed a: only the newest unread");
	free(c);
	c = counts(st, b);
	tap_is_str(c, "2/0/0", "feed b: none");
	free(c);
	tap_ok(check_ok(st), "mark all: the counters agree with a count");
	store_close(st);
}

/*
 * The feeds' counters follow every change to the items: inserts, a part
 * rolled back, marks in and out of a transaction, retention; they agree
 * with a full count (store_check), which also finds and repairs them.
 */
static void
test_counts(void)
{
	struct store		*st;
	struct store_query	 q;
	int64_t			 a, b, ids[2];
	char			*c, *report = NULL;

	st = open_store(db_path("counts.db"));
	a = feed(st, "https://a.example/feed");
	b = feed(st, "https://b.example/feed");
	tap_is_int(store_begin(st), 0, "counts: begin");
	ids[0] = add(st, a, "a1", "one", NULL, 1000, 5000, NULL);
	ids[1] = add(st, a, "a2", "two", NULL, 1001, 5000, NULL);
	add(st, a, "a3", "three", NULL, 1002, 5000, NULL);
	tap_is_int(store_part_begin(st), 0, "counts: a part");
	add(st, b, "b1", "bee", NULL, 1003, 5000, NULL);
	tap_is_int(store_part_end(st, 0), 0, "counts: the part rolled back");
	add(st, b, "b2", "bee two", NULL, 1004, 5000, NULL);
	add(st, a, "a1", "one", NULL, 1000, 5001, NULL);	/* same */
	tap_is_int(store_commit(st), 0, "counts: commit");
	c = counts(st, a);
	tap_is_str(c, "3/3/0", "three new items, unread");
	free(c);
	c = counts(st, b);
	tap_is_str(c, "1/1/0", "the rolled back part counts nothing");
	free(c);

	memset(&q, 0, sizeof q);
	q.ids = ids;
	q.nids = 2;
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 2, "mark two read");
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 0,
	    "marking them again changes nothing");
	q.nids = 1;
	tap_is_int(store_mark(st, &q, STORE_MARK_STAR), 1, "star one");
	c = counts(st, a);
	tap_is_str(c, "3/1/1", "marks move the counters");
	free(c);
	tap_is_int(store_begin(st), 0, "counts: begin marks");
	memset(&q, 0, sizeof q);
	tap_is_int(store_mark(st, &q, STORE_MARK_UNREAD), 2,
	    "all unread, in a transaction");
	store_rollback(st);
	c = counts(st, a);
	tap_is_str(c, "3/1/1", "a rolled back mark counts nothing");
	free(c);
	tap_ok(check_ok(st), "the counters agree with a full count");

	/*
	 * The last document's items are never pruned: a new document of
	 * one new item leaves the three older ones to retention.
	 */
	tap_is_int(store_begin(st), 0, "counts: begin prune");
	add(st, a, "a4", "four", NULL, 1005, 6000, NULL);
	tap_is_int(store_prune(st, a, 1, 0, 0, 6000), 3,
	    "retention deletes three of four");
	tap_is_int(store_commit(st), 0, "counts: commit prune");
	c = counts(st, a);
	tap_is_str(c, "1/1/0", "retention moves the counters");
	free(c);
	tap_ok(check_ok(st), "still in agreement");

	tap_is_int(store_check(st, 1, &report), 0, "repair: nothing to do");
	free(report);
	report = NULL;
	store_close(st);
	tap_is_int(raw_exec(db_path("counts.db"), "UPDATE feeds SET"
	    " item_count = 9"), 0, "raw: spoil the counters");
	st = open_store(db_path("counts.db"));
	tap_is_int(store_check(st, 1, &report), 1, "check finds them");
	tap_ok(report != NULL && strstr(report, "counted again") != NULL,
	    "and repairs them");
	free(report);
	tap_ok(check_ok(st), "then all agree");
	store_close(st);
}

/* Upsert: new, same, updated (state kept), dedupe, rollback. */
static void
test_upsert(void)
{
	struct store		*st;
	struct feed_item	 it;
	struct feed_person	 authors[3] = {
		{ "Ann", NULL, NULL }, { NULL, NULL, "bob@x" },
		{ "Cy", NULL, NULL } };
	char			*tags[2] = { "a", "b" };
	struct feed_attachment	 att[2] = {
		{ "https://x/ep.mp3", "audio/mpeg", 1, 1 },
		{ "https://x/ep.ogg", "audio/ogg", 1, 1 } };
	struct store_stats	 ss;
	struct copy		 c;
	struct store_query	 q = { 0 };
	char			*path, key[32];
	int64_t			 fid, fid2, id, id2, ids[1];
	int			 rc, i, bad;

	path = db_path("upsert.db");
	st = open_store(path);
	fid = feed(st, "https://x.example/feed");
	fid2 = feed(st, "https://y.example/feed");

	mkitem(&it, "guid-1", "Title one", "<p>Body</p>", 1000);
	it.guid = "guid-1";
	it.url = "https://x.example/1";
	it.summary = "sum";
	it.content_text = "plain body";
	it.authors = authors;
	it.nauthors = 3;
	it.tags = tags;
	it.ntags = 2;
	it.attachments = att;
	it.nattachments = 2;
	it.modified = 1100;
	tap_is_int(store_item_upsert(st, fid, &it, 5000, &id), STORE_NEW,
	    "first upsert is NEW");
	tap_ok(id > 0, "NEW gives an id");
	tap_is_int(store_item_upsert(st, fid, &it, 6000, &id2), STORE_SAME,
	    "same item again is SAME");
	tap_is_int(id2, id, "SAME gives the same id");

	get_item(st, id, &c);
	tap_is_int(c.found, 1, "item found by id");
	tap_is_str(c.title, "Title one", "title stored");
	tap_is_str(c.content, "<p>Body</p>", "content_html preferred");
	tap_is_str(c.author, "Ann, bob@x, Cy", "authors joined with ', '");
	tap_is_str(c.tags, "a\nb", "tags joined with newline");
	tap_is_str(c.enclosure_url, "https://x/ep.mp3",
	    "first attachment is the enclosure");
	tap_is_str(c.enclosure_type, "audio/mpeg", "enclosure type");
	tap_is_str(c.guid, "guid-1", "guid stored");
	tap_is_str(c.url, "https://x.example/1", "url stored");
	tap_is_str(c.summary, "sum", "summary stored");
	tap_is_int(c.published, 1000, "published stored");
	tap_is_int(c.updated, 1100, "updated stored");
	tap_is_int(c.first_seen, 5000, "first_seen = now of the insert");
	tap_is_int(c.read, 0, "new item unread");
	tap_is_str(c.feed_title, "https://x.example/feed",
	    "feed_title falls back to url");
	copy_free(&c);

	/* Read and star it, then change its title: UPDATED, state kept. */
	ids[0] = id;
	q.ids = ids;
	q.nids = 1;
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 1, "mark read");
	tap_is_int(store_mark(st, &q, STORE_MARK_STAR), 1, "mark star");
	it.title = "Title two";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, &id2),
	    STORE_UPDATED, "changed title is UPDATED");
	tap_is_int(id2, id, "UPDATED keeps the id");
	get_item(st, id, &c);
	tap_is_str(c.title, "Title two", "update wrote the new title");
	tap_is_int(c.read, 1, "update kept read");
	tap_is_int(c.starred, 1, "update kept starred");
	tap_is_int(c.first_seen, 5000, "update kept first_seen");
	copy_free(&c);

	it.published = 1001;
	it.modified = 1101;
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_SAME, "changed dates alone are SAME");
	get_item(st, id, &c);
	tap_is_int(c.published, 1000, "date-only change not written");
	copy_free(&c);
	it.summary = "sum2";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_UPDATED, "changed summary is UPDATED");
	/*
	 * A text summary stored as it came (no "<") or escaped (a "<"),
	 * now escaped with <br> for its line breaks: not a change.
	 */
	it.summary = "One & one > none\nTwo";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_UPDATED, "text summary, as stored before");
	it.summary = "One &amp; one &gt; none<br>\nTwo";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_SAME, "... the same summary with <br> is SAME");
	it.summary = "One &amp; one &gt; none<br>\nTwo";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_SAME, "... and stays SAME (rehashed)");
	it.summary = "A &lt;i&gt;\nB";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_UPDATED, "an escaped text summary, as stored before");
	it.summary = "A &lt;i&gt;<br>\nB";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_SAME, "... the same with <br> is SAME");
	it.summary = "A &lt;b&gt;<br>\nB";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_UPDATED, "... a real change is UPDATED");
	it.summary = "sum2";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_UPDATED, "summary back to sum2");
	get_item(st, id, &c);
	tap_is_int(c.published, 1001, "an update writes the new date too");
	tap_is_int(c.updated, 1101, "and the new modified date");
	copy_free(&c);
	it.url = "https://x.example/1?moved";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_UPDATED, "changed link is UPDATED");
	it.content_html = NULL;
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL),
	    STORE_UPDATED, "content html -> text is UPDATED");
	get_item(st, id, &c);
	tap_is_str(c.content, "plain body", "content_text used without html");
	copy_free(&c);
	it.authors = NULL;
	it.nauthors = 0;
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL), STORE_SAME,
	    "author change alone is SAME (not in the hash)");

	tap_is_int(store_item_upsert(st, fid2, &it, 7000, &id2), STORE_NEW,
	    "same key in another feed is NEW");
	tap_ok(id2 != id, "other feed's item has its own id");

	/* Dedupe: 300 upserts of 100 keys in one transaction. */
	tap_is_int(store_begin(st), 0, "begin");
	bad = 0;
	for (i = 0; i < 300; i++) {
		snprintf(key, sizeof key, "k%d", i % 100);
		add(st, fid, key, key, NULL, DATE_NONE, 8000, &rc);
		if (rc != (i < 100 ? STORE_NEW : STORE_SAME))
			bad++;
	}
	tap_is_int(bad, 0, "100 NEW then 200 SAME");
	tap_is_int(store_commit(st), 0, "commit");
	store_stats(st, &ss);
	tap_is_int(ss.items, 102, "102 items after dedupe");
	store_close(st);

	st = open_store(path);
	bad = 0;
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof key, "k%d", i);
		add(st, fid, key, key, NULL, DATE_NONE, 9000, &rc);
		if (rc != STORE_SAME)
			bad++;
	}
	tap_is_int(bad, 0, "after reopen every known key is SAME");

	/* Rollback discards. */
	tap_is_int(store_begin(st), 0, "begin for rollback");
	add(st, fid, "rolled-back", "x", NULL, DATE_NONE, 9000, &rc);
	tap_is_int(rc, STORE_NEW, "insert inside transaction");
	store_rollback(st);
	add(st, fid, "rolled-back", "x", NULL, DATE_NONE, 9000, &rc);
	tap_is_int(rc, STORE_NEW, "rolled-back item is NEW again");
	store_stats(st, &ss);
	tap_is_int(ss.items, 103, "103 items after rollback + insert");

	/* No dedupe key: falls back to the hash. */
	mkitem(&it, NULL, "no key", NULL, DATE_NONE);
	tap_is_int(store_item_upsert(st, fid, &it, 9000, NULL), STORE_NEW,
	    "item without any key is NEW");
	tap_is_int(store_item_upsert(st, fid, &it, 9001, NULL), STORE_SAME,
	    "item without any key is SAME the second time");
	/* The store's fallback is the parser's key (item_key()). */
	it.id = item_key(&it, key, sizeof key);
	tap_is_int(store_item_upsert(st, fid, &it, 9002, NULL), STORE_SAME,
	    "item without a key is stored under the parser's key");
	store_close(st);
}

/*
 * The fixture for filters.  Feeds: A (1, conf "Alpha", tags "news tech"),
 * B (2, doc title "Beta", tags "sport"), C (3, no title, inactive).
 * Items, all first seen at 2500:
 *   1 A "Rust release"    published 1000
 *   2 A "C compiler news" published 3000   read
 *   3 B "Football final"  published 2000   starred
 *   4 B "Tennis open"     no date (2500)
 *   5 C "Gardening tips"  published 4000   read
 *   6 A "Kernel update"   published 500, content "linux scheduler"
 * Newest first: 5 2 4 3 1 6.
 */
static struct store *
fixture(const char *path)
{
	struct store		*st;
	struct store_feed	 f;
	struct store_query	 q = { 0 };
	int64_t			 a, b, c, id;

	st = open_store(path);
	a = feed(st, "http://a.example/feed");
	b = feed(st, "http://b.example/feed");
	c = feed(st, "http://c.example/feed");
	store_feed_set_conf(st, a, "Alpha", "news\ntech\nhardware news", 1,
	    NULL, 0);
	store_feed_set_conf(st, b, NULL, "sport", 1, NULL, 0);
	store_feed_set_conf(st, c, NULL, NULL, 0, NULL, 0);
	store_feed_get_id(st, b, &f);
	free(f.title);
	f.title = xstrdup("Beta");
	store_feed_put(st, &f);
	store_feed_clear(&f);
	store_feed_get_id(st, a, &f);
	free(f.title);
	f.title = xstrdup("Alpha Doc");
	store_feed_put(st, &f);
	store_feed_clear(&f);

	store_begin(st);
	add(st, a, "a1", "Rust release", NULL, 1000, 2500, NULL);
	add(st, a, "a2", "C compiler news", NULL, 3000, 2500, NULL);
	add(st, b, "b1", "Football final", NULL, 2000, 2500, NULL);
	add(st, b, "b2", "Tennis open", NULL, DATE_NONE, 2500, NULL);
	add(st, c, "c1", "Gardening tips", NULL, 4000, 2500, NULL);
	add(st, a, "a3", "Kernel update", "linux scheduler", 500, 2500,
	    NULL);
	store_commit(st);

	q.ids = &id;
	q.nids = 1;
	id = 2;
	store_mark(st, &q, STORE_MARK_READ);
	id = 5;
	store_mark(st, &q, STORE_MARK_READ);
	id = 3;
	store_mark(st, &q, STORE_MARK_STAR);
	return (st);
}

/*
 * A tag starting with '!' hides its feed's items from `new` (no_hidden):
 * from the listing and its counts alike; --tag names the feed with or
 * without the '!'; stats count what is hidden.
 */
static void
test_hidden(void)
{
	struct store		*st;
	struct store_query	 q;
	struct store_stats	 ss;
	const char		*path;
	int64_t			 a, b, c, n, nf;

	path = db_path("hidden.db");
	st = open_store(path);
	a = feed(st, "https://a.example/feed");
	b = feed(st, "https://b.example/feed");
	c = feed(st, "https://c.example/feed");
	store_feed_set_conf(st, b, NULL, "news\nnot!hidden", 1, NULL, 0);
	store_feed_set_conf(st, c, NULL, NULL, 1, NULL, 0);
	tap_is_int(store_any_hidden(st), 0, "hidden: none yet (not!hidden "
	    "is no hidden tag)");
	store_feed_set_conf(st, a, NULL, "news\n!Quiet", 1, NULL, 0);
	tap_is_int(store_any_hidden(st), 1, "hidden: the ! feed is seen");
	tap_is_int(raw_int(path, "SELECT count(*) FROM feeds INDEXED BY"
	    " feeds_hidden WHERE instr(char(10) || tags, char(10) || '!') > 0"),
	    1, "hidden: the partial index feeds_hidden holds the ! feed");
	store_begin(st);
	add(st, a, "a1", "a one", NULL, 1000, 5000, NULL);
	add(st, a, "a2", "a two", NULL, 1003, 5000, NULL);
	add(st, b, "b1", "b one", NULL, 1001, 5000, NULL);
	add(st, c, "c1", "c one", NULL, 1002, 5000, NULL);
	store_commit(st);

	memset(&q, 0, sizeof q);
	q.unread = 1;
	check_ids(st, &q, "2,4,3,1", "hidden: items --unread lists all");
	q.no_hidden = 1;
	check_ids(st, &q, "4,3", "hidden: new leaves out the ! feed");
	n = nf = -1;
	store_count(st, &q, &n, &nf);
	tap_is_int(n * 10 + nf, 22, "  and its count: 2 items in 2 feeds");
	q.unread = 0;
	check_ids(st, &q, "4,3", "  all items, no_hidden: the same");
	store_count(st, &q, &n, &nf);
	tap_is_int(n * 10 + nf, 22, "  counted the same");
	q.no_hidden = 0;
	q.tag = "quiet";
	check_ids(st, &q, "2,1", "--tag quiet names the !Quiet feed");
	q.tag = "!quiet";
	check_ids(st, &q, "2,1", "--tag !quiet too");
	q.tag = "hidden";
	check_ids(st, &q, "", "a '!' inside a tag is no hidden tag");
	q.tag = "news";
	check_ids(st, &q, "2,3,1", "--tag news: both news feeds");
	q.unread = 1;
	store_count(st, &q, &n, &nf);
	tap_is_int(n * 10 + nf, 32, "  counted by the feeds' counters");
	tap_is_int(store_feed_has_tag(st, a, "!QUIET"), 1,
	    "has_tag (follow --tag) with the '!'");
	tap_is_int(store_feed_has_tag(st, a, "quiet"), 1, "  and without");
	tap_is_int(store_feed_has_tag(st, b, "quiet"), 0, "  not another's");
	tap_is_int(store_stats(st, &ss), 0, "hidden: stats");
	tap_is_int(ss.unread * 10 + ss.unread_hidden, 42,
	    "  4 unread, 2 of them hidden from new");
	store_close(st);
}

/*
 * A feed stored as URL#fragment (before fragments were dropped) is the
 * feed the feeds file now lists as URL: same row, its items kept, no
 * second row; a longer URL sharing the prefix is another feed.
 */
static void
test_fragment(void)
{
	struct store		*st;
	struct store_feed	 f;
	char			*path;
	int64_t			 old, other, b;

	path = db_path("fragment.db");
	st = open_store(path);
	old = feed(st, "https://f.example/feed#one");
	b = feed(st, "https://f.example/feed#two");
	other = feed(st, "https://f.example/feed2");
	store_begin(st);
	add(st, old, "i1", "kept one", NULL, 1000, 5000, NULL);
	add(st, old, "i2", "kept two", NULL, 1001, 5000, NULL);
	add(st, b, "j1", "the other fragment", NULL, 1002, 5000, NULL);
	store_commit(st);
	store_begin(st);
	tap_is_int(store_feed_get(st, "https://f.example/feed", &f), 0,
	    "fragment: get by the URL without it");
	store_commit(st);
	tap_is_int(f.id, old, "  is the oldest row stored with a fragment");
	tap_is_str(f.url, "https://f.example/feed", "  which took the URL");
	store_feed_clear(&f);
	tap_is_int(raw_int(path, "SELECT count(*) FROM feeds"), 3,
	    "  no new row");
	tap_is_int(raw_int(path, "SELECT count(*) FROM items WHERE feed_id ="
	    " (SELECT id FROM feeds WHERE url = 'https://f.example/feed')"), 2,
	    "  its items kept");
	tap_is_int(feed(st, "https://f.example/feed"), old,
	    "  and it stays that row");
	tap_is_int(feed(st, "https://f.example/feed2"), other,
	    "a URL with the same start is another feed");
	tap_ok(feed(st, "https://f.example/fee") != old,
	    "a shorter URL is a new feed");
	store_close(st);
}

/* Calls store_items again from inside the callback (same query). */
struct nest {
	struct store		*st;
	const struct store_query *q;
	int			 inner;
	int			 outer;
};

/* store_items() callback that runs the same query inside. */
static int
nest_cb(const struct store_item *it, void *arg)
{
	struct nest	*n = arg;
	struct got	 g = { 0 };
	int		 r;

	n->outer++;
	r = store_items(n->st, n->q, 0, got_cb, &g);
	buf_free(&g.ids);
	if (r > 0)
		n->inner += r;
	return (0);
}

/* Every store_query filter on the fixture. */
/* The content hash feedd used before XXH3: FNV-1a, same framing. */
static uint64_t
fnv_content_hash(const char *const f[4])
{
	static const unsigned char	 none[2] = { 0xff, 0x00 }, end = 0;
	uint64_t			 h = 0;
	int				 i;

	for (i = 0; i < 4; i++) {
		if (f[i] == NULL)
			h = util_hash64(none, sizeof none, h);
		else {
			h = util_hash64(f[i], strlen(f[i]), h);
			h = util_hash64(&end, 1, h);
		}
	}
	return (h);
}

/*
 * Rows written with the old content hash: unchanged items stay SAME (and
 * take the new hash), changed ones are UPDATED.
 */
static void
test_legacy_hash(void)
{
	struct store		*st;
	struct feed_item	 it;
	const char		*f[4];
	char			*path, sql[160];
	int64_t			 fid, id, id2, now_hash, legacy;

	path = db_path("legacy.db");
	st = open_store(path);
	fid = feed(st, "https://x.example/legacy");
	mkitem(&it, "old-1", "Old title", "<p>Old body</p>", 1000);
	it.url = "https://x.example/old-1";
	it.summary = "old summary";
	tap_is_int(store_item_upsert(st, fid, &it, 5000, &id), STORE_NEW,
	    "legacy: stored");
	f[0] = it.title;
	f[1] = it.url;
	f[2] = it.content_html;
	f[3] = it.summary;
	legacy = (int64_t)fnv_content_hash(f);
	snprintf(sql, sizeof sql, "SELECT content_hash FROM items WHERE id = %"
	    PRId64, id);
	now_hash = raw_int(path, sql);
	tap_ok(now_hash != legacy, "legacy: the hash is no longer FNV-1a");

	snprintf(sql, sizeof sql, "UPDATE items SET content_hash = %" PRId64
	    " WHERE id = %" PRId64, legacy, id);
	tap_is_int(raw_exec(path, sql), 0, "legacy: old hash written");
	tap_is_int(store_item_upsert(st, fid, &it, 6000, &id2), STORE_SAME,
	    "legacy: unchanged item under the old hash is SAME");
	tap_is_int(id2, id, "legacy: same id");
	snprintf(sql, sizeof sql, "SELECT content_hash FROM items WHERE id = %"
	    PRId64, id);
	tap_is_int(raw_int(path, sql), now_hash,
	    "legacy: the row took the new hash");

	snprintf(sql, sizeof sql, "UPDATE items SET content_hash = %" PRId64
	    " WHERE id = %" PRId64, legacy, id);
	raw_exec(path, sql);
	it.title = "New title";
	tap_is_int(store_item_upsert(st, fid, &it, 7000, NULL), STORE_UPDATED,
	    "legacy: changed item under the old hash is UPDATED");
	store_close(st);
}

static void
test_filters(void)
{
	struct store		*st;
	struct store_query	 q;
	struct got		 g = { 0 };
	struct copy		 c;
	int64_t			 fa[1] = { 1 }, fac[2] = { 1, 3 };
	int64_t			 some[3] = { 1, 3, 5 }, many[150], n, nf;
	struct nest		 nest;
	int			 i;

	st = fixture(db_path("filters.db"));

#define Q()	memset(&q, 0, sizeof q)
	Q();
	check_ids(st, &q, "5,2,4,3,1,6", "all, newest first");
	Q(); q.oldest_first = 1;
	check_ids(st, &q, "6,1,3,4,2,5", "all, oldest first");
	Q(); q.unread = 1;
	check_ids(st, &q, "4,3,1,6", "unread");
	Q(); q.starred = 1;
	check_ids(st, &q, "3", "starred");
	Q(); q.unstarred = 1;
	check_ids(st, &q, "5,2,4,1,6", "not starred");
	Q(); q.unstarred = 1; q.unread = 1;
	check_ids(st, &q, "4,1,6", "unread, not starred");
	Q(); q.unstarred = 1; q.tag = "sport";
	check_ids(st, &q, "4", "not starred, tag sport");
	Q(); q.unstarred = 1;
	store_count(st, &q, &n, &nf);
	tap_is_int(n * 10 + nf, 53, "count not starred (counters)");
	Q(); q.unstarred = 1; q.unread = 1;
	store_count(st, &q, &n, &nf);
	tap_is_int(n * 10 + nf, 32, "count unread, not starred");
	Q(); q.unstarred = 1; q.unread = 1; q.tag = "sport";
	store_count(st, &q, &n, &nf);
	tap_is_int(n * 10 + nf, 11, "count unread, not starred, tag sport");
	Q(); q.unstarred = 1; q.unread = 1; q.since = 600;
	store_count(st, &q, &n, &nf);
	tap_is_int(n * 10 + nf, 22, "count unread, not starred, since 600");
	Q(); q.unstarred = 1; q.feed_ids = fa; q.nfeed_ids = 1;
	store_count(st, &q, &n, &nf);
	tap_is_int(n * 10 + nf, 31, "count not starred of feed A");
	Q(); q.by_id = 1;
	check_ids(st, &q, "6,5,4,3,2,1", "by id, highest first");
	Q(); q.by_id = 1; q.oldest_first = 1; q.limit = 4; q.offset = 1;
	check_ids(st, &q, "2,3,4,5", "by id, lowest first, limit, offset");
	Q(); q.by_id = 1; q.unread = 1;
	check_ids(st, &q, "6,4,3,1", "unread by id");
	Q(); q.by_id = 1; q.unread = 1; q.oldest_first = 1; q.after_id = 1;
	check_ids(st, &q, "3,4,6", "unread by id, after 1, lowest first");
	Q(); q.by_id = 1; q.feed_ids = fa; q.nfeed_ids = 1; q.max_id = 5;
	check_ids(st, &q, "2,1", "feed A by id, up to 5");
	Q(); q.by_id = 1; q.search = "rust OR tennis OR kernel";
	check_ids(st, &q, "6,4,1", "search by id");
	Q(); q.feed_ids = fa; q.nfeed_ids = 1;
	check_ids(st, &q, "2,1,6", "feed A");
	Q(); q.feed_ids = fac; q.nfeed_ids = 2;
	check_ids(st, &q, "5,2,1,6", "feeds A and C");
	Q(); q.tag = "tech";
	check_ids(st, &q, "2,1,6", "tag tech");
	Q(); q.tag = "TECH";
	check_ids(st, &q, "2,1,6", "tag is case-insensitive");
	Q(); q.tag = "news";
	check_ids(st, &q, "2,1,6", "first tag of a list");
	Q(); q.tag = "hardware news";
	check_ids(st, &q, "2,1,6", "a tag with a space matches whole");
	Q(); q.tag = "hardware";
	check_ids(st, &q, "", "a word of that tag is no tag");
	Q(); q.tag = "te";
	check_ids(st, &q, "", "tag matches whole words only");
	Q(); q.tag = "sport";
	check_ids(st, &q, "4,3", "tag sport");
	Q(); q.tag = "%";
	check_ids(st, &q, "", "tag % is not a wildcard");
	Q(); q.since = 2000;
	check_ids(st, &q, "5,2,4,3", "since 2000 (undated uses first seen)");
	Q(); q.until = 2500;
	check_ids(st, &q, "3,1,6", "until 2500 is exclusive");
	Q(); q.since = 1000; q.until = 3000;
	check_ids(st, &q, "4,3,1", "since 1000 until 3000");
	Q(); q.search = "kernel";
	check_ids(st, &q, "6", "search title word");
	Q(); q.search = "scheduler";
	check_ids(st, &q, "6", "search content word");
	Q(); q.search = "FINAL";
	check_ids(st, &q, "3", "search is case-insensitive");
	Q(); q.search = "compil*";
	check_ids(st, &q, "2", "search prefix query");
	Q(); q.search = "rust OR tennis";
	check_ids(st, &q, "4,1", "search OR");
	Q(); q.ids = some; q.nids = 3;
	check_ids(st, &q, "5,3,1", "ids 1 3 5");
	Q(); q.max_id = 3;
	check_ids(st, &q, "2,3,1", "max_id 3");
	Q(); q.after_id = 3;
	check_ids(st, &q, "5,4,6", "after_id 3");
	Q(); q.limit = 2;
	check_ids(st, &q, "5,2", "limit 2");
	Q(); q.limit = 2; q.offset = 2;
	check_ids(st, &q, "4,3", "limit 2 offset 2");
	Q(); q.offset = 4;
	check_ids(st, &q, "1,6", "offset 4 without limit");
	Q(); q.oldest_first = 1; q.limit = 3;
	check_ids(st, &q, "6,1,3", "oldest first, limit 3");
	Q(); q.unread = 1; q.feed_ids = fa; q.nfeed_ids = 1; q.since = 600;
	check_ids(st, &q, "1", "unread + feed A + since 600");
	Q(); q.unread = 1; q.tag = "sport"; q.search = "tennis";
	check_ids(st, &q, "4", "unread + tag + search");

	for (i = 0; i < 150; i++)
		many[i] = 150 - i;	/* 150 down to 1 */
	Q(); q.ids = many; q.nids = 150;
	check_ids(st, &q, "5,2,4,3,1,6", "150 ids (long list path)");
	Q(); q.ids = many; q.nids = 150; q.unread = 1;
	check_ids(st, &q, "4,3,1,6", "150 ids + unread, again");
	Q(); q.feed_ids = many + 148; q.nfeed_ids = 2;	/* 2, 1 */
	check_ids(st, &q, "2,4,3,1,6", "feeds 2 and 1");
	Q(); q.feed_ids = many; q.nfeed_ids = 150;
	check_ids(st, &q, "5,2,4,3,1,6", "150 feed ids");
	/* 12 query shapes, more than the statement cache holds. */
	for (i = 0; i < 12; i++) {
		static const char *want[12] = {
			"5", "6", "5,2", "6,1", "5,2,4", "6,1,3",
			"5,2,4,3", "6,1,3,4", "5,2,4,3,1", "6,1,3,4,2",
			"5,2,4,3,1,6", "6,1,3,4,2,5" };

		Q();
		q.limit = i / 2 + 1;
		q.oldest_first = i % 2;
		if (i >= 10)
			q.since = 1;	/* a different shape, same rows */
		check_ids(st, &q, want[i], "limit N, both orders");
	}
	Q(); q.limit = 2;
	check_ids(st, &q, "5,2", "limit 2 after cache churn");

	Q(); q.unread = 1;
	memset(&nest, 0, sizeof nest);
	nest.st = st;
	nest.q = &q;
	tap_is_int(store_items(st, &q, 0, nest_cb, &nest), 4,
	    "nested query: outer delivers 4");
	tap_is_int(nest.inner, 16, "nested query: 4 inner runs of 4");

	Q();
	buf_adds(&g.ids, "");
	g.stop_after = 2;
	tap_is_int(store_items(st, &q, 0, got_cb, &g), 2,
	    "callback stop after 2 returns 2");
	tap_is_str(g.ids.data, "5,2", "stopped iteration delivered 5,2");
	buf_free(&g.ids);

	get_item(st, 3, &c);
	tap_is_str(c.feed_title, "Beta", "feed_title from document title");
	copy_free(&c);
	get_item(st, 1, &c);
	tap_is_str(c.feed_title, "Alpha", "feed_title prefers conf_title");
	copy_free(&c);
	get_item(st, 5, &c);
	tap_is_str(c.feed_title, "http://c.example/feed",
	    "feed_title falls back to url");
	copy_free(&c);
	get_item(st, 4, &c);
	tap_is_int(c.published, DATE_NONE, "no date reads DATE_NONE");
	tap_is_int(c.updated, DATE_NONE, "no updated reads DATE_NONE");
	tap_is_int(c.first_seen, 2500, "first_seen");
	copy_free(&c);

	/* Marks of the items not starred (last: they change the fixture). */
	Q(); q.unstarred = 1; q.tag = "sport";
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 1,
	    "mark read the not starred of sport: 4 only");
	Q(); q.unread = 1; q.tag = "sport";
	check_ids(st, &q, "3", "  the starred one stays unread");
	Q(); q.unstarred = 1; q.feed_ids = fa; q.nfeed_ids = 1;
	tap_is_int(store_mark(st, &q, STORE_MARK_STAR), 3,
	    "star the not starred of A: 3");
	Q(); q.unstarred = 1;
	check_ids(st, &q, "5,4", "  not starred left: 5 and 4");
	store_count(st, &q, &n, &nf);
	tap_is_int(n * 10 + nf, 22, "  counted 2 in 2 feeds");

	store_close(st);
}

/* store_feed_list() callback: append "id:items:unread;". */
static int
list_cb(const struct store_feed *f, void *arg)
{
	struct buf	*b = arg;

	buf_printf(b, "%" PRId64 ":%" PRId64 ":%" PRId64 ";", f->id,
	    f->item_count, f->unread_count);
	return (0);
}

/* Marks with a cursor, feed lookup, feed list and stats. */
static void
test_mark_lookup_list(void)
{
	struct store		*st;
	struct store_query	 q;
	struct store_stats	 ss;
	struct buf		 b = { 0 };
	int64_t			 cursor, id, two[1] = { 2 }, d;

	st = fixture(db_path("mark.db"));

	/* Cursor: mark read up to what the reader saw; 7 arrives later. */
	cursor = store_max_item_id(st);
	tap_is_int(cursor, 6, "max item id 6");
	add(st, 1, "a4", "Late news", NULL, 5000, 2600, NULL);
	Q(); q.max_id = cursor;
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 4,
	    "mark read up to cursor changes 1 3 4 6");
	Q(); q.unread = 1;
	check_ids(st, &q, "7", "item after the cursor stays unread");
	Q(); q.ids = two; q.nids = 1;
	tap_is_int(store_mark(st, &q, STORE_MARK_UNREAD), 1, "mark unread");
	tap_is_int(store_mark(st, &q, STORE_MARK_UNREAD), 0,
	    "mark unread again changes nothing");
	Q(); q.tag = "sport";
	tap_is_int(store_mark(st, &q, STORE_MARK_STAR), 1,
	    "star by tag: 3 already starred, 4 changes");
	Q(); q.search = "kernel";
	tap_is_int(store_mark(st, &q, STORE_MARK_STAR), 1, "star by search");
	Q(); q.starred = 1;
	check_ids(st, &q, "4,3,6", "starred after marks");
	Q(); q.limit = 1;
	tap_is_int(store_mark(st, &q, STORE_MARK_UNSTAR), 0,
	    "unstar with limit 1: newest (7) was not starred");
	Q(); q.starred = 1; q.oldest_first = 1; q.limit = 1;
	tap_is_int(store_mark(st, &q, STORE_MARK_UNSTAR), 1,
	    "unstar oldest starred only");
	Q(); q.starred = 1;
	check_ids(st, &q, "4,3", "6 unstarred, 4 and 3 kept");

	/* Lookup. */
	tap_is_int(store_feed_lookup(st, "1", &id), 0, "lookup by id");
	tap_is_int(id, 1, "lookup by id gives 1");
	tap_is_int(store_feed_lookup(st, "http://b.example/feed", &id), 0,
	    "lookup by url");
	tap_is_int(id, 2, "lookup by url gives 2");
	tap_is_int(store_feed_lookup(st, "alpha", &id), 0,
	    "lookup by conf title, any case");
	tap_is_int(id, 1, "lookup alpha gives 1");
	tap_is_int(store_feed_lookup(st, "Alpha Doc", &id), 0,
	    "lookup by document title under a conf title");
	tap_is_int(id, 1, "lookup Alpha Doc gives 1");
	tap_is_int(store_feed_lookup(st, "Beta", &id), 0, "lookup Beta");
	tap_is_int(id, 2, "lookup Beta gives 2");
	tap_is_int(store_feed_lookup(st, "999", &id), -1,
	    "lookup missing id");
	tap_is_int(store_feed_lookup(st, "nothing", &id), -1,
	    "lookup missing title");
	tap_is_int(store_feed_lookup(st, "1 OR 1=1", &id), -1,
	    "lookup injection string finds nothing");
	d = feed(st, "http://d.example/feed");
	store_feed_set_conf(st, d, "beta", NULL, 1, NULL, 0);
	tap_is_int(store_feed_lookup(st, "BETA", &id), -2,
	    "two active feeds titled beta: ambiguous");
	store_feed_set_conf(st, d, "beta", NULL, 0, NULL, 0);
	tap_is_int(store_feed_lookup(st, "BETA", &id), 0,
	    "one of them inactive: the active one wins");
	tap_is_int(id, 2, "active beta is 2");

	/*
	 * List: A "Alpha" (1,2,6,7: 4 items; unread 2,7), B "Beta" (3,4:
	 * all read), D "beta" (none), C by url (5: read).
	 */
	buf_adds(&b, "");
	tap_is_int(store_feed_list(st, 0, NULL, 0, 0, list_cb, &b), 4,
	    "list all: 4");
	tap_is_str(b.data, "1:4:2;2:2:0;4:0:0;3:1:0;",
	    "list order and counts");
	buf_reset(&b);
	tap_is_int(store_feed_list(st, 1, NULL, 0, 0, list_cb, &b), 2,
	    "list active: 2");
	tap_is_str(b.data, "1:4:2;2:2:0;", "active list");

	/* Pages: after "Alpha" (1) and after "beta" (4), two at a time. */
	buf_reset(&b);
	tap_is_int(store_feed_list(st, 0, NULL, 0, 2, list_cb, &b), 2,
	    "list page 1 of 2 rows");
	tap_is_int(store_feed_list(st, 0, "Beta", 2, 2, list_cb, &b), 2,
	    "list page 2, after (Beta, 2)");
	tap_is_int(store_feed_list(st, 0, "BETA", 4, 2, list_cb, &b), 1,
	    "list page 3, after (beta, 4): the key ignores case");
	tap_is_str(b.data, "1:4:2;2:2:0;4:0:0;3:1:0;3:1:0;",
	    "pages give the list in order, each after the last key");
	buf_free(&b);

	tap_is_int(store_stats(st, &ss), 0, "stats");
	tap_is_int(ss.feeds, 4, "stats feeds");
	tap_is_int(ss.active_feeds, 2, "stats active feeds");
	tap_is_int(ss.items, 7, "stats items");
	tap_is_int(ss.unread, 2, "stats unread");
	tap_is_int(ss.starred, 2, "stats starred");
	tap_ok(ss.db_bytes > 0, "stats db bytes");

	store_close(st);
}

/* Retention by count and age; search follows updates and deletes. */
static void
test_prune_search(void)
{
	struct store		*st;
	struct store_query	 q;
	int64_t			 p, id[9], one[1];
	int			 rc;
	char			*path;

	path = db_path("prune.db");
	st = open_store(path);
	p = feed(st, "http://p.example/feed");
	id[1] = add(st, p, "p1", "alpha", "zebra", DATE_NONE, 100, NULL);
	id[2] = add(st, p, "p2", "beta", NULL, DATE_NONE, 200, NULL);
	id[3] = add(st, p, "p3", "gamma", NULL, DATE_NONE, 300, NULL);
	id[4] = add(st, p, "p4", "delta", NULL, DATE_NONE, 400, NULL);
	id[5] = add(st, p, "p5", "epsilon", NULL, DATE_NONE, 500, NULL);
	Q(); q.max_id = id[3];
	store_mark(st, &q, STORE_MARK_READ);
	one[0] = id[2];
	Q(); q.ids = one; q.nids = 1;
	store_mark(st, &q, STORE_MARK_STAR);

	tap_is_int(search_count(st, "zebra"), 1, "search finds content word");
	tap_is_int(store_prune(st, p, 0, 0, 1, 1000), 0,
	    "no limits: nothing pruned");
	tap_is_int(store_prune(st, p, 2, 0, 1, 1000), 2,
	    "keep 2 sparing unread/starred deletes p1 p3");
	Q();
	check_ids(st, &q, "5,4,2", "p5 p4 p2 left");
	tap_is_int(search_count(st, "zebra"), 0,
	    "search forgets pruned item");
	tap_is_int(store_prune(st, p, 1, 0, 0, 1000), 2,
	    "keep 1 without sparing deletes p4 p2");
	check_ids(st, &q, "5", "p5 left");

	id[6] = add(st, p, "p6", "zeta", NULL, DATE_NONE, 1000, NULL);
	id[7] = add(st, p, "p7", "eta", NULL, DATE_NONE, 2000, NULL);
	tap_is_int(store_prune(st, p, 0, 500, 1, 2100), 0,
	    "age 500: p5 p6 old but unread, spared");
	one[0] = id[6];
	Q(); q.ids = one; q.nids = 1;
	store_mark(st, &q, STORE_MARK_READ);
	tap_is_int(store_prune(st, p, 0, 500, 1, 2100), 1,
	    "age 500: read p6 deleted");
	tap_is_int(store_prune(st, p, 0, 500, 0, 2100), 1,
	    "age 500 without sparing: p5 deleted");
	Q();
	check_ids(st, &q, "7", "p7 left");

	/* Items upserted in this transaction are still in the document. */
	tap_is_int(store_begin(st), 0, "begin");
	add(st, p, "p7", "eta", NULL, DATE_NONE, 3000, &rc);
	tap_is_int(rc, STORE_SAME, "p7 SAME");
	id[8] = add(st, p, "p8", "theta", NULL, DATE_NONE, 3000, &rc);
	tap_is_int(store_prune(st, p, 1, 1, 0, 99999), 0,
	    "items of this poll are never pruned");
	tap_is_int(store_commit(st), 0, "commit");
	tap_is_int(store_begin(st), 0, "begin next poll");
	add(st, p, "p8", "theta", NULL, DATE_NONE, 4000, &rc);
	tap_is_int(store_prune(st, p, 1, 0, 0, 4000), 1,
	    "next poll without p7 prunes it");
	tap_is_int(store_commit(st), 0, "commit");
	Q();
	check_ids(st, &q, "8", "p8 left");

	/* Search follows updates. */
	add(st, p, "p8", "omega", "new words", DATE_NONE, 5000, &rc);
	tap_is_int(rc, STORE_UPDATED, "p8 updated");
	tap_is_int(search_count(st, "theta"), 0, "old title not found");
	tap_is_int(search_count(st, "omega"), 1, "new title found");
	tap_is_int(search_count(st, "words"), 1, "new content found");

	/* Summary is searched when there is no content. */
	{
		struct feed_item	it;

		mkitem(&it, "s1", "t", NULL, DATE_NONE);
		it.summary = "aardvark";
		store_item_upsert(st, p, &it, 5000, NULL);
	}
	tap_is_int(search_count(st, "aardvark"), 1,
	    "summary searched without content");

	/* Bad syntax: retried as plain words, never an error or crash. */
	add(st, p, "h1", "foo-bar release", NULL, DATE_NONE, 5000, NULL);
	tap_is_int(search_count(st, "foo-bar"), 1,
	    "foo-bar (invalid FTS syntax) finds the phrase");
	tap_is_int(search_count(st, "\"unterminated"), 0,
	    "unterminated quote is not an error");
	tap_is_int(search_count(st, "AND"), 0, "bare AND is not an error");
	tap_is_int(search_count(st, "nosuchcol:foo"), 0,
	    "unknown column filter is not an error");
	tap_is_int(search_count(st, "NEAR("), 0, "NEAR( is not an error");
	tap_is_int(search_count(st, "release)"), 1,
	    "stray parenthesis falls back to words");
	{
		static const char *odd[] = { "*", "\"\"", "-", "NOT", "^foo",
		    "a AND", "(", ")", "\"", "foo:", ":", "+", "NEAR(a b",
		    "title:", "{title}: x", "\\", "'", "%_" };
		size_t	i;
		int	bad = 0;

		for (i = 0; i < sizeof odd / sizeof odd[0]; i++) {
			if (search_count(st, odd[i]) < 0) {
				printf("# %s: %s\n", odd[i],
				    store_errmsg(st));
				bad++;
			}
		}
		tap_is_int(bad, 0, "odd search strings are not errors");
	}
	tap_is_int(search_count(st, "title:omega"), 1,
	    "valid column filter still works");
	tap_is_int(search_count(st, "   "), 3,
	    "blank search is no constraint");
	Q(); q.search = "foo-bar";
	tap_is_int(store_mark(st, &q, STORE_MARK_STAR), 1,
	    "mark with invalid FTS syntax falls back too");

	/* Injection attempts are just strings. */
	tap_is_int(search_count(st, "'; DROP TABLE items; --"), 0,
	    "search injection finds nothing");
	Q(); q.tag = "x' OR '1'='1";
	check_ids(st, &q, "", "tag injection finds nothing");
	store_close(st);
	tap_is_int(raw_int(path, "SELECT count(*) FROM items"), 3,
	    "items table intact after injection attempts");

	/* The index matches the rows after inserts, updates and deletes. */
	tap_is_int(raw_exec(path, "INSERT INTO items_fts(items_fts, rank)"
	    " VALUES ('integrity-check', 1)"), 0,
	    "FTS index agrees with the items table");
	tap_is_int(raw_exec(path, "INSERT INTO items_fts(items_fts)"
	    " VALUES ('rebuild')"), 0, "FTS rebuild from the view works");
	tap_is_int(raw_exec(path, "INSERT INTO items_fts(items_fts, rank)"
	    " VALUES ('integrity-check', 1)"), 0,
	    "rebuilt index agrees too");
}

/* How many indexed rows match "zebra", read by a separate connection. */
static int64_t
fts_rows(const char *path)
{
	return (raw_int(path, "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH 'zebra'"));
}

/*
 * Search indexing is off the poll path: upserts leave new items pending,
 * store_index() adds them in batches, a search catches up first, and the
 * update and delete triggers keep indexed rows in step.  Migration 2 takes
 * a version 1 database whose items are all indexed.
 */
static void
test_index(void)
{
	struct store	*st;
	struct feed_item it;
	struct store_feed f;
	char		*path, key[32], title[64];
	int64_t		 feed, id = 0, first = 0;
	struct store_query q;
	char		 sql[128];
	int64_t		 striped;
	int		 i;

	path = db_path("index.db");
	st = open_store(path);
	memset(&f, 0, sizeof f);
	tap_is_int(store_feed_get(st, "http://index.example/feed", &f), 0,
	    "index: a feed");
	feed = f.id;
	store_feed_clear(&f);
	tap_is_int(store_begin(st), 0, "index: begin");
	for (i = 0; i < 25; i++) {
		snprintf(key, sizeof key, "k%d", i);
		snprintf(title, sizeof title, "zebra number %d", i);
		id = add(st, feed, key, title, "<p>stripes</p>", 1000 + i,
		    5000, NULL);
		if (i == 0)
			first = id;
	}
	tap_is_int(store_commit(st), 0, "index: commit 25 items");
	tap_is_int(raw_int(path, "SELECT upto FROM fts_state"), 0,
	    "no item is indexed by the upsert itself");
	tap_is_int(fts_rows(path), 0, "the index holds no zebra yet");
	tap_is_int(store_index(st, 10), 10, "a batch of 10 is indexed");
	tap_is_int(raw_int(path, "SELECT upto FROM fts_state"), first + 9,
	    "the index state names the last indexed id");
	tap_is_int(fts_rows(path), 10, "10 zebras are in the index");
	tap_is_int(search_count(st, "zebra"), 25,
	    "caught up, a search finds all 25");
	tap_is_int(store_index(st, 10), 0, "then nothing is pending");
	tap_is_int(raw_int(path, "SELECT upto FROM fts_state"), id,
	    "the state is at the newest item");

	/* An indexed item changes: the trigger replaces its index entry. */
	tap_is_int(store_begin(st), 0, "index: begin update");
	mkitem(&it, "k3", "okapi now", "<p>no stripes</p>", 1003);
	tap_is_int(store_item_upsert(st, feed, &it, 6000, NULL),
	    STORE_UPDATED, "an indexed item is updated");
	tap_is_int(store_commit(st), 0, "index: commit update");
	tap_is_int(search_count(st, "zebra"), 24, "the old title is gone");
	tap_is_int(search_count(st, "okapi"), 1, "the new title is found");

	/* A pending item changes and another is deleted before indexing. */
	tap_is_int(store_begin(st), 0, "index: begin pending");
	id = add(st, feed, "p1", "pending gnu", NULL, 2000, 7000, NULL);
	add(st, feed, "p2", "pending yak", NULL, 2001, 7000, NULL);
	mkitem(&it, "p1", "pending wildebeest", NULL, 2000);
	tap_is_int(store_item_upsert(st, feed, &it, 7001, NULL),
	    STORE_UPDATED, "a pending item is updated");
	tap_is_int(store_commit(st), 0, "index: commit pending");
	tap_is_int(raw_exec(path, "DELETE FROM items WHERE dedupe_key = 'p2'"),
	    0, "raw: delete a pending item");
	tap_is_int(search_count(st, "wildebeest"), 1,
	    "the pending item is indexed with its new title");
	tap_is_int(search_count(st, "gnu"), 0, "and not its old one");
	tap_is_int(search_count(st, "yak"), 0, "the deleted item is not found");
	tap_is_int(raw_exec(path, "INSERT INTO items_fts(items_fts, rank)"
	    " VALUES ('integrity-check', 1)"), 0,
	    "the index agrees with the items table");
	memset(&q, 0, sizeof q);
	q.ids = &first;
	q.nids = 1;
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 1,
	    "index: one item read before the migrations");
	store_close(st);

	/*
	 * Migration 2 on a version 1 database (this one, turned back into
	 * version 1 with the triggers of version 1, and one more item that
	 * the version 1 insert trigger indexes): everything counts as indexed.
	 * Migration 3 (the counters) is undone first.
	 */
	striped = raw_int(path, "SELECT count(*) FROM item_text"
	    " WHERE content LIKE '%stripes%'");
	tap_ok(striped >= 24, "items with content before the migrations");
	tap_is_int(raw_exec(path, STORE_UNDO_16), 0,
	    "raw: migration 16 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_15), 0,
	    "raw: migration 15 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_14), 0,
	    "raw: migration 14 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_13), 0,
	    "raw: migration 13 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_12), 0,
	    "raw: migration 12 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_11), 0,
	    "raw: migration 11 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_10), 0,
	    "raw: migration 10 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_9), 0,
	    "raw: migration 9 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_8), 0,
	    "raw: migration 8 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_7), 0,
	    "raw: migration 7 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_6), 0,
	    "raw: migration 6 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_5), 0,
	    "raw: migration 5 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_4), 0,
	    "raw: migration 4 undone");
	tap_is_int(raw_exec(path, STORE_UNDO_3), 0,
	    "raw: migration 3 undone");
	tap_is_int(raw_exec(path, "DROP TABLE fts_state;"
	    " DROP TRIGGER items_fts_ad; DROP TRIGGER items_fts_au;"
	    " CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN"
	    " INSERT INTO items_fts(rowid, title, content) VALUES (new.id,"
	    " new.title, COALESCE(new.content, new.summary)); END;"
	    " CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN"
	    " INSERT INTO items_fts(items_fts, rowid, title, content) VALUES"
	    " ('delete', old.id, old.title, COALESCE(old.content,"
	    " old.summary)); END;"
	    " CREATE TRIGGER items_fts_au AFTER UPDATE OF title, content,"
	    " summary ON items BEGIN INSERT INTO items_fts(items_fts, rowid,"
	    " title, content) VALUES ('delete', old.id, old.title,"
	    " COALESCE(old.content, old.summary)); INSERT INTO"
	    " items_fts(rowid, title, content) VALUES (new.id, new.title,"
	    " COALESCE(new.content, new.summary)); END;"
	    " INSERT INTO items (feed_id, first_seen, dedupe_key, title)"
	    " VALUES (1, 1, 'old', 'quagga from version one');"
	    " PRAGMA user_version = 1;"), 0,
	    "raw: the database back at version 1, one more item");
	st = open_store(path);
	tap_is_int(raw_int(path, "PRAGMA user_version"), 16,
	    "migrations 2 to 16 ran");
	tap_is_int(raw_int(path, "SELECT count(*) FROM item_text"
	    " WHERE content LIKE '%stripes%'"), striped,
	    "migration 5 moved every content to item_text");
	tap_is_int(raw_int(path, "SELECT count(*) FROM items"),
	    raw_int(path, "SELECT count(*) FROM item_text"),
	    "and every item has its item_text row");
	tap_is_int(raw_int(path, "SELECT count(*) FROM items") -
	    raw_int(path, "SELECT count(*) FROM unread"), 1,
	    "migration 5: every item unread but the one read");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM unread WHERE id = %"
	    PRId64, first);
	tap_is_int(raw_int(path, sql), 0, "and that one is not in the set");
	tap_is_int(raw_int(path, "SELECT count(*) FROM unread u JOIN items i"
	    " ON i.id = u.id WHERE u.date = COALESCE(i.published,"
	    " i.first_seen) AND u.feed_id = i.feed_id"),
	    raw_int(path, "SELECT count(*) FROM unread"),
	    "each with its item's feed and date");
	/*
	 * Migration 2 counts every existing item as indexed; migration 4
	 * then makes the index again (new tokenizer): nothing is indexed.
	 */
	tap_is_int(raw_int(path, "SELECT upto FROM fts_state"), 0,
	    "migration 4 starts the index over");
	tap_is_int(search_count(st, "quagga"), 1,
	    "the item version 1 indexed is found");
	tap_is_int(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'trigger' AND name = 'items_fts_ai'"), 0,
	    "the insert trigger is gone");
	tap_is_int(raw_exec(path, "INSERT INTO items_fts(items_fts, rank)"
	    " VALUES ('integrity-check', 1)"), 0,
	    "the index still agrees with the items table");
	store_close(st);
}

/* feed(), under a name a local variable "feed" does not hide. */
static int64_t
feed_of(struct store *st, const char *url)
{
	return (feed(st, url));
}

/* The markup blanker keeps offsets: what it blanks, what it leaves. */
static void
blank_is(const char *in, const char *want, const char *what)
{
	char	out[256];
	int	n = (int)strlen(in);

	store_fts_blank(in, n, out);
	out[n] = '\0';
	tap_is_str(out, want, what);
}

/*
 * Search finds the text of the content, not its markup: tags, attributes,
 * comments, script and style, character references.  A "<" that opens no
 * tag is text.
 */
static void
test_fts_markup(void)
{
	struct store	*st;
	char		*path;
	int64_t		 feed;

	blank_is("<p class=\"x\">zebra</p>", "             zebra    ",
	    "blank: a tag and its attributes");
	blank_is("a<!-- div -->b", "a            b", "blank: a comment");
	blank_is("x<script>var div;</script>y",
	    "x                         y", "blank: script and its text");
	blank_is("<STYLE type=a>p{}</Style>z", "                         z",
	    "blank: style, any case");
	blank_is("caf&eacute; &#233;&amp;b", "caf         " "      " "     b",
	    "blank: references");
	blank_is("a < b && c > d", "a < b && c > d",
	    "blank: a lone < and & are text");
	blank_is("<a title='>' href=x>t", "                    t",
	    "blank: a quoted > does not end the tag");
	blank_is("x <div unterminated", "x <div unterminated",
	    "blank: a tag without its > is text");

	path = db_path("markup.db");
	st = open_store(path);
	feed = feed_of(st, "http://markup.example/feed");
	tap_is_int(store_begin(st), 0, "markup: begin");
	add(st, feed, "m1", "less < more", "<div class=\"entry\"><p>zebra "
	    "&amp; <a href=\"https://example.org/x\">okapi</a></p>"
	    "<script>hidden()</script><!-- secret --></div>", 1000, 5000,
	    NULL);
	tap_is_int(store_commit(st), 0, "markup: commit");
	tap_is_int(search_count(st, "zebra"), 1, "the text is found");
	tap_is_int(search_count(st, "okapi"), 1, "a link's text is found");
	tap_is_int(search_count(st, "div"), 0, "a tag name is not");
	tap_is_int(search_count(st, "href"), 0, "an attribute name is not");
	tap_is_int(search_count(st, "example"), 0, "an attribute value is not");
	tap_is_int(search_count(st, "hidden"), 0, "script text is not");
	tap_is_int(search_count(st, "secret"), 0, "a comment is not");
	tap_is_int(search_count(st, "amp"), 0, "a reference is not");
	tap_is_int(search_count(st, "more"), 1, "a title with < is searched");
	tap_is_int(raw_exec(path, "INSERT INTO items_fts(items_fts, rank)"
	    " VALUES ('integrity-check', 1)"), 0,
	    "markup: the index agrees with the items table");
	tap_is_int(raw_exec(path, "DELETE FROM items"), 0,
	    "markup: a delete tokenizes the old values the same way");
	tap_is_int(search_count(st, "zebra"), 0, "and the item is gone");
	tap_is_int(raw_int(path, "SELECT count(*) FROM item_text"), 0,
	    "with its content");
	store_close(st);
}

/*
 * Retention keeps the last parsed document of a feed even when the poll
 * that prunes saw nothing (304), and ids are never reused.
 */
static void
test_prune_doc(void)
{
	struct store		*st;
	struct store_query	 q;
	char			*path;
	int64_t			 f, r, r1, r2, fid[1];
	int			 rc;

	path = db_path("doc.db");
	st = open_store(path);
	f = feed(st, "http://q.example/feed");
	fid[0] = f;
	tap_is_int(store_begin(st), 0, "begin poll 1");
	add(st, f, "q1", "one", NULL, DATE_NONE, 100, NULL);
	add(st, f, "q2", "two", NULL, DATE_NONE, 200, NULL);
	add(st, f, "q3", "three", NULL, DATE_NONE, 300, NULL);
	tap_is_int(store_commit(st), 0, "commit poll 1");
	tap_is_int(raw_int(path, "SELECT count(*) FROM feed_doc"), 3,
	    "document of 3 items recorded");
	Q(); q.feed_ids = fid; q.nfeed_ids = 1;
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 3, "all read");

	tap_is_int(store_begin(st), 0, "begin poll 2 (304)");
	tap_is_int(store_prune(st, f, 1, 1, 0, 99999), 0,
	    "304 poll: last document spared");
	tap_is_int(store_commit(st), 0, "commit poll 2");
	tap_is_int(store_prune(st, f, 1, 1, 0, 99999), 0,
	    "prune outside a poll: last document spared");
	tap_is_int(raw_int(path, "SELECT count(*) FROM feed_doc"), 3,
	    "empty poll keeps the recorded document");

	tap_is_int(store_begin(st), 0, "begin poll 3");
	add(st, f, "q3", "three", NULL, DATE_NONE, 400, &rc);
	tap_is_int(rc, STORE_SAME, "q3 SAME");
	tap_is_int(store_prune(st, f, 1, 0, 0, 400), 2,
	    "q1 q2 left the document: pruned");
	tap_is_int(store_commit(st), 0, "commit poll 3");
	tap_is_int(raw_int(path, "SELECT count(*) FROM feed_doc"), 1,
	    "document now 1 item");
	Q();
	check_ids(st, &q, "3", "q3 left");

	/* Same document (with a repeated entry), then a longer one. */
	tap_is_int(store_begin(st), 0, "begin poll 4");
	add(st, f, "q3", "three", NULL, DATE_NONE, 500, NULL);
	add(st, f, "q3", "three", NULL, DATE_NONE, 500, NULL);
	tap_is_int(store_commit(st), 0, "commit poll 4");
	tap_is_int(raw_int(path, "SELECT count(*) FROM feed_doc"), 1,
	    "repeated entry recorded once");
	tap_is_int(store_begin(st), 0, "begin poll 5");
	add(st, f, "q4", "four", NULL, DATE_NONE, 600, NULL);
	add(st, f, "q3", "three", NULL, DATE_NONE, 600, NULL);
	tap_is_int(store_commit(st), 0, "commit poll 5");
	tap_is_int(raw_int(path, "SELECT count(*) FROM feed_doc"), 2,
	    "longer document recorded");
	Q(); q.feed_ids = fid; q.nfeed_ids = 1;
	tap_is_int(store_mark(st, &q, STORE_MARK_READ), 1, "q4 read");
	tap_is_int(store_prune(st, f, 1, 1, 0, 99999), 0,
	    "both document items spared");

	/* The newest item deleted: its id is not handed out again. */
	r = feed(st, "http://r.example/feed");
	r1 = add(st, r, "r1", "r one", NULL, DATE_NONE, 100, NULL);
	tap_is_int(store_max_item_id(st), r1, "r1 is the newest id");
	tap_is_int(store_prune(st, r, 0, 10, 0, 1000), 1, "r1 pruned by age");
	r2 = add(st, r, "r2", "r two", NULL, DATE_NONE, 1000, NULL);
	tap_ok(r2 > r1, "new item after deleting the newest gets a new id");
	tap_is_int(r2, r1 + 1, "ids keep counting up");
	tap_is_int(store_max_item_id(st), r2, "max id is r2");

	/* Errors. */
	tap_is_int(add(st, 9999, "x", "x", NULL, DATE_NONE, 1, &rc), 0,
	    "no id for an item of a missing feed");
	tap_is_int(rc, -1, "item of a missing feed fails");
	tap_ok(strstr(store_errmsg(st), "FOREIGN KEY") != NULL &&
	    strncmp(store_errmsg(st), path, strlen(path)) == 0,
	    "error names the path and the constraint");
	tap_is_int(store_commit(st), -1, "commit without begin fails");
	tap_is_int(store_begin(st), 0, "begin");
	add(st, r, "r3", "r three", NULL, DATE_NONE, 1000, &rc);
	tap_is_int(store_begin(st), 0,
	    "begin again rolls back the stale transaction");
	tap_is_int(store_commit(st), 0, "commit the empty transaction");
	add(st, r, "r3", "r three", NULL, DATE_NONE, 1000, &rc);
	tap_is_int(rc, STORE_NEW, "stale transaction's item was rolled back");

	/* Another process holds the write lock: begin fails, clearly. */
	{
		sqlite3	*db;

		if (sqlite3_open(path, &db) == SQLITE_OK &&
		    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
		    NULL) == SQLITE_OK) {
			tap_is_int(store_begin(st), -1,
			    "begin while another writer holds the lock");
			tap_ok(strstr(store_errmsg(st), "locked") != NULL,
			    "busy error says locked");
			printf("# %s\n", store_errmsg(st));
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		} else
			tap_ok(0, "raw connection takes the write lock");
		sqlite3_close(db);
		tap_is_int(store_begin(st), 0, "begin after the lock is gone");
		store_rollback(st);
	}
	store_close(st);

	/* Read-only file (root may write anyway: then skip). */
	if (geteuid() == 0)
		tap_ok(1, "read-only database refused # SKIP running as root");
	else {
		char	*cause = NULL;

		chmod(path, 0444);
		st = store_open(path, &cause);
		tap_ok(st == NULL && cause != NULL &&
		    strstr(cause, "read-only") != NULL,
		    "read-only database refused");
		free(cause);
		store_close(st);
		chmod(path, 0644);
	}
}

/* Invalid UTF-8 and a 2 MB field go in and come out unchanged. */
static void
test_hostile(void)
{
	struct store	*st;
	struct copy	 c;
	struct buf	 big = { 0 };
	int64_t		 p, id;
	int		 rc, i;
	const char	*bad = "bad \xff\xfe utf8 \xc3 end";

	st = open_store(db_path("hostile.db"));
	p = feed(st, "http://h.example/feed");
	for (i = 0; i < 2 * 1024 * 1024; i++)
		buf_addc(&big, (char)('a' + i % 7));
	buf_adds(&big, " needle");
	id = add(st, p, bad, bad, big.data, DATE_NONE, 1, &rc);
	tap_is_int(rc, STORE_NEW, "non-UTF-8 key/title and 2 MB content");
	get_item(st, id, &c);
	tap_is_str(c.title, bad, "non-UTF-8 bytes round-trip");
	tap_ok(c.content != NULL && strlen(c.content) == big.len,
	    "2 MB content round-trips");
	copy_free(&c);
	tap_is_int(search_count(st, "needle"), 1, "word after 2 MB found");
	tap_is_int(search_count(st, bad), 1,
	    "non-UTF-8 search does not fail");
	add(st, p, bad, bad, big.data, DATE_NONE, 2, &rc);
	tap_is_int(rc, STORE_SAME, "huge item SAME on repeat");
	buf_free(&big);
	store_close(st);
}

/* Run every test in a private temp directory. */
/* Titles match with Unicode case folding, not SQLite's ASCII NOCASE. */
static void
test_lookup_fold(void)
{
	struct store	*st;
	char		*path;
	int64_t		 id, e, s;

	path = db_path("fold.db");
	st = open_store(path);
	e = feed(st, "http://e.example/feed");
	store_feed_set_conf(st, e, "Café Ωμέγα", NULL, 1, NULL, 0);
	s = feed(st, "http://s.example/feed");
	store_feed_set_conf(st, s, "ΟΔΟΣ", NULL, 1, NULL, 0);
	tap_is_int(store_feed_lookup(st, "CAFÉ ΩΜΈΓΑ", &id), 0,
	    "lookup by title in other case, beyond ASCII");
	tap_is_int(id, e, "... finds it");
	tap_is_int(store_feed_lookup(st, "οδος", &id), 0,
	    "lookup: final sigma matches capital sigma");
	tap_is_int(id, s, "... finds it");
	tap_is_int(store_feed_lookup(st, "cafe ωμεγα", &id), -1,
	    "lookup: accents are not folded");
	tap_is_int(store_feed_lookup(st, "HTTP://E.EXAMPLE/FEED", &id), -1,
	    "lookup: a URL is not a title");
	store_close(st);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return (1);
	}
	test_open();
	test_feeds();
	test_readonly();
	test_counts();
	test_mark_all();
	test_upsert();
	test_legacy_hash();
	test_filters();
	test_hidden();
	test_fragment();
	test_mark_lookup_list();
	test_lookup_fold();
	test_prune_search();
	test_prune_doc();
	test_index();
	test_fts_markup();
	test_hostile();
	cleanup();
	return (tap_done());
}
