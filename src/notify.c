/*
 * notify.c: systemd integration, through libsystemd.
 *
 * Owns the service manager protocol: readiness, reload and stop
 * notifications (sd_notify), the STATUS= line, the watchdog, and taking a
 * listening socket passed by socket activation (LISTEN_FDS/LISTEN_PID).
 * Built without libsystemd (configure --without-systemd), every call is a
 * no-op: the notifications are dropped and there is never a passed socket.
 *
 * Every function is safe to call when feedd does not run under systemd:
 * libsystemd then finds no NOTIFY_SOCKET, WATCHDOG_USEC or LISTEN_FDS and
 * does nothing.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "feedd.h"

#ifdef HAVE_SYSTEMD

/* STOPPING=1 was sent: no more READY=1 or RELOADING=1, and only once. */
static int	notify_stopped;

/* Send one notification; a failure is logged at debug level only. */
static void
notify_send(const char *state)
{
	int	r;

	if ((r = sd_notify(0, state)) < 0)
		log_debug("sd_notify: %s", strerror(-r));
}

/* Tell the service manager that startup is complete. */
void
notify_ready(void)
{
	if (notify_stopped)
		return;
	notify_send("READY=1");
}

/* Tell the service manager that a reload has begun (READY=1 ends it). */
void
notify_reloading(void)
{
	struct timespec	 ts;
	char		*msg;

	if (notify_stopped)
		return;
	/*
	 * Newer systemd (Type=notify-reload) wants the CLOCK_MONOTONIC time
	 * with RELOADING=1 so it can tell this reload from an older one;
	 * older versions ignore the extra field.
	 */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		notify_send("RELOADING=1");
		return;
	}
	xasprintf(&msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	notify_send(msg);
	free(msg);
}

/* Tell the service manager that feedd is shutting down (once). */
void
notify_stopping(void)
{
	if (notify_stopped)
		return;
	notify_stopped = 1;
	notify_send("STOPPING=1");
}

/* Set the one-line status systemctl status shows. */
void
notify_status(const char *fmt, ...)
{
	va_list	 ap;
	char	*text, *msg, *p;

	va_start(ap, fmt);
	xvasprintf(&text, fmt, ap);
	va_end(ap);
	/* A newline would start another assignment: keep it one line. */
	for (p = text; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
	xasprintf(&msg, "STATUS=%s", text);
	notify_send(msg);
	free(msg);
	free(text);
}

/* The watchdog interval in microseconds, or 0 when there is none. */
uint64_t
notify_watchdog_usec(void)
{
	uint64_t	usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return (0);
	return (usec);
}

/* Pet the watchdog. */
void
notify_watchdog(void)
{
	notify_send("WATCHDOG=1");
}

/*
 * The listening socket passed by socket activation, or -1.  Exactly one
 * AF_UNIX SOCK_STREAM socket in the listening state is accepted; anything
 * else is reported, closed and ignored, and feedd makes its own socket.
 * The socket returned is non-blocking and close-on-exec.
 */
int
notify_listen_fd(void)
{
	int	n, fd, flags, r;

	/* Unset LISTEN_* so nothing started later takes them too. */
	if ((n = sd_listen_fds(1)) < 0) {
		log_warnx("socket activation: %s", strerror(-n));
		return (-1);
	}
	if (n == 0)
		return (-1);
	if (n != 1) {
		log_warnx("socket activation: %d sockets passed, want 1; "
		    "ignoring them", n);
		for (fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n;
		    fd++)
			close(fd);
		return (-1);
	}
	fd = SD_LISTEN_FDS_START;
	if ((r = sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0)) <= 0) {
		if (r < 0)
			log_warnx("socket activation: fd %d: %s", fd,
			    strerror(-r));
		else
			log_warnx("socket activation: fd %d is not a "
			    "listening AF_UNIX stream socket; ignoring it", fd);
		close(fd);
		return (-1);
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		log_warn("socket activation: fd %d: fcntl", fd);
		close(fd);
		return (-1);
	}
	log_info("socket activation: listening on fd %d", fd);
	return (fd);
}

#else /* !HAVE_SYSTEMD */

/* Without libsystemd: nothing to tell. */
void
notify_ready(void)
{
}

/* Without libsystemd: nothing to tell. */
void
notify_reloading(void)
{
}

/* Without libsystemd: nothing to tell. */
void
notify_stopping(void)
{
}

/* Without libsystemd: nothing to tell. */
void
notify_status(const char *fmt, ...)
{
	(void)fmt;
}

/* Without libsystemd: no watchdog. */
uint64_t
notify_watchdog_usec(void)
{
	return (0);
}

/* Without libsystemd: no watchdog. */
void
notify_watchdog(void)
{
}

/* Without libsystemd: never a passed socket. */
int
notify_listen_fd(void)
{
	return (-1);
}

#endif /* HAVE_SYSTEMD */
