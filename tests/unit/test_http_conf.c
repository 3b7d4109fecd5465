/* test_http_conf.c: table tests for http_conf.c (listen address, secrets). */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedd.h"
#include "tap.h"

static void
test_listen(void)
{
	static const struct {
		const char	*in;
		int		 rc;
		int		 loopback;
	} t[] = {
		{ "127.0.0.1:8081", 0, 1 }, { "127.1.2.3:1", 0, 1 },
		{ "localhost:65535", 0, 1 }, { "[::1]:8081", 0, 1 },
		{ "0.0.0.0:8081", 0, 0 }, { "192.0.2.1:80", 0, 0 },
		{ "[::]:8081", 0, 0 }, { "[2001:db8::1]:443", 0, 0 },
		{ "127.0.0.1", -1, 0 }, { "127.0.0.1:", -1, 0 },
		{ "127.0.0.1:0", -1, 0 }, { "127.0.0.1:65536", -1, 0 },
		{ "127.0.0.1:80x", -1, 0 }, { ":8081", -1, 0 },
		{ "example.org:80", -1, 0 }, { "::1:8081", -1, 0 },
		{ "[::1]8081", -1, 0 }, { "[]:80", -1, 0 },
		{ "127.0.0.1:-1", -1, 0 },
	};
	struct sockaddr_storage	 ss;
	char			 what[128], *cause;
	size_t			 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		snprintf(what, sizeof what, "listen \"%s\"", t[i].in);
		if (tap_is_int(http_conf_parse_listen(t[i].in, &ss, &cause),
		    t[i].rc, what) && t[i].rc == 0) {
			snprintf(what, sizeof what, "listen \"%s\": %s",
			    t[i].in, t[i].loopback ? "loopback" : "remote");
			tap_is_int(http_conf_is_loopback(&ss), t[i].loopback,
			    what);
		}
		free(cause);
	}
}

static void
test_secret(const char *dir)
{
	static const struct {
		const char	*content;
		mode_t		 mode;
		const char	*want;		/* NULL: refused */
		const char	*cause;		/* part of the message */
	} t[] = {
		{ "s3cret\n", 0600, "s3cret", NULL },
		{ "s3cret", 0400, "s3cret", NULL },
		{ "s3cret\r\n", 0600, "s3cret", NULL },
		{ "pass word\n", 0600, "pass word", NULL },
		{ "s3cret\n", 0644, NULL, "readable by others; chmod 600" },
		{ "s3cret\n", 0640, NULL, "readable by others" },
		{ "s3cret\n", 0602, NULL, "readable by others" },
		{ "\n", 0600, NULL, "one secret" },
		{ "", 0600, NULL, "one secret" },
		{ "a\nb\n", 0600, NULL, "one secret" },
	};
	char	 path[512], what[128], *cause, *s;
	size_t	 i;
	int	 fd;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(path, sizeof path, "%s/secret%zu", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd == -1 || write(fd, t[i].content,
		    strlen(t[i].content)) < 0 || close(fd) != 0 ||
		    chmod(path, t[i].mode) != 0) {
			tap_ok(0, "writing a secret file");
			continue;
		}
		cause = NULL;
		s = http_conf_read_secret(path, &cause);
		snprintf(what, sizeof what, "secret %zu (mode %03o)", i,
		    (unsigned)t[i].mode);
		tap_is_str(s, t[i].want, what);
		if (t[i].cause != NULL) {
			snprintf(what, sizeof what, "secret %zu: the message "
			    "says \"%s\" and names the file", i, t[i].cause);
			tap_ok(cause != NULL && strstr(cause, t[i].cause) !=
			    NULL && strstr(cause, path) != NULL, what);
		}
		free(s);
		free(cause);
		unlink(path);
	}
	cause = NULL;
	snprintf(path, sizeof path, "%s/none", dir);
	tap_ok(http_conf_read_secret(path, &cause) == NULL && cause != NULL,
	    "a missing secret file is refused");
	free(cause);
}

int
main(void)
{
	char	 dir[] = "/tmp/test_http_conf.XXXXXX";

	test_listen();
	if (mkdtemp(dir) == NULL)
		tap_ok(0, "mkdtemp");
	else {
		test_secret(dir);
		rmdir(dir);
	}
	return (tap_done());
}
