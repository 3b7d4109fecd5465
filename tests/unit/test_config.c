/*
 * test_config.c: config.c as tables of exact cases: the feeds file
 * (Newsboat urls files, quoting, options, every error with its
 * "FILE:LINE: message"), every feedd.conf key with good and bad values,
 * flags over the file, the print/reload round trip, the default paths,
 * and the shipped contrib/feedd.conf and contrib/feeds.example.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "feedd.h"
#include "tap.h"

static char	*tmpdir;
static char	*srcdir;

/* Write len bytes to tmpdir/name; returns the path (caller frees). */
static char *
put_file(const char *name, const char *data, size_t len)
{
	char	*path;
	FILE	*fp;

	xasprintf(&path, "%s/%s", tmpdir, name);
	if ((fp = fopen(path, "wb")) == NULL)
		fatal("%s", path);
	if (len != 0 && fwrite(data, 1, len, fp) != len)
		fatal("%s", path);
	if (fclose(fp) != 0)
		fatal("%s", path);
	return (path);
}

/* Write a string to tmpdir/name. */
static char *
put(const char *name, const char *text)
{
	return (put_file(name, text, strlen(text)));
}

/* Read a whole file into a string (caller frees). */
static char *
slurp(const char *path)
{
	struct buf	 b = { NULL, 0, 0 };
	char		 chunk[4096];
	size_t		 n;
	FILE		*fp;

	buf_add(&b, "", 0);
	if ((fp = fopen(path, "rb")) == NULL)
		return (b.data);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	return (b.data);
}

/* Capturing stderr (the log) around a call. */
static int	 saved_stderr = -1;
static char	*capture_path;

static void
capture_begin(void)
{
	int	fd;

	fflush(stderr);
	if (capture_path == NULL)
		xasprintf(&capture_path, "%s/stderr.txt", tmpdir);
	fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1)
		fatal("%s", capture_path);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static char *
capture_end(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	return (slurp(capture_path));
}

/* The feeds' tags joined by "|", to compare in one string. */
static char *
tags_of(const struct feed_conf *fc)
{
	struct buf	b = { NULL, 0, 0 };
	size_t		i;

	buf_add(&b, "", 0);
	for (i = 0; i < fc->ntags; i++)
		buf_printf(&b, "%s%s", i == 0 ? "" : "|", fc->tags[i]);
	return (b.data);
}

/* A printed config as a string. */
static char *
print_to_string(const struct config *cfg, int what)
{
	char	*s = NULL;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&s, &len)) == NULL)
		fatal("open_memstream");
	if (what == 0)
		config_print_conf(fp, cfg);
	else if (what == 1)
		config_print_feeds(fp, cfg);
	else
		config_print(fp, cfg);
	fclose(fp);
	return (s);
}

/* The printed "key = value" value of one key. */
static char *
printed_value(const struct config *cfg, const char *key)
{
	char	*all, *line, *end, *v = NULL, *want;

	all = print_to_string(cfg, 0);
	xasprintf(&want, "\n%s = ", key);
	if ((line = strstr(all, want)) != NULL) {
		line += strlen(want);
		end = strchr(line, '\n');
		v = xstrndup(line, end != NULL ? (size_t)(end - line) :
		    strlen(line));
	}
	free(want);
	free(all);
	return (v);
}

/* ---------------------------------------------------------------- */

static void
test_defaults(void)
{
	struct config	*cfg;
	char		*cause = NULL;

	cfg = config_new();
	tap_is_int(cfg->interval, 1800, "default interval 30m");
	tap_is_int(cfg->min_interval, 300, "default min-interval 5m");
	tap_is_int(cfg->max_interval, 86400, "default max-interval 1d");
	tap_is_int(cfg->max_conns, 16, "default max-conns");
	tap_is_int(cfg->host_conns, 2, "default host-conns");
	tap_ok(cfg->host_delay == 1.0, "default host-delay 1s");
	tap_is_int(cfg->connect_timeout, 20, "default connect-timeout");
	tap_is_int(cfg->timeout, 60, "default timeout");
	tap_is_int(cfg->low_speed_limit, 64, "default low-speed-limit");
	tap_is_int(cfg->low_speed_time, 30, "default low-speed-time");
	tap_is_int(cfg->max_body, 16 * 1024 * 1024, "default max-body 16M");
	tap_is_int(cfg->backoff_max, 86400, "default backoff-max");
	tap_is_int(cfg->keep_items, 1000, "default keep-items");
	tap_is_int(cfg->keep_age, 180 * 86400, "default keep-age");
	tap_is_int(cfg->keep_unread, 1, "default keep-unread");
	tap_is_int(cfg->log_level, LOG_NOTICE, "default log-level");
	tap_is_str(cfg->socket_group, NULL, "default socket-group none");
	tap_is_str(cfg->user_agent,
	    "feedd/" PACKAGE_VERSION " (+https://github.com/feedd/feedd)",
	    "default user-agent");
	tap_is_int(cfg->nfeeds, 0, "no feeds yet");
	tap_ok(cfg->feeds_path != NULL && cfg->db_path != NULL &&
	    cfg->socket_path != NULL && cfg->conf_path != NULL,
	    "default paths set");
	tap_ok(config_check(cfg, &cause) == 0, "defaults pass config_check");
	config_free(cfg);
}

static void
test_default_paths(void)
{
	char	*s, *want;

	s = config_default_path_for("conf", 1);
	tap_is_str(s, SYSCONFDIR "/feedd/feedd.conf", "system conf path");
	free(s);
	s = config_default_path_for("feeds", 1);
	tap_is_str(s, SYSCONFDIR "/feedd/feeds", "system feeds path");
	free(s);
	s = config_default_path_for("db", 1);
	tap_is_str(s, LOCALSTATEDIR "/lib/feedd/feedd.db", "system db path");
	free(s);
	s = config_default_path_for("socket", 1);
	tap_is_str(s, RUNSTATEDIR "/feedd/feedd.sock", "system socket path");
	free(s);
	tap_ok(config_default_path_for("bogus", 1) == NULL, "unknown: NULL");
	tap_ok(config_default_path_for("bogus", 0) == NULL, "unknown: NULL");

	setenv("HOME", "/home/alice", 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_STATE_HOME");
	unsetenv("XDG_RUNTIME_DIR");
	s = config_default_path_for("conf", 0);
	tap_is_str(s, "/home/alice/.config/feedd/feedd.conf",
	    "user conf without XDG_CONFIG_HOME");
	free(s);
	s = config_default_path_for("feeds", 0);
	tap_is_str(s, "/home/alice/.config/feedd/feeds",
	    "user feeds without XDG_CONFIG_HOME");
	free(s);
	s = config_default_path_for("db", 0);
	tap_is_str(s, "/home/alice/.local/state/feedd/feedd.db",
	    "user db without XDG_STATE_HOME");
	free(s);
	/*
	 * Issue 11: the fallback is a private directory, never a name
	 * directly in /tmp (it was /tmp/feedd-UID.sock).
	 */
	unsetenv("TMPDIR");
	s = config_default_path_for("socket", 0);
	xasprintf(&want, "/tmp/feedd-%lu/feedd.sock", (unsigned long)getuid());
	tap_is_str(s, want, "user socket without XDG_RUNTIME_DIR");
	free(want);
	free(s);
	setenv("TMPDIR", "/var/tmp", 1);
	s = config_default_path_for("socket", 0);
	xasprintf(&want, "/var/tmp/feedd-%lu/feedd.sock",
	    (unsigned long)getuid());
	tap_is_str(s, want, "the fallback is under TMPDIR");
	free(want);
	free(s);
	setenv("TMPDIR", "relative", 1);
	s = config_default_path_for("socket", 0);
	xasprintf(&want, "/tmp/feedd-%lu/feedd.sock", (unsigned long)getuid());
	tap_is_str(s, want, "a relative TMPDIR is ignored");
	free(want);
	free(s);
	unsetenv("TMPDIR");

	setenv("XDG_CONFIG_HOME", "/xdg/config", 1);
	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	s = config_default_path_for("conf", 0);
	tap_is_str(s, "/xdg/config/feedd/feedd.conf", "XDG_CONFIG_HOME conf");
	free(s);
	s = config_default_path_for("feeds", 0);
	tap_is_str(s, "/xdg/config/feedd/feeds", "XDG_CONFIG_HOME feeds");
	free(s);
	s = config_default_path_for("db", 0);
	tap_is_str(s, "/xdg/state/feedd/feedd.db", "XDG_STATE_HOME db");
	free(s);
	s = config_default_path_for("socket", 0);
	tap_is_str(s, "/run/user/1000/feedd.sock", "XDG_RUNTIME_DIR socket");
	free(s);

	/* The XDG spec: relative values are invalid and ignored. */
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	s = config_default_path_for("feeds", 0);
	tap_is_str(s, "/home/alice/.config/feedd/feeds",
	    "relative XDG_CONFIG_HOME ignored");
	free(s);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_STATE_HOME");
	unsetenv("XDG_RUNTIME_DIR");

	s = config_default_path("feeds");
	want = config_default_path_for("feeds", geteuid() == 0);
	tap_is_str(s, want, "config_default_path follows the euid");
	free(want);
	free(s);
}

/* The Newsboat fixture: tags, quotes, titles, skipped entries, dups. */
static void
test_newsboat(void)
{
	struct config	*cfg;
	char		*path, *cause = NULL, *log, *t;
	size_t		 i;
	static const struct {
		const char	*url;
		const char	*title;
		const char	*tags;
		int64_t		 every;
		int64_t		 keep;
		int		 line;
	} want[] = {
		/* Line 18 repeats it: the first line wins whole. */
		{ "https://lwn.net/headlines/rss", NULL,
		  "linux|news", 0, -1, 4 },
		{ "https://www.phoronix.com/rss.php", "Phoronix",
		  "linux|hardware news", 0, -1, 5 },
		{ "https://blog.rust-lang.org/feed.xml", NULL,
		  "rust|programming", 0, -1, 6 },
		/* The fragment is never sent: dropped. */
		{ "http://example.org/a", NULL,
		  "tag#not-a-comment", 0, -1, 7 },
		{ "https://example.com/quoted-url", NULL, "quoted", 0, -1, 8 },
		{ "https://example.net/esc", "Title with \"quotes\"",
		  "say \"hi\"|back\\slash", 0, -1, 9 },
		{ "https://xkcd.com/atom.xml", "xkcd: A webcomic",
		  "comics|!hidden", 0, -1, 10 },
		{ "https://example.com/opts", NULL, "foo=bar", 7200, 50, 11 },
		{ "https://example.com/unicode",
		  "Zeitung f\xc3\xbcr \xc3\x9cn\xc3\xaf\x63\xc3\xb6\x64\xc3\xa9 "
		  "\xe6\x96\xb0\xe8\x81\x9e", "\xc3\xbcn\xc3\xaf", 0, -1, 12 },
		{ "file:///var/lib/feeds/local.xml", NULL, "local", 0, -1, 17 },
	};
	const size_t	 nwant = sizeof want / sizeof want[0];

	xasprintf(&path, "%s/tests/data/config/urls.newsboat", srcdir);
	cfg = config_new();
	capture_begin();
	tap_is_int(config_load_feeds(cfg, path, &cause), 0,
	    "Newsboat urls file loads");
	log = capture_end();
	tap_is_str(cause, NULL, "no cause");
	tap_is_int(cfg->nfeeds, nwant, "Newsboat urls: feed count");
	for (i = 0; i < nwant && i < cfg->nfeeds; i++) {
		tap_is_str(cfg->feeds[i].url, want[i].url, want[i].url);
		tap_is_str(cfg->feeds[i].title, want[i].title, "  title");
		t = tags_of(&cfg->feeds[i]);
		tap_is_str(t, want[i].tags, "  tags");
		free(t);
		tap_is_int(cfg->feeds[i].every, want[i].every, "  every");
		tap_is_int(cfg->feeds[i].keep_items, want[i].keep, "  keep");
		tap_is_int(cfg->feeds[i].line, want[i].line, "  line");
	}
	t = NULL;
	xasprintf(&t, "%s:11: unknown option \"foo\"", path);
	tap_ok(strstr(log, t) != NULL, "warning: unknown option");
	free(t);
	xasprintf(&t, "%s:13: skipping Newsboat query: feed", path);
	tap_ok(strstr(log, t) != NULL, "notice: query: skipped");
	free(t);
	xasprintf(&t, "%s:14: skipping Newsboat query: feed", path);
	tap_ok(strstr(log, t) != NULL, "notice: quoted query: skipped");
	free(t);
	xasprintf(&t, "%s:15: skipping Newsboat exec: feed", path);
	tap_ok(strstr(log, t) != NULL, "notice: exec: skipped");
	free(t);
	xasprintf(&t, "%s:16: skipping Newsboat filter: feed", path);
	tap_ok(strstr(log, t) != NULL, "notice: filter: skipped");
	free(t);
	xasprintf(&t, "%s:18: duplicate of line 4 "
	    "(https://lwn.net/headlines/rss); its tags linux, security are "
	    "ignored", path);
	tap_ok(strstr(log, t) != NULL, "warning: duplicate ignored, named");
	free(t);
	tap_is_str(cfg->feeds_path, path, "feeds_path recorded");
	tap_ok(cfg->feeds_hash != NULL && strlen(cfg->feeds_hash) == 16,
	    "feeds_hash is 16 hex digits");
	free(log);
	free(path);
	config_free(cfg);
}

/* Single-line feeds files: what each line gives. */
static void
test_feed_lines(void)
{
	static const struct {
		const char	*text;
		const char	*url;		/* NULL: no feed */
		const char	*title;
		const char	*tags;
		int64_t		 every;
		int64_t		 keep;
	} cases[] = {
		{ "https://a.example/f", "https://a.example/f", NULL, "",
		  0, -1 },
		{ "https://a.example/f\r\n", "https://a.example/f", NULL, "",
		  0, -1 },
		{ "\xef\xbb\xbfhttps://a.example/f\n", "https://a.example/f",
		  NULL, "", 0, -1 },
		{ "HTTPS://A.example/f x", "HTTPS://A.example/f", NULL, "x",
		  0, -1 },
		{ "   # only a comment\n", NULL, NULL, NULL, 0, 0 },
		{ "\n\n\t\n", NULL, NULL, NULL, 0, 0 },
		{ "https://a.example/f a b a", "https://a.example/f", NULL,
		  "a|b", 0, -1 },
		{ "https://a.example/f \"~One\" \"~Two\"",
		  "https://a.example/f", "One", "", 0, -1 },
		{ "https://a.example/f ~Short", "https://a.example/f",
		  "Short", "", 0, -1 },
		{ "https://a.example/f \"~\"", "https://a.example/f",
		  NULL, "", 0, -1 },
		{ "https://a.example/f \"\" x", "https://a.example/f",
		  NULL, "x", 0, -1 },
		{ "https://a.example/f \"a\"b", "https://a.example/f",
		  NULL, "a|b", 0, -1 },
		{ "https://a.example/f \"tab\\there\" \"nl\\n\"",
		  "https://a.example/f", NULL, "tab\there|nl\n", 0, -1 },
		{ "https://a.example/f every=1h30m", "https://a.example/f",
		  NULL, "", 5400, -1 },
		{ "https://a.example/f \"every=15m\" keep=0",
		  "https://a.example/f", NULL, "", 900, 0 },
		{ "https://a.example/f x=1 =y a=", "https://a.example/f",
		  NULL, "x=1|=y|a=", 0, -1 },
		{ "https://a.example/f t #c \"d\"", "https://a.example/f",
		  NULL, "t", 0, -1 },
		{ "https://user:pw@a.example:8080/f?x=1&y=2",
		  "https://user:pw@a.example:8080/f?x=1&y=2", NULL, "",
		  0, -1 },
		{ "file://localhost/srv/f.xml", "file://localhost/srv/f.xml",
		  NULL, "", 0, -1 },
		{ "file:///srv/f.xml", "file:///srv/f.xml", NULL, "", 0, -1 },
	};
	struct config	*cfg;
	char		*path, *cause, *t, *log;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = config_new();
		path = put("line", cases[i].text);
		cause = NULL;
		capture_begin();
		rc = config_load_feeds(cfg, path, &cause);
		log = capture_end();
		if (!tap_is_int(rc, 0, cases[i].text))
			printf("#   cause: %s\n", cause);
		if (cases[i].url == NULL)
			tap_is_int(cfg->nfeeds, 0, "  no feed");
		else if (tap_is_int(cfg->nfeeds, 1, "  one feed")) {
			tap_is_str(cfg->feeds[0].url, cases[i].url, "  url");
			tap_is_str(cfg->feeds[0].title, cases[i].title,
			    "  title");
			t = tags_of(&cfg->feeds[0]);
			tap_is_str(t, cases[i].tags, "  tags");
			free(t);
			tap_is_int(cfg->feeds[0].every, cases[i].every,
			    "  every");
			tap_is_int(cfg->feeds[0].keep_items, cases[i].keep,
			    "  keep");
		}
		free(log);
		free(cause);
		free(path);
		config_free(cfg);
	}
}

/* Errors: the exact "FILE:LINE: message", and cfg left as it was. */
static void
test_feed_errors(void)
{
	static const struct {
		const char	*text;
		const char	*cause;		/* after "PATH" */
	} cases[] = {
		{ "ftp://a.example/f\n", ":1: invalid URL \"ftp://a.example/f\" "
		  "(want an absolute http, https or file URL)" },
		{ "# c\nexample.com/feed\n", ":2: invalid URL "
		  "\"example.com/feed\" (want an absolute http, https or "
		  "file URL)" },
		{ "/relative/path\n", ":1: invalid URL \"/relative/path\" "
		  "(want an absolute http, https or file URL)" },
		{ "feed.xml\n", ":1: invalid URL \"feed.xml\" (want an "
		  "absolute http, https or file URL)" },
		{ "http://\n", ":1: invalid URL \"http://\" (no host)" },
		{ "https:///path\n", ":1: invalid URL \"https:///path\" "
		  "(no host)" },
		{ "file://relative/f.xml\n", ":1: invalid URL "
		  "\"file://relative/f.xml\" (a file URL needs an absolute "
		  "path)" },
		{ "\"https://a.example/a b\"\n", ":1: invalid URL "
		  "\"https://a.example/a b\" (blank or control character)" },
		{ "https://a.example/f \"open\n", ":1: unterminated quote" },
		{ "https://a.example/f\nhttps://b.example/f \"x\\\n",
		  ":2: unterminated quote" },
		{ "\"https://a.example/f\n", ":1: unterminated quote" },
		{ "https://a.example/f every=x\n",
		  ":1: every: invalid duration \"x\"" },
		{ "https://a.example/f every=0\n",
		  ":1: every: invalid duration \"0\"" },
		{ "https://a.example/f every=\n",
		  ":1: every: invalid duration \"\"" },
		{ "https://a.example/f every=366d\n",
		  ":1: every: duration \"366d\" out of range (1s to 365d)" },
		{ "https://a.example/f keep=-1\n",
		  ":1: keep: invalid number \"-1\"" },
		{ "https://a.example/f keep=many\n",
		  ":1: keep: invalid number \"many\"" },
		{ "https://a.example/f id=random\n",
		  ":1: id: \"random\" is not auto, guid, link or hash" },
		{ "https://a.example/f \"~Bad \xff title\"\n",
		  ":1: invalid UTF-8" },
		{ "https://a.example/f \"~overlong \xc0\xaf\"\n",
		  ":1: invalid UTF-8" },
		{ "https://a.example/f \"~surrogate \xed\xa0\x80\"\n",
		  ":1: invalid UTF-8" },
	};
	struct config	*cfg;
	char		*path, *cause, *want, *good;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = config_new();
		good = put("good", "https://kept.example/f kept\n");
		config_load_feeds(cfg, good, &cause);
		path = put("bad", cases[i].text);
		cause = NULL;
		xasprintf(&want, "%s%s", path, cases[i].cause);
		tap_is_int(config_load_feeds(cfg, path, &cause), -1,
		    cases[i].text);
		tap_is_str(cause, want, "  cause");
		tap_ok(cfg->nfeeds == 1 &&
		    strcmp(cfg->feeds[0].url, "https://kept.example/f") == 0 &&
		    strcmp(cfg->feeds_path, good) == 0,
		    "  the previous feeds are kept");
		free(want);
		free(cause);
		free(path);
		free(good);
		config_free(cfg);
	}
}

/* Errors that need bytes a string literal cannot hold, and big lines. */
static void
test_feed_limits(void)
{
	struct config	*cfg;
	struct buf	 b = { NULL, 0, 0 };
	char		*path, *cause = NULL, *want;
	size_t		 prefix, i;

	cfg = config_new();

	path = put_file("nul", "https://a.example/f\nhttps://b\0x\n", 32);
	xasprintf(&want, "%s:2: NUL byte in line", path);
	tap_is_int(config_load_feeds(cfg, path, &cause), -1, "NUL byte");
	tap_is_str(cause, want, "  cause");
	free(want);
	free(cause);
	cause = NULL;
	free(path);

	/* A line of exactly 64 KiB is fine, one byte more is not. */
	buf_adds(&b, "https://a.example/f ");
	prefix = b.len;
	while (b.len < 65536)
		buf_addc(&b, 'x');
	buf_addc(&b, '\n');
	path = put_file("long", b.data, b.len);
	tap_is_int(config_load_feeds(cfg, path, &cause), 0,
	    "64 KiB line loads");
	tap_ok(cfg->nfeeds == 1 && cfg->feeds[0].ntags == 1 &&
	    strlen(cfg->feeds[0].tags[0]) == 65536 - prefix,
	    "  with its long tag");
	free(path);
	b.len--;
	buf_adds(&b, "\r\n");
	path = put_file("long", b.data, b.len);
	tap_is_int(config_load_feeds(cfg, path, &cause), 0,
	    "64 KiB line with CR LF loads");
	free(path);
	b.len -= 2;
	buf_adds(&b, "y\n");
	path = put_file("long", b.data, b.len);
	xasprintf(&want, "%s:1: line too long (more than 65536 bytes)", path);
	tap_is_int(config_load_feeds(cfg, path, &cause), -1,
	    "65537-byte line fails");
	tap_is_str(cause, want, "  cause");
	free(want);
	free(cause);
	cause = NULL;
	free(path);
	buf_reset(&b);

	/*
	 * 1024 tags on a feed are fine, 1025 are not; a duplicate line's
	 * tags are ignored, not merged, so they never count.
	 */
	buf_adds(&b, "https://a.example/f");
	for (i = 0; i < 1024; i++)
		buf_printf(&b, " t%zu", i);
	buf_adds(&b, " t0\n");
	path = put_file("tags", b.data, b.len);
	tap_is_int(config_load_feeds(cfg, path, &cause), 0, "1024 tags load");
	tap_is_int(cfg->nfeeds == 1 ? cfg->feeds[0].ntags : 0, 1024,
	    "  all 1024, the repeated one once");
	free(path);
	buf_adds(&b, "https://a.example/f t1024\n");
	path = put_file("tags", b.data, b.len);
	capture_begin();
	tap_is_int(config_load_feeds(cfg, path, &cause), 0,
	    "a duplicate line's 1025th tag is ignored");
	free(capture_end());
	tap_is_int(cfg->nfeeds == 1 ? cfg->feeds[0].ntags : 0, 1024,
	    "  1024 tags still");
	free(path);
	buf_reset(&b);
	buf_adds(&b, "https://a.example/f");
	for (i = 0; i < 1025; i++)
		buf_printf(&b, " t%zu", i);
	path = put_file("tags", b.data, b.len);
	xasprintf(&want, "%s:1: too many tags (more than 1024)", path);
	tap_is_int(config_load_feeds(cfg, path, &cause), -1,
	    "1025 tags on a line fail");
	tap_is_str(cause, want, "  cause");
	free(want);
	free(cause);
	cause = NULL;
	free(path);
	buf_free(&b);

	xasprintf(&path, "%s/missing-feeds", tmpdir);
	xasprintf(&want, "%s: No such file or directory", path);
	tap_is_int(config_load_feeds(cfg, path, &cause), -1, "missing file");
	tap_is_str(cause, want, "  cause");
	free(want);
	free(cause);
	cause = NULL;
	free(path);

	xasprintf(&want, "%s: Is a directory", tmpdir);
	tap_is_int(config_load_feeds(cfg, tmpdir, &cause), -1, "directory");
	tap_is_str(cause, want, "  cause");
	free(want);
	free(cause);
	cause = NULL;

	/* The hash: FNV-1a 64 of no bytes is its offset basis. */
	path = put("empty", "");
	tap_is_int(config_load_feeds(cfg, path, &cause), 0, "empty file");
	tap_is_str(cfg->feeds_hash, "cbf29ce484222325", "  hash of no bytes");
	tap_is_int(cfg->nfeeds, 0, "  no feeds");
	free(path);
	path = put("one", "https://a.example/f\n");
	config_load_feeds(cfg, path, &cause);
	want = xstrdup(cfg->feeds_hash);
	free(path);
	path = print_to_string(cfg, 1);
	tap_ok(strstr(path, " (1 feed)\n") != NULL, "\"(1 feed)\" header");
	free(path);
	path = put("one", "https://a.example/f \n");
	config_load_feeds(cfg, path, &cause);
	tap_ok(strcmp(want, cfg->feeds_hash) != 0,
	    "hash changes with the bytes");
	free(want);
	free(path);
	config_free(cfg);
}

/* Every key: good values and what they print as. */
static void
test_set_good(void)
{
	static const struct {
		const char	*key;
		const char	*value;
		const char	*printed;
	} cases[] = {
		{ "feeds", "/srv/feeds", "\"/srv/feeds\"" },
		{ "feeds", "~/f", "\"/home/alice/f\"" },
		{ "feeds", "~", "\"/home/alice\"" },
		{ "db", "/var/db/x.db", "\"/var/db/x.db\"" },
		{ "db", "/a \"b\"\\c", "\"/a \\\"b\\\"\\\\c\"" },
		{ "socket", "/run/x.sock", "\"/run/x.sock\"" },
		{ "socket-group", "staff", "\"staff\"" },
		{ "socket-group", "", "\"\"" },
		{ "interval", "90", "90s" },
		{ "interval", "90s", "90s" },
		{ "interval", "1h30m", "90m" },
		{ "interval", "2h", "2h" },
		{ "interval", "1d", "1d" },
		{ "min-interval", "1m", "1m" },
		{ "max-interval", "7d", "7d" },
		{ "max-conns", "1", "1" },
		{ "max-conns", "1024", "1024" },
		{ "host-conns", "64", "64" },
		{ "host-delay", "0", "0s" },
		{ "host-delay", "500ms", "500ms" },
		{ "host-delay", "0.5s", "500ms" },
		{ "host-delay", "0.25", "250ms" },
		{ "host-delay", "1.5s", "1500ms" },
		{ "host-delay", "2", "2s" },
		{ "host-delay", "2000ms", "2s" },
		{ "host-delay", "1m", "1m" },
		{ "connect-timeout", "5s", "5s" },
		{ "timeout", "5m", "5m" },
		{ "low-speed-limit", "0", "0" },
		{ "low-speed-limit", "100", "100" },
		{ "low-speed-limit", "2k", "2k" },
		{ "low-speed-time", "0", "0s" },
		{ "low-speed-time", "1m", "1m" },
		{ "max-body", "1k", "1k" },
		{ "max-body", "1048576", "1M" },
		{ "max-body", "32M", "32M" },
		{ "max-body", "1G", "1G" },
		{ "max-body", "1500k", "1500k" },
		{ "backoff-max", "6h", "6h" },
		{ "user-agent", "my reader/2.0 (+http://x/#y)",
		  "\"my reader/2.0 (+http://x/#y)\"" },
		{ "keep-items", "0", "0" },
		{ "keep-items", "5000", "5000" },
		{ "keep-age", "0", "0s" },
		{ "keep-age", "30d", "30d" },
		{ "keep-unread", "yes", "yes" },
		{ "keep-unread", "no", "no" },
		{ "keep-unread", "TRUE", "yes" },
		{ "keep-unread", "false", "no" },
		{ "keep-unread", "on", "yes" },
		{ "keep-unread", "off", "no" },
		{ "keep-unread", "1", "yes" },
		{ "keep-unread", "0", "no" },
		{ "log-level", "error", "error" },
		{ "log-level", "warning", "warning" },
		{ "log-level", "notice", "notice" },
		{ "log-level", "Info", "info" },
		{ "log-level", "DEBUG", "debug" },
	};
	struct config	*cfg;
	char		*cause, *v, *what;
	size_t		 i;

	setenv("HOME", "/home/alice", 1);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = config_new();
		cause = NULL;
		xasprintf(&what, "%s = %s", cases[i].key, cases[i].value);
		if (!tap_is_int(config_set(cfg, cases[i].key, cases[i].value,
		    &cause), 0, what))
			printf("#   cause: %s\n", cause);
		v = printed_value(cfg, cases[i].key);
		tap_is_str(v, cases[i].printed, "  printed");
		free(v);
		free(what);
		free(cause);
		config_free(cfg);
	}

	/* The typed fields themselves. */
	cfg = config_new();
	config_set(cfg, "host-delay", "250ms", &cause);
	tap_ok(cfg->host_delay == 0.25, "host-delay 250ms is 0.25 s");
	config_set(cfg, "log-level", "debug", &cause);
	tap_is_int(cfg->log_level, LOG_DEBUG, "log-level debug is LOG_DEBUG");
	config_set(cfg, "log-level", "error", &cause);
	tap_is_int(cfg->log_level, LOG_ERR, "log-level error is LOG_ERR");
	config_set(cfg, "max-body", "2M", &cause);
	tap_is_int(cfg->max_body, 2097152, "max-body 2M in bytes");
	config_set(cfg, "socket-group", "", &cause);
	tap_is_str(cfg->socket_group, NULL, "empty socket-group is none");
	config_set(cfg, "keep-unread", "no", &cause);
	tap_is_int(cfg->keep_unread, 0, "keep-unread no is 0");
	config_free(cfg);
}

/* Every key: bad values and the exact cause (no key, no place). */
static void
test_set_bad(void)
{
	static const struct {
		const char	*key;
		const char	*value;
		const char	*cause;
	} cases[] = {
		{ "nope", "1", "unknown key \"nope\"" },
		{ "Interval", "1h", "unknown key \"Interval\"" },
		{ "config", "/x", "unknown key \"config\"" },
		{ "feeds", "", "empty path" },
		{ "socket", "/0123456789/0123456789/0123456789/0123456789"
		  "/0123456789/0123456789/0123456789/0123456789/0123456789"
		  "/abcdefgh",
		  "path too long (108 bytes, at most 107): \"/0123456789"
		  "/0123456789/0123456789/0123456789/0123456789/0123456789"
		  "/0123456789/0123456789/0123456789/abcdefgh\"" },
		{ "socket-group", "a\nb", "control character in value" },
		{ "interval", "x", "invalid duration \"x\"" },
		{ "interval", "", "invalid duration \"\"" },
		{ "interval", "-5m", "invalid duration \"-5m\"" },
		{ "interval", "5 m", "invalid duration \"5 m\"" },
		{ "interval", "0", "duration \"0\" out of range (1s to 365d)" },
		{ "interval", "366d",
		  "duration \"366d\" out of range (1s to 365d)" },
		{ "min-interval", "1y", "invalid duration \"1y\"" },
		{ "max-interval", "0s",
		  "duration \"0s\" out of range (1s to 365d)" },
		{ "max-conns", "0", "number \"0\" out of range (1 to 1024)" },
		{ "max-conns", "1025",
		  "number \"1025\" out of range (1 to 1024)" },
		{ "max-conns", "abc", "invalid number \"abc\"" },
		{ "max-conns", "10x", "invalid number \"10x\"" },
		{ "max-conns", "99999999999999999999",
		  "number \"99999999999999999999\" too large (at most 1024)" },
		{ "max-conns", "-99999999999999999999",
		  "invalid number \"-99999999999999999999\"" },
		{ "interval", "99999999999999999999s",
		  "duration \"99999999999999999999s\" too large (at most "
		  "365d)" },
		{ "interval", "9999999999999999w",
		  "duration \"9999999999999999w\" too large (at most 365d)" },
		{ "max-body", "99999999999G",
		  "size \"99999999999G\" too large (at most 1G)" },
		{ "max-body", "12x", "invalid size \"12x\"" },
		{ "host-conns", "65", "number \"65\" out of range (1 to 64)" },
		{ "host-delay", "x", "invalid duration \"x\"" },
		{ "host-delay", "0.5555s", "invalid duration \"0.5555s\"" },
		{ "host-delay", ".5", "invalid duration \".5\"" },
		{ "host-delay", "1.s", "invalid duration \"1.s\"" },
		{ "host-delay", "1.5m", "invalid duration \"1.5m\"" },
		{ "host-delay", "ms", "invalid duration \"ms\"" },
		{ "host-delay", "2d",
		  "duration \"2d\" out of range (0s to 1d)" },
		{ "connect-timeout", "0",
		  "duration \"0\" out of range (1s to 1d)" },
		{ "timeout", "never", "invalid duration \"never\"" },
		{ "low-speed-limit", "fast", "invalid size \"fast\"" },
		{ "low-speed-time", "2d",
		  "duration \"2d\" out of range (0s to 1d)" },
		{ "max-body", "1x", "invalid size \"1x\"" },
		{ "max-body", "1", "size \"1\" out of range (1k to 1G)" },
		{ "max-body", "2G", "size \"2G\" out of range (1k to 1G)" },
		{ "backoff-max", "0", "duration \"0\" out of range "
		  "(1s to 365d)" },
		{ "user-agent", "", "empty value" },
		{ "user-agent", "a\r\nX-Injected: 1",
		  "control character in value" },
		{ "keep-items", "-1",
		  "number \"-1\" out of range (0 to 1000000000)" },
		{ "keep-items", "lots", "invalid number \"lots\"" },
		{ "keep-age", "forever", "invalid duration \"forever\"" },
		{ "keep-unread", "maybe",
		  "invalid boolean \"maybe\" (use yes or no)" },
		{ "keep-unread", "", "invalid boolean \"\" (use yes or no)" },
		{ "log-level", "loud", "invalid log level \"loud\" (use "
		  "error, warning, notice, info or debug)" },
		{ "log-level", "emergency", "invalid log level \"emergency\" "
		  "(use error, warning, notice, info or debug)" },
	};
	struct config	*cfg, *def;
	char		*cause, *what, *a, *b;
	size_t		 i;

	def = config_new();
	b = print_to_string(def, 0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = config_new();
		cause = NULL;
		xasprintf(&what, "%s = %s fails", cases[i].key,
		    cases[i].value);
		tap_is_int(config_set(cfg, cases[i].key, cases[i].value,
		    &cause), -1, what);
		tap_is_str(cause, cases[i].cause, "  cause");
		a = print_to_string(cfg, 0);
		tap_is_str(a, b, "  nothing changed");
		free(a);
		free(what);
		free(cause);
		config_free(cfg);
	}
	free(b);
	config_free(def);
}

static void
test_is_key(void)
{
	static const char *keys[] = {
		"feeds", "db", "socket", "socket-group", "interval",
		"min-interval", "max-interval", "max-conns", "host-conns",
		"host-delay", "connect-timeout", "timeout", "low-speed-limit",
		"low-speed-time", "max-body", "backoff-max", "user-agent",
		"keep-items", "keep-age", "keep-unread", "log-level",
	};
	const char	*help;
	char		*flag;
	size_t		 i, n = 0, nhelp = 0;

	help = config_keys_help();
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		n += config_is_key(keys[i]);
		xasprintf(&flag, "--%s ", keys[i]);
		nhelp += strstr(help, flag) != NULL;
		free(flag);
	}
	tap_is_int(n, 21, "all 21 contract keys are keys");
	tap_is_int(nhelp, 21, "all 21 keys are in --help");
	tap_ok(strstr(help, "--interval DURATION") != NULL &&
	    strstr(help, "[30m]") != NULL, "--help shows types and defaults");
	tap_ok(!config_is_key("config") && !config_is_key("") &&
	    !config_is_key("interval ") && !config_is_key(NULL),
	    "non-keys are not keys");
	tap_ok(config_keys_help() == help, "help is built once");
}

/* feedd.conf files: the fixture, then each error. */
static void
test_conf(void)
{
	struct config	*cfg;
	char		*path, *cause = NULL, *want, *dir;

	setenv("HOME", "/home/alice", 1);
	xasprintf(&dir, "%s/tests/data/config", srcdir);
	xasprintf(&path, "%s/feedd.conf", dir);
	cfg = config_new();
	if (!tap_is_int(config_load_conf(cfg, path, 1, &cause), 0,
	    "feedd.conf fixture loads"))
		printf("#   cause: %s\n", cause);
	free(cause);
	cause = NULL;
	tap_is_str(cfg->conf_path, path, "conf_path recorded");
	xasprintf(&want, "%s/feeds.txt", dir);
	tap_is_str(cfg->feeds_path, want, "relative feeds: against conf dir");
	free(want);
	tap_is_str(cfg->db_path, "/home/alice/state/feedd.db", "db: ~/ expanded");
	tap_is_str(cfg->socket_path, "/tmp/feedd-test.sock", "socket");
	tap_is_str(cfg->socket_group, "feedd", "socket-group");
	tap_is_int(cfg->interval, 45 * 60, "interval 45m, comment dropped");
	tap_is_int(cfg->min_interval, 600, "min-interval=10m without blanks");
	tap_is_int(cfg->max_interval, 2 * 86400, "max-interval 2d");
	tap_is_int(cfg->max_conns, 32, "max-conns");
	tap_is_int(cfg->host_conns, 4, "host-conns");
	tap_ok(cfg->host_delay == 0.25, "host-delay 250ms");
	tap_is_int(cfg->connect_timeout, 15, "connect-timeout");
	tap_is_int(cfg->timeout, 120, "timeout");
	tap_is_int(cfg->low_speed_limit, 1024, "low-speed-limit");
	tap_is_int(cfg->low_speed_time, 45, "low-speed-time");
	tap_is_int(cfg->max_body, 8 * 1024 * 1024, "max-body");
	tap_is_int(cfg->backoff_max, 12 * 3600, "backoff-max");
	tap_is_str(cfg->user_agent,
	    "feedd-test/1.0 (+https://example.org/#about; \"quoted\")",
	    "user-agent quoted with escapes and #");
	tap_is_int(cfg->keep_items, 200, "keep-items");
	tap_is_int(cfg->keep_age, 90 * 86400, "keep-age");
	tap_is_int(cfg->keep_unread, 0, "keep-unread");
	tap_is_int(cfg->log_level, LOG_INFO, "log-level");

	/* Flags override the file, and the check sees the result. */
	tap_is_int(config_set(cfg, "interval", "2h", &cause), 0,
	    "--interval 2h");
	tap_is_int(cfg->interval, 7200, "flag overrides the file");
	tap_is_int(config_set(cfg, "interval", "5m", &cause), 0,
	    "--interval 5m");
	tap_is_int(config_check(cfg, &cause), -1,
	    "interval below the file's min-interval");
	tap_is_str(cause, "interval (5m) is less than min-interval (10m)",
	    "  cause");
	free(cause);
	cause = NULL;
	config_free(cfg);
	free(path);
	free(dir);

	/* CRLF, a BOM, blanks around '=', empty quoted group. */
	cfg = config_new();
	path = put("crlf.conf", "\xef\xbb\xbf# c\r\n\r\n  interval\t=\t2h"
	    "\r\nsocket-group = \"\"\r\nuser-agent=x#y # z\r\n"
	    "feeds = \"./my feeds\"\r\n");
	tap_is_int(config_load_conf(cfg, path, 1, &cause), 0,
	    "CRLF and BOM conf loads");
	tap_is_int(cfg->interval, 7200, "  interval");
	tap_is_str(cfg->socket_group, NULL, "  empty group");
	tap_is_str(cfg->user_agent, "x#y", "  '#' needs a blank before it");
	xasprintf(&want, "%s/my feeds", tmpdir);
	tap_is_str(cfg->feeds_path, want, "  ./ path against the conf dir");
	free(want);
	free(path);
	config_free(cfg);

	/* A missing file: fine unless it must exist. */
	cfg = config_new();
	xasprintf(&path, "%s/no-such.conf", tmpdir);
	tap_is_int(config_load_conf(cfg, path, 0, &cause), 0,
	    "missing conf is fine when optional");
	tap_is_int(cfg->interval, 1800, "  defaults stay");
	tap_is_int(config_load_conf(cfg, path, 1, &cause), -1,
	    "missing conf fails when it must exist");
	xasprintf(&want, "%s: No such file or directory", path);
	tap_is_str(cause, want, "  cause");
	free(want);
	free(cause);
	cause = NULL;
	free(path);
	config_free(cfg);
}

static void
test_conf_errors(void)
{
	static const struct {
		const char	*text;
		const char	*cause;		/* after the path */
	} cases[] = {
		{ "intervall = 5m\n", ":1: unknown key \"intervall\"" },
		{ "# c\n\ninterval 5m\n",
		  ":3: interval: expected \"interval = value\"" },
		{ "bogus\n", ":1: unknown key \"bogus\"" },
		{ "= 5\n", ":1: unknown key \"\"" },
		{ "interval = x\n", ":1: interval: invalid duration \"x\"" },
		{ "interval =\n", ":1: interval: invalid duration \"\"" },
		{ "interval = 5m 10m\n",
		  ":1: interval: invalid duration \"5m 10m\"" },
		{ "max-conns = 0\n",
		  ":1: max-conns: number \"0\" out of range (1 to 1024)" },
		{ "keep-unread = perhaps\n",
		  ":1: keep-unread: invalid boolean \"perhaps\" (use yes or "
		  "no)" },
		{ "user-agent = \"open\n", ":1: user-agent: unterminated "
		  "quote" },
		{ "user-agent = \"a\" b\n", ":1: user-agent: text after the "
		  "closing quote" },
		{ "user-agent = \"a\\nb\"\n", ":1: user-agent: control "
		  "character in value" },
		{ "interval = 1h\nmax-interval = 30m\n",
		  ": interval (1h) is greater than max-interval (30m)" },
		{ "min-interval = 1h\nmax-interval = 30m\n",
		  ": min-interval (1h) is greater than max-interval (30m)" },
		{ "interval = 2m\nmin-interval = 10m\n",
		  ": interval (2m) is less than min-interval (10m)" },
		{ "log-level = debug\nfoo\0bar\n", ":2: NUL byte in line" },
		{ "user-agent = \"\xfe\"\n", ":1: invalid UTF-8" },
	};
	struct config	*cfg;
	char		*path, *cause, *want;
	size_t		 i, len;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = config_new();
		len = strlen(cases[i].text);
		if (strstr(cases[i].cause, "NUL") != NULL)
			len += 1 + strlen(cases[i].text + len + 1);
		path = put_file("bad.conf", cases[i].text, len);
		cause = NULL;
		xasprintf(&want, "%s%s", path, cases[i].cause);
		tap_is_int(config_load_conf(cfg, path, 1, &cause), -1,
		    cases[i].text);
		tap_is_str(cause, want, "  cause");
		free(want);
		free(cause);
		free(path);
		config_free(cfg);
	}
}

/*
 * Every error of a file is reported, one "FILE:LINE: message" a line, not
 * only the first; a file with errors still loads nothing.
 */
static void
test_all_errors(void)
{
	struct config	*cfg;
	struct buf	 b = { NULL, 0, 0 };
	char		*path, *cause = NULL, *want;
	int		 i;

	cfg = config_new();
	path = put("feeds.good", "https://kept.example/feed\n");
	tap_is_int(config_load_feeds(cfg, path, &cause), 0, "a good file");
	free(path);
	path = put("feeds.bad", "ftp://a.example/f\n"
	    "https://ok.example/feed\n"
	    "https://b.example/f \"~open\n"
	    "https://c.example/f every=zz\n");
	xasprintf(&want, "%s:1: invalid URL \"ftp://a.example/f\" (want "
	    "an absolute http, https or file URL)\n"
	    "%s:3: unterminated quote\n"
	    "%s:4: every: invalid duration \"zz\"", path, path, path);
	tap_is_int(config_load_feeds(cfg, path, &cause), -1,
	    "feeds: three bad lines");
	tap_is_str(cause, want, "  every error, one a line, in order");
	tap_is_int((int64_t)cfg->nfeeds, 1, "  and the good feeds stay");
	tap_is_str(cfg->feeds[0].url, "https://kept.example/feed",
	    "  as they were");
	free(want);
	free(cause);
	cause = NULL;
	free(path);

	for (i = 0; i < 60; i++)
		buf_printf(&b, "bad%d\n", i);
	path = put("feeds.many", b.data);
	tap_is_int(config_load_feeds(cfg, path, &cause), -1, "feeds: 60 bad");
	xasprintf(&want, "\n%s: 10 more errors", path);
	tap_ok(cause != NULL && strlen(cause) > strlen(want) &&
	    strcmp(cause + strlen(cause) - strlen(want), want) == 0,
	    "  the first 50, then a count of the rest");
	free(want);
	xasprintf(&want, "%s:50: ", path);
	tap_ok(cause != NULL && strstr(cause, want) != NULL, "  line 50 is in");
	free(want);
	xasprintf(&want, "%s:51: ", path);
	tap_ok(cause != NULL && strstr(cause, want) == NULL,
	    "  line 51 is not");
	free(want);
	free(cause);
	cause = NULL;
	free(path);
	buf_free(&b);
	config_free(cfg);

	cfg = config_new();
	path = put("bad2.conf", "bogus = 1\ninterval = 1h\nmax-conns = 0\n");
	xasprintf(&want, "%s:1: unknown key \"bogus\"\n"
	    "%s:3: max-conns: number \"0\" out of range (1 to 1024)", path,
	    path);
	tap_is_int(config_load_conf(cfg, path, 1, &cause), -1,
	    "feedd.conf: two bad lines");
	tap_is_str(cause, want, "  both reported");
	free(want);
	free(cause);
	free(path);
	config_free(cfg);
}

/* Bounds left at their defaults follow an interval set outside them. */
static void
test_check(void)
{
	struct config	*cfg;
	char		*cause = NULL;

	cfg = config_new();
	config_set(cfg, "interval", "1m", &cause);
	tap_is_int(config_check(cfg, &cause), 0, "interval 1m alone is fine");
	tap_is_int(cfg->min_interval, 60, "  min-interval follows it");
	config_free(cfg);

	cfg = config_new();
	config_set(cfg, "interval", "2d", &cause);
	tap_is_int(config_check(cfg, &cause), 0, "interval 2d alone is fine");
	tap_is_int(cfg->max_interval, 2 * 86400, "  max-interval follows it");
	config_free(cfg);

	cfg = config_new();
	config_set(cfg, "min-interval", "1h", &cause);
	tap_is_int(config_check(cfg, &cause), 0,
	    "min-interval 1h over the default interval is fine");
	tap_is_int(cfg->interval, 3600, "  the default interval follows it");
	config_free(cfg);

	cfg = config_new();
	config_set(cfg, "max-interval", "2m", &cause);
	tap_is_int(config_check(cfg, &cause), 0, "max-interval 2m alone");
	tap_is_int(cfg->min_interval, 120, "  min-interval follows it");
	tap_is_int(cfg->interval, 120, "  interval follows it");
	config_free(cfg);

	cfg = config_new();
	config_set(cfg, "min-interval", "2d", &cause);
	tap_is_int(config_check(cfg, &cause), 0, "min-interval 2d alone");
	tap_is_int(cfg->max_interval, 2 * 86400, "  max-interval follows it");
	tap_is_int(cfg->interval, 2 * 86400, "  interval follows it");
	config_free(cfg);

	/* The file sets interval 1m, a flag 30s: min-interval follows. */
	cfg = config_new();
	config_set(cfg, "interval", "1m", &cause);
	tap_is_int(config_check(cfg, &cause), 0, "file: interval 1m");
	config_set(cfg, "interval", "30s", &cause);
	tap_is_int(config_check(cfg, &cause), 0, "flag: interval 30s");
	tap_is_int(cfg->min_interval, 30, "  min-interval follows the flag");
	config_free(cfg);

	cfg = config_new();
	config_set(cfg, "interval", "1m", &cause);
	config_set(cfg, "max-interval", "30s", &cause);
	tap_is_int(config_check(cfg, &cause), -1,
	    "interval 1m, max-interval 30s");
	tap_is_str(cause, "interval (1m) is greater than max-interval (30s)",
	    "  cause");
	free(cause);
	cause = NULL;
	config_free(cfg);

	/* Set to the default value on purpose still counts as set. */
	cfg = config_new();
	config_set(cfg, "interval", "1m", &cause);
	config_set(cfg, "min-interval", "5m", &cause);
	tap_is_int(config_check(cfg, &cause), -1,
	    "interval 1m, min-interval 5m given");
	tap_is_str(cause, "interval (1m) is less than min-interval (5m)",
	    "  cause");
	free(cause);
	cause = NULL;
	config_free(cfg);
}

/*
 * The daemon's lenient load: every bad line skipped and listed as
 * "FILE:LINE: message", the good ones loaded; warnings kept for the reload
 * answer; a file with no feeds warned about; only an unreadable file fails.
 */
static void
test_feeds_skip(void)
{
	struct config	*cfg;
	struct buf	 b = { NULL, 0, 0 };
	char		*path, *cause = NULL, *want, *log;
	int		 i;

	cfg = config_new();
	path = put("skip", "ftp://a.example/f\n"
	    "https://ok.example/one one\n"
	    "https://b.example/f \"~open\n"
	    "https://ok.example/two every=2h\n"
	    "https://c.example/f every=zz\n"
	    "https://ok.example/one dup\n");
	capture_begin();
	tap_is_int(config_load_feeds_skip(cfg, path, &cause), 0,
	    "skip: three bad lines load");
	log = capture_end();
	tap_is_str(cause, NULL, "  no cause");
	tap_is_int(cfg->nfeeds, 2, "  the two good feeds");
	tap_ok(cfg->nfeeds == 2 &&
	    strcmp(cfg->feeds[0].url, "https://ok.example/one") == 0 &&
	    strcmp(cfg->feeds[1].url, "https://ok.example/two") == 0 &&
	    cfg->feeds[1].every == 7200, "  in order, with their options");
	tap_is_int(cfg->feeds_skipped.total, 3, "  three skipped");
	tap_is_int(cfg->feeds_skipped.n, 3, "  all three listed");
	xasprintf(&want, "%s:1: invalid URL \"ftp://a.example/f\" (want an "
	    "absolute http, https or file URL)", path);
	tap_is_str(cfg->feeds_skipped.n > 0 ? cfg->feeds_skipped.v[0] : NULL,
	    want, "  line 1, its cause");
	free(want);
	xasprintf(&want, "%s:3: unterminated quote", path);
	tap_is_str(cfg->feeds_skipped.n > 1 ? cfg->feeds_skipped.v[1] : NULL,
	    want, "  line 3");
	free(want);
	xasprintf(&want, "%s:5: every: invalid duration \"zz\"", path);
	tap_is_str(cfg->feeds_skipped.n > 2 ? cfg->feeds_skipped.v[2] : NULL,
	    want, "  line 5");
	free(want);
	xasprintf(&want, "%s:6: duplicate of line 2 (https://ok.example/one); "
	    "its tag dup is ignored", path);
	tap_is_int(cfg->feeds_warnings.total, 1, "  one warning");
	tap_is_str(cfg->feeds_warnings.n > 0 ? cfg->feeds_warnings.v[0] :
	    NULL, want, "  the duplicate");
	tap_ok(strstr(log, want) != NULL, "  logged too");
	free(want);
	free(log);
	free(path);

	/* The strict loader, on the same kind of file, loads nothing. */
	path = put("skip.strict", "ftp://a.example/f\nhttps://n.example/f\n");
	tap_is_int(config_load_feeds(cfg, path, &cause), -1,
	    "strict: a bad line fails the file");
	tap_is_int(cfg->nfeeds, 2, "  the feeds loaded before stay");
	free(cause);
	cause = NULL;
	free(path);

	/* A reload: the new file's good lines replace the old feeds. */
	path = put("skip.2", "https://new.example/f\nbad\n");
	capture_begin();
	tap_is_int(config_load_feeds_skip(cfg, path, &cause), 0,
	    "skip again: loads");
	free(capture_end());
	tap_ok(cfg->nfeeds == 1 &&
	    strcmp(cfg->feeds[0].url, "https://new.example/f") == 0,
	    "  its good feed replaces the old ones");
	tap_is_int(cfg->feeds_skipped.total * 10 + cfg->feeds_warnings.total,
	    10, "  one line skipped, the old notes gone");
	free(path);

	for (i = 0; i < 60; i++)
		buf_printf(&b, "bad%d\n", i);
	buf_adds(&b, "https://last.example/f\n");
	path = put("skip.many", b.data);
	buf_free(&b);
	capture_begin();
	tap_is_int(config_load_feeds_skip(cfg, path, &cause), 0,
	    "skip: 60 bad lines");
	free(capture_end());
	tap_is_int(cfg->feeds_skipped.total, 60, "  all counted");
	tap_is_int(cfg->feeds_skipped.n, 50, "  the first 50 listed");
	tap_is_int(cfg->nfeeds, 1, "  the good line after them loads");
	free(path);

	xasprintf(&path, "%s/missing-feeds", tmpdir);
	tap_is_int(config_load_feeds_skip(cfg, path, &cause), -1,
	    "skip: a missing file fails");
	tap_is_int(cfg->nfeeds, 1, "  the feeds stay");
	free(cause);
	cause = NULL;
	free(path);
	config_free(cfg);
}

/* A file with no feeds: the daemon's load warns, naming the file. */
static void
test_feeds_empty(void)
{
	static const struct {
		const char	*text;
		const char	*why;	/* after "PATH: no feeds to poll" */
	} cases[] = {
		{ "", " (the file is empty)" },
		{ "# only a comment\n\n", "" },
		{ "\"query:Unread:unread = \\\"yes\\\"\"\n", "" },
		{ "ftp://a.example/f\n", " (every feed line has an error)" },
	};
	struct config	*cfg;
	char		*path, *cause = NULL, *want, *log;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = config_new();
		path = put("empty", cases[i].text);
		xasprintf(&want, "%s: no feeds to poll%s", path, cases[i].why);
		capture_begin();
		tap_is_int(config_load_feeds_skip(cfg, path, &cause), 0,
		    "no feeds: loads");
		log = capture_end();
		tap_is_str(cfg->feeds_warnings.n > 0 ?
		    cfg->feeds_warnings.v[0] : NULL, want, "  warned");
		tap_ok(strstr(log, want) != NULL, "  and logged");
		free(log);
		free(want);
		config_free(cfg);
		cfg = config_new();
		capture_begin();
		config_load_feeds(cfg, path, &cause);
		log = capture_end();
		tap_ok(strstr(log, "no feeds") == NULL,
		    "  the strict load (feedctl export) says nothing");
		free(cause);
		cause = NULL;
		free(log);
		free(path);
		config_free(cfg);
	}
}

/*
 * Fragments are dropped; the duplicate they make, and any duplicate, is
 * ignored whole with a warning naming what of it is ignored.
 */
static void
test_feeds_dups(void)
{
	static const struct {
		const char	*second;	/* line 2; line 1 is the feed */
		const char	*ignored;	/* after "duplicate of ...)" */
	} cases[] = {
		{ "https://x.example/feed#b \"~Foo\" a b every=1h",
		  "; its title \"Foo\", tags a, b and option every=1h are "
		  "ignored" },
		{ "https://x.example/feed#", "; ignored" },
		{ "https://x.example/feed \"~Foo\"",
		  "; its title \"Foo\" is ignored" },
		{ "https://x.example/feed#top a", "; its tag a is ignored" },
		{ "https://x.example/feed keep=3 id=link",
		  "; its options keep=3 id=link are ignored" },
		{ "https://x.example/feed \"~T\" dedupe=link",
		  "; its title \"T\" and option dedupe=link are ignored" },
	};
	struct config	*cfg;
	char		*path, *cause = NULL, *want, *text, *log;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = config_new();
		xasprintf(&text, "https://x.example/feed#a \"~First\" one\n%s\n",
		    cases[i].second);
		path = put("dups", text);
		xasprintf(&want, "%s:2: duplicate of line 1 "
		    "(https://x.example/feed)%s", path, cases[i].ignored);
		capture_begin();
		tap_is_int(config_load_feeds_skip(cfg, path, &cause), 0,
		    cases[i].second);
		log = capture_end();
		tap_is_str(cfg->feeds_warnings.n > 0 ?
		    cfg->feeds_warnings.v[0] : NULL, want, "  the warning");
		tap_ok(cfg->nfeeds == 1 &&
		    strcmp(cfg->feeds[0].url, "https://x.example/feed") == 0 &&
		    strcmp(cfg->feeds[0].title, "First") == 0 &&
		    cfg->feeds[0].ntags == 1 && cfg->feeds[0].every == 0 &&
		    cfg->feeds[0].keep_items == -1 &&
		    cfg->feeds[0].id_mode == FEED_ID_AUTO &&
		    !cfg->feeds[0].dedupe_link,
		    "  one feed, without its fragment, as line 1 says");
		free(log);
		free(want);
		free(text);
		free(path);
		config_free(cfg);
	}
}

/* Print, reload, print again: the same text. */
static void
test_round_trip(void)
{
	struct config	*a, *b;
	char		*conf1, *feeds1, *conf2, *feeds2, *all;
	char		*pconf, *pfeeds, *path, *cause = NULL, *log, *sep, *c;
	int		 rc;

	a = config_new();
	xasprintf(&path, "%s/tests/data/config/feedd.conf", srcdir);
	config_load_conf(a, path, 1, &cause);
	free(path);
	xasprintf(&path, "%s/tests/data/config/urls.newsboat", srcdir);
	capture_begin();
	config_load_feeds(a, path, &cause);
	free(path);
	/* Tags and titles that need quoting and escapes. */
	path = put("odd", "https://o.example/f \"two words\" \"#hash\" "
	    "\"q\\\"uote\" \"b\\\\s\" \"t\\tab\" \"nl\\n\" \"~T \\\"x\\\"\" "
	    "every=90m keep=7 id=link\nhttps://p.example/f \"~~tilde\"\n");
	b = config_new();
	rc = config_load_feeds(b, path, &cause);
	log = capture_end();
	free(log);
	free(path);
	tap_is_int(rc, 0, "odd feeds load");
	feeds1 = print_to_string(b, 1);
	tap_ok(strstr(feeds1, "https://o.example/f \"two words\" \"#hash\" "
	    "\"q\\\"uote\" \"b\\\\s\" \"t\\tab\" \"nl\\n\" every=90m keep=7 "
	    "id=link \"~T \\\"x\\\"\"\n") != NULL, "odd feed printed quoted");
	tap_is_int(b->feeds[0].id_mode, FEED_ID_LINK, "id=link read");
	tap_is_int(b->feeds[1].id_mode, FEED_ID_AUTO, "id= by default: auto");
	tap_ok(strstr(feeds1, "https://p.example/f \"~~tilde\"\n") != NULL,
	    "title starting with ~ printed");
	tap_is_str(b->feeds[1].title, "~tilde", "title keeps its second ~");
	pfeeds = put("odd.out", feeds1);
	config_free(b);
	b = config_new();
	config_load_feeds(b, pfeeds, &cause);
	feeds2 = print_to_string(b, 1);
	tap_ok(strstr(feeds2, "(2 feeds)\n") != NULL &&
	    strcmp(strchr(feeds1, '\n'), strchr(feeds2, '\n')) == 0,
	    "odd feeds: print, reload, print: same feeds");
	free(feeds1);
	free(feeds2);
	free(pfeeds);
	config_free(b);

	conf1 = print_to_string(a, 0);
	feeds1 = print_to_string(a, 1);
	all = print_to_string(a, 2);
	pconf = put("print.conf", conf1);
	pfeeds = put("print.feeds", feeds1);
	b = config_new();
	capture_begin();
	tap_is_int(config_load_conf(b, pconf, 1, &cause), 0,
	    "printed conf loads");
	conf2 = print_to_string(b, 0);
	tap_is_int(config_load_feeds(b, pfeeds, &cause), 0,
	    "printed feeds load");
	log = capture_end();
	feeds2 = print_to_string(b, 1);
	tap_is_str(conf2, conf1, "conf: print, reload, print: identical");
	tap_ok(strcmp(strchr(feeds1, '\n'), strchr(feeds2, '\n')) == 0,
	    "feeds: print, reload, print: identical after the header");
	tap_ok(strstr(log, "duplicate") == NULL,
	    "printed feeds have no duplicates left");
	tap_is_int(b->nfeeds, a->nfeeds, "same feed count");
	tap_ok(strncmp(all, conf1, strlen(conf1)) == 0 &&
	    strcmp(all + strlen(conf1) + 1, feeds1) == 0 &&
	    all[strlen(conf1)] == '\n', "config_print is conf, blank, feeds");
	tap_ok(strstr(conf1, "\nhost-delay = 250ms\n") != NULL &&
	    strstr(conf1, "\nkeep-unread = no\n") != NULL &&
	    strstr(conf1, "\nlog-level = info\n") != NULL &&
	    strstr(conf1, "\nsocket-group = \"feedd\"\n") != NULL,
	    "printed values read as written");

	/*
	 * `feedd -n -v` prints config_print(): split at the feeds header,
	 * each half reads back.
	 */
	config_free(b);
	b = config_new();
	sep = strstr(all, "\n# feeds file: ");
	tap_ok(sep != NULL, "config_print has the feeds header");
	if (sep != NULL) {
		free(pconf);
		free(pfeeds);
		pfeeds = put("split.feeds", sep + 1);
		sep[1] = '\0';
		pconf = put("split.conf", all);
		capture_begin();
		tap_is_int(config_load_conf(b, pconf, 1, &cause), 0,
		    "feedd -n -v output: the conf half loads");
		c = print_to_string(b, 0);
		tap_is_str(c, conf1, "  conf half: same settings again");
		free(c);
		tap_is_int(config_load_feeds(b, pfeeds, &cause), 0,
		    "feedd -n -v output: the feeds half loads");
		free(capture_end());
		c = print_to_string(b, 1);
		tap_is_str(strchr(c, '\n'), strchr(feeds1, '\n'),
		    "  feeds half: same feeds again");
		free(c);
	}

	free(log);
	free(conf1);
	free(conf2);
	free(feeds1);
	free(feeds2);
	free(all);
	free(pconf);
	free(pfeeds);
	config_free(a);
	config_free(b);
}

/* contrib/feedd.conf and contrib/feeds.example load (STYLE rule 24). */
static void
test_contrib(void)
{
	static const char *keys[] = {
		"socket-group", "interval", "min-interval", "max-interval",
		"max-conns", "host-conns", "host-delay", "connect-timeout",
		"timeout", "low-speed-limit", "low-speed-time", "max-body",
		"backoff-max", "user-agent", "keep-items", "keep-age",
		"keep-unread", "log-level", "feeds", "db", "socket",
	};
	struct config	*cfg, *def;
	struct buf	 uncommented = { NULL, 0, 0 };
	char		*path, *cause = NULL, *text, *line, *next, *a, *b;
	char		*want, *log;
	size_t		 i, nfound = 0;

	xasprintf(&path, "%s/contrib/feedd.conf", srcdir);
	cfg = config_new();
	def = config_new();
	if (!tap_is_int(config_load_conf(cfg, path, 1, &cause), 0,
	    "contrib/feedd.conf loads"))
		printf("#   cause: %s\n", cause);
	free(cause);
	cause = NULL;
	a = print_to_string(cfg, 0);
	b = print_to_string(def, 0);
	tap_is_str(a, b, "contrib/feedd.conf sets nothing (all commented)");
	free(a);
	free(b);
	config_free(cfg);

	/*
	 * Uncomment every "#key = value" line but the paths (they differ
	 * between root and users) and the user-agent (it has the version):
	 * the result must be the defaults.
	 */
	text = slurp(path);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		xasprintf(&want, "\n#%s = ", keys[i]);
		nfound += strstr(text, want) != NULL;
		free(want);
	}
	tap_is_int(nfound, 21, "contrib/feedd.conf shows all 21 keys");
	tap_ok(strstr(text, "\n#user-agent = \"feedd/") != NULL,
	    "contrib/feedd.conf shows the user-agent");
	buf_add(&uncommented, "", 0);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (line[0] == '#' && isalpha((unsigned char)line[1]) &&
		    strstr(line, " = ") != NULL &&
		    strncmp(line, "#feeds ", 7) != 0 &&
		    strncmp(line, "#db ", 4) != 0 &&
		    strncmp(line, "#socket ", 8) != 0 &&
		    strncmp(line, "#user-agent ", 12) != 0)
			line++;
		buf_printf(&uncommented, "%s\n", line);
	}
	free(text);
	free(path);
	path = put("uncommented.conf", uncommented.data);
	buf_free(&uncommented);
	cfg = config_new();
	if (!tap_is_int(config_load_conf(cfg, path, 1, &cause), 0,
	    "contrib/feedd.conf uncommented loads"))
		printf("#   cause: %s\n", cause);
	free(cause);
	cause = NULL;
	a = print_to_string(cfg, 0);
	b = print_to_string(def, 0);
	tap_is_str(a, b, "contrib/feedd.conf documents the true defaults");
	free(a);
	free(b);
	free(path);
	config_free(cfg);
	config_free(def);

	xasprintf(&path, "%s/contrib/feeds.example", srcdir);
	cfg = config_new();
	capture_begin();
	if (!tap_is_int(config_load_feeds(cfg, path, &cause), 0,
	    "contrib/feeds.example loads"))
		printf("#   cause: %s\n", cause);
	log = capture_end();
	tap_ok(strstr(log, "warning") == NULL,
	    "contrib/feeds.example loads without warnings");
	tap_ok(cfg->nfeeds >= 3, "contrib/feeds.example has feeds");
	free(log);
	free(cause);
	free(path);
	config_free(cfg);
}

int
main(void)
{
	char	 tmpl[] = "/tmp/test_config.XXXXXX";
	char	*cmd;

	log_init("feedd", LOG_DEBUG, 0);
	if ((srcdir = getenv("top_srcdir")) == NULL)
		srcdir = "../..";
	xasprintf(&cmd, "%s/tests/data/config/urls.newsboat", srcdir);
	if (access(cmd, R_OK) != 0) {
		printf("Bail out! no %s (set top_srcdir)\n", cmd);
		free(cmd);
		return (1);
	}
	free(cmd);
	if (mkdtemp(tmpl) == NULL)
		fatal("mkdtemp");
	tmpdir = tmpl;

	test_defaults();
	test_default_paths();
	test_newsboat();
	test_feed_lines();
	test_feed_errors();
	test_feed_limits();
	test_set_good();
	test_set_bad();
	test_is_key();
	test_conf();
	test_conf_errors();
	test_all_errors();
	test_feeds_skip();
	test_feeds_empty();
	test_feeds_dups();
	test_check();
	test_round_trip();
	test_contrib();

	free(capture_path);
	xasprintf(&cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
	return (tap_done());
}
