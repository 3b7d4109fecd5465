/*
 * log.c: one line per event on stderr (OpenBSD log.c conventions).
 *
 * Under systemd (JOURNAL_STREAM set and matching stderr) each line starts
 * with a "<N>" syslog priority prefix, which journald strips and turns into
 * the entry's priority; the journal adds its own timestamp, so none is
 * printed.  Elsewhere lines read "feedd: warning: message", and a running
 * daemon's (log_timestamps()) start with the local time, "2026-12-07
 * 16:42:55 feedd: ...".
 *
 * A status line (log_status(): feedd --once's progress on a terminal) is
 * rewritten in place at the bottom; a log line clears it, is written, and
 * the status line comes back under it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "feedd.h"

static const char	*log_procname = "feedd";
static int		 log_level = LOG_NOTICE;
static int		 log_journal;
static int		 log_stamp;	/* prefix the local time */
static char		*log_statusline;	/* shown at the bottom, or NULL */
/* The writer thread logs too: one line, and the status line, at a time. */
static pthread_mutex_t	 log_mtx = PTHREAD_MUTEX_INITIALIZER;

/* Does stderr go to the journal?  systemd sets JOURNAL_STREAM=dev:ino. */
static int
log_is_journal(void)
{
	const char	*js;
	struct stat	 sb;
	unsigned long long dev, ino;

	if ((js = getenv("JOURNAL_STREAM")) == NULL)
		return (0);
	if (sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return (0);
	if (fstat(fileno(stderr), &sb) != 0)
		return (0);
	return ((unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino);
}

/* Set the program name, level and whether to prefix priorities (-1: auto). */
void
log_init(const char *procname, int level, int journal)
{
	if (procname != NULL)
		log_procname = procname;
	log_level = level;
	log_journal = journal == -1 ? log_is_journal() : journal;
}

/* Change the level (SIGHUP, -v). */
void
log_setlevel(int level)
{
	log_level = level;
}

/*
 * Prefix lines with the local time (a running daemon whose stderr is not
 * the journal, which adds its own).
 */
void
log_timestamps(int on)
{
	log_stamp = on && !log_journal;
}

/* Whether stderr is the journal (log lines carry "<N>" prefixes). */
int
log_journald(void)
{
	return (log_journal);
}

/* Write the status line again (after a log line), or nothing. */
static void
log_status_draw(void)
{
	if (log_statusline != NULL)
		fprintf(stderr, "\r%s: %s\033[K", log_procname,
		    log_statusline);
	fflush(stderr);
}

/*
 * Show a status line at the bottom of a terminal, rewritten in place
 * (NULL: clear it).  Only for a terminal: the caller checks isatty().
 */
void
log_status(const char *fmt, ...)
{
	va_list	 ap;
	char	*line = NULL;

	if (fmt != NULL) {
		va_start(ap, fmt);
		xvasprintf(&line, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_lock(&log_mtx);
	if (line == NULL && log_statusline != NULL)
		fputs("\r\033[K", stderr);
	free(log_statusline);
	log_statusline = line;
	log_status_draw();
	pthread_mutex_unlock(&log_mtx);
}

/* Current level. */
int
log_getlevel(void)
{
	return (log_level);
}

/* Write one line at priority pri, with strerror(errnum) if errnum != 0. */
static void
log_vwrite(int pri, int errnum, const char *fmt, va_list ap)
{
	static const char *names[] = {
	    "emergency", "alert", "critical", "error",
	    "warning", "notice", "info", "debug"
	};
	char	*msg, stamp[32];
	struct tm tm;
	time_t	 t;

	if (pri > log_level)
		return;
	xvasprintf(&msg, fmt, ap);
	/* Never let a feed's bytes put a newline in the log. */
	for (char *p = msg; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
	pthread_mutex_lock(&log_mtx);
	if (log_journal) {
		if (errnum != 0)
			fprintf(stderr, "<%d>%s: %s\n", pri, msg,
			    strerror(errnum));
		else
			fprintf(stderr, "<%d>%s\n", pri, msg);
	} else {
		const char *lvl = pri <= LOG_WARNING ? names[pri] : NULL;

		if (log_statusline != NULL)
			fputs("\r\033[K", stderr);
		stamp[0] = '\0';
		t = time(NULL);
		if (log_stamp && localtime_r(&t, &tm) != NULL)
			strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S ",
			    &tm);
		fprintf(stderr, "%s%s: %s%s%s%s%s\n", stamp, log_procname,
		    lvl != NULL ? lvl : "", lvl != NULL ? ": " : "", msg,
		    errnum != 0 ? ": " : "", errnum != 0 ? strerror(errnum) : "");
	}
	log_status_draw();
	pthread_mutex_unlock(&log_mtx);
	free(msg);
}

/* A warning with the current errno's text appended. */
void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

/* A warning. */
void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
}

/* Something a user wants to see by default. */
void
log_notice(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_NOTICE, 0, fmt, ap);
	va_end(ap);
}

/* Routine events (-v). */
void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

/* Debugging detail (-vv). */
void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

/* Log an error with errno's text and exit 1. */
void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Log an error and exit 1. */
void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
