/*
 * log.c: one line per event on stderr (OpenBSD log.c conventions).
 *
 * Under systemd (JOURNAL_STREAM set and matching stderr) each line starts
 * with a "<N>" syslog priority prefix, which journald strips and turns into
 * the entry's priority; the journal adds its own timestamp, so none is
 * printed.  Elsewhere lines read "feedd: warning: message".
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "feedd.h"

static const char	*log_procname = "feedd";
static int		 log_level = LOG_NOTICE;
static int		 log_journal;

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
	char	*msg;

	if (pri > log_level)
		return;
	xvasprintf(&msg, fmt, ap);
	/* Never let a feed's bytes put a newline in the log. */
	for (char *p = msg; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
	if (log_journal) {
		if (errnum != 0)
			fprintf(stderr, "<%d>%s: %s\n", pri, msg,
			    strerror(errnum));
		else
			fprintf(stderr, "<%d>%s\n", pri, msg);
	} else {
		const char *lvl = pri <= LOG_WARNING ? names[pri] : NULL;

		fprintf(stderr, "%s: %s%s%s%s%s\n", log_procname,
		    lvl != NULL ? lvl : "", lvl != NULL ? ": " : "", msg,
		    errnum != 0 ? ": " : "", errnum != 0 ? strerror(errnum) : "");
	}
	fflush(stderr);
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
