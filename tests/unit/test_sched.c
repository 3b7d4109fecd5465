/*
 * test_sched.c: the scheduling policy (sched_policy.c) as tables of exact
 * cases: intervals and their bounds, every hint (Cache-Control max-age,
 * Expires, Retry-After in both forms, <ttl>, sy:updatePeriod, skipHours
 * and skipDays), backoff growth and its cap, the jitter's limits, where a
 * restart resumes, how first polls are spread and what a reload pulls in.
 */
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "tap.h"

/* Tuesday 2026-12-01 10:00:00 UTC. */
#define NOW	INT64_C(1796119200)
#define HOUR	INT64_C(3600)
#define DAY	INT64_C(86400)

/* A configuration: interval 1h, min 10m, max 1d, backoff-max 1d. */
static struct config *
conf(void)
{
	struct config	*cfg = config_new();

	cfg->interval = HOUR;
	cfg->min_interval = 600;
	cfg->max_interval = DAY;
	cfg->backoff_max = DAY;
	return (cfg);
}

/* Intervals: every= wins, hints are bounded, the default otherwise. */
static void
test_interval(void)
{
	struct config	*cfg = conf();
	static const struct {
		int64_t		 every, hint, want;
		const char	*what;
	} t[] = {
		{ 0, 0, HOUR, "no every, no hint: the interval" },
		{ 900, 0, 900, "every=15m" },
		{ 900, 7200, 900, "every= wins over the document's hint" },
		{ 30, 0, 30, "every= is not bounded by min-interval" },
		{ 0, 7200, 7200, "a hint of two hours" },
		{ 0, 60, 600, "a short hint is raised to min-interval" },
		{ 0, 7 * DAY, DAY, "a long hint is lowered to max-interval" },
		{ 0, 600, 600, "a hint at min-interval" },
		{ 0, DAY, DAY, "a hint at max-interval" },
	};
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		tap_is_int(sched_interval(cfg, t[i].every, t[i].hint),
		    t[i].want, t[i].what);

	cfg->interval = 0;
	tap_is_int(sched_interval(cfg, 0, 0), FEEDD_INTERVAL,
	    "interval unset: the built-in default");
	cfg->min_interval = cfg->max_interval = 0;
	tap_is_int(sched_interval(cfg, 0, 30), 30,
	    "no bounds configured: the hint as it is");
	config_free(cfg);
}

/* The document's hints: <ttl> and sy:updatePeriod, the larger wins. */
static void
test_doc_hint(void)
{
	struct feed_meta	m;

	memset(&m, 0, sizeof m);
	tap_is_int(sched_doc_hint(&m), 0, "no ttl, no updatePeriod: no hint");
	m.ttl = 7200;
	tap_is_int(sched_doc_hint(&m), 7200, "<ttl>120</ttl>: two hours");
	m.update_period = 43200;
	tap_is_int(sched_doc_hint(&m), 43200,
	    "sy:updatePeriod longer than ttl wins");
	m.ttl = DAY;
	tap_is_int(sched_doc_hint(&m), DAY,
	    "ttl longer than updatePeriod wins");
	m.ttl = 0;
	m.update_period = 3600;
	tap_is_int(sched_doc_hint(&m), 3600, "sy:updatePeriod alone");
}

/* Cache-Control max-age in the forms servers send. */
static void
test_max_age(void)
{
	static const struct {
		const char	*v;
		int64_t		 want;
	} t[] = {
		{ "max-age=600", 600 },
		{ "public, max-age=600", 600 },
		{ "max-age=600, must-revalidate", 600 },
		{ "max-age = 600", 600 },
		{ "max-age=\"600\"", 600 },
		{ "public,max-age=60", 60 },
		{ "\tmax-age=60", 60 },
		{ "max-age=0", 0 },
		{ "no-cache", -1 },
		{ "s-maxage=600", -1 },
		{ "s-max-age=600", -1 },
		{ "max-age", -1 },
		{ "max-age=", -1 },
		{ "max-age=abc", -1 },
		{ "", -1 },
	};
	char		 what[96];
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(what, sizeof what, "max-age of \"%s\"", t[i].v);
		tap_is_int(sched_max_age(t[i].v), t[i].want, what);
	}
	tap_is_int(sched_max_age(NULL), -1, "no Cache-Control");
	tap_ok(sched_max_age("max-age=99999999999999999999") >= INT32_MAX,
	    "a huge max-age stops growing (and is capped later)");
}

/* Retry-After: seconds, or an HTTP date. */
static void
test_retry_after(void)
{
	tap_is_int(sched_retry_after("120", NOW), NOW + 120,
	    "Retry-After in seconds");
	tap_is_int(sched_retry_after("0", NOW), NOW, "Retry-After: 0");
	tap_is_int(sched_retry_after("Tue, 01 Dec 2026 12:00:00 GMT", NOW),
	    NOW + 2 * HOUR, "Retry-After as an HTTP date");
	tap_is_int(sched_retry_after("Tuesday, 01-Dec-26 12:00:00 GMT", NOW),
	    NOW + 2 * HOUR, "Retry-After as an RFC 850 date");
	tap_is_int(sched_retry_after("soon", NOW), 0, "unreadable: none");
	tap_is_int(sched_retry_after("-5", NOW), 0, "negative: none");
	tap_is_int(sched_retry_after(NULL, NOW), 0, "absent: none");
}

/* The server's hold: max-age, else Expires; Retry-After on 429/503. */
static void
test_hold(void)
{
	struct config	*cfg = conf();
	const char	*in2h = "Tue, 01 Dec 2026 12:00:00 GMT";
	const char	*in3d = "Fri, 04 Dec 2026 10:00:00 GMT";
	const char	*past = "Mon, 30 Nov 2026 10:00:00 GMT";

	tap_is_int(sched_hold(cfg, 200, NULL, NULL, NULL, NOW), 0,
	    "no hints: no hold");
	tap_is_int(sched_hold(cfg, 200, "max-age=600", NULL, NULL, NOW),
	    NOW + 600, "max-age=600: ten minutes");
	tap_is_int(sched_hold(cfg, 304, "max-age=600", NULL, NULL, NOW),
	    NOW + 600, "max-age holds after a 304 too");
	tap_is_int(sched_hold(cfg, 200, "max-age=864000", NULL, NULL, NOW),
	    NOW + DAY, "max-age is capped at max-interval");
	tap_is_int(sched_hold(cfg, 200, NULL, in2h, NULL, NOW), NOW + 2 * HOUR,
	    "Expires in two hours");
	tap_is_int(sched_hold(cfg, 200, NULL, in3d, NULL, NOW), NOW + DAY,
	    "Expires is capped at max-interval");
	tap_is_int(sched_hold(cfg, 200, NULL, past, NULL, NOW), 0,
	    "an Expires in the past holds nothing");
	tap_is_int(sched_hold(cfg, 200, NULL, "0", NULL, NOW), 0,
	    "an invalid Expires holds nothing");
	tap_is_int(sched_hold(cfg, 200, "max-age=600", in2h, NULL, NOW),
	    NOW + 600, "max-age wins over Expires");
	tap_is_int(sched_hold(cfg, 200, "max-age=0", in2h, NULL, NOW), 0,
	    "max-age=0 holds nothing, Expires or not");
	tap_is_int(sched_hold(cfg, 200, "no-cache", in2h, NULL, NOW),
	    NOW + 2 * HOUR, "Cache-Control without max-age: Expires counts");

	tap_is_int(sched_hold(cfg, 503, NULL, NULL, "120", NOW), NOW + 120,
	    "503 with Retry-After: 120 seconds");
	tap_is_int(sched_hold(cfg, 429, NULL, NULL, in2h, NOW), NOW + 2 * HOUR,
	    "429 with Retry-After as a date");
	tap_is_int(sched_hold(cfg, 200, NULL, NULL, "120", NOW), 0,
	    "Retry-After counts only on 429 and 503");
	tap_is_int(sched_hold(cfg, 500, NULL, NULL, "120", NOW), 0,
	    "not on 500 either");
	tap_is_int(sched_hold(cfg, 503, "max-age=7200", NULL, "120", NOW),
	    NOW + 120, "on 503 Retry-After wins over max-age");
	tap_is_int(sched_hold(cfg, 503, NULL, NULL, "0", NOW), 0,
	    "Retry-After: 0 holds nothing");
	tap_is_int(sched_hold(cfg, 503, NULL, NULL, "864000", NOW), NOW + DAY,
	    "Retry-After is capped (backoff-max = max-interval = 1d)");
	cfg->backoff_max = 3 * DAY;
	tap_is_int(sched_hold(cfg, 503, NULL, NULL, "864000", NOW),
	    NOW + 3 * DAY, "Retry-After may wait up to backoff-max");
	cfg->backoff_max = HOUR;
	tap_is_int(sched_hold(cfg, 503, NULL, NULL, "864000", NOW), NOW + DAY,
	    "but always up to max-interval");
	config_free(cfg);
}

/* Backoff: doubling from the interval, capped, jittered by +-10%. */
static void
test_backoff(void)
{
	struct config	*cfg = conf();
	int64_t		 want;
	int		 e;
	char		 what[64];

	want = HOUR;
	for (e = 1; e <= 6; e++) {
		snprintf(what, sizeof what, "error %d: %lld s", e,
		    (long long)want);
		tap_is_int(sched_backoff(cfg, HOUR, e, 0.5), want, what);
		want = want * 2 < DAY ? want * 2 : DAY;
	}
	tap_is_int(sched_backoff(cfg, HOUR, 50, 0.5), DAY,
	    "fifty errors: still backoff-max");
	tap_is_int(sched_backoff(cfg, HOUR, 1000000, 0.5), DAY,
	    "a million errors: no overflow");
	tap_is_int(sched_backoff(cfg, HOUR, 1, 0.), 3240,
	    "jitter low end: 0.9 of the wait");
	tap_is_int(sched_backoff(cfg, HOUR, 1, 1.), 3960,
	    "jitter high end: 1.1 of the wait");
	tap_is_int(sched_backoff(cfg, HOUR, 1, -3.), 3240,
	    "a random number below 0 is taken as 0");
	tap_is_int(sched_backoff(cfg, HOUR, 1, 7.), 3960,
	    "a random number above 1 is taken as 1");
	tap_is_int(sched_backoff(cfg, HOUR, 10, 1.), (int64_t)(DAY * 1.1),
	    "the jitter applies at the cap too");
	tap_is_int(sched_backoff(cfg, 1, 1, 0.), 1, "never below a second");
	cfg->backoff_max = 0;
	tap_is_int(sched_backoff(cfg, HOUR, 30, 0.5), FEEDD_BACKOFF_MAX,
	    "backoff-max unset: the built-in cap");
	config_free(cfg);
}

/* skipHours and skipDays (UTC). */
static void
test_skip(void)
{
	/* NOW is 10:00 UTC on a Tuesday (weekday 2). */
	tap_is_int(sched_skip(0, 0, NOW), NOW, "nothing skipped");
	tap_is_int(sched_skip(1U << 9, 0, NOW), NOW, "another hour skipped");
	tap_is_int(sched_skip(1U << 10, 0, NOW + 1800), NOW + HOUR,
	    "inside a skipped hour: the next full hour");
	tap_is_int(sched_skip((1U << 10) | (1U << 11) | (1U << 12), 0, NOW),
	    NOW + 3 * HOUR, "three skipped hours in a row");
	tap_is_int(sched_skip(1U << 2, 0, NOW), NOW, "a skipped day elsewhere");
	tap_is_int(sched_skip(0, 1U << 2, NOW), NOW + 14 * HOUR,
	    "a skipped Tuesday: Wednesday 00:00");
	tap_is_int(sched_skip(0, (1U << 2) | (1U << 3), NOW),
	    NOW + 38 * HOUR, "Tuesday and Wednesday: Thursday 00:00");
	tap_is_int(sched_skip(1U << 0, 1U << 2, NOW), NOW + 15 * HOUR,
	    "skipped day, then the skipped hour 0: Wednesday 01:00");
	tap_is_int(sched_skip(0xffffffU, 0, NOW), NOW,
	    "every hour skipped: the hint is ignored");
	tap_is_int(sched_skip(0, 0x7f, NOW + 5), NOW + 5,
	    "every day skipped: the hint is ignored");
}

/* The next due time after a poll. */
static void
test_next(void)
{
	struct config	*cfg = conf();
	struct sched_in	 in;

	memset(&in, 0, sizeof in);
	tap_is_int(sched_next(cfg, &in, NOW, 0.5), NOW + HOUR,
	    "healthy: the interval");
	in.every = 900;
	tap_is_int(sched_next(cfg, &in, NOW, 0.5), NOW + 900, "every=15m");
	in.every = 0;
	in.hint = 2 * HOUR;
	tap_is_int(sched_next(cfg, &in, NOW, 0.5), NOW + 2 * HOUR,
	    "the document's hint");
	in.hint = 2 * HOUR;
	in.adaptive = 1;
	tap_is_int(sched_next(cfg, &in, NOW, 0.), NOW + (int64_t)(2 * HOUR * .9),
	    "a posting rate's interval: jitter low");
	tap_is_int(sched_next(cfg, &in, NOW, 1.),
	    NOW + (int64_t)(2 * HOUR * 1.1), "... jitter high");
	in.every = 900;
	tap_is_int(sched_next(cfg, &in, NOW, 0.), NOW + 900,
	    "... every= wins, without jitter");
	in.every = 0;
	in.adaptive = 0;
	in.hint = 0;
	in.skip_hours = 1U << 11;
	tap_is_int(sched_next(cfg, &in, NOW, 0.5), NOW + 2 * HOUR,
	    "due in a skipped hour: the hour after");
	in.errors = 1;
	tap_is_int(sched_next(cfg, &in, NOW, 0.5), NOW + HOUR,
	    "failing: skipHours do not apply to retries");
	in.skip_hours = 0;
	in.errors = 3;
	tap_is_int(sched_next(cfg, &in, NOW, 0.),
	    NOW + (int64_t)(4 * HOUR * .9),
	    "third error: four intervals, jitter low");
	in.errors = 0;
	in.hold_until = NOW + 5 * HOUR;
	tap_is_int(sched_next(cfg, &in, NOW, 0.5), NOW + 5 * HOUR,
	    "a server's hold is never cut short");
	in.hold_until = NOW + 60;
	tap_is_int(sched_next(cfg, &in, NOW, 0.5), NOW + HOUR,
	    "a shorter hold does not bring the poll forward");
	in.gone = 1;
	tap_is_int(sched_next(cfg, &in, NOW, 0.5), 0, "gone: never again");
	config_free(cfg);
}

/* Restart: where the stored due time is honoured; spread; reload. */
static void
test_resume(void)
{
	struct config	*cfg = conf();
	struct sched_in	 in;
	size_t		 k;
	int		 spread_ok = 1;

	memset(&in, 0, sizeof in);
	tap_is_int(sched_resume(cfg, &in, 0, NOW), 0, "never polled: overdue");
	tap_is_int(sched_resume(cfg, &in, NOW - 5, NOW), 0, "due: overdue");
	tap_is_int(sched_resume(cfg, &in, NOW + 600, NOW), NOW + 600,
	    "due later: honoured");
	tap_is_int(sched_resume(cfg, &in, NOW + 10 * DAY, NOW), NOW + DAY,
	    "far future: within backoff-max");
	in.every = 2 * DAY;
	tap_is_int(sched_resume(cfg, &in, NOW + 10 * DAY, NOW), NOW + 2 * DAY,
	    "far future: within a longer interval");
	in.every = 0;
	in.hold_until = NOW + 2 * DAY;
	tap_is_int(sched_resume(cfg, &in, NOW + 10 * DAY, NOW), NOW + 2 * DAY,
	    "not before a server's hold");

	for (k = 0; k < 10; k++) {
		if (sched_spread(cfg, k, 10, NOW) != NOW + (int64_t)(12 * k))
			spread_ok = 0;
	}
	tap_ok(spread_ok, "ten overdue feeds: one every 12 s over 2 minutes");
	cfg->interval = 60;
	tap_is_int(sched_spread(cfg, 1, 2, NOW), NOW + 30,
	    "a short interval spreads over the interval");
	tap_is_int(sched_spread(cfg, 0, 0, NOW), NOW, "no feeds: now");
	cfg->interval = HOUR;

	memset(&in, 0, sizeof in);
	in.every = 600;
	tap_is_int(sched_rearm(cfg, &in, NOW + HOUR, NOW), NOW + 600,
	    "reload, shorter interval: pulled in");
	tap_is_int(sched_rearm(cfg, &in, NOW + 300, NOW), NOW + 300,
	    "already due sooner: kept");
	in.errors = 2;
	tap_is_int(sched_rearm(cfg, &in, NOW + HOUR, NOW), NOW + HOUR,
	    "a failing feed keeps its backoff");
	in.errors = 0;
	in.hold_until = NOW + 1800;
	tap_is_int(sched_rearm(cfg, &in, NOW + HOUR, NOW), NOW + HOUR,
	    "a server's hold beyond the new interval: kept");
	config_free(cfg);
}

/*
 * Adaptive intervals over a simulated week, with a clock the test advances:
 * a busy feed posting every 10 minutes and a quiet one posting every 3
 * days, each polled at its current interval, its document the newest 20
 * of its posts.  Each interval moves from the default (1 h here) toward
 * half the posting gap (5 min, raised to min-interval 10 min; 36 h,
 * capped at max-interval 24 h), a quarter of the way a poll, and never
 * leaves min-interval..max-interval.
 */
static void
test_adapt(void)
{
	struct config	*cfg = conf();
	int64_t		 t0 = 1700000000, now, busy = 0, quiet = 0, docs[20];
	int64_t		 first_busy = 0, first_quiet = 0;
	size_t		 i;
	int		 inside = 1, polls = 0;

	/* Busy: every poll sees the 20 posts before it. */
	for (now = t0; now < t0 + 7 * 86400 && polls < 10000; polls++) {
		for (i = 0; i < 20; i++)
			docs[i] = now - (now % 600) - (int64_t)i * 600;
		busy = sched_adapt(cfg, busy, docs, 20, now);
		if (first_busy == 0)
			first_busy = busy;
		if (busy < cfg->min_interval || busy > cfg->max_interval)
			inside = 0;
		now += busy;
	}
	tap_is_int(first_busy, 3600 - (3600 - 600) / 4,
	    "busy: the first step a quarter of the way (1 h -> 47.5 min)");
	tap_is_int(busy, 600, "busy: after a week, min-interval (10 min)");
	polls = 0;
	for (now = t0; now < t0 + 7 * 86400 && polls < 10000; polls++) {
		for (i = 0; i < 20; i++)
			docs[i] = now - (now % (3 * 86400)) -
			    (int64_t)i * 3 * 86400;
		quiet = sched_adapt(cfg, quiet, docs, 20, now);
		if (first_quiet == 0)
			first_quiet = quiet;
		if (quiet < cfg->min_interval || quiet > cfg->max_interval)
			inside = 0;
		now += quiet;
	}
	tap_is_int(first_quiet, 3600 + (86400 - 3600) / 4,
	    "quiet: the first step a quarter of the way (1 h -> 6.75 h)");
	tap_ok(quiet > 86400 * 9 / 10 && quiet <= 86400,
	    "quiet: after a week, within a tenth of max-interval (24 h)");
	tap_ok(polls < 20, "quiet: polled far less often than hourly");
	tap_ok(inside, "both stay within min-interval and max-interval");

	/* What says nothing changes nothing. */
	docs[0] = docs[1] = docs[2] = t0;
	tap_is_int(sched_adapt(cfg, 4000, docs, 3, t0), 4000,
	    "equal dates (a build time on every item): unchanged");
	docs[0] = t0 + 30 * 86400;
	docs[1] = t0 + 40 * 86400;
	docs[2] = t0 + 50 * 86400;
	tap_is_int(sched_adapt(cfg, 4000, docs, 3, t0), 4000,
	    "dates in the future: unchanged");
	docs[0] = DATE_NONE;
	tap_is_int(sched_adapt(cfg, 0, docs, 1, t0), 0,
	    "no dates: no adaptive interval");
	config_free(cfg);
}

int
main(void)
{
	log_init("test_sched", 3, -1);
	test_adapt();
	test_interval();
	test_doc_hint();
	test_max_age();
	test_retry_after();
	test_hold();
	test_backoff();
	test_skip();
	test_next();
	test_resume();
	return (tap_done());
}
