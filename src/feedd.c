/*
 * feedd.c: the daemon's main: flags, configuration, the one libev loop,
 * signals, the database lock, and what the daemon offers the socket
 * server (struct server_hooks: reload, refresh, its counters).  It wires
 * the path of a poll together: sched.c starts poll_start() for each due
 * feed; poll.c fetches (fetch.c), plans (sched.c), writes (writer.c) and
 * announces (server.c).
 *
 * Modes: the default (and --foreground) runs until SIGTERM or SIGINT;
 * --daemon detaches first; --once polls every feed once and exits;
 * -n/--check only reads the configuration.  Exit status of --once: 0 every
 * feed polled fine (held and gone feeds are skipped, not failures), 1 could
 * not run (usage, configuration, database, lock), 2 ran but some feeds
 * failed.
 *
 * Every feedd.conf key is also a flag, --KEY VALUE or --KEY=VALUE; the
 * flags are kept so that a reload (SIGHUP) re-reads the files and applies
 * them again.  A reload that fails keeps the running configuration.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "feedd.h"

struct ev_loop	*feedd_loop;
struct store	*feedd_store;
struct config	*feedd_config;

/* A --KEY VALUE flag, applied after feedd.conf on every (re)load. */
struct feedd_flag {
	char		*key;
	char		*value;
};

static struct feedd_flag *feedd_flags;
static size_t		 feedd_nflags;
static char		*feedd_conf_path;	/* --config, or NULL */
static int		 feedd_once;
static int		 feedd_stdio;	/* --stdio: feedctl's offline access */
static int		 feedd_scratch;	/* --scratch-db: ... without a store */
static int		 feedd_check_db; /* --check-db: check the store */
static int		 feedd_repair;	/* --repair: ... and recount */
static int		 feedd_verbose;		/* -v count */
static int		 feedd_quiet;
static int		 feedd_stopping;
static int		 feedd_interrupted;
static int64_t		 feedd_started;
static int		 feedd_progress;	/* --once: a progress line */
static int64_t		 feedd_progress_total;
static int64_t		 feedd_progress_done;
static int64_t		 feedd_progress_failed;
static int64_t		 feedd_progress_new;
static ev_signal	 feedd_ev_sigs[3];
static ev_timer		 feedd_ev_watchdog;

/*
 * Print usage and exit: the synopsis for --help, a hint after a mistake
 * (each line of feedd's on stderr starts with "feedd: ").
 */
static __dead void
feedd_usage(int status)
{
	FILE	*f = stdout;

	if (status != 0) {
		fprintf(stderr, "feedd: feedd --help shows the usage; "
		    "feedd(8) and feedd.conf(5) list every option\n");
		exit(status);
	}
	fprintf(f,
"usage: feedd [--foreground | --daemon | --once [--force] |\n"
"              --stdio [--scratch-db] |\n"
"              --check-db [--repair]]\n"
"             [-n] [-qv]\n"
"             [--config FILE] [--feeds FILE] [--db FILE] [--socket PATH]\n"
"             [--KEY VALUE ...]\n"
"Every feedd.conf key is also a flag (--KEY VALUE or --KEY=VALUE).\n");
	exit(status);
}

/* The plural ending of a count: "1 feed", "2 feeds". */
static const char *
feedd_s(int64_t n)
{
	return (n == 1 ? "" : "s");
}

/* An absolute copy of a path (relative to the current directory). */
static char *
feedd_abspath(const char *path)
{
	char	 cwd[4096], *s;

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return (xstrdup(path));
	xasprintf(&s, "%s/%s", cwd, path);
	return (s);
}

/* Remember one --KEY VALUE flag; paths are made absolute now. */
static void
feedd_add_flag(const char *key, const char *value)
{
	struct feedd_flag	*fl;

	feedd_flags = xreallocarray(feedd_flags, feedd_nflags + 1,
	    sizeof *feedd_flags);
	fl = &feedd_flags[feedd_nflags++];
	fl->key = xstrdup(key);
	if (strcmp(key, "feeds") == 0 || strcmp(key, "db") == 0 ||
	    strcmp(key, "socket") == 0)
		fl->value = feedd_abspath(value);
	else
		fl->value = xstrdup(value);
}

/* Free the remembered flags. */
static void
feedd_free_flags(void)
{
	size_t	i;

	for (i = 0; i < feedd_nflags; i++) {
		free(feedd_flags[i].key);
		free(feedd_flags[i].value);
	}
	free(feedd_flags);
	free(feedd_conf_path);
}

/*
 * Build a configuration: feedd.conf, then the flags, then the feeds file.
 * Returns NULL and fills cause (FILE:LINE: message) on any error in the
 * settings, or when the feeds file cannot be read; a bad line of the feeds
 * file is only skipped, and listed in cfg->feeds_skipped.
 */
static struct config *
feedd_config_build(char **cause)
{
	struct config	*cfg;
	char		*c = NULL;
	size_t		 i;

	cfg = config_new();
	if (config_load_conf(cfg, feedd_conf_path, feedd_conf_path != NULL,
	    cause) != 0) {
		config_free(cfg);
		return (NULL);
	}
	for (i = 0; i < feedd_nflags; i++) {
		if (config_set(cfg, feedd_flags[i].key, feedd_flags[i].value,
		    &c) != 0) {
			xasprintf(cause, "--%s: %s", feedd_flags[i].key,
			    c != NULL ? c : "bad value");
			free(c);
			config_free(cfg);
			return (NULL);
		}
	}
	if (config_check(cfg, cause) != 0 ||
	    http_conf_check(cfg, cause) != 0) {
		config_free(cfg);
		return (NULL);
	}
	if (feedd_stdio || feedd_check_db)
		return (cfg);	/* the store only: no feeds needed */
	if (cfg->feeds_path == NULL) {
		*cause = xstrdup("no feeds file");
		config_free(cfg);
		return (NULL);
	}
	if (config_load_feeds_skip(cfg, cfg->feeds_path, cause) != 0) {
		config_free(cfg);
		return (NULL);
	}
	return (cfg);
}

/*
 * Log the feeds-file lines a configuration skipped, as Newsboat does with
 * a bad line of its urls file: "FILE:LINE: why; line skipped".
 */
static void
feedd_log_skipped(const struct config *cfg)
{
	const struct config_notes	*cn = &cfg->feeds_skipped;
	size_t				 i;

	for (i = 0; i < cn->n; i++)
		log_warnx("%s; line skipped", cn->v[i]);
	if (cn->total > (int)cn->n)
		log_warnx("%s: %d more lines skipped", cfg->feeds_path,
		    cn->total - (int)cn->n);
}

/* The log level: feedd.conf's, raised by -v, lowered by -q. */
static void
feedd_set_loglevel(const struct config *cfg)
{
	int	level = cfg->log_level;

	if (feedd_verbose > 0) {
		level = LOG_NOTICE + feedd_verbose;
		if (level > LOG_DEBUG)
			level = LOG_DEBUG;
		if (level < cfg->log_level)
			level = cfg->log_level;
	}
	if (feedd_quiet)
		level = LOG_WARNING;
	log_setlevel(level);
}

/*
 * Take the database's lock (DBPATH.lock, flock) so that no two feedd use
 * one store; the file holds the owner's pid.  Exits 1 if it is taken.
 */
static int
feedd_lock(const char *db_path)
{
	char	*path, buf[32];
	ssize_t	 n;
	int	 fd;

	xasprintf(&path, "%s.lock", db_path);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		fatal("%s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK)
			fatal("%s: flock", path);
		n = pread(fd, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fatalx("%s: database in use by another feedd (pid %s)%s",
		    db_path, buf[0] != '\0' ? buf : "?", feedd_once ?
		    "; use `feedctl refresh` to poll through it" : "");
	}
	free(path);
	return (fd);
}

/*
 * Refuse to start when a daemon answers on the socket (ntpd's
 * control_check), naming it and its pid.
 */
static void
feedd_check_socket(const char *path)
{
	pid_t	pid = 0;

	switch (server_probe(path, &pid)) {
	case 1:
		if (pid > 0)
			fatalx("%s: another feedd is listening (pid %ld); not "
			    "started", path, (long)pid);
		fatalx("%s: another feedd is listening; not started", path);
	case -1:
		fatal("%s", path);
	}
}

/* Write our pid into the lock file (again after --daemon forks). */
static void
feedd_lock_pid(int fd)
{
	char	buf[32];
	int	n;

	n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		log_warn("lock file");
}

/*
 * Detach: fork twice and start a new session.  The first process waits
 * until the daemon says it is up (feedd_daemon_ready) and exits 0, or 1
 * if the daemon died first; so startup errors still reach the terminal,
 * and the exit status of `feedd --daemon` means something.  Returns the
 * pipe to signal readiness on.
 */
static int
feedd_daemonize(void)
{
	pid_t	pid;
	int	fd[2];
	char	c = '0';

	if (pipe(fd) != 0)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0) {
		close(fd[1]);
		while (read(fd[0], &c, 1) == -1 && errno == EINTR)
			continue;
		_exit(c == '1' ? 0 : 1);
	}
	close(fd[0]);
	if (setsid() == -1)
		fatal("setsid");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0)
		_exit(0);
	if (chdir("/") != 0)
		fatal("chdir /");
	return (fd[1]);
}

/* The daemon is up: release the waiting parent, stdio to /dev/null. */
static void
feedd_daemon_ready(int readyfd)
{
	int	fd;

	if (write(readyfd, "1", 1) != 1)
		log_warn("daemon: telling the parent");
	close(readyfd);
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_init("feedd", log_getlevel(), 0);
}

/* Stop everything that keeps the loop running; the loop then ends. */
static void
feedd_stop(void)
{
	size_t	i;

	if (feedd_stopping)
		return;
	feedd_stopping = 1;
	notify_stopping();
	/* A second signal now kills at once (libev restores SIG_DFL). */
	for (i = 0; i < sizeof feedd_ev_sigs / sizeof feedd_ev_sigs[0]; i++) {
		if (feedd_once)
			ev_ref(feedd_loop);
		ev_signal_stop(feedd_loop, &feedd_ev_sigs[i]);
	}
	ev_break(feedd_loop, EVBREAK_ALL);
}

/* A reload under way: the new configuration waits for its load. */
struct feedd_reload {
	struct config	*cfg;
	sched_load_cb	 done;
	void		*arg;
};

/*
 * The new configuration's feeds are loaded (error NULL) or not: swap it in,
 * or keep the running one; then tell systemd and whoever asked.
 */
static void
feedd_reloaded(const char *error, void *arg)
{
	struct feedd_reload	*r = arg;
	struct config		*old = feedd_config;

	if (error != NULL) {
		log_warnx("reload failed, configuration kept: %s", error);
		config_free(r->cfg);
	} else {
		feedd_config = r->cfg;
		feedd_set_loglevel(r->cfg);
		fetch_reconfigure(r->cfg);
		http_spawn_reload(r->cfg);
		config_free(old);
		log_info("configuration reloaded: %zu feed%s, %d line%s skipped",
		    feedd_config->nfeeds, feedd_s(feedd_config->nfeeds),
		    feedd_config->feeds_skipped.total,
		    feedd_s(feedd_config->feeds_skipped.total));
	}
	notify_ready();
	if (r->done != NULL)
		r->done(error, r->arg);
	free(r);
}

/* Keep the running path of a setting that needs a restart to change. */
static void
feedd_keep_path(char **path, const char *running, const char *what)
{
	if (*path != NULL && running != NULL && strcmp(*path, running) != 0)
		log_warnx("%s: new %s path needs a restart", *path, what);
	free(*path);
	*path = running != NULL ? xstrdup(running) : NULL;
}

/*
 * Re-read feedd.conf and the feeds file (SIGHUP, or a reload request):
 * build the new configuration now, load its feeds through the writer, and
 * swap it in once they are (feedd_reloaded).  systemd hears RELOADING=1
 * now and READY=1 then, either way; a failure is logged with its
 * FILE:LINE cause while the running configuration stays.  done(error,
 * arg), if not NULL, runs at the end.
 */
static void
feedd_reload(sched_load_cb done, void *arg)
{
	struct feedd_reload	*r;
	struct config		*cfg;
	char			*cause = NULL;

	notify_reloading();
	if ((cfg = feedd_config_build(&cause)) == NULL) {
		log_warnx("reload failed, configuration kept: %s",
		    cause != NULL ? cause : "unknown error");
		notify_ready();
		if (done != NULL)
			done(cause != NULL ? cause : "reload failed", arg);
		free(cause);
		return;
	}
	/* The database and socket stay where they are until a restart. */
	feedd_keep_path(&cfg->db_path, feedd_config->db_path, "db");
	feedd_keep_path(&cfg->socket_path, feedd_config->socket_path,
	    "socket");
	r = xcalloc(1, sizeof *r);
	r->cfg = cfg;
	r->done = done;
	r->arg = arg;
	feedd_log_skipped(cfg);
	sched_load(cfg, feedd_reloaded, r);
}

/* The daemon's counters. */
static void
feedd_get_stats(struct feedd_stats *st)
{
	struct fetch_stats	fs;
	struct poll_stats	ps;

	fetch_get_stats(&fs);
	poll_get_stats(&ps);
	memset(st, 0, sizeof *st);
	st->started = feedd_started;
	st->last_poll = ps.last_poll;
	st->polls = ps.polls;
	st->poll_errors = ps.failed;
	st->items_new = ps.items_new;
	st->items_updated = ps.items_updated;
	st->unsafe = ps.unsafe;
	st->bytes = fs.bytes;
	st->in_flight = fs.in_flight;
	st->feeds = sched_feed_count();
}

/* What the daemon offers its socket's clients (server.c). */
static const struct server_hooks feedd_hooks = {
	feedd_reload,
	sched_refresh,
	feedd_get_stats,
	sched_explain,
};

/*
 * Open the store: the writer's connection, the only one that writes (it
 * creates and migrates the database), and the loop thread's, read-only.
 */
static void
feedd_open_store(const char *path)
{
	char	*cause = NULL;

	if (writer_open(path, &cause) != 0 ||
	    (feedd_store = store_open(path, &cause)) == NULL)
		fatalx("%s", cause != NULL ? cause : path);
	if (store_set_readonly(feedd_store) != 0)
		fatalx("%s", store_errmsg(feedd_store));
}

/*
 * Start the writer thread (a daemon's indexes for search when idle; with
 * once, what a routine run left, at the end); when it cannot start, the
 * loop thread stores.
 */
static void
feedd_start_writer(int once)
{
	char	*cause = NULL;

	if (writer_start(once, &cause) != 0) {
		log_warnx("%s; storing on the main thread", cause);
		free(cause);
	}
}

/* The configured feeds are loaded at start (error: they could not be). */
static void
feedd_loaded(const char *error, void *arg)
{
	if (error != NULL)
		fatalx("%s", error);
	if (feedd_once)
		feedd_progress_total = sched_pending_count();
}

/*
 * A poll ended: --once shows its progress (on a terminal), the daemon
 * tells the refreshes that wait for it.
 */
void
feedd_polled(const struct poll_outcome *o)
{
	if (!feedd_once) {
		server_refresh_polled(o);
		return;
	}
	feedd_progress_done++;
	feedd_progress_failed += o->failed;
	feedd_progress_new += o->nnew;
	if (feedd_progress && feedd_progress_done < feedd_progress_total)
		log_status("%lld/%lld feeds, %lld new item%s, %lld failed",
		    (long long)feedd_progress_done,
		    (long long)feedd_progress_total,
		    (long long)feedd_progress_new,
		    feedd_s(feedd_progress_new),
		    (long long)feedd_progress_failed);
}

/* The one place signals are handled. */
static void
feedd_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	switch (w->signum) {
	case SIGTERM:
	case SIGINT:
		log_info("signal %d: stopping", w->signum);
		feedd_interrupted = 1;
		feedd_stop();
		break;
	case SIGHUP:
		feedd_reload(NULL, NULL);
		break;
	}
}

/* Tell systemd's watchdog we are alive. */
static void
feedd_watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	notify_watchdog();
}

/* A flag's value is checked as it is read: exit 1 with why if bad. */
static void
feedd_check_flag(const char *key, const char *value)
{
	struct config	*cfg;
	char		*cause = NULL;

	cfg = config_new();
	if (config_set(cfg, key, value, &cause) != 0) {
		fprintf(stderr, "feedd: --%s: %s\n", key,
		    cause != NULL ? cause : "bad value");
		exit(1);
	}
	free(cause);
	config_free(cfg);
}

/* Parse the command line into modes and flags. */
static void
feedd_args(int argc, char **argv, int *once, int *force, int *daemonize,
    int *check)
{
	const char	*a, *eq, *value;
	char		*key;
	int		 i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (a[0] != '-' || a[1] == '\0') {
			fprintf(stderr, "feedd: unexpected argument: %s\n", a);
			feedd_usage(1);
		}
		if (a[1] != '-') {
			/* Short flags, possibly bundled: -vvn. */
			for (a++; *a != '\0'; a++) {
				switch (*a) {
				case 'v':
					feedd_verbose++;
					break;
				case 'q':
					feedd_quiet = 1;
					break;
				case 'n':
					*check = 1;
					break;
				case 'h':
					feedd_usage(0);
				default:
					fprintf(stderr, "feedd: unknown "
					    "option: -%c\n", *a);
					feedd_usage(1);
				}
			}
			continue;
		}
		a += 2;
		if (strcmp(a, "") == 0) {
			fprintf(stderr, "feedd: unexpected --\n");
			feedd_usage(1);
		} else if (strcmp(a, "foreground") == 0)
			*daemonize = 0;
		else if (strcmp(a, "daemon") == 0)
			*daemonize = 1;
		else if (strcmp(a, "once") == 0)
			*once = 1;
		else if (strcmp(a, "force") == 0)
			*force = 1;
		else if (strcmp(a, "check") == 0)
			*check = 1;
		else if (strcmp(a, "stdio") == 0)
			feedd_stdio = 1;
		else if (strcmp(a, "scratch-db") == 0)
			feedd_scratch = 1;
		else if (strcmp(a, "check-db") == 0)
			feedd_check_db = 1;
		else if (strcmp(a, "repair") == 0)
			feedd_repair = 1;
		else if (strcmp(a, "verbose") == 0)
			feedd_verbose++;
		else if (strcmp(a, "quiet") == 0)
			feedd_quiet = 1;
		else if (strcmp(a, "help") == 0)
			feedd_usage(0);
		else if (strcmp(a, "version") == 0) {
			printf("feedd %s\n", PACKAGE_VERSION);
			exit(0);
		} else {
			/* --KEY=VALUE or --KEY VALUE. */
			if ((eq = strchr(a, '=')) != NULL)
				key = xstrndup(a, (size_t)(eq - a));
			else
				key = xstrdup(a);
			if (strcmp(key, "config") != 0 &&
			    !config_is_key(key)) {
				fprintf(stderr, "feedd: unknown option: --%s\n",
				    key);
				feedd_usage(1);
			}
			if (eq != NULL)
				value = eq + 1;
			else {
				if (i + 1 >= argc) {
					fprintf(stderr, "feedd: --%s needs a "
					    "value\n", key);
					feedd_usage(1);
				}
				value = argv[++i];
			}
			if (strcmp(key, "config") == 0) {
				free(feedd_conf_path);
				feedd_conf_path = feedd_abspath(value);
			} else {
				feedd_check_flag(key, value);
				feedd_add_flag(key, value);
			}
			free(key);
		}
	}
}

/*
 * --stdio: answer protocol requests on standard input, a stream socket
 * (feedctl's end of a socketpair), from the store, with the daemon's own
 * request code.  No polling and no lock, so it may run beside a feedd
 * --once from cron: this is how feedctl reads when no daemon runs.  It
 * never creates a database.
 */
static int
feedd_stdio_main(struct config *cfg)
{
	struct stat	 sb;
	socklen_t	 len;
	int		 type;
	char		*scratch = NULL, *tmp;
	const char	*ext[] = { "", "-wal", "-shm" };
	size_t		 i;

	len = sizeof type;
	if (getsockopt(STDIN_FILENO, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    type != SOCK_STREAM)
		fatalx("--stdio: standard input is not a stream socket "
		    "(feedctl starts feedd this way when no daemon runs)");
	if (stat(cfg->db_path, &sb) != 0 && !feedd_scratch)
		fatal("%s: no database (has feedd or feedd --once run yet?)",
		    cfg->db_path);
	/*
	 * --scratch-db (feedctl add, remove, parse URL, which need the
	 * fetcher and the feeds file): no database yet is served from an
	 * empty one in a private directory, removed at the end.
	 */
	if (stat(cfg->db_path, &sb) != 0) {
		tmp = getenv("TMPDIR");
		xasprintf(&scratch, "%s/feedd-scratch.XXXXXX",
		    tmp != NULL && *tmp == '/' ? tmp : "/tmp");
		if (mkdtemp(scratch) == NULL)
			fatal("%s", scratch);
		free(cfg->db_path);
		xasprintf(&cfg->db_path, "%s/feedd.db", scratch);
	}
	if ((feedd_loop = ev_default_loop(EVFLAG_AUTO)) == NULL)
		fatalx("libev: no event loop");
	/*
	 * One client, which waits for each answer anyway: its writes go
	 * through the writer's connection on this thread, without starting
	 * the writer thread (0.6 ms of every offline feedctl command).
	 */
	feedd_open_store(cfg->db_path);
	feedd_started = util_now();
	server_attach(cfg->db_path, STDIN_FILENO);
	ev_run(feedd_loop, 0);
	writer_stop();
	subscribe_free();	/* and fetch.c, if a request started it */
	server_stop();
	store_close(feedd_store);
	feedd_store = NULL;
	if (scratch != NULL) {
		for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
			xasprintf(&tmp, "%s%s", cfg->db_path, ext[i]);
			unlink(tmp);
			free(tmp);
		}
		rmdir(scratch);
		free(scratch);
	}
	config_free(feedd_config);
	feedd_config = NULL;
	feedd_free_flags();
	ev_loop_destroy(feedd_loop);
	feedd_loop = NULL;
	return (0);
}

/*
 * --check-db: check the store (SQLite's quick_check, every feed's counters
 * against a full count, the search index) and say what is wrong; with
 * --repair, recount counters that are off.  It may run beside a daemon.
 * Exit status 0 all well, 2 problems found, 1 could not check.
 */
static int
feedd_check_db_main(struct config *cfg)
{
	struct store	*st;
	struct stat	 sb;
	char		*cause = NULL, *report = NULL;
	int		 rc;

	if (stat(cfg->db_path, &sb) != 0)
		fatal("%s", cfg->db_path);	/* never creates one */
	if ((st = store_open(cfg->db_path, &cause)) == NULL)
		fatalx("%s", cause != NULL ? cause : cfg->db_path);
	rc = store_check(st, feedd_repair, &report);
	if (rc == -1)
		fatalx("%s", store_errmsg(st));
	fputs(report, stdout);
	fprintf(stderr, "%s: %s\n", cfg->db_path, rc == 0 ? "database OK" :
	    "problems found");
	free(report);
	store_close(st);
	config_free(feedd_config);
	feedd_config = NULL;
	feedd_free_flags();
	if (fflush(stdout) == EOF || ferror(stdout))
		fatal("stdout");
	return (rc == 0 ? 0 : 2);
}

/* Start up, run the loop until stopped or done, shut down cleanly. */
int
main(int argc, char **argv)
{
	struct config		*cfg;
	struct poll_stats	 ps;
	char			*cause = NULL;
	int			 once = 0, force = 0, daemonize = 0, check = 0;
	int			 lockfd, readyfd = -1, listenfd = -1;
	int			 status = 0;
	int			 sigs[] = { SIGTERM, SIGINT, SIGHUP };
	uint64_t		 wd;
	size_t			 i;

	log_init("feedd", LOG_NOTICE, -1);
	/*
	 * What feedd creates is its user's alone: the database, its WAL and
	 * shared-memory files (0644 under the usual umask 022 outside
	 * systemd), directories.  The sockets get their modes explicitly.
	 */
	umask(077);
	feedd_args(argc, argv, &once, &force, &daemonize, &check);
	feedd_once = once;
	if (once && daemonize)
		fatalx("--once and --daemon do not go together");
	signal(SIGPIPE, SIG_IGN);

	if ((cfg = feedd_config_build(&cause)) == NULL) {
		if (!check)
			fatalx("%s", cause);
		/* -n: the bare "FILE:LINE: message", as ntpd -n says it. */
		fprintf(stderr, "%s\n", cause);
		free(cause);
		feedd_free_flags();
		return (1);
	}
	feedd_config = cfg;
	feedd_set_loglevel(cfg);
	if (feedd_stdio && !check)
		return (feedd_stdio_main(cfg));
	if (feedd_check_db && !check)
		return (feedd_check_db_main(cfg));
	if (check) {
		/*
		 * A skipped line is an error here: the bare "FILE:LINE:
		 * message" of each, as ntpd -n says it, and exit 1.
		 */
		for (i = 0; i < cfg->feeds_skipped.n; i++)
			fprintf(stderr, "%s\n", cfg->feeds_skipped.v[i]);
		if (cfg->feeds_skipped.total > (int)cfg->feeds_skipped.n)
			fprintf(stderr, "%s: %d more errors\n",
			    cfg->feeds_path, cfg->feeds_skipped.total -
			    (int)cfg->feeds_skipped.n);
		status = cfg->feeds_skipped.total > 0;
		if (feedd_verbose > 0 && status == 0)
			config_print(stdout, cfg);
		if (status == 0)
			fprintf(stderr, "configuration OK\n");
		config_free(cfg);
		feedd_free_flags();
		return (status);
	}
	feedd_log_skipped(cfg);

	/*
	 * Another daemon answering on the socket: refuse before anything is
	 * created (the database, its directory, the lock).  A stale socket
	 * is replaced later, by server_start().
	 */
	if (!once && (listenfd = notify_listen_fd()) < 0)
		feedd_check_socket(cfg->socket_path);
	/* server.c makes the socket's directory, with the mode it needs. */
	if (util_mkdir_parents(cfg->db_path, 0700) != 0)
		fatal("%s: creating its directory", cfg->db_path);
	lockfd = feedd_lock(cfg->db_path);
	if (daemonize)
		readyfd = feedd_daemonize();
	feedd_lock_pid(lockfd);
	feedd_started = util_now();

	if ((feedd_loop = ev_default_loop(EVFLAG_AUTO)) == NULL)
		fatalx("libev: no event loop");
	feedd_open_store(cfg->db_path);
	if (fetch_init(cfg, &cause) != 0)
		fatalx("%s", cause);
	sched_init(once, force, poll_start);
	/* A progress line for a person watching; never for cron's mail. */
	feedd_progress = once && isatty(STDERR_FILENO) && !log_journald() &&
	    log_getlevel() >= LOG_NOTICE;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		ev_signal_init(&feedd_ev_sigs[i], feedd_signal_cb, sigs[i]);
		ev_signal_start(feedd_loop, &feedd_ev_sigs[i]);
		if (once)
			ev_unref(feedd_loop);	/* ev.pod: ev_unref */
	}
	if (!once) {
		if (server_start(cfg->socket_path, listenfd,
		    cfg->socket_group, &feedd_hooks, &cause) != 0)
			fatalx("%s", cause != NULL ? cause :
			    "cannot start the socket server");
		http_spawn_start(feedd_loop, cfg);
		if ((wd = notify_watchdog_usec()) > 0) {
			ev_timer_init(&feedd_ev_watchdog, feedd_watchdog_cb,
			    (double)wd / 2e6, (double)wd / 2e6);
			ev_timer_start(feedd_loop, &feedd_ev_watchdog);
		}
	}
	/*
	 * The feeds are in the schedule before anything else runs: the
	 * writer thread does not run yet, so the load is stored now.  Then
	 * writing runs on a thread of its own (writer.c).
	 */
	sched_load(cfg, feedd_loaded, NULL);
	feedd_start_writer(once);
	writer_index_later();	/* whatever an earlier --once left */
	if (!once) {
		/* From now on the log is a running daemon's: timestamped. */
		log_timestamps(1);
		log_notice("ready: %zu feed%s, database %s, socket %s",
		    cfg->nfeeds, feedd_s(cfg->nfeeds), cfg->db_path,
		    cfg->socket_path);
		notify_ready();
		if (readyfd != -1)
			feedd_daemon_ready(readyfd);
	}

	ev_run(feedd_loop, 0);

	writer_stop();		/* stores what is queued: nothing is lost */
	if (!once) {
		if (!feedd_stopping)
			notify_stopping();
		http_spawn_stop();
		server_stop();
		ev_timer_stop(feedd_loop, &feedd_ev_watchdog);
	}
	poll_get_stats(&ps);
	fetch_free();
	subscribe_free();
	poll_stop();
	sched_free();
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		if (ev_is_active(&feedd_ev_sigs[i])) {
			if (once)
				ev_ref(feedd_loop);
			ev_signal_stop(feedd_loop, &feedd_ev_sigs[i]);
		}
	}
	store_close(feedd_store);
	feedd_store = NULL;
	if (once) {
		log_status(NULL);	/* the progress line goes */
		if (sched_skip_count() > 0)
			log_notice("%lld feed%s polled, %lld failed, %lld new "
			    "item%s, %d skipped", (long long)ps.polls,
			    feedd_s(ps.polls), (long long)ps.failed,
			    (long long)ps.items_new, feedd_s(ps.items_new),
			    sched_skip_count());
		else
			log_notice("%lld feed%s polled, %lld failed, %lld new "
			    "item%s", (long long)ps.polls, feedd_s(ps.polls),
			    (long long)ps.failed, (long long)ps.items_new,
			    feedd_s(ps.items_new));
		if (feedd_interrupted)
			status = 1;
		else if (ps.failed > 0)
			status = 2;
	}
	config_free(feedd_config);
	feedd_config = NULL;
	feedd_free_flags();
	ev_loop_destroy(feedd_loop);
	feedd_loop = NULL;
	close(lockfd);
	return (status);
}
