/*
 * date_http.c: HTTP dates (Expires, Last-Modified, a Retry-After date).
 *
 * libcurl's curl_getdate() is the reference for what HTTP servers send, so
 * it reads them; date.c's exact reader checks its answers.  This file is
 * the one exception to "only fetch.c sees curl", and it is a file of its
 * own so that only feedd, which fetches, links libcurl.
 */
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>

#include "feedd.h"

/* The range date.c accepts: years 1..9999. */
#define DATE_MIN	(-62135596800LL)
#define DATE_MAX	(253402300799LL)

/*
 * Parse an HTTP date (Expires, Last-Modified, a Retry-After date) into
 * unix seconds.  libcurl's curl_getdate() reads it; date_read() checks the
 * answer, because curl turns Feb 30 into Mar 2, reads two-digit years up
 * to 70 as 20xx (RFC 9110 5.6.7 wants the past for anything more than 50
 * years ahead, which RFC 2822's 00-49 rule gives until 2049) and returns 0
 * for 1969-12-31T23:59:59; where both read the text, date_read() wins.
 * Returns 0, or -1 with *t untouched: RFC 9111 says to treat "0" and other
 * junk in Expires as a time in the past, which is the caller's decision.
 */
int
date_parse_http(const char *s, int64_t *t)
{
	time_t	v;
	int64_t	mine;
	int	rc;

	if (s == NULL || *s == '\0')
		return (-1);
	v = curl_getdate(s, NULL);
	rc = date_parse_exact(s, &mine);
	if (rc == 0) {
		*t = mine;
		return (0);
	}
	if (rc == -2 || v == -1 || (int64_t)v < DATE_MIN ||
	    (int64_t)v > DATE_MAX)
		return (-1);
	*t = (int64_t)v;
	return (0);
}

