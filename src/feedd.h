/*
 * feedd.h: the one internal header of feedd and feedctl.
 *
 * Order: includes, defaults, types shared between modules, then the
 * prototypes of each file under its own heading.  A struct used by one file
 * only is defined in that file.  Only fetch.c sees curl, only store.c sees
 * sqlite3, only parse.c (with decode.c and item.c), jsonfeed.c and html.c
 * see libxml2; jansson is used by jsonfeed.c and by the protocol code
 * (proto.c, server.c, feedctl.c), since the protocol is JSON.
 */
#ifndef FEEDD_H
#define FEEDD_H

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif
#ifndef __printflike
#define __printflike(a, b) __attribute__((__format__(__printf__, a, b)))
#endif

/* Defaults; each has a feedd.conf key and a flag (see config.c). */
#ifndef FEEDD_INTERVAL
#define FEEDD_INTERVAL		(30 * 60)	/* default poll interval, s */
#endif
#define FEEDD_MIN_INTERVAL	(5 * 60)	/* lower bound for hints, s */
#define FEEDD_MAX_INTERVAL	(24 * 3600)	/* upper bound for hints, s */
#define FEEDD_MAX_CONNS		16
#define FEEDD_HOST_CONNS	2
#define FEEDD_HOST_DELAY	1.0		/* s between starts, one host */
#define FEEDD_CONNECT_TIMEOUT	20		/* s */
#define FEEDD_TIMEOUT		60		/* s, whole transfer */
#define FEEDD_LOW_SPEED_LIMIT	64		/* bytes/s ... */
#define FEEDD_LOW_SPEED_TIME	30		/* ... for this many s */
#define FEEDD_MAX_BODY		(16 * 1024 * 1024) /* decoded bytes */
#define FEEDD_BACKOFF_MAX	(24 * 3600)	/* error backoff cap, s */
#define FEEDD_KEEP_ITEMS	1000		/* per feed, 0 = no limit */
#define FEEDD_INDEX_BATCH	500		/* items indexed per idle turn */
#define FEEDD_INDEX_SEARCH	50000		/* a search catches up this far */
#define FEEDD_INDEX_SEARCH_MS	1000		/* ... or for this long */
#define FEEDD_INDEX_ONCE	20000		/* --once indexes what is left
						   at its end when this few */
#define FEEDD_KEEP_AGE		(180 * 86400)	/* s, 0 = no limit */

/* Parser caps (sfeed-style: every outside input is bounded). */
#define PARSE_MAX_INPUT		(64 * 1024 * 1024) /* bytes one document */
#define PARSE_MAX_FIELD		(4 * 1024 * 1024)  /* bytes one text field */
#define PARSE_MAX_DEPTH		256		/* element nesting */
#define PARSE_MAX_LIST		256		/* authors/tags/attachments */

/* "No date": a date that is absent or could not be parsed. */
#define DATE_NONE		INT64_MIN

/* ---------------------------------------------------------------- */
/* Types produced by the parser (parse.c, jsonfeed.c). */

struct feed_person {
	char		*name;
	char		*url;
	char		*email;
};

struct feed_attachment {
	char		*url;
	char		*mime_type;
	int64_t		 size;		/* bytes, -1 unknown */
	int64_t		 duration;	/* seconds, -1 unknown */
};

/*
 * One item (RSS item, Atom entry, JSON Feed item).  Owned by the parser and
 * valid only during the item callback: the parser reuses it for the next
 * item.  Strings are UTF-8, trimmed, NULL when absent.
 */
struct feed_item {
	char		*id;		/* dedupe key: guid/id, else link,
					   else "hash:" + stable hash */
	char		*guid;		/* the document's guid/id, or NULL */
	char		*url;		/* resolved, absolute where possible */
	char		*external_url;
	char		*title;		/* plain text */
	char		*content_html;
	char		*content_text;
	char		*summary;	/* as given (may be HTML) */
	char		*image;		/* media:thumbnail, itunes:image */
	int64_t		 published;	/* unix seconds UTC or DATE_NONE */
	int64_t		 modified;	/* unix seconds UTC or DATE_NONE */
	struct feed_person *authors;
	size_t		 nauthors;
	char		**tags;
	size_t		 ntags;
	struct feed_attachment *attachments;
	size_t		 nattachments;
	const char	*key_body;	/* the body as the document gave it,
					   before sanitizing, for item_key();
					   NULL: the body itself */
};

enum feed_format {
	FEED_UNKNOWN = 0,
	FEED_RSS090,
	FEED_RSS091,
	FEED_RSS092,
	FEED_RSS20,
	FEED_RSS10,
	FEED_ATOM03,
	FEED_ATOM10,
	FEED_JSON10,
	FEED_JSON11,
};

/* What the document says about the feed itself. */
struct feed_meta {
	enum feed_format format;
	char		*title;
	char		*home_page_url;
	char		*feed_url;	/* atom:link rel=self, JSON feed_url */
	char		*description;
	char		*icon;
	char		*language;
	struct feed_person *authors;
	size_t		 nauthors;
	int64_t		 ttl;		/* <ttl>, seconds; 0 when absent */
	int64_t		 update_period;	/* sy:updatePeriod/Frequency, s; 0 */
	uint32_t	 skip_hours;	/* bit h set: skip hour h (UTC) */
	uint8_t		 skip_days;	/* bit d set: skip weekday d, 0=Sun */
	size_t		 nitems;	/* items seen so far */
	size_t		 nunsafe;	/* active HTML and URLs dropped */
};

/* Called once per item, in document order. */
typedef void	(*parser_item_cb)(const struct feed_item *, void *);

/* ---------------------------------------------------------------- */
/* Rows of the store (store.c). */

/* One row of the feeds table: the daemon's persisted view of one feed. */
struct store_feed {
	int64_t		 id;
	char		*url;
	char		*title;		/* from the document */
	char		*conf_title;	/* ~"Title" from the feeds file */
	char		*tags;		/* from the feeds file, one a line */
	char		*site_url;
	char		*etag;
	char		*last_modified;
	int64_t		 last_fetch;	/* unix seconds, 0 never */
	int64_t		 last_success;	/* unix seconds, 0 never */
	int64_t		 next_fetch;	/* unix seconds, 0 now */
	int64_t		 hold_until;	/* server said wait (Retry-After,
					   max-age, Expires); 0 none */
	int		 http_status;	/* last status, 0 none / no HTTP */
	int		 errors;	/* consecutive failed polls */
	char		*last_error;
	char		*redirect_url;	/* permanent redirect target */
	int		 gone;		/* 410 seen: no polling */
	int		 active;	/* listed in the feeds file now */
	int64_t		 item_count;	/* kept by the store (triggers) */
	int64_t		 unread_count;
	int64_t		 starred_count;
	char		*conf_hash;	/* its feeds-file line, hashed */
	int64_t		 gone_since;	/* unix seconds it was found gone */
	int64_t		 created;	/* unix seconds it was first listed */
	char		*identity;	/* "link": guids proved unreliable */
	int64_t		 adaptive;	/* s: its posting rate's interval */
};

/* One item as the store returns it; strings borrowed for the callback. */
struct store_item {
	int64_t		 id;
	int64_t		 feed_id;
	const char	*feed_title;	/* conf_title, else title, else url */
	const char	*feed_url;
	const char	*guid;
	const char	*url;
	const char	*title;
	const char	*author;	/* names joined with ", " */
	const char	*summary;
	const char	*content;	/* NULL unless asked for */
	const char	*content_type;	/* "html" or "text" (content) */
	const char	*excerpt;	/* untitled: the content's start */
	const char	*tags;		/* item categories, "\n" separated */
	const char	*enclosure_url;
	const char	*enclosure_type;
	int64_t		 enclosure_length; /* bytes, 0 when unknown */
	int64_t		 published;	/* DATE_NONE when unknown */
	int64_t		 updated;	/* DATE_NONE when unknown */
	int64_t		 first_seen;
	int		 read;
	int		 starred;
	int64_t		 update_count;	/* times its content changed */
	int64_t		 changed;	/* when last; DATE_NONE never */
	int		 junk_date;	/* sorted by first_seen */
};

/*
 * What to select.  Zero means "no constraint" for every field, so a
 * zeroed struct selects everything, newest first.
 */
struct store_query {
	int		 unread;	/* only unread */
	int		 read;		/* only read */
	int		 starred;	/* only starred */
	int		 unstarred;	/* only not starred */
	int		 updated;	/* only items whose content changed */
	const int64_t	*feed_ids;	/* only these feeds */
	size_t		 nfeed_ids;
	const char	*tag;		/* only feeds with this tag */
	int		 no_hidden;	/* not feeds with a '!' tag (new) */
	int64_t		 since;		/* published (else first seen) >= */
	int64_t		 until;		/* published (else first seen) < */
	const char	*search;	/* FTS5 query over title, content */
	const int64_t	*ids;		/* only these item ids */
	size_t		 nids;
	int64_t		 max_id;	/* cursor: only id <= max_id */
	int64_t		 after_id;	/* only id > after_id */
	int64_t		 limit;		/* 0 = all */
	int64_t		 offset;
	int		 oldest_first;
	int		 rank;		/* a search: best match first (bm25) */
	int		 by_id;		/* by id (insertion order), not date */
};

enum store_mark_op {
	STORE_MARK_READ,
	STORE_MARK_UNREAD,
	STORE_MARK_STAR,
	STORE_MARK_UNSTAR,
};

/* What store_item_upsert() did. */
#define STORE_SAME	0	/* known, unchanged */
#define STORE_NEW	1	/* inserted */
#define STORE_UPDATED	2	/* known, content changed, read state kept */

struct store_stats {
	int64_t		 feeds;
	int64_t		 active_feeds;
	int64_t		 items;
	int64_t		 unread;
	int64_t		 starred;
	int64_t		 db_bytes;
	int64_t		 unread_hidden;	/* of unread: in feeds hidden from new */
};

typedef int	(*store_item_cb)(const struct store_item *, void *);
typedef int	(*store_feed_cb)(const struct store_feed *, void *);

/* ---------------------------------------------------------------- */
/* Configuration (config.c). */

/* One line of the feeds file. */
struct feed_conf {
	char		*url;
	char		*title;		/* ~"Title", or NULL */
	char		**tags;
	size_t		 ntags;
	int64_t		 every;		/* every=DURATION, s; 0 default */
	int64_t		 keep_items;	/* keep=N; -1 default */
	int		 id_mode;	/* id=: FEED_ID_* */
	int		 updates_unread; /* updates=unread */
	int		 dedupe_link;	/* dedupe=link */
	int		 line;		/* line in the feeds file */
};
/* How a feed's items are told apart (id= in the feeds file). */
#define FEED_ID_AUTO	0	/* guid, else link, else hash; guids that
				   change under the same item are seen */
#define FEED_ID_GUID	1	/* guid, else link, else hash; trusted */
#define FEED_ID_LINK	2	/* link, else hash */
#define FEED_ID_HASH	3	/* title, date and content */

/*
 * Messages about the lines of a file ("FILE:LINE: message"): the first
 * CONFIG_MAX_NOTES are kept, total counts all of them.
 */
struct config_notes {
	char		**v;
	size_t		 n;
	int		 total;
};
#define CONFIG_MAX_NOTES	50

/* The daemon's settings: feedd.conf, overridden by flags. */
struct config {
	char		*conf_path;
	char		*feeds_path;
	char		*db_path;
	char		*socket_path;
	char		*socket_group;	/* may connect too (mode 0660) */
	int64_t		 interval;	/* s */
	int64_t		 min_interval;	/* s */
	int64_t		 max_interval;	/* s */
	int		 max_conns;
	int		 host_conns;
	double		 host_delay;	/* s */
	int64_t		 connect_timeout; /* s */
	int64_t		 timeout;	/* s */
	int64_t		 low_speed_limit; /* bytes/s */
	int64_t		 low_speed_time; /* s */
	int64_t		 max_body;	/* decoded bytes */
	int		 allow_private;	/* allow-private-networks */
	int64_t		 backoff_max;	/* s */
	char		*user_agent;
	int64_t		 keep_items;	/* per feed, 0 no limit */
	int64_t		 keep_age;	/* s, 0 no limit */
	int		 keep_unread;	/* retention spares unread/starred */
	int		 dedupe_links;	/* dedupe=link for every feed */
	char		*http_listen;	/* ADDR:PORT of feedd-http, or NULL */
	char		*http_user;
	char		*http_password_file;
	char		*http_token_file;
	int		 http_allow_remote;
	int		 log_level;	/* LOG_ERR .. LOG_DEBUG */

	struct feed_conf *feeds;
	size_t		 nfeeds;
	const struct feed_conf **by_url; /* config_feed_by_url(), lazily */
	char		*feeds_hash;	/* hex digest of the feeds file */
	struct config_notes feeds_skipped; /* bad lines, not loaded */
	struct config_notes feeds_warnings; /* loaded, but look */
	unsigned int	 set;		/* config.c: keys set, a bit each */
};

/* ---------------------------------------------------------------- */
/* Prototypes, one heading per file. */

/* xmalloc.c: allocators that never return NULL (out of memory: fatal). */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
int		 xasprintf(char **, const char *, ...) __printflike(2, 3);
int		 xvasprintf(char **, const char *, va_list);

/* log.c: one line per event on stderr; syslog levels from <syslog.h>. */
void		 log_init(const char *, int, int);
void		 log_setlevel(int);
int		 log_getlevel(void);
void		 log_timestamps(int);
int		 log_journald(void);
void		 log_status(const char *, ...) __printflike(1, 2);
void		 log_warn(const char *, ...) __printflike(1, 2);
void		 log_warnx(const char *, ...) __printflike(1, 2);
void		 log_notice(const char *, ...) __printflike(1, 2);
void		 log_info(const char *, ...) __printflike(1, 2);
void		 log_debug(const char *, ...) __printflike(1, 2);
__dead void	 fatal(const char *, ...) __printflike(1, 2);
__dead void	 fatalx(const char *, ...) __printflike(1, 2);

/* util.c: small pure helpers. */
struct buf {
	char		*data;		/* always NUL-terminated once used */
	size_t		 len;
	size_t		 cap;
};
void		 buf_grow(struct buf *, size_t);
void		 buf_add(struct buf *, const void *, size_t);
void		 buf_addc(struct buf *, char);
void		 buf_adds(struct buf *, const char *);
void		 buf_printf(struct buf *, const char *, ...) __printflike(2, 3);
void		 buf_reset(struct buf *);
void		 buf_free(struct buf *);
int		 util_parse_duration(const char *, int64_t *);
char		*util_format_duration(int64_t);
int		 util_parse_size(const char *, int64_t *);
int		 util_parse_int(const char *, int64_t, int64_t, int64_t *);
char		*util_trim(char *);
int64_t		 util_now(void);
uint64_t	 util_hash64(const void *, size_t, uint64_t);
int		 util_mkdir_parents(const char *, mode_t);
int		 util_private_dir(const char *, int, char **);
int		 util_in_dir(const char *, const char *);
size_t		 util_utf8_decode(const char *, size_t, uint32_t *);
uint32_t	 util_fold(uint32_t);
int		 util_casecmp(const char *, size_t, const char *, size_t);

/* date.c: feed dates to unix seconds (UTC) and back. */
int		 date_parse(const char *, int64_t *);
int		 date_parse_exact(const char *, int64_t *);
size_t		 date_format_rfc3339(int64_t, char *, size_t);

/* date_http.c: HTTP dates through libcurl (feedd only). */
int		 date_parse_http(const char *, int64_t *);

/* html.c: HTML to plain text (libxml2's HTML parser). */
char		*html_to_text(const char *, size_t, int);
#define HTML_TEXT_LINKS		0x1	/* number links, list them at end */
#define HTML_TEXT_INLINE	0x2	/* one line: fold whitespace (titles) */
char		*html_clean_input(const char *, size_t *);
struct _xmlSAXHandler;
struct _xmlParserCtxt;
struct html_link {
	char		*url;		/* absolute */
	char		*type;		/* the type attribute */
	char		*title;		/* or NULL */
};
size_t		 html_feed_links(const char *, size_t, const char *,
		     struct html_link **);
void		 html_links_free(struct html_link *, size_t);
void		 html_sax_parse(struct _xmlSAXHandler *, void *,
		     struct _xmlParserCtxt **, const char *, size_t, int);

/* sanitize.c: safe HTML for contents, and the URL schemes kept. */
size_t		 sanitize_html(struct buf *, const char *, size_t,
		     const char *);
size_t		 sanitize_html_full(struct buf *, const char *, size_t,
		     const char *);
int		 sanitize_url_ok(const char *, int);
void		 sanitize_escape(struct buf *, const char *, size_t, int);
void		 sanitize_text_html(struct buf *, const char *, size_t);
#define SANITIZE_MEDIA	0	/* images, media: http, https */
#define SANITIZE_LINK	1	/* links: and mailto */
#define SANITIZE_FIELD	2	/* URL fields: and mailto, magnet */

/* decode.c: a document's bytes to clean UTF-8 for parse.c. */
enum decode_format {
	DECODE_MORE,		/* not known yet: more bytes needed */
	DECODE_XML,
	DECODE_JSON,
	DECODE_HTML,		/* an HTML page, not a feed */
	DECODE_EMPTY,		/* nothing but white space */
};
typedef void	(*decode_cb)(const char *, size_t, int, void *);
struct decode;
struct decode	*decode_new(decode_cb, void *);
enum decode_format decode_push(struct decode *, const char *, size_t, int);
enum decode_format decode_format(const struct decode *);
void		 decode_free(struct decode *);
void		 decode_put_utf8(struct buf *, uint32_t);
size_t		 decode_utf8_repair(struct buf *, const char *, size_t, int);
char		*decode_utf8_own(char *);
char		*decode_utf8_copy(const char *);
void		 decode_utf8_cut(struct buf *);

/* item.c: the values of feed items: titles, people, lists, links. */
enum item_field {		/* what a document gives of an item */
	ITEM_GUID, ITEM_LINK, ITEM_TITLE, ITEM_HTML, ITEM_TEXT, ITEM_DESC,
	ITEM_SUMMARY, ITEM_IMAGE, ITEM_ABOUT, ITEM_MTITLE, ITEM_PLAYER,
	ITEM_MDESC,
	ITEM_NTEXT,		/* (the text fields of a draft) */
	ITEM_PUBLISHED = ITEM_NTEXT, ITEM_MODIFIED, ITEM_TAGS, ITEM_AUTHORS,
	ITEM_NONE
};
struct item_draft {		/* an item being read, see item.c */
	struct feed_item it;	/* dates and lists are filled in place */
	struct buf	 b[ITEM_NTEXT];
	char		*v[ITEM_NTEXT];	/* each text field, or NULL */
	struct buf	 raw[ITEM_NTEXT];
	char		*rv[ITEM_NTEXT];	/* a sanitized one as given */
	int		 summary_html;	/* the summary is HTML */
	int		 mdesc_html;	/* so is media:description */
	int		 guid_permalink;	/* the guid may be the link */
	int		 link_html;	/* the link is a text/html one */
	int64_t		 duration;	/* for the first attachment */
};
void		 item_draft_reset(struct item_draft *);
void		 item_draft_free(struct item_draft *);
void		 item_draft_set(struct item_draft *, enum item_field,
		     const char *, size_t);
void		 item_draft_take(struct item_draft *, enum item_field,
		     struct buf *, char *);
void		 item_draft_rewrite(struct item_draft *, enum item_field,
		     struct buf *);
struct feed_item *item_draft_end(struct item_draft *,
		     const struct feed_meta *);
size_t		 item_fold(char *);
int		 item_has_markup(const char *);
char		*item_title(char *, int);
void		 item_list_add(char ***, size_t *, const char *);
void		 item_person_add(struct feed_person **, size_t *, const char *,
		     const char *, const char *);
void		 item_rss_author(struct feed_person **, size_t *, char *);
int64_t		 item_duration(const char *);
void		 item_attach(struct feed_item *, char *, const char *,
		     const char *, const char *);
void		 item_free_lists(struct feed_item *);
char		*item_key(const struct feed_item *, char *, size_t);
char		*item_resolve(const char *, const char *);

/* parse.c: streaming feed parser (libxml2 push parser + jsonfeed.c). */
struct parser;
struct parser	*parser_new(const char *, parser_item_cb, void *);
int		 parser_push(struct parser *, const char *, size_t);
int		 parser_finish(struct parser *, char **);
int		 parser_read(struct parser *, int);
const struct feed_meta *parser_meta(const struct parser *);
void		 parser_meta_take(struct parser *, struct feed_meta *);
void		 parser_meta_clear(struct feed_meta *);
const char	*parser_format_name(enum feed_format);
void		 parser_free(struct parser *);
void		 parser_item_free(struct feed_item *);
/* For jsonfeed.c, which delivers JSON Feed items through the parser. */
struct feed_meta *parser_meta_edit(struct parser *);
char		*parser_resolve(struct parser *, const char *);
char		*parser_html(struct parser *, char *);
char		*parser_text_html(char *);
void		 parser_deliver(struct parser *, struct feed_item *);

/* jsonfeed.c: JSON Feed input. */
int		 jsonfeed_parse(struct parser *, const char *, size_t, char **);

/* store.c: SQLite store. */
struct store;
struct store	*store_open(const char *, char **);
void		 store_close(struct store *);
int		 store_set_readonly(struct store *);
int		 store_threadsafe(void);
const char	*store_errmsg(struct store *);
int		 store_begin(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);
int		 store_in_transaction(struct store *);
int		 store_part_begin(struct store *);
int		 store_part_end(struct store *, int);
int		 store_feed_get(struct store *, const char *,
		     struct store_feed *);
int		 store_feed_get_id(struct store *, int64_t,
		     struct store_feed *);
int		 store_feed_put(struct store *, const struct store_feed *);
int		 store_feed_set_conf(struct store *, int64_t, const char *,
		     const char *, int, const char *, int);
int		 store_feeds_deactivate(struct store *);
int		 store_feed_delete(struct store *, int64_t);
int		 store_feeds_adopt(struct store *, const char *);
int		 store_feeds_moved_count(struct store *);
size_t		 store_set_rekey(struct store *, int);
void		 store_set_reunread(struct store *, int);
void		 store_set_junk_dates(struct store *, int);
void		 store_set_dedupe_links(struct store *, int);
void		 store_feed_clear(struct store_feed *);
void		 store_feed_copy(struct store_feed *,
		     const struct store_feed *);
int		 store_feed_has_tag(struct store *, int64_t, const char *);
int		 store_feed_lookup(struct store *, const char *, int64_t *);
int		 store_feed_counts(struct store *, void (*)(int64_t, int64_t,
		    int64_t, int64_t, const char *, void *), void *);
int		 store_feed_list(struct store *, int, const char *, int64_t,
		     int64_t, store_feed_cb, void *);
const char	*store_feed_sort_key(const struct store_feed *);
int		 store_item_upsert(struct store *, int64_t,
		     const struct feed_item *, int64_t, int64_t *);
int		 store_items(struct store *, const struct store_query *, int,
		     store_item_cb, void *);
int		 store_any_hidden(struct store *);
int		 store_count(struct store *, const struct store_query *,
		     int64_t *, int64_t *);
int64_t		 store_mark(struct store *, const struct store_query *,
		     enum store_mark_op);
int64_t		 store_max_item_id(struct store *);
int64_t		 store_index(struct store *, int64_t);
int64_t		 store_index_behind(struct store *);
int		 store_prune(struct store *, int64_t, int64_t, int64_t, int,
		     int64_t);
int		 store_stats(struct store *, struct store_stats *);
int		 store_check(struct store *, int, char **);
char		*store_meta_get(struct store *, const char *);
int		 store_meta_set(struct store *, const char *, const char *);

/* config.c: feedd.conf, the feeds file, default paths. */
struct config	*config_new(void);
void		 config_free(struct config *);
int		 config_set(struct config *, const char *, const char *,
		     char **);
int		 config_load_conf(struct config *, const char *, int, char **);
int		 config_load_feeds(struct config *, const char *, char **);
int		 config_load_feeds_skip(struct config *, const char *,
		     char **);
void		 config_print(FILE *, const struct config *);
char		*config_default_path(const char *);
const char	*config_keys_help(void);
int		 config_is_key(const char *);
int		 config_check(struct config *, char **);
char		*config_default_path_for(const char *, int);
char		*config_socket_fallback_dir(void);
void		 config_print_conf(FILE *, const struct config *);
void		 config_print_feeds(FILE *, const struct config *);
struct config	*config_parse_feed_line(const char *, char **);
const struct feed_conf *config_feed_by_url(struct config *, const char *);
int		 config_is_option(const char *);
void		 config_feed_options(struct buf *,
		    const struct feed_conf *);

/* feedd.c: the daemon's globals, its counters, reload. */
struct ev_loop;
extern struct ev_loop	*feedd_loop;
extern struct store	*feedd_store;	/* the loop thread's, read-only */
extern struct config	*feedd_config;
struct feedd_stats {
	int64_t		 started;	/* unix seconds */
	int64_t		 last_poll;	/* unix seconds of last finished poll */
	int64_t		 polls;		/* finished since start */
	int64_t		 poll_errors;
	int64_t		 items_new;
	int64_t		 items_updated;
	int64_t		 bytes;		/* decoded body bytes */
	int64_t		 unsafe;	/* active HTML and URLs dropped */
	int		 in_flight;	/* transfers now */
	int		 feeds;		/* configured */
};
struct poll_outcome {			/* a poll ended (feedd_polled()) */
	int64_t		 id;		/* feeds.id */
	const char	*url;
	const char	*title;		/* the store's, or NULL */
	int		 failed;
	int		 nnew;		/* items new */
	const char	*error;		/* failed: why */
};
void		 feedd_polled(const struct poll_outcome *);

/*
 * sched_policy.c: when a feed is polled next, as pure functions of the
 * configuration and the feed's state (times in unix seconds, r a random
 * number in [0, 1] for the jitter).
 */
struct sched_in {
	int64_t		 every;		/* every=, s; 0 default */
	int64_t		 hint;		/* <ttl>/sy:updatePeriod, s; 0 none */
	uint32_t	 skip_hours;	/* bit h: skip hour h (UTC) */
	uint8_t		 skip_days;	/* bit d: skip weekday d, 0 = Sun */
	int		 errors;	/* failed polls in a row */
	int		 gone;		/* 410 seen: never again */
	int64_t		 hold_until;	/* the server said wait; 0 none */
	int		 adaptive;	/* hint is the posting rate's */
};
int64_t		 sched_interval(const struct config *, int64_t, int64_t);
int64_t		 sched_doc_hint(const struct feed_meta *);
int64_t		 sched_adapt(const struct config *, int64_t, const int64_t *,
		     size_t, int64_t);
int64_t		 sched_max_age(const char *);
int64_t		 sched_retry_after(const char *, int64_t);
int64_t		 sched_hold(const struct config *, int, const char *,
		     const char *, const char *, int64_t);
int64_t		 sched_backoff(const struct config *, int64_t, int, double);
int64_t		 sched_skip(uint32_t, uint8_t, int64_t);
int64_t		 sched_next(const struct config *, const struct sched_in *,
		     int64_t, double);
int64_t		 sched_resume(const struct config *, const struct sched_in *,
		     int64_t, int64_t);
int64_t		 sched_spread(const struct config *, size_t, size_t, int64_t);
int64_t		 sched_rearm(const struct config *, const struct sched_in *,
		     int64_t, int64_t);

/*
 * sched.c: each feed's state and due time, the host queues and their
 * politeness, the two-phase load of the configured feeds.
 */
struct sched_feed;
typedef void	(*sched_load_cb)(const char *, void *);
void		 sched_init(int, int, void (*)(struct sched_feed *));
void		 sched_load(const struct config *, sched_load_cb, void *);
enum sched_refresh_what {
	SCHED_REFRESH_POLL,		/* queued now, or already under way */
	SCHED_REFRESH_HELD,		/* a server's hold: until then */
	SCHED_REFRESH_GONE,		/* 410 or dead: not polled */
	SCHED_REFRESH_NONE,		/* not in the feeds file */
};
typedef void	(*sched_refresh_cb)(void *, int64_t, const char *,
		     enum sched_refresh_what, int64_t);
void		 sched_refresh(const int64_t *, size_t, int,
		     sched_refresh_cb, void *);
int		 sched_pending_count(void);
void		 sched_free(void);
int		 sched_feed_count(void);
int		 sched_skip_count(void);
int		 sched_error_count(void);
int64_t		 sched_feed_id(const struct sched_feed *);
const char	*sched_feed_url(const struct sched_feed *);
int		 sched_feed_gone(const struct sched_feed *);
int64_t		 sched_feed_keep_items(const struct sched_feed *);
int		 sched_feed_id_mode(const struct sched_feed *);
int		 sched_feed_updates_unread(const struct sched_feed *);
int		 sched_feed_dedupe_link(const struct sched_feed *);
const char	*sched_explain(int64_t, int64_t *);
void		 sched_plan(struct sched_feed *, struct store_feed *,
		     const struct feed_meta *);
void		 sched_done(struct sched_feed *, int);

/*
 * fetch.c: the transport.  One fetch gets one feed document (HTTP(S) with
 * libcurl's multi interface on the loop, or a local file), parses it as it
 * arrives and hands back a result; it decides nothing about the feed.
 */
enum fetch_outcome {
	FETCH_OK,		/* 2xx, parsed: meta and items */
	FETCH_NOT_MODIFIED,	/* 304, or an unchanged local file */
	FETCH_GONE,		/* 410 */
	FETCH_ERROR,		/* error says why */
};
struct fetch_request {
	const char	*url;
	const char	*etag;		/* If-None-Match, or NULL */
	const char	*last_modified;	/* If-Modified-Since, or NULL */
	int		 keep_body;	/* the result keeps the body, and
					   a document that is no feed */
};
struct fetch_result {
	enum fetch_outcome outcome;
	int		 http_status;	/* last status; 0 none or no HTTP */
	char		*error;		/* FETCH_ERROR: the reason */
	int		 unreachable;	/* FETCH_ERROR: no connection was
					   made (refused, unreachable, timed
					   out, TLS handshake failed) */
	char		*warning;	/* FETCH_OK: kept, but (truncated) */
	int		 complete;	/* a final response ended the chain */
	char		*redirect_url;	/* end of a permanent redirect chain */
	/* The last response's header values (NULL when absent). */
	char		*etag;		/* a local file: its size and mtime */
	char		*last_modified;
	char		*cache_control;	/* hints for the schedule */
	char		*expires;
	char		*retry_after;
	/* The document (FETCH_OK). */
	struct feed_meta meta;
	struct feed_item *items;	/* those with an id, in order */
	size_t		 nitems;
	/* When, how long, how much. */
	int64_t		 started;	/* unix seconds */
	double		 seconds;	/* wall time */
	int64_t		 bytes;		/* decoded body bytes */
	/* keep_body: the decoded body (also of a 2xx that is no feed). */
	struct buf	 body;
	char		*final_url;	/* where the last response came from */
};
typedef void	(*fetch_done_cb)(struct fetch_result *, void *);
struct fetch_stats {
	int64_t		 bytes;		/* decoded body bytes since start */
	int		 in_flight;	/* transfers now */
};
int		 fetch_init(const struct config *, char **);
void		 fetch_reconfigure(const struct config *);
void		 fetch_free(void);
void		 fetch_start(const struct fetch_request *, fetch_done_cb,
		     void *);
void		 fetch_result_free(struct fetch_result *);
char		*fetch_host(const char *);
void		 fetch_get_stats(struct fetch_stats *);

/*
 * poll.c: one poll of one feed, from due to done: the one owner of the
 * path due (sched) -> fetch -> result -> plan -> write -> announce -> done.
 */
struct poll_stats {
	int64_t		 polls;		/* finished since start */
	int64_t		 failed;
	int64_t		 items_new;
	int64_t		 items_updated;
	int64_t		 last_poll;	/* unix seconds */
	int64_t		 unsafe;	/* active HTML and URLs dropped */
};
void		 poll_start(struct sched_feed *);
void		 poll_stop(void);
void		 poll_get_stats(struct poll_stats *);

/*
 * writer.c: the writer thread, the one owner of the database's writes.  A
 * job is filled on the loop thread; write(store, job) runs on the writer
 * thread in a transaction, then done(job) on the loop thread again, error
 * saying why nothing of the job was stored (see writer_submit()).
 */
struct write_job {
	int			(*write)(struct store *, struct write_job *);
	void			(*done)(struct write_job *);
	void			*arg;		/* the submitter's */
	char			*error;		/* NULL: stored */
	struct write_job	*next;
};
int		 writer_open(const char *, char **);
int		 writer_start(int, char **);
void		 writer_submit(struct write_job *);
void		 writer_index_later(void);
void		 writer_stop(void);

/* proto.c: the wire protocol's encoding (jansson; see proto.h). */
struct json_t;
int		 proto_cmd_lookup(const char *);
const char	*proto_cmd_name(int);
int		 proto_parse_time(const char *, int64_t *);
struct json_t	*proto_string(const char *);
struct json_t	*proto_item_json(const struct store_item *);
struct json_t	*proto_feed_json(const struct store_feed *, int);
void		 proto_dump(struct buf *, const struct json_t *);
struct json_t	*proto_request(int, int64_t);
struct json_t	*proto_ok(struct json_t *);
struct json_t	*proto_error(struct json_t *, const char *, const char *, ...)
		     __printflike(3, 4);
int		 proto_check(struct json_t *, int *, struct json_t **);
int		 proto_get_time(struct json_t *, const char *, int64_t *);
int		 proto_get_int(struct json_t *, const char *, int64_t, int64_t,
		     int64_t *);
int		 proto_get_bool(struct json_t *, const char *, int *);

/* render.c: feedctl's output: sanitising, columns, dates, JSON Feed. */
#define RENDER_KEEP_NL		0x1	/* keep newlines (else a space) */
char		*render_sanitize(const char *, int);
int		 render_width(const char *);
void		 render_cell(struct buf *, const char *, int, int);
char		*render_reltime(int64_t, int64_t);
int		 render_term_width(int);
int		 render_use_color(int);
void		 render_set_color(int);
const char	*render_sgr(const char *);
char		*render_html(const char *);
char		*render_text(const char *);
#define RENDER_TITLE_WORDS	60	/* bytes of content as a title */
#define RENDER_EXCERPT		300	/* characters of content */
char		*render_item_title(const char *, const char *);
char		*render_dates(int64_t, int64_t, int64_t, int64_t);
char		**render_feed_labels(const char **, const char **, size_t);
struct render_jsonfeed;
struct render_jsonfeed *render_jsonfeed_new(FILE *);
void		 render_jsonfeed_meta(struct render_jsonfeed *,
		     const struct feed_meta *);
void		 render_jsonfeed_item(const struct feed_item *, void *);
void		 render_jsonfeed_end(struct render_jsonfeed *, int);

/*
 * feedctl.c, feedctl_file.c: the client (see feedctl(1)).  Exit status:
 * 0 success, EXIT_DAEMON the daemon said no or a file failed, EXIT_USAGE,
 * EXIT_CONNECT cannot reach feedd.
 */
#define EXIT_DAEMON	1
#define EXIT_USAGE	2
#define EXIT_CONNECT	3
__dead void	 feedctl_usage_error(const char *, ...) __printflike(1, 2);
char		*feedctl_text(const char *, int);
int		 feedctl_parse(int, char **);
int		 feedctl_import(int, char **);
int		 feedctl_export(int, char **);
size_t		 feedctl_feeds_move(const char *, char **, char **, size_t,
		     int);
struct json_t	*feedctl_request(int);
struct json_t	*feedctl_call(struct json_t *);
struct json_t	*feedctl_exchange(struct json_t *);
__dead void	 feedctl_fail(const char *, struct json_t *);
void		 feedctl_offline_scratch(void);
int		 feedctl_is_offline(void);
int		 feedctl_json_output(void);
int		 feedctl_add(int, char **);
int		 feedctl_remove(int, char **);
int		 feedctl_fetch_url(const char *, struct buf *, char **);
char		**feedctl_store_titles(const struct config *);
int		 feedctl_daemon_reachable(void);
struct json_t	*feedctl_recv_next(void);

/* feedsfile.c: atomic edits of the feeds file (add, remove). */
void		 feedsfile_quoted(struct buf *, const char *);
void		 feedsfile_word(struct buf *, const char *);
int		 feedsfile_format(struct buf *, const struct feed_conf *,
		     char **);
int		 feedsfile_url_same(const char *, const char *);
int		 feedsfile_url_word(const char **, const char *, struct buf *);
int		 feedsfile_write(const char *, const struct buf *, mode_t,
		     char **);
int		 feedsfile_append(const char *, const char *, int *, char **);
int		 feedsfile_comment(const char *, const int *, size_t,
		     const char *, char **);
int		 feedsfile_url_lines(const char *, const char *, int **,
		     char **);
void		 feedsfile_removed_prefix(char *, size_t);

/* http_conf.c: the http-* settings (listen address, secret files). */
struct sockaddr_storage;
int		 http_conf_parse_listen(const char *,
		    struct sockaddr_storage *, char **);
int		 http_conf_is_loopback(const struct sockaddr_storage *);
char		*http_conf_read_secret(const char *, char **);
int		 http_conf_check(const struct config *, char **);

/* http_spawn.c: feedd starts, restarts and stops feedd-http. */
void		 http_spawn_start(struct ev_loop *, const struct config *);
void		 http_spawn_reload(const struct config *);
void		 http_spawn_stop(void);

/* http.c, http_api.c: feedd-http, the Miniflux API (feedd-http(8)). */
struct http_req;
struct http_resp;
void		 http_api_init(const char *, const char *);
void		 http_api_dispatch(struct http_req *, struct http_resp *);
const char	*http_req_method(struct http_req *);
const char	*http_req_path(struct http_req *);
const char	*http_req_arg(struct http_req *, const char *);
int		 http_req_args(struct http_req *, const char *, const char **,
		    int);
const char	*http_req_body(struct http_req *, size_t *);
void		 http_resp_json(struct http_resp *, int, struct json_t *);
void		 http_resp_error(struct http_resp *, int, const char *, ...)
		    __printflike(3, 4);
void		 http_resp_raw(struct http_resp *, int, const char *, char *,
		    size_t);
void		 http_resp_stream(struct http_resp *, int, const char *,
		    int (*)(void *, struct buf *), void (*)(void *), void *);

/* opml.c: OPML 2.0 import and export (libxml2; see its top comment). */
int		 opml_read(const char *, struct config *, char **);
int		 opml_write(FILE *, const struct config *, char **);
int		 opml_write_titles(FILE *, const struct config *, char *const *,
		     char **);

/* server.c: the Unix socket and its clients (see proto.h). */
struct client;
struct server_stream;
struct server_hooks {			/* what the running daemon offers */
	void	(*reload)(sched_load_cb, void *);
	void	(*refresh)(const int64_t *, size_t, int, sched_refresh_cb,
		    void *);
	void	(*stats)(struct feedd_stats *);
	const char *(*interval)(int64_t, int64_t *);
};
int		 server_start(const char *, int, const char *,
		     const struct server_hooks *, char **);
void		 server_stop(void);
void		 server_attach(const char *, int);
void		 server_items_stored(int64_t, const int64_t *, const int *,
		     size_t);
int		 server_probe(const char *, pid_t *);
size_t		 server_clients(void);
size_t		 server_followers(void);
const struct server_hooks *server_daemon(void);
/* For server_cmd.c: a client's answers, listing, follow, waiting. */
void		 server_reply(struct client *, struct json_t *);
int		 server_client_alive(const struct client *);
u_int		 server_client_num(const struct client *);
void		 server_client_hold(struct client *);
void		 server_client_release(struct client *);
struct server_stream *server_client_stream(const struct client *);
void		 server_client_set_stream(struct client *,
		     struct server_stream *);
void		 server_client_follow(struct client *, int64_t *, size_t,
		     const char *, size_t);

/* server_cmd.c: the answers to requests, one handler per command. */
void		 server_cmd_dispatch(struct client *, int, struct json_t *,
		     struct json_t *);
void		 server_cmd_stream_fill(struct client *);
void		 server_cmd_stream_free(struct server_stream *);
int		 server_cmd_feed_ref(struct json_t *, struct json_t *,
		     int64_t *, struct json_t **);
int		 server_cmd_feed_refs(struct json_t *, struct json_t *,
		     const char *, int64_t **, size_t *, struct json_t **);

/* server_refresh.c: "refresh", and the clients that wait for its polls. */
void		 server_refresh_cmd(struct client *, struct json_t *,
		     struct json_t *);
void		 server_refresh_polled(const struct poll_outcome *);
void		 server_refresh_stop(void);

/* subscribe.c: subscribe, unsubscribe (see feedd(8)). */
void		 subscribe_subscribe(struct client *, struct json_t *,
		     struct json_t *);
void		 subscribe_unsubscribe(struct client *, struct json_t *,
		     struct json_t *);
void		 subscribe_polled(int64_t, int);
void		 subscribe_free(void);
int		 subscribe_fetch_ready(char **);
int		 subscribe_url_ok(const char *);
const char	*subscribe_get_url(struct client *, struct json_t *,
		     struct json_t *);
const char	*subscribe_reason(const struct fetch_result *);

/* discover.c: discover, fetch (see feedd(8)). */
void		 discover_discover(struct client *, struct json_t *,
		     struct json_t *);
void		 discover_fetch(struct client *, struct json_t *,
		     struct json_t *);
void		 discover_free(void);

/* notify.c: systemd integration; every call is a no-op without it. */
void		 notify_ready(void);
void		 notify_reloading(void);
void		 notify_stopping(void);
void		 notify_status(const char *, ...) __printflike(1, 2);
uint64_t	 notify_watchdog_usec(void);
void		 notify_watchdog(void);
int		 notify_listen_fd(void);

#endif /* FEEDD_H */
