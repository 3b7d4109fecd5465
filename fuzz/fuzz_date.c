/*
 * fuzz_date.c: libFuzzer target for date.c.  The input, cut at its first
 * NUL, is a date string given to date_parse() and date_parse_http().
 * Properties checked:
 * - a date that parses lies within years 1..9999, where
 *   date_format_rfc3339() must format it, and the RFC 3339 text must
 *   parse back to the same second (with both parsers);
 *   (except 0001-01-01T00:00:00Z, which date.c rejects on purpose);
 * - a failed parse leaves the result alone;
 * - for the first eight bytes taken as seconds (folded into 1..9999),
 *   format and parse round-trip too, so every second of the range is
 *   reachable and not only those some string spells.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "fuzz.h"

#define FUZZ_DATE_MIN	(-62135596800LL)	/* 0001-01-01T00:00:00Z */
#define FUZZ_DATE_MAX	(253402300799LL)	/* 9999-12-31T23:59:59Z */
#define FUZZ_MAX_INPUT	4096

/* t must format, and the text must parse back to t with both parsers. */
static void
fuzz_roundtrip(const char *what, const char *input, int64_t t)
{
	char	out[64];
	int64_t	back;
	size_t	n;

	if (t < FUZZ_DATE_MIN || t > FUZZ_DATE_MAX)
		fuzz_fail("%s(\"%s\") = %lld, outside years 1..9999", what,
		    input, (long long)t);
	n = date_format_rfc3339(t, out, sizeof out);
	if (n != 20 || strlen(out) != 20)
		fuzz_fail("%s(\"%s\") = %lld does not format", what, input,
		    (long long)t);
	if (t == FUZZ_DATE_MIN)
		return;		/* the "zero time" placeholder: no date */
	back = 42;
	if (date_parse(out, &back) != 0)
		fuzz_fail("%s(\"%s\") = %lld formats as \"%s\", which "
		    "date_parse rejects", what, input, (long long)t, out);
	if (back != t)
		fuzz_fail("%s(\"%s\") = %lld formats as \"%s\", which "
		    "date_parse reads as %lld", what, input, (long long)t, out,
		    (long long)back);
	back = 42;
	if (date_parse_http(out, &back) != 0 || back != t)
		fuzz_fail("%s(\"%s\") = %lld formats as \"%s\", which "
		    "date_parse_http reads as %lld", what, input,
		    (long long)t, out, (long long)back);
	if (date_format_rfc3339(t, out, 20) != 0)
		fuzz_fail("date_format_rfc3339 wrote into a 20-byte buffer");
}

/* Quiet the logs once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

/* One input: parse it both ways; round-trip what parses. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s;
	int64_t		 t;
	uint64_t	 u;
	const int64_t	 span = FUZZ_DATE_MAX - FUZZ_DATE_MIN + 1;

	if (size > FUZZ_MAX_INPUT)
		return (-1);
	s = xstrndup((const char *)data, size);

	t = DATE_NONE;
	if (date_parse(s, &t) == 0)
		fuzz_roundtrip("date_parse", s, t);
	else if (t != DATE_NONE)
		fuzz_fail("date_parse(\"%s\") failed but set %lld", s,
		    (long long)t);
	t = DATE_NONE;
	if (date_parse_http(s, &t) == 0)
		fuzz_roundtrip("date_parse_http", s, t);
	else if (t != DATE_NONE)
		fuzz_fail("date_parse_http(\"%s\") failed but set %lld", s,
		    (long long)t);
	free(s);

	if (size >= 8) {
		memcpy(&u, data, sizeof u);
		t = FUZZ_DATE_MIN + (int64_t)(u % (uint64_t)span);
		fuzz_roundtrip("seconds", "(binary)", t);
	}
	return (0);
}
