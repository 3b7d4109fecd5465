/*
 * sched_policy.c: when a feed is polled next, as pure functions.
 *
 * sched.c runs the schedule (timers, host queues, dispatch); this file
 * decides the times, from the configuration and a feed's state only: the
 * interval (every=, else the document's hint within min-interval and
 * max-interval, else the default), the server's hints (Cache-Control
 * max-age, Expires, Retry-After on 429 and 503), the document's hints
 * (<ttl>, sy:updatePeriod, skipHours and skipDays), exponential backoff with
 * jitter after errors, where a restart resumes, and how first polls are
 * spread.  No clock, no randomness, no global: the caller passes the time
 * and a random number in [0, 1], so tests/unit/test_sched.c can pin every
 * rule down exactly.
 *
 * Times are unix seconds (they are persisted in the store); durations are
 * seconds.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"

#define SCHED_JITTER		0.1	/* backoff varies by +-10% */
#define SCHED_ADAPT_MAX		32	/* item dates an adaptation reads */
#define SCHED_ADAPT_STEP	4	/* it moves 1/4 of the way a time */
#define SCHED_SPREAD_MAX	120	/* first polls spread over 2 min */

/* cfg->backoff_max, else the default. */
static int64_t
sched_backoff_cap(const struct config *cfg)
{
	return (cfg->backoff_max > 0 ? cfg->backoff_max : FEEDD_BACKOFF_MAX);
}

/* cfg->max_interval, else the default. */
static int64_t
sched_max_interval(const struct config *cfg)
{
	return (cfg->max_interval > 0 ? cfg->max_interval :
	    FEEDD_MAX_INTERVAL);
}

/*
 * A feed's interval: every= wins; else the document's hint (ttl or
 * sy:updatePeriod) kept within min-interval and max-interval; else the
 * configured interval.
 */
int64_t
sched_interval(const struct config *cfg, int64_t every, int64_t hint)
{
	int64_t	iv;

	if (every > 0)
		return (every);
	iv = cfg->interval > 0 ? cfg->interval : FEEDD_INTERVAL;
	if (hint > 0) {
		iv = hint;
		if (cfg->min_interval > 0 && iv < cfg->min_interval)
			iv = cfg->min_interval;
		if (cfg->max_interval > 0 && iv > cfg->max_interval)
			iv = cfg->max_interval;
	}
	return (iv);
}

static int
sched_cmp_desc(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? 1 : x > y ? -1 : 0);
}

/*
 * A feed's adaptive interval after a parsed document whose items have
 * dates[n] (DATE_NONE for none): half the median gap between its items
 * (the newest SCHED_ADAPT_MAX of them, none later than a day from now,
 * equal dates counted once), within min-interval and max-interval,
 * reached a quarter of the way at a time from current (0: the default
 * interval).  Fewer than three distinct dates say nothing: current
 * stays.  Used when neither every= nor a server hint says otherwise.
 */
int64_t
sched_adapt(const struct config *cfg, int64_t current, const int64_t *dates,
    size_t n, int64_t now)
{
	int64_t	*d, gaps[SCHED_ADAPT_MAX], target, lo, hi, step;
	size_t	 i, k = 0, m = 0;

	d = xreallocarray(NULL, n > 0 ? n : 1, sizeof *d);
	for (i = 0; i < n; i++)
		if (dates[i] != DATE_NONE && dates[i] > 0 &&
		    dates[i] <= now + 86400)
			d[k++] = dates[i];
	qsort(d, k, sizeof *d, sched_cmp_desc);
	if (k > SCHED_ADAPT_MAX)
		k = SCHED_ADAPT_MAX;
	for (i = 1; i < k; i++)
		if (d[i - 1] > d[i])
			gaps[m++] = d[i - 1] - d[i];
	free(d);
	if (m < 2)
		return (current);
	qsort(gaps, m, sizeof *gaps, sched_cmp_desc);
	target = gaps[m / 2] / 2;
	lo = cfg->min_interval > 0 ? cfg->min_interval : FEEDD_MIN_INTERVAL;
	hi = sched_max_interval(cfg);
	if (target < lo)
		target = lo;
	if (target > hi)
		target = hi;
	if (current <= 0)
		current = cfg->interval > 0 ? cfg->interval : FEEDD_INTERVAL;
	step = (target - current) / SCHED_ADAPT_STEP;
	if (step == 0)
		return (target);
	return (current + step);
}

/* The document's own hint: the larger of <ttl> and sy:updatePeriod. */
int64_t
sched_doc_hint(const struct feed_meta *meta)
{
	int64_t	hint = 0;

	if (meta->ttl > 0)
		hint = meta->ttl;
	if (meta->update_period > hint)
		hint = meta->update_period;
	return (hint);
}

/*
 * Cache-Control's max-age in seconds (a directive of its own, so not
 * s-maxage), or -1 when there is none or it is malformed.
 */
int64_t
sched_max_age(const char *v)
{
	const char	*p;
	int64_t		 n = 0;

	if (v == NULL)
		return (-1);
	for (p = v; (p = strstr(p, "max-age")) != NULL; p += 7) {
		if (p != v && p[-1] != ' ' && p[-1] != ',' && p[-1] != '\t')
			continue;
		p += 7;
		while (*p == ' ')
			p++;
		if (*p++ != '=')
			return (-1);
		while (*p == ' ' || *p == '"')
			p++;
		if (!isdigit((unsigned char)*p))
			return (-1);
		while (isdigit((unsigned char)*p) && n < INT32_MAX)
			n = n * 10 + (*p++ - '0');
		return (n);
	}
	return (-1);
}

/*
 * A Retry-After value, seconds from now or an HTTP date, as a unix time;
 * 0 when absent or unreadable.
 */
int64_t
sched_retry_after(const char *v, int64_t now)
{
	int64_t	t;

	if (v == NULL)
		return (0);
	if (util_parse_int(v, 0, INT32_MAX, &t) == 0)
		return (now + t);
	if (date_parse_http(v, &t) == 0)
		return (t);
	return (0);
}

/*
 * Until when the server asked us to wait, from the header values of its
 * last response (NULL when absent) and its status: max-age, else a future
 * Expires, both within max-interval; on 429 and 503 a Retry-After, within
 * the larger of backoff-max and max-interval.  0: no hold.
 */
int64_t
sched_hold(const struct config *cfg, int status, const char *cache_control,
    const char *expires, const char *retry_after, int64_t now)
{
	int64_t	 cap = sched_max_interval(cfg), hold = 0, age, t;

	age = sched_max_age(cache_control);
	if (age > 0)
		hold = now + (age < cap ? age : cap);
	else if (age < 0 && expires != NULL &&
	    date_parse_http(expires, &t) == 0 && t > now)
		hold = t < now + cap ? t : now + cap;
	if ((status == 429 || status == 503) &&
	    (t = sched_retry_after(retry_after, now)) > now) {
		if (cfg->backoff_max > cap)
			cap = cfg->backoff_max;
		hold = t < now + cap ? t : now + cap;
	}
	return (hold);
}

/* The jitter factor for r in [0, 1]: 1 - SCHED_JITTER .. 1 + SCHED_JITTER. */
static double
sched_jitter(double r)
{
	if (r < 0.)
		r = 0.;
	if (r > 1.)
		r = 1.;
	return (1. - SCHED_JITTER + 2. * SCHED_JITTER * r);
}

/*
 * The wait after the errors-th failed poll in a row: the interval doubled
 * for each error after the first, at most backoff-max, varied by the
 * jitter (r in [0, 1]); at least a second.
 */
int64_t
sched_backoff(const struct config *cfg, int64_t iv, int errors, double r)
{
	int64_t	cap = sched_backoff_cap(cfg), delay = iv;
	int	shift;

	shift = errors - 1 > 20 ? 20 : errors - 1;
	while (shift-- > 0 && delay < cap)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	delay = (int64_t)((double)delay * sched_jitter(r));
	return (delay < 1 ? 1 : delay);
}

/*
 * Push t past the hours (bit h: hour h UTC) and weekdays (bit d: day d,
 * 0 = Sunday) the document asked to skip; t itself when none apply, or
 * when every hour of the week is skipped (the hint is then ignored).
 */
int64_t
sched_skip(uint32_t hours, uint8_t days, int64_t t)
{
	int64_t	u = t;
	int	i, hour, wday;

	if (hours == 0 && days == 0)
		return (t);
	for (i = 0; i < 8 * 24; i++) {
		hour = (int)((u / 3600) % 24);
		wday = (int)(((u / 86400) + 4) % 7);	/* 1970-01-01: Thu */
		if (!(hours & (1U << hour)) && !(days & (1U << wday)))
			return (u);
		u = (u / 3600 + 1) * 3600;
	}
	return (t);
}

/*
 * The next due time of a feed polled at now, whose state after the poll
 * is in, with r in [0, 1] for the jitter; 0 when it is gone (not polled
 * again).  A healthy feed waits its interval (past the skipped hours and
 * days), a failing one backs off; a server's hold is never cut short.
 */
int64_t
sched_next(const struct config *cfg, const struct sched_in *in, int64_t now,
    double r)
{
	int64_t	iv, due;

	if (in->gone)
		return (0);
	iv = sched_interval(cfg, in->every, in->hint);
	/* A posting rate's interval varies by +-10%, as backoff does. */
	if (in->adaptive && in->every <= 0)
		iv = (int64_t)((double)iv * (1. + SCHED_JITTER * (2. * r - 1.)));
	if (in->errors > 0)
		due = now + sched_backoff(cfg, iv, in->errors, r);
	else
		due = sched_skip(in->skip_hours, in->skip_days, now + iv);
	if (in->hold_until > due)
		due = in->hold_until;
	return (due);
}

/*
 * Where a feed resumes when the daemon starts, from the due time its row
 * kept: honoured within the longer of its interval and backoff-max, and
 * never before a server's hold.  0: overdue, poll it soon (spread).
 */
int64_t
sched_resume(const struct config *cfg, const struct sched_in *in,
    int64_t next_fetch, int64_t now)
{
	int64_t	cap, due;

	if (next_fetch <= now)
		return (0);
	cap = sched_interval(cfg, in->every, in->hint);
	if (cap < sched_backoff_cap(cfg))
		cap = sched_backoff_cap(cfg);
	due = next_fetch < now + cap ? next_fetch : now + cap;
	if (in->hold_until > due)
		due = in->hold_until;
	return (due);
}

/*
 * The due time of the k-th of n overdue feeds at start: spread evenly over
 * the interval, at most two minutes, so that a restart does not poll
 * everything at once.
 */
int64_t
sched_spread(const struct config *cfg, size_t k, size_t n, int64_t now)
{
	int64_t	window = cfg->interval > 0 ? cfg->interval : FEEDD_INTERVAL;

	if (window > SCHED_SPREAD_MAX)
		window = SCHED_SPREAD_MAX;
	if (n == 0)
		return (now);
	return (now + (int64_t)((double)window * (double)k / (double)n));
}

/*
 * A reload changed a healthy, idle feed's options: a shorter interval
 * pulls its due time in (to now + interval), unless a server's hold says
 * later.  Returns the due time to keep.
 */
int64_t
sched_rearm(const struct config *cfg, const struct sched_in *in,
    int64_t due, int64_t now)
{
	int64_t	iv = sched_interval(cfg, in->every, in->hint);

	if (in->errors == 0 && due > now + iv && in->hold_until <= now + iv)
		return (now + iv);
	return (due);
}
