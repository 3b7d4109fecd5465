/*
 * config.c: the daemon's settings (feedd.conf, overridden by flags), the
 * feeds file (Newsboat `urls` compatible) and the default paths.
 *
 * Every setting is one row of config_keys[]: its name (the feedd.conf key
 * and the long flag), its type, where it lives in struct config and its
 * bounds.  config_set() is the one place a value is applied, for the file
 * and for flags alike; its cause never names the key or the place, so the
 * caller prefixes "FILE:LINE: key: " or "--key: ".
 *
 * The feeds file is split into words the way Newsboat's
 * utils::tokenize_quoted() does: blanks separate words, a word starting
 * with '"' runs to the next unescaped '"' (\" \\ \n \r \t are escapes), a
 * word starting with '#' starts a comment.  The first word is the URL, a
 * word starting with '~' is the title, "key=value" words are options,
 * everything else is a tag.  Every outside input is capped: a line at
 * CONFIG_MAX_LINE bytes, a file at CONFIG_MAX_FILE, a feed's tags at
 * CONFIG_MAX_TAGS.
 *
 * A URL's fragment ("#...") is dropped as the line is read: it is never
 * sent, so "URL#a" and "URL" are one feed, and the later line is a
 * duplicate, ignored with a warning.  The daemon loads the feeds file
 * leniently (config_load_feeds_skip(), as Newsboat does): a bad line is
 * skipped and noted, the others load; config_load_feeds() is strict.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "feedd.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
#ifndef RUNSTATEDIR
#define RUNSTATEDIR	"/run"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION	"0"
#endif

#define CONFIG_USER_AGENT \
	"feedd/" PACKAGE_VERSION " (+https://github.com/feedd/feedd)"

#define CONFIG_MAX_LINE		(64 * 1024)		/* bytes one line */
#define CONFIG_MAX_FILE		(64 * 1024 * 1024)	/* bytes one file */
#define CONFIG_MAX_TAGS		1024			/* tags one feed */
#define CONFIG_MAX_ERRORS	CONFIG_MAX_NOTES /* errors one file, reported */
#define CONFIG_MAX_SUN_PATH	107	/* sizeof(sun_path) - 1 on Linux */

#define DAY			86400
#define YEAR			(365 * DAY)

enum config_type {
	CONFIG_PATH,		/* ~/ expanded, made absolute */
	CONFIG_STRING,		/* no control characters */
	CONFIG_DURATION,	/* int64_t seconds */
	CONFIG_DELAY,		/* double seconds; bounds in ms */
	CONFIG_INT,		/* int */
	CONFIG_INT64,		/* int64_t */
	CONFIG_SIZE,		/* int64_t bytes, k/M/G suffixes */
	CONFIG_BOOL,		/* int 0/1 */
	CONFIG_LEVEL,		/* int LOG_ERR .. LOG_DEBUG */
};

struct config_key {
	const char	*name;
	enum config_type type;
	size_t		 offset;	/* into struct config */
	int64_t		 min;
	int64_t		 max;
	const char	*arg;		/* for --help */
	const char	*help;
};

/* The order is the order of config_print() and --help. */
static const struct config_key config_keys[] = {
	{ "feeds", CONFIG_PATH, offsetof(struct config, feeds_path), 0, 0,
	  "FILE", "the feeds file" },
	{ "db", CONFIG_PATH, offsetof(struct config, db_path), 0, 0,
	  "FILE", "the SQLite database" },
	{ "socket", CONFIG_PATH, offsetof(struct config, socket_path), 0, 0,
	  "PATH", "the control socket" },
	{ "socket-group", CONFIG_STRING,
	  offsetof(struct config, socket_group), 0, 0,
	  "GROUP", "group that may use the socket too" },
	{ "interval", CONFIG_DURATION, offsetof(struct config, interval),
	  1, YEAR, "DURATION", "time between two polls of a feed" },
	{ "min-interval", CONFIG_DURATION,
	  offsetof(struct config, min_interval), 1, YEAR,
	  "DURATION", "least interval a server hint may set" },
	{ "max-interval", CONFIG_DURATION,
	  offsetof(struct config, max_interval), 1, YEAR,
	  "DURATION", "greatest interval a server hint may set" },
	{ "max-conns", CONFIG_INT, offsetof(struct config, max_conns),
	  1, 1024, "N", "transfers in flight in all" },
	{ "host-conns", CONFIG_INT, offsetof(struct config, host_conns),
	  1, 64, "N", "transfers in flight to one host" },
	{ "host-delay", CONFIG_DELAY, offsetof(struct config, host_delay),
	  0, (int64_t)DAY * 1000, "DURATION",
	  "least time between requests to a host" },
	{ "connect-timeout", CONFIG_DURATION,
	  offsetof(struct config, connect_timeout), 1, DAY,
	  "DURATION", "connect timeout" },
	{ "timeout", CONFIG_DURATION, offsetof(struct config, timeout),
	  1, DAY, "DURATION", "timeout of a whole transfer" },
	{ "low-speed-limit", CONFIG_SIZE,
	  offsetof(struct config, low_speed_limit), 0, 1024 * 1024 * 1024,
	  "BYTES", "abort below this many bytes/s ..." },
	{ "low-speed-time", CONFIG_DURATION,
	  offsetof(struct config, low_speed_time), 0, DAY,
	  "DURATION", "... for this long (0: never)" },
	{ "max-body", CONFIG_SIZE, offsetof(struct config, max_body),
	  1024, 1024 * 1024 * 1024, "SIZE", "largest decoded body" },
	{ "allow-private-networks", CONFIG_BOOL,
	  offsetof(struct config, allow_private), 0, 1, "yes|no",
	  "redirects may lead to private, loopback, link-local addresses" },
	{ "backoff-max", CONFIG_DURATION,
	  offsetof(struct config, backoff_max), 1, YEAR,
	  "DURATION", "longest wait after errors" },
	{ "user-agent", CONFIG_STRING, offsetof(struct config, user_agent),
	  0, 0, "STRING", "the User-Agent header" },
	{ "keep-items", CONFIG_INT64, offsetof(struct config, keep_items),
	  0, 1000000000, "N", "items kept per feed (0: all)" },
	{ "keep-age", CONFIG_DURATION, offsetof(struct config, keep_age),
	  0, 100 * (int64_t)YEAR, "DURATION", "age items are kept (0: forever)" },
	{ "keep-unread", CONFIG_BOOL, offsetof(struct config, keep_unread),
	  0, 1, "yes|no", "retention spares unread and starred items" },
	{ "dedupe-links", CONFIG_BOOL, offsetof(struct config, dedupe_links),
	  0, 1, "yes|no", "dedupe=link for every feed" },
	{ "http-listen", CONFIG_STRING, offsetof(struct config, http_listen),
	  0, 0, "ADDR:PORT", "serve the Miniflux API here (feedd-http)" },
	{ "http-user", CONFIG_STRING, offsetof(struct config, http_user),
	  0, 0, "NAME", "the API's user name (Basic auth)" },
	{ "http-password-file", CONFIG_PATH,
	  offsetof(struct config, http_password_file), 0, 0,
	  "FILE", "the API's password, mode 0600" },
	{ "http-token-file", CONFIG_PATH,
	  offsetof(struct config, http_token_file), 0, 0,
	  "FILE", "the API's X-Auth-Token, mode 0600" },
	{ "http-allow-remote", CONFIG_BOOL,
	  offsetof(struct config, http_allow_remote), 0, 1, "yes|no",
	  "http-listen may be other than a loopback address" },
	{ "log-level", CONFIG_LEVEL, offsetof(struct config, log_level),
	  LOG_ERR, LOG_DEBUG, "LEVEL", "error, warning, notice, info, debug" },
};
#define CONFIG_NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))
_Static_assert(CONFIG_NKEYS <= 32, "struct config's set has a bit a key");

/* The feeds file's options that take one of two words. */
static const struct config_switch {
	const char	*key;
	const char	*off, *on;
	size_t		 off_conf;	/* the int in struct feed_conf */
} config_switches[] = {
	{ "updates", "keep", "unread",
	  offsetof(struct feed_conf, updates_unread) },
	{ "dedupe", "none", "link", offsetof(struct feed_conf, dedupe_link) },
};

static const struct config_switch *
config_switch(const char *key)
{
	size_t	i;

	for (i = 0; i < sizeof config_switches / sizeof config_switches[0];
	    i++)
		if (strcmp(config_switches[i].key, key) == 0)
			return (&config_switches[i]);
	return (NULL);
}

/* id= of the feeds file, by FEED_ID_* value. */
static const char *config_id_modes[] = { "auto", "guid", "link", "hash" };

static const char *config_levels[] = {
	"emergency", "alert", "critical", "error",
	"warning", "notice", "info", "debug"
};

/* Feeds file: a URL to index map, to find duplicate lines. */
struct config_urlset {
	size_t		*slots;		/* index + 1, 0 empty */
	size_t		 cap;		/* power of two */
	size_t		 n;
};

/* The feeds being read, before they replace cfg's. */
struct config_feeds {
	struct feed_conf *list;
	size_t		 n;
	size_t		 cap;
	struct config_urlset set;
	struct config_notes warnings;	/* as logged */
};

/* Find a key by name. */
static const struct config_key *
config_find(const char *name)
{
	size_t	i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_keys[i].name, name) == 0)
			return (&config_keys[i]);
	}
	return (NULL);
}

/* Is name a feedd.conf key (and so a long flag)? */
int
config_is_key(const char *name)
{
	return (name != NULL && config_find(name) != NULL);
}

/* The home directory: $HOME if absolute, else the password entry. */
static const char *
config_home(void)
{
	const char	*home;
	struct passwd	*pw;

	home = getenv("HOME");
	if (home != NULL && home[0] == '/')
		return (home);
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/')
		return (pw->pw_dir);
	return ("/");
}

/* An XDG base directory: $var if absolute, else ~/fallback. */
static char *
config_xdg(const char *var, const char *fallback)
{
	const char	*dir;
	char		*s;

	dir = getenv(var);
	if (dir != NULL && dir[0] == '/')
		return (xstrdup(dir));
	dir = config_home();
	xasprintf(&s, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/",
	    fallback);
	return (s);
}

/*
 * The default path of "conf", "feeds", "db" or "socket": the system paths
 * when system is set, else the XDG ones.  NULL for an unknown name.
 */
char *
config_default_path_for(const char *what, int system)
{
	char	*dir, *s;

	if (system) {
		if (strcmp(what, "conf") == 0)
			return (xstrdup(SYSCONFDIR "/feedd/feedd.conf"));
		if (strcmp(what, "feeds") == 0)
			return (xstrdup(SYSCONFDIR "/feedd/feeds"));
		if (strcmp(what, "db") == 0)
			return (xstrdup(LOCALSTATEDIR "/lib/feedd/feedd.db"));
		if (strcmp(what, "socket") == 0)
			return (xstrdup(RUNSTATEDIR "/feedd/feedd.sock"));
		return (NULL);
	}
	if (strcmp(what, "conf") == 0 || strcmp(what, "feeds") == 0) {
		dir = config_xdg("XDG_CONFIG_HOME", ".config");
		xasprintf(&s, "%s/feedd/%s", dir,
		    what[0] == 'c' ? "feedd.conf" : "feeds");
		free(dir);
		return (s);
	}
	if (strcmp(what, "db") == 0) {
		dir = config_xdg("XDG_STATE_HOME", ".local/state");
		xasprintf(&s, "%s/feedd/feedd.db", dir);
		free(dir);
		return (s);
	}
	if (strcmp(what, "socket") == 0) {
		dir = getenv("XDG_RUNTIME_DIR");
		if (dir != NULL && dir[0] == '/')
			xasprintf(&s, "%s/feedd.sock", dir);
		else {
			dir = config_socket_fallback_dir();
			xasprintf(&s, "%s/feedd.sock", dir);
			free(dir);
		}
		return (s);
	}
	return (NULL);
}

/*
 * Where a user's socket goes without XDG_RUNTIME_DIR (cron, su, some SSH
 * sessions): a directory of its own under $TMPDIR (absolute) or /tmp,
 * which must be the user's, mode 0700 (util_private_dir()), as tmux's
 * socket directory must.  Never a name directly in a shared directory:
 * another user could bind it first and answer in feedd's place.
 */
char *
config_socket_fallback_dir(void)
{
	const char	*tmp = getenv("TMPDIR");
	char		*s;

	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	xasprintf(&s, "%s/feedd-%lu", tmp, (unsigned long)getuid());
	return (s);
}

/* The default path of what for this process (system paths as root). */
char *
config_default_path(const char *what)
{
	return (config_default_path_for(what, geteuid() == 0));
}

/* A new config holding the defaults. */
struct config *
config_new(void)
{
	struct config	*cfg;

	cfg = xcalloc(1, sizeof *cfg);
	cfg->conf_path = config_default_path("conf");
	cfg->feeds_path = config_default_path("feeds");
	cfg->db_path = config_default_path("db");
	cfg->socket_path = config_default_path("socket");
	cfg->socket_group = NULL;
	cfg->interval = FEEDD_INTERVAL;
	cfg->min_interval = FEEDD_MIN_INTERVAL;
	cfg->max_interval = FEEDD_MAX_INTERVAL;
	cfg->max_conns = FEEDD_MAX_CONNS;
	cfg->host_conns = FEEDD_HOST_CONNS;
	cfg->host_delay = FEEDD_HOST_DELAY;
	cfg->connect_timeout = FEEDD_CONNECT_TIMEOUT;
	cfg->timeout = FEEDD_TIMEOUT;
	cfg->low_speed_limit = FEEDD_LOW_SPEED_LIMIT;
	cfg->low_speed_time = FEEDD_LOW_SPEED_TIME;
	cfg->max_body = FEEDD_MAX_BODY;
	cfg->backoff_max = FEEDD_BACKOFF_MAX;
	cfg->user_agent = xstrdup(CONFIG_USER_AGENT);
	cfg->keep_items = FEEDD_KEEP_ITEMS;
	cfg->keep_age = FEEDD_KEEP_AGE;
	cfg->keep_unread = 1;
	cfg->log_level = LOG_NOTICE;
	return (cfg);
}

/* Free one feed's fields. */
static void
config_feed_clear(struct feed_conf *fc)
{
	size_t	i;

	free(fc->url);
	free(fc->title);
	for (i = 0; i < fc->ntags; i++)
		free(fc->tags[i]);
	free(fc->tags);
	memset(fc, 0, sizeof *fc);
}

/* Free a list of feeds. */
static void
config_feeds_free(struct feed_conf *list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		config_feed_clear(&list[i]);
	free(list);
}

/* Note s (taken over); past CONFIG_MAX_NOTES it is only counted. */
static void
config_notes_add(struct config_notes *cn, char *s)
{
	if (cn->n < CONFIG_MAX_NOTES) {
		cn->v = xreallocarray(cn->v, cn->n + 1, sizeof *cn->v);
		cn->v[cn->n++] = s;
	} else
		free(s);
	cn->total++;
}

/* Free the notes. */
static void
config_notes_clear(struct config_notes *cn)
{
	size_t	i;

	for (i = 0; i < cn->n; i++)
		free(cn->v[i]);
	free(cn->v);
	memset(cn, 0, sizeof *cn);
}

/* Free a config and everything it holds. */
void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->conf_path);
	free(cfg->feeds_path);
	free(cfg->db_path);
	free(cfg->socket_path);
	free(cfg->socket_group);
	free(cfg->user_agent);
	free(cfg->http_listen);
	free(cfg->http_user);
	free(cfg->http_password_file);
	free(cfg->http_token_file);
	config_feeds_free(cfg->feeds, cfg->nfeeds);
	free(cfg->by_url);
	free(cfg->feeds_hash);
	config_notes_clear(&cfg->feeds_skipped);
	config_notes_clear(&cfg->feeds_warnings);
	free(cfg);
}

/* ---------------------------------------------------------------- */
/* Values. */

/* Format a size as the shortest exact k/M/G form. */
static char *
config_format_size(int64_t n)
{
	char	*s;

	if (n != 0 && n % (1024 * 1024 * 1024) == 0)
		xasprintf(&s, "%lldG", (long long)(n / (1024 * 1024 * 1024)));
	else if (n != 0 && n % (1024 * 1024) == 0)
		xasprintf(&s, "%lldM", (long long)(n / (1024 * 1024)));
	else if (n != 0 && n % 1024 == 0)
		xasprintf(&s, "%lldk", (long long)(n / 1024));
	else
		xasprintf(&s, "%lld", (long long)n);
	return (s);
}

/* Format a delay in milliseconds: "500ms", or a duration if whole s. */
static char *
config_format_delay(int64_t ms)
{
	char	*s;

	if (ms % 1000 == 0)
		return (util_format_duration(ms / 1000));
	xasprintf(&s, "%lldms", (long long)ms);
	return (s);
}

/*
 * Parse a delay into milliseconds: "500ms", "0.5s", "0.25", or any
 * duration ("1s", "2m").  At most three decimals.
 */
static int
config_parse_delay(const char *s, int64_t *out)
{
	int64_t		 secs, ms = 0;
	const char	*p;
	int		 digits = 0, mul = 100;
	size_t		 len;

	len = strlen(s);
	if (len > 2 && strcmp(s + len - 2, "ms") == 0) {
		for (p = s; p < s + len - 2; p++) {
			if (!isdigit((unsigned char)*p))
				return (-1);
		}
		if (len - 2 > 15)
			return (-1);
		*out = strtoll(s, NULL, 10);
		return (0);
	}
	if ((p = strchr(s, '.')) == NULL) {
		if (util_parse_duration(s, &secs) != 0 ||
		    secs > INT64_MAX / 1000)
			return (-1);
		*out = secs * 1000;
		return (0);
	}
	/* N.DDD with an optional "s". */
	if (p == s || p - s > 15)
		return (-1);
	for (const char *q = s; q < p; q++) {
		if (!isdigit((unsigned char)*q))
			return (-1);
	}
	secs = strtoll(s, NULL, 10);
	for (p++; isdigit((unsigned char)*p); p++) {
		if (++digits > 3)
			return (-1);
		ms += (*p - '0') * mul;
		mul /= 10;
	}
	if (*p == 's')
		p++;
	if (digits == 0 || *p != '\0')
		return (-1);
	*out = secs * 1000 + ms;
	return (0);
}

/* Parse a boolean word. */
static int
config_parse_bool(const char *s, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t	i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return (0);
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return (0);
		}
	}
	return (-1);
}

/* Expand ~/ and make path absolute against base (NULL: the cwd). */
static char *
config_path(const char *value, const char *base, char **cause)
{
	char	*s, cwd[PATH_MAX];

	if (*value == '\0') {
		*cause = xstrdup("empty path");
		return (NULL);
	}
	if (value[0] == '~' && (value[1] == '/' || value[1] == '\0')) {
		xasprintf(&s, "%s%s", config_home(), value + 1);
		return (s);
	}
	if (value[0] == '/')
		return (xstrdup(value));
	if (base == NULL) {
		if (getcwd(cwd, sizeof cwd) == NULL) {
			xasprintf(cause, "%s: getcwd: %s", value,
			    strerror(errno));
			return (NULL);
		}
		base = cwd;
	}
	while (value[0] == '.' && value[1] == '/')
		value += 2;
	xasprintf(&s, "%s%s%s", base, strcmp(base, "/") == 0 ? "" : "/",
	    value);
	return (s);
}

/*
 * Is a value that did not parse a number too large for 64 bits (digits,
 * then with units a unit suffix, "99999999999999999999" or "9999999999999w")
 * rather than not a number?
 */
static int
config_too_large(const char *value, int units)
{
	const char	*p = value;
	char		*end;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == value)
		return (0);
	errno = 0;
	(void)strtoll(value, &end, 10);
	if (errno == ERANGE)
		return (units ? strspn(p, "smhdwkKmMgGbB") == strlen(p) &&
		    strlen(p) <= 2 : *p == '\0');
	/* It fit: a unit multiplied it past 64 bits (10 digits at least). */
	return (units && p - value >= 10 && *p != '\0' && strlen(p) <= 2 &&
	    strspn(p, "smhdwkKmMgGbB") == strlen(p));
}

/* Parse value into k's field of cfg; relative paths against base. */
static int
config_store(struct config *cfg, const struct config_key *k,
    const char *value, const char *base, char **cause)
{
	void		*field = (char *)cfg + k->offset;
	char		*s, *lo, *hi;
	int64_t		 n;
	int		 b;
	const char	*what;

	switch (k->type) {
	case CONFIG_PATH:
		if (*value == '\0' && strncmp(k->name, "http-", 5) == 0) {
			/* Optional files: "" is unset, as printed. */
			free(*(char **)field);
			*(char **)field = NULL;
			return (0);
		}
		if ((s = config_path(value, base, cause)) == NULL)
			return (-1);
		if (strcmp(k->name, "socket") == 0 &&
		    strlen(s) > CONFIG_MAX_SUN_PATH) {
			xasprintf(cause, "path too long (%zu bytes, at most "
			    "%d): \"%s\"", strlen(s), CONFIG_MAX_SUN_PATH, s);
			free(s);
			return (-1);
		}
		free(*(char **)field);
		*(char **)field = s;
		return (0);
	case CONFIG_STRING:
		for (s = (char *)value; *s != '\0'; s++) {
			if ((unsigned char)*s < 0x20 || *s == 0x7f) {
				*cause = xstrdup("control character in value");
				return (-1);
			}
		}
		if (*value == '\0' && strcmp(k->name, "user-agent") == 0) {
			*cause = xstrdup("empty value");
			return (-1);
		}
		free(*(char **)field);
		*(char **)field = *value == '\0' ? NULL : xstrdup(value);
		return (0);
	case CONFIG_BOOL:
		if (config_parse_bool(value, &b) != 0) {
			xasprintf(cause, "invalid boolean \"%s\" (use yes or "
			    "no)", value);
			return (-1);
		}
		*(int *)field = b;
		return (0);
	case CONFIG_LEVEL:
		for (b = LOG_ERR; b <= LOG_DEBUG; b++) {
			if (strcasecmp(value, config_levels[b]) == 0) {
				*(int *)field = b;
				return (0);
			}
		}
		xasprintf(cause, "invalid log level \"%s\" (use error, "
		    "warning, notice, info or debug)", value);
		return (-1);
	case CONFIG_DURATION:
		what = "duration";
		if (util_parse_duration(value, &n) != 0)
			goto invalid;
		break;
	case CONFIG_DELAY:
		what = "duration";
		if (config_parse_delay(value, &n) != 0)
			goto invalid;
		break;
	case CONFIG_INT:
	case CONFIG_INT64:
		what = "number";
		if (util_parse_int(value, INT64_MIN, INT64_MAX, &n) != 0)
			goto invalid;
		break;
	case CONFIG_SIZE:
		what = "size";
		if (util_parse_size(value, &n) != 0)
			goto invalid;
		break;
	default:
		fatalx("config_apply: bad type");
	}

	if (n < k->min || n > k->max) {
		switch (k->type) {
		case CONFIG_DURATION:
			lo = util_format_duration(k->min);
			hi = util_format_duration(k->max);
			break;
		case CONFIG_DELAY:
			lo = config_format_delay(k->min);
			hi = config_format_delay(k->max);
			break;
		case CONFIG_SIZE:
			lo = config_format_size(k->min);
			hi = config_format_size(k->max);
			break;
		default:
			xasprintf(&lo, "%lld", (long long)k->min);
			xasprintf(&hi, "%lld", (long long)k->max);
			break;
		}
		xasprintf(cause, "%s \"%s\" out of range (%s to %s)", what,
		    value, lo, hi);
		free(lo);
		free(hi);
		return (-1);
	}
	switch (k->type) {
	case CONFIG_DELAY:
		*(double *)field = (double)n / 1000.0;
		break;
	case CONFIG_INT:
		*(int *)field = (int)n;
		break;
	default:
		*(int64_t *)field = n;
		break;
	}
	return (0);

invalid:
	if (config_too_large(value, k->type != CONFIG_INT &&
	    k->type != CONFIG_INT64)) {
		switch (k->type) {
		case CONFIG_DURATION:
			hi = util_format_duration(k->max);
			break;
		case CONFIG_DELAY:
			hi = config_format_delay(k->max);
			break;
		case CONFIG_SIZE:
			hi = config_format_size(k->max);
			break;
		default:
			xasprintf(&hi, "%lld", (long long)k->max);
			break;
		}
		xasprintf(cause, "%s \"%s\" too large (at most %s)", what,
		    value, hi);
		free(hi);
		return (-1);
	}
	xasprintf(cause, "invalid %s \"%s\"", what, value);
	return (-1);
}

/* Apply one value to one key and remember that it was set. */
static int
config_apply(struct config *cfg, const struct config_key *k,
    const char *value, const char *base, char **cause)
{
	if (config_store(cfg, k, value, base, cause) != 0)
		return (-1);
	cfg->set |= 1U << (k - config_keys);
	return (0);
}

/*
 * Apply one setting, from a flag or the file.  On error the cause names
 * neither the key nor the place ("invalid duration \"x\""), so the caller
 * prefixes "--key: " or "FILE:LINE: key: ".  Relative paths are taken
 * against the working directory.
 */
int
config_set(struct config *cfg, const char *key, const char *value,
    char **cause)
{
	const struct config_key	*k;

	if ((k = config_find(key)) == NULL) {
		xasprintf(cause, "unknown key \"%s\"", key);
		return (-1);
	}
	if (value == NULL)
		value = "";
	return (config_apply(cfg, k, value, NULL, cause));
}

/* Was this key set (by the file or a flag) rather than left default? */
static int
config_isset(const struct config *cfg, const char *name)
{
	const struct config_key	*k;

	k = config_find(name);
	return ((cfg->set & (1U << (k - config_keys))) != 0);
}

/*
 * Check the settings against each other; run it again after the flags.
 * A bound that was not set gives way to what was set, so "interval = 1m"
 * alone lowers min-interval and "min-interval = 1h" alone raises the
 * interval; settings that were given and disagree are an error.
 */
int
config_check(struct config *cfg, char **cause)
{
	char	*a, *b;
	int	 iset, mset, xset;

	iset = config_isset(cfg, "interval");
	mset = config_isset(cfg, "min-interval");
	xset = config_isset(cfg, "max-interval");
	if (iset && !mset && cfg->interval < cfg->min_interval)
		cfg->min_interval = cfg->interval;
	if (iset && !xset && cfg->interval > cfg->max_interval)
		cfg->max_interval = cfg->interval;
	if (!mset && cfg->min_interval > cfg->max_interval)
		cfg->min_interval = cfg->max_interval;
	if (!xset && cfg->max_interval < cfg->min_interval)
		cfg->max_interval = cfg->min_interval;
	if (cfg->min_interval > cfg->max_interval) {
		a = util_format_duration(cfg->min_interval);
		b = util_format_duration(cfg->max_interval);
		xasprintf(cause, "min-interval (%s) is greater than "
		    "max-interval (%s)", a, b);
		goto fail;
	}
	if (!iset && cfg->interval < cfg->min_interval)
		cfg->interval = cfg->min_interval;
	if (!iset && cfg->interval > cfg->max_interval)
		cfg->interval = cfg->max_interval;
	if (cfg->interval < cfg->min_interval) {
		a = util_format_duration(cfg->interval);
		b = util_format_duration(cfg->min_interval);
		xasprintf(cause, "interval (%s) is less than min-interval "
		    "(%s)", a, b);
		goto fail;
	}
	if (cfg->interval > cfg->max_interval) {
		a = util_format_duration(cfg->interval);
		b = util_format_duration(cfg->max_interval);
		xasprintf(cause, "interval (%s) is greater than max-interval "
		    "(%s)", a, b);
		goto fail;
	}
	return (0);

fail:
	free(a);
	free(b);
	return (-1);
}

/* ---------------------------------------------------------------- */
/* Reading files. */

/*
 * Read a whole file (at most CONFIG_MAX_FILE bytes) into b.  A missing
 * file returns -1 with ENOENT in *err; other errors fill cause too.
 */
static int
config_read_file(const char *path, struct buf *b, int *err, char **cause)
{
	char	 chunk[65536];
	ssize_t	 n;
	int	 fd;

	*err = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*err = errno;
		xasprintf(cause, "%s: %s", path, strerror(*err));
		return (-1);
	}
	buf_reset(b);
	buf_add(b, "", 0);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*err = errno;
			xasprintf(cause, "%s: %s", path, strerror(*err));
			close(fd);
			return (-1);
		}
		if (n == 0)
			break;
		if (b->len + (size_t)n > CONFIG_MAX_FILE) {
			xasprintf(cause, "%s: file too large (more than %d "
			    "bytes)", path, CONFIG_MAX_FILE);
			close(fd);
			return (-1);
		}
		buf_add(b, chunk, (size_t)n);
	}
	close(fd);
	return (0);
}

/* Is s (len bytes) valid UTF-8 (no overlongs, surrogates, > U+10FFFF)? */
static int
config_utf8_valid(const unsigned char *s, size_t len)
{
	size_t		i, n;
	uint32_t	cp;

	for (i = 0; i < len; i += n) {
		if ((n = util_utf8_decode((const char *)s + i, len - i,
		    &cp)) == 0)
			return (0);
	}
	return (1);
}

/* A line iterator over a file read into memory. */
struct config_lines {
	const char	*path;
	const char	*p;		/* next line */
	const char	*end;
	int		 lineno;
	struct buf	 line;		/* the current line, NUL-terminated */
};

/*
 * Take the next line: 1 with it in cl->line (CR LF and a leading BOM
 * removed, checked for length, NUL bytes and UTF-8), 0 at the end, -1
 * with a cause.
 */
static int
config_next_line(struct config_lines *cl, char **cause)
{
	const char	*nl, *start;
	size_t		 len;

	if (cl->p >= cl->end)
		return (0);
	start = cl->p;
	if (cl->lineno == 0 && cl->end - start >= 3 &&
	    memcmp(start, "\xef\xbb\xbf", 3) == 0)
		start += 3;
	cl->lineno++;
	nl = memchr(start, '\n', (size_t)(cl->end - start));
	len = nl != NULL ? (size_t)(nl - start) : (size_t)(cl->end - start);
	cl->p = nl != NULL ? nl + 1 : cl->end;
	if (len > 0 && start[len - 1] == '\r')
		len--;
	if (len > CONFIG_MAX_LINE) {
		xasprintf(cause, "%s:%d: line too long (more than %d bytes)",
		    cl->path, cl->lineno, CONFIG_MAX_LINE);
		return (-1);
	}
	if (memchr(start, '\0', len) != NULL) {
		xasprintf(cause, "%s:%d: NUL byte in line", cl->path,
		    cl->lineno);
		return (-1);
	}
	if (!config_utf8_valid((const unsigned char *)start, len)) {
		xasprintf(cause, "%s:%d: invalid UTF-8", cl->path, cl->lineno);
		return (-1);
	}
	buf_reset(&cl->line);
	buf_add(&cl->line, start, len);
	return (1);
}

/*
 * The errors of one file: every one is reported ("FILE:LINE: message", one
 * a line), not only the first, up to CONFIG_MAX_ERRORS and a count of the
 * rest.
 */
struct config_errors {
	struct buf	 b;
	int		 n;
};

/* Note one error (its cause taken over). */
static void
config_error_add(struct config_errors *e, char *cause)
{
	if (e->n++ < CONFIG_MAX_ERRORS)
		buf_printf(&e->b, "%s%s", e->b.len > 0 ? "\n" : "",
		    cause != NULL ? cause : "error");
	free(cause);
}

/*
 * After the last line: 0 when there were no errors, else -1 with all of
 * them in *cause.
 */
static int
config_errors_end(struct config_errors *e, const char *path, char **cause)
{
	if (e->n == 0) {
		buf_free(&e->b);
		return (0);
	}
	if (e->n > CONFIG_MAX_ERRORS)
		buf_printf(&e->b, "\n%s: %d more errors", path,
		    e->n - CONFIG_MAX_ERRORS);
	*cause = e->b.data;
	memset(&e->b, 0, sizeof e->b);
	return (-1);
}

/* Append the escape \c's value to b (Newsboat's get_escape_value). */
static void
config_unescape(struct buf *b, char c)
{
	switch (c) {
	case 'n':
		buf_addc(b, '\n');
		break;
	case 'r':
		buf_addc(b, '\r');
		break;
	case 't':
		buf_addc(b, '\t');
		break;
	default:
		buf_addc(b, c);
		break;
	}
}

/* The directory part of path, absolute. */
static char *
config_dirname(const char *path)
{
	const char	*slash;
	char		*dir, *abs, *cause = NULL;

	slash = strrchr(path, '/');
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	if (dir[0] == '/')
		return (dir);
	if ((abs = config_path(dir, NULL, &cause)) == NULL) {
		free(cause);
		return (dir);
	}
	free(dir);
	if (strlen(abs) >= 2 && strcmp(abs + strlen(abs) - 2, "/.") == 0)
		abs[strlen(abs) - 2] = '\0';
	if (abs[0] == '\0') {
		free(abs);
		abs = xstrdup("/");
	}
	return (abs);
}

/* ---------------------------------------------------------------- */
/* feedd.conf. */

/* Parse one "key = value" line; 0 blank or applied, -1 with a cause. */
static int
config_conf_line(struct config *cfg, const char *path, int lineno,
    char *line, const char *base, char **cause)
{
	const struct config_key	*k;
	char			*key, *p, *value, *why = NULL;
	struct buf		 q = { NULL, 0, 0 };
	int			 rc = -1;

	p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return (0);
	key = p;
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '=')
		p++;
	if (*p != '=') {
		if (*p != '\0')
			*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=') {
			if (config_find(key) == NULL)
				xasprintf(cause, "%s:%d: unknown key \"%s\"",
				    path, lineno, key);
			else
				xasprintf(cause, "%s:%d: %s: expected \"%s = "
				    "value\"", path, lineno, key, key);
			return (-1);
		}
	}
	*p++ = '\0';
	if ((k = config_find(key)) == NULL) {
		xasprintf(cause, "%s:%d: unknown key \"%s\"", path, lineno,
		    key);
		return (-1);
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"') {
		buf_add(&q, "", 0);
		for (p++; *p != '"'; p++) {
			if (*p == '\0' || (*p == '\\' && p[1] == '\0')) {
				xasprintf(cause, "%s:%d: %s: unterminated "
				    "quote", path, lineno, k->name);
				goto out;
			}
			if (*p == '\\')
				config_unescape(&q, *++p);
			else
				buf_addc(&q, *p);
		}
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != '#') {
			xasprintf(cause, "%s:%d: %s: text after the closing "
			    "quote", path, lineno, k->name);
			goto out;
		}
		value = q.data;
	} else {
		/* The rest of the line; '#' after a blank starts a comment. */
		value = p;
		for (; *p != '\0'; p++) {
			if (*p == '#' && (p[-1] == ' ' || p[-1] == '\t')) {
				*p = '\0';
				break;
			}
		}
		value = util_trim(value);
	}
	if (config_apply(cfg, k, value, base, &why) != 0) {
		xasprintf(cause, "%s:%d: %s: %s", path, lineno, k->name, why);
		free(why);
		goto out;
	}
	rc = 0;
out:
	buf_free(&q);
	return (rc);
}

/*
 * Read feedd.conf at path (NULL: cfg->conf_path) into cfg.  A missing file
 * is fine unless must_exist.  Relative paths in the file are taken against
 * the file's directory.  On error cfg may be half updated: load into a
 * fresh config and keep the old one when this fails.
 */
int
config_load_conf(struct config *cfg, const char *path, int must_exist,
    char **cause)
{
	struct config_lines	 cl;
	struct config_errors	 errs;
	struct buf		 file = { NULL, 0, 0 };
	char			*p, *base = NULL, *why = NULL, *c;
	int			 rc = -1, r, err;

	memset(&errs, 0, sizeof errs);
	if (path == NULL)
		path = cfg->conf_path;
	if (path != cfg->conf_path) {
		p = xstrdup(path);
		free(cfg->conf_path);
		cfg->conf_path = p;
		path = p;
	}
	memset(&cl, 0, sizeof cl);
	if (config_read_file(path, &file, &err, cause) != 0) {
		if (err != ENOENT || must_exist)
			goto out;
		free(*cause);
		*cause = NULL;
		rc = config_check(cfg, cause);
		goto out;
	}
	base = config_dirname(path);
	cl.path = path;
	cl.p = file.data;
	cl.end = file.data + file.len;
	/* A bad line is reported and the next one read: all errors count. */
	for (;;) {
		c = NULL;
		if ((r = config_next_line(&cl, &c)) == 0)
			break;
		if (r == 1 && config_conf_line(cfg, path, cl.lineno,
		    cl.line.data, base, &c) == 0)
			continue;
		config_error_add(&errs, c);
	}
	if (config_errors_end(&errs, path, cause) != 0)
		goto out;
	if (config_check(cfg, &why) != 0) {
		xasprintf(cause, "%s: %s", path, why);
		free(why);
		goto out;
	}
	rc = 0;
out:
	free(base);
	buf_free(&errs.b);
	buf_free(&cl.line);
	buf_free(&file);
	return (rc);
}

/* ---------------------------------------------------------------- */
/* The feeds file. */

/*
 * Split a line into words as Newsboat's tokenize_quoted() does.  Returns
 * the number of words (0: blank or comment), -1 on an unterminated quote.
 */
static int
config_split(const char *line, char ***words, size_t *nwords)
{
	const char	*p = line;
	struct buf	 w = { NULL, 0, 0 };
	char		**v = NULL;
	size_t		 n = 0, cap = 0, span;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		buf_reset(&w);
		buf_add(&w, "", 0);
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				span = strcspn(p, "\"\\");
				buf_add(&w, p, span);
				p += span;
				if (*p == '"')
					break;
				if (*p == '\0' || p[1] == '\0') {
					buf_free(&w);
					*words = v;
					*nwords = n;
					return (-1);
				}
				config_unescape(&w, *++p);
			}
			p++;
		} else {
			span = strcspn(p, " \t\r");
			buf_add(&w, p, span);
			p += span;
		}
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = xstrdup(w.data);
	}
	buf_free(&w);
	*words = v;
	*nwords = n;
	return ((int)n);
}

/* Is this URL absolute http, https or file?  Returns a reason if not. */
static const char *
config_check_url(const char *url)
{
	const char	*p, *rest;

	for (p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return ("blank or control character");
	}
	if (strncasecmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		rest = url + 8;
	else if (strncasecmp(url, "file://", 7) == 0) {
		rest = url + 7;
		if (strncasecmp(rest, "localhost/", 10) == 0)
			rest += 9;
		if (*rest != '/')
			return ("a file URL needs an absolute path");
		return (NULL);
	} else
		return ("want an absolute http, https or file URL");
	if (*rest == '\0' || *rest == '/' || *rest == '?' || *rest == '#' ||
	    *rest == ':' || *rest == '@')
		return ("no host");
	return (NULL);
}

/* Is this word an option ("key=value", key a name)?  Also feedsfile.c's. */
int
config_is_option(const char *w)
{
	const char	*p = w;

	if (!isalpha((unsigned char)*p))
		return (0);
	while (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
		p++;
	return (*p == '=');
}

/* Add a tag unless the feed has it already; -1 past CONFIG_MAX_TAGS. */
static int
config_add_tag(struct feed_conf *fc, const char *tag)
{
	size_t	i;

	for (i = 0; i < fc->ntags; i++) {
		if (strcmp(fc->tags[i], tag) == 0)
			return (0);
	}
	if (fc->ntags == CONFIG_MAX_TAGS)
		return (-1);
	fc->tags = xreallocarray(fc->tags, fc->ntags + 1, sizeof *fc->tags);
	fc->tags[fc->ntags++] = xstrdup(tag);
	return (0);
}

/* Find url in the set; returns its index + 1, or 0 and where to put it. */
static size_t
config_urlset_find(struct config_feeds *cf, const char *url, size_t *slot)
{
	struct config_urlset	*set = &cf->set;
	size_t			 i, idx;

	i = util_hash64(url, strlen(url), 0) & (set->cap - 1);
	for (;;) {
		idx = set->slots[i];
		if (idx == 0) {
			*slot = i;
			return (0);
		}
		if (strcmp(cf->list[idx - 1].url, url) == 0)
			return (idx);
		i = (i + 1) & (set->cap - 1);
	}
}

/* Record the URL of feed index idx (half full at most). */
static void
config_urlset_add(struct config_feeds *cf, size_t idx)
{
	struct config_urlset	*set = &cf->set;
	size_t			*old, oldcap, i, slot;

	if ((set->n + 1) * 2 > set->cap) {
		old = set->slots;
		oldcap = set->cap;
		set->cap = oldcap == 0 ? 64 : oldcap * 2;
		set->slots = xcalloc(set->cap, sizeof *set->slots);
		for (i = 0; i < oldcap; i++) {
			if (old[i] == 0)
				continue;
			config_urlset_find(cf, cf->list[old[i] - 1].url,
			    &slot);
			set->slots[slot] = old[i];
		}
		free(old);
	}
	config_urlset_find(cf, cf->list[idx].url, &slot);
	set->slots[slot] = idx + 1;
	set->n++;
}

/* A warning about the feeds file: logged, and kept for the load's caller. */
static void __printflike(2, 3)
config_feeds_warn(struct config_feeds *cf, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	log_warnx("%s", s);
	config_notes_add(&cf->warnings, s);
}

/* Order feeds by URL, for config_feed_by_url(). */
static int
config_by_url_cmp(const void *a, const void *b)
{
	const struct feed_conf *const	*x = a, *const *y = b;

	return (strcmp((*x)->url, (*y)->url));
}

/*
 * The feed of cfg whose URL is url, exactly, or NULL: a binary search of
 * an index sorted on first use, so that a listing of every feed that asks
 * this of each costs n log n, not n^2 (the feeds answer for 10,000 feeds
 * took 19% more CPU with a scan).  A reload of the feeds drops the index.
 */
const struct feed_conf *
config_feed_by_url(struct config *cfg, const char *url)
{
	struct feed_conf	 key;
	const struct feed_conf	*kp = &key, **p;
	size_t			 i;

	if (cfg->nfeeds == 0 || url == NULL)
		return (NULL);
	if (cfg->by_url == NULL) {
		cfg->by_url = xreallocarray(NULL, cfg->nfeeds,
		    sizeof *cfg->by_url);
		for (i = 0; i < cfg->nfeeds; i++)
			cfg->by_url[i] = &cfg->feeds[i];
		qsort(cfg->by_url, cfg->nfeeds, sizeof *cfg->by_url,
		    config_by_url_cmp);
	}
	memset(&key, 0, sizeof key);
	key.url = (char *)url;
	p = bsearch(&kp, cfg->by_url, cfg->nfeeds, sizeof *cfg->by_url,
	    config_by_url_cmp);
	return (p != NULL ? *p : NULL);
}

/*
 * Append fc's options as feeds-file words, each after a blank (also for
 * the feeds answer of the protocol: server_cmd.c).
 */
void
config_feed_options(struct buf *b, const struct feed_conf *fc)
{
	char	*v;

	if (fc->every > 0) {
		v = util_format_duration(fc->every);
		buf_printf(b, " every=%s", v);
		free(v);
	}
	if (fc->keep_items >= 0)
		buf_printf(b, " keep=%lld", (long long)fc->keep_items);
	if (fc->id_mode != FEED_ID_AUTO)
		buf_printf(b, " id=%s", config_id_modes[fc->id_mode]);
	if (fc->updates_unread)
		buf_adds(b, " updates=unread");
	if (fc->dedupe_link)
		buf_adds(b, " dedupe=link");
}

/*
 * A second line for one feed (after fragments are dropped): the first line
 * wins whole, and the warning names what of the second one is ignored:
 * "FILE:12: duplicate of line 4 (URL); its title "Foo" and tags a, b are
 * ignored".
 */
static void
config_feeds_dup(struct config_feeds *cf, const char *path, int lineno,
    const struct feed_conf *first, const struct feed_conf *fc)
{
	struct buf	 part[3], what = { NULL, 0, 0 };
	size_t		 n = 0, i;
	int		 plural = 0, many;

	memset(part, 0, sizeof part);
	if (fc->title != NULL)
		buf_printf(&part[n++], "title \"%s\"", fc->title);
	if (fc->ntags > 0) {
		buf_adds(&part[n], fc->ntags == 1 ? "tag " : "tags ");
		for (i = 0; i < fc->ntags; i++)
			buf_printf(&part[n], "%s%s", i > 0 ? ", " : "",
			    fc->tags[i]);
		plural |= fc->ntags > 1;
		n++;
	}
	config_feed_options(&what, fc);
	if (what.len > 0) {
		/* " every=1h keep=5": a word after each blank. */
		many = strchr(what.data + 1, ' ') != NULL;
		buf_printf(&part[n++], "option%s %s", many ? "s" : "",
		    what.data + 1);
		plural |= many;
	}
	buf_reset(&what);
	buf_add(&what, "", 0);
	for (i = 0; i < n; i++)
		buf_printf(&what, "%s%s", i == 0 ? "its " : i + 1 == n ?
		    " and " : ", ", part[i].data);
	if (n == 0)
		config_feeds_warn(cf, "%s:%d: duplicate of line %d (%s); "
		    "ignored", path, lineno, first->line, fc->url);
	else
		config_feeds_warn(cf, "%s:%d: duplicate of line %d (%s); %s "
		    "%s ignored", path, lineno, first->line, fc->url,
		    what.data, n > 1 || plural ? "are" : "is");
	for (i = 0; i < n; i++)
		buf_free(&part[i]);
	buf_free(&what);
}

/* Parse one feeds-file line into cf; -1 with a cause on an error. */
static int
config_feeds_line(struct config_feeds *cf, const char *path, int lineno,
    const char *line, char **cause)
{
	struct feed_conf	 fc;
	const struct config_switch *sw;
	char			**w = NULL, *key, *value, *hash;
	const char		*why;
	size_t			 nw = 0, i, dup, slot;
	int64_t			 n;
	int			 rc = -1;

	memset(&fc, 0, sizeof fc);
	fc.keep_items = -1;
	fc.line = lineno;
	if (config_split(line, &w, &nw) == -1) {
		xasprintf(cause, "%s:%d: unterminated quote", path, lineno);
		goto out;
	}
	if (nw == 0) {
		rc = 0;
		goto out;
	}
	if (strncmp(w[0], "query:", 6) == 0 ||
	    strncmp(w[0], "exec:", 5) == 0 ||
	    strncmp(w[0], "filter:", 7) == 0) {
		log_notice("%s:%d: skipping Newsboat %.*s feed", path, lineno,
		    (int)(strchr(w[0], ':') - w[0] + 1), w[0]);
		rc = 0;
		goto out;
	}
	if ((why = config_check_url(w[0])) != NULL) {
		xasprintf(cause, "%s:%d: invalid URL \"%s\" (%s)", path,
		    lineno, w[0], why);
		goto out;
	}
	fc.url = xstrdup(w[0]);
	if ((hash = strchr(fc.url, '#')) != NULL) {
		/* Never sent: "URL#a" and "URL#b" are the same feed. */
		log_info("%s:%d: %s: fragment \"%s\" dropped", path, lineno,
		    fc.url, hash);
		*hash = '\0';
	}
	for (i = 1; i < nw; i++) {
		if (w[i][0] == '~') {
			if (fc.title != NULL)
				config_feeds_warn(cf, "%s:%d: second title "
				    "\"%s\" ignored", path, lineno, w[i] + 1);
			else if (w[i][1] != '\0')
				fc.title = xstrdup(w[i] + 1);
			continue;
		}
		if (w[i][0] == '\0')
			continue;
		if (!config_is_option(w[i])) {
			if (config_add_tag(&fc, w[i]) != 0)
				goto too_many;
			continue;
		}
		key = w[i];
		value = strchr(key, '=');
		*value++ = '\0';
		if (strcmp(key, "every") == 0) {
			if (util_parse_duration(value, &n) != 0 || n < 1) {
				xasprintf(cause, "%s:%d: every: invalid "
				    "duration \"%s\"", path, lineno, value);
				goto out;
			}
			if (n > YEAR) {
				xasprintf(cause, "%s:%d: every: duration "
				    "\"%s\" out of range (1s to 365d)", path,
				    lineno, value);
				goto out;
			}
			fc.every = n;
		} else if (strcmp(key, "keep") == 0) {
			if (util_parse_int(value, 0, 1000000000, &n) != 0) {
				xasprintf(cause, "%s:%d: keep: invalid number "
				    "\"%s\"", path, lineno, value);
				goto out;
			}
			fc.keep_items = n;
		} else if (strcmp(key, "id") == 0) {
			for (n = 0; n < 4; n++)
				if (strcmp(value, config_id_modes[n]) == 0)
					break;
			if (n == 4) {
				xasprintf(cause, "%s:%d: id: \"%s\" is not "
				    "auto, guid, link or hash", path, lineno,
				    value);
				goto out;
			}
			fc.id_mode = (int)n;
		} else if ((sw = config_switch(key)) != NULL) {
			if (strcmp(value, sw->off) != 0 &&
			    strcmp(value, sw->on) != 0) {
				xasprintf(cause, "%s:%d: %s: \"%s\" is not %s "
				    "or %s", path, lineno, key, value, sw->off,
				    sw->on);
				goto out;
			}
			*(int *)((char *)&fc + sw->off_conf) =
			    strcmp(value, sw->on) == 0;
		} else {
			config_feeds_warn(cf, "%s:%d: unknown option \"%s\"",
			    path, lineno, key);
			value[-1] = '=';
			if (config_add_tag(&fc, key) != 0)
				goto too_many;
		}
	}

	if (cf->set.cap != 0 &&
	    (dup = config_urlset_find(cf, fc.url, &slot)) != 0) {
		config_feeds_dup(cf, path, lineno, &cf->list[dup - 1], &fc);
		rc = 0;
		goto out;
	}
	if (cf->n == cf->cap) {
		cf->cap = cf->cap == 0 ? 16 : cf->cap * 2;
		cf->list = xreallocarray(cf->list, cf->cap, sizeof *cf->list);
	}
	cf->list[cf->n] = fc;
	memset(&fc, 0, sizeof fc);
	config_urlset_add(cf, cf->n);
	cf->n++;
	rc = 0;
	goto out;
too_many:
	xasprintf(cause, "%s:%d: too many tags (more than %d)", path, lineno,
	    CONFIG_MAX_TAGS);
out:
	config_feed_clear(&fc);
	for (i = 0; i < nw; i++)
		free(w[i]);
	free(w);
	return (rc);
}

/*
 * Read the feeds file at path (NULL: cfg->feeds_path).  With skip, a bad
 * line is left out and noted in cfg->feeds_skipped ("FILE:LINE: why"), and
 * only a file that cannot be read fails; without, any bad line fails, with
 * every error in the cause.  On success the feeds replace cfg's, the
 * warnings go to cfg->feeds_warnings, and cfg->feeds_hash changes with the
 * file's bytes; on error cfg is left as it was.
 */
static int
config_feeds_read(struct config *cfg, const char *path, int skip,
    char **cause)
{
	struct config_feeds	 cf;
	struct config_lines	 cl;
	struct config_errors	 errs;
	struct config_notes	 skipped;
	struct buf		 file = { NULL, 0, 0 };
	char			*p, *c;
	int			 r, rc = -1, err;

	if (path == NULL)
		path = cfg->feeds_path;
	memset(&errs, 0, sizeof errs);
	memset(&cf, 0, sizeof cf);
	memset(&cl, 0, sizeof cl);
	memset(&skipped, 0, sizeof skipped);
	if (config_read_file(path, &file, &err, cause) != 0)
		goto out;
	cl.path = path;
	cl.p = file.data;
	cl.end = file.data + file.len;
	/* A bad line is reported and the next one read: all errors count. */
	for (;;) {
		c = NULL;
		if ((r = config_next_line(&cl, &c)) == 0)
			break;
		if (r == 1 && config_feeds_line(&cf, path, cl.lineno,
		    cl.line.data, &c) == 0)
			continue;
		if (skip)
			config_notes_add(&skipped, c != NULL ? c :
			    xstrdup("error"));
		else
			config_error_add(&errs, c);
	}
	if (config_errors_end(&errs, path, cause) != 0)
		goto out;
	if (skip && cf.n == 0)
		config_feeds_warn(&cf, "%s: no feeds to poll%s", path,
		    skipped.total > 0 ? " (every feed line has an error)" :
		    file.len == 0 ? " (the file is empty)" : "");

	config_feeds_free(cfg->feeds, cfg->nfeeds);
	cfg->feeds = cf.list;
	cfg->nfeeds = cf.n;
	free(cfg->by_url);
	cfg->by_url = NULL;
	cf.list = NULL;
	cf.n = 0;
	config_notes_clear(&cfg->feeds_skipped);
	cfg->feeds_skipped = skipped;
	memset(&skipped, 0, sizeof skipped);
	config_notes_clear(&cfg->feeds_warnings);
	cfg->feeds_warnings = cf.warnings;
	memset(&cf.warnings, 0, sizeof cf.warnings);
	free(cfg->feeds_hash);
	xasprintf(&cfg->feeds_hash, "%016llx",
	    (unsigned long long)util_hash64(file.data, file.len, 0));
	if (path != cfg->feeds_path) {
		p = xstrdup(path);
		free(cfg->feeds_path);
		cfg->feeds_path = p;
	}
	rc = 0;
out:
	config_feeds_free(cf.list, cf.n);
	config_notes_clear(&cf.warnings);
	config_notes_clear(&skipped);
	free(cf.set.slots);
	buf_free(&errs.b);
	buf_free(&cl.line);
	buf_free(&file);
	return (rc);
}

/*
 * Read the feeds file, strictly: a bad line fails the whole file, with
 * every error in the cause (feedctl import and export).
 */
int
config_load_feeds(struct config *cfg, const char *path, char **cause)
{
	return (config_feeds_read(cfg, path, 0, cause));
}

/*
 * Read the feeds file as the daemon does, leniently: bad lines are skipped
 * and listed in cfg->feeds_skipped, the others load; a file with no feeds
 * is warned about.  Fails only when the file cannot be read.
 */
int
config_load_feeds_skip(struct config *cfg, const char *path, char **cause)
{
	return (config_feeds_read(cfg, path, 1, cause));
}

/*
 * Parse one feeds-file line, as config_load_feeds() would, into a new
 * config holding its feed (nfeeds 0 for a blank or comment line).  For
 * feedsfile.c and opml.c, which check what they write by reading it back.
 * Returns NULL and *cause on an error.
 */
struct config *
config_parse_feed_line(const char *line, char **cause)
{
	struct config_feeds	 cf;
	struct config		*cfg;

	memset(&cf, 0, sizeof cf);
	if (config_feeds_line(&cf, "line", 1, line, cause) != 0) {
		config_feeds_free(cf.list, cf.n);
		free(cf.set.slots);
		config_notes_clear(&cf.warnings);
		return (NULL);
	}
	cfg = config_new();
	cfg->feeds = cf.list;
	cfg->nfeeds = cf.n;
	free(cf.set.slots);
	config_notes_clear(&cf.warnings);
	return (cfg);
}

/* ---------------------------------------------------------------- */
/* Output. */

/* Write s as a double-quoted word with escapes (feedsfile.c's quoting). */
static void
config_print_quoted(FILE *fp, const char *s)
{
	struct buf	b = { NULL, 0, 0 };

	feedsfile_quoted(&b, s);
	fwrite(b.data, 1, b.len, fp);
	buf_free(&b);
}

/* Write a tag, quoted when it would not read back as the same tag. */
static void
config_print_word(FILE *fp, const char *s)
{
	struct buf	b = { NULL, 0, 0 };

	feedsfile_word(&b, s);
	fwrite(b.data, 1, b.len, fp);
	buf_free(&b);
}

/* A value as feedd.conf text; the caller frees it. */
static char *
config_value(const struct config *cfg, const struct config_key *k)
{
	const void	*field = (const char *)cfg + k->offset;
	const char	*s;
	char		*v;

	switch (k->type) {
	case CONFIG_PATH:
	case CONFIG_STRING:
		s = *(char *const *)field;
		return (xstrdup(s != NULL ? s : ""));
	case CONFIG_DURATION:
		return (util_format_duration(*(const int64_t *)field));
	case CONFIG_DELAY:
		return (config_format_delay((int64_t)
		    (*(const double *)field * 1000.0 + 0.5)));
	case CONFIG_INT:
		xasprintf(&v, "%d", *(const int *)field);
		return (v);
	case CONFIG_INT64:
		xasprintf(&v, "%lld", (long long)*(const int64_t *)field);
		return (v);
	case CONFIG_SIZE:
		return (config_format_size(*(const int64_t *)field));
	case CONFIG_BOOL:
		return (xstrdup(*(const int *)field ? "yes" : "no"));
	case CONFIG_LEVEL:
		v = xstrdup(config_levels[*(const int *)field & 7]);
		return (v);
	}
	return (xstrdup(""));
}

/* Print the settings as a feedd.conf that reads back the same. */
void
config_print_conf(FILE *fp, const struct config *cfg)
{
	size_t	 i;
	char	*v;

	fprintf(fp, "# feedd.conf: the effective settings\n");
	for (i = 0; i < CONFIG_NKEYS; i++) {
		v = config_value(cfg, &config_keys[i]);
		fprintf(fp, "%s = ", config_keys[i].name);
		if (config_keys[i].type == CONFIG_PATH ||
		    config_keys[i].type == CONFIG_STRING)
			config_print_quoted(fp, v);
		else
			fputs(v, fp);
		fputc('\n', fp);
		free(v);
	}
}

/* Print the feeds as a feeds file that reads back the same. */
void
config_print_feeds(FILE *fp, const struct config *cfg)
{
	const struct feed_conf	*fc;
	struct buf		 opts = { NULL, 0, 0 };
	size_t			 i, j;
	char			*v;
	const char		*p;

	fputs("# feeds file: ", fp);
	for (p = cfg->feeds_path; p != NULL && *p != '\0'; p++)
		fputc((unsigned char)*p < 0x20 ? '?' : *p, fp);
	fprintf(fp, " (%zu feed%s)\n", cfg->nfeeds,
	    cfg->nfeeds == 1 ? "" : "s");
	for (i = 0; i < cfg->nfeeds; i++) {
		fc = &cfg->feeds[i];
		fputs(fc->url, fp);
		for (j = 0; j < fc->ntags; j++) {
			fputc(' ', fp);
			config_print_word(fp, fc->tags[j]);
		}
		buf_reset(&opts);
		config_feed_options(&opts, fc);
		if (opts.len > 0)
			fputs(opts.data, fp);
		if (fc->title != NULL) {
			fputc(' ', fp);
			v = NULL;
			xasprintf(&v, "~%s", fc->title);
			config_print_quoted(fp, v);
			free(v);
		}
		fputc('\n', fp);
	}
	buf_free(&opts);
}

/* Print the settings, then the feeds (what `feedd -n -v` shows). */
void
config_print(FILE *fp, const struct config *cfg)
{
	config_print_conf(fp, cfg);
	fputc('\n', fp);
	config_print_feeds(fp, cfg);
}

/* The flags for --help: one line per key with its default. */
const char *
config_keys_help(void)
{
	static struct buf	 help;
	struct config		*cfg;
	const struct config_key	*k;
	size_t			 i;
	char			*v, *flag;

	if (help.data != NULL)
		return (help.data);
	cfg = config_new();
	for (i = 0; i < CONFIG_NKEYS; i++) {
		k = &config_keys[i];
		v = config_value(cfg, k);
		xasprintf(&flag, "--%s %s", k->name, k->arg);
		buf_printf(&help, "  %-28s %s", flag, k->help);
		if (*v != '\0' && strlen(v) <= 30)	/* not the user-agent */
			buf_printf(&help, " [%s]", v);
		buf_addc(&help, '\n');
		free(flag);
		free(v);
	}
	config_free(cfg);
	return (help.data);
}
