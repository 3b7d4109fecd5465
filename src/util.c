/*
 * util.c: small pure helpers shared by feedd and feedctl: a growable
 * buffer, duration/size/integer parsing, trimming, a stable hash.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wctype.h>

#include "feedd.h"

/* Make room for n more bytes plus a NUL. */
void
buf_grow(struct buf *b, size_t n)
{
	size_t	need;

	if (SIZE_MAX - b->len < n + 1)
		fatalx("buf_grow: overflow");
	need = b->len + n + 1;
	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->data = xrealloc(b->data, b->cap);
}

/* Append len bytes. */
void
buf_add(struct buf *b, const void *p, size_t len)
{
	buf_grow(b, len);
	if (len != 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

/* Append one byte. */
void
buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* Append a string. */
void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Append formatted text. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("buf_printf: bad format");
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Empty the buffer, keeping its memory for reuse. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Release the buffer's memory. */
void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/*
 * Parse a duration: a number with an optional unit s, m, h, d or w (no unit
 * means seconds); several may follow each other ("1h30m").  Returns 0 and
 * the seconds, or -1.
 */
int
util_parse_duration(const char *s, int64_t *out)
{
	int64_t	 total = 0, n, mul;
	char	*end;

	if (s == NULL || *s == '\0')
		return (-1);
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return (-1);
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0)
			return (-1);
		switch (*end) {
		case 's': mul = 1; end++; break;
		case 'm': mul = 60; end++; break;
		case 'h': mul = 3600; end++; break;
		case 'd': mul = 86400; end++; break;
		case 'w': mul = 7 * 86400; end++; break;
		case '\0': mul = 1; break;
		default: return (-1);
		}
		if (n > (INT64_MAX - total) / mul)
			return (-1);
		total += n * mul;
		s = end;
	}
	*out = total;
	return (0);
}

/* Format seconds as the shortest exact duration ("90m" stays "90m"). */
char *
util_format_duration(int64_t secs)
{
	char	*s;

	if (secs != 0 && secs % 86400 == 0)
		xasprintf(&s, "%lldd", (long long)(secs / 86400));
	else if (secs != 0 && secs % 3600 == 0)
		xasprintf(&s, "%lldh", (long long)(secs / 3600));
	else if (secs != 0 && secs % 60 == 0)
		xasprintf(&s, "%lldm", (long long)(secs / 60));
	else
		xasprintf(&s, "%llds", (long long)secs);
	return (s);
}

/* Parse a size: a number with an optional k, M or G (powers of 1024). */
int
util_parse_size(const char *s, int64_t *out)
{
	int64_t	 n, mul = 1;
	char	*end;

	if (s == NULL || !isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0)
		return (-1);
	switch (*end) {
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024 * 1024; end++; break;
	case 'g': case 'G': mul = 1024 * 1024 * 1024; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || n > INT64_MAX / mul)
		return (-1);
	*out = n * mul;
	return (0);
}

/* Parse a whole decimal number within [min, max]. */
int
util_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	long long	 n;
	char		*end;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return (-1);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return (-1);
	*out = n;
	return (0);
}

/* Trim ASCII whitespace at both ends, in place. */
char *
util_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return (s);
}

/* Wall-clock time in unix seconds. */
int64_t
util_now(void)
{
	return ((int64_t)time(NULL));
}

/*
 * FNV-1a, 64 bits: stable across runs and machines, for content hashes
 * that must give the same item the same id on every parse.
 */
uint64_t
util_hash64(const void *p, size_t len, uint64_t h)
{
	const unsigned char *s = p;

	if (h == 0)
		h = 0xcbf29ce484222325ULL;
	while (len-- > 0) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/*
 * Create the parent directories of path, like mkdir -p on dirname, with
 * mode whatever the umask (feedd runs under umask 077).
 */
int
util_mkdir_parents(const char *path, mode_t mode)
{
	char	*copy, *p;

	copy = xstrdup(path);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) == 0)
			(void)chmod(copy, mode);
		else if (errno != EEXIST) {
			free(copy);
			return (-1);
		}
		*p = '/';
	}
	free(copy);
	return (0);
}

/* Is path a name directly in dir? */
int
util_in_dir(const char *path, const char *dir)
{
	size_t	n = strlen(dir);

	return (strncmp(path, dir, n) == 0 && path[n] == '/' &&
	    strchr(path + n + 1, '/') == NULL);
}

/*
 * Check that dir is a directory (not a link to one) of this user with no
 * access for anyone else, creating it (mode 0700) first with create.
 * Returns 0; or -1 with errno (ENOENT: it does not exist) and *cause
 * saying what is wrong, for a directory someone else may control.
 */
int
util_private_dir(const char *dir, int create, char **cause)
{
	struct stat	sb;
	int		saved;

	*cause = NULL;
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		saved = errno;
		xasprintf(cause, "%s: cannot create directory: %s", dir,
		    strerror(saved));
		errno = saved;
		return (-1);
	}
	if (lstat(dir, &sb) != 0) {
		saved = errno;	/* the caller tells ENOENT apart */
		xasprintf(cause, "%s: %s", dir, strerror(saved));
		errno = saved;
		return (-1);
	}
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != getuid() ||
	    (sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		xasprintf(cause, "%s: unsafe: must be a directory of uid %lu "
		    "with mode 0700 (it is %s of uid %lu, mode %04o); remove "
		    "it or use --socket", dir, (unsigned long)getuid(),
		    S_ISDIR(sb.st_mode) ? "a directory" : S_ISLNK(sb.st_mode) ?
		    "a symbolic link" : "not a directory",
		    (unsigned long)sb.st_uid, (unsigned)(sb.st_mode & 07777));
		errno = EPERM;
		return (-1);
	}
	return (0);
}

/*
 * Decode one UTF-8 sequence at s (len bytes available).  Returns its length
 * (1..4) and the code point, or 0 when the bytes are not valid UTF-8
 * (overlong forms, surrogates, beyond U+10FFFF, truncated).
 */
size_t
util_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	uint32_t		 c, min;
	size_t			 n, i;

	if (len == 0)
		return (0);
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return (0);
	if (len < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (n);
}

/*
 * The locale whose case mapping util_fold() uses: glibc's built-in
 * C.UTF-8, whatever the process's own locale is (feedd runs in "C", where
 * towlower() knows only ASCII).  Made once, shared by every thread, never
 * freed.
 */
static locale_t		util_fold_locale;
static pthread_once_t	util_fold_once = PTHREAD_ONCE_INIT;

/* Make util_fold_locale (0 when the C library has no UTF-8 locale). */
static void
util_fold_init(void)
{
	util_fold_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (util_fold_locale == (locale_t)0)
		util_fold_locale = newlocale(LC_CTYPE_MASK, "C.utf8",
		    (locale_t)0);
}

/*
 * Simple case folding of one code point (Unicode CaseFolding.txt, status
 * C and S), as towlower(towupper(c)): lower case, except that letters with
 * two lower forms fold together, final sigma with sigma (ς, σ and Σ
 * match) and long s with s.  Without a UTF-8 locale, ASCII only.
 */
uint32_t
util_fold(uint32_t cp)
{
	pthread_once(&util_fold_once, util_fold_init);
	if (util_fold_locale == (locale_t)0 || cp < 0x80)
		return (cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
	return ((uint32_t)towlower_l(towupper_l((wint_t)cp, util_fold_locale),
	    util_fold_locale));
}

/*
 * Compare a and b (alen and blen bytes of UTF-8) with simple case
 * folding: <0, 0 or >0, an order by folded code point.  A byte that is
 * not valid UTF-8 compares as itself, after every code point.  For
 * titles, which are short: nothing is allocated.
 */
int
util_casecmp(const char *a, size_t alen, const char *b, size_t blen)
{
	uint32_t	ca, cb;
	size_t		na, nb;

	while (alen > 0 && blen > 0) {
		if ((na = util_utf8_decode(a, alen, &ca)) == 0) {
			ca = 0x110000 + (unsigned char)*a;
			na = 1;
		} else
			ca = util_fold(ca);
		if ((nb = util_utf8_decode(b, blen, &cb)) == 0) {
			cb = 0x110000 + (unsigned char)*b;
			nb = 1;
		} else
			cb = util_fold(cb);
		if (ca != cb)
			return (ca < cb ? -1 : 1);
		a += na;
		alen -= na;
		b += nb;
		blen -= nb;
	}
	return (alen > 0 ? 1 : blen > 0 ? -1 : 0);
}
