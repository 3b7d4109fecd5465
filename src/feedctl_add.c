/*
 * feedctl_add.c: the subscription commands of feedctl: `add` (discover,
 * pick, subscribe), `remove` (unsubscribe), and the fetch behind `parse
 * URL`.  They speak to feedd (or an offline feedd --stdio, which may run
 * without a database for them: --scratch-db) with the "discover",
 * "subscribe", "unsubscribe" and "fetch" requests of feedd(8).
 * feedctl.c owns the socket; see its top comment for the exit status.
 */
#include <sys/types.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "feedd.h"
#include "proto.h"

#define ADD_MAX_TAGS	32

enum {
	ADD_OPT_TITLE = 256, ADD_OPT_EVERY, ADD_OPT_PICK, ADD_OPT_YES,
	ADD_OPT_FORCE, ADD_OPT_PURGE
};

/* A string member, or "". */
static const char *
add_str(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : "");
}

/* The error code of a failed response, or "". */
static const char *
add_code(json_t *resp)
{
	return (add_str(json_object_get(resp, "error"), "code"));
}

/* Print the candidates, numbered. */
static void
add_list(FILE *fp, json_t *feeds)
{
	json_t	*f;
	size_t	 i;
	char	*t, *u;
	int64_t	 n;

	json_array_foreach(feeds, i, f) {
		t = feedctl_text(*add_str(f, "title") != '\0' ?
		    add_str(f, "title") : "(untitled)", 0);
		u = feedctl_text(add_str(f, "url"), 0);
		n = json_integer_value(json_object_get(f, "items"));
		fprintf(fp, "%3zu  %s (%s, %lld item%s)\n     %s\n", i + 1, t,
		    add_str(f, "format"), (long long)n, n == 1 ? "" : "s", u);
		free(t);
		free(u);
	}
}

/* Ask on the terminal which of n candidates; 0 when none is chosen. */
static size_t
add_ask(json_t *feeds)
{
	FILE	*tty;
	char	 line[64];
	size_t	 n = json_array_size(feeds);
	int64_t	 v;

	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return (0);
	fprintf(tty, "Several feeds:\n");
	add_list(tty, feeds);
	for (;;) {
		fprintf(tty, "Which one (1-%zu, q to quit)? ", n);
		fflush(tty);
		if (fgets(line, sizeof line, tty) == NULL || line[0] == 'q')
			break;
		line[strcspn(line, "\r\n")] = '\0';
		if (util_parse_int(line, 1, (int64_t)n, &v) == 0) {
			fclose(tty);
			return ((size_t)v);
		}
	}
	fclose(tty);
	return (0);
}

/* Print the answer of a subscribe. */
static void
add_report(json_t *resp)
{
	json_t	*feed = json_object_get(resp, "feed");
	char	*t, *p;
	int64_t	 n;

	if (feedctl_json_output()) {
		p = json_dumps(resp, JSON_COMPACT);
		printf("%s\n", p != NULL ? p : "{}");
		free(p);
		return;
	}
	t = feedctl_text(add_str(feed, "title"), 0);
	p = feedctl_text(add_str(resp, "file"), 0);
	n = json_integer_value(json_object_get(resp, "items"));
	printf("Added %s (%lld item%s)\n", t, (long long)n, n == 1 ? "" : "s");
	printf("%s:%lld: written\n", p,
	    (long long)json_integer_value(json_object_get(resp, "line")));
	if (json_is_true(json_object_get(resp, "polled")))
		printf("polled now\n");
	else if (feedctl_is_offline())
		printf("feedd is not running: it polls it when it starts\n");
	else
		printf("not polled yet (see feedctl feeds)\n");
	free(t);
	free(p);
}

/*
 * feedd may not write its feeds file (a system service whose file is
 * root's): write the line with the same code, then have it reload.
 */
static void
add_fallback(json_t *resp, const char *url, char **tags, size_t ntags,
    const char *title, int64_t every, json_t *chosen)
{
	struct feed_conf	 fc;
	struct buf		 b = { NULL, 0, 0 };
	json_t			*e = json_object_get(resp, "error");
	char			*cause = NULL, *t, *p;
	const char		*file = add_str(e, "file");
	int			 lineno;
	int64_t			 n;

	memset(&fc, 0, sizeof fc);
	fc.url = (char *)url;
	fc.tags = tags;
	fc.ntags = ntags;
	fc.title = (char *)title;
	fc.every = every;
	fc.keep_items = -1;
	if (feedsfile_format(&b, &fc, &cause) != 0 ||
	    feedsfile_append(file, b.data, &lineno, &cause) != 0)
		errx(EXIT_DAEMON, "add: %s (feedd could not write it either: "
		    "%s)", cause, add_str(e, "message"));
	buf_free(&b);
	json_decref(feedctl_call(feedctl_request(PROTO_CMD_RELOAD)));
	if (feedctl_json_output()) {
		printf("{\"ok\":true,\"file\":");
		p = json_dumps(json_object_get(e, "file"),
		    JSON_ENCODE_ANY);
		printf("%s,\"line\":%d,\"polled\":false}\n", p, lineno);
		free(p);
		return;
	}
	t = feedctl_text(title != NULL ? title : *add_str(chosen, "title") !=
	    '\0' ? add_str(chosen, "title") : url, 0);
	p = feedctl_text(file, 0);
	n = json_integer_value(json_object_get(chosen, "items"));
	printf("Added %s (%lld item%s)\n", t, (long long)n, n == 1 ? "" : "s");
	printf("%s:%d: written by feedctl (feedd may not write it)\n", p,
	    lineno);
	printf("feedd reloaded: it polls it now\n");
	free(t);
	free(p);
}

/*
 * Whether url names no scheme ("example.org", "host:8080/feed"): add then
 * tries https:// and, if that cannot connect, http://.  A scheme other
 * than http and https, or what cannot start a host, is a usage error.
 */
static int
add_bare(const char *url)
{
	const char	*p = url, *q;
	size_t		 n;

	if (isalpha((unsigned char)*p))
		while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
		    *p == '.')
			p++;
	if (p > url && *p == ':') {
		/* "host:8080": a port, not a scheme. */
		for (q = p + 1; isdigit((unsigned char)*q); q++)
			continue;
		if (q == p + 1 || (*q != '\0' && *q != '/' && *q != '?' &&
		    *q != '#')) {
			n = (size_t)(p - url);
			if ((n == 4 && strncasecmp(url, "http", 4) == 0) ||
			    (n == 5 && strncasecmp(url, "https", 5) == 0))
				return (0);
			feedctl_usage_error("add: %s: only http and https URLs "
			    "can be added", url);
		}
	}
	if (!isalnum((unsigned char)*url) && *url != '[')
		feedctl_usage_error("add: %s: not a URL (give https://... or "
		    "a host name such as example.org)", url);
	return (1);
}

/* Ask feedd for the feeds at url ("discover"). */
static json_t *
add_discover(const char *url)
{
	json_t	*req;

	req = feedctl_request(PROTO_CMD_DISCOVER);
	json_object_set_new(req, "url", json_string(url));
	return (feedctl_exchange(req));
}

/*
 * Discover the feeds of a URL given without a scheme: https:// first, and
 * http:// only when no https connection could be made (not on an HTTP
 * error).  Says which URL it used; *url is it, the caller's to free.
 */
static json_t *
add_discover_bare(const char *host, char **url)
{
	json_t		*resp, *e;
	FILE		*fp = feedctl_json_output() ? stderr : stdout;
	char		*u, *m;
	int		 fell = 0;

	xasprintf(url, "https://%s", host);
	resp = add_discover(*url);
	e = json_object_get(resp, "error");
	if (json_is_true(json_object_get(e, "unreachable"))) {
		m = feedctl_text(add_str(e, "message"), 0);
		fprintf(fp, "%s\n", m);
		free(m);
		json_decref(resp);
		free(*url);
		xasprintf(url, "http://%s", host);
		resp = add_discover(*url);
		fell = 1;
	}
	u = feedctl_text(*url, 0);
	fprintf(fp, "Using %s%s\n", u, fell ? " (https could not connect)" :
	    "");
	fflush(fp);
	free(u);
	return (resp);
}

/*
 * "add URL [TAG...]": discover the feeds at URL, pick one, subscribe to it
 * (see feedctl(1)).
 */
int
feedctl_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, ADD_OPT_TITLE },
		{ "every", required_argument, NULL, ADD_OPT_EVERY },
		{ "pick", required_argument, NULL, ADD_OPT_PICK },
		{ "yes", no_argument, NULL, ADD_OPT_YES },
		{ "force", no_argument, NULL, ADD_OPT_FORCE },
		{ NULL, 0, NULL, 0 }
	};
	const char	*title = NULL, *every = NULL, *url, *pickurl;
	json_t		*req, *resp, *feeds, *tags, *disc;
	int64_t		 pick = 0, every_s = 0;
	int		 ch, yes = 0, force = 0, i;
	size_t		 n, choice = 1;
	char		*u, *full = NULL;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "y", opts, NULL)) != -1) {
		switch (ch) {
		case ADD_OPT_TITLE:
			title = optarg;
			break;
		case ADD_OPT_EVERY:
			every = optarg;
			break;
		case ADD_OPT_PICK:
			if (util_parse_int(optarg, 1, 1000, &pick) != 0)
				feedctl_usage_error("add: --pick: not a number "
				    "from 1 to 1000: %s", optarg);
			break;
		case 'y':
		case ADD_OPT_YES:
			yes = 1;
			break;
		case ADD_OPT_FORCE:
			force = 1;
			break;
		default:
			feedctl_usage_error("add: unknown flag: %s",
			    argv[optind - 1]);
		}
	}
	if (optind >= argc)
		feedctl_usage_error("add: needs a URL");
	if (argc - optind - 1 > ADD_MAX_TAGS)
		feedctl_usage_error("add: at most %d tags", ADD_MAX_TAGS);
	url = argv[optind];
	if (add_bare(url)) {
		feedctl_offline_scratch();
		disc = resp = add_discover_bare(url, &full);
		url = full;
	} else {
		feedctl_offline_scratch();
		disc = resp = add_discover(url);
	}

	/* Which feed: the URL itself, or one a page links to. */
	pickurl = NULL;
	feeds = NULL;
	if (json_is_true(json_object_get(resp, "ok"))) {
		feeds = json_object_get(resp, "feeds");
		n = json_array_size(feeds);
		if (pick > 0 && (size_t)pick > n) {
			add_list(stderr, feeds);
			errx(EXIT_DAEMON, "add: --pick %lld: there are %zu "
			    "feeds", (long long)pick, n);
		}
		if (pick > 0)
			choice = (size_t)pick;
		else if (n == 1 || yes)
			choice = 1;
		else if (isatty(STDIN_FILENO) && (choice = add_ask(feeds)) ==
		    0)
			errx(EXIT_DAEMON, "add: nothing added");
		else if (!isatty(STDIN_FILENO)) {
			u = feedctl_text(url, 0);
			printf("%zu feeds at %s:\n", n, u);
			free(u);
			add_list(stdout, feeds);
			fflush(stdout);
			errx(EXIT_DAEMON, "add: several feeds; pass --pick N "
			    "or --yes (the first)");
		}
		pickurl = add_str(json_array_get(feeds, choice - 1), "url");
	} else if (!force) {
		if (strcmp(add_code(resp), PROTO_E_FETCH) == 0 ||
		    strcmp(add_code(resp), PROTO_E_NOT_FOUND) == 0) {
			u = feedctl_text(add_str(json_object_get(resp,
			    "error"), "message"), 0);
			errx(EXIT_DAEMON, "add: %s (--force adds it anyway)",
			    u);
		}
		feedctl_fail("add", resp);
	} else
		pickurl = url;

	req = feedctl_request(PROTO_CMD_SUBSCRIBE);
	json_object_set_new(req, "url", json_string(pickurl));
	tags = json_array();
	for (i = optind + 1; i < argc; i++)
		json_array_append_new(tags, json_string(argv[i]));
	json_object_set_new(req, "tags", tags);
	if (title != NULL)
		json_object_set_new(req, "title", json_string(title));
	if (every != NULL)
		json_object_set_new(req, "every", json_string(every));
	/* Checked again by feedd before it writes, unless --force. */
	json_object_set_new(req, "force", json_boolean(force));
	resp = feedctl_exchange(req);
	if (json_is_true(json_object_get(json_object_get(resp, "error"),
	    "denied")) && !feedctl_is_offline()) {
		if (every != NULL)
			(void)util_parse_duration(every, &every_s);
		add_fallback(resp, pickurl, argv + optind + 1,
		    (size_t)(argc - optind - 1), title, every_s,
		    json_array_get(feeds, choice - 1));
		json_decref(resp);
		json_decref(disc);
		free(full);
		return (0);
	}
	if (!json_is_true(json_object_get(resp, "ok")))
		feedctl_fail("add", resp);
	add_report(resp);
	json_decref(resp);
	json_decref(disc);
	free(full);
	return (0);
}

/*
 * feedd may not write its feeds file: comment the lines out with the same
 * code, then have it reload.  The lines are looked up again, by URL, in
 * the file as it is now.  A purge needs feedd's own edit: refused.
 */
static void
add_remove_fallback(json_t *resp, int purge)
{
	json_t		*e = json_object_get(resp, "error"), *r, *out, *o;
	const char	*file = add_str(e, "file");
	const char	*msg = add_str(e, "message");
	char		*cause = NULL, prefix[64], *u, *p, *s;
	int		*lines = NULL, *ul = NULL, nl, k;
	size_t		 i, j, n = 0;

	if (purge)
		errx(EXIT_DAEMON, "remove: %s (feedctl could comment the "
		    "lines out itself, but not with --purge: nothing changed)",
		    msg);
	out = json_array();
	json_array_foreach(json_object_get(e, "removed"), i, r) {
		if ((nl = feedsfile_url_lines(file, add_str(r, "url"), &ul,
		    &cause)) < 0)
			errx(EXIT_DAEMON, "remove: %s", cause);
		for (k = 0; k < nl; k++) {
			for (j = 0; j < n && lines[j] != ul[k]; j++)
				continue;
			if (j < n)
				continue;
			lines = xreallocarray(lines, n + 1, sizeof *lines);
			lines[n++] = ul[k];
			json_array_append_new(out, json_pack("{s:s, s:s, s:i}",
			    "url", add_str(r, "url"), "file", file, "line",
			    ul[k]));
		}
		free(ul);
	}
	if (n == 0)
		errx(EXIT_DAEMON, "remove: %s: the feeds are no longer there",
		    file);
	feedsfile_removed_prefix(prefix, sizeof prefix);
	if (feedsfile_comment(file, lines, n, prefix, &cause) != 0)
		errx(EXIT_DAEMON, "remove: %s (feedd could not write it "
		    "either: %s)", cause, msg);
	free(lines);
	json_decref(feedctl_call(feedctl_request(PROTO_CMD_RELOAD)));
	if (feedctl_json_output()) {
		o = json_pack("{s:b, s:o, s:i}", "ok", 1, "removed", out,
		    "purged", 0);
		s = json_dumps(o, JSON_COMPACT);
		printf("%s\n", s != NULL ? s : "{}");
		free(s);
		json_decref(o);
		return;
	}
	json_array_foreach(out, i, r) {
		u = feedctl_text(add_str(r, "url"), 0);
		p = feedctl_text(add_str(r, "file"), 0);
		printf("Removed %s (%s:%lld commented out by feedctl: feedd "
		    "may not write it)\n", u, p,
		    (long long)json_integer_value(json_object_get(r, "line")));
		free(u);
		free(p);
	}
	printf("feedd reloaded; items kept.\n");
	json_decref(out);
}

/* "remove FEED... [--purge]": comment the feeds' lines out. */
int
feedctl_remove(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "purge", no_argument, NULL, ADD_OPT_PURGE },
		{ NULL, 0, NULL, 0 }
	};
	json_t	*req, *resp, *names, *r;
	int	 ch, purge = 0, i;
	size_t	 k;
	char	*u, *p, *s;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != ADD_OPT_PURGE)
			feedctl_usage_error("remove: unknown flag: %s",
			    argv[optind - 1]);
		purge = 1;
	}
	if (optind >= argc)
		feedctl_usage_error("remove: needs a feed (URL, id or title)");
	feedctl_offline_scratch();
	names = json_array();
	for (i = optind; i < argc; i++)
		json_array_append_new(names, json_string(argv[i]));
	req = feedctl_request(PROTO_CMD_UNSUBSCRIBE);
	json_object_set_new(req, "feeds", names);
	json_object_set_new(req, "purge", json_boolean(purge));
	resp = feedctl_exchange(req);
	if (json_is_true(json_object_get(json_object_get(resp, "error"),
	    "denied")) && !feedctl_is_offline()) {
		add_remove_fallback(resp, purge);
		json_decref(resp);
		return (0);
	}
	if (!json_is_true(json_object_get(resp, "ok")))
		feedctl_fail("remove", resp);
	if (feedctl_json_output()) {
		s = json_dumps(resp, JSON_COMPACT);
		printf("%s\n", s != NULL ? s : "{}");
		free(s);
		json_decref(resp);
		return (0);
	}
	json_array_foreach(json_object_get(resp, "removed"), k, r) {
		u = feedctl_text(add_str(r, "url"), 0);
		p = feedctl_text(add_str(r, "file"), 0);
		printf("Removed %s (%s:%lld commented out)\n", u, p,
		    (long long)json_integer_value(json_object_get(r, "line")));
		free(u);
		free(p);
	}
	if (purge)
		printf("Its items are deleted.\n");
	else
		printf("Items kept; --purge deletes them.\n");
	json_decref(resp);
	return (0);
}

/* The value of one base64 digit, or -1. */
static int
add_b64(int c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

/*
 * Fetch url through feedd ("fetch"): its decoded bytes into b, and where
 * they came from (after redirects) in *final.  0, or exit 1 with the
 * reason.
 */
int
feedctl_fetch_url(const char *url, struct buf *b, char **final)
{
	json_t		*req, *resp;
	const char	*s;
	uint32_t	 v = 0;
	int		 bits = 0, d;

	feedctl_offline_scratch();
	req = feedctl_request(PROTO_CMD_FETCH);
	json_object_set_new(req, "url", json_string(url));
	resp = feedctl_exchange(req);
	if (!json_is_true(json_object_get(resp, "ok")))
		feedctl_fail("parse", resp);
	for (s = add_str(resp, "body_base64"); *s != '\0'; s++) {
		if ((d = add_b64((unsigned char)*s)) == -1)
			continue;	/* '=' padding */
		v = v << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(b, (char)((v >> bits) & 0xff));
		}
	}
	*final = xstrdup(*add_str(resp, "final_url") != '\0' ?
	    add_str(resp, "final_url") : url);
	json_decref(resp);
	return (0);
}

/*
 * For export: the title the store knows of each feed of cfg that the
 * feeds file gives none (NULL entries elsewhere), or NULL when neither
 * feedd nor its database can be reached.
 */
char **
feedctl_store_titles(const struct config *cfg)
{
	json_t		*req, *resp, *f;
	char		**titles;
	const char	*t;
	size_t		 i;

	if (cfg->nfeeds == 0 || !feedctl_daemon_reachable())
		return (NULL);
	titles = xcalloc(cfg->nfeeds, sizeof *titles);
	req = feedctl_request(PROTO_CMD_FEEDS);
	json_object_set_new(req, "all", json_true());
	for (resp = feedctl_exchange(req);
	    !json_is_true(json_object_get(resp, "end"));
	    resp = feedctl_recv_next()) {
		if (!json_is_true(json_object_get(resp, "ok")))
			feedctl_fail("export", resp);
		f = json_object_get(resp, "feed");
		t = add_str(f, "doc_title");
		for (i = 0; *t != '\0' && i < cfg->nfeeds; i++) {
			if (cfg->feeds[i].title == NULL &&
			    titles[i] == NULL && feedsfile_url_same(
			    cfg->feeds[i].url, add_str(f, "url")))
				titles[i] = xstrdup(t);
		}
		json_decref(resp);
	}
	json_decref(resp);
	return (titles);
}
