/*
 * tap.h: a minimal TAP producer for the unit tests.  Each check prints
 * "ok N - what" or "not ok N - what" with the values on a failure, and
 * tap_done() prints the plan.  automake's tap-driver.sh counts them.
 */
#ifndef TAP_H
#define TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int
tap_ok(int cond, const char *what)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, what);
	if (!cond)
		tap_failed++;
	return (cond);
}

static inline int
tap_is_str(const char *got, const char *want, const char *what)
{
	int	same;

	same = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);
	if (!tap_ok(same, what))
		printf("#   got:  %s%s%s\n#   want: %s%s%s\n",
		    got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
		    want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
	return (same);
}

static inline int
tap_is_int(int64_t got, int64_t want, const char *what)
{
	if (!tap_ok(got == want, what))
		printf("#   got:  %" PRId64 "\n#   want: %" PRId64 "\n",
		    got, want);
	return (got == want);
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return (tap_failed != 0);
}

#endif
