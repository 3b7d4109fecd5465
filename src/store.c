/*
 * store.c: the SQLite store.  The only file that sees sqlite3.
 *
 * Owns the schema and its forward migrations (keyed by PRAGMA
 * user_version), the connection settings (WAL, synchronous=NORMAL, foreign
 * keys, busy timeout), every statement the daemon runs and the translation
 * between rows and the store_* structs of feedd.h.
 *
 * Fixed statements are prepared once at open (SQLITE_PREPARE_PERSISTENT)
 * and reset after each use.  Queries whose shape depends on a struct
 * store_query are built at call time from fixed fragments and bound
 * parameters only: no value is ever written into SQL text.
 *
 * Search is an FTS5 external-content index over the title and the content
 * (the summary when there is no content).  New items are indexed in
 * batches off the poll path (store_index(), migration 2); triggers keep
 * indexed items in step on updates and deletes (prune).  Reads never
 * write: a search sees what is indexed, so whoever searches brings the
 * index up to date first (the daemon asks its writer thread to; a mark
 * with a search does it itself, being a write).
 *
 * A connection can be made read-only (store_set_readonly): the daemon's
 * loop thread reads through one, and only the writer thread's connection
 * writes.
 *
 * Errors are kept in the store and read with store_errmsg(); they read
 * "PATH: step: reason".
 */
#include <sys/types.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <xxhash.h>

#include "feedd.h"
#include "store_fts.h"

#define STORE_BUSY_TIMEOUT	5000	/* ms to wait for another writer */
#define STORE_MAX_INLIST	100	/* longer id lists go through JSON */
#define STORE_CACHE		8	/* query statements kept prepared */
#define STORE_OPTIMIZE_EVERY	1000	/* commits between PRAGMA optimize */

/*
 * Connection settings.  synchronous=NORMAL in WAL mode loses no committed
 * transaction on a crash of feedd, only (at worst) the last ones on a power
 * loss, and never corrupts.  A larger page cache and checkpoint interval
 * make the first poll of many feeds (thousands of new items) cheaper; the
 * WAL file is truncated back to journal_size_limit after a checkpoint.
 * analysis_limit keeps PRAGMA optimize (at close and every
 * STORE_OPTIMIZE_EVERY commits) quick on a large database.
 */
static const char store_settings[] =
	"PRAGMA synchronous = NORMAL;"
	"PRAGMA foreign_keys = ON;"
	"PRAGMA temp_store = MEMORY;"
	"PRAGMA cache_size = -8192;"
	"PRAGMA wal_autocheckpoint = 4000;"
	"PRAGMA journal_size_limit = 33554432;"
	"PRAGMA analysis_limit = 400;";

/*
 * A feed "f" has the tag bound right after this text (then ") || char(10))
 * > 0"): feeds.tags holds one tag a line (a tag may hold spaces), case does
 * not count, nor a leading '!' (the tag is bound without it: store_tag()),
 * so --tag foo and --tag !foo both name a feed tagged "!foo".
 */
#define STORE_TAG_MATCH \
	"instr(lower(replace(char(10) || f.tags, char(10) || '!', char(10)))" \
	" || char(10), char(10) || lower("

/*
 * A feed "f" is not hidden from `new`: it has no tag starting with '!'
 * (Newsboat's hidden tags).  Read from the tags the feeds file gave it, on
 * the feed row the listing joins anyway: no column, no index to keep.
 */
#define STORE_NOT_HIDDEN \
	" AND (f.tags IS NULL" \
	" OR instr(char(10) || f.tags, char(10) || '!') = 0)"
/* The feeds that are hidden: the WHERE of the index feeds_hidden. */
#define STORE_HIDDEN \
	"instr(char(10) || tags, char(10) || '!') > 0"

/*
 * Forward migrations: entry N takes the schema from user_version N to N+1.
 * Never edit a released entry; append a new one.
 */
static const char *store_migrations[] = {
	/* 1: the initial schema. */
	"CREATE TABLE feeds (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  url TEXT UNIQUE NOT NULL,\n"
	"  title TEXT,\n"
	"  conf_title TEXT,\n"
	"  tags TEXT,\n"
	"  site_url TEXT,\n"
	"  etag TEXT,\n"
	"  last_modified TEXT,\n"
	"  last_fetch INTEGER NOT NULL DEFAULT 0,\n"
	"  last_success INTEGER NOT NULL DEFAULT 0,\n"
	"  next_fetch INTEGER NOT NULL DEFAULT 0,\n"
	"  hold_until INTEGER NOT NULL DEFAULT 0,\n"
	"  http_status INTEGER NOT NULL DEFAULT 0,\n"
	"  errors INTEGER NOT NULL DEFAULT 0,\n"
	"  last_error TEXT,\n"
	"  redirect_url TEXT,\n"
	"  gone INTEGER NOT NULL DEFAULT 0,\n"
	"  active INTEGER NOT NULL DEFAULT 1,\n"
	"  created INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	/*
	 * AUTOINCREMENT: ids never come back, so an id is a cursor.  Small
	 * columns come first and the long texts last, so that reading the
	 * state of a row never walks a long content's overflow pages.
	 */
	"CREATE TABLE items (\n"
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,\n"
	"  read INTEGER NOT NULL DEFAULT 0,\n"
	"  starred INTEGER NOT NULL DEFAULT 0,\n"
	"  first_seen INTEGER NOT NULL,\n"
	"  published INTEGER,\n"
	"  updated INTEGER,\n"
	"  content_hash INTEGER,\n"
	"  content_type TEXT,\n"
	"  dedupe_key TEXT NOT NULL,\n"
	"  guid TEXT,\n"
	"  url TEXT,\n"
	"  title TEXT,\n"
	"  author TEXT,\n"
	"  tags TEXT,\n"
	"  enclosure_url TEXT,\n"
	"  enclosure_type TEXT,\n"
	"  summary TEXT,\n"
	"  content TEXT,\n"
	"  UNIQUE (feed_id, dedupe_key)\n"
	");\n"
	/* Newest first, everywhere; per feed (lists, prune, counts). */
	"CREATE INDEX items_time ON items\n"
	"  (COALESCE(published, first_seen), id);\n"
	"CREATE INDEX items_feed ON items\n"
	"  (feed_id, COALESCE(published, first_seen), id);\n"
	/* Small partial indexes: unread (newest first, counts), starred. */
	"CREATE INDEX items_unread ON items\n"
	"  (COALESCE(published, first_seen), id, feed_id) WHERE read = 0;\n"
	"CREATE INDEX items_starred ON items (id) WHERE starred = 1;\n"
	"CREATE TABLE meta (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT\n"
	");\n"
	/*
	 * The items of each feed's last parsed document.  Retention never
	 * deletes them: they would come back as new on the next poll.
	 */
	"CREATE TABLE feed_doc (\n"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,\n"
	"  item_id INTEGER NOT NULL,\n"
	"  PRIMARY KEY (feed_id, item_id)\n"
	") WITHOUT ROWID;\n"
	/*
	 * The search index reads through a view so that an item without
	 * content is found by its summary, and so that the FTS5 'rebuild'
	 * command gives exactly what the triggers index.  Results are
	 * ordered by date, not rank, so no column sizes are kept
	 * (columnsize=0: a write less per item).
	 */
	"CREATE VIEW items_fts_src AS\n"
	"  SELECT id, title, COALESCE(content, summary) AS content\n"
	"  FROM items;\n"
	"CREATE VIRTUAL TABLE items_fts USING fts5(title, content,\n"
	"  content='items_fts_src', content_rowid='id',\n"
	"  tokenize='unicode61 remove_diacritics 2', columnsize=0);\n"
	"CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN\n"
	"  INSERT INTO items_fts(rowid, title, content)\n"
	"    VALUES (new.id, new.title, COALESCE(new.content, new.summary));\n"
	"END;\n"
	"CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN\n"
	"  INSERT INTO items_fts(items_fts, rowid, title, content)\n"
	"    VALUES ('delete', old.id, old.title,\n"
	"    COALESCE(old.content, old.summary));\n"
	"END;\n"
	"CREATE TRIGGER items_fts_au AFTER UPDATE OF title, content, summary\n"
	"  ON items BEGIN\n"
	"  INSERT INTO items_fts(items_fts, rowid, title, content)\n"
	"    VALUES ('delete', old.id, old.title,\n"
	"    COALESCE(old.content, old.summary));\n"
	"  INSERT INTO items_fts(rowid, title, content)\n"
	"    VALUES (new.id, new.title, COALESCE(new.content, new.summary));\n"
	"END;\n",

	/*
	 * 2: search indexing leaves the poll path.  Indexing was most of the
	 * CPU time of a first poll, so new items are indexed later, in
	 * batches (store_index(): the daemon's idle time, and before every
	 * search).  Invariant: every item with id <= fts_state.upto is in
	 * items_fts, none above it (ids only grow: AUTOINCREMENT).  The
	 * update and delete triggers therefore touch indexed rows only.
	 */
	"CREATE TABLE fts_state (\n"
	"  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
	"  upto INTEGER NOT NULL\n"
	");\n"
	"INSERT INTO fts_state (id, upto)\n"
	"  SELECT 1, COALESCE(MAX(id), 0) FROM items;\n"
	"DROP TRIGGER items_fts_ai;\n"
	"DROP TRIGGER items_fts_ad;\n"
	"DROP TRIGGER items_fts_au;\n"
	"CREATE TRIGGER items_fts_ad AFTER DELETE ON items\n"
	"  WHEN old.id <= (SELECT upto FROM fts_state) BEGIN\n"
	"  INSERT INTO items_fts(items_fts, rowid, title, content)\n"
	"    VALUES ('delete', old.id, old.title,\n"
	"    COALESCE(old.content, old.summary));\n"
	"END;\n"
	"CREATE TRIGGER items_fts_au AFTER UPDATE OF title, content, summary\n"
	"  ON items WHEN old.id <= (SELECT upto FROM fts_state) BEGIN\n"
	"  INSERT INTO items_fts(items_fts, rowid, title, content)\n"
	"    VALUES ('delete', old.id, old.title,\n"
	"    COALESCE(old.content, old.summary));\n"
	"  INSERT INTO items_fts(rowid, title, content)\n"
	"    VALUES (new.id, new.title, COALESCE(new.content, new.summary));\n"
	"END;\n",

	/*
	 * 3: counts that do not scan.  Each feed keeps its numbers of
	 * items, unread and starred items, kept by store.c in the same
	 * transaction as the items (store_counts_flush()), so the feed table,
	 * its totals and stats read them instead of counting the items
	 * table.  Not by triggers: a trigger on every inserted item made a
	 * first poll cost 17% more instructions.  feeds_order pages the feed
	 * table (keyset).
	 */
	"ALTER TABLE feeds ADD COLUMN item_count INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE feeds ADD COLUMN unread_count INTEGER NOT NULL"
	" DEFAULT 0;\n"
	"ALTER TABLE feeds ADD COLUMN starred_count INTEGER NOT NULL"
	" DEFAULT 0;\n"
	"UPDATE feeds SET\n"
	"  item_count = (SELECT count(*) FROM items WHERE feed_id = feeds.id),\n"
	"  unread_count = (SELECT count(*) FROM items\n"
	"    WHERE feed_id = feeds.id AND read = 0),\n"
	"  starred_count = (SELECT count(*) FROM items\n"
	"    WHERE feed_id = feeds.id AND starred <> 0);\n"
	"CREATE INDEX feeds_order ON feeds\n"
	"  (COALESCE(conf_title, title, url) COLLATE NOCASE, id);\n",

	/*
	 * 4: search the text, not the markup, and rank.  The index is made
	 * again with the feedd_html tokenizer (store_fts.c), which blanks
	 * tags and references out of the content, and keeps column sizes,
	 * which bm25() needs (without them it reads and tokenizes every
	 * match again).  The title weighs four times the
	 * content.  Every item is indexed again, in the writer's batches:
	 * fts_state starts over.
	 */
	"DROP TABLE items_fts;\n"
	"CREATE VIRTUAL TABLE items_fts USING fts5(title, content,\n"
	"  content='items_fts_src', content_rowid='id',\n"
	"  tokenize='feedd_html remove_diacritics 2');\n"
	"INSERT INTO items_fts(items_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)');\n"
	"UPDATE fts_state SET upto = 0;\n",

	/*
	 * 5: narrow item rows, and the read state out of them.
	 *
	 * The content (most of an item's bytes: 660 of 850 on average in the
	 * scale benchmark) moves to a table of its own, read only when an
	 * item's content is asked for, so listings, counts and walks of the
	 * items read fewer pages.  Every item has its item_text row.
	 *
	 * Unread items are the rows of "unread" (id, feed, and the date
	 * COALESCE(published, first_seen) that orders them): marking read
	 * deletes rows of a narrow table instead of rewriting item rows
	 * (read --all on 350,000 items took 2.4 s, and 1.5 s with narrow
	 * rows), marking every item read empties it (milliseconds), and the
	 * unread listing walks unread_time as it walked the partial index
	 * items_unread.  The delete trigger removes both rows of an item.
	 *
	 * The search index reads the content through the view, and the
	 * triggers keep the indexed items in step whichever table changes.
	 */
	"CREATE TABLE item_text (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  content TEXT\n"
	");\n"
	"INSERT INTO item_text (id, content) SELECT id, content FROM items;\n"
	"CREATE TABLE unread (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  feed_id INTEGER NOT NULL,\n"
	"  date INTEGER NOT NULL\n"
	");\n"
	"INSERT INTO unread (id, feed_id, date)\n"
	"  SELECT id, feed_id, COALESCE(published, first_seen) FROM items\n"
	"  WHERE read = 0;\n"
	"CREATE INDEX unread_time ON unread (date, id, feed_id);\n"
	"DROP INDEX items_unread;\n"
	"DROP TRIGGER items_fts_ad;\n"
	"DROP TRIGGER items_fts_au;\n"
	"DROP VIEW items_fts_src;\n"
	"ALTER TABLE items DROP COLUMN content;\n"
	"ALTER TABLE items DROP COLUMN read;\n"
	"CREATE VIEW items_fts_src AS\n"
	"  SELECT i.id AS id, i.title AS title,\n"
	"  COALESCE(t.content, i.summary) AS content\n"
	"  FROM items i LEFT JOIN item_text t ON t.id = i.id;\n"
	"CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN\n"
	"  INSERT INTO items_fts(items_fts, rowid, title, content)\n"
	"    SELECT 'delete', old.id, old.title, COALESCE((SELECT content\n"
	"    FROM item_text WHERE id = old.id), old.summary)\n"
	"    WHERE old.id <= (SELECT upto FROM fts_state);\n"
	"  DELETE FROM item_text WHERE id = old.id;\n"
	"  DELETE FROM unread WHERE id = old.id;\n"
	"END;\n"
	"CREATE TRIGGER items_fts_au AFTER UPDATE OF title, summary ON items\n"
	"  WHEN old.id <= (SELECT upto FROM fts_state) BEGIN\n"
	"  INSERT INTO items_fts(items_fts, rowid, title, content)\n"
	"    VALUES ('delete', old.id, old.title, COALESCE((SELECT content\n"
	"    FROM item_text WHERE id = old.id), old.summary));\n"
	"  INSERT INTO items_fts(rowid, title, content)\n"
	"    VALUES (new.id, new.title, COALESCE((SELECT content\n"
	"    FROM item_text WHERE id = new.id), new.summary));\n"
	"END;\n"
	"CREATE TRIGGER item_text_au AFTER UPDATE OF content ON item_text\n"
	"  WHEN old.id <= (SELECT upto FROM fts_state) BEGIN\n"
	"  INSERT INTO items_fts(items_fts, rowid, title, content)\n"
	"    SELECT 'delete', i.id, i.title, COALESCE(old.content, i.summary)\n"
	"    FROM items i WHERE i.id = old.id;\n"
	"  INSERT INTO items_fts(rowid, title, content)\n"
	"    SELECT i.id, i.title, COALESCE(new.content, i.summary)\n"
	"    FROM items i WHERE i.id = new.id;\n"
	"END;\n",
	/*
	 * 6: a feed's own line in the feeds file, hashed (conf_hash), so
	 * that only an edit of that line brings a gone feed back; and when
	 * it was found gone (gone_since).
	 */
	"ALTER TABLE feeds ADD COLUMN conf_hash TEXT;\n"
	"ALTER TABLE feeds ADD COLUMN gone_since INTEGER NOT NULL DEFAULT 0;\n",
	/*
	 * 7: an item's date is its published date, else its updated one
	 * (many Atom entries have only <updated>), else when it was first
	 * seen: the order of every listing and what --since compares.
	 */
	"DROP INDEX items_time;\n"
	"DROP INDEX items_feed;\n"
	"CREATE INDEX items_time ON items\n"
	"  (COALESCE(published, updated, first_seen), id);\n"
	"CREATE INDEX items_feed ON items\n"
	"  (feed_id, COALESCE(published, updated, first_seen), id);\n"
	"UPDATE unread SET date = (SELECT\n"
	"  COALESCE(published, updated, first_seen) FROM items i\n"
	"  WHERE i.id = unread.id);\n",
	/*
	 * 8: how a feed's items are told apart when its guids proved
	 * unreliable ("link": matched by link and content).  Finding an
	 * item by its content goes through items_feed: only polls of a feed
	 * that had items look, and only for the items not found by key.
	 */
	"ALTER TABLE feeds ADD COLUMN identity TEXT;\n",
	/* 9: how many times an item's content changed, and when last. */
	"ALTER TABLE items ADD COLUMN update_count INTEGER NOT NULL"
	" DEFAULT 0;\n"
	"ALTER TABLE items ADD COLUMN changed INTEGER;\n",
	/* 10: the interval a feed's posting rate suggests (sched_adapt()). */
	"ALTER TABLE feeds ADD COLUMN adaptive INTEGER NOT NULL DEFAULT 0;\n",
	/*
	 * 11: an item dated more than a day after it was first seen sorts
	 * as if dated then: a feed's date in the future (a wrong clock, a
	 * wrong year) does not pin its items to the top.
	 */
	"DROP INDEX items_time;\n"
	"DROP INDEX items_feed;\n"
	"CREATE INDEX items_time ON items\n"
	"  (MIN(COALESCE(published, updated, first_seen), first_seen + 86400),"
	" id);\n"
	"CREATE INDEX items_feed ON items\n"
	"  (feed_id, MIN(COALESCE(published, updated, first_seen),"
	" first_seen + 86400), id);\n"
	"UPDATE unread SET date = (SELECT\n"
	"  MIN(COALESCE(published, updated, first_seen), first_seen + 86400)\n"
	"  FROM items i WHERE i.id = unread.id);\n",
	/*
	 * 12: an item from a document whose dates are junk (all equal, all
	 * in the future, all before 1990) sorts by when it was first seen.
	 */
	"ALTER TABLE items ADD COLUMN junk_date INTEGER NOT NULL DEFAULT 0;\n"
	"DROP INDEX items_time;\n"
	"DROP INDEX items_feed;\n"
	"CREATE INDEX items_time ON items\n"
	"  (MIN(CASE WHEN junk_date THEN first_seen ELSE\n"
	"  COALESCE(published, updated, first_seen) END, first_seen + 86400),"
	" id);\n"
	"CREATE INDEX items_feed ON items\n"
	"  (feed_id, MIN(CASE WHEN junk_date THEN first_seen ELSE\n"
	"  COALESCE(published, updated, first_seen) END, first_seen + 86400),"
	" id);\n",
	/*
	 * 13: a hash of each item's link, indexed, so that a feed with
	 * dedupe=link finds the same article another feed brought.
	 */
	"ALTER TABLE items ADD COLUMN link_hash INTEGER;\n"
	"CREATE INDEX items_link ON items (link_hash)"
	" WHERE link_hash IS NOT NULL;\n",
	/*
	 * 14: an item whose content changed and was not read since
	 * (items --updated); set by a change, cleared by a read mark.
	 */
	"ALTER TABLE items ADD COLUMN unseen_change INTEGER NOT NULL"
	" DEFAULT 0;\n"
	"CREATE INDEX items_unseen ON items (id) WHERE unseen_change = 1;\n",
	/*
	 * 15: the size of an item's enclosure, in bytes, when the feed
	 * gives it (RSS length, Atom link length, JSON Feed
	 * size_in_bytes), for `show` to say.  Items stored before have none.
	 */
	"ALTER TABLE items ADD COLUMN enclosure_length INTEGER;\n",
	/*
	 * 16: the feeds a '!' tag hides from `new`, indexed, so that `new`
	 * asks whether there are any for the price of an index probe, and
	 * pays for the filter only when there are (it cost 13% of a
	 * `--json new` of 350,000 items).  The WHERE is STORE_HIDDEN's.
	 */
	"CREATE INDEX feeds_hidden ON feeds (id)"
	" WHERE instr(char(10) || tags, char(10) || '!') > 0;\n",
};
#define STORE_VERSION \
	((int)(sizeof store_migrations / sizeof store_migrations[0]))

/*
 * An item's date, as every listing orders and --since compares it (and as
 * items_time, items_feed and unread.date hold it): published, else
 * updated, else first seen, but never more than a day after it was first
 * seen.  Unqualified, and for the alias i.
 */
#define STORE_ITEM_DATE \
	"MIN(CASE WHEN junk_date THEN first_seen ELSE" \
	" COALESCE(published, updated, first_seen) END, first_seen + 86400)"
#define STORE_ITEM_DATE_I \
	"MIN(CASE WHEN i.junk_date THEN i.first_seen ELSE" \
	" COALESCE(i.published, i.updated, i.first_seen) END," \
	" i.first_seen + 86400)"

/* The columns of a feed row, in the order store_feed_fill() reads them. */
#define STORE_FEED_COLS \
	"f.id, f.url, f.title, f.conf_title, f.tags, f.site_url, f.etag," \
	" f.last_modified, f.last_fetch, f.last_success, f.next_fetch," \
	" f.hold_until, f.http_status, f.errors, f.last_error," \
	" f.redirect_url, f.gone, f.active, f.item_count, f.unread_count," \
	" f.starred_count, f.conf_hash, f.gone_since, f.created, f.identity," \
	" f.adaptive"

/* The order of the feed table, and the key its pages continue after. */
#define STORE_FEED_ORDER \
	"COALESCE(f.conf_title, f.title, f.url) COLLATE NOCASE"

/* The fixed statements, prepared once at open. */
enum store_stmt {
	S_BEGIN,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_COMMIT,
	S_ROLLBACK,
	S_FEED_BY_URL,
	S_FEED_BY_ID,
	S_FEED_INSERT,
	S_FEED_UNFRAGMENT,
	S_FEED_PUT,
	S_FEED_SET_CONF,
	S_FEEDS_DEACTIVATE,
	S_FEEDS_ADOPT,
	S_FEEDS_MOVED,
	S_FEED_HAS_TAG,
	S_FEED_COUNT,
	S_LOOKUP_ID,
	S_LOOKUP_URL,
	S_LOOKUP_TITLE,
	S_LOOKUP_ANY_TITLE,
	S_FEED_LIST,
	S_ITEM_FIND,
	S_ITEM_BY_HASH,
	S_ITEM_BY_LINK,
	S_ITEM_REKEY,
	S_ITEM_INSERT,
	S_ITEM_REHASH,
	S_ITEM_UPDATE,
	S_TEXT_PUT,
	S_TEXT_ENSURE,
	S_TEXT_SET,
	S_UNREAD_ADD,
	S_UNREAD_DATE,
	S_UNREAD_COUNT,
	S_ANY_HIDDEN,
	S_ITEM_EXCERPT,
	S_UNREAD_CLEAR,
	S_UNSEEN_CLEAR,
	S_UNREAD_ZERO,
	S_PRUNE,
	S_DOC_LIST,
	S_DOC_DELETE,
	S_DOC_INSERT,
	S_MAX_ID,
	S_STATS,
	S_META_GET,
	S_META_SET,
	S_META_DEL,
	S_INDEX_UPTO,
	S_INDEX_NEXT,
	S_INDEX_ADD,
	S_INDEX_SET,
	S_COUNT
};

/*
 * Item statements share their parameter numbers: ?1 guid, ?2 url, ?3
 * title, ?4 author, ?5 summary, ?6 content, ?7 content_type, ?8 tags, ?9
 * enclosure_url, ?10 enclosure_type, ?11 published, ?12 updated, ?13
 * content_hash, ?14 feed_id (insert) or id (update), ?15 dedupe_key, ?16
 * first_seen, ?19 enclosure_length.
 */
static const char *store_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_SAVEPOINT] = "SAVEPOINT feedd_part",
	[S_RELEASE] = "RELEASE feedd_part",
	[S_ROLLBACK_TO] = "ROLLBACK TO feedd_part",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_FEED_BY_URL] = "SELECT " STORE_FEED_COLS
	    " FROM feeds f WHERE f.url = ?1",
	[S_FEED_BY_ID] = "SELECT " STORE_FEED_COLS
	    " FROM feeds f WHERE f.id = ?1",
	/*
	 * A feed stored under URL#fragment (before the feeds file dropped
	 * fragments) takes URL, keeping its row; the oldest when several.
	 * '#' + 1 is '$': the range is every URL starting with "URL#".
	 */
	[S_FEED_UNFRAGMENT] = "UPDATE feeds SET url = ?1 WHERE id ="
	    " (SELECT min(id) FROM feeds WHERE url > ?1 || '#'"
	    " AND url < ?1 || '$')",
	[S_FEED_INSERT] = "INSERT INTO feeds (url, active, created)"
	    " VALUES (?1, 1, ?2) ON CONFLICT (url) DO NOTHING",
	[S_FEED_PUT] = "UPDATE feeds SET title = ?2, site_url = ?3,"
	    " etag = ?4, last_modified = ?5, last_fetch = ?6,"
	    " last_success = ?7, next_fetch = ?8, hold_until = ?9,"
	    " http_status = ?10, errors = ?11, last_error = ?12,"
	    " redirect_url = ?13, gone = ?14, gone_since = ?15,"
	    " identity = ?16, adaptive = ?17 WHERE id = ?1",
	[S_FEED_SET_CONF] = "UPDATE feeds SET conf_title = ?2, tags = ?3,"
	    " active = ?4, conf_hash = ?5,"
	    " gone = CASE WHEN ?6 THEN 0 ELSE gone END,"
	    " gone_since = CASE WHEN ?6 THEN 0 ELSE gone_since END"
	    " WHERE id = ?1",
	[S_FEEDS_DEACTIVATE] = "UPDATE feeds SET active = 0 WHERE active <> 0",
	/*
	 * ?1, the feeds file's URLs as a JSON array: a moved feed whose new
	 * address is listed and whose old one is not takes the new one (the
	 * first of two moved to the same place; never over a row of it).
	 */
	[S_FEEDS_MOVED] = "SELECT count(*) FROM feeds"
	    " WHERE redirect_url IS NOT NULL",
	[S_FEEDS_ADOPT] = "UPDATE feeds SET url = redirect_url,"
	    " redirect_url = NULL WHERE redirect_url IS NOT NULL"
	    " AND redirect_url IN (SELECT value FROM json_each(?1))"
	    " AND url NOT IN (SELECT value FROM json_each(?1))"
	    " AND NOT EXISTS (SELECT 1 FROM feeds f2"
	    "  WHERE f2.url = feeds.redirect_url)"
	    " AND id = (SELECT min(f3.id) FROM feeds f3"
	    "  WHERE f3.redirect_url = feeds.redirect_url)",
	[S_FEED_COUNT] = "UPDATE feeds SET item_count = item_count + ?2,"
	    " unread_count = unread_count + ?3,"
	    " starred_count = starred_count + ?4 WHERE id = ?1",
	/* As store_sqlb_where()'s tag filter: feeds.tags is one a line. */
	[S_FEED_HAS_TAG] = "SELECT 1 FROM feeds f WHERE (?1 = 0 OR f.id = ?1)"
	    " AND " STORE_TAG_MATCH "?2) || char(10)) > 0",
	[S_LOOKUP_ID] = "SELECT id, active FROM feeds WHERE id = ?1",
	[S_LOOKUP_URL] = "SELECT id, active FROM feeds WHERE url = ?1",
	/*
	 * Titles match with Unicode case folding (FOLD, store_fold_cmp());
	 * NOCASE knows only ASCII.  A scan of the feeds, of which there are
	 * thousands at most.
	 */
	[S_LOOKUP_TITLE] = "SELECT id, active FROM feeds"
	    " WHERE COALESCE(conf_title, title) = ?1 COLLATE FOLD",
	[S_LOOKUP_ANY_TITLE] = "SELECT id, active FROM feeds"
	    " WHERE conf_title = ?1 COLLATE FOLD"
	    " OR title = ?1 COLLATE FOLD",
	/*
	 * A page of the feed table (?4 rows, all when negative) after the
	 * feed whose sort key is ?2 and id ?3 (?2 NULL: from the start).
	 */
	[S_FEED_LIST] = "SELECT " STORE_FEED_COLS " FROM feeds f"
	    " WHERE (?1 = 0 OR f.active <> 0)"
	    " AND (?2 IS NULL OR (" STORE_FEED_ORDER ", f.id) > (?2, ?3))"
	    " ORDER BY " STORE_FEED_ORDER ", f.id LIMIT ?4",
	[S_ITEM_BY_LINK] = "SELECT 1 FROM items WHERE link_hash = ?1"
	    " AND url = ?2 AND feed_id <> ?3 LIMIT 1",
	[S_ITEM_BY_HASH] = "SELECT id FROM items WHERE feed_id = ?1"
	    " AND content_hash = ?2 LIMIT 1",
	[S_ITEM_REKEY] = "UPDATE items SET dedupe_key = ?2 WHERE id = ?1",
	[S_ITEM_FIND] = "SELECT id, content_hash FROM items"
	    " WHERE feed_id = ?1 AND dedupe_key = ?2",
	/* ?6, the content, goes to item_text (S_TEXT_PUT). */
	[S_ITEM_INSERT] = "INSERT INTO items (guid, url, title, author,"
	    " summary, content_type, tags, enclosure_url,"
	    " enclosure_type, published, updated, content_hash, feed_id,"
	    " dedupe_key, first_seen, junk_date, link_hash, enclosure_length)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	    " ?15, ?16, ?17, ?18, ?19)",
	[S_UNREAD_ADD] = "INSERT OR IGNORE INTO unread (id, feed_id, date)"
	    " VALUES (?1, ?2, ?3)",
	[S_UNREAD_DATE] = "UPDATE unread SET date = (SELECT"
	    " " STORE_ITEM_DATE " FROM items WHERE id = ?1)"
	    " WHERE id = ?1",
	[S_UNREAD_COUNT] = "SELECT count(*) FROM unread",
	[S_ANY_HIDDEN] = "SELECT 1 FROM feeds WHERE " STORE_HIDDEN " LIMIT 1",
	/* An untitled item's excerpt, for render_item_title(). */
	[S_ITEM_EXCERPT] = "SELECT substr(COALESCE((SELECT t.content"
	    " FROM item_text t WHERE t.id = ?1), (SELECT summary FROM items"
	    " WHERE id = ?1)), 1, ?2)",
	[S_UNREAD_CLEAR] = "DELETE FROM unread",
	[S_UNSEEN_CLEAR] = "UPDATE items SET unseen_change = 0"
	    " WHERE unseen_change = 1",
	[S_UNREAD_ZERO] = "UPDATE feeds SET unread_count = 0"
	    " WHERE unread_count <> 0",
	/*
	 * A new item's content (never indexed yet: no trigger needed); a
	 * changed item's, through an UPDATE that item_text_au sees, its row
	 * made first if another program's insert left it without one.
	 */
	[S_TEXT_PUT] = "INSERT OR REPLACE INTO item_text (id, content)"
	    " VALUES (?1, ?2)",
	[S_TEXT_ENSURE] = "INSERT OR IGNORE INTO item_text (id, content)"
	    " VALUES (?1, NULL)",
	[S_TEXT_SET] = "UPDATE item_text SET content = ?2 WHERE id = ?1",
	[S_ITEM_REHASH] = "UPDATE items SET content_hash = ?2 WHERE id = ?1",
	[S_ITEM_UPDATE] = "UPDATE items SET guid = ?1, url = ?2, title = ?3,"
	    " author = ?4, summary = ?5, content_type = ?7,"
	    " tags = ?8, enclosure_url = ?9, enclosure_type = ?10,"
	    " enclosure_length = ?19, published = ?11, updated = ?12,"
	    " content_hash = ?13,"
	    " update_count = update_count + 1, changed = ?15,"
	    " unseen_change = 1 WHERE id = ?14",
	/*
	 * ?1 feed, ?2 keep_items, ?3 keep_age, ?4 keep_unread, ?5 now, ?6
	 * JSON array of this feed's ids upserted by the current transaction
	 * and ?7 whether there are any: then they are the document, else the
	 * last document is the one in feed_doc.
	 */
	[S_PRUNE] = "DELETE FROM items WHERE feed_id = ?1"
	    " AND (?4 = 0 OR (starred = 0 AND NOT EXISTS"
	    "  (SELECT 1 FROM unread u WHERE u.id = items.id)))"
	    " AND id NOT IN (SELECT value FROM json_each(?6))"
	    " AND (?7 <> 0 OR id NOT IN"
	    "  (SELECT item_id FROM feed_doc WHERE feed_id = ?1))"
	    " AND ((?2 > 0 AND id NOT IN (SELECT id FROM items"
	    "   WHERE feed_id = ?1"
	    "   ORDER BY " STORE_ITEM_DATE " DESC, id DESC"
	    "   LIMIT ?2))"
	    "  OR (?3 > 0 AND first_seen < ?5 - ?3))"
	    /* RETURNING sees the rows before the delete trigger ran. */
	    " RETURNING NOT EXISTS (SELECT 1 FROM unread u"
	    "  WHERE u.id = items.id), starred",
	[S_DOC_LIST] = "SELECT item_id FROM feed_doc WHERE feed_id = ?1"
	    " ORDER BY item_id",
	[S_DOC_DELETE] = "DELETE FROM feed_doc WHERE feed_id = ?1",
	[S_DOC_INSERT] = "INSERT OR IGNORE INTO feed_doc (feed_id, item_id)"
	    " VALUES (?1, ?2)",
	[S_MAX_ID] = "SELECT COALESCE(max(id), 0) FROM items",
	[S_STATS] = "SELECT count(*), COALESCE(sum(active <> 0), 0),"
	    " COALESCE(sum(item_count), 0), COALESCE(sum(unread_count), 0),"
	    " COALESCE(sum(starred_count), 0),"
	    " (SELECT c.page_count * s.page_size"
	    "  FROM pragma_page_count() c, pragma_page_size() s),"
	    " COALESCE(sum(unread_count) FILTER (WHERE NOT (1" STORE_NOT_HIDDEN
	    ")), 0) FROM feeds f",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[S_META_DEL] = "DELETE FROM meta WHERE key = ?1",
	[S_INDEX_UPTO] = "SELECT upto FROM fts_state WHERE id = 1",
	[S_INDEX_NEXT] = "SELECT MAX(id) FROM (SELECT id FROM items"
	    " WHERE id > ?1 ORDER BY id LIMIT ?2)",
	[S_INDEX_ADD] = "INSERT INTO items_fts(rowid, title, content)"
	    " SELECT id, title, content FROM items_fts_src"
	    " WHERE id > ?1 AND id <= ?2",
	[S_INDEX_SET] = "UPDATE fts_state SET upto = ?1 WHERE id = 1",
};

struct store {
	sqlite3		*db;
	char		*path;
	char		*errmsg;
	sqlite3_stmt	*stmt[S_COUNT];

	/* Reused for every upsert. */
	struct buf	 author;
	XXH3_state_t	*xxh;		/* content hash */
	struct buf	 tags;

	/*
	 * Items upserted since store_begin(), in order: each feed's new
	 * document, written to feed_doc at commit; prune spares them.
	 */
	struct store_seen {
		int64_t	 feed_id;
		int64_t	 item_id;
	}		*seen;
	size_t		 nseen;
	size_t		 part_nseen;	/* nseen at the savepoint */
	size_t		 seencap;
	int		 rekey;		/* store_set_rekey() */
	size_t		 rekeyed;
	int		 reunread;	/* store_set_reunread() */
	int		 junk_dates;	/* store_set_junk_dates() */
	int		 dedupe_links;	/* store_set_dedupe_links() */

	/*
	 * Changes to the feeds' counters since store_begin(), written to
	 * the feeds at commit (store_counts_flush()).
	 */
	struct store_delta {
		int64_t	 feed_id;
		int64_t	 items;
		int64_t	 unread;
		int64_t	 starred;
	}		*deltas;
	size_t		 ndeltas;
	size_t		 part_ndeltas;	/* ndeltas at the savepoint */
	size_t		 deltacap;

	/* Built queries, by SQL text; least recently used goes first. */
	struct {
		char		*sql;
		sqlite3_stmt	*stmt;
		uint64_t	 used;
	}		 cache[STORE_CACHE];
	uint64_t	 tick;

	unsigned int	 commits;
	int		 readonly;	/* store_set_readonly(): reads only */
};

static int	store_seen_flush(struct store *);
static int	store_counts_flush(struct store *);
static int	store_blank(const char *);

/* A query under construction: SQL text and its bound values. */
struct store_bind {
	int		 text;
	int64_t		 v;
	char		*s;
};
struct store_sqlb {
	struct buf	 sql;
	struct store_bind *b;
	int		 n;
	int		 cap;
};

/*
 * SQLite's message for the last error, with the system error and a hint
 * where SQLite's own words do not say what to do.
 */
static char *
store_reason(sqlite3 *db)
{
	const char	*hint = "";
	char		*r;
	int		 code, sys;

	code = sqlite3_errcode(db) & 0xff;
	sys = sqlite3_system_errno(db);
	switch (code) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		hint = " (another process is writing the database)";
		break;
	case SQLITE_READONLY:
		hint = " (check the permissions of the file and directory)";
		break;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		if (sys != 0) {
			xasprintf(&r, "%s: %s", sqlite3_errmsg(db),
			    strerror(sys));
			return (r);
		}
		break;
	}
	xasprintf(&r, "%s%s", sqlite3_errmsg(db), hint);
	return (r);
}

/* Replace the error message with "PATH: what: sqlite's message". */
static void
store_error(struct store *st, const char *what)
{
	char	*old = st->errmsg, *reason;

	reason = store_reason(st->db);
	xasprintf(&st->errmsg, "%s: %s: %s", st->path, what, reason);
	free(reason);
	free(old);
}

/* Replace the error message with "PATH: what" (no sqlite message). */
static void
store_errorx(struct store *st, const char *fmt, ...)
{
	char	*old = st->errmsg, *msg;
	va_list	 ap;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&st->errmsg, "%s: %s", st->path, msg);
	free(msg);
	free(old);
}

/* The last error, or "no error". */
const char *
store_errmsg(struct store *st)
{
	if (st == NULL || st->errmsg == NULL)
		return ("no error");
	return (st->errmsg);
}

/* Bind a string or NULL; the caller keeps it alive until the reset. */
static void
store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

/* Bind a date, NULL for DATE_NONE. */
static void
store_bind_date(sqlite3_stmt *stmt, int i, int64_t t)
{
	if (t == DATE_NONE)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_int64(stmt, i, t);
}

/* Read a column as a new string, NULL when NULL. */
static char *
store_column_dup(sqlite3_stmt *stmt, int i)
{
	const unsigned char	*s;

	if ((s = sqlite3_column_text(stmt, i)) == NULL)
		return (NULL);
	return (xstrdup((const char *)s));
}

/* Read a column as a borrowed string, NULL when NULL. */
static const char *
store_column_str(sqlite3_stmt *stmt, int i)
{
	return ((const char *)sqlite3_column_text(stmt, i));
}

/* Read a date column, DATE_NONE when NULL. */
static int64_t
store_column_date(sqlite3_stmt *stmt, int i)
{
	if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
		return (DATE_NONE);
	return (sqlite3_column_int64(stmt, i));
}

/*
 * Step a fixed statement that returns no rows, then reset it.  Returns 0
 * or -1 with the error set.
 */
static int
store_exec(struct store *st, enum store_stmt s, const char *what)
{
	sqlite3_stmt	*stmt = st->stmt[s];
	int		 rc;

	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_error(st, what);
		sqlite3_reset(stmt);
		return (-1);
	}
	sqlite3_reset(stmt);
	return (0);
}

/* Step a bound query that asks whether a row exists: 1, 0, or -1. */
static int
store_step_exists(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	int	rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return (1);
	if (rc == SQLITE_DONE)
		return (0);
	store_error(st, what);
	return (-1);
}

/* Run a fixed statement that gives one integer; fail (error kept) if none. */
static int64_t
store_step_int(struct store *st, enum store_stmt s, int64_t fail,
    const char *what)
{
	sqlite3_stmt	*stmt = st->stmt[s];
	int64_t		 v = fail;

	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	else
		store_error(st, what);
	sqlite3_reset(stmt);
	return (v);
}

/* Set *cause to "PATH: what: reason" for the last error of db. */
static void
store_cause(char **cause, sqlite3 *db, const char *path, const char *what)
{
	char	*reason;

	reason = store_reason(db);
	xasprintf(cause, "%s: %s: %s", path, what, reason);
	free(reason);
}

/* Run statements of the schema or settings; -1 and cause. */
static int
store_exec_sql(sqlite3 *db, const char *path, const char *sql,
    const char *what, char **cause)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return (0);
	store_cause(cause, db, path, what);
	return (-1);
}

/* Read an integer pragma (or any one-value query); -1 and cause. */
static int
store_query_int(sqlite3 *db, const char *path, const char *sql,
    int64_t *out, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		store_cause(cause, db, path, sql);
		return (-1);
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		store_cause(cause, db, path, sql);
		sqlite3_finalize(stmt);
		return (-1);
	}
	*out = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return (0);
}

/* Switch to WAL; a file system without shared memory keeps its mode. */
static int
store_set_wal(sqlite3 *db, const char *path, char **cause)
{
	sqlite3_stmt		*stmt;
	const unsigned char	*mode;
	int			 rc;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &stmt,
	    NULL) != SQLITE_OK) {
		store_cause(cause, db, path, "opening");
		return (-1);
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		store_cause(cause, db, path, "opening");
		sqlite3_finalize(stmt);
		return (-1);
	}
	mode = sqlite3_column_text(stmt, 0);
	if (mode == NULL || strcmp((const char *)mode, "wal") != 0)
		log_warnx("%s: cannot use WAL, journal mode is %s", path,
		    mode != NULL ? (const char *)mode : "unknown");
	sqlite3_finalize(stmt);
	return (0);
}

/*
 * Bring the schema up to STORE_VERSION, one migration per transaction.
 * The version is read again inside each transaction so that two processes
 * opening a new file at once do not both apply the same step.
 */
static int
store_migrate(sqlite3 *db, const char *path, char **cause)
{
	int64_t	 v;
	char	 sql[64], what[64];

	for (;;) {
		if (store_exec_sql(db, path, "BEGIN IMMEDIATE", "begin",
		    cause) != 0)
			return (-1);
		if (store_query_int(db, path, "PRAGMA user_version", &v,
		    cause) != 0)
			goto fail;
		if (v > STORE_VERSION) {
			xasprintf(cause, "%s: database schema version %" PRId64
			    " is newer than this feedd supports (%d);"
			    " upgrade feedd", path, v, STORE_VERSION);
			goto fail;
		}
		if (v < 0) {
			xasprintf(cause, "%s: bad schema version %" PRId64,
			    path, v);
			goto fail;
		}
		if (v == STORE_VERSION)
			break;
		snprintf(what, sizeof what, "migrating to version %d",
		    (int)v + 1);
		if (v > 0)
			log_info("%s: upgrading the database to schema "
			    "version %d (once; a minute at most for a large "
			    "store)", path, (int)v + 1);
		if (store_exec_sql(db, path, store_migrations[v], what,
		    cause) != 0)
			goto fail;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
		    (int)v + 1);
		if (store_exec_sql(db, path, sql, what, cause) != 0)
			goto fail;
		if (store_exec_sql(db, path, "COMMIT", what, cause) != 0)
			goto fail;
	}
	return (store_exec_sql(db, path, "COMMIT", "commit", cause));

fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return (-1);
}

/* Can connections be used from more than one thread (one each)? */
int
store_threadsafe(void)
{
	return (sqlite3_threadsafe() != 0);
}

/*
 * Make this connection read-only (PRAGMA query_only): the daemon's loop
 * thread reads through one, and every write goes through the writer
 * thread's connection (writer.c), so a write on the loop thread is a bug
 * that fails at once instead of waiting behind the writer.
 */
int
store_set_readonly(struct store *st)
{
	if (sqlite3_exec(st->db, "PRAGMA query_only = 1", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		store_error(st, "query_only");
		return (-1);
	}
	st->readonly = 1;
	return (0);
}

/*
 * The FOLD collation: Unicode simple case folding (util_casecmp()).  Used
 * only in queries, never in the schema, so that other programs can still
 * read the database.
 */
static int
store_fold_cmp(void *arg, int alen, const void *a, int blen, const void *b)
{
	(void)arg;
	return (util_casecmp(a, (size_t)alen, b, (size_t)blen));
}

/* Open (creating if needed) the database at path and prepare it. */
struct store *
store_open(const char *path, char **cause)
{
	struct store	*st;
	sqlite3		*db = NULL;
	int		 rc, i;

	if (path == NULL || *path == '\0') {
		xasprintf(cause, "no database path");
		return (NULL);
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (db != NULL)
			store_cause(cause, db, path, "opening");
		else
			xasprintf(cause, "%s: opening: %s", path,
			    sqlite3_errstr(rc));
		sqlite3_close(db);
		return (NULL);
	}
	if (sqlite3_db_readonly(db, "main") == 1) {
		xasprintf(cause, "%s: opening: file is read-only (check the "
		    "permissions of the file and directory)", path);
		sqlite3_close(db);
		return (NULL);
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT);
	if ((rc = store_fts_register(db)) != SQLITE_OK ||
	    (rc = sqlite3_create_collation_v2(db, "FOLD", SQLITE_UTF8, NULL,
	    store_fold_cmp, NULL)) != SQLITE_OK) {
		xasprintf(cause, "%s: registering the search tokenizer or "
		    "the FOLD collation: %s", path, sqlite3_errstr(rc));
		sqlite3_close(db);
		return (NULL);
	}

	if (store_set_wal(db, path, cause) != 0 ||
	    store_exec_sql(db, path, store_settings, "settings", cause) != 0 ||
	    store_migrate(db, path, cause) != 0) {
		sqlite3_close(db);
		return (NULL);
	}

	st = xcalloc(1, sizeof *st);
	st->db = db;
	st->path = xstrdup(path);
	if ((st->xxh = XXH3_createState()) == NULL)
		fatalx("out of memory");
	for (i = 0; i < S_COUNT; i++) {
		rc = sqlite3_prepare_v3(db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			xasprintf(cause, "%s: preparing statement %d: %s",
			    path, i, sqlite3_errmsg(db));	/* a bug */
			store_close(st);
			return (NULL);
		}
	}
	return (st);
}

/* Finalize every statement and close the database. */
void
store_close(struct store *st)
{
	int	i;

	if (st == NULL)
		return;
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	for (i = 0; i < STORE_CACHE; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	if (st->db != NULL) {
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
		if (sqlite3_close(st->db) != SQLITE_OK)
			log_warnx("%s: close: %s", st->path,
			    sqlite3_errmsg(st->db));
	}
	buf_free(&st->author);
	XXH3_freeState(st->xxh);
	buf_free(&st->tags);
	free(st->seen);
	free(st->deltas);
	free(st->errmsg);
	free(st->path);
	free(st);
}

/*
 * Start a write transaction (BEGIN IMMEDIATE: take the write lock now, so
 * a busy database fails here and not halfway through).  A transaction left
 * open by an earlier failure is rolled back first.
 */
int
store_begin(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db)) {
		log_warnx("%s: rolling back a transaction left open",
		    st->path);
		store_rollback(st);
	}
	st->nseen = 0;
	st->ndeltas = 0;
	return (store_exec(st, S_BEGIN, "begin"));
}

/*
 * Record the documents seen and commit; on failure the transaction stays
 * open for a rollback.
 */
int
store_commit(struct store *st)
{
	if (store_seen_flush(st) != 0 || store_counts_flush(st) != 0)
		return (-1);
	if (store_exec(st, S_COMMIT, "commit") != 0)
		return (-1);

	/* A long-running daemon refreshes the planner's statistics. */
	if (++st->commits % STORE_OPTIMIZE_EVERY == 0)
		sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
	return (0);
}

/* Roll back the transaction, if one is open. */
void
store_rollback(struct store *st)
{
	st->nseen = 0;
	st->ndeltas = 0;
	if (sqlite3_get_autocommit(st->db))
		return;	/* none open, or SQLite already rolled it back */
	if (sqlite3_step(st->stmt[S_ROLLBACK]) != SQLITE_DONE)
		log_warnx("%s: rollback: %s", st->path,
		    sqlite3_errmsg(st->db));
	sqlite3_reset(st->stmt[S_ROLLBACK]);
}

/* Is a transaction open (SQLite rolls one back itself on some errors)? */
int
store_in_transaction(struct store *st)
{
	return (!sqlite3_get_autocommit(st->db));
}

/*
 * Open a part of the transaction (a savepoint) that store_part_end() keeps
 * or rolls back alone: one feed's update within a group of them.
 */
int
store_part_begin(struct store *st)
{
	st->part_nseen = st->nseen;
	st->part_ndeltas = st->ndeltas;
	return (store_exec(st, S_SAVEPOINT, "savepoint"));
}

/* Keep (ok) or roll back the part; -1 when the transaction is lost. */
int
store_part_end(struct store *st, int ok)
{
	if (!store_in_transaction(st))
		return (-1);
	if (!ok) {
		st->nseen = st->part_nseen;
		st->ndeltas = st->part_ndeltas;
		if (store_exec(st, S_ROLLBACK_TO, "rollback to savepoint")
		    != 0)
			return (-1);
	}
	return (store_exec(st, S_RELEASE, "release savepoint"));
}

/* Fill f from a row of STORE_FEED_COLS (copies the strings). */
static void
store_feed_fill(sqlite3_stmt *stmt, struct store_feed *f)
{
	memset(f, 0, sizeof *f);
	f->id = sqlite3_column_int64(stmt, 0);
	f->url = store_column_dup(stmt, 1);
	f->title = store_column_dup(stmt, 2);
	f->conf_title = store_column_dup(stmt, 3);
	f->tags = store_column_dup(stmt, 4);
	f->site_url = store_column_dup(stmt, 5);
	f->etag = store_column_dup(stmt, 6);
	f->last_modified = store_column_dup(stmt, 7);
	f->last_fetch = sqlite3_column_int64(stmt, 8);
	f->last_success = sqlite3_column_int64(stmt, 9);
	f->next_fetch = sqlite3_column_int64(stmt, 10);
	f->hold_until = sqlite3_column_int64(stmt, 11);
	f->http_status = sqlite3_column_int(stmt, 12);
	f->errors = sqlite3_column_int(stmt, 13);
	f->last_error = store_column_dup(stmt, 14);
	f->redirect_url = store_column_dup(stmt, 15);
	f->gone = sqlite3_column_int(stmt, 16);
	f->active = sqlite3_column_int(stmt, 17);
	f->item_count = sqlite3_column_int64(stmt, 18);
	f->unread_count = sqlite3_column_int64(stmt, 19);
	f->starred_count = sqlite3_column_int64(stmt, 20);
	f->conf_hash = store_column_dup(stmt, 21);
	f->gone_since = sqlite3_column_int64(stmt, 22);
	f->created = sqlite3_column_int64(stmt, 23);
	f->identity = store_column_dup(stmt, 24);
	f->adaptive = sqlite3_column_int64(stmt, 25);
}

/* Free the strings of a feed row and zero it. */
void
store_feed_clear(struct store_feed *f)
{
	free(f->url);
	free(f->title);
	free(f->conf_title);
	free(f->tags);
	free(f->site_url);
	free(f->etag);
	free(f->last_modified);
	free(f->last_error);
	free(f->redirect_url);
	free(f->conf_hash);
	free(f->identity);
	memset(f, 0, sizeof *f);
}

/* Copy a feed row (its strings too) into d, which store_feed_clear()s. */
void
store_feed_copy(struct store_feed *d, const struct store_feed *f)
{
	*d = *f;
	d->url = f->url != NULL ? xstrdup(f->url) : NULL;
	d->title = f->title != NULL ? xstrdup(f->title) : NULL;
	d->conf_title = f->conf_title != NULL ? xstrdup(f->conf_title) : NULL;
	d->tags = f->tags != NULL ? xstrdup(f->tags) : NULL;
	d->site_url = f->site_url != NULL ? xstrdup(f->site_url) : NULL;
	d->etag = f->etag != NULL ? xstrdup(f->etag) : NULL;
	d->last_modified = f->last_modified != NULL ?
	    xstrdup(f->last_modified) : NULL;
	d->last_error = f->last_error != NULL ? xstrdup(f->last_error) : NULL;
	d->redirect_url = f->redirect_url != NULL ?
	    xstrdup(f->redirect_url) : NULL;
	d->conf_hash = f->conf_hash != NULL ? xstrdup(f->conf_hash) : NULL;
	d->identity = f->identity != NULL ? xstrdup(f->identity) : NULL;
}

/* Run a feed SELECT that is already bound: 0 found, 1 none, -1 error. */
static int
store_feed_read(struct store *st, enum store_stmt s, struct store_feed *f,
    const char *what)
{
	sqlite3_stmt	*stmt = st->stmt[s];
	int		 rc;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		store_feed_fill(stmt, f);
		sqlite3_reset(stmt);
		return (0);
	}
	if (rc != SQLITE_DONE) {
		store_error(st, what);
		sqlite3_reset(stmt);
		return (-1);
	}
	sqlite3_reset(stmt);
	return (1);
}

/*
 * The feed with this URL, added (active) first if it is new.  A feed
 * stored as URL#fragment by an older feedd is that feed: it takes the URL
 * and keeps its row, items and state.
 */
int
store_feed_get(struct store *st, const char *url, struct store_feed *f)
{
	int	rc;

	memset(f, 0, sizeof *f);
	store_bind_text(st->stmt[S_FEED_BY_URL], 1, url);
	if ((rc = store_feed_read(st, S_FEED_BY_URL, f, url)) != 1)
		return (rc);

	sqlite3_bind_text(st->stmt[S_FEED_UNFRAGMENT], 1, url, -1,
	    SQLITE_STATIC);
	if (store_exec(st, S_FEED_UNFRAGMENT, url) != 0)
		return (-1);
	if (sqlite3_changes(st->db) > 0) {
		log_notice("%s: the feed stored with a URL fragment is now "
		    "listed without it", url);
		store_bind_text(st->stmt[S_FEED_BY_URL], 1, url);
		if ((rc = store_feed_read(st, S_FEED_BY_URL, f, url)) == 1) {
			store_errorx(st, "%s: feed vanished after rename", url);
			return (-1);
		}
		return (rc);
	}

	sqlite3_bind_text(st->stmt[S_FEED_INSERT], 1, url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st->stmt[S_FEED_INSERT], 2, util_now());
	if (store_exec(st, S_FEED_INSERT, url) != 0)
		return (-1);

	store_bind_text(st->stmt[S_FEED_BY_URL], 1, url);
	if ((rc = store_feed_read(st, S_FEED_BY_URL, f, url)) == 1) {
		store_errorx(st, "%s: feed vanished after insert", url);
		return (-1);
	}
	return (rc);
}

/* The feed with this id; -1 if there is none. */
int
store_feed_get_id(struct store *st, int64_t id, struct store_feed *f)
{
	int	rc;

	memset(f, 0, sizeof *f);
	sqlite3_bind_int64(st->stmt[S_FEED_BY_ID], 1, id);
	if ((rc = store_feed_read(st, S_FEED_BY_ID, f, "feed")) == 1) {
		store_errorx(st, "feed %" PRId64 ": no such feed", id);
		return (-1);
	}
	return (rc);
}

/*
 * Write the polling state of a feed (by id).  The feeds-file columns
 * (conf_title, tags, active) belong to store_feed_set_conf(), so a poll
 * that finishes after a reload does not undo the reload.
 */
int
store_feed_put(struct store *st, const struct store_feed *f)
{
	sqlite3_stmt	*stmt = st->stmt[S_FEED_PUT];

	sqlite3_bind_int64(stmt, 1, f->id);
	store_bind_text(stmt, 2, f->title);
	store_bind_text(stmt, 3, f->site_url);
	store_bind_text(stmt, 4, f->etag);
	store_bind_text(stmt, 5, f->last_modified);
	sqlite3_bind_int64(stmt, 6, f->last_fetch);
	sqlite3_bind_int64(stmt, 7, f->last_success);
	sqlite3_bind_int64(stmt, 8, f->next_fetch);
	sqlite3_bind_int64(stmt, 9, f->hold_until);
	sqlite3_bind_int(stmt, 10, f->http_status);
	sqlite3_bind_int(stmt, 11, f->errors);
	store_bind_text(stmt, 12, f->last_error);
	store_bind_text(stmt, 13, f->redirect_url);
	sqlite3_bind_int(stmt, 14, f->gone != 0);
	sqlite3_bind_int64(stmt, 15, f->gone ? f->gone_since : 0);
	store_bind_text(stmt, 16, f->identity);
	sqlite3_bind_int64(stmt, 17, f->adaptive);
	return (store_exec(st, S_FEED_PUT, f->url != NULL ? f->url : "feed"));
}

/*
 * Set what the feeds file says about a feed: its title, tags, whether it
 * is listed, the hash of its line; revive brings it back from gone.
 */
int
store_feed_set_conf(struct store *st, int64_t id, const char *conf_title,
    const char *tags, int active, const char *conf_hash, int revive)
{
	sqlite3_stmt	*stmt = st->stmt[S_FEED_SET_CONF];

	sqlite3_bind_int64(stmt, 1, id);
	store_bind_text(stmt, 2, conf_title);
	store_bind_text(stmt, 3, tags);
	sqlite3_bind_int(stmt, 4, active != 0);
	store_bind_text(stmt, 5, conf_hash);
	sqlite3_bind_int(stmt, 6, revive != 0);
	return (store_exec(st, S_FEED_SET_CONF, "feed configuration"));
}

/* A tag as STORE_TAG_MATCH is bound to it: without a leading '!'. */
static const char *
store_tag(const char *tag)
{
	return (tag[0] == '!' ? tag + 1 : tag);
}

/*
 * Does the feed (id 0: any feed) carry this tag (as the tag filter of a
 * query reads it: case-insensitive, whole tags)?  A blank tag matches
 * every feed.  1 yes, 0 no, -1 on error.
 */
int
store_feed_has_tag(struct store *st, int64_t id, const char *tag)
{
	sqlite3_stmt	*stmt = st->stmt[S_FEED_HAS_TAG];

	if (store_blank(tag))
		return (1);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, store_tag(tag), -1, SQLITE_STATIC);
	return (store_step_exists(st, stmt, "feed tags"));
}

/* How many feeds moved (a permanent redirect), or -1. */
int
store_feeds_moved_count(struct store *st)
{
	return ((int)store_step_int(st, S_FEEDS_MOVED, -1, "counting moved "
	    "feeds"));
}

/*
 * The feeds file now names the new address of moved feeds (`feedctl
 * moved --apply`): each takes it, keeping its row (id, items, read
 * state).  urls: the file's URLs as a JSON array.  Returns how many
 * feeds took their new address, or -1.
 */
int
store_feeds_adopt(struct store *st, const char *urls)
{
	sqlite3_stmt	*stmt = st->stmt[S_FEEDS_ADOPT];

	store_bind_text(stmt, 1, urls);
	if (store_exec(st, S_FEEDS_ADOPT, "moving feeds") != 0)
		return (-1);
	return (sqlite3_changes(st->db));
}

/*
 * Delete a feed with its items (and everything of theirs: ON DELETE
 * CASCADE and the items' triggers), for `feedctl remove --purge`.  Returns
 * 0 (also when there was no such feed) or -1 with the error set.
 */
int
store_feed_delete(struct store *st, int64_t id)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "DELETE FROM feeds WHERE id = ?", -1,
	    &stmt, NULL) != SQLITE_OK) {
		store_error(st, "deleting a feed");
		return (-1);
	}
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		store_error(st, "deleting a feed");
	sqlite3_finalize(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/* Mark every feed inactive (a reload then re-activates the listed ones). */
int
store_feeds_deactivate(struct store *st)
{
	return (store_exec(st, S_FEEDS_DEACTIVATE, "deactivating feeds"));
}

/*
 * Run a lookup statement bound with the name.  Returns 0 and the id when
 * one feed matches, or when several do but exactly one is active; -1 when
 * none matches; -2 when the match is ambiguous; -3 on error.
 */
static int
store_lookup_run(struct store *st, enum store_stmt s, const char *name,
    int64_t *id)
{
	sqlite3_stmt	*stmt = st->stmt[s];
	int64_t		 any = 0, active = 0;
	int		 rc, nany = 0, nactive = 0;

	if (s == S_LOOKUP_ID)
		sqlite3_bind_int64(stmt, 1, *id);
	else
		store_bind_text(stmt, 1, name);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		any = sqlite3_column_int64(stmt, 0);
		nany++;
		if (sqlite3_column_int(stmt, 1) != 0) {
			active = any;
			nactive++;
		}
	}
	if (rc != SQLITE_DONE) {
		store_error(st, name);
		sqlite3_reset(stmt);
		return (-3);
	}
	sqlite3_reset(stmt);
	if (nany == 0)
		return (-1);
	if (nany == 1) {
		*id = any;
		return (0);
	}
	if (nactive == 1) {
		*id = active;
		return (0);
	}
	store_errorx(st, "%s: several feeds have this title; name one by "
	    "URL or id", name);
	return (-2);
}

/*
 * Find a feed by numeric id, exact URL or title (the feeds-file title or
 * the document's, case-insensitive).  Returns 0 and the id, -1 when no
 * feed matches (or on error), -2 when several feeds have that title.
 */
int
store_feed_lookup(struct store *st, const char *name, int64_t *id)
{
	int64_t	 n;
	int	 rc;

	if (name == NULL || *name == '\0') {
		store_errorx(st, "empty feed name");
		return (-1);
	}
	if (util_parse_int(name, 1, INT64_MAX, &n) == 0) {
		*id = n;
		if ((rc = store_lookup_run(st, S_LOOKUP_ID, name, id)) != -1)
			return (rc == -3 ? -1 : rc);
	}
	if ((rc = store_lookup_run(st, S_LOOKUP_URL, name, id)) != -1)
		return (rc == -3 ? -1 : rc);
	if ((rc = store_lookup_run(st, S_LOOKUP_TITLE, name, id)) != -1)
		return (rc == -3 ? -1 : rc);
	if ((rc = store_lookup_run(st, S_LOOKUP_ANY_TITLE, name, id)) != -1)
		return (rc == -3 ? -1 : rc);
	store_errorx(st, "%s: no such feed", name);
	return (-1);
}

/* The key the feed table is sorted by (see STORE_FEED_ORDER). */
const char *
store_feed_sort_key(const struct store_feed *f)
{
	if (f->conf_title != NULL)
		return (f->conf_title);
	return (f->title != NULL ? f->title : f->url);
}

/*
 * Call cb for the feeds (only the active ones if asked) in the feed
 * table's order (by title, then id), at most limit of them (0: all),
 * after the feed whose sort key (store_feed_sort_key()) and id are
 * after_key and after_id, if after_key is not NULL: the last of the
 * previous page, so that every page costs the same however far into the
 * table it is.  A
 * non-zero return from cb stops.  Returns the number of feeds delivered,
 * -1 on error.
 */
int
store_feed_list(struct store *st, int only_active, const char *after_key,
    int64_t after_id, int64_t limit, store_feed_cb cb, void *arg)
{
	sqlite3_stmt		*stmt = st->stmt[S_FEED_LIST];
	struct store_feed	 f;
	int			 rc, n = 0, stop = 0;

	sqlite3_bind_int(stmt, 1, only_active != 0);
	store_bind_text(stmt, 2, after_key);
	sqlite3_bind_int64(stmt, 3, after_id);
	sqlite3_bind_int64(stmt, 4, limit > 0 ? limit : -1);
	while (!stop && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		store_feed_fill(stmt, &f);
		n++;
		stop = cb(&f, arg);
		store_feed_clear(&f);
	}
	if (!stop && rc != SQLITE_DONE) {
		store_error(st, "listing feeds");
		sqlite3_reset(stmt);
		return (-1);
	}
	sqlite3_reset(stmt);
	return (n);
}

/*
 * The content hash decides whether a known item changed: title, link,
 * content and summary, each framed so that NULL and "" differ.  It is
 * XXH3 (libxxhash).  Databases written before used FNV-1a (util_hash64,
 * a byte at a time: 6% of a first poll's CPU); their rows keep the old
 * value until seen again, when a mismatch is checked against the old hash
 * and the row silently takes the new one if that matches.  So no
 * migration, and no item shows as updated because the hash changed.
 */
static const unsigned char	 store_hash_none[2] = { 0xff, 0x00 };
static const unsigned char	 store_hash_end = 0x00;

static uint64_t
store_content_hash(struct store *st, const char *const f[4])
{
	int	i;

	XXH3_64bits_reset(st->xxh);
	for (i = 0; i < 4; i++) {
		if (f[i] == NULL)
			XXH3_64bits_update(st->xxh, store_hash_none,
			    sizeof store_hash_none);
		else {
			XXH3_64bits_update(st->xxh, f[i], strlen(f[i]));
			XXH3_64bits_update(st->xxh, &store_hash_end, 1);
		}
	}
	return (XXH3_64bits_digest(st->xxh));
}

/* The old content hash (FNV-1a), same framing. */
static uint64_t
store_content_hash_fnv(const char *const f[4])
{
	uint64_t	h = 0;
	int		i;

	for (i = 0; i < 4; i++) {
		if (f[i] == NULL)
			h = util_hash64(store_hash_none,
			    sizeof store_hash_none, h);
		else {
			h = util_hash64(f[i], strlen(f[i]), h);
			h = util_hash64(&store_hash_end, 1, h);
		}
	}
	return (h);
}

/* Write one feed's counter changes. */
static int
store_counts_put(struct store *st, const struct store_delta *d)
{
	sqlite3_stmt	*stmt = st->stmt[S_FEED_COUNT];

	sqlite3_bind_int64(stmt, 1, d->feed_id);
	sqlite3_bind_int64(stmt, 2, d->items);
	sqlite3_bind_int64(stmt, 3, d->unread);
	sqlite3_bind_int64(stmt, 4, d->starred);
	return (store_exec(st, S_FEED_COUNT, "counting items"));
}

/*
 * A feed's counters change by these amounts: at commit (with the rest of
 * the transaction), or now when no transaction is open.
 */
static int
store_counts_add(struct store *st, int64_t feed_id, int64_t items,
    int64_t unread, int64_t starred)
{
	struct store_delta	 d, *last;

	d.feed_id = feed_id;
	d.items = items;
	d.unread = unread;
	d.starred = starred;
	if (sqlite3_get_autocommit(st->db))
		return (store_counts_put(st, &d));
	last = st->ndeltas > 0 ? &st->deltas[st->ndeltas - 1] : NULL;
	if (last != NULL && last->feed_id == feed_id &&
	    st->ndeltas > st->part_ndeltas) {
		last->items += items;
		last->unread += unread;
		last->starred += starred;
		return (0);
	}
	if (st->ndeltas == st->deltacap) {
		st->deltacap = st->deltacap == 0 ? 16 : st->deltacap * 2;
		st->deltas = xreallocarray(st->deltas, st->deltacap,
		    sizeof *st->deltas);
	}
	st->deltas[st->ndeltas++] = d;
	return (0);
}

/* Order ids. */
static int
store_id_cmp(const void *a, const void *b)
{
	const int64_t	*x = a, *y = b;

	return (*x < *y ? -1 : *x > *y);
}

/* Order counter changes by feed. */
static int
store_delta_cmp(const void *a, const void *b)
{
	const struct store_delta	*x = a, *y = b;

	return (x->feed_id < y->feed_id ? -1 : x->feed_id > y->feed_id);
}

/* Write the counter changes of this transaction, one update a feed. */
static int
store_counts_flush(struct store *st)
{
	struct store_delta	 d;
	size_t			 a, b;

	if (st->ndeltas > 1)
		qsort(st->deltas, st->ndeltas, sizeof *st->deltas,
		    store_delta_cmp);
	for (a = 0; a < st->ndeltas; a = b) {
		d = st->deltas[a];
		for (b = a + 1; b < st->ndeltas &&
		    st->deltas[b].feed_id == d.feed_id; b++) {
			d.items += st->deltas[b].items;
			d.unread += st->deltas[b].unread;
			d.starred += st->deltas[b].starred;
		}
		if ((d.items != 0 || d.unread != 0 || d.starred != 0) &&
		    store_counts_put(st, &d) != 0)
			return (-1);
	}
	st->ndeltas = 0;
	return (0);
}

/* Remember an item upserted in this transaction. */
static void
store_seen_add(struct store *st, int64_t feed_id, int64_t id)
{
	if (sqlite3_get_autocommit(st->db))
		return;	/* no transaction: no document to record */
	if (st->nseen == st->seencap) {
		st->seencap = st->seencap == 0 ? 64 : st->seencap * 2;
		st->seen = xreallocarray(st->seen, st->seencap,
		    sizeof *st->seen);
	}
	st->seen[st->nseen].feed_id = feed_id;
	st->seen[st->nseen].item_id = id;
	st->nseen++;
}

/* Has this feed had items upserted in this transaction? */
static int
store_seen_feed(struct store *st, int64_t feed_id)
{
	size_t	i;

	for (i = 0; i < st->nseen; i++)
		if (st->seen[i].feed_id == feed_id)
			return (1);
	return (0);
}

/* Order seen items by feed. */
static int
store_seen_cmp(const void *a, const void *b)
{
	const struct store_seen	*x = a, *y = b;

	if (x->feed_id != y->feed_id)
		return (x->feed_id < y->feed_id ? -1 : 1);
	return (x->item_id < y->item_id ? -1 : x->item_id > y->item_id);
}

/*
 * Is the recorded document of a feed the same as seen[a..b) (sorted, maybe
 * with repeats)?  -1 on error.
 */
static int
store_seen_same(struct store *st, size_t a, size_t b)
{
	sqlite3_stmt	*stmt = st->stmt[S_DOC_LIST];
	size_t		 i = a;
	int		 rc, same = 1;

	sqlite3_bind_int64(stmt, 1, st->seen[a].feed_id);
	while (same && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (i == b || sqlite3_column_int64(stmt, 0) !=
		    st->seen[i].item_id)
			same = 0;
		else
			while (i < b && st->seen[i].item_id ==
			    sqlite3_column_int64(stmt, 0))
				i++;
	}
	if (same && rc != SQLITE_DONE) {
		store_error(st, "reading document");
		sqlite3_reset(stmt);
		return (-1);
	}
	sqlite3_reset(stmt);
	return (same && i == b);
}

/*
 * Replace the recorded document of every feed upserted in this
 * transaction with the items it upserted, unless it did not change.
 */
static int
store_seen_flush(struct store *st)
{
	sqlite3_stmt	*del = st->stmt[S_DOC_DELETE];
	sqlite3_stmt	*ins = st->stmt[S_DOC_INSERT];
	size_t		 a, b, i;
	int		 same;

	if (st->nseen > 1)
		qsort(st->seen, st->nseen, sizeof *st->seen, store_seen_cmp);
	for (a = 0; a < st->nseen; a = b) {
		for (b = a + 1; b < st->nseen; b++)
			if (st->seen[b].feed_id != st->seen[a].feed_id)
				break;
		if ((same = store_seen_same(st, a, b)) == -1)
			return (-1);
		if (same)
			continue;
		sqlite3_bind_int64(del, 1, st->seen[a].feed_id);
		if (store_exec(st, S_DOC_DELETE, "recording document") != 0)
			return (-1);
		for (i = a; i < b; i++) {
			sqlite3_bind_int64(ins, 1, st->seen[i].feed_id);
			sqlite3_bind_int64(ins, 2, st->seen[i].item_id);
			if (store_exec(st, S_DOC_INSERT, "recording document")
			    != 0)
				return (-1);
		}
	}
	st->nseen = 0;
	return (0);
}

/* The id of a feed's item with this content hash, 0 if none, -1 error. */
static int64_t
store_item_by_hash(struct store *st, int64_t feed_id, int64_t hash)
{
	sqlite3_stmt	*stmt = st->stmt[S_ITEM_BY_HASH];
	int64_t		 id = 0;
	int		 rc;

	sqlite3_bind_int64(stmt, 1, feed_id);
	sqlite3_bind_int64(stmt, 2, hash);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE) {
		store_error(st, "finding item");
		id = -1;
	}
	sqlite3_reset(stmt);
	return (id);
}

/*
 * Items whose key is not stored may match a stored item of the feed by
 * content (store_item_upsert()): on for the polls of a feed that has
 * items and does not trust its guids (id=guid).  Returns how many items
 * matched since the last call.
 */
size_t
store_set_rekey(struct store *st, int on)
{
	size_t	n = st->rekeyed;

	st->rekey = on;
	st->rekeyed = 0;
	return (n);
}

/* Whether another feed has an item with this link: 1, 0, or -1. */
static int
store_item_dup(struct store *st, int64_t feed_id, const char *url)
{
	sqlite3_stmt	*stmt = st->stmt[S_ITEM_BY_LINK];

	sqlite3_bind_int64(stmt, 1, (int64_t)util_hash64(url, strlen(url),
	    0));
	sqlite3_bind_text(stmt, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, feed_id);
	return (store_step_exists(st, stmt, "finding a duplicate"));
}

/*
 * Whether a new item whose link another feed's item has is stored read
 * (dedupe=link): the same article reached through an aggregator and its
 * source is shown once.
 */
void
store_set_dedupe_links(struct store *st, int on)
{
	st->dedupe_links = on;
}

/* Whether new items' dates are junk: they sort by when first seen. */
void
store_set_junk_dates(struct store *st, int on)
{
	st->junk_dates = on;
}

/* Whether an item whose content changed becomes unread again. */
void
store_set_reunread(struct store *st, int on)
{
	st->reunread = on;
}

/*
 * Was the item stored with the same fields when a text summary was kept
 * as it came (escaped only if it had a "<"), before its line breaks became
 * <br>?  Then its hash is old and it did not change: 1, else 0.
 */
static int
store_summary_was(struct store *st, const char **fields, int64_t old)
{
	const char	*was[4], *p, *q;
	struct buf	 b, u;
	int		 same;

	if (fields[3] == NULL || strstr(fields[3], "<br>\n") == NULL)
		return (0);
	memset(&b, 0, sizeof b);
	memset(&u, 0, sizeof u);
	for (p = fields[3]; (q = strstr(p, "<br>\n")) != NULL; p = q + 5) {
		buf_add(&b, p, (size_t)(q - p));
		buf_addc(&b, '\n');
	}
	buf_adds(&b, p);
	/* Unescaped: it had no "<", so it was stored as it came. */
	for (p = b.data; *p != '\0'; p++) {
		if (strncmp(p, "&amp;", 5) == 0) {
			buf_addc(&u, '&');
			p += 4;
		} else if (strncmp(p, "&gt;", 4) == 0) {
			buf_addc(&u, '>');
			p += 3;
		} else
			buf_addc(&u, *p);
	}
	memcpy(was, fields, sizeof was);
	was[3] = strstr(b.data, "&lt;") != NULL ? b.data : u.data;
	same = old == (int64_t)store_content_hash(st, was);
	buf_free(&b);
	buf_free(&u);
	return (same);
}

/*
 * Insert or update one parsed item of a feed.  Returns STORE_NEW,
 * STORE_UPDATED (title, link, content or summary changed: every field is
 * rewritten, read and starred state and first_seen kept), STORE_SAME
 * (nothing written) or -1; the row id goes to *item_id.
 */
int
store_item_upsert(struct store *st, int64_t feed_id,
    const struct feed_item *item, int64_t now, int64_t *item_id)
{
	sqlite3_stmt			*stmt;
	const struct feed_attachment	*att = NULL;
	const char			*content, *ctype, *key, *name;
	const char			*fields[4];
	char				 hashkey[32];
	int64_t				 hash, old, id, date;
	size_t				 i;
	int				 rc, ret, known, dup = 0;

	if (item->content_html != NULL) {
		content = item->content_html;
		ctype = "html";
	} else if (item->content_text != NULL) {
		content = item->content_text;
		ctype = "text";
	} else
		content = ctype = NULL;

	/*
	 * What the reader sees decides "updated".  Dates are left out: some
	 * generators stamp every entry with the build time, and their items
	 * would otherwise be updated (and jump to the top) on every poll.
	 */
	fields[0] = item->title;
	fields[1] = item->url;
	fields[2] = content;
	fields[3] = item->summary;
	hash = (int64_t)store_content_hash(st, fields);

	/* The parser always sets id; else the parser's rule, item_key(). */
	key = item_key(item, hashkey, sizeof hashkey);

	stmt = st->stmt[S_ITEM_FIND];
	sqlite3_bind_int64(stmt, 1, feed_id);
	sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		known = sqlite3_column_type(stmt, 1) != SQLITE_NULL;
		old = sqlite3_column_int64(stmt, 1);
		sqlite3_reset(stmt);
		if (known && old != hash &&
		    (old == (int64_t)store_content_hash_fnv(fields) ||
		    store_summary_was(st, fields, old))) {
			/* Stored with the old hash, unchanged: rehash. */
			sqlite3_bind_int64(st->stmt[S_ITEM_REHASH], 1, id);
			sqlite3_bind_int64(st->stmt[S_ITEM_REHASH], 2, hash);
			if (store_exec(st, S_ITEM_REHASH, "rehashing item")
			    != 0)
				return (-1);
			old = hash;
		}
		if (known && old == hash) {
			store_seen_add(st, feed_id, id);
			if (item_id != NULL)
				*item_id = id;
			return (STORE_SAME);
		}
		stmt = st->stmt[S_ITEM_UPDATE];
		sqlite3_bind_int64(stmt, 14, id);
		sqlite3_bind_int64(stmt, 15, now);
		ret = STORE_UPDATED;
	} else if (rc == SQLITE_DONE && st->rekey &&
	    (id = store_item_by_hash(st, feed_id, hash)) != 0) {
		/*
		 * An item of this feed with the same title, link and content
		 * under another key: the guid changed, not the item.  It
		 * takes the new key and is not delivered again.
		 */
		sqlite3_reset(stmt);
		if (id < 0)
			return (-1);
		sqlite3_bind_int64(st->stmt[S_ITEM_REKEY], 1, id);
		sqlite3_bind_text(st->stmt[S_ITEM_REKEY], 2, key, -1,
		    SQLITE_STATIC);
		if (store_exec(st, S_ITEM_REKEY, "rekeying item") != 0)
			return (-1);
		st->rekeyed++;
		store_seen_add(st, feed_id, id);
		if (item_id != NULL)
			*item_id = id;
		return (STORE_SAME);
	} else if (rc == SQLITE_DONE) {
		sqlite3_reset(stmt);
		stmt = st->stmt[S_ITEM_INSERT];
		sqlite3_bind_int64(stmt, 14, feed_id);
		sqlite3_bind_text(stmt, 15, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 16, now);
		sqlite3_bind_int(stmt, 17, st->junk_dates);
		if (item->url != NULL && *item->url != '\0')
			sqlite3_bind_int64(stmt, 18, (int64_t)util_hash64(
			    item->url, strlen(item->url), 0));
		else
			sqlite3_bind_null(stmt, 18);
		id = 0;
		ret = STORE_NEW;
		/* dedupe=link: another feed brought this article already. */
		if (st->dedupe_links && item->url != NULL &&
		    *item->url != '\0' && (dup = store_item_dup(st, feed_id,
		    item->url)) < 0)
			return (-1);
	} else {
		store_error(st, "looking up item");
		sqlite3_reset(stmt);
		return (-1);
	}

	/* Known and unchanged items return above without this work. */
	buf_reset(&st->author);
	for (i = 0; i < item->nauthors; i++) {
		if ((name = item->authors[i].name) == NULL &&
		    (name = item->authors[i].email) == NULL)
			continue;
		if (st->author.len != 0)
			buf_adds(&st->author, ", ");
		buf_adds(&st->author, name);
	}
	buf_reset(&st->tags);
	for (i = 0; i < item->ntags; i++) {
		if (item->tags[i] == NULL)
			continue;
		if (st->tags.len != 0)
			buf_addc(&st->tags, '\n');
		buf_adds(&st->tags, item->tags[i]);
	}
	for (i = 0; i < item->nattachments; i++) {
		if (item->attachments[i].url != NULL) {
			att = &item->attachments[i];
			break;
		}
	}

	store_bind_text(stmt, 1, item->guid);
	store_bind_text(stmt, 2, item->url);
	store_bind_text(stmt, 3, item->title);
	store_bind_text(stmt, 4, st->author.len != 0 ? st->author.data : NULL);
	store_bind_text(stmt, 5, item->summary);
	store_bind_text(stmt, 6, content);
	store_bind_text(stmt, 7, ctype);
	store_bind_text(stmt, 8, st->tags.len != 0 ? st->tags.data : NULL);
	store_bind_text(stmt, 9, att != NULL ? att->url : NULL);
	store_bind_text(stmt, 10, att != NULL ? att->mime_type : NULL);
	if (att != NULL && att->size > 0)
		sqlite3_bind_int64(stmt, 19, att->size);
	else
		sqlite3_bind_null(stmt, 19);
	store_bind_date(stmt, 11, item->published);
	store_bind_date(stmt, 12, item->modified);
	sqlite3_bind_int64(stmt, 13, hash);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE) {
		store_error(st, ret == STORE_NEW ? "inserting item" :
		    "updating item");
		sqlite3_reset(stmt);
		return (-1);
	}
	sqlite3_reset(stmt);
	if (ret == STORE_NEW && dup) {
		/* Stored, read: the other feed's copy is the one shown. */
		id = sqlite3_last_insert_rowid(st->db);
		if (store_counts_add(st, feed_id, 1, 0, 0) != 0)
			return (-1);
	} else if (ret == STORE_NEW) {
		id = sqlite3_last_insert_rowid(st->db);
		stmt = st->stmt[S_UNREAD_ADD];
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, feed_id);
		/* The item's date (STORE_ITEM_DATE), first_seen being now. */
		date = item->published != DATE_NONE ? item->published :
		    item->modified != DATE_NONE ? item->modified : now;
		if (st->junk_dates)
			date = now;
		sqlite3_bind_int64(stmt, 3, date < now + 86400 ? date :
		    now + 86400);
		if (store_exec(st, S_UNREAD_ADD, "storing item") != 0 ||
		    store_counts_add(st, feed_id, 1, 1, 0) != 0)
			return (-1);
	} else {
		if (st->reunread) {
			/* updates=unread: a change makes it unread again. */
			stmt = st->stmt[S_UNREAD_ADD];
			sqlite3_bind_int64(stmt, 1, id);
			sqlite3_bind_int64(stmt, 2, feed_id);
			sqlite3_bind_int64(stmt, 3, now);
			if (store_exec(st, S_UNREAD_ADD, "updating item") != 0 ||
			    (sqlite3_changes(st->db) > 0 &&
			    store_counts_add(st, feed_id, 0, 1, 0) != 0))
				return (-1);
		}
		/* Its date may have changed: where it sorts if unread. */
		sqlite3_bind_int64(st->stmt[S_UNREAD_DATE], 1, id);
		if (store_exec(st, S_UNREAD_DATE, "updating item") != 0)
			return (-1);
	}
	if (ret != STORE_NEW) {
		sqlite3_bind_int64(st->stmt[S_TEXT_ENSURE], 1, id);
		if (store_exec(st, S_TEXT_ENSURE, "storing item content") != 0)
			return (-1);
	}
	stmt = st->stmt[ret == STORE_NEW ? S_TEXT_PUT : S_TEXT_SET];
	sqlite3_bind_int64(stmt, 1, id);
	store_bind_text(stmt, 2, content);
	if (store_exec(st, ret == STORE_NEW ? S_TEXT_PUT : S_TEXT_SET,
	    "storing item content") != 0)
		return (-1);
	store_seen_add(st, feed_id, id);
	if (item_id != NULL)
		*item_id = id;
	return (dup ? STORE_SAME : ret);
}

/* Make room for one more bound value. */
static struct store_bind *
store_sqlb_next(struct store_sqlb *sb)
{
	struct store_bind	*b;

	if (sb->n == sb->cap) {
		sb->cap = sb->cap == 0 ? 16 : sb->cap * 2;
		sb->b = xreallocarray(sb->b, sb->cap, sizeof *sb->b);
	}
	b = &sb->b[sb->n++];
	memset(b, 0, sizeof *b);
	buf_printf(&sb->sql, "?%d", sb->n);
	return (b);
}

/* Append a bound integer parameter. */
static void
store_sqlb_int(struct store_sqlb *sb, int64_t v)
{
	store_sqlb_next(sb)->v = v;
}

/* Append a bound text parameter (copied). */
static void
store_sqlb_text(struct store_sqlb *sb, const char *s)
{
	struct store_bind	*b = store_sqlb_next(sb);

	b->text = 1;
	b->s = xstrdup(s);
}

/* A JSON array of ids, for json_each(). */
static char *
store_json_ids(const int64_t *ids, size_t n)
{
	struct buf	b = { 0 };
	size_t		i;

	buf_addc(&b, '[');
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%" PRId64, i == 0 ? "" : ",", ids[i]);
	buf_addc(&b, ']');
	return (b.data);
}

/*
 * Append the right-hand side of an IN: "(?1,?2,...)" for a short list (the
 * planner then uses the indexes), a json_each() subquery for a long one.
 */
static void
store_sqlb_ids(struct store_sqlb *sb, const int64_t *ids, size_t n)
{
	struct store_bind	*b;
	size_t			 i;

	if (n > STORE_MAX_INLIST) {
		buf_adds(&sb->sql, "(SELECT value FROM json_each(");
		b = store_sqlb_next(sb);
		b->text = 1;
		b->s = store_json_ids(ids, n);
		buf_adds(&sb->sql, "))");
		return;
	}
	buf_addc(&sb->sql, '(');
	for (i = 0; i < n; i++) {
		if (i != 0)
			buf_addc(&sb->sql, ',');
		store_sqlb_int(sb, ids[i]);
	}
	buf_addc(&sb->sql, ')');
}

/* Free what a query under construction holds. */
static void
store_sqlb_free(struct store_sqlb *sb)
{
	int	i;

	for (i = 0; i < sb->n; i++)
		free(sb->b[i].s);
	free(sb->b);
	buf_free(&sb->sql);
	memset(sb, 0, sizeof *sb);
}

/*
 * A prepared statement for the built query, from the cache when the same
 * SQL ran before, with its values bound.  *cached says whether to give it
 * back with store_sqlb_release() (reset) or finalize it.  NULL and the
 * error set on failure.
 */
static sqlite3_stmt *
store_sqlb_prepare(struct store *st, struct store_sqlb *sb, int *cached)
{
	sqlite3_stmt	*stmt = NULL;
	int		 i, slot = -1;

	/*
	 * A statement still stepping (a callback calling back into the
	 * store) is neither reused nor evicted.  An empty slot has used 0,
	 * so it is taken before any other.
	 */
	*cached = 0;
	for (i = 0; i < STORE_CACHE; i++) {
		if (st->cache[i].stmt != NULL &&
		    sqlite3_stmt_busy(st->cache[i].stmt))
			continue;
		if (st->cache[i].sql != NULL &&
		    strcmp(st->cache[i].sql, sb->sql.data) == 0) {
			stmt = st->cache[i].stmt;
			sqlite3_clear_bindings(stmt);
			st->cache[i].used = ++st->tick;
			*cached = 1;
			break;
		}
		if (slot == -1 || st->cache[i].used < st->cache[slot].used)
			slot = i;
	}
	if (stmt == NULL) {
		if (sqlite3_prepare_v3(st->db, sb->sql.data, -1,
		    SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK) {
			store_error(st, "preparing query");
			return (NULL);
		}
		if (slot != -1) {
			sqlite3_finalize(st->cache[slot].stmt);
			free(st->cache[slot].sql);
			st->cache[slot].sql = xstrdup(sb->sql.data);
			st->cache[slot].stmt = stmt;
			st->cache[slot].used = ++st->tick;
			*cached = 1;
		}
	}
	for (i = 0; i < sb->n; i++) {
		if (sb->b[i].text)
			sqlite3_bind_text(stmt, i + 1, sb->b[i].s, -1,
			    SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(stmt, i + 1, sb->b[i].v);
	}
	return (stmt);
}

/* Give back a statement from store_sqlb_prepare(). */
static void
store_sqlb_release(sqlite3_stmt *stmt, int cached)
{
	if (cached)
		sqlite3_reset(stmt);
	else
		sqlite3_finalize(stmt);
}

/* Is the string empty or only whitespace? */
static int
store_blank(const char *s)
{
	if (s == NULL)
		return (1);
	while (isspace((unsigned char)*s))
		s++;
	return (*s == '\0');
}

/*
 * Turn free text into an FTS5 query that always parses: every
 * whitespace-separated word becomes a "quoted" string (quotes doubled), so
 * "foo-bar" finds the phrase foo bar and AND/OR/NEAR are plain words.
 */
static char *
store_fts_quote(const char *s)
{
	struct buf	b = { 0 };

	buf_adds(&b, "");
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		if (b.len != 0)
			buf_addc(&b, ' ');
		buf_addc(&b, '"');
		for (; *s != '\0' && !isspace((unsigned char)*s); s++) {
			if (*s == '"')
				buf_addc(&b, '"');
			buf_addc(&b, *s);
		}
		buf_addc(&b, '"');
	}
	return (b.data);
}

/*
 * An item's date (STORE_ITEM_DATE) and its id: of the unread set ("u")
 * when that drives the query (unread items of any feed: the same values,
 * kept by store.c, with an index of their own), else of the item ("i").
 */
#define STORE_UDRIVE(q)	((q)->unread && (q)->nfeed_ids == 0)
#define STORE_DATE(q) \
	(STORE_UDRIVE(q) ? "u.date" : \
	STORE_ITEM_DATE_I)
#define STORE_ID(q)	(STORE_UDRIVE(q) ? "u.id" : "i.id")

/*
 * Append the FROM and WHERE clauses selecting what q asks for, with the
 * FTS5 query search (q->search or its quoted form).  The items are "i",
 * their feeds "f".
 */
static void	store_sqlb_conds(struct store_sqlb *, const struct store_query *,
	    const char *);

static void
store_sqlb_where(struct store_sqlb *sb, const struct store_query *q,
    const char *search)
{
	struct buf	*s = &sb->sql;

	if (search != NULL && q->rank) {
		/* By relevance: the index drives, its rank orders. */
		buf_printf(s, " FROM items_fts JOIN items i"
		    " ON i.id = items_fts.rowid%s"
		    " JOIN feeds f ON f.id = i.feed_id WHERE items_fts MATCH ",
		    q->unread ? " JOIN unread u ON u.id = i.id" : "");
		store_sqlb_text(sb, search);
		search = NULL;
	} else if (q->unread && q->nfeed_ids != 0) {
		/*
		 * Unread items of some feeds: their items drive, by the feed
		 * index, and the unread set says which are unread.
		 */
		buf_adds(s, " FROM items i CROSS JOIN unread u ON u.id = i.id"
		    " JOIN feeds f ON f.id = i.feed_id WHERE 1");
	} else if (q->unread && q->by_id) {
		/*
		 * Unread by id: the unread set drives in the order of its
		 * rowid, the item's id; its date index would need a sort.
		 */
		buf_adds(s, " FROM unread u CROSS JOIN items i ON i.id = u.id"
		    " JOIN feeds f ON f.id = i.feed_id WHERE 1");
	} else if (q->unread) {
		/*
		 * Unread: the unread set drives, by its date index (u.date is
		 * the item's date, see STORE_DATE).  Left to itself the
		 * planner walks the items by id (the cursor is a range of
		 * ids) and sorts them all: 110 ms for the first 20 of 350,000
		 * instead of 2.
		 */
		buf_adds(s, " FROM unread u INDEXED BY unread_time"
		    " CROSS JOIN items i ON i.id = u.id"
		    " JOIN feeds f ON f.id = i.feed_id WHERE 1");
	} else if (search != NULL && q->nfeed_ids == 0 && q->nids == 0 &&
	    !q->by_id) {
		/*
		 * By date: walk the date index newest first and keep the ids
		 * the index matched, so a page of a common word stops after
		 * a few hundred rows (6 ms for 20 of 62,917 hits on 350k
		 * items) and a rare word costs a pass over the index, not
		 * the table.  Left to itself the planner looks up every hit
		 * in the items table and sorts them all (58 ms).
		 */
		buf_adds(s, " FROM items i INDEXED BY items_time"
		    " JOIN feeds f ON f.id = i.feed_id WHERE 1");
	} else
		buf_adds(s, " FROM items i JOIN feeds f ON f.id = i.feed_id"
		    " WHERE 1");
	store_sqlb_conds(sb, q, search);
}

/*
 * Append " AND ..." for each filter of q on the items "i" (and their
 * feeds "f" for a tag), search being the FTS5 query or NULL.
 */
static void
store_sqlb_conds(struct store_sqlb *sb, const struct store_query *q,
    const char *search)
{
	struct buf	*s = &sb->sql;

	if (q->starred)
		buf_adds(s, " AND i.starred = 1");
	/*
	 * Not starred: the few starred ids, listed once by items_starred,
	 * are left out of whatever walk the order chose (a date or id
	 * index), which stops at the limit.  Written "i.starred = 0", it
	 * made SQLite build a Bloom filter over every item first: 100 ms
	 * for a page of the unread among 350,000 items, instead of 3.
	 */
	if (q->unstarred)
		buf_printf(s, " AND %s NOT IN (SELECT id FROM items"
		    " INDEXED BY items_starred WHERE starred = 1)",
		    STORE_ID(q));
	if (q->read)
		buf_adds(s, " AND NOT EXISTS (SELECT 1 FROM unread r"
		    " WHERE r.id = i.id)");
	if (q->updated)
		buf_adds(s, " AND i.unseen_change = 1");
	if (q->feed_ids != NULL && q->nfeed_ids != 0) {
		buf_adds(s, " AND i.feed_id IN ");
		store_sqlb_ids(sb, q->feed_ids, q->nfeed_ids);
	}
	if (!store_blank(q->tag)) {
		buf_adds(s, " AND " STORE_TAG_MATCH);
		store_sqlb_text(sb, store_tag(q->tag));
		buf_adds(s, ") || char(10)) > 0");
	}
	if (q->no_hidden && q->unread)
		/*
		 * On the unread set's row, before its item is read: when
		 * most unread items are hidden, `new` skips them for the
		 * price of an index entry (5.8 ms to 1.4 for a page of 100
		 * among 100,000, 99% hidden).  The hidden feeds are
		 * looked up once a query.
		 */
		buf_adds(s, " AND u.feed_id NOT IN (SELECT id FROM feeds"
		    " WHERE " STORE_HIDDEN ")");
	else if (q->no_hidden)
		buf_adds(s, STORE_NOT_HIDDEN);
	if (q->since != 0) {
		buf_printf(s, " AND %s >= ", STORE_DATE(q));
		store_sqlb_int(sb, q->since);
	}
	if (q->until != 0) {
		buf_printf(s, " AND %s < ", STORE_DATE(q));
		store_sqlb_int(sb, q->until);
	}
	if (search != NULL) {
		buf_printf(s, " AND %s IN (SELECT rowid FROM items_fts"
		    " WHERE items_fts MATCH ", STORE_ID(q));
		store_sqlb_text(sb, search);
		buf_adds(s, ")");
	}
	if (q->ids != NULL && q->nids != 0) {
		buf_printf(s, " AND %s IN ", STORE_ID(q));
		store_sqlb_ids(sb, q->ids, q->nids);
	}
	if (q->max_id != 0) {
		buf_printf(s, " AND %s <= ", STORE_ID(q));
		store_sqlb_int(sb, q->max_id);
	}
	if (q->after_id != 0) {
		buf_printf(s, " AND %s > ", STORE_ID(q));
		store_sqlb_int(sb, q->after_id);
	}
}

/* Append ORDER BY and LIMIT/OFFSET. */
static void
store_sqlb_order(struct store_sqlb *sb, const struct store_query *q)
{
	const char	*dir = q->oldest_first ? "ASC" : "DESC";

	if (q->rank && !store_blank(q->search))
		buf_printf(&sb->sql, " ORDER BY items_fts.rank, i.id %s", dir);
	else if (q->by_id)
		/* The rowid of the table that drives: no sort. */
		buf_printf(&sb->sql, " ORDER BY %s %s", STORE_ID(q), dir);
	else
		buf_printf(&sb->sql, " ORDER BY %s %s, %s %s", STORE_DATE(q),
		    dir, STORE_ID(q), dir);
	if (q->limit > 0 || q->offset > 0) {
		buf_adds(&sb->sql, " LIMIT ");
		store_sqlb_int(sb, q->limit > 0 ? q->limit : -1);
		buf_adds(&sb->sql, " OFFSET ");
		store_sqlb_int(sb, q->offset > 0 ? q->offset : 0);
	}
}

/*
 * An untitled item's excerpt (render_item_title() names it by its first
 * words), borrowed until S_ITEM_EXCERPT is reset.  Looked up apart, for
 * the few untitled items: testing every row in the listing's SQL cost 4%
 * of a `--json new` of 350,000 items.
 */
static void
store_item_excerpt(struct store *st, struct store_item *it)
{
	sqlite3_stmt	*stmt = st->stmt[S_ITEM_EXCERPT];

	if (it->title != NULL && it->title[strspn(it->title, " \t\r\n")] !=
	    '\0')
		return;
	sqlite3_bind_int64(stmt, 1, it->id);
	sqlite3_bind_int(stmt, 2, RENDER_EXCERPT);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		it->excerpt = store_column_str(stmt, 0);
}

/* Fill an item from a row of store_items()'s query (borrowed strings). */
static void
store_item_fill(sqlite3_stmt *stmt, struct store_item *it)
{
	memset(it, 0, sizeof *it);
	it->id = sqlite3_column_int64(stmt, 0);
	it->feed_id = sqlite3_column_int64(stmt, 1);
	it->feed_title = store_column_str(stmt, 2);
	it->feed_url = store_column_str(stmt, 3);
	it->guid = store_column_str(stmt, 4);
	it->url = store_column_str(stmt, 5);
	it->title = store_column_str(stmt, 6);
	it->author = store_column_str(stmt, 7);
	it->summary = store_column_str(stmt, 8);
	it->content = store_column_str(stmt, 9);
	it->tags = store_column_str(stmt, 10);
	it->enclosure_url = store_column_str(stmt, 11);
	it->enclosure_type = store_column_str(stmt, 12);
	it->published = store_column_date(stmt, 13);
	it->updated = store_column_date(stmt, 14);
	it->first_seen = sqlite3_column_int64(stmt, 15);
	it->read = sqlite3_column_int(stmt, 16);
	it->starred = sqlite3_column_int(stmt, 17);
	it->update_count = sqlite3_column_int64(stmt, 18);
	it->changed = store_column_date(stmt, 19);
	it->junk_date = sqlite3_column_int(stmt, 20);
	it->content_type = store_column_str(stmt, 21);
	it->enclosure_length = sqlite3_column_int64(stmt, 22);
}

/*
 * Whether a '!' tag hides any feed from `new` (an index probe): `new`
 * filters only then.  1, 0, or -1 on an error.
 */
int
store_any_hidden(struct store *st)
{
	return (store_step_exists(st, st->stmt[S_ANY_HIDDEN], "hidden"));
}

/*
 * Call cb for every item q selects, in its order; content only when asked.
 * A non-zero return from cb stops.  Returns the number of items delivered
 * or -1.  A search that is not valid FTS5 syntax is retried once as plain
 * quoted words.
 */
int
store_items(struct store *st, const struct store_query *q, int with_content,
    store_item_cb cb, void *arg)
{
	struct store_sqlb	 sb;
	struct store_item	 it;
	sqlite3_stmt		*stmt;
	const char		*search;
	char			*quoted = NULL;
	int			 rc, n, stop, retry, cached;

	search = store_blank(q->search) ? NULL : q->search;
	for (retry = 0;; retry++) {
		memset(&sb, 0, sizeof sb);
		buf_printf(&sb.sql, "SELECT i.id, i.feed_id,"
		    " COALESCE(f.conf_title, f.title, f.url), f.url, i.guid,"
		    " i.url, i.title, i.author, i.summary, %s, i.tags,"
		    " i.enclosure_url, i.enclosure_type, i.published,"
		    " i.updated, i.first_seen, %s, i.starred,"
		    " i.update_count, i.changed, i.junk_date, %s,"
		    " i.enclosure_length",
		    with_content ? "(SELECT t.content FROM item_text t"
		    " WHERE t.id = i.id)" : "NULL", q->unread ? "0" :
		    "NOT EXISTS (SELECT 1 FROM unread r WHERE r.id = i.id)",
		    with_content ? "i.content_type" : "NULL");
		store_sqlb_where(&sb, q, search);
		store_sqlb_order(&sb, q);
		stmt = store_sqlb_prepare(st, &sb, &cached);
		store_sqlb_free(&sb);
		if (stmt == NULL) {
			free(quoted);
			return (-1);
		}

		n = stop = 0;
		while (!stop && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			store_item_fill(stmt, &it);
			store_item_excerpt(st, &it);
			n++;
			stop = cb(&it, arg);
			sqlite3_reset(st->stmt[S_ITEM_EXCERPT]);
		}
		if (stop || rc == SQLITE_DONE)
			break;
		if (search != NULL && n == 0 && retry == 0 &&
		    rc == SQLITE_ERROR) {
			store_sqlb_release(stmt, cached);
			search = quoted = store_fts_quote(q->search);
			continue;
		}
		store_error(st, search != NULL ? "search" : "items");
		store_sqlb_release(stmt, cached);
		free(quoted);
		return (-1);
	}
	store_sqlb_release(stmt, cached);
	free(quoted);
	return (n);
}

/*
 * How many items q selects (its limit, offset and order aside), in how
 * many feeds.  When q asks only for unread, starred or all items of some
 * or all feeds (by id or tag) up to the newest item, the answer comes from
 * the feeds' counters and costs a pass over the feed table, not the
 * items; a search with no other filter is counted by the index alone
 * (*feeds is then -1: unknown); otherwise it is counted (a search against
 * what is indexed).
 * Returns 0, or -1 on error.
 */
int
store_count(struct store *st, const struct store_query *q, int64_t *items,
    int64_t *feeds)
{
	struct store_sqlb	 sb;
	sqlite3_stmt		*stmt;
	const char		*col, *join = "", *search;
	char			*quoted = NULL;
	int			 rc, retry, cached;

	/*
	 * Not starred: the items less the starred ones, and the unread less
	 * the unread starred ones, counted by feed from the few starred
	 * items (items_starred).
	 */
	col = q->read || (q->starred && q->unstarred) ? NULL :
	    q->unread ? (q->starred ? NULL : q->unstarred ?
	    "(f.unread_count - COALESCE(s.k, 0))" : "f.unread_count") :
	    q->starred ? "f.starred_count" :
	    q->unstarred ? "(f.item_count - f.starred_count)" :
	    "f.item_count";
	if (q->unread && q->unstarred)
		join = " LEFT JOIN (SELECT i.feed_id, count(*) AS k"
		    " FROM items i INDEXED BY items_starred"
		    " WHERE i.starred = 1 AND EXISTS"
		    " (SELECT 1 FROM unread r WHERE r.id = i.id)"
		    " GROUP BY i.feed_id) s ON s.feed_id = f.id";
	search = store_blank(q->search) ? NULL : q->search;
	for (retry = 0;; retry++) {
		memset(&sb, 0, sizeof sb);
		if (col != NULL && search == NULL && q->since == 0 &&
		    q->until == 0 && q->nids == 0 && q->after_id == 0 &&
		    (q->max_id == 0 || q->max_id >= store_max_item_id(st))) {
			buf_printf(&sb.sql, "SELECT COALESCE(sum(%s), 0),"
			    " count(*) FROM feeds f%s WHERE %s > 0", col, join,
			    col);
			if (q->feed_ids != NULL && q->nfeed_ids != 0) {
				buf_adds(&sb.sql, " AND f.id IN ");
				store_sqlb_ids(&sb, q->feed_ids, q->nfeed_ids);
			}
			if (!store_blank(q->tag)) {
				buf_adds(&sb.sql, " AND " STORE_TAG_MATCH);
				store_sqlb_text(&sb, store_tag(q->tag));
				buf_adds(&sb.sql, ") || char(10)) > 0");
			}
			if (q->no_hidden)
				buf_adds(&sb.sql, STORE_NOT_HIDDEN);
		} else if (search != NULL && !q->unread && !q->starred &&
		    !q->unstarred &&
		    q->nfeed_ids == 0 && store_blank(q->tag) && !q->no_hidden &&
		    q->since == 0 && q->until == 0 && q->nids == 0) {
			/* Hits alone: the index counts them, feeds unknown. */
			buf_adds(&sb.sql, "SELECT count(*), -1 FROM items_fts"
			    " WHERE items_fts MATCH ");
			store_sqlb_text(&sb, search);
			if (q->max_id != 0) {
				buf_adds(&sb.sql, " AND rowid <= ");
				store_sqlb_int(&sb, q->max_id);
			}
			if (q->after_id != 0) {
				buf_adds(&sb.sql, " AND rowid > ");
				store_sqlb_int(&sb, q->after_id);
			}
		} else {
			buf_adds(&sb.sql, "SELECT count(*),"
			    " count(DISTINCT i.feed_id)");
			store_sqlb_where(&sb, q, search);
		}
		stmt = store_sqlb_prepare(st, &sb, &cached);
		store_sqlb_free(&sb);
		if (stmt == NULL) {
			free(quoted);
			return (-1);
		}
		if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			break;
		if (search != NULL && retry == 0 && rc == SQLITE_ERROR) {
			store_sqlb_release(stmt, cached);
			search = quoted = store_fts_quote(q->search);
			continue;
		}
		store_error(st, "count");
		store_sqlb_release(stmt, cached);
		free(quoted);
		return (-1);
	}
	*items = sqlite3_column_int64(stmt, 0);
	*feeds = sqlite3_column_int64(stmt, 1);
	store_sqlb_release(stmt, cached);
	free(quoted);
	return (0);
}

/*
 * The FROM and WHERE of the items a mark applies to, and their order and
 * limit when it has one (a mark of the first N only).
 */
static void
store_sqlb_marked(struct store_sqlb *sb, const struct store_query *q,
    const char *search)
{
	store_sqlb_where(sb, q, search);
	if (q->limit > 0 || q->offset > 0)
		store_sqlb_order(sb, q);
}

/*
 * Mark read every item q selects when that is every item there is (no
 * filter, up to the newest item): empty the unread set, which SQLite does
 * by dropping its pages (milliseconds for 350,000 items, where deleting
 * them one by one took most of a second), and zero the counters.
 * Returns how many were unread, 0 when q asks for less than everything
 * (or nothing was unread), (size_t)-1 on error.
 */
static size_t
store_mark_all_read(struct store *st, const struct store_query *q)
{
	int64_t	n;

	if (q->unread || q->read || q->starred || q->unstarred ||
	    q->nfeed_ids != 0 ||
	    q->no_hidden ||
	    !store_blank(q->tag) || q->since != 0 || q->until != 0 ||
	    !store_blank(q->search) || q->nids != 0 || q->after_id != 0 ||
	    q->limit > 0 || q->offset > 0 ||
	    (q->max_id != 0 && q->max_id < store_max_item_id(st)))
		return (0);
	if ((n = store_step_int(st, S_UNREAD_COUNT, -1, "mark")) <= 0)
		return (n < 0 ? (size_t)-1 : 0);
	if (store_exec(st, S_UNREAD_CLEAR, "mark") != 0 ||
	    store_exec(st, S_UNREAD_ZERO, "mark") != 0 ||
	    store_exec(st, S_UNSEEN_CLEAR, "mark") != 0)
		return ((size_t)-1);
	return ((size_t)n);
}

/*
 * Read marks see the changes of what they mark: their items leave
 * items --updated (the few flagged rows, through items_unseen).
 */
static int
store_mark_seen(struct store *st, const struct store_query *q,
    const char *search)
{
	struct store_sqlb	 sb;
	sqlite3_stmt		*stmt;
	int			 rc, cached;

	memset(&sb, 0, sizeof sb);
	buf_adds(&sb.sql, "UPDATE items SET unseen_change = 0"
	    " WHERE unseen_change = 1 AND id IN (SELECT i.id");
	store_sqlb_marked(&sb, q, search);
	buf_adds(&sb.sql, ")");
	stmt = store_sqlb_prepare(st, &sb, &cached);
	store_sqlb_free(&sb);
	if (stmt == NULL)
		return (-1);
	rc = sqlite3_step(stmt);
	store_sqlb_release(stmt, cached);
	if (rc != SQLITE_DONE) {
		store_error(st, "mark");
		return (-1);
	}
	return (0);
}

/*
 * Apply op to every item q selects (limit, offset and order count only
 * when a limit or offset is given).  Returns the number of items whose
 * state changed, or -1.
 */
int64_t
store_mark(struct store *st, const struct store_query *q,
    enum store_mark_op op)
{
	struct store_sqlb	 sb;
	sqlite3_stmt		*stmt;
	const char		*set, *search;
	char			*quoted = NULL;
	int64_t			*feeds = NULL, du = 0, ds = 0;
	size_t			 n = 0, cap = 0, i, j;
	int			 rc, retry, cached, own;

	switch (op) {
	case STORE_MARK_READ:
		set = NULL;
		du = -1;
		break;
	case STORE_MARK_UNREAD:
		set = NULL;
		du = 1;
		break;
	case STORE_MARK_STAR:
		set = "starred = 1 WHERE starred <> 1";
		ds = 1;
		break;
	case STORE_MARK_UNSTAR:
		set = "starred = 0 WHERE starred <> 0";
		ds = -1;
		break;
	default:
		store_errorx(st, "mark: unknown operation %d", (int)op);
		return (-1);
	}

	/* The counters change with the items: one transaction. */
	if ((own = sqlite3_get_autocommit(st->db)) && store_begin(st) != 0)
		return (-1);
	search = store_blank(q->search) ? NULL : q->search;
	if (search != NULL && store_index(st, 0) == -1)
		log_warnx("%s", store_errmsg(st));	/* search what is indexed */
	if (op == STORE_MARK_READ && (n = store_mark_all_read(st, q)) != 0) {
		if (n == (size_t)-1)
			goto fail;
		if (own && store_commit(st) != 0)
			goto fail;
		return ((int64_t)n);
	}
	for (retry = 0;; retry++) {
		memset(&sb, 0, sizeof sb);
		/*
		 * OR FAIL: an UPDATE that may abort halfway needs a statement
		 * journal inside a transaction, a copy of every page it
		 * changes (350 MiB of memory for read --all on 350,000
		 * items).  Nothing here can fail halfway on a constraint.
		 * Filters on the items alone go straight into the WHERE; a
		 * tag, a search, unread, a limit or an offset select the ids
		 * first.
		 */
		if (op == STORE_MARK_READ) {
			/* Read: out of the unread set. */
			buf_adds(&sb.sql, "DELETE FROM unread WHERE id IN"
			    " (SELECT i.id");
			store_sqlb_marked(&sb, q, search);
			buf_adds(&sb.sql, ")");
		} else if (op == STORE_MARK_UNREAD) {
			/* Unread: into it, with the date it sorts by. */
			buf_adds(&sb.sql, "INSERT OR IGNORE INTO unread"
			    " (id, feed_id, date) SELECT i.id, i.feed_id,"
			    " " STORE_ITEM_DATE_I);
			store_sqlb_marked(&sb, q, search);
		} else if (search == NULL && store_blank(q->tag) &&
		    !q->no_hidden && !q->unread && q->limit <= 0 &&
		    q->offset <= 0) {
			buf_printf(&sb.sql, "UPDATE OR FAIL items AS i SET %s",
			    set);
			store_sqlb_conds(&sb, q, NULL);
		} else {
			buf_printf(&sb.sql, "UPDATE OR FAIL items SET %s AND"
			    " id IN (SELECT i.id", set);
			store_sqlb_marked(&sb, q, search);
			buf_adds(&sb.sql, ")");
		}
		buf_adds(&sb.sql, " RETURNING feed_id");
		stmt = store_sqlb_prepare(st, &sb, &cached);
		store_sqlb_free(&sb);
		if (stmt == NULL)
			goto fail;
		n = 0;
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			if (n == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				feeds = xreallocarray(feeds, cap,
				    sizeof *feeds);
			}
			feeds[n++] = sqlite3_column_int64(stmt, 0);
		}
		if (rc == SQLITE_DONE)
			break;
		if (search != NULL && retry == 0 && n == 0 &&
		    rc == SQLITE_ERROR) {
			store_sqlb_release(stmt, cached);
			search = quoted = store_fts_quote(q->search);
			continue;
		}
		store_error(st, "mark");
		store_sqlb_release(stmt, cached);
		goto fail;
	}
	store_sqlb_release(stmt, cached);
	if (op == STORE_MARK_READ && store_mark_seen(st, q, search) != 0)
		goto fail;

	/* Each changed item moves its feed's unread or starred count. */
	if (n > 1)
		qsort(feeds, n, sizeof *feeds, store_id_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && feeds[j] == feeds[i]; j++)
			;
		if (store_counts_add(st, feeds[i], 0, du * (int64_t)(j - i),
		    ds * (int64_t)(j - i)) != 0)
			goto fail;
	}
	if (own && store_commit(st) != 0)
		goto fail;
	free(feeds);
	free(quoted);
	return ((int64_t)n);

fail:
	if (own)
		store_rollback(st);
	free(feeds);
	free(quoted);
	return (-1);
}

/* The last item id search has indexed, -1 on error. */
static int64_t
store_index_upto(struct store *st)
{
	return (store_step_int(st, S_INDEX_UPTO, -1, "search index state"));
}

/*
 * About how many items search has not indexed yet (an upper bound: ids of
 * deleted items count), -1 on error.
 */
int64_t
store_index_behind(struct store *st)
{
	int64_t	upto, max;

	if ((upto = store_index_upto(st)) < 0)
		return (-1);
	max = store_max_item_id(st);
	return (max > upto ? max - upto : 0);
}

/*
 * Add up to max items (all when max <= 0) that search has not indexed yet
 * to the index, oldest first, in a transaction of its own, or in the one
 * open.  Returns the number of items indexed (0: nothing pending), or -1.
 */
int64_t
store_index(struct store *st, int64_t max)
{
	sqlite3_stmt	*stmt;
	int64_t		 upto, next = 0;
	int		 own, rc;

	if ((own = sqlite3_get_autocommit(st->db)) &&
	    store_exec(st, S_BEGIN, "begin indexing") != 0)
		return (-1);
	if ((upto = store_index_upto(st)) == -1)
		goto fail;
	stmt = st->stmt[S_INDEX_NEXT];
	sqlite3_bind_int64(stmt, 1, upto);
	sqlite3_bind_int64(stmt, 2, max > 0 ? max : INT64_MAX);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		next = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW) {
		store_error(st, "search index");
		goto fail;
	}
	if (next <= upto) {	/* NULL: nothing pending */
		if (own)
			store_exec(st, S_COMMIT, "commit indexing");
		return (0);
	}
	stmt = st->stmt[S_INDEX_ADD];
	sqlite3_bind_int64(stmt, 1, upto);
	sqlite3_bind_int64(stmt, 2, next);
	if (store_exec(st, S_INDEX_ADD, "search index") != 0)
		goto fail;
	sqlite3_bind_int64(st->stmt[S_INDEX_SET], 1, next);
	if (store_exec(st, S_INDEX_SET, "search index state") != 0)
		goto fail;
	if (own && store_exec(st, S_COMMIT, "commit indexing") != 0)
		goto fail;
	return (next - upto);	/* ids: an upper bound when some were deleted */

fail:
	if (own)
		store_rollback(st);
	return (-1);
}

/* The highest item id, 0 when there are none (or on error). */
int64_t
store_max_item_id(struct store *st)
{
	return (store_step_int(st, S_MAX_ID, 0, "max item id"));
}

/*
 * Delete the items of a feed past the newest keep_items, and those first
 * seen more than keep_age seconds before now (0: no such limit).  With
 * keep_unread, unread and starred items stay.  The items of the feed's
 * document always stay, or the next poll would bring them back as new:
 * those upserted in this transaction if any, else those of the last
 * committed poll (feed_doc), so a 304 poll prunes safely too.  Returns the
 * number deleted, or -1.
 */
int
store_prune(struct store *st, int64_t feed_id, int64_t keep_items,
    int64_t keep_age, int keep_unread, int64_t now)
{
	sqlite3_stmt	*stmt = st->stmt[S_PRUNE];
	struct buf	 b = { 0 };
	int64_t		 n = 0, unread = 0, starred = 0;
	size_t		 i;
	int		 rc;

	if (keep_items <= 0 && keep_age <= 0)
		return (0);
	buf_addc(&b, '[');
	for (i = 0; i < st->nseen; i++) {
		if (st->seen[i].feed_id != feed_id)
			continue;
		if (b.len > 1)
			buf_addc(&b, ',');
		buf_printf(&b, "%" PRId64, st->seen[i].item_id);
	}
	buf_addc(&b, ']');

	sqlite3_bind_int64(stmt, 1, feed_id);
	sqlite3_bind_int64(stmt, 2, keep_items > 0 ? keep_items : 0);
	sqlite3_bind_int64(stmt, 3, keep_age > 0 ? keep_age : 0);
	sqlite3_bind_int(stmt, 4, keep_unread != 0);
	sqlite3_bind_int64(stmt, 5, now);
	sqlite3_bind_text(stmt, 6, b.data, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 7, store_seen_feed(st, feed_id));
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		n++;
		unread += sqlite3_column_int(stmt, 0) == 0;
		starred += sqlite3_column_int(stmt, 1) != 0;
	}
	sqlite3_reset(stmt);
	buf_free(&b);
	if (rc != SQLITE_DONE) {
		store_error(st, "prune");
		return (-1);
	}
	if (n > 0 && store_counts_add(st, feed_id, -n, -unread, -starred) != 0)
		return (-1);
	return ((int)n);
}

/*
 * The counters of every feed, counted again from the items and the unread
 * set, each grouped in one pass (a count per feed of the unread set, which
 * has no feed index, would scan it once a feed).
 */
#define STORE_RECOUNT \
	"UPDATE feeds SET item_count = 0, unread_count = 0, starred_count = 0;" \
	"UPDATE feeds SET item_count = c.n, starred_count = c.s FROM" \
	" (SELECT feed_id, count(*) AS n, sum(starred <> 0) AS s FROM items" \
	" GROUP BY feed_id) AS c WHERE c.feed_id = feeds.id;" \
	"UPDATE feeds SET unread_count = c.n FROM" \
	" (SELECT feed_id, count(*) AS n FROM unread GROUP BY feed_id) AS c" \
	" WHERE c.feed_id = feeds.id;"

/* The feeds whose counters differ from a full count of their items. */
#define STORE_CHECK_COUNTS \
	"SELECT f.id, f.url, f.item_count, f.unread_count, f.starred_count," \
	" COALESCE(a.n, 0), COALESCE(u.n, 0), COALESCE(a.s, 0) FROM feeds f" \
	" LEFT JOIN (SELECT feed_id, count(*) AS n, sum(starred <> 0) AS s" \
	" FROM items GROUP BY feed_id) AS a ON a.feed_id = f.id" \
	" LEFT JOIN (SELECT feed_id, count(*) AS n FROM unread" \
	" GROUP BY feed_id) AS u ON u.feed_id = f.id" \
	" WHERE f.item_count <> COALESCE(a.n, 0)" \
	" OR f.unread_count <> COALESCE(u.n, 0)" \
	" OR f.starred_count <> COALESCE(a.s, 0)"

/* Rows of the unread set that do not match their item. */
#define STORE_CHECK_UNREAD \
	"SELECT count(*) FROM unread u LEFT JOIN items i ON i.id = u.id" \
	" WHERE i.id IS NULL OR u.feed_id <> i.feed_id" \
	" OR u.date <> " STORE_ITEM_DATE_I
#define STORE_REPAIR_UNREAD \
	"DELETE FROM unread WHERE id NOT IN (SELECT id FROM items);" \
	"UPDATE unread SET feed_id = i.feed_id," \
	" date = " STORE_ITEM_DATE_I " FROM items i" \
	" WHERE i.id = unread.id AND (unread.feed_id <> i.feed_id" \
	" OR unread.date <> " STORE_ITEM_DATE_I ");"

/*
 * Check the store: SQLite's own check (PRAGMA quick_check), every feed's
 * counters against a full count of its items, and the search index's
 * state (and, when it is complete, FTS5's integrity check).  Each problem
 * is a line of *report (the caller frees it).  With repair, counters that
 * are off are counted again (reported all the same).  Returns 0 when all
 * is well, 1 when something is wrong, -1 when the check could not run.
 */
int
store_check(struct store *st, int repair, char **report)
{
	sqlite3_stmt	*stmt = NULL;
	struct buf	 b = { NULL, 0, 0 };
	int64_t		 upto, max, nodd;
	int		 rc, bad = 0, nbad = 0;

	buf_adds(&b, "");
	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &stmt,
	    NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (strcmp((const char *)sqlite3_column_text(stmt, 0),
		    "ok") == 0)
			continue;
		buf_printf(&b, "%s: quick_check: %s\n", st->path,
		    (const char *)sqlite3_column_text(stmt, 0));
		bad = 1;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(stmt);

	if (sqlite3_prepare_v2(st->db, STORE_CHECK_UNREAD, -1, &stmt,
	    NULL) != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW)
		goto fail;
	if ((nodd = sqlite3_column_int64(stmt, 0)) > 0) {
		buf_printf(&b, "%s: %lld unread rows do not match their item "
		    "(written by another program?)\n", st->path,
		    (long long)nodd);
		bad = 1;
		if (repair) {
			if (sqlite3_exec(st->db, STORE_REPAIR_UNREAD, NULL,
			    NULL, NULL) != SQLITE_OK)
				goto fail;
			buf_printf(&b, "%s: the unread rows were mended\n",
			    st->path);
		}
	}
	sqlite3_finalize(stmt);
	stmt = NULL;

	if (sqlite3_prepare_v2(st->db, STORE_CHECK_COUNTS, -1, &stmt,
	    NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		buf_printf(&b, "%s: feed %lld (%s): counters %lld items, %lld "
		    "unread, %lld starred; counted %lld, %lld, %lld\n",
		    st->path, sqlite3_column_int64(stmt, 0),
		    (const char *)sqlite3_column_text(stmt, 1),
		    sqlite3_column_int64(stmt, 2),
		    sqlite3_column_int64(stmt, 3), sqlite3_column_int64(stmt, 4),
		    sqlite3_column_int64(stmt, 5), sqlite3_column_int64(stmt, 6),
		    sqlite3_column_int64(stmt, 7));
		nbad++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (nbad > 0) {
		bad = 1;
		if (repair) {
			if (sqlite3_exec(st->db, STORE_RECOUNT, NULL, NULL,
			    NULL) != SQLITE_OK)
				goto fail;
			buf_printf(&b, "%s: the counters of %d feed%s "
			    "counted again\n", st->path, nbad,
			    nbad == 1 ? " were" : "s were");
		}
	}

	if ((upto = store_index_upto(st)) < 0)
		goto fail;
	max = store_max_item_id(st);
	if (upto > max) {
		buf_printf(&b, "%s: search index state %lld is past the "
		    "newest item %lld\n", st->path, (long long)upto,
		    (long long)max);
		bad = 1;
	} else if (upto == max && sqlite3_exec(st->db, "INSERT INTO "
	    "items_fts(items_fts, rank) VALUES ('integrity-check', 1)", NULL,
	    NULL, NULL) != SQLITE_OK) {
		buf_printf(&b, "%s: search index: %s\n", st->path,
		    sqlite3_errmsg(st->db));
		bad = 1;
	}
	*report = b.data;
	return (bad);

fail:
	store_error(st, "check");
	sqlite3_finalize(stmt);
	buf_free(&b);
	return (-1);
}

/* Counts for status. */
int
store_stats(struct store *st, struct store_stats *s)
{
	sqlite3_stmt	*stmt = st->stmt[S_STATS];

	memset(s, 0, sizeof *s);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		store_error(st, "stats");
		sqlite3_reset(stmt);
		return (-1);
	}
	s->feeds = sqlite3_column_int64(stmt, 0);
	s->active_feeds = sqlite3_column_int64(stmt, 1);
	s->items = sqlite3_column_int64(stmt, 2);
	s->unread = sqlite3_column_int64(stmt, 3);
	s->starred = sqlite3_column_int64(stmt, 4);
	s->db_bytes = sqlite3_column_int64(stmt, 5);
	s->unread_hidden = sqlite3_column_int64(stmt, 6);
	sqlite3_reset(stmt);
	return (0);
}

/* A value of the meta table, or NULL (absent or error). */
char *
store_meta_get(struct store *st, const char *key)
{
	sqlite3_stmt	*stmt = st->stmt[S_META_GET];
	char		*v = NULL;
	int		 rc;

	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		v = store_column_dup(stmt, 0);
	else if (rc != SQLITE_DONE)
		store_error(st, key);
	sqlite3_reset(stmt);
	return (v);
}

/* Set a value of the meta table; NULL deletes the key. */
int
store_meta_set(struct store *st, const char *key, const char *value)
{
	if (value == NULL) {
		sqlite3_bind_text(st->stmt[S_META_DEL], 1, key, -1,
		    SQLITE_STATIC);
		return (store_exec(st, S_META_DEL, key));
	}
	sqlite3_bind_text(st->stmt[S_META_SET], 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st->stmt[S_META_SET], 2, value, -1, SQLITE_STATIC);
	return (store_exec(st, S_META_SET, key));
}

/*
 * Every active feed's counts, by id: cb(id, items, unread, starred, tags)
 * for each (tags one a line, or NULL); one pass over the feed table, no
 * item read.  Returns the number of feeds, or -1.
 */
int
store_feed_counts(struct store *st, void (*cb)(int64_t, int64_t, int64_t,
    int64_t, const char *, void *), void *arg)
{
	struct store_sqlb	 sb;
	sqlite3_stmt		*stmt;
	int			 rc, n = 0, cached;

	memset(&sb, 0, sizeof sb);
	buf_adds(&sb.sql, "SELECT id, item_count, unread_count, starred_count,"
	    " tags FROM feeds WHERE active = 1 ORDER BY id");
	stmt = store_sqlb_prepare(st, &sb, &cached);
	store_sqlb_free(&sb);
	if (stmt == NULL)
		return (-1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		cb(sqlite3_column_int64(stmt, 0),
		    sqlite3_column_int64(stmt, 1),
		    sqlite3_column_int64(stmt, 2),
		    sqlite3_column_int64(stmt, 3),
		    (const char *)sqlite3_column_text(stmt, 4), arg);
		n++;
	}
	if (rc != SQLITE_DONE) {
		store_error(st, "counting feeds");
		n = -1;
	}
	store_sqlb_release(stmt, cached);
	return (n);
}
