/*
 * render.c: feedctl's terminal output.  Owns the sanitiser that keeps feed
 * text (untrusted) from reaching the terminal as control characters or
 * escape sequences, display widths and column fitting, relative local
 * dates, colour (only on a terminal, never with NO_COLOR), HTML to text
 * for `feedctl show` through html_to_text() from html.c, and the output of
 * `feedctl parse`: a feed as JSON Feed 1.1, channel keys first, then each
 * item as the parser delivers it, then any feed keys the document gave
 * only after its items (JSON key order is free).
 */
#include <sys/ioctl.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "feedd.h"

static int	render_color;	/* emit SGR sequences */

/* Is cp a bidirectional override, embedding or isolate control? */
static int
render_is_bidi(uint32_t cp)
{
	return ((cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
	    cp == 0x061c);
}

/*
 * Skip the rest of an escape sequence whose introducer has been consumed:
 * kind is '[' (CSI: parameters and intermediates up to a final byte), ']'
 * (OSC, up to BEL or ST) or 'P' (DCS, SOS, PM, APC: up to ST).  Returns the
 * position after the sequence.  Both 7-bit (ESC \) and 8-bit (U+009C) ST
 * end strings.
 */
static const char *
render_skip_seq(const char *p, const char *end, int kind)
{
	const unsigned char	*u;

	if (kind == '[') {
		/* Parameters 0x30-0x3f, intermediates 0x20-0x2f, a final. */
		for (u = (const unsigned char *)p;
		    (const char *)u < end; u++) {
			if (*u >= 0x40 && *u <= 0x7e)
				return ((const char *)u + 1);
			if (*u < 0x20 || *u > 0x3f)
				return ((const char *)u);
		}
		return (end);
	}
	for (; p < end; p++) {
		if (kind == ']' && *p == '\a')
			return (p + 1);
		if (*p == '\033' && p + 1 < end && p[1] == '\\')
			return (p + 2);
		if ((unsigned char)*p == 0xc2 && p + 1 < end &&
		    (unsigned char)p[1] == 0x9c)
			return (p + 2);
	}
	return (end);
}

/*
 * Make untrusted text safe for a terminal.  Removes escape sequences (ESC
 * and its CSI, OSC, DCS, APC... forms; their 8-bit C1 forms too), other C0
 * and C1 controls (BEL, backspace, ...), DEL and bidi overrides; replaces
 * invalid UTF-8 with U+FFFD.  Tabs become a space; newlines become a space
 * unless RENDER_KEEP_NL (carriage returns are dropped).  Returns a new
 * string.
 */
char *
render_sanitize(const char *s, int flags)
{
	struct buf	 b;
	const char	*p, *end;
	size_t		 n;
	uint32_t	 cp;
	char		 next;

	memset(&b, 0, sizeof b);
	buf_adds(&b, "");
	if (s == NULL)
		return (b.data);
	end = s + strlen(s);
	for (p = s; p < end; p += n) {
		n = util_utf8_decode(p, end - p, &cp);
		if (n == 0) {
			buf_adds(&b, "\xef\xbf\xbd");
			n = 1;
			continue;
		}
		if (cp == '\033') {
			if (p + 1 >= end)
				break;	/* a lone ESC at the end */
			next = p[1];
			p += 2;
			n = 0;
			if (next == '[')
				p = render_skip_seq(p, end, '[');
			else if (next == ']')
				p = render_skip_seq(p, end, ']');
			else if (next == 'P' || next == 'X' || next == '^' ||
			    next == '_')
				p = render_skip_seq(p, end, 'P');
			else if (next >= 0x20 && next <= 0x2f) {
				/* nF: intermediates, then one final byte. */
				while (p < end && *p >= 0x20 && *p <= 0x2f)
					p++;
				if (p < end && *p > 0x2f && *p < 0x7f)
					p++;
			} else if ((unsigned char)next < 0x20 ||
			    (unsigned char)next >= 0x7f)
				p--;	/* lone ESC; look at next again */
			continue;
		}
		if (cp == 0x9b) {
			p = render_skip_seq(p + n, end, '[');
			n = 0;
			continue;
		}
		if (cp == 0x9d) {
			p = render_skip_seq(p + n, end, ']');
			n = 0;
			continue;
		}
		if (cp == 0x90 || cp == 0x98 || cp == 0x9e || cp == 0x9f) {
			p = render_skip_seq(p + n, end, 'P');
			n = 0;
			continue;
		}
		if (cp == '\n') {
			buf_addc(&b, (flags & RENDER_KEEP_NL) ? '\n' : ' ');
			continue;
		}
		if (cp == '\t') {
			buf_addc(&b, ' ');
			continue;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
		    render_is_bidi(cp))
			continue;
		buf_add(&b, p, n);
	}
	return (b.data);
}

/* Display columns of one code point (1 when the locale cannot tell). */
static int
render_cp_width(uint32_t cp)
{
	int	w;

	if (cp < 0x80)
		return (cp < 0x20 || cp == 0x7f ? 0 : 1);
	w = wcwidth((wchar_t)cp);
	if (w < 0)
		return (1);
	return (w);
}

/* Display width in columns of a (sanitised) UTF-8 string. */
int
render_width(const char *s)
{
	size_t		 len, n;
	uint32_t	 cp;
	int		 w = 0;

	len = strlen(s);
	for (; len > 0; s += n, len -= n) {
		n = util_utf8_decode(s, len, &cp);
		if (n == 0) {
			n = 1;
			w++;
			continue;
		}
		w += render_cp_width(cp);
	}
	return (w);
}

/*
 * Append s to b fitted to width columns: longer text is cut and ends in
 * "…"; with pad, shorter text is padded with spaces.  A width below 0 means
 * no limit.
 */
void
render_cell(struct buf *b, const char *s, int width, int pad)
{
	size_t		 len, n;
	uint32_t	 cp;
	int		 w, used = 0;

	if (s == NULL)
		s = "";
	if (width < 0) {
		buf_adds(b, s);
		return;
	}
	if (render_width(s) <= width) {
		buf_adds(b, s);
		used = render_width(s);
	} else if (width > 0) {
		len = strlen(s);
		for (; len > 0; s += n, len -= n) {
			n = util_utf8_decode(s, len, &cp);
			if (n == 0) {
				n = 1;
				cp = '?';
			}
			w = render_cp_width(cp);
			if (used + w > width - 1)
				break;
			buf_add(b, s, n);
			used += w;
		}
		buf_adds(b, "\xe2\x80\xa6");	/* … */
		used++;
	}
	while (pad && used < width) {
		buf_addc(b, ' ');
		used++;
	}
}

/*
 * A time relative to now for humans, in local time: "now", "5m ago",
 * "3h ago", "yesterday", "4d ago", then the date "2026-10-01"; future
 * times read "in 5m", "in 3h", "tomorrow", "in 4d".  0 or DATE_NONE is "-".
 */
char *
render_reltime(int64_t t, int64_t now)
{
	struct tm	 tm_t, tm_n;
	time_t		 tt, tn;
	int64_t		 d;
	char		*s, date[32];
	int		 days;

	if (t == 0 || t == DATE_NONE)
		return (xstrdup("-"));
	tt = (time_t)t;
	tn = (time_t)now;
	if (localtime_r(&tt, &tm_t) == NULL || localtime_r(&tn, &tm_n) == NULL)
		return (xstrdup("?"));
	d = now - t;
	/* Calendar days between the two local dates. */
	days = (int)((timegm(&(struct tm){ .tm_year = tm_n.tm_year,
	    .tm_mon = tm_n.tm_mon, .tm_mday = tm_n.tm_mday }) -
	    timegm(&(struct tm){ .tm_year = tm_t.tm_year,
	    .tm_mon = tm_t.tm_mon, .tm_mday = tm_t.tm_mday })) / 86400);
	if (d > -60 && d < 60)
		return (xstrdup("now"));
	if (d > 0 && d < 3600)
		xasprintf(&s, "%lldm ago", (long long)(d / 60));
	else if (d < 0 && -d < 3600)
		xasprintf(&s, "in %lldm", (long long)((-d + 59) / 60));
	else if (d > 0 && (days == 0 || d < 6 * 3600))
		xasprintf(&s, "%lldh ago", (long long)(d / 3600));
	else if (d < 0 && (days == 0 || -d < 6 * 3600))
		xasprintf(&s, "in %lldh", (long long)((-d + 3599) / 3600));
	else if (days == 1)
		s = xstrdup("yesterday");
	else if (days == -1)
		s = xstrdup("tomorrow");
	else if (days > 1 && days < 7)
		xasprintf(&s, "%dd ago", days);
	else if (days < -1 && days > -7)
		xasprintf(&s, "in %dd", -days);
	else {
		strftime(date, sizeof date, "%Y-%m-%d", &tm_t);
		s = xstrdup(date);
	}
	return (s);
}

/*
 * Columns available on fd: the terminal's width, else $COLUMNS, else 0
 * (a pipe or file: no limit).
 */
int
render_term_width(int fd)
{
	struct winsize	 ws;
	const char	*cols;
	int64_t		 n;

	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return (ws.ws_col);
	cols = getenv("COLUMNS");
	if (cols != NULL && util_parse_int(cols, 10, 10000, &n) == 0)
		return ((int)n);
	return (0);
}

/* Colour on fd: a terminal, NO_COLOR unset or empty, TERM not dumb. */
int
render_use_color(int fd)
{
	const char	*e;

	e = getenv("NO_COLOR");
	if (e != NULL && *e != '\0')
		return (0);
	e = getenv("TERM");
	if (e != NULL && strcmp(e, "dumb") == 0)
		return (0);
	return (isatty(fd));
}

/* Turn SGR output on or off for render_sgr(). */
void
render_set_color(int on)
{
	render_color = on;
}

/* The SGR sequence seq ("\033[1m"), or "" when not colouring. */
const char *
render_sgr(const char *seq)
{
	return (render_color ? seq : "");
}

/*
 * HTML (an item's content or summary) as safe plain text for the terminal:
 * links numbered and listed at the end.  Returns a new string.
 */
char *
render_html(const char *html)
{
	char	*text, *safe;

	if (html == NULL || *html == '\0')
		return (xstrdup(""));
	text = html_to_text(html, strlen(html), HTML_TEXT_LINKS);
	if (text == NULL)
		return (render_sanitize(html, RENDER_KEEP_NL));
	safe = render_sanitize(text, RENDER_KEEP_NL);
	free(text);
	return (safe);
}

/*
 * Plain text (content of type "text") as safe text for the terminal: its
 * line breaks kept, at most one blank line in a row, none at either end.
 * Markup in it is text.  Returns a new string.
 */
char *
render_text(const char *text)
{
	struct buf	 b;
	char		*safe, *p;
	int		 nl = 0;

	if (text == NULL)
		return (xstrdup(""));
	safe = render_sanitize(text, RENDER_KEEP_NL);
	memset(&b, 0, sizeof b);
	buf_grow(&b, strlen(safe));
	for (p = safe; *p != '\0'; p++) {
		if (*p == '\n') {
			/* Drop the blanks that end the line. */
			while (b.len > 0 && b.data[b.len - 1] == ' ')
				b.len--;
			nl++;
			continue;
		}
		if (b.len > 0 && nl > 0)
			buf_adds(&b, nl > 1 ? "\n\n" : "\n");
		buf_addc(&b, *p);
		nl = 0;
	}
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.len--;
	b.data[b.len] = '\0';
	free(safe);
	return (b.data);
}

/*
 * The one rule for an item's title, whatever the format it came in: its
 * title when it has one; else the first words of its content (html, read
 * from its first RENDER_EXCERPT characters only, so that a listing, which
 * gets just those, names the item as `show` does), at most
 * RENDER_TITLE_WORDS bytes, "…" when cut; else "(untitled)".  Returns a
 * new string, not yet safe for a terminal.
 */
char *
render_item_title(const char *title, const char *html)
{
	const char	*p;
	char		*text, *t;
	size_t		 len, n, cut;
	uint32_t	 cp;

	if (title != NULL && title[strspn(title, " \t\r\n")] != '\0')
		return (xstrdup(title));
	if (html == NULL)
		return (xstrdup("(untitled)"));
	/* The first RENDER_EXCERPT characters, as SQLite's substr() counts. */
	for (p = html, n = 0; *p != '\0' && n < RENDER_EXCERPT; n++) {
		len = util_utf8_decode(p, strlen(p), &cp);
		p += len > 0 ? len : 1;
	}
	text = html_to_text(html, (size_t)(p - html), HTML_TEXT_INLINE);
	if (text == NULL || text[strspn(text, " ")] == '\0') {
		free(text);
		return (xstrdup("(untitled)"));
	}
	t = text + strspn(text, " ");
	len = strlen(t);
	if (len <= RENDER_TITLE_WORDS && (size_t)(p - html) == strlen(html)) {
		t = xstrdup(t);
		free(text);
		return (t);
	}
	/* Cut at the last space that fits, else inside the first word. */
	cut = len < RENDER_TITLE_WORDS ? len : RENDER_TITLE_WORDS;
	if (len > RENDER_TITLE_WORDS) {
		for (n = cut; n > 0 && t[n] != ' '; n--)
			;
		if (n > 0)
			cut = n;
		else
			while (cut > 0 &&
			    ((unsigned char)t[cut] & 0xc0) == 0x80)
				cut--;
	}
	while (cut > 0 && (t[cut - 1] == ' ' || strchr(",;:", t[cut - 1])))
		cut--;
	xasprintf(&t, "%.*s…", (int)cut, t);
	free(text);
	return (t);
}

/*
 * The date line of `show`: the item's date (published, else updated,
 * else first seen) in local time, once; how long ago only when that says
 * more than the date (within a week); when it was updated, if later than
 * published (the time alone on the same day).  Returns a new string.
 */
char *
render_dates(int64_t published, int64_t updated, int64_t first_seen,
    int64_t now)
{
	struct buf	 b;
	struct tm	 tm, tu;
	time_t		 tt;
	int64_t		 d;
	char		 date[64], *rel;

	d = published != DATE_NONE && published != 0 ? published :
	    updated != DATE_NONE && updated != 0 ? updated : first_seen;
	memset(&b, 0, sizeof b);
	tt = (time_t)d;
	localtime_r(&tt, &tm);
	strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
	buf_adds(&b, date);
	rel = render_reltime(d, now);
	/* render_reltime() gives the date itself past a week: no news. */
	if (strncmp(rel, date, strlen(rel)) != 0)
		buf_printf(&b, " (%s)", rel);
	free(rel);
	if (d == published && updated != DATE_NONE && updated != 0 &&
	    updated / 60 > published / 60) {
		tt = (time_t)updated;
		localtime_r(&tt, &tu);
		if (tu.tm_year == tm.tm_year && tu.tm_yday == tm.tm_yday)
			strftime(date, sizeof date, "%H:%M", &tu);
		else
			strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tu);
		buf_printf(&b, ", updated %s", date);
	}
	return (b.data);
}

/* The authority of url ("host" or "host:port"), borrowed, and its length. */
static const char *
render_url_host(const char *url, size_t *len)
{
	const char	*p, *at;

	if (url == NULL || (p = strstr(url, "://")) == NULL) {
		*len = url != NULL ? strlen(url) : 0;
		return (url != NULL ? url : "");
	}
	p += 3;
	*len = strcspn(p, "/?#");
	if ((at = memchr(p, '@', *len)) != NULL) {
		*len -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	return (p);
}

/* Folded titles, and the order of render_feed_labels()'s sort. */
static char	**render_folded;

/* qsort: by folded title. */
static int
render_folded_cmp(const void *a, const void *b)
{
	return (strcmp(render_folded[*(const size_t *)a],
	    render_folded[*(const size_t *)b]));
}

/* s with Unicode simple case folding (util_fold()): a new string. */
static char *
render_fold(const char *s)
{
	struct buf	 b;
	uint32_t	 cp;
	size_t		 n, len = strlen(s);

	memset(&b, 0, sizeof b);
	buf_grow(&b, len);
	while (len > 0) {
		if ((unsigned char)*s < 0x80) {
			/* ASCII, most titles: folded here, not decoded. */
			buf_addc(&b, *s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' :
			    *s);
			n = 1;
		} else if ((n = util_utf8_decode(s, len, &cp)) == 0) {
			buf_addc(&b, *s);
			n = 1;
		} else
			decode_put_utf8(&b, util_fold(cp));
		s += n;
		len -= n;
	}
	b.data[b.len] = '\0';
	return (b.data);
}

/*
 * Labels that tell n feeds apart: each title, and where another feed has
 * the same title (Unicode case folded, as names match), its host after it,
 * "Same (example.org)", or its URL when the hosts are the same too.
 * Sorted by folded title, so that thousands of feeds cost little.
 * Returns n new strings in a new array.
 */
char **
render_feed_labels(const char **titles, const char **urls, size_t n)
{
	char		**labels, **folded;
	const char	*hi, *hj;
	size_t		*order, i, j, k, m, end, li, lj;
	int		 same_host;

	labels = xcalloc(n + 1, sizeof *labels);
	folded = xcalloc(n + 1, sizeof *folded);
	order = xcalloc(n + 1, sizeof *order);
	for (i = 0; i < n; i++) {
		folded[i] = render_fold(titles[i]);
		order[i] = i;
	}
	render_folded = folded;
	qsort(order, n, sizeof *order, render_folded_cmp);
	render_folded = NULL;
	for (i = 0; i < n; i = end) {
		for (end = i + 1; end < n &&
		    strcmp(folded[order[i]], folded[order[end]]) == 0; end++)
			;
		for (j = i; j < end; j++) {
			k = order[j];
			if (end - i == 1) {
				labels[k] = xstrdup(titles[k]);
				continue;
			}
			hi = render_url_host(urls[k], &li);
			same_host = 0;
			for (m = i; m < end && !same_host; m++) {
				if (m == j)
					continue;
				hj = render_url_host(urls[order[m]], &lj);
				same_host = li == lj &&
				    strncasecmp(hi, hj, li) == 0;
			}
			if (!same_host)
				xasprintf(&labels[k], "%s (%.*s)", titles[k],
				    (int)li, hi);
			else
				xasprintf(&labels[k], "%s (%s)", titles[k],
				    urls[k] != NULL ? urls[k] : "");
		}
	}
	for (i = 0; i < n; i++)
		free(folded[i]);
	free(folded);
	free(order);
	return (labels);
}

/* ---------------------------------------------------------------- */
/* `feedctl parse`: a feed as JSON Feed 1.1, written as it is parsed. */

#define RENDER_JSONFEED_VERSION	"https://jsonfeed.org/version/1.1"

/* First flagged byte of a little-endian word (else: start at the word). */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define RENDER_CTZ64(v)	__builtin_ctzll(v)
#else
#define RENDER_CTZ64(v)	0
#endif

/*
 * The output is written by hand rather than with json_dumps(): jansson
 * decodes every string character by character to dump it, which cost
 * more than parsing the feed.  The layout is jansson's JSON_INDENT(2)
 * (keys in insertion order, UTF-8 kept, "/" not escaped), so the output
 * is the same text, at the speed of a memchr-style scan.
 */

/* Feed keys in output order. */
enum render_jsonfeed_key {
	K_TITLE, K_HOME, K_FEEDURL, K_DESC, K_ICON, K_LANG, K_AUTHORS, K_N
};

struct render_jsonfeed {
	FILE			*fp;
	const struct feed_meta	*m;	/* the parser's, filling in */
	struct buf		 b;	/* output not yet written */
	int			 begun;	/* "{" printed */
	int			 nitems;
	int			 done[K_N];
};

/* Bytes that a JSON string cannot hold as they are. */
static unsigned char render_jsonfeed_esc[256];

/* Append s as a JSON string. */
static void
render_jsonfeed_str(struct buf *b, const char *s)
{
	const uint64_t		 hi = 0x8080808080808080ULL;
	const uint64_t		 lo = 0x0101010101010101ULL;
	const uint64_t		 sp = 0x2020202020202020ULL;
	const uint64_t		 qq = 0x2222222222222222ULL;	/* '"' */
	const uint64_t		 bs = 0x5c5c5c5c5c5c5c5cULL;	/* '\\' */
	const unsigned char	*u = (const unsigned char *)s, *run, *end;
	uint64_t		 v;
	char			 tmp[8];

	if (render_jsonfeed_esc[0] == 0) {
		memset(render_jsonfeed_esc, 1, 0x20);
		render_jsonfeed_esc['"'] = render_jsonfeed_esc['\\'] = 1;
	}
	buf_addc(b, '"');
	end = u + strlen(s);
	for (;;) {
		run = u;
		/* Eight bytes at a time: none below 0x20, '"' or '\\'. */
		while (end - u >= 8) {
			memcpy(&v, u, 8);
			v = (((v - sp) & ~v) | (((v ^ qq) - lo) & ~(v ^ qq)) |
			    (((v ^ bs) - lo) & ~(v ^ bs))) & hi;
			if (v != 0) {
				u += RENDER_CTZ64(v) / 8;
				break;
			}
			u += 8;
		}
		while (!render_jsonfeed_esc[*u])
			u++;
		if (u > run)
			buf_add(b, run, (size_t)(u - run));
		if (*u == '\0')
			break;
		switch (*u) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\b': buf_add(b, "\\b", 2); break;
		case '\f': buf_add(b, "\\f", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default:
			snprintf(tmp, sizeof tmp, "\\u%04X", *u);
			buf_add(b, tmp, 6);
			break;
		}
		u++;
	}
	buf_addc(b, '"');
}

/* Append ind spaces. */
static void
render_jsonfeed_indent(struct buf *b, int ind)
{
	static const char	sp[] = "                ";

	while (ind > 0) {
		buf_add(b, sp, ind > 16 ? 16 : (size_t)ind);
		ind -= 16;
	}
}

/* Start the next member of an object whose keys sit at column ind. */
static void
render_jsonfeed_key(struct buf *b, int *n, int ind, const char *key)
{
	buf_adds(b, *n == 0 ? "{\n" : ",\n");
	render_jsonfeed_indent(b, ind);
	buf_addc(b, '"');
	buf_adds(b, key);
	buf_add(b, "\": ", 3);
	(*n)++;
}

/* Start the next element of an array whose elements sit at column ind. */
static void
render_jsonfeed_elem(struct buf *b, int *n, int ind)
{
	buf_adds(b, *n == 0 ? "[\n" : ",\n");
	render_jsonfeed_indent(b, ind);
	(*n)++;
}

/* Close an object or array whose members sat at column ind. */
static void
render_jsonfeed_close(struct buf *b, int ind, char c)
{
	buf_addc(b, '\n');
	render_jsonfeed_indent(b, ind - 2);
	buf_addc(b, c);
}

/* A string member, when s is present. */
static void
render_jsonfeed_put(struct buf *b, int *n, int ind, const char *key,
    const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	render_jsonfeed_key(b, n, ind, key);
	render_jsonfeed_str(b, s);
}

/* A number member, when v is not negative. */
static void
render_jsonfeed_num(struct buf *b, int *n, int ind, const char *key, int64_t v)
{
	if (v < 0)
		return;
	render_jsonfeed_key(b, n, ind, key);
	buf_printf(b, "%lld", (long long)v);
}

/* A date member, when t is present. */
static void
render_jsonfeed_date(struct buf *b, int *n, int ind, const char *key,
    int64_t t)
{
	char	buf[64];

	if (t != DATE_NONE && date_format_rfc3339(t, buf, sizeof buf) > 0)
		render_jsonfeed_put(b, n, ind, key, buf);
}

/* An "authors" member: people with a name or a URL (mailto: an email). */
static void
render_jsonfeed_people(struct buf *b, int *n, int ind,
    const struct feed_person *a, size_t na)
{
	char	*mailto;
	size_t	 i;
	int	 ne = 0, no;

	for (i = 0; i < na; i++) {
		if (a[i].name == NULL && a[i].url == NULL &&
		    a[i].email == NULL)
			continue;
		if (ne == 0)
			render_jsonfeed_key(b, n, ind, "authors");
		render_jsonfeed_elem(b, &ne, ind + 2);
		no = 0;
		render_jsonfeed_put(b, &no, ind + 4, "name", a[i].name);
		if (a[i].url != NULL)
			render_jsonfeed_put(b, &no, ind + 4, "url", a[i].url);
		else if (a[i].email != NULL) {
			xasprintf(&mailto, "mailto:%s", a[i].email);
			render_jsonfeed_put(b, &no, ind + 4, "url", mailto);
			free(mailto);
		}
		render_jsonfeed_close(b, ind + 4, '}');
	}
	if (ne > 0)
		render_jsonfeed_close(b, ind + 2, ']');
}

/* Write out what is buffered. */
static void
render_jsonfeed_flush(struct render_jsonfeed *o)
{
	if (o->b.len > 0)
		fwrite(o->b.data, 1, o->b.len, o->fp);
	buf_reset(&o->b);
}

/*
 * Print the feed keys known now and not printed yet.  An XML feed may name
 * more authors after its items, so its "authors" wait for the end (final).
 */
static void
render_jsonfeed_feed(struct render_jsonfeed *o, int final)
{
	const struct feed_meta	*m = o->m;
	const char		*names[K_N] = { "title", "home_page_url",
				    "feed_url", "description", "icon",
				    "language", "authors" };
	const char		*vals[K_N] = { m->title, m->home_page_url,
				    m->feed_url, m->description, m->icon,
				    m->language, NULL };
	int			 k, n = 1;

	if (!o->begun) {
		buf_adds(&o->b, "{\n  \"version\": \""
		    RENDER_JSONFEED_VERSION "\"");
		o->begun = 1;
	}
	for (k = 0; k < K_N; k++) {
		if (o->done[k])
			continue;
		if (k == K_AUTHORS) {
			if (m->nauthors == 0 || (!final &&
			    m->format != FEED_JSON10 &&
			    m->format != FEED_JSON11))
				continue;
			render_jsonfeed_people(&o->b, &n, 2, m->authors,
			    m->nauthors);
		} else {
			if (vals[k] == NULL || *vals[k] == '\0')
				continue;
			render_jsonfeed_put(&o->b, &n, 2, names[k], vals[k]);
		}
		o->done[k] = 1;
	}
}

/* The parser's item callback (arg: the writer): print the item at once. */
void
render_jsonfeed_item(const struct feed_item *it, void *arg)
{
	struct render_jsonfeed	*o = arg;
	struct buf		*b = &o->b;
	size_t			 i;
	int			 n = 0, na, nt;

	if (o->nitems == 0) {
		render_jsonfeed_feed(o, 0);
		buf_adds(b, ",\n  \"items\": [\n    ");
	} else
		buf_adds(b, ",\n    ");
	o->nitems++;

	render_jsonfeed_put(b, &n, 6, "id", it->id);
	render_jsonfeed_put(b, &n, 6, "url", it->url);
	render_jsonfeed_put(b, &n, 6, "external_url", it->external_url);
	render_jsonfeed_put(b, &n, 6, "title", it->title);
	render_jsonfeed_put(b, &n, 6, "content_html", it->content_html);
	render_jsonfeed_put(b, &n, 6, "content_text", it->content_text);
	render_jsonfeed_put(b, &n, 6, "summary", it->summary);
	render_jsonfeed_put(b, &n, 6, "image", it->image);
	render_jsonfeed_date(b, &n, 6, "date_published", it->published);
	render_jsonfeed_date(b, &n, 6, "date_modified", it->modified);
	render_jsonfeed_people(b, &n, 6, it->authors, it->nauthors);
	nt = 0;
	for (i = 0; i < it->ntags; i++) {
		if (nt == 0)
			render_jsonfeed_key(b, &n, 6, "tags");
		render_jsonfeed_elem(b, &nt, 8);
		render_jsonfeed_str(b, it->tags[i]);
	}
	if (nt > 0)
		render_jsonfeed_close(b, 8, ']');
	na = 0;
	for (i = 0; i < it->nattachments; i++) {
		int	 no = 0;

		if (na == 0)
			render_jsonfeed_key(b, &n, 6, "attachments");
		render_jsonfeed_elem(b, &na, 8);
		render_jsonfeed_put(b, &no, 10, "url", it->attachments[i].url);
		render_jsonfeed_put(b, &no, 10, "mime_type",
		    it->attachments[i].mime_type);
		render_jsonfeed_num(b, &no, 10, "size_in_bytes",
		    it->attachments[i].size);
		render_jsonfeed_num(b, &no, 10, "duration_in_seconds",
		    it->attachments[i].duration);
		render_jsonfeed_close(b, 10, '}');
	}
	if (na > 0)
		render_jsonfeed_close(b, 8, ']');
	if (n == 0)
		buf_adds(b, "{}");
	else
		render_jsonfeed_close(b, 6, '}');
	if (b->len >= 64 * 1024)
		render_jsonfeed_flush(o);
}

/*
 * A JSON Feed writer to fp, for a parser whose item callback is
 * render_jsonfeed_item() and whose meta render_jsonfeed_meta() names.
 */
struct render_jsonfeed *
render_jsonfeed_new(FILE *fp)
{
	struct render_jsonfeed	*o;

	/* The output is large: whole blocks. */
	setvbuf(fp, NULL, _IOFBF, 256 * 1024);
	o = xcalloc(1, sizeof *o);
	o->fp = fp;
	return (o);
}

/* The feed meta to print (the parser's, complete only at the end). */
void
render_jsonfeed_meta(struct render_jsonfeed *o, const struct feed_meta *m)
{
	o->m = m;
}

/*
 * End the document, also after an error if items were printed (ok: the
 * parse succeeded), write it out and free the writer.
 */
void
render_jsonfeed_end(struct render_jsonfeed *o, int ok)
{
	if (ok || o->nitems > 0) {
		if (o->nitems == 0) {
			render_jsonfeed_feed(o, 1);
			buf_adds(&o->b, ",\n  \"items\": []");
		} else {
			buf_adds(&o->b, "\n  ]");
			render_jsonfeed_feed(o, 1);
		}
		buf_adds(&o->b, "\n}\n");
	}
	render_jsonfeed_flush(o);
	buf_free(&o->b);
	free(o);
}
