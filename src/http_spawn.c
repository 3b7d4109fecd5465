/*
 * http_spawn.c: feedd's side of the HTTP API (feedd-http(8)).
 *
 * The Miniflux API is served by a companion process, feedd-http, that
 * holds no database handle and no feeds file: it only speaks the socket
 * protocol, as feedctl does.  This file checks the http-* settings before
 * feedd starts (and for feedd -n), starts feedd-http with them, restarts
 * it with a backoff when it dies, and stops it when feedd stops.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <ev.h>

#include "feedd.h"

#define HTTP_SPAWN_BACKOFF_MIN	1.0	/* s before the first restart */
#define HTTP_SPAWN_BACKOFF_MAX	60.0	/* s, doubling up to this */
#define HTTP_SPAWN_STABLE	60.0	/* s of life that resets backoff */

static struct ev_loop	*http_spawn_loop;
static ev_child		 http_spawn_ev_child;
static ev_timer		 http_spawn_ev_restart;
static pid_t		 http_spawn_pid = -1;
static double		 http_spawn_backoff = HTTP_SPAWN_BACKOFF_MIN;
static double		 http_spawn_started;
static char		**http_spawn_argv;	/* feedd-http's command line */
static int		 http_spawn_replacing;	/* stopped for a reload */
static uint64_t		 http_spawn_secrets;	/* hash of the secrets */

/*
 * The feedd-http to run: $FEEDD_HTTP (tests), else the one next to this
 * feedd, else the installed one.
 */
static char *
http_spawn_path(void)
{
	const char	*env = getenv("FEEDD_HTTP");
	char		 self[PATH_MAX], *slash, *s;
	ssize_t		 n;

	if (env != NULL && env[0] == '/')
		return (xstrdup(env));
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			xasprintf(&s, "%s/feedd-http", self);
			if (access(s, X_OK) == 0)
				return (s);
			free(s);
		}
	}
	return (xstrdup(BINDIR "/feedd-http"));
}

/* Fork and exec feedd-http. */
static void
http_spawn_run(void)
{
	pid_t	pid;

	if (http_spawn_argv == NULL)
		return;
	if ((pid = fork()) == -1) {
		log_warn("feedd-http: fork");
		http_spawn_pid = -1;
		ev_timer_set(&http_spawn_ev_restart, http_spawn_backoff, 0.);
		ev_timer_start(http_spawn_loop, &http_spawn_ev_restart);
		return;
	}
	if (pid == 0) {
		/* Die with feedd, whatever way feedd ends. */
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(1);
		signal(SIGPIPE, SIG_DFL);
		execv(http_spawn_argv[0], http_spawn_argv);
		fprintf(stderr, "feedd: %s: %s\n", http_spawn_argv[0],
		    strerror(errno));
		_exit(127);
	}
	http_spawn_pid = pid;
	http_spawn_started = ev_now(http_spawn_loop);
	ev_child_set(&http_spawn_ev_child, pid, 0);
	ev_child_start(http_spawn_loop, &http_spawn_ev_child);
	log_info("feedd-http: started, pid %ld", (long)pid);
}

/* The restart timer: start feedd-http again. */
static void
http_spawn_restart_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	http_spawn_run();
}

/* feedd-http ended: log why and start it again after the backoff. */
static void
http_spawn_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	int	st = w->rstatus;

	ev_child_stop(loop, w);
	http_spawn_pid = -1;
	if (http_spawn_replacing) {
		/* A reload stopped it: start the new one now. */
		http_spawn_replacing = 0;
		http_spawn_backoff = HTTP_SPAWN_BACKOFF_MIN;
		if (http_spawn_argv != NULL)
			http_spawn_run();
		return;
	}
	if (WIFSIGNALED(st))
		log_warnx("feedd-http: killed by signal %d", WTERMSIG(st));
	else
		log_warnx("feedd-http: exited with status %d",
		    WEXITSTATUS(st));
	if (ev_now(loop) - http_spawn_started >= HTTP_SPAWN_STABLE)
		http_spawn_backoff = HTTP_SPAWN_BACKOFF_MIN;
	log_info("feedd-http: restarting in %.0f s", http_spawn_backoff);
	ev_timer_set(&http_spawn_ev_restart, http_spawn_backoff, 0.);
	ev_timer_start(loop, &http_spawn_ev_restart);
	http_spawn_backoff *= 2;
	if (http_spawn_backoff > HTTP_SPAWN_BACKOFF_MAX)
		http_spawn_backoff = HTTP_SPAWN_BACKOFF_MAX;
}

/* Add one word to the command line being built. */
static void
http_spawn_arg(size_t *n, const char *a)
{
	http_spawn_argv = xreallocarray(http_spawn_argv, *n + 2,
	    sizeof *http_spawn_argv);
	http_spawn_argv[(*n)++] = xstrdup(a);
	http_spawn_argv[*n] = NULL;
}

/*
 * A hash of the secret files' contents, so that a reload restarts
 * feedd-http when a password or token changed, and only then (or when
 * the command line did): a reload also follows each subscription.
 */
static uint64_t
http_spawn_hash_secrets(const struct config *cfg)
{
	const char	*files[2] = { cfg->http_password_file,
			    cfg->http_token_file };
	uint64_t	 h = 0;
	char		*s, *cause = NULL;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		if (files[i] == NULL)
			continue;
		if ((s = http_conf_read_secret(files[i], &cause)) == NULL) {
			free(cause);
			cause = NULL;
			continue;
		}
		h = util_hash64(s, strlen(s) + 1, h + i + 1);
		explicit_bzero(s, strlen(s));
		free(s);
	}
	return (h);
}

/* Free the command line. */
static void
http_spawn_argv_free(void)
{
	size_t	i;

	for (i = 0; http_spawn_argv != NULL && http_spawn_argv[i] != NULL;
	    i++)
		free(http_spawn_argv[i]);
	free(http_spawn_argv);
	http_spawn_argv = NULL;
}

/*
 * Make feedd-http's command line from cfg (NULL without http-listen).
 * The secrets travel as file names, never on the command line.
 */
static void
http_spawn_args(const struct config *cfg)
{
	size_t	n = 0;
	char	*path;

	http_spawn_argv_free();
	if (cfg->http_listen == NULL)
		return;
	path = http_spawn_path();
	http_spawn_arg(&n, path);
	free(path);
	http_spawn_arg(&n, "--socket");
	http_spawn_arg(&n, cfg->socket_path);
	http_spawn_arg(&n, "--listen");
	http_spawn_arg(&n, cfg->http_listen);
	if (cfg->http_user != NULL) {
		http_spawn_arg(&n, "--user");
		http_spawn_arg(&n, cfg->http_user);
		http_spawn_arg(&n, "--password-file");
		http_spawn_arg(&n, cfg->http_password_file);
	}
	if (cfg->http_token_file != NULL) {
		http_spawn_arg(&n, "--token-file");
		http_spawn_arg(&n, cfg->http_token_file);
	}
	if (cfg->http_allow_remote)
		http_spawn_arg(&n, "--allow-remote");
	if (log_getlevel() >= LOG_DEBUG)
		http_spawn_arg(&n, "-v");
}

/*
 * Start feedd-http when http-listen is set (the settings were checked by
 * http_conf_check()).
 */
void
http_spawn_start(struct ev_loop *loop, const struct config *cfg)
{
	http_spawn_loop = loop;
	ev_child_init(&http_spawn_ev_child, http_spawn_child_cb, 0, 0);
	ev_timer_init(&http_spawn_ev_restart, http_spawn_restart_cb, 0., 0.);
	http_spawn_args(cfg);
	http_spawn_secrets = http_spawn_hash_secrets(cfg);
	if (http_spawn_argv != NULL)
		http_spawn_run();
}

/*
 * A reload: feedd-http starts again with the new settings (and reads its
 * secret files again), or stops when http-listen is gone.  The running
 * one is asked to stop and the new one starts when it has exited, so the
 * loop never waits for it.
 */
void
http_spawn_reload(const struct config *cfg)
{
	char		**old;
	uint64_t	  h;
	size_t		  i;
	int		  same;

	if (http_spawn_loop == NULL)
		return;
	old = http_spawn_argv;
	http_spawn_argv = NULL;
	http_spawn_args(cfg);
	h = http_spawn_hash_secrets(cfg);
	same = h == http_spawn_secrets && (old == NULL) ==
	    (http_spawn_argv == NULL);
	for (i = 0; same && old != NULL && (old[i] != NULL ||
	    http_spawn_argv[i] != NULL); i++)
		if (old[i] == NULL || http_spawn_argv[i] == NULL ||
		    strcmp(old[i], http_spawn_argv[i]) != 0)
			same = 0;
	for (i = 0; old != NULL && old[i] != NULL; i++)
		free(old[i]);
	free(old);
	http_spawn_secrets = h;
	if (same)
		return;
	log_info("feedd-http: new settings: restarting it");
	ev_timer_stop(http_spawn_loop, &http_spawn_ev_restart);
	if (http_spawn_pid > 0) {
		http_spawn_replacing = 1;
		kill(http_spawn_pid, SIGTERM);
	} else if (http_spawn_argv != NULL) {
		http_spawn_backoff = HTTP_SPAWN_BACKOFF_MIN;
		http_spawn_run();
	}
}

/* Stop feedd-http (SIGTERM, then SIGKILL after 2 s) and free. */
void
http_spawn_stop(void)
{
	size_t	i;
	int	st;

	if (http_spawn_loop == NULL)
		return;
	ev_timer_stop(http_spawn_loop, &http_spawn_ev_restart);
	ev_child_stop(http_spawn_loop, &http_spawn_ev_child);
	if (http_spawn_pid > 0) {
		kill(http_spawn_pid, SIGTERM);
		for (i = 0; i < 200; i++) {
			if (waitpid(http_spawn_pid, &st, WNOHANG) != 0)
				break;
			usleep(10000);
		}
		if (i == 200) {
			log_warnx("feedd-http: killing pid %ld",
			    (long)http_spawn_pid);
			kill(http_spawn_pid, SIGKILL);
			(void)waitpid(http_spawn_pid, &st, 0);
		}
		http_spawn_pid = -1;
	}
	http_spawn_argv_free();
	http_spawn_loop = NULL;
}
