/*
 * fuzz.h: helpers shared by the libFuzzer targets in fuzz/: a strict UTF-8
 * check, a check for terminal control characters, quiet logging, and a
 * small deterministic generator for choices derived from the input.
 *
 * Properties are asserted with fuzz_fail(), which prints what broke and
 * aborts, so libFuzzer records the input as a crash.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "feedd.h"

/* The entry points libFuzzer calls. */
int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Print why a property failed and abort (a libFuzzer crash). */
static inline __dead void __printflike(1, 2)
fuzz_fail(const char *fmt, ...)
{
	va_list	ap;

	fputs("FUZZ PROPERTY FAILED: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/*
 * Is s (len bytes) strict UTF-8: no overlong forms, no surrogates, nothing
 * above U+10FFFF, no NUL?  Returns the offset of the first bad byte, or
 * len when all is well.
 */
static inline size_t
fuzz_utf8_bad(const char *s0, size_t len)
{
	const unsigned char	*s = (const unsigned char *)s0;
	size_t			 i = 0, n, j;
	uint32_t		 cp;

	while (i < len) {
		if (s[i] == 0)
			return (i);
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return (i);
		if (len - i <= n)
			return (i);
		for (j = 1; j <= n; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return (i);
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (i);
		i += n + 1;
	}
	return (len);
}

/*
 * Offset of the first terminal control in UTF-8 text s (C0 or DEL other
 * than the bytes in keep, or a C1 U+0080-U+009F), or len when there is
 * none.
 */
static inline size_t
fuzz_control_at(const char *s0, size_t len, const char *keep)
{
	const unsigned char	*s = (const unsigned char *)s0;
	size_t			 i;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 && (s[i] == 0 || strchr(keep, s[i]) == NULL))
			return (i);
		if (s[i] == 0x7f && strchr(keep, 0x7f) == NULL)
			return (i);
		if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 &&
		    s[i + 1] <= 0x9f)
			return (i);
	}
	return (len);
}

/*
 * Check a NUL-terminated string (NULL is fine) is strict UTF-8, unless
 * FUZZ_NO_UTF8 is set (to look past a known bug while it is being fixed).
 */
static inline void
fuzz_check_utf8(const char *what, const char *s)
{
	size_t	len, at;

	if (s == NULL || getenv("FUZZ_NO_UTF8") != NULL)
		return;
	len = strlen(s);
	if ((at = fuzz_utf8_bad(s, len)) != len)
		fuzz_fail("%s: invalid UTF-8 at byte %zu of %zu", what, at,
		    len);
}

/* A small deterministic generator (xorshift64*), seeded from the input. */
static inline uint64_t
fuzz_rand(uint64_t *state)
{
	uint64_t	x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (x * 0x2545f4914f6cdd1dULL);
}

/* Keep the libraries' logging out of the fuzzer's output. */
static inline void
fuzz_quiet(void)
{
	log_init("fuzz", getenv("FUZZ_VERBOSE") != NULL ? LOG_DEBUG :
	    LOG_EMERG, 0);
}

#endif /* FUZZ_H */
