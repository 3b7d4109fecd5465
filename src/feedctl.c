/*
 * feedctl.c: the command-line client.  Owns the command table (which also
 * prints the help), global flags, finding and talking to feedd's socket
 * (connect, send one request, read until the answer is complete; only
 * `follow` loops), and each command's human and --json output.  The
 * commands that work on files without the daemon (`parse`, `import`,
 * `export`) are in feedctl_file.c.
 *
 * Exit status: 0 success, 1 the daemon reported an error (no such item or
 * feed, reload failed...) or a local file failed, 2 usage, 3 cannot reach
 * feedd (not running, or the connection was lost).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "feedd.h"
#include "proto.h"


#define CTL_NEW_LIMIT	100	/* `new` shows this many unless --limit */
#define CTL_MAX_FEEDS	256	/* --feed given this many times */
#define CTL_MAX_LINE	(64 * 1024 * 1024) /* a response line, at most */

struct feedctl_cmd {
	const char	*name;
	const char	*alias;
	const char	*args;
	const char	*help;
	int		(*fn)(int, char **);
};

/* One row of a human listing, sanitised. */
struct feedctl_row {
	int64_t		 id;
	int64_t		 feed_id;
	int64_t		 date;
	int		 read;
	int		 starred;
	char		*feed;
	char		*feed_url;
	char		*title;
};

/* Filters shared by the listing and marking commands. */
struct feedctl_filter {
	int		 unread;
	int		 starred;
	const char	*feeds[CTL_MAX_FEEDS];
	size_t		 nfeeds;
	const char	*tag;
	int64_t		 since;
	int64_t		 until;
	const char	*search;
	int64_t		 limit;
	int64_t		 cursor;
	int64_t		 after;
	int		 oldest_first;
	int		 rank;
	int		 all;
	int		 updated;
	int		 gone;
	int		 verbose;	/* feeds -v */
};

static const char	*feedctl_socket;
static int		 feedctl_socket_given;
static int		 feedctl_json;
static int		 feedctl_json_array;	/* --json-array */
static int64_t		 feedctl_array_n = -1;	/* rows, -1: none */
static int		 feedctl_color = -1;	/* -1: decide by the terminal */
static int		 feedctl_fd = -1;
static const char	*feedctl_db;		/* --db: offline access */
static const char	*feedctl_config;	/* --config: offline access */
static pid_t		 feedctl_child = -1;	/* feedd --stdio */
static int		 feedctl_scratch;	/* ... --scratch-db */
static FILE		*feedctl_in;
static int64_t		 feedctl_next_id = 1;
static const char	*feedctl_cmdname;	/* for errors */
static int		 feedctl_progress;	/* a progress line is on
						   stderr, not ended */

static ssize_t	feedctl_recv_line(int);
static json_t	*feedctl_recv(int);
static json_t	*feedctl_parse_line(size_t);
static void	feedctl_progress_end(void);
static void	feedctl_json_out(const char *, size_t);
static void	feedctl_item_cb(json_t *, void *);
static void	feedctl_feeds_cb(json_t *, void *);
static int	feedctl_help(int, char **);
static int	feedctl_new(int, char **);
static int	feedctl_items(int, char **);
static int	feedctl_search(int, char **);
static int	feedctl_show(int, char **);
static int	feedctl_mark(int, char **);
static int	feedctl_open(int, char **);
static int	feedctl_feeds(int, char **);
static int	feedctl_refresh(int, char **);
static int	feedctl_reload(int, char **);
static int	feedctl_moved(int, char **);
static int	feedctl_follow(int, char **);
static int	feedctl_stats(int, char **);
static int	feedctl_version(int, char **);
static char	*feedctl_bytes(int64_t);

/* The commands; `feedctl help` prints this table. */
static const struct feedctl_cmd feedctl_cmds[] = {
	{ "new", NULL, "[-n N] [--feed F] [--tag T]",
	  "unread items by feed (the default)", feedctl_new },
	{ "items", NULL, "[filters]", "list items (filters below)",
	  feedctl_items },
	{ "search", NULL, "QUERY [filters]", "full-text search of items",
	  feedctl_search },
	{ "show", NULL, "[--no-mark] ID", "an item as text; marks it read",
	  feedctl_show },
	{ "read", NULL, "ID... | --feed F | --tag T | --all",
	  "mark items read", feedctl_mark },
	{ "unread", NULL, "ID... | --feed F | --tag T | --all",
	  "mark unread; alone: same as new", feedctl_mark },
	{ "star", NULL, "ID... | --feed F | --tag T", "star items",
	  feedctl_mark },
	{ "unstar", NULL, "ID... | --feed F | --tag T | --all",
	  "unstar items", feedctl_mark },
	{ "open", NULL, "ID", "open its link ($BROWSER); marks read",
	  feedctl_open },
	{ "feeds", NULL, "[-v] [--all] [--gone] [FEED...]", "feed status table",
	  feedctl_feeds },
	{ "refresh", NULL, "[--no-wait] [--force] [FEED...]",
	  "poll all or some feeds now, and wait",
	  feedctl_refresh },
	{ "moved", NULL, "[--gone] [--apply] [--feeds F]",
	  "moved feeds: the feeds file's diff; --apply writes it",
	  feedctl_moved },
	{ "reload", NULL, "", "make feedd reread its configuration",
	  feedctl_reload },
	{ "follow", NULL, "[--updated] [--feed F] [--tag T]",
	  "print new items as they arrive", feedctl_follow },
	{ "stats", NULL, "", "daemon and store statistics", feedctl_stats },
	{ "version", NULL, "", "feedctl's and feedd's versions",
	  feedctl_version },
	{ "parse", NULL, "[--base URL] FILE|URL|-",
	  "parse a feed file or URL into JSON Feed", feedctl_parse },
	{ "add", NULL, "URL [TAG...] [--title T] [--every D]",
	  "subscribe (also --pick N, --yes, --force)", feedctl_add },
	{ "remove", NULL, "FEED... [--purge]",
	  "unsubscribe (comment the line out)", feedctl_remove },
	{ "import", NULL, "[--feeds F] [--dry-run] OPML",
	  "append OPML feeds to the feeds file", feedctl_import },
	{ "export", NULL, "[--feeds F]", "print the feeds file as OPML",
	  feedctl_export },
	{ "help", NULL, "", "this list", feedctl_help },
};
#define CTL_NCMDS (sizeof feedctl_cmds / sizeof feedctl_cmds[0])

/* Print the usage and the command table. */
static void
feedctl_usage(FILE *fp)
{
	size_t	i;
	char	*s;

	fprintf(fp, "usage: feedctl [-j | --json-array] [--color | --no-color] "
	    "[-s socket]\n"
	    "               [--config file] [--db file] [command [args]]\n\n"
	    "-j, --json    one JSON object a line (NDJSON), follow too\n"
	    "--json-array  a listing as one JSON array, an answer as one "
	    "object\n\ncommands:\n");
	for (i = 0; i < CTL_NCMDS; i++) {
		xasprintf(&s, "%s %s", feedctl_cmds[i].name,
		    feedctl_cmds[i].args);
		fprintf(fp, "  %-41s %s\n", s, feedctl_cmds[i].help);
		free(s);
	}
	fprintf(fp, "\nfilters: --unread, --starred, --feed F (URL, id or "
	    "title; repeatable),\n--tag T, --since D, --until D (2d, 3h, "
	    "today, yesterday, 2026-11-01,\nRFC 3339, unix seconds), "
	    "--search Q, --limit N, --oldest-first,\n--rank (with a search: best match "
	    "first).  See feedctl(1).\n");
}

/* "help": the command table. */
static int
feedctl_help(int argc, char **argv)
{
	feedctl_usage(stdout);
	return (0);
}

/* Print to stderr and exit with a usage status. */
__dead void
feedctl_usage_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'feedctl help'.\n");
	exit(EXIT_USAGE);
}

/* ---------------------------------------------------------------- */
/* Talking to feedd. */

/* The socket path: --socket, $FEEDD_SOCKET, the user's, the system's. */
static const char *
feedctl_socket_path(void)
{
	static char	*path;
	const char	*env;
	char		*sys, *fallback, *cause;
	struct stat	 sb;

	if (feedctl_socket != NULL)
		return (feedctl_socket);
	if ((env = getenv("FEEDD_SOCKET")) != NULL && *env != '\0') {
		feedctl_socket_given = 1;
		return (feedctl_socket = env);
	}
	path = config_default_path("socket");
	/*
	 * The fallback directory must be ours and private: anyone could have
	 * made it first and put a socket of theirs in it.  Then only the
	 * system socket (or feedd --stdio) is used.
	 */
	fallback = config_socket_fallback_dir();
	if (util_in_dir(path, fallback) &&
	    util_private_dir(fallback, 0, &cause) != 0) {
		if (errno != ENOENT)
			warnx("%s; not using it", cause);
		free(cause);
		free(path);
		path = xstrdup(RUNSTATEDIR "/feedd/feedd.sock");
	} else if (geteuid() != 0 && stat(path, &sb) != 0) {
		sys = xstrdup(RUNSTATEDIR "/feedd/feedd.sock");
		if (stat(sys, &sb) == 0) {
			free(path);
			path = sys;
		} else
			free(sys);
	}
	free(fallback);
	return (feedctl_socket = path);
}

/*
 * The feedd binary for offline access: the one beside this feedctl (a
 * build tree, or the same bindir), else BINDIR's, else feedd on $PATH.
 */
static char *
feedctl_feedd_path(void)
{
	char	 self[PATH_MAX], *slash, *path;
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			xasprintf(&path, "%s/feedd", self);
			if (access(path, X_OK) == 0)
				return (path);
			free(path);
		}
	}
	if (access(BINDIR "/feedd", X_OK) == 0)
		return (xstrdup(BINDIR "/feedd"));
	return (xstrdup("feedd"));
}

/*
 * No daemon answers: serve the request from the store itself, through
 * `feedd --stdio` on a socketpair, with the daemon's own request code.
 * This is how cron users (feedd --once, no daemon) read with feedctl.  The
 * child says on stderr why it cannot (no database yet, say).
 */
static int
feedctl_offline(void)
{
	char	*feedd, *argv[9];
	int	 sv[2], argc = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return (-1);
	feedd = feedctl_feedd_path();
	argv[argc++] = feedd;
	argv[argc++] = "--stdio";
	if (feedctl_scratch)
		argv[argc++] = "--scratch-db";
	if (feedctl_config != NULL) {
		argv[argc++] = "--config";
		argv[argc++] = (char *)feedctl_config;
	}
	if (feedctl_db != NULL) {
		argv[argc++] = "--db";
		argv[argc++] = (char *)feedctl_db;
	}
	argv[argc] = NULL;
	fflush(stdout);
	switch (feedctl_child = fork()) {
	case -1:
		free(feedd);
		close(sv[0]);
		close(sv[1]);
		return (-1);
	case 0:
		if (dup2(sv[1], STDIN_FILENO) == -1 ||
		    dup2(sv[1], STDOUT_FILENO) == -1)
			_exit(127);
		if (strchr(feedd, '/') != NULL)
			execv(feedd, argv);
		else
			execvp(feedd, argv);
		warn("%s", feedd);
		_exit(127);
	}
	free(feedd);
	close(sv[1]);
	feedctl_fd = sv[0];
	return (0);
}

/* Reap the offline child, if any; its status says whether it served. */
static int
feedctl_offline_done(void)
{
	int	status;

	if (feedctl_child == -1)
		return (0);
	if (feedctl_in != NULL) {
		fclose(feedctl_in);
		feedctl_in = NULL;
		feedctl_fd = -1;
	} else if (feedctl_fd != -1) {
		close(feedctl_fd);
		feedctl_fd = -1;
	}
	while (waitpid(feedctl_child, &status, 0) == -1 && errno == EINTR)
		;
	feedctl_child = -1;
	return (WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/*
 * Before anything is sent: the server at path must run as this user,
 * root, or the system feedd (the owner of the system socket's
 * directory).  Anyone else could have put a socket there to read the
 * requests and answer with items of their own.
 */
static void
feedctl_check_peer(const char *path)
{
	struct ucred	cr;
	socklen_t	len = sizeof cr;
	struct stat	sb;

	if (getsockopt(feedctl_fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
		err(EXIT_CONNECT, "%s: SO_PEERCRED", path);
	if (cr.uid == getuid() || cr.uid == 0 ||
	    (stat(RUNSTATEDIR "/feedd", &sb) == 0 && sb.st_uid == cr.uid))
		return;
	errx(EXIT_CONNECT, "%s: the server there runs as uid %lu, which is "
	    "neither you, root nor the system feedd; not talking to it", path,
	    (unsigned long)cr.uid);
}

/* Connect to feedd, or exit 3 with a message saying how to start it. */
static void
feedctl_connect(void)
{
	struct sockaddr_un	 sun;
	const char		*path;
	size_t			 len;
	int			 saved;

	if (feedctl_fd != -1)
		return;
	path = feedctl_socket_path();
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	len = strlen(path);
	if (len == 0 || len >= sizeof sun.sun_path)
		errx(EXIT_CONNECT, "%s: socket path too long", path);
	memcpy(sun.sun_path, path, len + 1);
	if ((feedctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(EXIT_CONNECT, "socket");
	if (connect(feedctl_fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		saved = errno;
		close(feedctl_fd);
		feedctl_fd = -1;
		if ((saved == ENOENT || saved == ECONNREFUSED) &&
		    (!feedctl_socket_given || feedctl_db != NULL) &&
		    feedctl_offline() == 0)
			goto connected;
		if (saved == ENOENT || saved == ECONNREFUSED)
			errx(EXIT_CONNECT, "cannot connect to %s: %s (is feedd "
			    "running? start it with: %s, or run feedd --once "
			    "from cron)", path, strerror(saved),
			    geteuid() == 0 ? "systemctl start feedd" :
			    "systemctl --user start feedd");
		errx(EXIT_CONNECT, "cannot connect to %s: %s", path,
		    strerror(saved));
	}
	feedctl_check_peer(path);
connected:
	if ((feedctl_in = fdopen(feedctl_fd, "r")) == NULL)
		err(EXIT_CONNECT, "fdopen");
}

/*
 * feedd closed the connection before taking the request: it may have said
 * why first (too many clients), in a line that is still there to read.
 */
static __dead void
feedctl_refused(void)
{
	json_t	*resp;

	if (feedctl_in != NULL && (resp = feedctl_recv(1)) != NULL &&
	    json_is_false(json_object_get(resp, "ok")))
		feedctl_fail("feedd", resp);
	errx(EXIT_CONNECT, "%s: connection closed by feedd",
	    feedctl_socket_path());
}

/* Send one request (and release it). */
static void
feedctl_send(json_t *req)
{
	struct buf	 b;
	size_t		 off = 0;
	ssize_t		 n;

	feedctl_connect();
	memset(&b, 0, sizeof b);
	proto_dump(&b, req);
	json_decref(req);
	while (off < b.len) {
		n = send(feedctl_fd, b.data + off, b.len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EPIPE || errno == ECONNRESET))
			feedctl_refused();
		if (n <= 0)
			err(EXIT_CONNECT, "%s: send", feedctl_socket_path());
		off += (size_t)n;
	}
	buf_free(&b);
}

/*
 * Clear the progress line refresh keeps on a terminal, so that what is
 * printed next (an error above all) starts a line of its own.
 */
static void
feedctl_progress_end(void)
{
	int	saved = errno;

	if (!feedctl_progress)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	feedctl_progress = 0;
	errno = saved;
}

/* The last response line read, as it came (for feedctl_list). */
static char	*feedctl_line;
static size_t	 feedctl_linelen;

/* Read one response line; NULL at end of stream when eof_ok. */
static json_t *
feedctl_recv(int eof_ok)
{
	ssize_t		 n;

	if ((n = feedctl_recv_line(eof_ok)) == -1)
		return (NULL);
	return (feedctl_parse_line((size_t)n));
}

/* The last line read (n bytes) as a response object, or exit 1. */
static json_t *
feedctl_parse_line(size_t n)
{
	json_t		*o;
	json_error_t	 jerr;

	o = json_loadb(feedctl_line, n, 0, &jerr);
	if (o == NULL || !json_is_object(o))
		feedctl_progress_end();
	if (o == NULL || !json_is_object(o))
		errx(EXIT_DAEMON, "%s: bad response from feedd: %s",
		    feedctl_socket_path(),
		    o == NULL ? jerr.text : "not an object");
	return (o);
}

/*
 * Read one line of at most CTL_MAX_LINE bytes from fp into *line
 * (grown as needed, NUL-terminated); its length, -1 at end of stream or
 * on an error (errno set), or -2 when the line is longer than the cap.
 */
static ssize_t
feedctl_getline(char **line, size_t *cap, FILE *fp)
{
	size_t	n = 0;
	int	ch;

	for (;;) {
		if (n + 2 > *cap) {
			*cap = *cap == 0 ? 4096 : *cap * 2;
			*line = xrealloc(*line, *cap);
		}
		if ((ch = getc_unlocked(fp)) == EOF) {
			if (n == 0 || ferror(fp))
				return (-1);
			break;
		}
		(*line)[n++] = (char)ch;
		if (ch == '\n')
			break;
		if (n > CTL_MAX_LINE)
			return (-2);
	}
	(*line)[n] = '\0';
	return ((ssize_t)n);
}

/*
 * Read one response line into feedctl_line; its length, or -1 at end of
 * stream when eof_ok.  A line over CTL_MAX_LINE is not feedd's.
 */
static ssize_t
feedctl_recv_line(int eof_ok)
{
	static char	*line;
	static size_t	 cap;
	ssize_t		 n;

	errno = 0;
	n = feedctl_getline(&line, &cap, feedctl_in);
	if (n == -2) {
		feedctl_progress_end();
		errx(EXIT_DAEMON, "%s: bad response from feedd: a line over "
		    "%d bytes", feedctl_socket_path(), CTL_MAX_LINE);
	}
	if (n == -1) {
		free(line);
		line = NULL;
		cap = 0;
		if (eof_ok && (errno == 0 || errno == ECONNRESET))
			return (-1);
		feedctl_progress_end();		/* keeps errno */
		if (errno != 0 && errno != ECONNRESET)
			err(EXIT_CONNECT, "%s: read", feedctl_socket_path());
		if (feedctl_child != -1) {
			feedctl_offline_done();
			errx(EXIT_CONNECT, "feedd is not running (%s) and its "
			    "database could not be read", feedctl_socket_path());
		}
		errx(EXIT_CONNECT, "%s: connection closed by feedd",
		    feedctl_socket_path());
	}
	feedctl_line = line;
	feedctl_linelen = (size_t)n;
	return (n);
}

/* Exit with the daemon's error message for cmd. */
__dead void
feedctl_fail(const char *cmd, json_t *resp)
{
	json_t		*e;
	const char	*msg, *code;
	char		*safe;
	int		 status;

	feedctl_progress_end();
	e = json_object_get(resp, "error");
	msg = json_string_value(json_object_get(e, "message"));
	code = json_string_value(json_object_get(e, "code"));
	status = code != NULL && strcmp(code, PROTO_E_BAD_REQUEST) == 0 ?
	    EXIT_USAGE : EXIT_DAEMON;
	safe = render_sanitize(msg != NULL ? msg : "failed", 0);
	warnx("%s: %s", cmd, safe);
	free(safe);
	json_decref(resp);
	exit(status);
}

/* A new request for cmd with the next id. */
json_t *
feedctl_request(int cmd)
{
	return (proto_request(cmd, feedctl_next_id++));
}

/*
 * For add, remove and parse URL, which need feedd's fetcher and the feeds
 * file but not the store: an offline feedd may serve without a database.
 */
void
feedctl_offline_scratch(void)
{
	feedctl_scratch = 1;
}

/* Whether the requests go to an offline feedd --stdio (after a send). */
int
feedctl_is_offline(void)
{
	return (feedctl_child != -1);
}

/* Whether --json was given. */
int
feedctl_json_output(void)
{
	return (feedctl_json);
}

/*
 * Whether a request would be answered, without failing when not: feedd
 * answers on the socket, or an offline feedd has a database to read.
 */
int
feedctl_daemon_reachable(void)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	const char		*path = feedctl_socket_path();
	char			*db;
	int			 fd, ok;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) < sizeof sun.sun_path &&
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1) {
		memcpy(sun.sun_path, path, strlen(path) + 1);
		ok = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
		close(fd);
		if (ok)
			return (1);
	}
	if (feedctl_socket_given && feedctl_db == NULL)
		return (0);
	db = feedctl_db != NULL ? xstrdup(feedctl_db) :
	    config_default_path("db");
	ok = db != NULL && stat(db, &sb) == 0;
	free(db);
	return (ok);
}

/* The next response line (of a listing). */
json_t *
feedctl_recv_next(void)
{
	return (feedctl_recv(0));
}

/* Send a request and return its one-line response, error or not. */
json_t *
feedctl_exchange(json_t *req)
{
	feedctl_send(req);
	return (feedctl_recv(0));
}

/* Send a request and return its (successful) one-line response. */
json_t *
feedctl_call(json_t *req)
{
	json_t		*resp;
	const char	*cmd;
	char		*name;

	name = xstrdup(json_string_value(json_object_get(req, "cmd")));
	feedctl_send(req);
	resp = feedctl_recv(0);
	if (!json_is_true(json_object_get(resp, "ok"))) {
		/* The user's command, not the request's ("show", "item"). */
		cmd = feedctl_cmdname != NULL ? feedctl_cmdname : name;
		feedctl_fail(cmd, resp);
	}
	free(name);
	return (resp);
}

/*
 * Send a listing request ("items", "feeds") and call cb with each row
 * object (key "item" or "feed") until the end line, which is returned.
 */
static json_t *
feedctl_list(json_t *req, const char *key, void (*cb)(json_t *, void *),
    void *arg)
{
	json_t		*resp, *row;
	char		*name, prefix[64];
	size_t		 plen;
	ssize_t		 n;

	name = xstrdup(json_string_value(json_object_get(req, "cmd")));
	snprintf(prefix, sizeof prefix, "{\"id\":%lld,\"ok\":true,\"%s\":{",
	    (long long)json_integer_value(json_object_get(req, "id")), key);
	plen = strlen(prefix);
	/* --json-array: the rows of a listing make one array document. */
	if (feedctl_json_array && feedctl_array_n < 0 &&
	    (cb == feedctl_item_cb || cb == feedctl_feeds_cb))
		feedctl_array_n = 0;
	feedctl_send(req);
	for (;;) {
		/*
		 * --json: a row line is {"id":N,"ok":true,"KEY":{...}}, which
		 * feedd wrote with proto_dump(), as this would: print its
		 * object as it came, without parsing it and writing it again
		 * (two thirds of feedctl's time in a listing of 350,000
		 * items).  Any other line is parsed.
		 */
		n = feedctl_recv_line(0);
		if (feedctl_json && (cb == feedctl_item_cb ||
		    cb == feedctl_feeds_cb) &&
		    (size_t)n > plen + 2 &&
		    memcmp(feedctl_line, prefix, plen) == 0 &&
		    memcmp(feedctl_line + n - 3, "}}\n", 3) == 0) {
			feedctl_json_out(feedctl_line + plen - 1,
			    n - plen - 1);
			continue;
		}
		resp = feedctl_parse_line((size_t)n);
		if (!json_is_true(json_object_get(resp, "ok")))
			feedctl_fail(feedctl_cmdname != NULL ?
			    feedctl_cmdname : name, resp);
		if (json_is_true(json_object_get(resp, "end")))
			break;
		if ((row = json_object_get(resp, key)) != NULL)
			cb(row, arg);
		json_decref(resp);
	}
	free(name);
	return (resp);
}

/* ---------------------------------------------------------------- */
/* Small helpers. */

/* A string member, or "" (borrowed). */
static const char *
feedctl_str(json_t *o, const char *key)
{
	const char	*s;

	s = json_string_value(json_object_get(o, key));
	return (s != NULL ? s : "");
}

/* An integer member, or 0. */
static int64_t
feedctl_int(json_t *o, const char *key)
{
	return (json_integer_value(json_object_get(o, key)));
}

/*
 * Print one JSON object (len bytes, no newline): a line (NDJSON), or with
 * --json-array inside a listing, an element of the array that main()
 * closes.
 */
static void
feedctl_json_out(const char *o, size_t len)
{
	if (feedctl_array_n >= 0)
		fputs(feedctl_array_n++ == 0 ? "[" : ",\n", stdout);
	fwrite(o, 1, len, stdout);
	if (feedctl_array_n < 0)
		putchar('\n');
}

/* Print one JSON object as feedctl_json_out() does. */
static void
feedctl_print_json(json_t *o)
{
	struct buf	b;

	memset(&b, 0, sizeof b);
	proto_dump(&b, o);
	feedctl_json_out(b.data, b.len - 1);	/* proto_dump's newline */
	buf_free(&b);
}

/* Does the locale speak UTF-8 (for "…" and "→")? */
static int
feedctl_utf8(void)
{
	const char	*cs = nl_langinfo(CODESET);

	return (cs != NULL && (strcasecmp(cs, "UTF-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0));
}

/* Make sanitised text printable in a non-UTF-8 locale. */
char *
feedctl_text(const char *s, int keep_nl)
{
	char	*t, *p;

	t = render_sanitize(s, keep_nl ? RENDER_KEEP_NL : 0);
	if (!feedctl_utf8()) {
		for (p = t; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
	}
	return (t);
}

/*
 * Parse a user's time: unix seconds, a duration ago ("2d", "3h30m"),
 * "now", "today", "yesterday", a local date "2026-11-01" (midnight), a
 * local "2026-11-01 14:00", or RFC 3339 with a zone.  -1 if none fits.
 */
static int
feedctl_parse_time(const char *s, int64_t *out)
{
	struct tm	 tm;
	time_t		 now;
	int64_t		 d;
	char		*end;
	size_t		 len;

	now = time(NULL);
	len = strlen(s);
	if (util_parse_int(s, 0, INT64_MAX, out) == 0)
		return (0);
	if (strcmp(s, "now") == 0) {
		*out = now;
		return (0);
	}
	if (len > 0 && strchr("smhdw", s[len - 1]) != NULL &&
	    util_parse_duration(s, &d) == 0) {
		*out = now - d;
		return (0);
	}
	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		localtime_r(&now, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		if (*s == 'y')
			tm.tm_mday--;
		tm.tm_isdst = -1;
		*out = mktime(&tm);
		return (0);
	}
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == '\0') {
		tm.tm_isdst = -1;
		*out = mktime(&tm);
		return (0);
	}
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d %H:%M", &tm);
	if (end != NULL && *end == '\0') {
		tm.tm_isdst = -1;
		*out = mktime(&tm);
		return (0);
	}
	return (proto_parse_time(s, out));
}

/* Parse a whole number argument for flag or exit 2. */
static int64_t
feedctl_number(const char *flag, const char *s)
{
	int64_t	n;

	if (util_parse_int(s, 0, INT64_MAX, &n) == 0)
		return (n);
	if (*s != '\0' && strspn(s, "0123456789") == strlen(s))
		feedctl_usage_error("%s: too large (at most %lld): %s", flag,
		    (long long)INT64_MAX, s);
	feedctl_usage_error("%s: not a whole number from 0 up: %s", flag, s);
}

enum {
	OPT_UNREAD = 256, OPT_STARRED, OPT_FEED, OPT_TAG, OPT_SINCE,
	OPT_UNTIL, OPT_SEARCH, OPT_LIMIT, OPT_CURSOR, OPT_AFTER, OPT_OLDEST,
	OPT_ALL, OPT_NOMARK, OPT_HELP, OPT_UPDATED, OPT_RANK, OPT_GONE,
	OPT_VERBOSE
};

static const struct option feedctl_filter_opts[] = {
	{ "unread", no_argument, NULL, OPT_UNREAD },
	{ "starred", no_argument, NULL, OPT_STARRED },
	{ "feed", required_argument, NULL, OPT_FEED },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "search", required_argument, NULL, OPT_SEARCH },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "cursor", required_argument, NULL, OPT_CURSOR },
	{ "after", required_argument, NULL, OPT_AFTER },
	{ "oldest-first", no_argument, NULL, OPT_OLDEST },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "json", no_argument, NULL, 'j' },
	{ "json-array", no_argument, NULL, 'J' },
	{ "updated", no_argument, NULL, OPT_UPDATED },
	{ "rank", no_argument, NULL, OPT_RANK },
	{ "gone", no_argument, NULL, OPT_GONE },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ NULL, 0, NULL, 0 }
};

/*
 * Exit 2 for a flag that feedctl knows but cmd does not take (getopt's
 * long index li, or -1 for a short flag), naming the flag, not its
 * argument, and where to go instead.
 */
static __dead void
feedctl_filter_refused(const char *cmd, int ch, int li)
{
	const char	*name;

	if (li >= 0)
		name = feedctl_filter_opts[li].name;
	else
		name = ch == OPT_LIMIT ? "n" : ch == OPT_VERBOSE ? "v" : "u";
	if (ch == OPT_SEARCH)
		feedctl_usage_error("%s: takes no --search; use feedctl "
		    "search QUERY [--unread]", cmd);
	feedctl_usage_error("%s: takes no %s%s", cmd, li >= 0 ? "--" : "-",
	    name);
}

/*
 * Parse the filter flags of a command (allowed: the OPT_ values that may
 * appear, as a bit mask of 1 << (opt - 256)).  Leaves optind at the first
 * operand.
 */
static void
feedctl_filters(int argc, char **argv, unsigned int allowed,
    struct feedctl_filter *f)
{
	int	ch, li;

	optind = 0;
	li = -1;
	while ((ch = getopt_long(argc, argv, "n:ujv", feedctl_filter_opts,
	    &li)) != -1) {
		if (ch == 'n')
			ch = OPT_LIMIT;
		else if (ch == 'u')
			ch = OPT_UNREAD;
		else if (ch == 'v')
			ch = OPT_VERBOSE;
		else if (ch == 'j' || ch == 'J') {
			feedctl_json = 1;
			feedctl_json_array |= ch == 'J';
			continue;
		}
		if (ch == OPT_HELP) {
			feedctl_usage(stdout);
			exit(0);
		}
		if (ch >= 256 && !(allowed & (1u << (ch - 256))))
			feedctl_filter_refused(argv[0], ch, li);
		if (ch < 256 || !(allowed & (1u << (ch - 256))))
			feedctl_usage_error("%s: unknown flag: %s", argv[0],
			    argv[optind - 1]);
		li = -1;
		switch (ch) {
		case OPT_UNREAD:
			f->unread = 1;
			break;
		case OPT_STARRED:
			f->starred = 1;
			break;
		case OPT_FEED:
			if (f->nfeeds == CTL_MAX_FEEDS)
				feedctl_usage_error("too many --feed flags");
			f->feeds[f->nfeeds++] = optarg;
			break;
		case OPT_TAG:
			f->tag = optarg;
			break;
		case OPT_SINCE:
			if (feedctl_parse_time(optarg, &f->since) != 0)
				feedctl_usage_error("--since: bad time: %s",
				    optarg);
			break;
		case OPT_UNTIL:
			if (feedctl_parse_time(optarg, &f->until) != 0)
				feedctl_usage_error("--until: bad time: %s",
				    optarg);
			break;
		case OPT_SEARCH:
			if (*optarg == '\0')
				feedctl_usage_error("--search: empty query");
			f->search = optarg;
			break;
		case OPT_LIMIT:
			f->limit = feedctl_number("--limit", optarg);
			break;
		case OPT_CURSOR:
			f->cursor = feedctl_number("--cursor", optarg);
			break;
		case OPT_AFTER:
			f->after = feedctl_number("--after", optarg);
			break;
		case OPT_OLDEST:
			f->oldest_first = 1;
			break;
		case OPT_ALL:
			f->all = 1;
			break;
		case OPT_UPDATED:
			f->updated = 1;
			break;
		case OPT_RANK:
			f->rank = 1;
			break;
		case OPT_GONE:
			f->gone = 1;
			break;
		case OPT_VERBOSE:
			f->verbose = 1;
			break;
		}
	}
}

#define F(x)	(1u << ((x) - 256))
#define CTL_LIST_FILTERS (F(OPT_UNREAD) | F(OPT_STARRED) | F(OPT_FEED) | \
    F(OPT_TAG) | F(OPT_SINCE) | F(OPT_UNTIL) | F(OPT_SEARCH) | \
    F(OPT_LIMIT) | F(OPT_CURSOR) | F(OPT_AFTER) | F(OPT_OLDEST) | \
    F(OPT_UPDATED))

/* Put the filters into a request. */
static void
feedctl_filter_request(json_t *req, const struct feedctl_filter *f)
{
	json_t	*a;
	size_t	 i;

	if (f->unread)
		json_object_set_new(req, "unread", json_true());
	if (f->starred)
		json_object_set_new(req, "starred", json_true());
	if (f->nfeeds > 0) {
		a = json_array();
		for (i = 0; i < f->nfeeds; i++)
			json_array_append_new(a, proto_string(f->feeds[i]));
		json_object_set_new(req, "feed", a);
	}
	if (f->tag != NULL)
		json_object_set_new(req, "tag", proto_string(f->tag));
	if (f->since != 0)
		json_object_set_new(req, "since", json_integer(f->since));
	if (f->until != 0)
		json_object_set_new(req, "until", json_integer(f->until));
	if (f->search != NULL)
		json_object_set_new(req, "search", proto_string(f->search));
	if (f->limit != 0)
		json_object_set_new(req, "limit", json_integer(f->limit));
	if (f->cursor != 0)
		json_object_set_new(req, "cursor", json_integer(f->cursor));
	if (f->after != 0)
		json_object_set_new(req, "after", json_integer(f->after));
	if (f->oldest_first)
		json_object_set_new(req, "oldest_first", json_true());
	if (f->updated)
		json_object_set_new(req, "updated", json_true());
	if (f->rank)
		json_object_set_new(req, "order", json_string("rank"));
}

/* ---------------------------------------------------------------- */
/* Item listings. */

/* Collected rows of a human listing. */
struct feedctl_rows {
	struct feedctl_row	*v;
	size_t		 n;
	size_t		 cap;
	int64_t		 max_id;
	int		 feed_w;
};

/* Listing callback: print JSON, or collect a row. */
static void
feedctl_item_cb(json_t *it, void *arg)
{
	struct feedctl_rows	*rows = arg;
	struct feedctl_row	*r;
	json_t		*pub;
	char		*t;
	int		 w;

	if (feedctl_json) {
		feedctl_print_json(it);
		return;
	}
	if (rows->n == rows->cap) {
		rows->cap = rows->cap == 0 ? 64 : rows->cap * 2;
		rows->v = xreallocarray(rows->v, rows->cap, sizeof *rows->v);
	}
	r = &rows->v[rows->n++];
	memset(r, 0, sizeof *r);
	r->id = feedctl_int(it, "id");
	r->feed_id = feedctl_int(it, "feed_id");
	/* An item's date: published, else updated, else first seen. */
	if (!json_is_integer(pub = json_object_get(it, "published")))
		pub = json_object_get(it, "updated");
	r->date = json_is_integer(pub) ? json_integer_value(pub) :
	    feedctl_int(it, "first_seen");
	r->read = json_is_true(json_object_get(it, "read"));
	r->starred = json_is_true(json_object_get(it, "starred"));
	r->feed = feedctl_text(feedctl_str(it, "feed"), 0);
	r->feed_url = xstrdup(feedctl_str(it, "feed_url"));
	t = render_item_title(feedctl_str(it, "title"),
	    json_string_value(json_object_get(it, "excerpt")));
	r->title = feedctl_text(t, 0);
	free(t);
	if (feedctl_int(it, "update_count") > 0) {
		/* Its content changed since it was first stored. */
		xasprintf(&t, "(updated) %s", r->title);
		free(r->title);
		r->title = t;
	}
	if (r->id > rows->max_id)
		rows->max_id = r->id;
	w = render_width(r->feed);
	if (w > rows->feed_w)
		rows->feed_w = w;
}

/* Free collected rows. */
static void
feedctl_rows_free(struct feedctl_rows *rows)
{
	size_t	i;

	for (i = 0; i < rows->n; i++) {
		free(rows->v[i].feed);
		free(rows->v[i].feed_url);
		free(rows->v[i].title);
	}
	free(rows->v);
}

/* Free n labels. */
static void
feedctl_labels_free(char **labels, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
}

/* Digits of n. */
static int
feedctl_digits(int64_t n)
{
	int	d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return (d);
}

/*
 * Print rows as aligned columns: id, flags, date, feed, title; fitted to
 * the terminal (not cut when writing to a pipe).
 */
static void
feedctl_print_rows(struct feedctl_rows *rows)
{
	struct buf	 b;
	struct feedctl_row	*r;
	size_t		 i;
	int		 width, idw, feedw, titlew, fixed;
	int64_t		 now = util_now();
	char		*when;

	width = render_term_width(STDOUT_FILENO);
	idw = feedctl_digits(rows->max_id);
	feedw = rows->feed_w;
	fixed = idw + 1 + 2 + 1 + 10 + 1;
	if (width > 0) {
		if (feedw > 24)
			feedw = 24;
		if (feedw > (width - fixed) / 3)
			feedw = (width - fixed) / 3;
		if (feedw < 0)
			feedw = 0;
		titlew = width - fixed - feedw - 1;
		if (titlew < 10)
			titlew = 10;
	} else
		titlew = -1;
	memset(&b, 0, sizeof b);
	for (i = 0; i < rows->n; i++) {
		r = &rows->v[i];
		buf_reset(&b);
		when = render_reltime(r->date, now);
		buf_printf(&b, "%s%*lld%s %c%c ", render_sgr("\033[33m"), idw,
		    (long long)r->id, render_sgr("\033[0m"),
		    r->read ? ' ' : 'N', r->starred ? '*' : ' ');
		buf_adds(&b, render_sgr("\033[2m"));
		render_cell(&b, when, 10, 1);
		buf_adds(&b, render_sgr("\033[0m"));
		buf_addc(&b, ' ');
		render_cell(&b, r->feed, feedw, 1);
		buf_addc(&b, ' ');
		if (!r->read)
			buf_adds(&b, render_sgr("\033[1m"));
		render_cell(&b, r->title, titlew, 0);
		if (!r->read)
			buf_adds(&b, render_sgr("\033[0m"));
		buf_addc(&b, '\n');
		fwrite(b.data, 1, b.len, stdout);
		free(when);
	}
	buf_free(&b);
}

/*
 * A search answered from a search index that is behind (after a large
 * first poll): say so on stderr, the listing itself being right for what
 * is indexed.
 */
static void
feedctl_unindexed(json_t *end)
{
	int64_t	n = feedctl_int(end, "unindexed");

	if (n > 0)
		warnx("search: up to %lld of the newest items are not indexed "
		    "yet and were not searched; search again (each search "
		    "indexes 50,000 more, a running feedd all of them)",
		    (long long)n);
}

/* "items": list what the filters select (everything unless --limit). */
static int
feedctl_items(int argc, char **argv)
{
	struct feedctl_filter	 f;
	struct feedctl_rows		 rows;
	json_t			*req, *end;

	memset(&f, 0, sizeof f);
	memset(&rows, 0, sizeof rows);
	feedctl_filters(argc, argv, CTL_LIST_FILTERS | F(OPT_RANK), &f);
	if (optind != argc)
		feedctl_usage_error("items: unexpected argument: %s",
		    argv[optind]);
	req = feedctl_request(PROTO_CMD_ITEMS);
	feedctl_filter_request(req, &f);
	end = feedctl_list(req, "item", feedctl_item_cb, &rows);
	if (!feedctl_json) {
		feedctl_print_rows(&rows);
		if (rows.n == 0)
			printf("No items.\n");
	}
	feedctl_unindexed(end);
	json_decref(end);
	feedctl_rows_free(&rows);
	return (0);
}

/*
 * "search QUERY": items whose title or content match (FTS5), newest first
 * or (--rank) best match first.  A person sees the first page (100 unless
 * --limit) and how many match in all; a script (--json) gets every hit.
 */
static int
feedctl_search(int argc, char **argv)
{
	struct feedctl_filter	 f;
	struct feedctl_rows		 rows;
	json_t			*req, *end;
	struct buf		 q;
	int64_t			 total;
	int			 i;

	memset(&f, 0, sizeof f);
	memset(&rows, 0, sizeof rows);
	memset(&q, 0, sizeof q);
	f.limit = -1;
	feedctl_filters(argc, argv, (CTL_LIST_FILTERS & ~F(OPT_SEARCH)) |
	    F(OPT_RANK), &f);
	if (optind == argc)
		feedctl_usage_error("search: needs a query");
	for (i = optind; i < argc; i++) {
		if (q.len != 0)
			buf_addc(&q, ' ');
		buf_adds(&q, argv[i]);
	}
	if (f.limit == -1)
		f.limit = feedctl_json ? 0 : CTL_NEW_LIMIT;
	f.search = q.data;
	req = feedctl_request(PROTO_CMD_ITEMS);
	feedctl_filter_request(req, &f);
	if (!feedctl_json)
		json_object_set_new(req, "total", json_true());
	end = feedctl_list(req, "item", feedctl_item_cb, &rows);
	if (!feedctl_json) {
		feedctl_print_rows(&rows);
		total = feedctl_int(end, "total");
		if (total < (int64_t)rows.n)
			total = rows.n;
		if (rows.n == 0)
			printf("No items match.\n");
		else if ((int64_t)rows.n < total)
			printf("\nShowing %zu of %lld matches, %s first "
			    "(--limit 0 lists all).\n", rows.n,
			    (long long)total, f.rank ? "best" : "newest");
	}
	feedctl_unindexed(end);
	json_decref(end);
	feedctl_rows_free(&rows);
	buf_free(&q);
	return (0);
}

/*
 * "new": unread items newest first grouped by feed (at most --limit,
 * default 100, 0 for all), and how many there are.
 */
static int
feedctl_new(int argc, char **argv)
{
	struct feedctl_filter	 f;
	struct feedctl_rows		 rows;
	struct feedctl_row		*r;
	int64_t			*groups = NULL, total, nfeeds;
	size_t			 ngroups = 0, i, g, shown;
	const char		**gtitles, **gurls;
	char			**labels;
	json_t			*req, *end;
	struct buf		 b;
	int			 width, idw, titlew;
	int64_t			 now = util_now();
	char			*when;

	memset(&f, 0, sizeof f);
	memset(&rows, 0, sizeof rows);
	f.limit = -1;
	feedctl_filters(argc, argv, F(OPT_FEED) | F(OPT_TAG) | F(OPT_LIMIT) |
	    F(OPT_OLDEST) | F(OPT_SINCE) | F(OPT_UNTIL) | F(OPT_UPDATED), &f);
	if (optind != argc)
		feedctl_usage_error("new: unexpected argument: %s",
		    argv[optind]);
	/* A page for a person; a script gets everything (--json). */
	if (f.limit == -1)
		f.limit = feedctl_json ? 0 : CTL_NEW_LIMIT;
	f.unread = 1;
	/*
	 * The totals come with the listing's end line, from the feeds'
	 * counters: a person sees how much there is beyond the first page.
	 */
	req = feedctl_request(PROTO_CMD_ITEMS);
	feedctl_filter_request(req, &f);
	/* Not the feeds a '!' tag hides, unless --feed or --tag names them. */
	json_object_set_new(req, "hidden", json_false());
	if (!feedctl_json)
		json_object_set_new(req, "total", json_true());
	end = feedctl_list(req, "item", feedctl_item_cb, &rows);
	total = feedctl_int(end, "total");
	nfeeds = feedctl_int(end, "total_feeds");
	json_decref(end);
	if (feedctl_json) {
		feedctl_rows_free(&rows);
		return (0);
	}
	if ((int64_t)rows.n > total)
		total = rows.n;

	/* Groups in order of their newest item. */
	for (i = 0; i < rows.n; i++) {
		for (g = 0; g < ngroups; g++)
			if (groups[g] == rows.v[i].feed_id)
				break;
		if (g == ngroups) {
			groups = xreallocarray(groups, ngroups + 1,
			    sizeof *groups);
			groups[ngroups++] = rows.v[i].feed_id;
		}
	}
	if (nfeeds < (int64_t)ngroups)
		nfeeds = ngroups;
	/* Feeds of the same title, told apart by host or URL. */
	gtitles = xcalloc(ngroups + 1, sizeof *gtitles);
	gurls = xcalloc(ngroups + 1, sizeof *gurls);
	for (i = 0; i < rows.n; i++) {
		for (g = 0; groups[g] != rows.v[i].feed_id; g++)
			;
		gtitles[g] = rows.v[i].feed;
		gurls[g] = rows.v[i].feed_url;
	}
	labels = render_feed_labels(gtitles, gurls, ngroups);
	free(gtitles);
	free(gurls);
	width = render_term_width(STDOUT_FILENO);
	idw = feedctl_digits(rows.max_id);
	titlew = width > 0 ? width - (2 + idw + 2 + 2 + 10) : -1;
	if (width > 0 && titlew < 10)
		titlew = 10;
	memset(&b, 0, sizeof b);
	for (g = 0; g < ngroups; g++) {
		buf_reset(&b);
		for (i = 0, shown = 0; i < rows.n; i++) {
			r = &rows.v[i];
			if (r->feed_id != groups[g])
				continue;
			if (shown++ == 0) {
				if (g > 0)
					buf_addc(&b, '\n');
				buf_adds(&b, render_sgr("\033[1m"));
				render_cell(&b, labels[g], width > 0 ?
				    width : -1, 0);
				buf_adds(&b, render_sgr("\033[0m"));
				buf_addc(&b, '\n');
			}
			when = render_reltime(r->date, now);
			buf_printf(&b, "  %s%*lld%s  ", render_sgr("\033[33m"),
			    idw, (long long)r->id, render_sgr("\033[0m"));
			render_cell(&b, r->title, titlew, titlew > 0);
			buf_printf(&b, "  %s", render_sgr("\033[2m"));
			render_cell(&b, when, 10, 0);
			buf_printf(&b, "%s\n", render_sgr("\033[0m"));
			free(when);
		}
		fwrite(b.data, 1, b.len, stdout);
	}
	buf_free(&b);
	if (total == 0)
		printf("No unread items.\n");
	else {
		if (ngroups > 0)
			putchar('\n');
		if ((int64_t)rows.n < total)
			printf("Showing %zu of %lld unread items in %lld "
			    "feed%s (feedctl items --unread lists all).\n",
			    rows.n, (long long)total, (long long)nfeeds,
			    nfeeds == 1 ? "" : "s");
		else
			printf("%lld unread item%s in %lld feed%s.\n",
			    (long long)total, total == 1 ? "" : "s",
			    (long long)nfeeds, nfeeds == 1 ? "" : "s");
	}
	free(groups);
	feedctl_labels_free(labels, ngroups);
	feedctl_rows_free(&rows);
	return (0);
}

/* ---------------------------------------------------------------- */
/* One item. */

/* Parse an item id operand or exit 2. */
static int64_t
feedctl_item_id(const char *s)
{
	int64_t	n;

	if (util_parse_int(s, 1, INT64_MAX, &n) != 0)
		feedctl_usage_error("not an item id: %s", s);
	return (n);
}

/* Fetch one item with its content (the response; item is inside). */
static json_t *
feedctl_get_item(int64_t id, json_t **item)
{
	json_t	*req, *resp;

	req = feedctl_request(PROTO_CMD_ITEM);
	json_object_set_new(req, "item", json_integer(id));
	resp = feedctl_call(req);
	*item = json_object_get(resp, "item");
	return (resp);
}

/* Mark items with op; returns the response. */
static json_t *
feedctl_mark_ids(const char *op, const int64_t *ids, size_t n)
{
	json_t	*req, *a;
	size_t	 i;

	req = feedctl_request(PROTO_CMD_MARK);
	json_object_set_new(req, "op", json_string(op));
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	json_object_set_new(req, "items", a);
	return (feedctl_call(req));
}

/* Print one "Label: value" header line of `show`. */
static void
feedctl_show_field(const char *label, const char *value)
{
	char	*t;

	if (value == NULL || *value == '\0')
		return;
	t = feedctl_text(value, 0);
	printf("%s%-8s%s %s\n", render_sgr("\033[2m"), label,
	    render_sgr("\033[0m"), t);
	free(t);
}

/* A date member as unix seconds, DATE_NONE when absent. */
static int64_t
feedctl_date(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return (json_is_integer(v) ? json_integer_value(v) : DATE_NONE);
}

/* An enclosure as "url (type, size)", what is known of it. */
static char *
feedctl_media(json_t *enc)
{
	struct buf	 b;
	const char	*type = feedctl_str(enc, "type");
	int64_t		 size = feedctl_int(enc, "size");
	char		*sz;

	memset(&b, 0, sizeof b);
	buf_adds(&b, feedctl_str(enc, "url"));
	if (*type != '\0' || size > 0) {
		buf_adds(&b, " (");
		buf_adds(&b, type);
		if (size > 0) {
			sz = feedctl_bytes(size);
			buf_printf(&b, "%s%s", *type != '\0' ? ", " : "", sz);
			free(sz);
		}
		buf_addc(&b, ')');
	}
	return (b.data);
}

/* "show ID": the item as readable text; marks it read. */
static int
feedctl_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-mark", no_argument, NULL, OPT_NOMARK },
		{ NULL, 0, NULL, 0 }
	};
	json_t		*resp, *it, *tags, *t, *enc;
	int64_t		 id;
	int		 ch, mark = 1;
	size_t		 i;
	char		*title, *body, *when;
	const char	*html;
	struct buf	 tb;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "n", opts, NULL)) != -1) {
		if (ch == 'n' || ch == OPT_NOMARK)
			mark = 0;
		else
			feedctl_usage_error("show: unknown flag: %s",
			    argv[optind - 1]);
	}
	if (argc - optind != 1)
		feedctl_usage_error("show: needs one item id");
	id = feedctl_item_id(argv[optind]);
	resp = feedctl_get_item(id, &it);
	if (feedctl_json)
		feedctl_print_json(it);
	else {
		html = feedctl_str(it, "content");
		if (*html == '\0')
			html = feedctl_str(it, "summary");
		when = render_item_title(feedctl_str(it, "title"), html);
		title = feedctl_text(when, 0);
		free(when);
		printf("%s%s%s\n", render_sgr("\033[1m"), title,
		    render_sgr("\033[0m"));
		free(title);
		feedctl_show_field("Feed:", feedctl_str(it, "feed"));
		when = render_dates(feedctl_date(it, "published"),
		    feedctl_date(it, "updated"), feedctl_date(it, "first_seen"),
		    util_now());
		feedctl_show_field("Date:", when);
		free(when);
		feedctl_show_field("Author:", feedctl_str(it, "author"));
		feedctl_show_field("Link:", feedctl_str(it, "url"));
		tags = json_object_get(it, "tags");
		if (json_array_size(tags) > 0) {
			memset(&tb, 0, sizeof tb);
			json_array_foreach(tags, i, t) {
				if (i > 0)
					buf_adds(&tb, ", ");
				buf_adds(&tb, json_string_value(t));
			}
			feedctl_show_field("Tags:", tb.data);
			buf_free(&tb);
		}
		enc = json_object_get(it, "enclosure");
		if (enc != NULL) {
			when = feedctl_media(enc);
			feedctl_show_field("Media:", when);
			free(when);
		}
		/* Plain text keeps its lines; its "<" is text. */
		if (strcmp(feedctl_str(it, "content_type"), "text") == 0 &&
		    *feedctl_str(it, "content") != '\0')
			body = render_text(html);
		else
			body = render_html(html);
		if (!feedctl_utf8()) {
			char	*p;

			for (p = body; *p != '\0'; p++)
				if ((unsigned char)*p >= 0x80)
					*p = '?';
		}
		if (*body != '\0')
			printf("\n%s\n", body);
		free(body);
	}
	if (mark && !json_is_true(json_object_get(it, "read")))
		json_decref(feedctl_mark_ids(PROTO_MARK_READ, &id, 1));
	json_decref(resp);
	return (0);
}

/*
 * "read", "unread", "star", "unstar": by ids, --feed, --tag, --all (up to
 * --cursor N, by default the newest item when the daemon gets the
 * request), or a search.
 */
static int
feedctl_mark(int argc, char **argv)
{
	struct feedctl_filter	 f;
	const char		*op = argv[0];
	json_t			*req, *resp, *a, *v;
	size_t			 i;
	int64_t			 changed;
	int			 rc = 0;

	memset(&f, 0, sizeof f);
	feedctl_filters(argc, argv, F(OPT_FEED) | F(OPT_TAG) | F(OPT_ALL) |
	    F(OPT_CURSOR) | F(OPT_SEARCH) | F(OPT_SINCE) | F(OPT_UNTIL) |
	    F(OPT_UNREAD) | F(OPT_STARRED) | F(OPT_LIMIT) | F(OPT_OLDEST), &f);
	if (optind == argc && f.nfeeds == 0 && f.tag == NULL && !f.all &&
	    f.search == NULL) {
		/* "unread" alone lists, as "new" does. */
		if (strcmp(op, "unread") == 0)
			return (feedctl_new(argc, argv));
		feedctl_usage_error("%s: give item ids, --feed, --tag or --all",
		    op);
	}
	req = feedctl_request(PROTO_CMD_MARK);
	json_object_set_new(req, "op", json_string(op));
	if (optind < argc) {
		a = json_array();
		for (i = optind; i < (size_t)argc; i++)
			json_array_append_new(a,
			    json_integer(feedctl_item_id(argv[i])));
		json_object_set_new(req, "items", a);
	}
	if (f.all)
		json_object_set_new(req, "all", json_true());
	feedctl_filter_request(req, &f);
	resp = feedctl_call(req);
	changed = feedctl_int(resp, "changed");
	if (feedctl_json) {
		json_object_del(resp, "id");
		json_object_del(resp, "ok");
		feedctl_print_json(resp);
	} else
		printf("%lld item%s marked %s.\n", (long long)changed,
		    changed == 1 ? "" : "s", strcmp(op, "star") == 0 ?
		    "starred" : strcmp(op, "unstar") == 0 ? "unstarred" : op);
	json_array_foreach(json_object_get(resp, "missing"), i, v) {
		warnx("%s: no item %lld", op,
		    (long long)json_integer_value(v));
		rc = EXIT_DAEMON;
	}
	json_decref(resp);
	return (rc);
}

/* Run the user's browser on url and wait for it; 0 on success. */
static int
feedctl_browse(const char *url)
{
	const char	*browser;
	char		*cmd, *colon;
	struct buf	 b;
	pid_t		 pid;
	int		 status;
	const char	*p, *q;

	browser = getenv("BROWSER");
	if (browser == NULL || *browser == '\0')
		browser = "xdg-open";
	cmd = xstrdup(browser);
	if ((colon = strchr(cmd, ':')) != NULL)
		*colon = '\0';
	/*
	 * The URL goes in as "$1", never into the command text, and always
	 * as one argument: a %s the user quoted ("%s" or '%s', as browsers'
	 * documentation shows) is replaced with its quotes, which would
	 * otherwise leave $1 unquoted between two empty strings and split a
	 * URL with spaces.
	 */
	memset(&b, 0, sizeof b);
	if ((p = strstr(cmd, "%s")) != NULL) {
		q = p + 2;
		if (p > cmd && (p[-1] == '"' || p[-1] == '\'') &&
		    *q == p[-1]) {
			p--;
			q++;
		}
		buf_add(&b, cmd, p - cmd);
		buf_adds(&b, "\"$1\"");
		buf_adds(&b, q);
	} else
		buf_printf(&b, "%s \"$1\"", cmd);
	free(cmd);
	fflush(stdout);
	switch ((pid = fork())) {
	case -1:
		err(EXIT_DAEMON, "fork");
	case 0:
		execl("/bin/sh", "sh", "-c", b.data, "sh", url, (char *)NULL);
		_exit(127);
	}
	buf_free(&b);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			err(EXIT_DAEMON, "waitpid");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		warnx("open: %s failed", browser);
		return (-1);
	}
	return (0);
}

/* "open ID": the item's link in $BROWSER (or xdg-open); marks it read. */
static int
feedctl_open(int argc, char **argv)
{
	json_t		*resp, *it;
	const char	*url;
	int64_t		 id;

	optind = 0;
	if (getopt_long(argc, argv, "", feedctl_filter_opts, NULL) != -1)
		feedctl_usage_error("open: unknown flag: %s", argv[optind - 1]);
	if (argc - optind != 1)
		feedctl_usage_error("open: needs one item id");
	id = feedctl_item_id(argv[optind]);
	resp = feedctl_get_item(id, &it);
	url = feedctl_str(it, "url");
	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) {
		json_decref(resp);
		errx(EXIT_DAEMON, "open: item %lld has no web link",
		    (long long)id);
	}
	if (feedctl_browse(url) != 0) {
		json_decref(resp);
		return (EXIT_DAEMON);
	}
	if (!json_is_true(json_object_get(it, "read")))
		json_decref(feedctl_mark_ids(PROTO_MARK_READ, &id, 1));
	json_decref(resp);
	return (0);
}

/* ---------------------------------------------------------------- */
/* Feeds, refresh, reload, stats, version, follow. */

/* Collected feeds for the status table. */
struct feedctl_feeds {
	json_t		*list;
	int		 title_w;
	int64_t		 max_id;
};

/* Feeds listing callback. */
static void
feedctl_feeds_cb(json_t *feed, void *arg)
{
	struct feedctl_feeds	*cf = arg;

	if (feedctl_json) {
		feedctl_print_json(feed);
		return;
	}
	json_array_append(cf->list, feed);
	if (feedctl_int(feed, "id") > cf->max_id)
		cf->max_id = feedctl_int(feed, "id");
}

/* The status column of one feed: ok, 304, ERR 404 (3x), GONE, → moved. */
static char *
feedctl_feed_status(json_t *feed, int *bad)
{
	int64_t	 status, errors;
	char	*s;

	status = feedctl_int(feed, "http_status");
	errors = feedctl_int(feed, "errors");
	*bad = 1;
	if (json_is_true(json_object_get(feed, "gone")))
		return (xstrdup("GONE"));
	if (errors > 0) {
		if (status >= 400)
			xasprintf(&s, "ERR %lld (%lldx)", (long long)status,
			    (long long)errors);
		else
			xasprintf(&s, "ERR (%lldx)", (long long)errors);
		return (s);
	}
	*bad = 0;
	if (*feedctl_str(feed, "redirect_url") != '\0')
		return (xstrdup(feedctl_utf8() ? "\xe2\x86\x92 moved" :
		    "-> moved"));
	if (feedctl_int(feed, "last_fetch") == 0)
		return (xstrdup("new"));
	if (status == 304)
		return (xstrdup("304"));
	return (xstrdup("ok"));
}

/*
 * Labels that tell apart the feeds of an array of objects (titles in
 * member tkey, URLs in ukey): render_feed_labels().
 */
static char **
feedctl_feed_labels(json_t *list, const char *tkey, const char *ukey)
{
	const char	**titles, **urls;
	char		**labels;
	json_t		 *o;
	size_t		  i;

	titles = xcalloc(json_array_size(list) + 1, sizeof *titles);
	urls = xcalloc(json_array_size(list) + 1, sizeof *urls);
	json_array_foreach(list, i, o) {
		titles[i] = feedctl_str(o, tkey);
		urls[i] = feedctl_str(o, ukey);
	}
	labels = render_feed_labels(titles, urls, json_array_size(list));
	free(titles);
	free(urls);
	return (labels);
}

/* feeds -v: a feed's URL, tags and feeds-file options under its row. */
static void
feedctl_feed_verbose(struct buf *b, json_t *feed, int idw)
{
	json_t	*v;
	size_t	 i;
	char	*t;

	t = feedctl_text(feedctl_str(feed, "url"), 0);
	buf_printf(b, "%*s url:     %s\n", idw, "", t);
	free(t);
	buf_printf(b, "%*s tags:   ", idw, "");
	json_array_foreach(json_object_get(feed, "tags"), i, v) {
		t = feedctl_text(json_string_value(v), 0);
		buf_printf(b, "%s %s", i > 0 ? "," : "", t);
		free(t);
	}
	if (json_array_size(json_object_get(feed, "tags")) == 0)
		buf_adds(b, " -");
	buf_addc(b, '\n');
	buf_printf(b, "%*s options:", idw, "");
	json_array_foreach(json_object_get(feed, "options"), i, v) {
		t = feedctl_text(json_string_value(v), 0);
		buf_printf(b, " %s", t);
		free(t);
	}
	if (json_array_size(json_object_get(feed, "options")) == 0)
		buf_adds(b, " -");
	buf_addc(b, '\n');
}

/* "feeds": the status table, problems shown under their feed. */
/* A feed's last error, as text, after when it was found gone if it is. */
static char *
feedctl_gone_error(json_t *feed)
{
	char	*t, *s, date[32];
	int64_t	 since = feedctl_int(feed, "gone_since");

	t = feedctl_text(feedctl_str(feed, "last_error"), 0);
	if (!json_is_true(json_object_get(feed, "gone")) || since <= 0)
		return (t);
	date_format_rfc3339(since, date, sizeof date);
	date[10] = '\0';	/* the day is enough */
	xasprintf(&s, "gone since %s: %s", date, t);
	free(t);
	return (s);
}

static int
feedctl_feeds(int argc, char **argv)
{
	struct feedctl_filter	 f;
	struct feedctl_feeds	 cf;
	struct buf		 b;
	json_t			*req, *end, *feed, *a;
	size_t			 i;
	int			 width, idw, titlew, bad, j;
	int64_t			 now = util_now();
	char			*status, *last, *next, *title, *t, **labels;

	memset(&f, 0, sizeof f);
	memset(&cf, 0, sizeof cf);
	feedctl_filters(argc, argv, F(OPT_ALL) | F(OPT_GONE) | F(OPT_VERBOSE),
	    &f);
	req = feedctl_request(PROTO_CMD_FEEDS);
	if (f.all)
		json_object_set_new(req, "all", json_true());
	if (f.gone)
		json_object_set_new(req, "gone", json_true());
	/* The table needs only a few members, unless feeds are named. */
	if (!feedctl_json && optind == argc && !f.verbose)
		json_object_set_new(req, "brief", json_true());
	if (optind < argc) {
		a = json_array();
		for (j = optind; j < argc; j++)
			json_array_append_new(a, proto_string(argv[j]));
		json_object_set_new(req, "feed", a);
	}
	cf.list = json_array();
	end = feedctl_list(req, "feed", feedctl_feeds_cb, &cf);
	json_decref(end);
	if (feedctl_json) {
		json_decref(cf.list);
		return (0);
	}
	width = render_term_width(STDOUT_FILENO);
	idw = feedctl_digits(cf.max_id);
	if (idw < 2)
		idw = 2;
	titlew = width > 0 ? width - (idw + 1 + 13 + 1 + 6 + 1 + 6 + 1 + 10 +
	    1 + 10 + 1) : -1;
	if (width > 0 && titlew < 10)
		titlew = 10;
	labels = feedctl_feed_labels(cf.list, "title", "url");
	memset(&b, 0, sizeof b);
	buf_printf(&b, "%s%*s %-13s %6s %6s %-10s %-10s %s%s\n",
	    render_sgr("\033[1m"), idw, "ID", "STATUS", "UNREAD", "ITEMS",
	    "POLLED", "NEXT", "TITLE", render_sgr("\033[0m"));
	json_array_foreach(cf.list, i, feed) {
		status = feedctl_feed_status(feed, &bad);
		last = render_reltime(feedctl_int(feed, "last_fetch"), now);
		if (json_is_true(json_object_get(feed, "gone")) ||
		    !json_is_true(json_object_get(feed, "active")))
			next = xstrdup("-");
		else if (feedctl_int(feed, "next_fetch") <= now)
			next = xstrdup("due");
		else
			next = render_reltime(feedctl_int(feed,
			    "next_fetch"), now);
		title = feedctl_text(labels[i], 0);
		if (!json_is_true(json_object_get(feed, "active"))) {
			xasprintf(&t, "%s (not in feeds file)", title);
			free(title);
			title = t;
		}
		buf_printf(&b, "%*lld ", idw,
		    (long long)feedctl_int(feed, "id"));
		buf_adds(&b, render_sgr(bad ? "\033[31m" : ""));
		render_cell(&b, status, 13, 1);
		buf_adds(&b, render_sgr(bad ? "\033[0m" : ""));
		buf_printf(&b, " %6lld %6lld ",
		    (long long)feedctl_int(feed, "unread"),
		    (long long)feedctl_int(feed, "items"));
		render_cell(&b, last, 10, 1);
		buf_addc(&b, ' ');
		render_cell(&b, next, 10, 1);
		buf_addc(&b, ' ');
		render_cell(&b, title, titlew, 0);
		buf_addc(&b, '\n');
		if (bad && *feedctl_str(feed, "last_error") != '\0') {
			t = feedctl_gone_error(feed);
			buf_printf(&b, "%*s %s", idw, "",
			    render_sgr("\033[31m"));
			render_cell(&b, t, width > 0 ? width - idw - 1 : -1,
			    0);
			buf_printf(&b, "%s\n", render_sgr("\033[0m"));
			free(t);
		}
		if (*feedctl_str(feed, "interval_why") != '\0') {
			t = util_format_duration(feedctl_int(feed,
			    "interval"));
			buf_printf(&b, "%*s interval %s: %s\n", idw, "", t,
			    feedctl_str(feed, "interval_why"));
			free(t);
		} else if (feedctl_int(feed, "adaptive_interval") > 0) {
			t = util_format_duration(feedctl_int(feed,
			    "adaptive_interval"));
			buf_printf(&b, "%*s its posting rate suggests a poll "
			    "every %s (every= and server hints win)\n", idw, "",
			    t);
			free(t);
		}
		if (strcmp(feedctl_str(feed, "identity"), "link") == 0)
			buf_printf(&b, "%*s its guids change under the same "
			    "items: matched by link and content\n", idw, "");
		if (f.verbose)
			feedctl_feed_verbose(&b, feed, idw);
		if (*feedctl_str(feed, "redirect_url") != '\0') {
			t = feedctl_text(feedctl_str(feed, "redirect_url"), 0);
			buf_printf(&b, "%*s %s ", idw, "",
			    feedctl_utf8() ? "\xe2\x86\x92" : "->");
			render_cell(&b, t, width > 0 ? width - idw - 3 : -1,
			    0);
			buf_addc(&b, '\n');
			free(t);
		}
		free(status);
		free(last);
		free(next);
		free(title);
	}
	if (json_array_size(cf.list) == 0)
		buf_adds(&b, "No feeds.\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	feedctl_labels_free(labels, json_array_size(cf.list));
	json_decref(cf.list);
	return (0);
}

/* A feed of a refresh's answer by name: its title, else its URL. */
static char *
feedctl_refresh_name(json_t *f)
{
	const char	*t = feedctl_str(f, "title");

	if (*t == '\0')
		t = feedctl_str(f, "url");
	if (*t == '\0')
		return (xstrdup("?"));
	return (feedctl_text(t, 0));
}

/*
 * The end of a refresh: the feeds left alone (held by their server until
 * when, gone), and the names that name no feed (on stderr).  Returns the
 * number of those.
 */
static int
feedctl_refresh_left(json_t *resp)
{
	json_t		*f, *v;
	struct tm	 tm;
	time_t		 t;
	char		*name, *msg, when[32];
	size_t		 i;
	int		 bad = 0;

	json_array_foreach(json_object_get(resp, "held"), i, f) {
		name = feedctl_refresh_name(f);
		t = (time_t)feedctl_int(f, "until");
		when[0] = '\0';
		if (localtime_r(&t, &tm) != NULL)
			strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
		printf("Not polled: %s: its server asked to wait until %s "
		    "(--force polls it)\n", name, when);
		free(name);
	}
	json_array_foreach(json_object_get(resp, "gone"), i, f) {
		name = feedctl_refresh_name(f);
		printf("Not polled: %s: gone (410, or dead)\n", name);
		free(name);
	}
	json_array_foreach(json_object_get(resp, "unknown"), i, f) {
		v = json_object_get(f, "error");
		msg = feedctl_text(json_is_string(v) ? json_string_value(v) :
		    "no such feed", 0);
		if (json_is_integer(json_object_get(f, "feed")) &&
		    strstr(msg, "feeds file") != NULL)
			warnx("refresh: feed %lld: %s",
			    (long long)feedctl_int(f, "feed"), msg);
		else
			warnx("refresh: %s", msg);
		free(msg);
		bad++;
	}
	return (bad);
}

/* Print the summary of a refresh that waited; the number of failures. */
static int
feedctl_refresh_summary(json_t *end)
{
	json_t		*f;
	char		*name, *err;
	size_t		 i;
	int64_t		 n, failed, nnew;

	n = feedctl_int(end, "feeds");
	failed = feedctl_int(end, "failed");
	nnew = feedctl_int(end, "items_new");
	printf("Refreshed %lld feed%s: %lld ok, %lld new item%s",
	    (long long)n, n == 1 ? "" : "s", (long long)(n - failed),
	    (long long)nnew, nnew == 1 ? "" : "s");
	if (failed == 0)
		printf(".\n");
	else
		printf(", %lld failed:\n", (long long)failed);
	json_array_foreach(json_object_get(end, "errors"), i, f) {
		name = feedctl_refresh_name(f);
		err = feedctl_text(feedctl_str(f, "error"), 0);
		printf("  %s: %s\n", name, err);
		free(name);
		free(err);
	}
	return ((int)failed);
}

static const struct option feedctl_refresh_opts[] = {
	{ "no-wait", no_argument, NULL, 'W' },
	{ "force", no_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * "refresh [--no-wait] [--force] [FEED...]": poll now and wait for the
 * polls, a progress line on a terminal, then a summary.  Exit 1 when a
 * poll failed or a name names no feed (the others are polled anyway).
 */
static int
feedctl_refresh(int argc, char **argv)
{
	json_t	*req, *a, *resp, *p;
	char	*name;
	int	 i, ch, wait = 1, force = 0, bad, tty;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "j", feedctl_refresh_opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'W':
			wait = 0;
			break;
		case 'f':
			force = 1;
			break;
		case 'j':
			feedctl_json = 1;
			break;
		case 'h':
			feedctl_usage(stdout);
			exit(0);
		default:
			feedctl_usage_error("refresh: unknown flag: %s",
			    argv[optind - 1]);
		}
	}
	req = feedctl_request(PROTO_CMD_REFRESH);
	if (optind < argc) {
		a = json_array();
		for (i = optind; i < argc; i++)
			json_array_append_new(a, proto_string(argv[i]));
		json_object_set_new(req, "feed", a);
	}
	json_object_set_new(req, "wait", json_boolean(wait));
	if (force)
		json_object_set_new(req, "force", json_true());
	if (!wait) {
		resp = feedctl_call(req);
		if (feedctl_json)
			feedctl_print_json(resp);
		else
			printf("Refreshing %lld feed%s.\n",
			    (long long)feedctl_int(resp, "feeds"),
			    feedctl_int(resp, "feeds") == 1 ? "" : "s");
		bad = feedctl_json ? (int)json_array_size(json_object_get(
		    resp, "unknown")) : feedctl_refresh_left(resp);
		json_decref(resp);
		return (bad > 0 ? EXIT_DAEMON : 0);
	}

	/* {"progress":{...}} lines as the polls end, then the end line. */
	tty = !feedctl_json && isatty(STDERR_FILENO);
	feedctl_send(req);
	for (;;) {
		resp = feedctl_recv(0);
		if (!json_is_true(json_object_get(resp, "ok")))
			feedctl_fail("refresh", resp);
		if (json_is_true(json_object_get(resp, "end")))
			break;
		if ((p = json_object_get(resp, "progress")) == NULL) {
			/* A daemon from before "wait": it only started them. */
			if (feedctl_json)
				feedctl_print_json(resp);
			else
				printf("Refreshing %lld feed%s (this feedd does "
				    "not wait for polls).\n",
				    (long long)feedctl_int(resp, "feeds"),
				    feedctl_int(resp, "feeds") == 1 ? "" : "s");
			json_decref(resp);
			return (0);
		}
		if (feedctl_json)
			feedctl_print_json(p);
		else if (tty) {
			name = feedctl_refresh_name(json_object_get(p, "feed"));
			fprintf(stderr, "\rRefreshing: %lld/%lld feeds, %lld "
			    "failed, %lld new (%s)\033[K",
			    (long long)feedctl_int(p, "done"),
			    (long long)feedctl_int(p, "total"),
			    (long long)feedctl_int(p, "failed"),
			    (long long)feedctl_int(p, "items_new"), name);
			fflush(stderr);
			feedctl_progress = 1;
			free(name);
		}
		json_decref(resp);
	}
	if (tty)
		fputs("\r\033[K", stderr);
	feedctl_progress = 0;
	if (feedctl_json) {
		json_object_del(resp, "id");
		json_object_del(resp, "ok");
		feedctl_print_json(resp);
		bad = (int)(json_array_size(json_object_get(resp, "unknown")) +
		    feedctl_int(resp, "failed"));
	} else {
		bad = feedctl_refresh_summary(resp);
		bad += feedctl_refresh_left(resp);
	}
	json_decref(resp);
	return (bad > 0 ? EXIT_DAEMON : 0);
}

/* Accept only the common flags (--json, --help) and no operands. */
static void
feedctl_no_args(int argc, char **argv)
{
	struct feedctl_filter	f;

	memset(&f, 0, sizeof f);
	feedctl_filters(argc, argv, 0, &f);
	if (optind != argc)
		feedctl_usage_error("%s: takes no arguments", argv[0]);
}

/* The moved feeds of a "feeds" listing: URL and new address. */
struct feedctl_moves {
	char	**from;
	char	**to;		/* a new URL, or "# note" for a gone feed */
	size_t	  n;
	int	  gone;		/* --gone: comment gone feeds out too */
};

static void
feedctl_moved_cb(json_t *feed, void *arg)
{
	struct feedctl_moves	*m = arg;
	const char		*to = feedctl_str(feed, "redirect_url");
	char			*note, *why;

	if (!json_is_true(json_object_get(feed, "active")))
		return;
	if (m->gone && json_is_true(json_object_get(feed, "gone"))) {
		why = feedctl_gone_error(feed);
		xasprintf(&note, "# feedd: %s", why);
		free(why);
	} else if (*to != '\0')
		note = xstrdup(to);
	else
		return;
	m->from = xreallocarray(m->from, m->n + 1, sizeof *m->from);
	m->to = xreallocarray(m->to, m->n + 1, sizeof *m->to);
	m->from[m->n] = xstrdup(feedctl_str(feed, "url"));
	m->to[m->n] = note;
	m->n++;
}

/*
 * "moved [--gone] [--apply] [--feeds F]": the feeds that moved (a
 * permanent redirect, which feedd follows from then on), and with --gone
 * the gone ones (commented out, after a note of why), as a diff of the
 * feeds file; --apply writes it (atomically: every other byte of the file
 * stays) and has the daemon reload, the feeds keeping their items.
 */
static int
feedctl_moved(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "apply", no_argument, NULL, 'a' },
		{ "feeds", required_argument, NULL, 'f' },
		{ "gone", no_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 }
	};
	struct feedctl_moves	 m;
	json_t			*req, *resp;
	char			*path = NULL;
	size_t			 i, changed;
	int			 ch, apply = 0;

	memset(&m, 0, sizeof m);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'a')
			apply = 1;
		else if (ch == 'g')
			m.gone = 1;
		else if (ch == 'f')
			path = xstrdup(optarg);
		else
			feedctl_usage_error("moved: unknown flag: %s",
			    argv[optind - 1]);
	}
	if (optind != argc)
		feedctl_usage_error("moved: takes no arguments");
	if (path == NULL) {
		/* The daemon's feeds file, else the default one. */
		resp = feedctl_call(feedctl_request(PROTO_CMD_STATS));
		path = xstrdup(json_is_string(json_object_get(json_object_get(
		    resp, "stats"), "feeds_file")) ? feedctl_str(json_object_get(
		    resp, "stats"), "feeds_file") : "");
		json_decref(resp);
		if (*path == '\0') {
			free(path);
			path = config_default_path("feeds");
		}
	}
	req = feedctl_request(PROTO_CMD_FEEDS);
	json_decref(feedctl_list(req, "feed", feedctl_moved_cb, &m));
	changed = m.n > 0 ? feedctl_feeds_move(path, m.from, m.to, m.n,
	    apply) : 0;
	if (m.n == 0)
		printf("No feed has moved%s.\n", m.gone ? " or gone" : "");
	else if (changed == 0)
		printf("%zu feed%s moved, but %s names none of them.\n", m.n,
		    m.n == 1 ? "" : "s", path);
	else if (!apply)
		printf("%zu line%s to change in %s: feedctl moved --apply "
		    "writes them.\n", changed, changed == 1 ? "" : "s", path);
	else {
		printf("%zu line%s changed in %s.\n", changed,
		    changed == 1 ? "" : "s", path);
		feedctl_send(feedctl_request(PROTO_CMD_RELOAD));
		resp = feedctl_recv(0);
		if (json_is_true(json_object_get(resp, "ok")))
			printf("Configuration reloaded.\n");
		else
			printf("feedd is not running: it reads them when it "
			    "starts.\n");
		json_decref(resp);
	}
	for (i = 0; i < m.n; i++) {
		free(m.from[i]);
		free(m.to[i]);
	}
	free(m.from);
	free(m.to);
	free(path);
	return (0);
}

/*
 * Print the notes of a reload answer, name an array of "FILE:LINE: why"
 * (the first 50) and name_total their count; suffix after each.
 */
static void
feedctl_reload_notes(json_t *resp, const char *name, const char *suffix)
{
	json_t		*a;
	const char	*s;
	char		 key[64], *t;
	size_t		 i;
	int64_t		 total;

	a = json_object_get(resp, name);
	for (i = 0; i < json_array_size(a); i++) {
		if ((s = json_string_value(json_array_get(a, i))) == NULL)
			continue;
		t = feedctl_text(s, 0);
		printf("%s%s\n", t, suffix);
		free(t);
	}
	snprintf(key, sizeof key, "%s_total", name);
	if ((total = feedctl_int(resp, key)) > (int64_t)i)
		printf("(%lld more)\n", (long long)(total - (int64_t)i));
}

/*
 * "reload": the daemon re-reads its configuration.  Lines of the feeds
 * file it skipped, and its warnings, are listed after the first line.
 */
static int
feedctl_reload(int argc, char **argv)
{
	json_t	*resp;
	int64_t	 skipped, warnings;

	feedctl_no_args(argc, argv);
	resp = feedctl_call(feedctl_request(PROTO_CMD_RELOAD));
	if (feedctl_json) {
		json_object_del(resp, "id");
		json_object_del(resp, "ok");
		feedctl_print_json(resp);
		json_decref(resp);
		return (0);
	}
	skipped = feedctl_int(resp, "skipped_total");
	warnings = feedctl_int(resp, "warnings_total");
	if (skipped == 0 && warnings == 0)
		printf("Configuration reloaded.\n");
	else if (warnings == 0)
		printf("Configuration reloaded; %lld line%s skipped:\n",
		    (long long)skipped, skipped == 1 ? "" : "s");
	else if (skipped == 0)
		printf("Configuration reloaded; %lld warning%s:\n",
		    (long long)warnings, warnings == 1 ? "" : "s");
	else
		printf("Configuration reloaded; %lld line%s skipped, %lld "
		    "warning%s:\n", (long long)skipped, skipped == 1 ? "" :
		    "s", (long long)warnings, warnings == 1 ? "" : "s");
	feedctl_reload_notes(resp, "skipped", "; line skipped");
	feedctl_reload_notes(resp, "warnings", "");
	json_decref(resp);
	return (0);
}

/* Bytes for humans. */
static char *
feedctl_bytes(int64_t n)
{
	char	*s;

	if (n >= 1024 * 1024 * 1024)
		xasprintf(&s, "%.1f GiB", n / (1024.0 * 1024 * 1024));
	else if (n >= 1024 * 1024)
		xasprintf(&s, "%.1f MiB", n / (1024.0 * 1024));
	else if (n >= 1024)
		xasprintf(&s, "%.1f KiB", n / 1024.0);
	else
		xasprintf(&s, "%lld B", (long long)n);
	return (s);
}

/* "stats": counts from the store and the daemon. */
static int
feedctl_stats(int argc, char **argv)
{
	json_t	*resp, *st;
	char	*db, *bytes, *up, *last;

	feedctl_no_args(argc, argv);
	resp = feedctl_call(feedctl_request(PROTO_CMD_STATS));
	st = json_object_get(resp, "stats");
	if (feedctl_json)
		feedctl_print_json(st);
	else {
		db = feedctl_bytes(feedctl_int(st, "db_bytes"));
		bytes = feedctl_bytes(feedctl_int(st, "bytes"));
		up = util_format_duration(feedctl_int(st, "uptime"));
		last = render_reltime(feedctl_int(st, "last_poll"), util_now());
		printf("feeds:       %lld (%lld active)\n",
		    (long long)feedctl_int(st, "feeds"),
		    (long long)feedctl_int(st, "active_feeds"));
		printf("items:       %lld (%lld unread, %lld starred)\n",
		    (long long)feedctl_int(st, "items"),
		    (long long)feedctl_int(st, "unread"),
		    (long long)feedctl_int(st, "starred"));
		if (feedctl_int(st, "unread_hidden") > 0)
			printf("hidden:      %lld unread in feeds with a ! tag "
			    "(not in new)\n",
			    (long long)feedctl_int(st, "unread_hidden"));
		printf("database:    %s\n", db);
		if (json_is_false(json_object_get(st, "daemon"))) {
			/* feedd --stdio answered: the store is all there is. */
			printf("feedd is not running\n");
			goto done;
		}
		printf("polls:       %lld (%lld failed), last %s\n",
		    (long long)feedctl_int(st, "polls"),
		    (long long)feedctl_int(st, "poll_errors"), last);
		printf("new items:   %lld (%lld updated) since start\n",
		    (long long)feedctl_int(st, "items_new"),
		    (long long)feedctl_int(st, "items_updated"));
		printf("downloaded:  %s\n", bytes);
		printf("unsafe:      %lld dropped (scripts, handlers, URLs)\n",
		    (long long)feedctl_int(st, "unsafe_dropped"));
		printf("in flight:   %lld\n", (long long)feedctl_int(st,
		    "in_flight"));
		printf("clients:     %lld (%lld following)\n",
		    (long long)feedctl_int(st, "clients"),
		    (long long)feedctl_int(st, "followers"));
		printf("uptime:      %s\n", up);
done:
		free(db);
		free(bytes);
		free(up);
		free(last);
	}
	json_decref(resp);
	return (0);
}

/* "version": ours and the daemon's. */
static int
feedctl_version(int argc, char **argv)
{
	json_t	*resp;
	char	*v;

	feedctl_no_args(argc, argv);
	resp = feedctl_call(feedctl_request(PROTO_CMD_VERSION));
	if (feedctl_json) {
		json_object_del(resp, "id");
		json_object_del(resp, "ok");
		json_object_set_new(resp, "feedctl",
		    json_string(PACKAGE_VERSION));
		feedctl_print_json(resp);
	} else {
		v = feedctl_text(feedctl_str(resp, "version"), 0);
		printf("feedctl %s, feedd %s (protocol %lld)\n",
		    PACKAGE_VERSION, v,
		    (long long)feedctl_int(resp, "protocol"));
		free(v);
	}
	json_decref(resp);
	return (0);
}

/*
 * "follow": one line per new item (and changed item, with --updated) as
 * the daemon stores it, flushed each; ends (exit 3) when the daemon goes
 * away.
 */
static int
feedctl_follow(int argc, char **argv)
{
	struct feedctl_filter	 f;
	json_t			*req, *ev, *it, *a;
	char			*feed, *title, *url;
	size_t			 i;

	memset(&f, 0, sizeof f);
	feedctl_filters(argc, argv, F(OPT_FEED) | F(OPT_TAG) | F(OPT_UPDATED),
	    &f);
	if (optind != argc)
		feedctl_usage_error("follow: unexpected argument: %s",
		    argv[optind]);
	req = feedctl_request(PROTO_CMD_FOLLOW);
	if (f.nfeeds > 0) {
		a = json_array();
		for (i = 0; i < f.nfeeds; i++)
			json_array_append_new(a, proto_string(f.feeds[i]));
		json_object_set_new(req, "feed", a);
	}
	if (f.tag != NULL)
		json_object_set_new(req, "tag", proto_string(f.tag));
	json_decref(feedctl_call(req));
	for (;;) {
		if ((ev = feedctl_recv(1)) == NULL)
			break;
		it = json_object_get(ev, "item");
		if (strcmp(feedctl_str(ev, "event"), "item") != 0 ||
		    it == NULL || (!f.updated &&
		    !json_is_true(json_object_get(ev, "new")))) {
			json_decref(ev);
			continue;
		}
		if (feedctl_json) {
			/* Scripts tell a new item from a changed one. */
			json_object_set(it, "new", json_object_get(ev, "new"));
			feedctl_print_json(it);
		} else {
			feed = feedctl_text(feedctl_str(it, "feed"), 0);
			url = render_item_title(feedctl_str(it, "title"),
			    json_string_value(json_object_get(it, "excerpt")));
			title = feedctl_text(url, 0);
			free(url);
			url = feedctl_text(feedctl_str(it, "url"), 0);
			printf("%lld %s[%s]%s %s%s %s\n",
			    (long long)feedctl_int(it, "id"),
			    render_sgr("\033[2m"), feed, render_sgr("\033[0m"),
			    json_is_true(json_object_get(ev, "new")) ? "" :
			    "(updated) ", title, url);
			free(feed);
			free(title);
			free(url);
		}
		json_decref(ev);
		if (fflush(stdout) == EOF)
			err(EXIT_DAEMON, "stdout");
	}
	warnx("%s: connection closed by feedd", feedctl_socket_path());
	return (EXIT_CONNECT);
}

/* ---------------------------------------------------------------- */

/* Check that everything reached stdout (sfeed checkfileerror). */
static void
feedctl_check_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_DAEMON, "stdout");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "json-array", no_argument, NULL, 'J' },
		{ "color", no_argument, NULL, 'C' },
		{ "no-color", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct feedctl_cmd	*cmd = NULL;
	char			*def[] = { "new", NULL };
	size_t			 i;
	int			 ch, rc;

	setlocale(LC_CTYPE, "");
	signal(SIGPIPE, SIG_DFL);
	opterr = 0;	/* feedctl_usage_error() names the flag */
	log_init("feedctl", LOG_WARNING, 0);
	while ((ch = getopt_long(argc, argv, "+s:jhV", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			feedctl_socket = optarg;
			feedctl_socket_given = 1;
			break;
		case 'D':
			feedctl_db = optarg;
			break;
		case 'c':
			feedctl_config = optarg;
			break;
		case 'j':
			feedctl_json = 1;
			break;
		case 'J':
			feedctl_json = feedctl_json_array = 1;
			break;
		case 'C':
			feedctl_color = 1;
			break;
		case 'N':
			feedctl_color = 0;
			break;
		case 'h':
			feedctl_usage(stdout);
			feedctl_check_stdout();
			return (0);
		case 'V':
			printf("feedctl %s (protocol %d)\n", PACKAGE_VERSION,
			    PROTO_VERSION);
			feedctl_check_stdout();
			return (0);
		default:
			feedctl_usage_error("unknown flag: %s",
			    argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		argc = 1;
		argv = def;
	}
	for (i = 0; i < CTL_NCMDS; i++) {
		if (strcmp(argv[0], feedctl_cmds[i].name) == 0 ||
		    (feedctl_cmds[i].alias != NULL &&
		    strcmp(argv[0], feedctl_cmds[i].alias) == 0)) {
			cmd = &feedctl_cmds[i];
			break;
		}
	}
	if (cmd == NULL)
		feedctl_usage_error("unknown command: %s", argv[0]);
	if (feedctl_color == -1)
		feedctl_color = render_use_color(STDOUT_FILENO);
	render_set_color(feedctl_color && !feedctl_json);
	feedctl_cmdname = cmd->name;
	rc = cmd->fn(argc, argv);
	if (feedctl_array_n >= 0)
		fputs(feedctl_array_n == 0 ? "[]\n" : "\n]\n", stdout);
	feedctl_check_stdout();
	if (feedctl_child != -1)
		feedctl_offline_done();
	else if (feedctl_in != NULL)
		fclose(feedctl_in);
	return (rc);
}
