/*
 * feedsfile.c: edits of the feeds file, for `feedctl add` and `remove`
 * (the daemon's subscribe and unsubscribe, and feedctl itself when the
 * daemon may not write the file).
 *
 * An edit never rewrites what it does not change: the file is read whole,
 * the one line is appended (or the named lines commented out), every other
 * byte is copied as it was, and the result replaces the file atomically: a
 * temporary file in the same directory, written, synced, given the old
 * file's mode, renamed over it, the directory synced.  A symbolic link is
 * followed, so the link stays a link.
 *
 * A line is written in the syntax config.c reads (Newsboat's urls): the
 * URL, the tags (quoted when they hold blanks or quotes), the options as
 * key=value words, then the title as one quoted word "~Title".  The caller
 * reads the line back with config_parse_feed_line() before writing it.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "feedd.h"

#define FEEDSFILE_MAX	(64 * 1024 * 1024)	/* bytes we read, at most */

/* Append s as one quoted word, escaped the way config.c unescapes. */
void
feedsfile_quoted(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '"':
		case '\\':
			buf_addc(b, '\\');
			buf_addc(b, *s);
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		default:
			buf_addc(b, *s);
			break;
		}
	}
	buf_addc(b, '"');
}

/*
 * Append s as a word: bare when it reads back the same, else quoted (a
 * leading '~' too: a bare one would be read as a title).
 */
void
feedsfile_word(struct buf *b, const char *s)
{
	const char	*p;

	if (*s == '\0' || *s == '"' || *s == '#' || *s == '~')
		goto quote;
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '"' ||
		    *p == '\\')
			goto quote;
	}
	buf_adds(b, s);
	return;
quote:
	feedsfile_quoted(b, s);
}

/*
 * Format fc as one feeds-file line (no newline) into b.  A tag that could
 * not be read back as that tag (one starting with '~', which is a title,
 * or shaped like key=value, which is an option) is refused: -1 and *cause.
 */
int
feedsfile_format(struct buf *b, const struct feed_conf *fc, char **cause)
{
	size_t	 i;
	char	*t;

	for (i = 0; i < fc->ntags; i++) {
		if (fc->tags[i][0] == '\0' || fc->tags[i][0] == '~' ||
		    config_is_option(fc->tags[i])) {
			xasprintf(cause, "tag \"%s\": a tag may not be empty, "
			    "start with ~ or have the form key=value",
			    fc->tags[i]);
			return (-1);
		}
	}
	feedsfile_word(b, fc->url);
	for (i = 0; i < fc->ntags; i++) {
		buf_addc(b, ' ');
		feedsfile_word(b, fc->tags[i]);
	}
	config_feed_options(b, fc);
	if (fc->title != NULL && *fc->title != '\0') {
		xasprintf(&t, "~%s", fc->title);
		buf_addc(b, ' ');
		feedsfile_quoted(b, t);
		free(t);
	}
	buf_add(b, "", 0);
	return (0);
}

/*
 * Whether two feed URLs name the same feed: equal but for the case of the
 * scheme and host and for a #fragment (never sent to the server).
 */
int
feedsfile_url_same(const char *a, const char *b)
{
	size_t	 la, lb, ha, hb;
	const char *p;

	la = strcspn(a, "#");
	lb = strcspn(b, "#");
	if (la != lb)
		return (0);
	/* The scheme and authority: up to the first '/' after "//". */
	p = strstr(a, "//");
	ha = p != NULL && (size_t)(p - a) < la ? (size_t)(p - a) + 2 +
	    strcspn(p + 2, "/?#") : 0;
	p = strstr(b, "//");
	hb = p != NULL && (size_t)(p - b) < lb ? (size_t)(p - b) + 2 +
	    strcspn(p + 2, "/?#") : 0;
	if (ha != hb || strncasecmp(a, b, ha) != 0)
		return (0);
	return (memcmp(a + ha, b + ha, la - ha) == 0);
}

/* Read the file at path whole into b; ENOENT gives an empty b. */
static int
feedsfile_read(const char *path, struct buf *b, mode_t *mode, char **cause)
{
	struct stat	 sb;
	char		 chunk[65536];
	ssize_t		 n;
	int		 fd;

	buf_reset(b);
	buf_add(b, "", 0);
	*mode = 0644;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return (0);
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) == 0)
		*mode = sb.st_mode & 07777;
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (b->len + (size_t)n > FEEDSFILE_MAX) {
			xasprintf(cause, "%s: larger than %d bytes", path,
			    FEEDSFILE_MAX);
			close(fd);
			return (-1);
		}
		buf_add(b, chunk, (size_t)n);
	}
	if (n == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	close(fd);
	return (0);
}

/*
 * Write b to path atomically (see the top comment), with mode.  Returns
 * 0, or -1 and *cause naming the file and the errno text (errno kept).
 */
int
feedsfile_write(const char *path, const struct buf *b, mode_t mode,
    char **cause)
{
	char	 real[PATH_MAX], *tmp, *dir, *slash;
	int	 fd, saved;

	/* A symbolic link: replace what it points at, keep the link. */
	if (realpath(path, real) == NULL) {
		if (errno != ENOENT) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			return (-1);
		}
		if (strlen(path) >= sizeof real) {
			xasprintf(cause, "%s: path too long", path);
			return (-1);
		}
		memcpy(real, path, strlen(path) + 1);
	}
	xasprintf(&tmp, "%s.XXXXXX", real);
	if ((fd = mkstemp(tmp)) == -1) {
		saved = errno;
		xasprintf(cause, "%s: cannot write its directory: %s", path,
		    strerror(saved));
		free(tmp);
		errno = saved;
		return (-1);
	}
	if (fchmod(fd, mode & 07777) != 0 ||
	    write(fd, b->data, b->len) != (ssize_t)b->len || fsync(fd) != 0 ||
	    close(fd) != 0 || rename(tmp, real) != 0) {
		saved = errno;
		xasprintf(cause, "%s: %s", path, strerror(saved));
		unlink(tmp);
		free(tmp);
		errno = saved;
		return (-1);
	}
	free(tmp);
	/* The rename itself survives a crash once the directory is synced. */
	dir = xstrdup(real);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
	return (0);
}

/*
 * Append line (no newline) to the feeds file at path, after a newline
 * ending the last line if it had none; *lineno is the line's number.
 * The file is created (mode 0644) if it does not exist.  Returns 0, or -1
 * and *cause (errno kept: EACCES, EROFS... say the file is not ours).
 */
int
feedsfile_append(const char *path, const char *line, int *lineno,
    char **cause)
{
	struct buf	 b = { NULL, 0, 0 };
	mode_t		 mode;
	size_t		 i;
	int		 n = 1, rc = -1, saved;

	if (feedsfile_read(path, &b, &mode, cause) != 0)
		goto out;
	if (b.len > 0 && b.data[b.len - 1] != '\n')
		buf_addc(&b, '\n');
	for (i = 0; i < b.len; i++)
		if (b.data[i] == '\n')
			n++;
	buf_adds(&b, line);
	buf_addc(&b, '\n');
	if (util_mkdir_parents(path, 0755) != 0) {
		xasprintf(cause, "%s: creating its directory: %s", path,
		    strerror(errno));
		goto out;
	}
	if (feedsfile_write(path, &b, mode, cause) != 0)
		goto out;
	*lineno = n;
	rc = 0;
out:
	saved = errno;
	buf_free(&b);
	errno = saved;
	return (rc);
}

/*
 * Comment out lines lines[0..n-1] (numbered from 1) of the feeds file at
 * path: each gets prefix before it, every other byte stays.  A line number
 * past the end is an error and nothing is written.  Returns 0, or -1 and
 * *cause (errno kept, as feedsfile_append()).
 */
int
feedsfile_comment(const char *path, const int *lines, size_t n,
    const char *prefix, char **cause)
{
	struct buf	 in = { NULL, 0, 0 }, out = { NULL, 0, 0 };
	const char	*line, *end, *eol;
	mode_t		 mode;
	size_t		 i, done = 0;
	int		 lineno = 0, rc = -1, saved;

	if (feedsfile_read(path, &in, &mode, cause) != 0)
		goto out;
	buf_add(&out, "", 0);
	end = in.data + in.len;
	for (line = in.data; line < end; line = eol) {
		lineno++;
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		else
			eol++;
		for (i = 0; i < n; i++) {
			if (lines[i] == lineno) {
				buf_adds(&out, prefix);
				done++;
				break;
			}
		}
		buf_add(&out, line, (size_t)(eol - line));
	}
	if (done != n) {
		xasprintf(cause, "%s: has no such line (changed meanwhile?)",
		    path);
		errno = EINVAL;
		goto out;
	}
	rc = feedsfile_write(path, &out, mode, cause);
out:
	saved = errno;
	buf_free(&in);
	buf_free(&out);
	errno = saved;
	return (rc);
}

/*
 * The prefix remove puts before a line, "# removed by feedctl
 * YYYY-MM-DD: " (today, local time), into buf: the daemon's and
 * feedctl's own edits read the same (see feedd-feeds(5)).
 */
void
feedsfile_removed_prefix(char *buf, size_t size)
{
	struct tm	tm;
	time_t		now;
	char		day[16];

	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	snprintf(buf, size, "# removed by feedctl %s: ", day);
}

/*
 * The URL word of a feeds-file line (Newsboat's first word, quoted or
 * not) at *p: its text (unescaped) in url, *p moved past it.  0, or -1
 * when the line has no URL (blank, a comment).
 */
int
feedsfile_url_word(const char **p, const char *end, struct buf *url)
{
	const char	*s = *p;

	buf_reset(url);
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s == '#' || *s == '\r' || *s == '\n')
		return (-1);
	if (*s == '"') {
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			buf_addc(url, *s);
		}
		if (s < end)
			s++;	/* the closing quote */
	} else {
		for (; s < end && *s != ' ' && *s != '\t' && *s != '\r' &&
		    *s != '\n'; s++)
			buf_addc(url, *s);
	}
	buf_add(url, "", 0);
	*p = s;
	return (0);
}

/*
 * The numbers of the lines of the feeds file at path whose URL (the first
 * word, quoted or not) names the same feed as url (feedsfile_url_same()):
 * a feed listed twice is merged by config.c, so removing it means
 * commenting out every one.  Returns how many (array in *lines), or -1
 * and *cause.
 */
int
feedsfile_url_lines(const char *path, const char *url, int **lines,
    char **cause)
{
	struct buf	 in = { NULL, 0, 0 }, w = { NULL, 0, 0 };
	const char	*line, *end, *eol, *p;
	mode_t		 mode;
	int		 lineno = 0, n = 0;

	*lines = NULL;
	if (feedsfile_read(path, &in, &mode, cause) != 0) {
		buf_free(&in);
		return (-1);
	}
	end = in.data + in.len;
	for (line = in.data; line < end; line = eol) {
		lineno++;
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		else
			eol++;
		p = line;
		if (feedsfile_url_word(&p, eol, &w) != 0)
			continue;
		if (feedsfile_url_same(w.data, url)) {
			*lines = xreallocarray(*lines, (size_t)n + 1,
			    sizeof **lines);
			(*lines)[n++] = lineno;
		}
	}
	buf_free(&in);
	buf_free(&w);
	return (n);
}
