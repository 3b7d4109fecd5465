/*
 * date.c: feed dates to unix seconds (UTC) and back.
 *
 * date_parse() reads what feeds really carry: RFC 822/1123/2822 dates and
 * their deviations (missing weekday or seconds, one-digit days, two- and
 * three-digit years, named zones, "(PST)" comments, full or odd names such
 * as "Tues" and "Sept", misplaced commas and dots), RFC 850 and asctime
 * dates, ISO 8601 / RFC 3339 / W3C-DTF, and "October 3, 2017" style.  It
 * never depends on the process time zone or locale: the arithmetic is the
 * proleptic Gregorian days_from_civil(), so no mktime, timegm or strptime.
 *
 * Decisions (see the table in tests/unit/test_date.c):
 * - No zone means UTC.  Military one-letter zones other than Z are
 *   ambiguous (RFC 1123 5.2.14 says RFC 822 got their signs wrong), so
 *   like most parsers they count as +0000.  An unknown zone (three to
 *   five capitals after the time) also counts as +0000: the date is real,
 *   only the hour may be off, and that beats no date at all.  Other
 *   unknown words make the text no date.
 * - "24:00" or "24:00:00" is the end of the day (ISO 8601): the next day's
 *   midnight.  Any other hour above 23 is rejected.  Second 60 (a leap
 *   second) becomes 59.
 * - Two-digit years follow RFC 2822 4.3: 00-49 are 20xx, 50-99 are 19xx,
 *   and three-digit years (printed tm_year) add 1900.
 * - The Go/.NET "zero time" 0001-01-01T00:00:00Z is a placeholder for "no
 *   date" in many generated feeds, so it is rejected.
 * - Years outside 1..9999, and fields out of range (month 13, Feb 30,
 *   minute 60), are rejected; nothing is normalised into another date.
 * - The W3C-DTF reduced forms count from the start: "2017-10" is October
 *   1st, "2017" January 1st, "2017-10-03T19" 19:00.  Other lone numbers
 *   ("1507059060", "20171003") are no date.
 * - IANA zone names: "Etc/GMT+5" is exact (POSIX sign, so -0500); places
 *   such as "Europe/Paris" need the tz database and count as +0000.
 * - Localised names, as feedparser reads them: Greek month and weekday
 *   abbreviations ("Κυρ, 11 Ιούλ 2004 12:00:00 EST"), Hungarian months,
 *   also in place of the ISO month number ("2004-július-13T9:15-05:00").
 *   Non-ASCII names match byte for byte (UTF-8; no case folding).
 * - Korean OnBlog ("2004년 05월 28일 01:31:15") and Nate ("2004-05-25
 *   오후 11:23:17") dates carry no zone: they are KST, +0900, as
 *   feedparser assumes.  Nate's 12-hour clock follows the English rule
 *   (오전 12:30 is 00:30, 오후 12:30 is 12:30; hour 0 or 13 is rejected).
 * - The ISO 8601:2000 two-digit-year forms ("031231", "03-12-31", "-0312",
 *   "-03-12", ordinal "03335") are rejected, unlike feedparser: the basic
 *   ones are plain numbers ("12345" would be day 345 of 2012, any six-digit
 *   count or id a date), "-0312" is a negative number, and "03-12-31" or
 *   "-03-12" read the DD-MM-YY and MM-DD-YY dates of the wild as wrong
 *   dates ("05-03-17" would be 2005-03-17).  ISO 8601:2004 dropped them and
 *   RFC 3339 never had them; no date beats a wrong one.
 *
 * HTTP dates (date_parse_http) live in date_http.c, which uses libcurl's
 * curl_getdate(): kept apart so that feedctl, which links this file but
 * never reads HTTP dates, does not load libcurl at every start.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>


#include "feedd.h"

#define DATE_ZERO_TIME	(-62135596800LL)	/* 0001-01-01T00:00:00Z */
#define DATE_MIN	(-62135596800LL)	/* 0001-01-01T00:00:00Z */
#define DATE_MAX	(253402300799LL)	/* 9999-12-31T23:59:59Z */
#define DATE_NITEMS(a)	(sizeof (a) / sizeof (a)[0])

/* ASCII classes: <ctype.h> follows the locale, which must not matter. */
#define DATE_DIGIT(c)	((c) >= '0' && (c) <= '9')
#define DATE_UPPER(c)	((c) >= 'A' && (c) <= 'Z')
#define DATE_ALPHA(c)	(DATE_UPPER(c) || ((c) >= 'a' && (c) <= 'z'))
#define DATE_SPACE(c)	((c) == ' ' || ((c) >= '\t' && (c) <= '\r'))
#define DATE_LOWER(c)	(DATE_UPPER(c) ? (c) - 'A' + 'a' : (c))

/* The fields of one date while it is being read; -1 is "not seen". */
struct date_tm {
	int	year;
	int	mon;		/* 1..12 */
	int	day;		/* 1..31 */
	int	hour;
	int	min;
	int	sec;
	int	off;		/* zone offset east of UTC, minutes */
	int	has_off;
};

/* Named zones, offsets east of UTC in minutes.  IST is India. */
static const struct {
	const char	*name;
	int		 off;
} date_zones[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 }, { "ZULU", 0 },
	{ "WET", 0 }, { "WEST", 60 }, { "BST", 60 }, { "IST", 330 },
	{ "CET", 60 }, { "CEST", 120 }, { "MET", 60 }, { "MEST", 120 },
	{ "MEZ", 60 }, { "MESZ", 120 }, { "EET", 120 }, { "EEST", 180 },
	{ "WAT", 60 }, { "CAT", 120 }, { "EAT", 180 }, { "SAST", 120 },
	{ "MSK", 180 }, { "MSD", 240 }, { "GST", 240 }, { "PKT", 300 },
	{ "ICT", 420 }, { "WIB", 420 }, { "HKT", 480 }, { "SGT", 480 },
	{ "PHT", 480 }, { "AWST", 480 }, { "CST", -360 }, { "JST", 540 },
	{ "KST", 540 }, { "ACST", 570 }, { "ACDT", 630 }, { "AEST", 600 },
	{ "AEDT", 660 }, { "NZST", 720 }, { "NZDT", 780 },
	{ "EST", -300 }, { "EDT", -240 }, { "CDT", -300 }, { "MST", -420 },
	{ "MDT", -360 }, { "PST", -480 }, { "PDT", -420 }, { "AKST", -540 },
	{ "AKDT", -480 }, { "HST", -600 }, { "HAST", -600 }, { "HADT", -540 },
	{ "AST", -240 }, { "ADT", -180 }, { "NST", -210 }, { "NDT", -150 },
	{ "BRT", -180 }, { "ART", -180 },
	/* Generic North American names (Disney's feeds, says feedparser). */
	{ "AT", -240 }, { "ET", -300 }, { "CT", -360 }, { "MT", -420 },
	{ "PT", -480 },
};

/*
 * Month names: English, and the German, French, Greek and Hungarian
 * names that localised servers emit.  A word matches a month when it is
 * a prefix of at least three letters of the full English name ("Sept",
 * "Janu") or equal to an alias (ASCII letters in any case, other UTF-8
 * bytes exactly).
 */
static const char *date_months[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"
};
static const struct {
	const char	*name;
	int		 mon;
} date_month_alias[] = {
	{ "mrz", 3 }, { "m\xc3\xa4r", 3 }, { "mai", 5 }, { "juni", 6 },
	{ "juli", 7 }, { "okt", 10 }, { "dez", 12 }, { "janv", 1 },
	{ "f\xc3\xa9vr", 2 }, { "fevr", 2 }, { "mars", 3 }, { "avr", 4 },
	{ "juin", 6 }, { "juil", 7 }, { "ao\xc3\xbbt", 8 }, { "aout", 8 },
	{ "d\xc3\xa9" "c", 12 }, { "m\xc3\xa4rz", 3 }, { "oktober", 10 },
	{ "dezember", 12 },
	/* Greek, as feedparser reads them (with its odd spellings). */
	{ "\xce\x99\xce\xb1\xce\xbd", 1 },			/* Ιαν */
	{ "\xce\xa6\xce\xb5\xce\xb2", 2 },			/* Φεβ */
	{ "\xce\x9c\xce\xac\xcf\x81", 3 },			/* Μάρ */
	{ "\xce\x9c\xce\xb1\xcf\x81", 3 },			/* Μαρ */
	{ "\xce\x9c\xce\xac\xcf\x8e", 3 },			/* Μάώ */
	{ "\xce\x9c\xce\xb1\xcf\x8e", 3 },			/* Μαώ */
	{ "\xce\x91\xcf\x80\xcf\x81", 4 },			/* Απρ */
	{ "\xce\x9c\xce\xac\xce\xb9", 5 },			/* Μάι */
	{ "\xce\x9c\xce\xb1\xce\x90", 5 },			/* Μαΐ */
	{ "\xce\x9c\xce\xb1\xce\xb9", 5 },			/* Μαι */
	{ "\xce\x99\xce\xbf\xcf\x8d\xce\xbd", 6 },		/* Ιούν */
	{ "\xce\x99\xce\xbf\xcf\x85\xce\xbd", 6 },		/* Ιουν */
	{ "\xce\x99\xce\xbf\xce\xbd", 6 },			/* Ιον */
	{ "\xce\x99\xce\xbf\xcf\x8d\xce\xbb", 7 },		/* Ιούλ */
	{ "\xce\x99\xce\xbf\xcf\x85\xce\xbb", 7 },		/* Ιουλ */
	{ "\xce\x99\xce\xbf\xce\xbb", 7 },			/* Ιολ */
	{ "\xce\x91\xcf\x8d\xce\xb3", 8 },			/* Αύγ */
	{ "\xce\x91\xcf\x85\xce\xb3", 8 },			/* Αυγ */
	{ "\xce\xa3\xce\xb5\xcf\x80", 9 },			/* Σεπ */
	{ "\xce\x9f\xce\xba\xcf\x84", 10 },			/* Οκτ */
	{ "\xce\x9d\xce\xbf\xce\xad", 11 },			/* Νοέ */
	{ "\xce\x9d\xce\xbf\xce\xb5", 11 },			/* Νοε */
	{ "\xce\x94\xce\xb5\xce\xba", 12 },			/* Δεκ */
	/* Hungarian: feedparser's names (and typos), and abbreviations. */
	{ "janu\xc3\xa1r", 1 }, { "febru\xc3\xa1r", 2 },
	{ "febru\xc3\xa1ri", 2 }, { "m\xc3\xa1rcius", 3 },
	{ "m\xc3\xa1rc", 3 }, { "\xc3\xa1prilis", 4 }, { "\xc3\xa1pr", 4 },
	{ "m\xc3\xa1jus", 5 }, { "m\xc3\xa1ujus", 5 }, { "m\xc3\xa1j", 5 },
	{ "j\xc3\xbanius", 6 }, { "j\xc3\xban", 6 }, { "j\xc3\xbalius", 7 },
	{ "j\xc3\xbal", 7 }, { "augusztus", 8 }, { "szeptember", 9 },
	{ "szept", 9 }, { "okt\xc3\xb3" "ber", 10 },
};
static const char *date_wdays[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday"
};

/* Weekday abbreviations in other scripts, matched exactly: Greek. */
static const char *date_wday_alias[] = {
	"\xce\x9a\xcf\x85\xcf\x81",	/* Κυρ */
	"\xce\x94\xce\xb5\xcf\x85",	/* Δευ */
	"\xce\xa4\xcf\x81\xce\xb9",	/* Τρι */
	"\xce\xa4\xce\xb5\xcf\x84",	/* Τετ */
	"\xce\xa0\xce\xb5\xce\xbc",	/* Πεμ */
	"\xce\xa0\xce\xb1\xcf\x81",	/* Παρ */
	"\xce\xa3\xce\xb1\xce\xb2",	/* Σαβ */
};

/* Korean (UTF-8): year, month, day suffixes and the AM/PM words. */
#define DATE_KO_YEAR	"\xeb\x85\x84"		/* 년 */
#define DATE_KO_MONTH	"\xec\x9b\x94"		/* 월 */
#define DATE_KO_DAY	"\xec\x9d\xbc"		/* 일 */
#define DATE_KO_AM	"\xec\x98\xa4\xec\xa0\x84"	/* 오전 */
#define DATE_KO_PM	"\xec\x98\xa4\xed\x9b\x84"	/* 오후 */
#define DATE_KO_OFF	(9 * 60)		/* KST, +0900 */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
date_days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* The date of a day number since 1970-01-01 (H. Hinnant). */
static void
date_civil_from_days(int64_t z, int64_t *yp, int *mp, int *dp)
{
	int64_t	era, doe, yoe, y, doy, mp5;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp5 = (5 * doy + 2) / 153;
	*dp = (int)(doy - (153 * mp5 + 2) / 5 + 1);
	*mp = (int)(mp5 < 10 ? mp5 + 3 : mp5 - 9);
	*yp = y + (*mp <= 2);
}

/* Days in a month of a year. */
static int
date_mdays(int y, int m)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return (29);
	return (mdays[m - 1]);
}

/* Check the fields and turn them into unix seconds; -2 if out of range. */
static int
date_finish(struct date_tm *tm, int64_t *t)
{
	int64_t	v;
	int	end_of_day = 0;

	if (tm->hour == -1) {
		tm->hour = tm->min = 0;
		tm->sec = 0;
	}
	if (tm->sec == -1)
		tm->sec = 0;
	if (tm->year < 1 || tm->year > 9999 || tm->mon < 1 || tm->mon > 12 ||
	    tm->day < 1 || tm->day > date_mdays(tm->year, tm->mon))
		return (-2);
	if (tm->hour == 24 && tm->min == 0 && tm->sec == 0) {
		end_of_day = 1;
		tm->hour = 0;
	}
	if (tm->hour < 0 || tm->hour > 23 || tm->min < 0 || tm->min > 59 ||
	    tm->sec < 0 || tm->sec > 60)
		return (-2);
	if (tm->sec == 60)
		tm->sec = 59;
	if (tm->off < -24 * 60 || tm->off > 24 * 60)
		return (-2);
	v = date_days_from_civil(tm->year, tm->mon, tm->day) + end_of_day;
	v = v * 86400 + tm->hour * 3600 + tm->min * 60 + tm->sec;
	v -= (int64_t)tm->off * 60;
	if (v == DATE_ZERO_TIME)
		return (-2);
	*t = v;
	return (0);
}

/*
 * Read between min and max decimal digits at *pp into *v; fails if more
 * digits follow, so huge numbers never overflow.
 */
static int
date_digits(const char **pp, int min, int max, int *v)
{
	const char	*p = *pp;
	int		 n = 0, i;

	for (i = 0; DATE_DIGIT(p[i]); i++) {
		if (i == max)
			return (-1);
		n = n * 10 + (p[i] - '0');
	}
	if (i < min)
		return (-1);
	*v = n;
	*pp = p + i;
	return (0);
}

/* Read exactly n digits at *pp into *v, whatever follows them. */
static int
date_fixed(const char **pp, int n, int *v)
{
	const char	*p = *pp;
	int		 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!DATE_DIGIT(p[i]))
			return (-1);
		*v = *v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	return (0);
}

/* Skip a "(comment)", nested 8 deep at most; -1 if unterminated. */
static int
date_skip_comment(const char **pp)
{
	const char	*p = *pp;
	int		 level = 0;

	do {
		if (*p == '(' && ++level > 8)
			return (-1);	/* bounded: no deep nests */
		else if (*p == ')')
			level--;
		else if (*p == '\0')
			return (-1);
		p++;
	} while (level > 0);
	*pp = p;
	return (0);
}

/* Skip whitespace and comments; -1 on an unterminated comment. */
static int
date_skip_space(const char **pp)
{
	for (;;) {
		while (DATE_SPACE(**pp))
			(*pp)++;
		if (**pp != '(')
			return (0);
		if (date_skip_comment(pp) != 0)
			return (-1);
	}
}

/* Case-insensitive (ASCII) match of a word of length n and a name. */
static int
date_word_is(const char *w, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (name[i] == '\0' || DATE_LOWER((unsigned char)w[i]) !=
		    DATE_LOWER((unsigned char)name[i]))
			return (0);
	}
	return (name[n] == '\0');
}

/* Is the word a prefix (three letters or more) of the lowercase name? */
static int
date_word_prefix(const char *w, size_t n, const char *name)
{
	size_t	i;

	if (n < 3 || n > strlen(name))
		return (0);
	for (i = 0; i < n; i++) {
		if (DATE_LOWER((unsigned char)w[i]) != (unsigned char)name[i])
			return (0);
	}
	return (1);
}

/* The month a word names, or 0. */
static int
date_month(const char *w, size_t n)
{
	size_t	i;

	for (i = 0; i < DATE_NITEMS(date_months); i++) {
		if (date_word_prefix(w, n, date_months[i]))
			return ((int)i + 1);
	}
	for (i = 0; i < DATE_NITEMS(date_month_alias); i++) {
		if (date_word_is(w, n, date_month_alias[i].name))
			return (date_month_alias[i].mon);
	}
	return (0);
}

/* Does a word name a weekday ("Tue", "Tues", "Thurs", "Thursday")? */
static int
date_wday(const char *w, size_t n)
{
	size_t	i;

	for (i = 0; i < DATE_NITEMS(date_wdays); i++) {
		if (date_word_prefix(w, n, date_wdays[i]))
			return (1);
	}
	for (i = 0; i < DATE_NITEMS(date_wday_alias); i++) {
		if (date_word_is(w, n, date_wday_alias[i]))
			return (1);
	}
	return (0);
}

/* The offset of a named zone in minutes; -1 if unknown. */
static int
date_zone(const char *w, size_t n, int *off)
{
	size_t	i;

	if (n == 1 && DATE_ALPHA(w[0]) &&
	    DATE_LOWER((unsigned char)w[0]) != 'j') {
		/* Military zones: ambiguous, taken as +0000 (see top). */
		*off = 0;
		return (0);
	}
	for (i = 0; i < DATE_NITEMS(date_zones); i++) {
		if (!date_word_is(w, n, date_zones[i].name))
			continue;
		*off = date_zones[i].off;
		return (0);
	}
	return (-1);
}

/* Could a word be a zone abbreviation: 3 to 5 capital letters? */
static int
date_zone_like(const char *w, size_t n)
{
	size_t	i;

	if (n < 3 || n > 5)
		return (0);
	for (i = 0; i < n; i++) {
		if (!DATE_UPPER(w[i]))
			return (0);
	}
	return (1);
}

/*
 * Read the rest of a tz database name after its first word w (n bytes),
 * *pp pointing at the '/'.  "Etc/GMT", "Etc/UTC" and the POSIX-signed
 * "Etc/GMT+5" (which is -0500) are exact; a place like "Europe/Paris"
 * would need the tz database and the date, so it counts as +0000 like any
 * other unknown zone.
 */
static int
date_tzname(const char *w, size_t n, const char **pp, int *off)
{
	const char	*p = *pp + 1, *z = p, *q;
	int		 h;

	while (DATE_ALPHA(*p) || DATE_DIGIT(*p) || *p == '/' || *p == '_' ||
	    *p == '-' || *p == '+')
		p++;
	*pp = p;
	*off = 0;
	if (!date_word_is(w, n, "etc"))
		return (DATE_ALPHA(*z) ? 0 : -1);
	if (date_word_is(z, 3, "gmt") || date_word_is(z, 3, "utc") ||
	    date_word_is(z, 3, "uct"))
		z += 3;
	else if (date_word_is(z, 4, "zulu") || date_word_is(z, 4, "univ"))
		return (0);
	else
		return (-1);
	if (z == p)
		return (0);
	q = z + 1;
	if ((*z != '+' && *z != '-') || date_digits(&q, 1, 2, &h) != 0 ||
	    q != p || h > 14)
		return (-1);
	*off = (*z == '+' ? -h : h) * 60;
	return (0);
}

/*
 * Read a numeric zone offset at *pp, which points at '+' or '-': "+02",
 * "+0200", "+02:00", "-5", "-530".  Sets *off in minutes east.
 */
static int
date_offset(const char **pp, int *off)
{
	const char	*p = *pp;
	int		 sign, h, m = 0, v, nd;
	const char	*q;

	sign = *p == '-' ? -1 : 1;
	p++;
	q = p;
	if (date_digits(&p, 1, 4, &v) != 0)
		return (-1);
	nd = (int)(p - q);
	if (nd <= 2) {
		h = v;
		if (*p == ':') {
			p++;
			if (date_digits(&p, 2, 2, &m) != 0)
				return (-1);
		}
	} else {
		h = v / 100;
		m = v % 100;
	}
	if (h > 23 || m > 59)
		return (-1);
	*off = sign * (h * 60 + m);
	*pp = p;
	return (0);
}

/*
 * Read a time "h:mm[:ss[.frac]]" or, when basic is set, "hhmm[ss[.frac]]".
 */
static int
date_time(const char **pp, struct date_tm *tm, int basic)
{
	const char	*p = *pp;

	if (basic) {
		if (date_fixed(&p, 2, &tm->hour) != 0 ||
		    date_fixed(&p, 2, &tm->min) != 0)
			return (-1);
		tm->sec = 0;
		if (DATE_DIGIT(*p) &&
		    date_digits(&p, 2, 2, &tm->sec) != 0)
			return (-1);
	} else {
		if (date_digits(&p, 1, 2, &tm->hour) != 0 || *p != ':')
			return (-1);
		p++;
		if (date_digits(&p, 2, 2, &tm->min) != 0)
			return (-1);
		tm->sec = 0;
		if (*p == ':') {
			p++;
			if (date_digits(&p, 2, 2, &tm->sec) != 0)
				return (-1);
		}
	}
	if ((*p == '.' || *p == ',') && DATE_DIGIT(p[1])) {
		/* Fractions of any length are dropped. */
		p++;
		while (DATE_DIGIT(*p))
			p++;
	}
	*pp = p;
	return (0);
}

/* Read a zone after an ISO 8601 time: Z, +hh[[:]mm], or a name. */
static int
date_iso_zone(const char **pp, struct date_tm *tm)
{
	const char	*p = *pp, *w;
	int		 off;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+' || *p == '-') {
		if (date_offset(&p, &tm->off) != 0)
			return (-1);
		tm->has_off = 1;
		/* Go's time.String(): "+0200 CEST" names the zone again. */
		w = p;
		while (*w == ' ')
			w++;
		if (w > p && DATE_ALPHA(*w)) {
			p = w;
			while (DATE_ALPHA(*p))
				p++;
			if (date_zone(w, (size_t)(p - w), &off) != 0 &&
			    !date_zone_like(w, (size_t)(p - w)))
				return (-1);
		}
	} else if (DATE_ALPHA(*p)) {
		w = p;
		while (DATE_ALPHA(*p))
			p++;
		if (date_zone(w, (size_t)(p - w), &off) != 0)
			return (-1);
		tm->off = off;
		tm->has_off = 1;
		if ((*p == '+' || *p == '-') && off == 0) {
			/* "UTC+2", "GMT-05:00". */
			if (date_offset(&p, &tm->off) != 0)
				return (-1);
		}
	}
	*pp = p;
	return (0);
}

/*
 * ISO 8601 family: "2017-10-03T19:31:00.5+02:00", "2017-10-03 19:31Z",
 * "2017-10-03T19Z", "2017-10-03", "2017-10", "2017" (the W3C-DTF forms),
 * "2017/10/03 19:31:00", the basic "20171003T193100Z", and any month
 * name date_month() knows in place of the number ("2017-Oct-03", the
 * Hungarian "2004-július-13T9:15-05:00").  Returns 0 and fills tm, -1 if
 * malformed.
 */
static int
date_parse_iso(const char *p, struct date_tm *tm)
{
	const char	*w;
	char		 sep;
	int		 basic = 0;

	if (date_digits(&p, 4, 4, &tm->year) != 0) {
		/* Basic format: exactly eight digits, then a time. */
		if (date_digits(&p, 8, 8, &tm->year) != 0 ||
		    (*p != 'T' && *p != 't'))
			return (-1);
		tm->day = tm->year % 100;
		tm->mon = tm->year / 100 % 100;
		tm->year /= 10000;
		basic = 1;
	} else if (*p == '-' || *p == '/') {
		sep = *p++;
		w = p;
		while (sep == '-' &&
		    (DATE_ALPHA(*p) || (unsigned char)*p >= 0x80))
			p++;
		if (p > w) {
			/* A month name: Hungarian "2004-július-13". */
			if ((tm->mon = date_month(w, (size_t)(p - w))) == 0 ||
			    *p++ != '-' || date_digits(&p, 1, 2, &tm->day) != 0)
				return (-1);
			goto hms;
		}
		/* Three digits: Google's "2003-012-31" once did that. */
		if (date_digits(&p, 1, 3, &tm->mon) != 0)
			return (-1);
		if (*p == sep) {
			p++;
			if (date_digits(&p, 1, 2, &tm->day) != 0)
				return (-1);
		} else if (sep == '-') {
			tm->day = 1;	/* "2017-10": W3C-DTF year-month */
			goto end;
		} else
			return (-1);
	} else {
		tm->mon = tm->day = 1;	/* "2017": W3C-DTF year */
		goto end;
	}

hms:
	if (*p == 'T' || *p == 't') {
		p++;
		if (!basic && DATE_DIGIT(p[0]) && DATE_DIGIT(p[1]) &&
		    p[2] != ':' && !DATE_DIGIT(p[2])) {
			/* "2008-12-30T13": hours only (ISO 8601). */
			tm->hour = (p[0] - '0') * 10 + (p[1] - '0');
			tm->min = tm->sec = 0;
			p += 2;
			goto zone;
		}
	} else if (*p == ' ' || *p == '\t') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!DATE_DIGIT(*p))
			goto end;
	} else
		goto end;
	if (date_time(&p, tm, basic) != 0)
		return (-1);
zone:
	if (date_iso_zone(&p, tm) != 0)
		return (-1);
end:
	if (date_skip_space(&p) != 0 || *p != '\0')
		return (-1);
	return (0);
}

/*
 * Korean dates, with KST (+0900) implied as feedparser assumes: OnBlog's
 * "2004년 05월 28일 01:31:15" (year, month and day suffixes; the time may
 * be missing) and Nate's "2004-05-25 오후 11:23:17" (AM/PM word before a
 * 12-hour time; the word is required).  Comments such as a weekday "(금)"
 * may come between the parts; an explicit zone after the time wins.
 */
static int
date_parse_korean(const char *p, struct date_tm *tm)
{
	int	ampm = 0, dash = 0;

	if (date_digits(&p, 4, 4, &tm->year) != 0)
		return (-1);
	if (strncmp(p, DATE_KO_YEAR, 3) == 0) {
		p += 3;
		if (date_skip_space(&p) != 0 ||
		    date_digits(&p, 1, 2, &tm->mon) != 0 ||
		    strncmp(p, DATE_KO_MONTH, 3) != 0)
			return (-1);
		p += 3;
		if (date_skip_space(&p) != 0 ||
		    date_digits(&p, 1, 2, &tm->day) != 0 ||
		    strncmp(p, DATE_KO_DAY, 3) != 0)
			return (-1);
		p += 3;
	} else if (*p == '-') {
		p++;
		if (date_digits(&p, 1, 2, &tm->mon) != 0 || *p++ != '-' ||
		    date_digits(&p, 1, 2, &tm->day) != 0 || !DATE_SPACE(*p))
			return (-1);
		dash = 1;
	} else
		return (-1);
	if (date_skip_space(&p) != 0)
		return (-1);
	if (strncmp(p, DATE_KO_AM, 6) == 0)
		ampm = 'a';
	else if (strncmp(p, DATE_KO_PM, 6) == 0)
		ampm = 'p';
	else if (dash)
		return (-1);	/* plain ISO 8601 is no Korean date */
	if (ampm) {
		p += 6;
		if (date_skip_space(&p) != 0 || !DATE_DIGIT(*p))
			return (-1);
	}
	if (*p != '\0') {
		if (date_time(&p, tm, 0) != 0 || date_iso_zone(&p, tm) != 0)
			return (-1);
	}
	if (date_skip_space(&p) != 0 || *p != '\0')
		return (-1);
	if (ampm) {
		/* As in English: 12 AM is midnight, 12 PM noon. */
		if (tm->hour < 1 || tm->hour > 12)
			return (-1);
		if (tm->hour == 12)
			tm->hour = 0;
		if (ampm == 'p')
			tm->hour += 12;
	}
	if (!tm->has_off) {
		tm->off = DATE_KO_OFF;
		tm->has_off = 1;
	}
	return (0);
}

/*
 * The RFC 822 family and its relatives, read as tokens in any order:
 * weekdays are ignored, a month name sets the month, "h:mm[:ss]" the
 * time, numbers the day and then the year (or the year first when it has
 * four digits), "+hhmm" or a name the zone, "AM"/"PM" adjust the hour.
 */
static int
date_parse_words(const char *s, struct date_tm *tm)
{
	const char	*p = s, *w;
	size_t		 n;
	int		 v, nd, off, ampm = 0, first = 1, mon;

	for (;; first = 0) {
		while (DATE_SPACE(*p) || *p == ',' || *p == '.')
			p++;
		if (*p == '(') {
			if (date_skip_comment(&p) != 0)
				return (-1);
			continue;
		}
		if (*p == '\0')
			break;
		if ((*p == '+' || *p == '-') &&
		    DATE_DIGIT(p[1]) && !tm->has_off &&
		    (tm->hour != -1 || (tm->year != -1 && tm->mon != -1 &&
		    tm->day != -1))) {
			if (date_offset(&p, &tm->off) != 0)
				return (-1);
			tm->has_off = 1;
			continue;
		}
		if (*p == '-') {
			/* " -0001": a negative year (PHP's zero date). */
			if (DATE_DIGIT(p[1]) && (p == s || DATE_SPACE(p[-1])))
				return (-1);
			p++;	/* RFC 850 "06-Nov-94" */
			continue;
		}
		if (DATE_DIGIT(*p)) {
			w = p;
			if (date_digits(&p, 1, 4, &v) != 0)
				return (-1);
			nd = (int)(p - w);
			if (*p == ':') {
				if (tm->hour != -1)
					return (-1);
				p = w;
				if (date_time(&p, tm, 0) != 0)
					return (-1);
				continue;	/* "19:31Z", "7:31pm" */
			}
			if (nd == 4 && *p == '/' && tm->year == -1 &&
			    tm->mon == -1 && tm->day == -1) {
				/* Perforce: "Fri, 2006/09/15 08:19:53 EDT" */
				tm->year = v;
				p++;
				if (date_digits(&p, 1, 2, &tm->mon) != 0 ||
				    *p++ != '/' ||
				    date_digits(&p, 1, 2, &tm->day) != 0)
					return (-1);
			} else if (nd <= 2 && tm->day == -1) {
				tm->day = v;
				/* "3rd", "21st" */
				if (date_word_is(p, 2, "st") ||
				    date_word_is(p, 2, "nd") ||
				    date_word_is(p, 2, "rd") ||
				    date_word_is(p, 2, "th"))
					p += 2;
			} else if (tm->year == -1) {
				if (nd == 4)
					tm->year = v;
				else if (nd == 3 || v >= 50)
					tm->year = v + 1900;
				else
					tm->year = v + 2000;
			} else
				return (-1);
			if (DATE_ALPHA(*p))
				return (-1);
			continue;
		}
		if (!DATE_ALPHA(*p) && (unsigned char)*p < 0x80)
			return (-1);
		w = p;
		while (DATE_ALPHA(*p) || (unsigned char)*p >= 0x80)
			p++;
		n = (size_t)(p - w);
		if ((mon = date_month(w, n)) != 0) {
			if (tm->mon != -1)
				return (-1);
			tm->mon = mon;
		} else if (date_wday(w, n)) {
			/* Ignored: often wrong, and implied by the date. */
		} else if (date_word_is(w, n, "am") ||
		    date_word_is(w, n, "pm")) {
			if (tm->hour == -1 || ampm)
				return (-1);
			ampm = DATE_LOWER((unsigned char)*w);
		} else if (first && *p == ',') {
			/* A weekday in another language ("Di,"). */
		} else if (tm->hour != -1 || (tm->day != -1 &&
		    tm->mon != -1 && tm->year != -1)) {
			if (*p == '/') {
				/* "Etc/GMT", "Europe/Paris" */
				if (date_tzname(w, n, &p, &off) != 0)
					return (-1);
			} else if (date_zone(w, n, &off) != 0) {
				/* An unknown zone is +0000 (see top). */
				if (!date_zone_like(w, n))
					return (-1);
				off = 0;
			}
			if (tm->has_off)
				continue;	/* "+0200 CEST": named again */
			tm->off = off;
			tm->has_off = 1;
			if ((*p == '+' || *p == '-') && off == 0 &&
			    DATE_DIGIT(p[1])) {
				/* "GMT+0200", "UTC-5" */
				if (date_offset(&p, &tm->off) != 0)
					return (-1);
			}
		} else
			return (-1);
	}
	if (ampm) {
		if (tm->hour < 1 || tm->hour > 12)
			return (-1);
		if (tm->hour == 12)
			tm->hour = 0;
		if (ampm == 'p')
			tm->hour += 12;
	}
	if (tm->year == -1 || tm->mon == -1 || tm->day == -1)
		return (-1);
	return (0);
}

/*
 * Read a date: 0 and *t, -1 when the text is no date this file knows, -2
 * when it is one with a field out of range (Feb 30, 25:00, year 10000).
 */
static int
date_read(const char *s, int64_t *t)
{
	struct date_tm	 tm;
	const char	*p, *q;
	int		 rc;

	if (s == NULL)
		return (-1);
	memset(&tm, 0, sizeof tm);
	tm.year = tm.mon = tm.day = tm.hour = tm.min = tm.sec = -1;
	p = s;
	while (DATE_SPACE(*p))
		p++;
	if (*p == '\0')
		return (-1);
	/*
	 * Four digits then "년", or a Korean AM/PM word anywhere: Korean.
	 * Four digits then '-', '/', more digits or the end: ISO 8601.
	 * Anything else ("2017 Oct 3" too) is read as words.
	 */
	q = p + 4;
	if (DATE_DIGIT(p[0]) && DATE_DIGIT(p[1]) &&
	    DATE_DIGIT(p[2]) && DATE_DIGIT(p[3]) &&
	    (strncmp(q, DATE_KO_YEAR, 3) == 0 ||
	    strstr(q, DATE_KO_AM) != NULL || strstr(q, DATE_KO_PM) != NULL))
		rc = date_parse_korean(p, &tm);
	else if (DATE_DIGIT(p[0]) && DATE_DIGIT(p[1]) &&
	    DATE_DIGIT(p[2]) && DATE_DIGIT(p[3]) &&
	    (*q == '-' || *q == '/' || DATE_DIGIT(*q) ||
	    (date_skip_space(&q) == 0 && *q == '\0')))
		rc = date_parse_iso(p, &tm);
	else
		rc = date_parse_words(p, &tm);
	if (rc != 0)
		return (-1);
	return (date_finish(&tm, t));
}

/*
 * Parse a feed date into unix seconds.  Returns 0, or -1 (and leaves *t
 * alone) when the text is not a date this file can read exactly.
 */
int
date_parse(const char *s, int64_t *t)
{
	return (date_read(s, t) == 0 ? 0 : -1);
}

/*
 * Parse a date exactly: 0 and *t; -1 when the text is no date this file
 * knows; -2 when it is one with a field out of range.  date_http.c uses
 * the difference to check curl_getdate()'s answers.
 */
int
date_parse_exact(const char *s, int64_t *t)
{
	return (date_read(s, t));
}

/*
 * Format unix seconds as RFC 3339 UTC, "2017-10-03T19:31:00Z".  Returns
 * the length, or 0 if the year is outside 1..9999 or buf is too small.
 */
size_t
date_format_rfc3339(int64_t t, char *buf, size_t len)
{
	int64_t	days, secs, y;
	int	m, d, n;

	if (t < DATE_MIN || t > DATE_MAX || buf == NULL || len < 21)
		return (0);
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	date_civil_from_days(days, &y, &m, &d);
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	if (n != 20)
		return (0);
	return ((size_t)n);
}
