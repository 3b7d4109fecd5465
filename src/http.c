/*
 * http.c: feedd-http, the Miniflux v1 API over HTTP (feedd-http(8)).
 *
 * A companion of feedd in the OpenBSD privilege-separation spirit: it
 * holds no database handle and no feeds file, only the path of feedd's
 * socket, and turns each HTTP request into requests of the socket
 * protocol (http_api.c).  HTTP itself is libmicrohttpd's: this file owns
 * the server, its limits, authentication and the per-address throttle of
 * failed logins; http_api.c the routes and the JSON.
 *
 * The server runs a small pool of threads (epoll); a request blocks its
 * thread while feedd answers, which is a local round trip.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "feedd.h"

#define HTTP_THREADS		4	/* the server's thread pool */
#define HTTP_MAX_CONNS		512	/* connections in all */
#define HTTP_MAX_PER_IP		256	/* connections from one address */
#define HTTP_IDLE_TIMEOUT	30	/* s a connection may sit idle */
#define HTTP_CONN_MEMORY	(32 * 1024) /* per connection: bounds the
					   request line and headers */
#define HTTP_MAX_BODY		(64 * 1024) /* request body cap, bytes */
#define HTTP_FAIL_MAX		5	/* failed logins from an address ... */
#define HTTP_FAIL_WINDOW	60	/* ... in this many s: 429 until the
					   window ends */
#define HTTP_FAIL_SLOTS		64	/* addresses remembered */

/* One request, from its headers to its answer. */
struct http_req {
	struct MHD_Connection	*conn;
	const char		*method;
	char			*path;		/* "//" collapsed, no
						   trailing "/" */
	struct buf		 body;
	int			 too_large;
	char			 addr[INET6_ADDRSTRLEN];
};

/* The answer being built. */
struct http_resp {
	int			 status;
	char			*data;		/* malloc'd, or NULL */
	size_t			 len;
	const char		*ctype;
	const char		*hname;		/* one extra header, or NULL */
	char			 hvalue[64];

	/* A streamed body instead of data (http_resp_stream()). */
	int			(*fill)(void *, struct buf *);
	void			(*sfree)(void *);
	void			*scls;
};

/* A streamed body being sent: what fill() made and how much is sent. */
struct http_stream {
	int			(*fill)(void *, struct buf *);
	void			(*sfree)(void *);
	void			*cls;
	struct buf		 b;
	size_t			 off;
	int			 done;		/* 1 end, -1 error */
};

/* Failed logins of one address within the window. */
struct http_fail {
	char			 addr[INET6_ADDRSTRLEN];
	time_t			 first;
	int			 count;
};

static char		*http_user;
static char		*http_password;
static char		*http_token;
static struct http_fail	 http_fails[HTTP_FAIL_SLOTS];
static pthread_mutex_t	 http_fails_lock = PTHREAD_MUTEX_INITIALIZER;

static __dead void
http_usage(void)
{
	fprintf(stderr, "usage: feedd-http --socket PATH --listen ADDR:PORT "
	    "[--user NAME --password-file FILE]\n"
	    "                  [--token-file FILE] [--allow-remote] [-v]\n");
	exit(1);
}

/* Monotonic seconds, for the login throttle. */
static time_t
http_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec);
}

/*
 * Compare a secret in time that depends on the secret's length only,
 * never on where the first difference is.
 */
static int
http_secret_equal(const char *given, const char *secret)
{
	size_t		 glen = strlen(given), slen = strlen(secret), i;
	unsigned char	 diff = glen != slen;

	for (i = 0; i < slen; i++)
		diff |= (unsigned char)((i < glen ? given[i] : 0) ^ secret[i]);
	return (diff == 0);
}

/* The throttle's slot for addr (a free or the oldest one if new). */
static struct http_fail *
http_fail_slot(const char *addr, time_t now)
{
	struct http_fail	*f, *old = &http_fails[0];
	size_t			 i;

	for (i = 0; i < HTTP_FAIL_SLOTS; i++) {
		f = &http_fails[i];
		if (strcmp(f->addr, addr) == 0)
			return (f);
		if (f->addr[0] == '\0' || f->first < old->first)
			old = f;
	}
	memset(old, 0, sizeof *old);
	(void)snprintf(old->addr, sizeof old->addr, "%s", addr);
	old->first = now;
	return (old);
}

/*
 * Seconds addr must wait before it may try to log in again (0: it may).
 * fail adds a failed attempt, ok forgets the address.
 */
static int
http_throttle(const char *addr, int fail, int ok)
{
	struct http_fail	*f;
	time_t			 now = http_mono();
	int			 wait = 0;

	pthread_mutex_lock(&http_fails_lock);
	f = http_fail_slot(addr, now);
	if (now - f->first >= HTTP_FAIL_WINDOW) {
		f->first = now;
		f->count = 0;
	}
	if (ok)
		memset(f, 0, sizeof *f);
	else {
		if (fail)
			f->count++;
		if (f->count >= HTTP_FAIL_MAX)
			wait = (int)(f->first + HTTP_FAIL_WINDOW - now);
	}
	pthread_mutex_unlock(&http_fails_lock);
	return (wait);
}

/*
 * Authenticate as Miniflux does: an X-Auth-Token header is checked alone,
 * else Basic credentials.  Returns 0 (in), 401, or 429 (too many failures
 * from this address: even right credentials wait).  Only credentials that
 * are wrong count as a failure: a request that brings none (a browser's
 * first, a client's probe) is answered 401 and never locks anyone out.
 */
static int
http_auth(struct http_req *r, struct http_resp *resp)
{
	const char	*token;
	char		*user, *pass = NULL;
	int		 ok = 0, tried = 1, wait;

	if ((wait = http_throttle(r->addr, 0, 0)) > 0)
		goto throttled;
	token = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "X-Auth-Token");
	if (token != NULL && *token != '\0')
		ok = http_token != NULL && http_secret_equal(token, http_token);
	else {
		user = MHD_basic_auth_get_username_password(r->conn, &pass);
		tried = user != NULL;
		ok = user != NULL && pass != NULL && http_user != NULL &&
		    http_password != NULL &&
		    http_secret_equal(user, http_user) &
		    http_secret_equal(pass, http_password);
		if (user != NULL)
			MHD_free(user);
		if (pass != NULL)
			MHD_free(pass);
	}
	if (ok) {
		(void)http_throttle(r->addr, 0, 1);
		return (0);
	}
	if ((wait = http_throttle(r->addr, tried, 0)) > 0) {
		log_warnx("%s: %d failed logins: refused for %d s", r->addr,
		    HTTP_FAIL_MAX, wait);
		goto throttled;
	}
	log_info("%s: %s %s: authentication failed", r->addr, r->method,
	    r->path);
	resp->hname = "WWW-Authenticate";
	(void)snprintf(resp->hvalue, sizeof resp->hvalue,
	    "Basic realm=\"feedd\"");
	http_resp_error(resp, 401, "access unauthorized");
	return (401);
throttled:
	resp->hname = "Retry-After";
	(void)snprintf(resp->hvalue, sizeof resp->hvalue, "%d", wait);
	http_resp_error(resp, 429, "too many failed logins, try again later");
	return (429);
}

/* ---------------------------------------------------------------- */
/* Accessors for http_api.c. */

const char *
http_req_method(struct http_req *r)
{
	return (r->method);
}

const char *
http_req_path(struct http_req *r)
{
	return (r->path);
}

/* A query argument (decoded), or NULL. */
const char *
http_req_arg(struct http_req *r, const char *key)
{
	return (MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    key));
}

/* Collects the values of one repeated query argument. */
struct http_args {
	const char	*key;
	const char	**out;
	int		 max;
	int		 n;
};

static enum MHD_Result
http_args_cb(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_args	*a = cls;

	if (strcmp(key, a->key) == 0 && a->n < a->max)
		a->out[a->n++] = value != NULL ? value : "";
	return (MHD_YES);
}

/* Every value of a repeated query argument (at most max); their count. */
int
http_req_args(struct http_req *r, const char *key, const char **out, int max)
{
	struct http_args	a = { key, out, max, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND,
	    http_args_cb, &a);
	return (a.n);
}

/* The request body (NUL-terminated) and its length. */
const char *
http_req_body(struct http_req *r, size_t *len)
{
	*len = r->body.len;
	return (r->body.data != NULL ? r->body.data : "");
}

/* Answer with a JSON value (taken), compact. */
void
http_resp_json(struct http_resp *resp, int status, json_t *v)
{
	char	*s;

	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(v);
	if (s == NULL)
		fatalx("json_dumps: out of memory");
	free(resp->data);
	resp->status = status;
	resp->data = s;
	resp->len = strlen(s);
	resp->ctype = "application/json";
}

/* Answer with Miniflux's error shape, {"error_message":"..."}. */
void
http_resp_error(struct http_resp *resp, int status, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	http_resp_json(resp, status, json_pack("{s:s}", "error_message",
	    msg));
	free(msg);
}

/* Answer with data (taken; NULL for no body) of a content type. */
void
http_resp_raw(struct http_resp *resp, int status, const char *ctype,
    char *data, size_t len)
{
	free(resp->data);
	resp->status = status;
	resp->ctype = ctype;
	resp->data = data;
	resp->len = data != NULL ? len : 0;
}

/*
 * Answer with a body made as it is sent: fill(cls, b) appends the next
 * part to b and returns 0, or 1 after the last part, or -1 to cut the
 * answer off (the client sees a truncated body); sfree(cls) at the end.
 * A listing of 10,000 feeds never sits whole in memory.
 */
void
http_resp_stream(struct http_resp *resp, int status, const char *ctype,
    int (*fill)(void *, struct buf *), void (*sfree)(void *), void *cls)
{
	free(resp->data);
	resp->data = NULL;
	resp->len = 0;
	resp->status = status;
	resp->ctype = ctype;
	resp->fill = fill;
	resp->sfree = sfree;
	resp->scls = cls;
}

/* ---------------------------------------------------------------- */
/* The server. */

/* MHD's content reader for a streamed body. */
static ssize_t
http_stream_cb(void *cls, uint64_t pos, char *out, size_t max)
{
	struct http_stream	*st = cls;
	size_t			 n;

	while (st->off == st->b.len && st->done == 0) {
		st->off = st->b.len = 0;
		st->done = st->fill(st->cls, &st->b);
	}
	if (st->off == st->b.len)
		return (st->done > 0 ? MHD_CONTENT_READER_END_OF_STREAM :
		    MHD_CONTENT_READER_END_WITH_ERROR);
	n = st->b.len - st->off;
	if (n > max)
		n = max;
	memcpy(out, st->b.data + st->off, n);
	st->off += n;
	return ((ssize_t)n);
}

/* The end of a streamed body. */
static void
http_stream_free_cb(void *cls)
{
	struct http_stream	*st = cls;

	if (st->sfree != NULL)
		st->sfree(st->cls);
	buf_free(&st->b);
	free(st);
}

/* The path with "//" collapsed and no trailing "/" (Newsboat adds one). */
static char *
http_norm_path(const char *url)
{
	char	*p = xstrdup(url), *d = p;
	const char *s;

	for (s = url; *s != '\0'; s++) {
		if (*s == '/' && d > p && d[-1] == '/')
			continue;
		*d++ = *s;
	}
	*d = '\0';
	while (d > p + 1 && d[-1] == '/')
		*--d = '\0';
	return (p);
}

/* Send resp on the connection. */
static enum MHD_Result
http_send(struct MHD_Connection *conn, struct http_resp *resp)
{
	struct MHD_Response	*mr;
	struct http_stream	*st;
	enum MHD_Result		 ret;

	if (resp->fill != NULL) {
		st = xcalloc(1, sizeof *st);
		st->fill = resp->fill;
		st->sfree = resp->sfree;
		st->cls = resp->scls;
		resp->fill = NULL;
		mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
		    32 * 1024, http_stream_cb, st, http_stream_free_cb);
		if (mr == NULL) {
			http_stream_free_cb(st);
			return (MHD_NO);
		}
	} else {
		mr = MHD_create_response_from_buffer(resp->len,
		    resp->data != NULL ? resp->data : (void *)"",
		    resp->data != NULL ? MHD_RESPMEM_MUST_FREE :
		    MHD_RESPMEM_PERSISTENT);
		if (mr == NULL) {
			free(resp->data);
			resp->data = NULL;
			return (MHD_NO);
		}
		resp->data = NULL;
	}
	if (resp->ctype != NULL)
		MHD_add_response_header(mr, "Content-Type", resp->ctype);
	if (resp->hname != NULL)
		MHD_add_response_header(mr, resp->hname, resp->hvalue);
	MHD_add_response_header(mr, "Access-Control-Allow-Origin", "*");
	MHD_add_response_header(mr, "Access-Control-Allow-Methods",
	    "GET, POST, PUT, DELETE, OPTIONS");
	MHD_add_response_header(mr, "Access-Control-Allow-Headers",
	    "X-Auth-Token, Authorization, Content-Type, Accept");
	ret = MHD_queue_response(conn, (unsigned int)resp->status, mr);
	MHD_destroy_response(mr);
	return (ret);
}

/* The client's address as text. */
static void
http_peer(struct MHD_Connection *conn, char *out, size_t len)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;

	(void)snprintf(out, len, "?");
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    out, (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		    (socklen_t)len);
}

/*
 * MHD's access handler: called once with the headers, then with each
 * piece of the body, then once more to answer.
 */
static enum MHD_Result
http_access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_req		*r = *con_cls;
	struct http_resp	 resp;
	const char		*cl;
	int64_t			 n;

	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		r->conn = conn;
		r->method = method;
		r->path = http_norm_path(url);
		http_peer(conn, r->addr, sizeof r->addr);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && (util_parse_int(cl, 0, INT64_MAX, &n) != 0 ||
		    n > HTTP_MAX_BODY))
			r->too_large = 1;
		*con_cls = r;
		return (MHD_YES);
	}
	if (*upload_data_size != 0) {
		if (!r->too_large && r->body.len + *upload_data_size <=
		    HTTP_MAX_BODY)
			buf_add(&r->body, upload_data, *upload_data_size);
		else
			r->too_large = 1;
		*upload_data_size = 0;
		return (MHD_YES);
	}

	memset(&resp, 0, sizeof resp);
	if (strcmp(method, "OPTIONS") == 0)
		http_resp_raw(&resp, 204, NULL, NULL, 0);
	else if (strcmp(r->path, "/healthcheck") == 0 &&
	    strcmp(method, "GET") == 0)
		http_api_dispatch(r, &resp);
	else if (http_auth(r, &resp) != 0)
		;
	else if (r->too_large)
		http_resp_error(&resp, 413, "request body larger than %d bytes",
		    HTTP_MAX_BODY);
	else
		http_api_dispatch(r, &resp);
	if (resp.status == 0)
		http_resp_error(&resp, 500, "no answer");
	log_debug("%s: %s %s: %d", r->addr, method, r->path, resp.status);
	return (http_send(conn, &resp));
}

/*
 * Decode %XX in the path and the query as libmicrohttpd does, except in
 * a string holding "%00": decoded, its NUL would end the C string early,
 * and "/v1/feeds/%00" would be routed as "/v1/feeds".  Such a string is
 * left as it came, so that it matches no route and no valid value.
 */
static size_t
http_unescape_cb(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	if (strstr(s, "%00") != NULL)
		return (strlen(s));
	return (MHD_http_unescape(s));
}

/* A request is over (answered, or its connection gone): free it. */
static void
http_completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req	*r = *con_cls;

	if (r == NULL)
		return;
	buf_free(&r->body);
	free(r->path);
	free(r);
	*con_cls = NULL;
}

/*
 * libmicrohttpd's own messages go to our log, at the debug level: they
 * are per connection ("connection limit reached" for each one refused),
 * and what stops the server is reported by us.
 */
static void
http_mhd_log_cb(void *cls, const char *fmt, va_list ap)
{
	char	*s;

	xvasprintf(&s, fmt, ap);
	s[strcspn(s, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", s);
	free(s);
}

/* Read one secret file or exit. */
static char *
http_secret(const char *path)
{
	char	*s, *cause = NULL;

	if ((s = http_conf_read_secret(path, &cause)) == NULL)
		fatalx("%s", cause);
	return (s);
}

/* Parse the flags, start the server, wait for SIGTERM or SIGINT. */
int
main(int argc, char **argv)
{
	struct sockaddr_storage	 ss;
	struct MHD_Daemon	*d;
	sigset_t		 set;
	const char		*sock = NULL, *listen = NULL;
	const char		*pwfile = NULL, *tokfile = NULL;
	char			*cause = NULL;
	int			 i, remote = 0, verbose = 0, sig;

	log_init("feedd-http", LOG_NOTICE, -1);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose++;
		else if (strcmp(argv[i], "--allow-remote") == 0)
			remote = 1;
		else if (i + 1 >= argc)
			http_usage();
		else if (strcmp(argv[i], "--socket") == 0)
			sock = argv[++i];
		else if (strcmp(argv[i], "--listen") == 0)
			listen = argv[++i];
		else if (strcmp(argv[i], "--user") == 0)
			http_user = xstrdup(argv[++i]);
		else if (strcmp(argv[i], "--password-file") == 0)
			pwfile = argv[++i];
		else if (strcmp(argv[i], "--token-file") == 0)
			tokfile = argv[++i];
		else
			http_usage();
	}
	if (sock == NULL || listen == NULL)
		http_usage();
	log_setlevel(verbose > 0 ? LOG_DEBUG : LOG_INFO);
	if (http_conf_parse_listen(listen, &ss, &cause) != 0)
		fatalx("%s", cause);
	if (!http_conf_is_loopback(&ss) && !remote)
		fatalx("%s: not a loopback address (--allow-remote)", listen);
	if ((http_user == NULL) != (pwfile == NULL))
		fatalx("--user and --password-file go together");
	if (pwfile != NULL)
		http_password = http_secret(pwfile);
	if (tokfile != NULL)
		http_token = http_secret(tokfile);
	if (http_password == NULL && http_token == NULL)
		fatalx("no --password-file nor --token-file");
	http_api_init(sock, http_user);

	/* The server's threads inherit this mask: signals come to sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC | MHD_USE_ERROR_LOG |
	    (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    0, NULL, NULL, http_access_cb, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log_cb, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)HTTP_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_IDLE_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed_cb, NULL,
	    MHD_OPTION_UNESCAPE_CALLBACK, http_unescape_cb, NULL,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
	    MHD_OPTION_END);
	if (d == NULL)
		fatalx("%s: cannot listen (address in use?)", listen);
	log_info("listening on %s, feedd at %s", listen, sock);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
	}
	log_info("signal %d: stopping", sig);
	MHD_stop_daemon(d);
	free(http_user);
	if (http_password != NULL)
		explicit_bzero(http_password, strlen(http_password));
	if (http_token != NULL)
		explicit_bzero(http_token, strlen(http_token));
	free(http_password);
	free(http_token);
	return (0);
}
