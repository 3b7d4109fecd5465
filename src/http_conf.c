/*
 * http_conf.c: the http-* settings of feedd.conf, shared by feedd (which
 * checks them before it starts, and for feedd -n) and feedd-http (which
 * reads the secrets): the listen address and the secret files.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedd.h"

#define HTTP_CONF_SECRET_MAX	1024	/* bytes of a secret file */

/*
 * Split "ADDR:PORT" ("[V6]:PORT" for IPv6) into a socket address.
 * Returns 0, or -1 with a message in cause.
 */
int
http_conf_parse_listen(const char *s, struct sockaddr_storage *ss,
    char **cause)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*colon;
	char			 host[INET6_ADDRSTRLEN + 1];
	size_t			 hlen;
	int64_t			 port;

	memset(ss, 0, sizeof *ss);
	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			goto bad;
		hlen = (size_t)(colon - s - 1);
		if (hlen == 0 || hlen >= sizeof host)
			goto bad;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		colon++;
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			goto bad;
		sin6->sin6_family = AF_INET6;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			goto bad;
		hlen = (size_t)(colon - s);
		if (hlen == 0 || hlen >= sizeof host)
			goto bad;
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (strcmp(host, "localhost") == 0)
			(void)snprintf(host, sizeof host, "127.0.0.1");
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			goto bad;
		sin->sin_family = AF_INET;
	}
	if (util_parse_int(colon + 1, 1, 65535, &port) != 0)
		goto bad;
	if (ss->ss_family == AF_INET6)
		sin6->sin6_port = htons((uint16_t)port);
	else
		sin->sin_port = htons((uint16_t)port);
	return (0);
bad:
	xasprintf(cause, "http-listen: \"%s\": want ADDR:PORT, an IP address "
	    "(IPv6 in brackets) and a port 1-65535", s);
	return (-1);
}

/* Is this a loopback address (127.0.0.0/8, ::1)? */
int
http_conf_is_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 =
	    (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return ((ntohl(sin->sin_addr.s_addr) >> 24) == 127);
	if (ss->ss_family == AF_INET6)
		return (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	return (0);
}

/*
 * Read a secret file: one line, its trailing newline stripped, not empty,
 * and readable by its owner alone.  Returns the secret (the caller frees)
 * or NULL with a message in cause.
 */
char *
http_conf_read_secret(const char *path, char **cause)
{
	struct stat	 sb;
	char		 b[HTTP_CONF_SECRET_MAX + 2];
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s: not a regular file", path);
		close(fd);
		return (NULL);
	}
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		xasprintf(cause, "%s: readable by others; chmod 600 %s", path,
		    path);
		close(fd);
		return (NULL);
	}
	while (len < sizeof b - 1 &&
	    (n = read(fd, b + len, sizeof b - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len > HTTP_CONF_SECRET_MAX) {
		xasprintf(cause, "%s: longer than %d bytes", path,
		    HTTP_CONF_SECRET_MAX);
		return (NULL);
	}
	b[len] = '\0';
	while (len > 0 && (b[len - 1] == '\n' || b[len - 1] == '\r'))
		b[--len] = '\0';
	if (len == 0 || strchr(b, '\n') != NULL || strlen(b) != len) {
		xasprintf(cause, "%s: want one secret on one line", path);
		return (NULL);
	}
	return (xstrdup(b));
}

/*
 * Check the http-* settings: a listen address (loopback unless
 * http-allow-remote), a user with a password file, or a token file, or
 * both, and the files readable by their owner alone.  Without
 * http-listen there is nothing to check.  Returns 0 or -1 with cause.
 */
int
http_conf_check(const struct config *cfg, char **cause)
{
	struct sockaddr_storage	 ss;
	char			*s;

	if (cfg->http_listen == NULL)
		return (0);
	if (http_conf_parse_listen(cfg->http_listen, &ss, cause) != 0)
		return (-1);
	if (!http_conf_is_loopback(&ss) && !cfg->http_allow_remote) {
		xasprintf(cause, "http-listen: %s is not a loopback address "
		    "(set http-allow-remote = yes, and put TLS in front)",
		    cfg->http_listen);
		return (-1);
	}
	if ((cfg->http_user == NULL) != (cfg->http_password_file == NULL)) {
		*cause = xstrdup("http-user and http-password-file go "
		    "together");
		return (-1);
	}
	if (cfg->http_password_file == NULL && cfg->http_token_file == NULL) {
		*cause = xstrdup("http-listen needs http-user and "
		    "http-password-file, or http-token-file");
		return (-1);
	}
	if (cfg->http_user != NULL && strchr(cfg->http_user, ':') != NULL) {
		*cause = xstrdup("http-user: no colon allowed");
		return (-1);
	}
	if (cfg->http_password_file != NULL) {
		if ((s = http_conf_read_secret(cfg->http_password_file,
		    cause)) == NULL)
			return (-1);
		free(s);
	}
	if (cfg->http_token_file != NULL) {
		if ((s = http_conf_read_secret(cfg->http_token_file,
		    cause)) == NULL)
			return (-1);
		free(s);
	}
	return (0);
}
