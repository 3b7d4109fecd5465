/*
 * fetch.c: the transport.  One fetch gets one feed document, over HTTP(S)
 * with libcurl's multi interface or from a local file, parses it as it
 * arrives, and hands back a struct fetch_result (feedd.h): the outcome,
 * the status, the validators, the server's hints, the parsed items and
 * meta, the error, the timing.  It decides nothing about the feed: poll.c
 * turns the result into the feed's new row, its next due time and the
 * write, the way tmux's job.c hands a finished job back to its owner.
 * This file calls no other daemon module; its only outside callers are
 * feedd.c (setup), poll.c (fetch_start and the completion) and
 * subscribe.c (discovery and the check before subscribing, which ask for
 * the body too: keep_body, so that an HTML page can be searched for its
 * feeds; under --stdio it also sets fetch.c up, on first use).
 *
 * Owns the libcurl multi handle and its glue to the libev loop (as in
 * curl's evhiperfifo.c and multi-event.c): curl tells us which sockets to
 * watch (CURLMOPT_SOCKETFUNCTION: an ev_io per socket, kept with
 * curl_multi_assign) and when to call it back (CURLMOPT_TIMERFUNCTION: one
 * ev_timer); every watcher calls curl_multi_socket_action() and then drains
 * curl_multi_info_read().  Nothing polls.
 *
 * Each transfer is a struct fetch (CURLOPT_PRIVATE).  Its body goes into
 * the streaming parser chunk by chunk as it arrives; the parser's items are
 * copied into the result, since transfers interleave and a feed's poll is
 * stored whole or not at all.  A file:// URL written in the feeds file is
 * read from disk here (never through curl, so no redirect can reach a local
 * file); its size and mtime serve as its ETag.  This is the only file that
 * sees curl, besides date_http.c's use of curl_getdate.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "feedd.h"

#define FETCH_MAX_HEADER	1024	/* longest header value we keep */
#define FETCH_MAX_REDIRS	5

/* A socket curl asked us to watch. */
struct fetch_sock {
	ev_io			 io;
	curl_socket_t		 fd;
};

/* One transfer in flight. */
struct fetch {
	char			*url;
	fetch_done_cb		 cb;
	void			*arg;
	CURL			*easy;
	struct curl_slist	*headers;
	struct parser		*parser;
	int			 parse_failed;	/* parser_push said no */
	int			 too_big;	/* over max-body */
	int			 keep_body;	/* fetch_request's */
	ev_tstamp		 started;

	/* The current response's status and reason (reset per response). */
	int			 status;
	char			*reason;
	char			*location;
	int			 perm_chain;	/* every hop so far permanent */
	int			 nresp;		/* responses so far */
	int			 origin_private; /* the URL's own address is */
	char			*refused;	/* why the policy stopped it */

	struct fetch_result	*res;		/* being filled */
	size_t			 itemsalloc;

	char			 errbuf[CURL_ERROR_SIZE];
	TAILQ_ENTRY(fetch)	 entry;
};

static CURLM		*fetch_multi;
static CURLSH		*fetch_share;
static ev_timer		 fetch_ev_timer;
static int		 fetch_running;
static int64_t		 fetch_max_body;	/* decoded bytes, 0 none */
static struct fetch_stats fetch_stats;
static TAILQ_HEAD(, fetch) fetch_list = TAILQ_HEAD_INITIALIZER(fetch_list);

/* The transfer options of the configuration, set on each new transfer. */
static struct {
	char		*user_agent;
	long		 connect_timeout;
	long		 timeout;
	long		 low_speed_limit;
	long		 low_speed_time;
	int		 allow_private;	/* allow-private-networks */
	char		*public;	/* $FEEDD_PUBLIC_ADDR (tests) */
}			 fetch_opts;

static void	fetch_check(void);
static void	fetch_finish(struct fetch *, CURLcode);

/* ---------------------------------------------------------------- */
/* Results. */

/* Copy a string that may be NULL. */
static char *
fetch_dup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

/* Copy one parsed item. */
static void
fetch_item_copy(struct feed_item *d, const struct feed_item *s)
{
	size_t	i;

	memset(d, 0, sizeof *d);
	d->id = fetch_dup(s->id);
	d->guid = fetch_dup(s->guid);
	d->url = fetch_dup(s->url);
	d->external_url = fetch_dup(s->external_url);
	d->title = fetch_dup(s->title);
	d->content_html = fetch_dup(s->content_html);
	d->content_text = fetch_dup(s->content_text);
	d->summary = fetch_dup(s->summary);
	d->image = fetch_dup(s->image);
	d->published = s->published;
	d->modified = s->modified;
	if (s->nauthors > 0) {
		d->authors = xcalloc(s->nauthors, sizeof *d->authors);
		for (i = 0; i < s->nauthors; i++) {
			d->authors[i].name = fetch_dup(s->authors[i].name);
			d->authors[i].url = fetch_dup(s->authors[i].url);
			d->authors[i].email = fetch_dup(s->authors[i].email);
		}
		d->nauthors = s->nauthors;
	}
	if (s->ntags > 0) {
		d->tags = xcalloc(s->ntags, sizeof *d->tags);
		for (i = 0; i < s->ntags; i++)
			d->tags[i] = fetch_dup(s->tags[i]);
		d->ntags = s->ntags;
	}
	if (s->nattachments > 0) {
		d->attachments = xcalloc(s->nattachments,
		    sizeof *d->attachments);
		for (i = 0; i < s->nattachments; i++) {
			d->attachments[i] = s->attachments[i];
			d->attachments[i].url =
			    fetch_dup(s->attachments[i].url);
			d->attachments[i].mime_type =
			    fetch_dup(s->attachments[i].mime_type);
		}
		d->nattachments = s->nattachments;
	}
}

/* The parser's item callback: keep a copy in the result. */
static void
fetch_item_cb(const struct feed_item *item, void *arg)
{
	struct fetch		*fe = arg;
	struct fetch_result	*r = fe->res;

	if (item->id == NULL)
		return;
	if (r->nitems == fe->itemsalloc) {
		fe->itemsalloc = fe->itemsalloc == 0 ? 16 : fe->itemsalloc * 2;
		r->items = xreallocarray(r->items, fe->itemsalloc,
		    sizeof *r->items);
	}
	fetch_item_copy(&r->items[r->nitems++], item);
}

/* Free a result and everything it holds. */
void
fetch_result_free(struct fetch_result *r)
{
	size_t	i;

	if (r == NULL)
		return;
	free(r->error);
	free(r->warning);
	free(r->etag);
	free(r->last_modified);
	free(r->redirect_url);
	free(r->cache_control);
	free(r->expires);
	free(r->retry_after);
	buf_free(&r->body);
	free(r->final_url);
	parser_meta_clear(&r->meta);
	for (i = 0; i < r->nitems; i++)
		parser_item_free(&r->items[i]);
	free(r->items);
	free(r);
}

/* Free a transfer (its result, if it still has one). */
static void
fetch_free_one(struct fetch *fe)
{
	if (fe->easy != NULL)
		curl_easy_cleanup(fe->easy);
	curl_slist_free_all(fe->headers);
	if (fe->parser != NULL)
		parser_free(fe->parser);
	fetch_result_free(fe->res);
	free(fe->reason);
	free(fe->location);
	free(fe->refused);
	free(fe->url);
	free(fe);
}

/*
 * The fetch is over: hand the result to its owner (who frees it) and let
 * the transfer go.
 */
static void
fetch_done(struct fetch *fe, enum fetch_outcome oc, int http_status,
    char *error)
{
	struct fetch_result	*r = fe->res;
	fetch_done_cb		 cb = fe->cb;
	void			*arg = fe->arg;

	r->outcome = oc;
	r->http_status = http_status;
	r->error = error;
	r->seconds = ev_time() - fe->started;
	if (fe->parser != NULL) {
		if (oc == FETCH_OK)
			parser_meta_take(fe->parser, &r->meta);
		parser_free(fe->parser);
		fe->parser = NULL;
	}
	fe->res = NULL;
	fetch_free_one(fe);
	cb(r, arg);
}

/* ---------------------------------------------------------------- */
/* libev glue (evhiperfifo.c, with multi-event.c's CURL_CSELECT_*). */

/* An ev_io fired: tell curl which directions are ready. */
static void
fetch_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fetch_sock	*fs = w->data;
	int			 action = 0;

	if (revents & EV_READ)
		action |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(fetch_multi, fs->fd, action, &fetch_running);
	fetch_check();
}

/* The multi timer fired: let curl handle its timeouts. */
static void
fetch_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	curl_multi_socket_action(fetch_multi, CURL_SOCKET_TIMEOUT, 0,
	    &fetch_running);
	fetch_check();
}

/*
 * CURLMOPT_TIMERFUNCTION: (re)arm the one timer.  Never calls curl: a
 * timeout of 0 fires on the next loop iteration.
 */
static int
fetch_multi_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	ev_timer_stop(feedd_loop, &fetch_ev_timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&fetch_ev_timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(feedd_loop, &fetch_ev_timer);
	}
	return (0);
}

/* CURLMOPT_SOCKETFUNCTION: watch, change or forget one socket. */
static int
fetch_socket_cb(CURL *easy, curl_socket_t s, int what, void *arg,
    void *sockp)
{
	struct fetch_sock	*fs = sockp;
	int			 kind;

	if (what == CURL_POLL_REMOVE) {
		if (fs != NULL) {
			ev_io_stop(feedd_loop, &fs->io);
			free(fs);
		}
		curl_multi_assign(fetch_multi, s, NULL);
		return (0);
	}
	kind = ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (fs == NULL) {
		fs = xcalloc(1, sizeof *fs);
		fs->fd = s;
		ev_init(&fs->io, fetch_io_cb);
		fs->io.data = fs;
		curl_multi_assign(fetch_multi, s, fs);
	} else
		ev_io_stop(feedd_loop, &fs->io);
	ev_io_set(&fs->io, s, kind);
	ev_io_start(feedd_loop, &fs->io);
	return (0);
}

/* Drain curl's messages: each finished transfer is handled once. */
static void
fetch_check(void)
{
	CURLMsg		*msg;
	struct fetch	*fe;
	int		 left;
	char		*p;

	while ((msg = curl_multi_info_read(fetch_multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		p = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
		fe = (struct fetch *)p;
		curl_multi_remove_handle(fetch_multi, msg->easy_handle);
		fetch_finish(fe, msg->data.result);
	}
}

/* ---------------------------------------------------------------- */
/* Setup and teardown. */

/* Create the multi and share handles, with cfg's limits and options. */
int
fetch_init(const struct config *cfg, char **cause)
{
	CURLcode		 rc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		xasprintf(cause, "curl_global_init: %s",
		    curl_easy_strerror(rc));
		return (-1);
	}
	if ((fetch_multi = curl_multi_init()) == NULL ||
	    (fetch_share = curl_share_init()) == NULL) {
		*cause = xstrdup("curl_multi_init failed");
		return (-1);
	}
	/* One thread: the share needs no lock functions. */
	curl_share_setopt(fetch_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(fetch_share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(fetch_multi, CURLMOPT_SOCKETFUNCTION,
	    fetch_socket_cb);
	curl_multi_setopt(fetch_multi, CURLMOPT_TIMERFUNCTION,
	    fetch_multi_timer_cb);
	curl_multi_setopt(fetch_multi, CURLMOPT_PIPELINING,
	    (long)CURLPIPE_MULTIPLEX);
	fetch_reconfigure(cfg);
	ev_timer_init(&fetch_ev_timer, fetch_timer_cb, 0., 0.);
	return (0);
}

/*
 * Apply a (new) configuration: the connection limits now, the transfer
 * options to transfers started from now on.
 */
void
fetch_reconfigure(const struct config *cfg)
{
	curl_multi_setopt(fetch_multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)cfg->max_conns);
	curl_multi_setopt(fetch_multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)cfg->host_conns);
	curl_multi_setopt(fetch_multi, CURLMOPT_MAXCONNECTS,
	    (long)(cfg->max_conns * 2));
	free(fetch_opts.user_agent);
	fetch_opts.user_agent = xstrdup(cfg->user_agent != NULL ?
	    cfg->user_agent : PACKAGE_NAME "/" PACKAGE_VERSION);
	fetch_opts.connect_timeout = (long)cfg->connect_timeout;
	fetch_opts.timeout = (long)cfg->timeout;
	fetch_opts.low_speed_limit = (long)cfg->low_speed_limit;
	fetch_opts.low_speed_time = (long)cfg->low_speed_time;
	fetch_max_body = cfg->max_body;
	fetch_opts.allow_private = cfg->allow_private;
	free(fetch_opts.public);
	fetch_opts.public = getenv("FEEDD_PUBLIC_ADDR") != NULL ?
	    xstrdup(getenv("FEEDD_PUBLIC_ADDR")) : NULL;
}

/* Abort every transfer (no result is handed back) and release curl. */
void
fetch_free(void)
{
	struct fetch	*fe;

	while ((fe = TAILQ_FIRST(&fetch_list)) != NULL) {
		TAILQ_REMOVE(&fetch_list, fe, entry);
		if (fe->easy != NULL)
			curl_multi_remove_handle(fetch_multi, fe->easy);
		fetch_free_one(fe);
	}
	if (fetch_multi != NULL) {
		curl_multi_cleanup(fetch_multi);
		fetch_multi = NULL;
	}
	if (fetch_share != NULL) {
		curl_share_cleanup(fetch_share);
		fetch_share = NULL;
	}
	if (feedd_loop != NULL)
		ev_timer_stop(feedd_loop, &fetch_ev_timer);
	free(fetch_opts.user_agent);
	fetch_opts.user_agent = NULL;
	curl_global_cleanup();
}

/* The transport's counters since start. */
void
fetch_get_stats(struct fetch_stats *st)
{
	*st = fetch_stats;
}

/* The lower-case host name of an http(s) URL; NULL for anything else. */
char *
fetch_host(const char *url)
{
	CURLU	*u;
	char	*host = NULL, *scheme = NULL, *out = NULL, *p;

	if ((u = curl_url()) == NULL)
		return (NULL);
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		out = xstrdup(host);
		for (p = out; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return (out);
}

/* ---------------------------------------------------------------- */
/* Callbacks of one transfer. */

/* Resolve a Location against the URL it answered. */
static char *
fetch_resolve(const char *base, const char *loc)
{
	CURLU	*u;
	char	*s = NULL, *out;

	if ((u = curl_url()) == NULL)
		return (xstrdup(loc));
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, loc, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK || curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return (xstrdup(loc));
	}
	out = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return (out);
}

/* Is a header value short and free of control characters? */
static int
fetch_header_ok(const char *v, size_t len)
{
	size_t	i;

	if (len == 0 || len > FETCH_MAX_HEADER)
		return (0);
	for (i = 0; i < len; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return (0);
	}
	return (1);
}

/* A copy of a header value, or NULL if it is not fit to keep. */
static char *
fetch_header_value(const char *v, size_t len)
{
	if (!fetch_header_ok(v, len))
		return (NULL);
	return (xstrndup(v, len));
}

/* Replace *field with val (taken over). */
static void
fetch_set(char **field, char *val)
{
	free(*field);
	*field = val;
}

/* ---------------------------------------------------------------- */
/* The address policy (allow-private-networks). */

/*
 * What an address is to the policy.  Loopback, the private ranges
 * (RFC 1918, shared address space, unique local) and "this network" are
 * ADDR_PRIVATE; link-local, where cloud metadata services answer, is
 * ADDR_LINKLOCAL.  IPv4 in IPv6 (mapped, or NAT64's well-known prefix) is
 * classed by its IPv4 address.
 */
enum fetch_addr {
	ADDR_PUBLIC,
	ADDR_PRIVATE,
	ADDR_LINKLOCAL,
};

static const char *fetch_addr_names[] = {
	"a public", "a private or loopback", "a link-local"
};

static enum fetch_addr
fetch_addr_class4(const uint8_t *a)
{
	if (a[0] == 169 && a[1] == 254)
		return (ADDR_LINKLOCAL);
	if (a[0] == 0 || a[0] == 10 || a[0] == 127 ||
	    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64))
		return (ADDR_PRIVATE);
	return (ADDR_PUBLIC);
}

static enum fetch_addr
fetch_addr_class6(const uint8_t *a)
{
	static const uint8_t	mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t	nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	static const uint8_t	zero[15];

	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return (fetch_addr_class4(a + 12));
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return (ADDR_LINKLOCAL);
	if (memcmp(a, zero, 15) == 0 ||		/* ::, ::1 */
	    (a[0] & 0xfe) == 0xfc ||			/* fc00::/7 */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0))	/* fec0::/10 */
		return (ADDR_PRIVATE);
	return (ADDR_PUBLIC);
}

/*
 * Whether ip:port is listed in $FEEDD_PUBLIC_ADDR ("ADDR:PORT ..."), which
 * the tests use to stand a loopback server in for a public one.
 */
static int
fetch_addr_listed(const char *ip, long port)
{
	char		 want[INET6_ADDRSTRLEN + 16];
	const char	*s;
	size_t		 n;

	if (fetch_opts.public == NULL)
		return (0);
	n = (size_t)snprintf(want, sizeof want, "%s:%ld", ip, port);
	for (s = fetch_opts.public; (s = strstr(s, want)) != NULL; s++)
		if ((s == fetch_opts.public || s[-1] == ' ' ||
		    s[-1] == ',') && (s[n] == '\0' || s[n] == ' ' ||
		    s[n] == ','))
			return (1);
	return (0);
}

/* The class of a numeric address (CURLINFO_PRIMARY_IP) and port. */
static enum fetch_addr
fetch_addr_class_str(const char *ip, long port)
{
	uint8_t	a[16];

	if (fetch_addr_listed(ip, port))
		return (ADDR_PUBLIC);
	if (inet_pton(AF_INET, ip, a) == 1)
		return (fetch_addr_class4(a));
	if (inet_pton(AF_INET6, ip, a) == 1)
		return (fetch_addr_class6(a));
	return (ADDR_PUBLIC);
}

/*
 * Whether the transfer may talk to ip:port, for the URL (before any
 * response) or for a redirect; when not, fe->refused says why.  A
 * link-local address is refused always, a private or loopback one when
 * the chain came from a public address: the feeds file may name a feed
 * on the LAN, a stranger's redirect may not lead there.
 * allow-private-networks lifts both.
 */
static int
fetch_addr_allowed(struct fetch *fe, const char *ip, long port)
{
	enum fetch_addr	c;

	if (fetch_opts.allow_private ||
	    (c = fetch_addr_class_str(ip, port)) == ADDR_PUBLIC)
		return (1);
	if (c == ADDR_PRIVATE && fe->nresp == 0) {
		fe->origin_private = 1;		/* the feeds file's own URL */
		return (1);
	}
	if (c == ADDR_PRIVATE && fe->origin_private)
		return (1);
	free(fe->refused);
	if (fe->nresp == 0)
		xasprintf(&fe->refused, "%s is %s address: refused "
		    "(allow-private-networks)", ip, fetch_addr_names[c]);
	else
		xasprintf(&fe->refused, "redirect to %s refused: %s is %s "
		    "address (allow-private-networks)", fe->location != NULL ?
		    fe->location : "?", ip, fetch_addr_names[c]);
	return (0);
}

/*
 * CURLOPT_OPENSOCKETFUNCTION: the address curl is about to connect to, for
 * the URL or for a redirect, after DNS (so a name that resolves somewhere
 * else the second time gains nothing): a refused one is not connected to.
 */
static curl_socket_t
fetch_opensocket_cb(void *arg, curlsocktype purpose,
    struct curl_sockaddr *sa)
{
	struct fetch		*fe = arg;
	struct sockaddr_in	*in4 = (struct sockaddr_in *)&sa->addr;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)&sa->addr;
	char			 ip[INET6_ADDRSTRLEN];

	if (purpose == CURLSOCKTYPE_IPCXN && sa->family == AF_INET) {
		inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof ip);
		if (!fetch_addr_allowed(fe, ip, ntohs(in4->sin_port)))
			return (CURL_SOCKET_BAD);
	} else if (purpose == CURLSOCKTYPE_IPCXN && sa->family == AF_INET6) {
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
		if (!fetch_addr_allowed(fe, ip, ntohs(in6->sin6_port)))
			return (CURL_SOCKET_BAD);
	}
	return (socket(sa->family, sa->socktype, sa->protocol));
}

/*
 * CURLOPT_PREREQFUNCTION: the address of the connection a request is
 * about to go out on, new or reused.  A redirect to a host another
 * transfer is connected to reuses that connection without opening a
 * socket: this catches it before the request is sent.
 */
static int
fetch_prereq_cb(void *arg, char *ip, char *local_ip, int port,
    int local_port)
{
	return (fetch_addr_allowed(arg, ip, port) ? CURL_PREREQFUNC_OK :
	    CURL_PREREQFUNC_ABORT);
}

/* A new response starts (status line): forget the previous one's fields. */
static void
fetch_new_response(struct fetch *fe, int status, const char *reason,
    size_t rlen)
{
	struct fetch_result	*r = fe->res;

	fe->nresp++;
	fetch_set(&fe->reason, rlen > 0 ? fetch_header_value(reason, rlen) :
	    NULL);
	fetch_set(&fe->location, NULL);
	fetch_set(&r->etag, NULL);
	fetch_set(&r->last_modified, NULL);
	fetch_set(&r->cache_control, NULL);
	fetch_set(&r->expires, NULL);
	fetch_set(&r->retry_after, NULL);
	fe->status = status;
}

/* The headers a result keeps, by name; the last of each counts. */
static char **
fetch_header_field(struct fetch_result *r, const char *name, size_t nlen)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} fields[] = {
		{ "ETag", offsetof(struct fetch_result, etag) },
		{ "Last-Modified", offsetof(struct fetch_result,
		    last_modified) },
		{ "Cache-Control", offsetof(struct fetch_result,
		    cache_control) },
		{ "Expires", offsetof(struct fetch_result, expires) },
		{ "Retry-After", offsetof(struct fetch_result, retry_after) },
	};
	size_t	i;

	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (strlen(fields[i].name) == nlen &&
		    strncasecmp(name, fields[i].name, nlen) == 0)
			return ((char **)((char *)r + fields[i].off));
	}
	return (NULL);
}

/* CURLOPT_HEADERFUNCTION: one header line of any response in the chain. */
static size_t
fetch_header_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct fetch		*fe = arg;
	struct fetch_result	*r = fe->res;
	size_t			 len = size * n, nlen, vlen;
	const char		*colon, *v, *end;
	char			*val, *url = NULL, **field;
	int			 status;

	end = buf + len;
	while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	len = (size_t)(end - buf);
	if (len > 5 && strncmp(buf, "HTTP/", 5) == 0) {
		v = memchr(buf, ' ', len);
		if (v == NULL)
			return (size * n);
		v++;
		status = 0;
		while (v < end && isdigit((unsigned char)*v))
			status = status * 10 + (*v++ - '0');
		while (v < end && *v == ' ')
			v++;
		if (status >= 100 && status < 200)
			return (size * n);	/* 100 Continue and friends */
		fetch_new_response(fe, status, v, (size_t)(end - v));
		return (size * n);
	}
	if ((colon = memchr(buf, ':', len)) == NULL)
		return (size * n);
	nlen = (size_t)(colon - buf);
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	vlen = (size_t)(end - v);
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if ((val = fetch_header_value(v, vlen)) == NULL)
		return (size * n);
	if ((field = fetch_header_field(r, buf, nlen)) != NULL) {
		fetch_set(field, val);
		return (size * n);
	}
	if (nlen == 8 && strncasecmp(buf, "Location", 8) == 0 &&
	    fe->status >= 300 && fe->status < 400) {
		curl_easy_getinfo(fe->easy, CURLINFO_EFFECTIVE_URL, &url);
		fetch_set(&fe->location, fetch_resolve(url != NULL ? url :
		    fe->url, val));
		if (strncasecmp(url != NULL ? url : fe->url, "https:", 6) == 0 &&
		    strncasecmp(fe->location, "http:", 5) == 0) {
			/* What came over TLS does not go on in the clear. */
			xasprintf(&fe->refused, "redirect from https to %s "
			    "refused", fe->location);
			free(val);
			return (0);
		}
		/* A permanent redirect is recorded while the chain stays so. */
		if (fe->perm_chain &&
		    (fe->status == 301 || fe->status == 308))
			fetch_set(&r->redirect_url, xstrdup(fe->location));
		else
			fe->perm_chain = 0;
	}
	free(val);
	return (size * n);
}

/* Make the parser on the first body byte of a successful response. */
static void
fetch_parser_start(struct fetch *fe, const char *base)
{
	if (fe->parser == NULL)
		fe->parser = parser_new(base, fetch_item_cb, fe);
}

/*
 * Count decoded bytes against max-body: how many of n are within it (n
 * while the body is; fewer, and too_big set, once it is not).
 */
static size_t
fetch_count(struct fetch *fe, size_t n)
{
	int64_t	left = fetch_max_body - fe->res->bytes;

	if (fetch_max_body > 0 && (int64_t)n > left) {
		fe->too_big = 1;
		n = left > 0 ? (size_t)left : 0;
	}
	fe->res->bytes += (int64_t)n;
	fetch_stats.bytes += (int64_t)n;
	return (n);
}

/*
 * CURLOPT_WRITEFUNCTION: decoded body bytes.  A 2xx body goes to the parser
 * as it comes; other bodies are counted and dropped.  Returning 0 aborts.
 */
static size_t
fetch_write_cb(char *ptr, size_t size, size_t n, void *arg)
{
	struct fetch	*fe = arg;
	size_t		 len = size * n, keep;
	char		*url = NULL;

	keep = fetch_count(fe, len);
	if (fe->status < 200 || fe->status > 299)
		return (keep == len ? len : 0);
	if (fe->parser == NULL) {
		curl_easy_getinfo(fe->easy, CURLINFO_EFFECTIVE_URL, &url);
		fetch_parser_start(fe, url != NULL ? url : fe->url);
	}
	/* keep_body: a document that is no feed is still read whole. */
	if (fe->keep_body)
		buf_add(&fe->res->body, ptr, keep);
	if (fe->keep_body && fe->parse_failed)
		return (keep == len ? len : 0);
	/* Over max-body: what fits is parsed, for the items it holds. */
	if (keep > 0 && parser_push(fe->parser, ptr, keep) != 0) {
		fe->parse_failed = 1;
		return (fe->keep_body && keep == len ? len : 0);
	}
	return (keep == len ? len : 0);
}

/* ---------------------------------------------------------------- */
/* Outcomes. */

/* The message for a failed transfer. */
static char *
fetch_error(struct fetch *fe, CURLcode rc)
{
	char	*s, *msg = NULL;

	if (fe->refused != NULL)
		return (xstrdup(fe->refused));
	if (fe->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		xasprintf(&s, "body exceeds max-body (%lld bytes)",
		    (long long)fetch_max_body);
		return (s);
	}
	if (fe->parse_failed && fe->parser != NULL) {
		if (parser_finish(fe->parser, &msg) != 0 && msg != NULL)
			return (msg);
		free(msg);
		return (xstrdup("parse error"));
	}
	if (rc == CURLE_TOO_MANY_REDIRECTS) {
		xasprintf(&s, "too many redirects (more than %d)",
		    FETCH_MAX_REDIRS);
		return (s);
	}
	if (rc == CURLE_UNSUPPORTED_PROTOCOL && fe->location != NULL) {
		xasprintf(&s, "redirect to %s refused: only http and https",
		    fe->location);
		return (s);
	}
	if (fe->errbuf[0] != '\0')
		return (xstrdup(fe->errbuf));
	return (xstrdup(curl_easy_strerror(rc)));
}

/*
 * Whether a failed transfer made no connection at all: refused,
 * unreachable, timed out before it was set up, or its TLS handshake
 * failed, with no response and no redirect followed.  A certificate that
 * does not verify is not this: that server answered.  (feedctl add of a
 * bare host tries http:// only then.)
 */
static int
fetch_unreachable(struct fetch *fe, CURLcode rc)
{
	long		 code = 0, redirs = 0;
	curl_off_t	 pre = 0;

	if (fe->refused != NULL)
		return (0);
	if (rc != CURLE_COULDNT_CONNECT && rc != CURLE_SSL_CONNECT_ERROR &&
	    rc != CURLE_OPERATION_TIMEDOUT)
		return (0);
	curl_easy_getinfo(fe->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(fe->easy, CURLINFO_REDIRECT_COUNT, &redirs);
	if (code != 0 || redirs != 0)
		return (0);
	/* A timeout after the connection was set up is a slow server. */
	if (rc == CURLE_OPERATION_TIMEDOUT && (curl_easy_getinfo(fe->easy,
	    CURLINFO_PRETRANSFER_TIME_T, &pre) != CURLE_OK || pre != 0))
		return (0);
	return (1);
}

/*
 * Whether a document cut at max-body keeps the items read before the cap:
 * then the result carries the warning.  (The parser's verdict on a
 * document cut short is no news.)
 */
static int
fetch_truncated(struct fetch *fe)
{
	char	*cause = NULL;

	if (!fe->too_big || fe->parse_failed || fe->parser == NULL ||
	    fe->res->nitems == 0)
		return (0);
	parser_finish(fe->parser, &cause);
	free(cause);
	xasprintf(&fe->res->warning, "truncated: the body exceeds max-body "
	    "(%lld bytes); kept the %zu items before it",
	    (long long)fetch_max_body, fe->res->nitems);
	return (1);
}

/* A transfer ended (curl's result in rc): decide the outcome, hand back. */
static void
fetch_finish(struct fetch *fe, CURLcode rc)
{
	enum fetch_outcome	 oc;
	long			 code = 0;
	char			*error = NULL, *url = NULL;

	TAILQ_REMOVE(&fetch_list, fe, entry);
	fetch_stats.in_flight--;
	curl_easy_getinfo(fe->easy, CURLINFO_RESPONSE_CODE, &code);
	if (fe->keep_body && curl_easy_getinfo(fe->easy,
	    CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url != NULL)
		fe->res->final_url = xstrdup(url);
	/* Only a chain that ended in a response says where it went. */
	fe->res->complete = rc == CURLE_OK;
	if (rc != CURLE_OK && code >= 200 && code <= 299 &&
	    fetch_truncated(fe))
		oc = FETCH_OK;
	else if (rc != CURLE_OK) {
		oc = FETCH_ERROR;
		error = fetch_error(fe, rc);
		fe->res->unreachable = fetch_unreachable(fe, rc);
	} else if (code >= 200 && code <= 299) {
		fetch_parser_start(fe, fe->url);
		if (parser_finish(fe->parser, &error) != 0) {
			oc = FETCH_ERROR;
			if (error == NULL)
				error = xstrdup("parse error");
		} else
			oc = FETCH_OK;
	} else if (code == 304)
		oc = FETCH_NOT_MODIFIED;
	else if (code == 410)
		oc = FETCH_GONE;
	else {
		oc = FETCH_ERROR;
		xasprintf(&error, "%ld%s%s", code, fe->reason != NULL ? " " :
		    "", fe->reason != NULL ? fe->reason : "");
	}
	fetch_done(fe, oc, (int)code, error);
}

/* ---------------------------------------------------------------- */
/* Starting a fetch. */

/*
 * Read a file:// feed from disk into the parser and finish.  The file's
 * size and mtime are its ETag: when they are the stored one, the outcome
 * is FETCH_NOT_MODIFIED and the file is not read.
 */
static void
fetch_file(struct fetch *fe, const char *stored_etag)
{
	struct stat	 sb;
	CURLU		*u;
	char		*path = NULL, *host = NULL, *error = NULL, *stamp;
	char		 buf[65536];
	ssize_t		 n;
	size_t		 keep;
	int		 fd = -1;
	enum fetch_outcome oc = FETCH_ERROR;

	if ((u = curl_url()) != NULL &&
	    curl_url_set(u, CURLUPART_URL, fe->url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK && curl_url_get(u, CURLUPART_PATH, &path,
	    CURLU_URLDECODE) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_HOST, &host, 0);
		if (host != NULL && *host != '\0' &&
		    strcasecmp(host, "localhost") != 0)
			error = xstrdup("file URL names another host");
	} else
		error = xstrdup("bad file URL");
	curl_url_cleanup(u);
	/* Never block the loop: a FIFO or device is refused, not read. */
	if (error == NULL && ((fd = open(path, O_RDONLY | O_CLOEXEC |
	    O_NONBLOCK)) == -1 || fstat(fd, &sb) != 0))
		xasprintf(&error, "%s: %s", path, strerror(errno));
	else if (error == NULL && !S_ISREG(sb.st_mode))
		xasprintf(&error, "%s: not a regular file", path);
	if (error != NULL)
		goto done;

	xasprintf(&stamp, "\"%llx-%llx.%lx\"", (long long)sb.st_size,
	    (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec);
	if (stored_etag != NULL && strcmp(stored_etag, stamp) == 0) {
		oc = FETCH_NOT_MODIFIED;
		free(stamp);
		goto done;
	}
	fe->res->etag = stamp;
	fetch_parser_start(fe, fe->url);
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(&error, "%s: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		keep = fetch_count(fe, (size_t)n);
		if (keep > 0 && parser_push(fe->parser, buf, keep) != 0)
			break;
		if (fe->too_big) {
			if (fetch_truncated(fe))
				oc = FETCH_OK;
			else
				error = fetch_error(fe, CURLE_OK);
			goto done;
		}
	}
	if (parser_finish(fe->parser, &error) != 0) {
		if (error == NULL)
			error = xstrdup("parse error");
	} else
		oc = FETCH_OK;
done:
	if (fd != -1)
		close(fd);
	curl_free(path);
	curl_free(host);
	fetch_done(fe, oc, 0, error);
}

/*
 * Fetch one feed document: req->url, conditionally on req's validators
 * (sent verbatim).  cb(result, arg) runs once when it is over, on the loop
 * thread, with a result the callee frees (fetch_result_free); for a local
 * file, or when the transfer cannot start, that is before fetch_start
 * returns.
 */
void
fetch_start(const struct fetch_request *req, fetch_done_cb cb, void *arg)
{
	struct fetch	*fe;
	char		*h;
	CURL		*e;
	CURLMcode	 mc;

	fe = xcalloc(1, sizeof *fe);
	fe->url = xstrdup(req->url);
	fe->cb = cb;
	fe->arg = arg;
	fe->perm_chain = 1;
	fe->keep_body = req->keep_body;
	fe->started = ev_time();
	fe->res = xcalloc(1, sizeof *fe->res);
	fe->res->started = util_now();
	if (strncasecmp(req->url, "file:", 5) == 0) {
		fetch_file(fe, req->etag);
		return;
	}

	if ((e = fe->easy = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	curl_easy_setopt(e, CURLOPT_URL, fe->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)fe);
	curl_easy_setopt(e, CURLOPT_SHARE, fetch_share);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, fe->errbuf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	/*
	 * Wait for a connection that can multiplex only where HTTP/2 is to
	 * be had (https): on plain http, PIPEWAIT queues new transfers
	 * behind one slow response from the same host.
	 */
	if (strncasecmp(fe->url, "https:", 6) == 0)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, fetch_opts.user_agent);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, fetch_opts.connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, fetch_opts.timeout);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
	    fetch_opts.low_speed_limit);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, fetch_opts.low_speed_time);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, fe);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, fetch_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, fe);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, fetch_opensocket_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, fe);
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, fetch_prereq_cb);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, fe);

	if (req->etag != NULL && fetch_header_ok(req->etag,
	    strlen(req->etag))) {
		xasprintf(&h, "If-None-Match: %s", req->etag);
		fe->headers = curl_slist_append(fe->headers, h);
		free(h);
	}
	if (req->last_modified != NULL && fetch_header_ok(req->last_modified,
	    strlen(req->last_modified))) {
		xasprintf(&h, "If-Modified-Since: %s", req->last_modified);
		fe->headers = curl_slist_append(fe->headers, h);
		free(h);
	}
	if (fe->headers != NULL)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, fe->headers);

	log_debug("%s: fetching", fe->url);
	TAILQ_INSERT_TAIL(&fetch_list, fe, entry);
	fetch_stats.in_flight++;
	if ((mc = curl_multi_add_handle(fetch_multi, e)) != CURLM_OK) {
		TAILQ_REMOVE(&fetch_list, fe, entry);
		fetch_stats.in_flight--;
		fetch_done(fe, FETCH_ERROR, 0,
		    xstrdup(curl_multi_strerror(mc)));
	}
}
