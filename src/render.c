/*
 * render.c: feedctl's terminal output.  Owns the sanitiser that keeps feed
 * text (untrusted) from reaching the terminal as control characters or
 * escape sequences, display widths and column fitting, relative local
 * dates, colour (only on a terminal, never with NO_COLOR), and HTML to text
 * for `feedctl show` through html_to_text() from html.c.
 */
#include <sys/ioctl.h>

#include <stdlib.h>
#include <string.h>
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
