/*
 * decode.c: a feed document's bytes to clean UTF-8, for parse.c.  It owns
 * the look at the first bytes (byte order mark, the XML declaration's
 * encoding; JSON, XML or an HTML page), conversion from other encodings
 * with iconv(3), validation and repair of UTF-8, and, for XML, a pre-pass
 * over the text for what libxml2 would misread: bare ampersands, HTML
 * named entities, odd character references and the plain-text entities the
 * document declares.  The result goes to a callback, in pieces of any size;
 * parse.c never sees raw bytes.
 *
 * Encoding strategy: the output is always clean UTF-8, so libxml2 can be
 * told to ignore the declared encoding.  UTF-8 input (declared, by default,
 * or BOM) is validated as it streams; a byte that is not valid UTF-8 is
 * taken as Windows-1252 (the usual culprit: Latin-1 text served as UTF-8).
 * Any other encoding is converted with iconv(3); ISO-8859-1 and US-ASCII
 * are read as Windows-1252, as browsers do; an unconvertible byte becomes
 * U+FFFD.  C0 control characters that XML forbids (NUL and friends) are
 * dropped.  So no input needs to be kept for a retry, and one bad byte
 * never costs more than one character.  A document declared Latin-1 whose
 * first non-ASCII character is valid multibyte UTF-8 is read as UTF-8.
 *
 * The pre-pass (XML only): a bare '&' that starts no reference ("Q&A") is
 * escaped, outside CDATA sections and comments, since libxml2 would drop
 * it.  An HTML entity that XML lacks (&nbsp;, &rsquo;: libxml2's HTML
 * table) becomes a character reference.  Entities the document declares
 * are expanded only if their value is plain text (nothing nests), within
 * DECODE_MAX_EXPANSION bytes in all; any other reference stays as text.
 * Numeric references are read as browsers do (&#146; is Windows-1252).
 *
 * Whatever the sizes of the pushes, the output is the same bytes: every
 * sequence, reference or marker cut by a push waits for the next one.  A
 * JSON document is kept whole and handed over, repaired, at the end.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "feedd.h"

/*
 * Index of the lowest set bit, for the eight-bytes-at-a-time scans; they
 * read words as little-endian (the lowest bit is the first byte) and fall
 * back to bytes elsewhere.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DECODE_CTZ64(v)	__builtin_ctzll(v)
#else
#define DECODE_CTZ64(v)	0
#endif

/*
 * Entities a document declares are expanded only when their value is plain
 * text (no '&', no '<': nothing nests, no billion laughs), for at most this
 * many entities of at most this size, and this many bytes in all.
 */
#define DECODE_MAX_ENTITIES	64
#define DECODE_MAX_ENTITY	1024
#define DECODE_MAX_EXPANSION	(1024 * 1024)

/* Bytes looked at before deciding format and encoding. */
#define DECODE_HEAD_MAX	1024

/* Where the bare-ampersand scan is. */
#define AMP_TEXT	0
#define AMP_CDATA	1
#define AMP_COMMENT	2

struct decode {
	decode_cb	 cb;
	void		*arg;
	enum decode_format format;

	struct buf	 head;		/* first bytes, until detection */
	struct buf	 json;		/* the whole JSON document */
	iconv_t		 cd;		/* non-UTF-8 input, or (iconv_t)-1 */
	int		 latin_guess;	/* declared Latin-1: UTF-8 really? */
	struct buf	 conv;		/* iconv output */
	struct buf	 join;		/* iconv input with carried bytes */
	struct buf	 join2;		/* UTF-8 input with carried bytes */
	struct buf	 fix;		/* repaired UTF-8 */
	unsigned char	 carry[8];	/* split sequence between pushes */
	size_t		 ncarry;
	unsigned char	 icarry[16];	/* split sequence for iconv */
	size_t		 nicarry;

	int		 astate;	/* AMP_*: where the '&' scan is */
	int		 amatch;	/* end marker bytes seen so far */
	struct buf	 acarry;	/* undecided tail of the last push */
	struct buf	 ajoin;
	struct buf	 aref;		/* a reference's replacement */
	char		*entname[DECODE_MAX_ENTITIES];	/* declared in the */
	char		*entvalue[DECODE_MAX_ENTITIES];	/* internal subset */
	size_t		 nent;
	size_t		 entbytes;	/* expanded so far */
};

/* Windows-1252 0x80-0x9f; 0 where the code page leaves a hole. */
static const uint16_t decode_cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/* Append code point c as UTF-8. */
void
decode_put_utf8(struct buf *b, uint32_t c)
{
	char	s[4];

	if (c < 0x80)
		buf_addc(b, (char)c);
	else if (c < 0x800) {
		s[0] = (char)(0xc0 | (c >> 6));
		s[1] = (char)(0x80 | (c & 0x3f));
		buf_add(b, s, 2);
	} else if (c < 0x10000) {
		s[0] = (char)(0xe0 | (c >> 12));
		s[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		s[2] = (char)(0x80 | (c & 0x3f));
		buf_add(b, s, 3);
	} else {
		s[0] = (char)(0xf0 | (c >> 18));
		s[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		s[3] = (char)(0x80 | (c & 0x3f));
		buf_add(b, s, 4);
	}
}

/*
 * Length of the valid UTF-8 sequence at s (n bytes available): >0 valid,
 * 0 an incomplete but so far valid prefix, -1 invalid.
 */
static int
decode_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char	c = s[0], lo = 0x80, hi = 0xbf;
	int		len, i;

	if (c < 0x80)
		return (1);
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return (-1);
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return (0);
		if (s[i] < lo || s[i] > hi)
			return (-1);
		lo = 0x80;
		hi = 0xbf;
	}
	return (len);
}

/* Whether a valid sequence is a character XML forbids. */
static int
decode_utf8_bad(const unsigned char *s, int len)
{
	if (len == 1)
		return (s[0] < 0x20 && s[0] != '\t' && s[0] != '\n' &&
		    s[0] != '\r');
	/* C1 controls: Windows-1252 text mislabelled, read as such. */
	if (len == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return (1);
	/* U+FFFE and U+FFFF. */
	return (len == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe);
}

/* Length of the leading part of s that is clean, complete UTF-8. */
static size_t
decode_utf8_clean(const unsigned char *s, size_t n)
{
	const uint64_t	 hi = 0x8080808080808080ULL;
	const uint64_t	 sp = 0x2020202020202020ULL;
	uint64_t	 v;
	size_t		 i = 0;
	unsigned char	 c;
	int		 len;

	while (i < n) {
		/* Eight printable ASCII bytes at a time. */
		while (n - i >= 8) {
			memcpy(&v, s + i, 8);
			if ((v = (v | ((v - sp) & ~v)) & hi) != 0) {
				/* Skip to the first byte that is not. */
				i += (size_t)DECODE_CTZ64(v) / 8;
				break;
			}
			i += 8;
		}
		/* Then one character, the common ones inline. */
		if (i >= n)
			break;
		c = s[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				break;
			i++;
		} else if (c >= 0xc2 && c <= 0xdf && n - i >= 2 &&
		    (s[i + 1] & 0xc0) == 0x80 &&
		    (c != 0xc2 || s[i + 1] >= 0xa0))
			i += 2;
		else if (n - i >= 3 && ((c >= 0xe1 && c <= 0xec) ||
		    c == 0xee || (c == 0xef && s[i + 1] != 0xbf)) &&
		    (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80)
			i += 3;
		else {
			len = decode_utf8_len(s + i, n - i);
			if (len <= 0 || decode_utf8_bad(s + i, len))
				break;
			i += len;
		}
	}
	return (i);
}

/* Repair, as decode_utf8_repair() does, from unsigned bytes. */
static size_t
decode_utf8_fix(struct buf *out, const unsigned char *s, size_t n,
    int final)
{
	size_t		i = 0, clean;
	uint32_t	c;
	int		len;

	while (i < n) {
		clean = decode_utf8_clean(s + i, n - i);
		buf_add(out, s + i, clean);
		i += clean;
		if (i >= n)
			break;
		len = decode_utf8_len(s + i, n - i);
		if (len == 0 && !final)
			break;
		if (len == 2) {
			/* U+0080-U+009F: as Windows-1252 ("demoronize"). */
			c = decode_cp1252[s[i + 1] - 0x80];
			decode_put_utf8(out, c != 0 ? c : 0xfffd);
			i += 2;
			continue;
		}
		if (len > 0) {
			i += len;	/* a forbidden character: drop it */
			continue;
		}
		if (s[i] >= 0x80 && s[i] < 0xa0) {
			c = decode_cp1252[s[i] - 0x80];
			decode_put_utf8(out, c != 0 ? c : 0xfffd);
		} else if (s[i] >= 0xa0)
			decode_put_utf8(out, s[i]);
		i++;
	}
	return (i);
}

/*
 * Append s to out, repairing it: invalid bytes are read as Windows-1252,
 * forbidden controls dropped.  Unless final, an incomplete sequence at the
 * end is left alone; returns the bytes consumed.
 */
size_t
decode_utf8_repair(struct buf *out, const char *s, size_t n, int final)
{
	return (decode_utf8_fix(out, (const unsigned char *)s, n, final));
}

/*
 * Take s (allocated) and return it as valid UTF-8: s itself when it is,
 * else a repaired copy (s freed).  libxml2 can hand over attribute values
 * with a multi-byte character cut (an HTML entity after broken markup).
 */
char *
decode_utf8_own(char *s)
{
	struct buf	b = { NULL, 0, 0 };
	size_t		n = strlen(s);

	if (decode_utf8_clean((const unsigned char *)s, n) == n)
		return (s);
	decode_utf8_fix(&b, (const unsigned char *)s, n, 1);
	free(s);
	if (b.data == NULL)
		return (xstrdup(""));
	return (b.data);
}

/* A valid UTF-8 copy of s, for messages that quote input. */
char *
decode_utf8_copy(const char *s)
{
	return (decode_utf8_own(xstrdup(s)));
}

/* Cut an incomplete UTF-8 sequence off the end of b (after a cap). */
void
decode_utf8_cut(struct buf *b)
{
	size_t	i, back;
	int	len;

	if (b->len == 0)
		return;
	i = b->len;
	for (back = 0; back < 4 && i > 0; back++) {
		i--;
		if (((unsigned char)b->data[i] & 0xc0) != 0x80)
			break;
	}
	len = decode_utf8_len((unsigned char *)b->data + i, b->len - i);
	if (len <= 0 || (size_t)len != b->len - i) {
		b->len = i;
		b->data[i] = '\0';
	}
}

/* Hand decoded text on. */
static inline void
decode_out(struct decode *d, const char *s, size_t n, int final)
{
	d->cb(s, n, final, d->arg);
}

/*
 * Whether s (n bytes, at an '&') starts a character or entity reference:
 * 1 yes, 0 no, -1 cannot tell without more bytes.
 */
static int
decode_amp_ref(const unsigned char *s, size_t n)
{
	size_t	i, start;
	int	hex = 0;

	if (n < 2)
		return (-1);
	if (s[1] == '#') {
		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		start = i;
		while (i < n && i < 16 && (hex ? isxdigit(s[i]) :
		    isdigit(s[i])))
			i++;
		/* At the cap too, the next byte decides: wait for it. */
		if (i >= n)
			return (-1);
		return (i > start && s[i] == ';');
	}
	if (!isalpha(s[1]) && s[1] != '_' && s[1] != ':' && s[1] < 0x80)
		return (0);
	for (i = 2; i < n && i < 64; i++) {
		if (!isalnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != ':' && s[i] != '-' && s[i] < 0x80)
			break;
	}
	if (i >= n)
		return (-1);
	return (s[i] == ';');
}

/*
 * s is at an '&' that starts a complete reference.  Rewrite what libxml2
 * would get wrong, as browsers and feed readers read it: an HTML entity
 * that XML lacks (&nbsp;) becomes its character reference (which also
 * works in attribute values, where libxml2 would copy only the first byte
 * of an entity's value); an unknown entity stays as text ("&amp;foo;");
 * a character reference to a C1 control is read as Windows-1252
 * (&#146; is a quote), one to a character XML forbids becomes U+FFFD, and
 * "&#X41;" is read as "&#x41;".  Writes the replacement to aref and
 * returns the length of the reference replaced, or 0 to keep it.
 */
static size_t
decode_amp_rewrite(struct decode *d, const unsigned char *s)
{
	const htmlEntityDesc	*e;
	const char		*v;
	char			 name[64];
	uint32_t		 n = 0, c;
	size_t			 i, k;
	int			 hex = 0;

	buf_reset(&d->aref);

	if (s[1] == '#') {
		i = 2;
		if (s[i] == 'x' || s[i] == 'X')
			hex = s[i++];
		for (; s[i] != ';'; i++) {
			c = isdigit(s[i]) ? (uint32_t)(s[i] - '0') :
			    (uint32_t)(tolower(s[i]) - 'a' + 10);
			if (n < 0x110000)
				n = n * (hex ? 16 : 10) + c;
		}
		c = n;
		if (n >= 0x80 && n < 0xa0)
			c = decode_cp1252[n - 0x80] != 0 ?
			    decode_cp1252[n - 0x80] : 0xfffd;
		else if ((n < 0x20 && n != '\t' && n != '\n' && n != '\r') ||
		    (n >= 0xd800 && n < 0xe000) || n == 0xfffe ||
		    n == 0xffff || n > 0x10ffff)
			c = 0xfffd;
		if (c == n && hex != 'X')
			return (0);
		buf_printf(&d->aref, "&#%u;", c);
		return (i + 1);
	}
	for (i = 1; i < sizeof name && s[i] != ';'; i++)
		name[i - 1] = (char)s[i];
	if (i >= sizeof name)
		return (0);
	name[i - 1] = '\0';
	if (strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 ||
	    strcmp(name, "gt") == 0 || strcmp(name, "quot") == 0 ||
	    strcmp(name, "apos") == 0)
		return (0);
	for (k = 0; k < d->nent; k++) {
		if (strcmp(d->entname[k], name) != 0 ||
		    d->entbytes > DECODE_MAX_EXPANSION)
			continue;
		/* Declared by the document: its plain-text value. */
		for (v = d->entvalue[k]; *v != '\0'; v++) {
			if (*v == '"')
				buf_adds(&d->aref, "&#34;");
			else if (*v == '\'')
				buf_adds(&d->aref, "&#39;");
			else
				buf_addc(&d->aref, *v);
		}
		d->entbytes += d->aref.len;
		return (i + 1);
	}
	if ((e = htmlEntityLookup((const xmlChar *)name)) != NULL)
		buf_printf(&d->aref, "&#%u;", e->value);
	else
		buf_printf(&d->aref, "&amp;%s;", name);
	return (i + 1);
}

/*
 * Note an entity declaration (s is at "<!ENTITY", n bytes available) whose
 * value is plain text; the declaration itself passes on unchanged.
 * Returns -1 when more bytes are needed to tell, else 0.
 */
static int
decode_entity_decl(struct decode *d, const unsigned char *s, size_t n,
    int final)
{
	const unsigned char	*e = s + n, *t = s + 8, *name, *v, *q;
	size_t			 nlen;

	while (t < e && isspace(*t))
		t++;
	name = t;
	while (t < e && (isalnum(*t) || *t == '_' || *t == ':' ||
	    *t == '.' || *t == '-' || *t >= 0x80))
		t++;
	nlen = (size_t)(t - name);
	while (t < e && isspace(*t))
		t++;
	if (t >= e || (t < e && (*t == '"' || *t == '\'') &&
	    (q = memchr(t + 1, *t, (size_t)(e - t - 1))) == NULL)) {
		/* Cut off: wait for the rest, within reason. */
		return (!final && n < DECODE_MAX_ENTITY + 128 ? -1 : 0);
	}
	if (nlen == 0 || nlen >= 64 || (*t != '"' && *t != '\''))
		return (0);	/* a parameter or external entity */
	v = t + 1;
	q = memchr(v, *t, (size_t)(e - v));
	if (q == NULL || (size_t)(q - v) > DECODE_MAX_ENTITY ||
	    memchr(v, '&', (size_t)(q - v)) != NULL ||
	    memchr(v, '<', (size_t)(q - v)) != NULL ||
	    d->nent >= DECODE_MAX_ENTITIES)
		return (0);
	d->entname[d->nent] = xstrndup((const char *)name, nlen);
	d->entvalue[d->nent] = xstrndup((const char *)v, (size_t)(q - v));
	d->nent++;
	return (0);
}

/*
 * Inside a CDATA section or a comment at s[i]: skip to its end marker, or
 * to n, remembering a marker cut at the end.  Returns the new position.
 */
static size_t
decode_amp_skip(struct decode *d, const unsigned char *s, size_t i,
    size_t n)
{
	const char	*term, *hit;

	term = d->astate == AMP_CDATA ? "]]>" : "-->";
	while (d->amatch > 0 && i < n) {
		if (s[i] == (unsigned char)term[d->amatch]) {
			i++;
			if (++d->amatch == 3) {
				d->amatch = 0;
				d->astate = AMP_TEXT;
				break;
			}
		} else if (d->amatch == 2 && s[i] == (unsigned char)term[0])
			i++;	/* "]]]": the last two may still end it */
		else {
			d->amatch = 0;
			break;
		}
	}
	if (d->astate == AMP_TEXT || i >= n)
		return (i);
	/* The end marker's first byte is rare in text. */
	hit = memchr(s + i, term[0], n - i);
	while (hit != NULL && (size_t)((const unsigned char *)hit - s) + 3 <=
	    n && memcmp(hit, term, 3) != 0)
		hit = memchr(hit + 1, term[0], n - (size_t)
		    ((const unsigned char *)hit + 1 - s));
	if (hit != NULL && (size_t)((const unsigned char *)hit - s) + 3 <= n) {
		d->astate = AMP_TEXT;
		return ((size_t)((const unsigned char *)hit - s) + 3);
	}
	if (n - i >= 2 && s[n - 2] == term[0] && s[n - 1] == term[1])
		d->amatch = 2;
	else if (s[n - 1] == term[0])
		d->amatch = 1;
	return (n);
}

/*
 * At "<!" (left bytes available): enter a CDATA section or a comment, or
 * note an entity declaration.  Returns the bytes to step over, or 0 when
 * more are needed to tell.
 */
static size_t
decode_amp_markup(struct decode *d, const unsigned char *s, size_t left,
    int final)
{
	if (left >= 9 && memcmp(s, "<![CDATA[", 9) == 0) {
		d->astate = AMP_CDATA;
		return (9);
	}
	if (left >= 4 && memcmp(s, "<!--", 4) == 0) {
		d->astate = AMP_COMMENT;
		return (4);
	}
	if (left >= 8 && memcmp(s, "<!ENTITY", 8) == 0)
		return (decode_entity_decl(d, s, left, final) < 0 ? 0 : 8);
	if (!final && (memcmp(s, "<![CDATA[", left < 9 ? left : 9) == 0 ||
	    memcmp(s, "<!--", left < 4 ? left : 4) == 0 ||
	    memcmp(s, "<!ENTITY", left < 8 ? left : 8) == 0))
		return (0);
	return (1);
}

/*
 * The XML pre-pass: escape bare ampersands ("Fish & Chips", "?a=1&b=2"),
 * which libxml2 would drop, and rewrite references (decode_amp_rewrite()),
 * then hand the text on.  CDATA sections and comments are left alone; a
 * tail that cannot be decided yet waits for the next push.
 */
static void
decode_amp(struct decode *d, const char *buf, size_t n, int final)
{
	const uint64_t		 hi = 0x8080808080808080ULL;
	const uint64_t		 lo = 0x0101010101010101ULL;
	const uint64_t		 amp = 0x2626262626262626ULL;	/* '&' */
	const uint64_t		 lt = 0x3c3c3c3c3c3c3c3cULL;	/* '<' */
	const unsigned char	*s = (const unsigned char *)buf;
	uint64_t		 v;
	size_t			 i = 0, start = 0, left, len;
	int			 r;

	if (d->acarry.len > 0) {
		buf_reset(&d->ajoin);
		buf_add(&d->ajoin, d->acarry.data, d->acarry.len);
		buf_add(&d->ajoin, buf, n);
		buf_reset(&d->acarry);
		s = (const unsigned char *)d->ajoin.data;
		buf = d->ajoin.data;
		n = d->ajoin.len;
	}
	while (i < n) {
		if (d->astate != AMP_TEXT) {
			i = decode_amp_skip(d, s, i, n);
			continue;
		}
		if (s[i] != '&' && s[i] != '<') {
			i++;
			/* Eight bytes at a time while none is '&' or '<'. */
			while (n - i >= 8) {
				memcpy(&v, s + i, 8);
				v = ((((v ^ amp) - lo) & ~(v ^ amp)) |
				    (((v ^ lt) - lo) & ~(v ^ lt))) & hi;
				if (v != 0) {
					i += (size_t)DECODE_CTZ64(v) / 8;
					break;
				}
				i += 8;
			}
			continue;
		}
		left = n - i;
		if (s[i] == '<') {
			if (left >= 2 && s[i + 1] != '!')
				i += 2;
			else if ((len = decode_amp_markup(d, s + i, left,
			    final)) == 0)
				break;
			else
				i += len;
			continue;
		}
		r = decode_amp_ref(s + i, left);
		if (r == -1 && !final)
			break;
		if (r != 1) {
			if (i > start)
				decode_out(d, buf + start, i - start, 0);
			decode_out(d, "&amp;", 5, 0);
			start = i + 1;
		} else if ((len = decode_amp_rewrite(d, s + i)) > 0) {
			if (i > start)
				decode_out(d, buf + start, i - start, 0);
			decode_out(d, d->aref.data, d->aref.len, 0);
			start = i + len;
			i += len;
			continue;
		}
		i++;
	}
	if (i < n)
		buf_add(&d->acarry, s + i, n - i);
	decode_out(d, buf + start, i - start, final);
}

/* Repair UTF-8 input and pass it to the pre-pass. */
static void
decode_utf8(struct decode *d, const char *buf, size_t len, int final)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 clean, used;

	if (d->ncarry == 0) {
		clean = decode_utf8_clean(s, len);
		if (clean == len) {
			decode_amp(d, buf, len, final);
			return;
		}
		if (clean > 0)
			decode_amp(d, buf, clean, 0);
		s += clean;
		len -= clean;
		buf_reset(&d->fix);
		used = decode_utf8_fix(&d->fix, s, len, final);
	} else {
		/* Join the split sequence with the new bytes. */
		buf_reset(&d->fix);
		buf_reset(&d->join2);
		buf_add(&d->join2, d->carry, d->ncarry);
		buf_add(&d->join2, s, len);
		s = (const unsigned char *)d->join2.data;
		len = d->join2.len;
		used = decode_utf8_fix(&d->fix, s, len, final);
	}
	d->ncarry = len - used;
	if (d->ncarry > 0)
		memmove(d->carry, s + used, d->ncarry);
	decode_amp(d, d->fix.data != NULL ? d->fix.data : "", d->fix.len,
	    final);
}

/* Make room for n more bytes in b. */
static void
decode_reserve(struct buf *b, size_t n)
{
	if (b->cap - b->len > n)
		return;
	b->cap = b->len + n + 1;
	b->data = xrealloc(b->data, b->cap);
}

/* Convert input in another encoding to UTF-8 and pass it on. */
static void
decode_iconv(struct decode *d, const char *buf, size_t len, int final)
{
	struct buf	*out = &d->conv;
	char		*ip, *op;
	size_t		 il, ol, r;

	buf_reset(&d->join);
	buf_add(&d->join, d->icarry, d->nicarry);
	buf_add(&d->join, buf, len);
	d->nicarry = 0;
	ip = d->join.data;
	il = d->join.len;
	buf_reset(out);
	while (il > 0) {
		decode_reserve(out, 64 + il * 4);
		op = out->data + out->len;
		ol = out->cap - out->len - 1;
		r = iconv(d->cd, &ip, &il, &op, &ol);
		out->len = (size_t)(op - out->data);
		out->data[out->len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		if (errno == EINVAL && !final && il < sizeof d->icarry) {
			memcpy(d->icarry, ip, il);
			d->nicarry = il;
			break;
		}
		/* Invalid or truncated: one replacement character. */
		decode_put_utf8(out, 0xfffd);
		ip++;
		il--;
		iconv(d->cd, NULL, NULL, NULL, NULL);
	}
	decode_utf8(d, out->data != NULL ? out->data : "", out->len, final);
}

/*
 * A document declared Latin-1 (or ASCII, or Windows-1252) is often UTF-8
 * in truth.  Decide at its first non-ASCII character: if that is a valid
 * multibyte UTF-8 sequence (Latin-1 text almost never holds one), read the
 * document as UTF-8.  Returns 1 when it handled the input itself.
 */
static int
decode_latin_guess(struct decode *d, const char *buf, size_t len, int final)
{
	struct buf	 tmp = { NULL, 0, 0 };
	size_t		 i;
	int		 r;

	if (d->nicarry > 0) {
		buf_add(&tmp, d->icarry, d->nicarry);
		buf_add(&tmp, buf, len);
		d->nicarry = 0;
		buf = tmp.data;
		len = tmp.len;
	}
	for (i = 0; i < len && (unsigned char)buf[i] < 0x80; i++)
		;
	if (i == len) {
		/* ASCII so far reads the same either way. */
		decode_utf8(d, buf, len, final);
		buf_free(&tmp);
		return (1);
	}
	r = decode_utf8_len((const unsigned char *)buf + i, len - i);
	if (r == 0 && !final) {
		decode_utf8(d, buf, i, 0);
		memcpy(d->icarry, buf + i, len - i);
		d->nicarry = len - i;
		buf_free(&tmp);
		return (1);
	}
	d->latin_guess = 0;
	if (r > 1) {
		iconv_close(d->cd);
		d->cd = (iconv_t)-1;
	}
	if (tmp.data != NULL) {
		if (d->cd != (iconv_t)-1)
			decode_iconv(d, buf, len, final);
		else
			decode_utf8(d, buf, len, final);
		buf_free(&tmp);
		return (1);
	}
	return (0);
}

/* Pass XML input on to the decoder chosen at detection. */
static void
decode_xml(struct decode *d, const char *buf, size_t len, int final)
{
	if (d->latin_guess && decode_latin_guess(d, buf, len, final))
		return;
	if (d->cd != (iconv_t)-1)
		decode_iconv(d, buf, len, final);
	else
		decode_utf8(d, buf, len, final);
}

/* Map a declared encoding to what we read it as (NULL: UTF-8). */
static const char *
decode_encoding_name(const char *enc)
{
	static const char *latin[] = { "iso-8859-1", "iso8859-1", "latin1",
	    "latin-1", "l1", "iso_8859-1", "us-ascii", "ascii", "cp819",
	    "ibm819", "iso-ir-100", "windows-1252", "cp1252", "x-cp1252",
	    NULL };
	size_t	i;

	if (enc == NULL || strcasecmp(enc, "utf-8") == 0 ||
	    strcasecmp(enc, "utf8") == 0 ||
	    strncasecmp(enc, "utf-16", 6) == 0 ||
	    strncasecmp(enc, "utf-32", 6) == 0 ||
	    strcasecmp(enc, "utf16") == 0)
		return (NULL);
	for (i = 0; latin[i] != NULL; i++) {
		if (strcasecmp(enc, latin[i]) == 0)
			return ("WINDOWS-1252");
	}
	return (enc);
}

/* Find encoding="..." in an XML declaration. */
static char *
decode_decl_encoding(const char *s, size_t n)
{
	const char	*e, *v, *end;
	char		 q;

	if (n < 6 || strncmp(s, "<?xml", 5) != 0)
		return (NULL);
	if ((end = memmem(s, n, "?>", 2)) == NULL)
		end = s + n;
	if ((e = memmem(s, (size_t)(end - s), "encoding", 8)) == NULL)
		return (NULL);
	e += 8;
	while (e < end && isspace((unsigned char)*e))
		e++;
	if (e >= end || *e++ != '=')
		return (NULL);
	while (e < end && isspace((unsigned char)*e))
		e++;
	if (e >= end || (*e != '"' && *e != '\''))
		return (NULL);
	q = *e++;
	for (v = e; v < end && *v != q; v++) {
		if (!isalnum((unsigned char)*v) && strchr("._:-", *v) == NULL)
			return (NULL);
	}
	if (v >= end || v == e || v - e > 40)
		return (NULL);
	return (xstrndup(e, (size_t)(v - e)));
}

/*
 * A byte order mark, or UTF-16 without one ("<\0?\0"): sets the encoding
 * (NULL for UTF-8, or none) and the bytes to skip.  Returns 0 when more
 * bytes are needed to tell.
 */
static int
decode_bom(const unsigned char *s, size_t n, int final, const char **enc,
    size_t *skip)
{
	*enc = NULL;
	*skip = 0;
	if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		*skip = 3;
	else if (n >= 4 && memcmp(s, "\0\0\xfe\xff", 4) == 0) {
		*enc = "UTF-32BE";
		*skip = 4;
	} else if (n >= 4 && memcmp(s, "\xff\xfe\0\0", 4) == 0) {
		*enc = "UTF-32LE";
		*skip = 4;
	} else if (n >= 2 && s[0] == 0xfe && s[1] == 0xff) {
		*enc = "UTF-16BE";
		*skip = 2;
	} else if (n >= 2 && s[0] == 0xff && s[1] == 0xfe) {
		if (n < 4 && !final)
			return (0);
		*enc = "UTF-16LE";
		*skip = 2;
	} else if (n >= 4 && memcmp(s, "\0<\0?", 4) == 0)
		*enc = "UTF-16BE";
	else if (n >= 4 && memcmp(s, "<\0?\0", 4) == 0)
		*enc = "UTF-16LE";
	else if (n < 4 && !final)
		return (0);
	return (1);
}

/*
 * Without a BOM naming another encoding: after white space, '{' starts
 * JSON, "<!doctype html" an HTML page, anything else XML in the encoding
 * its declaration names.  The declaration is looked for in the first
 * DECODE_HEAD_MAX bytes only, however the input is split, so that chunking
 * never changes the encoding.  Moves *ip past the white space; returns
 * DECODE_MORE when more bytes are needed to tell.
 */
static enum decode_format
decode_sniff(struct decode *d, const unsigned char *s, size_t n, size_t *ip,
    int final)
{
	const char	*name;
	char		*decl = NULL;
	size_t		 i = *ip, hn;

	while (i < n && isspace(s[i]))
		i++;
	*ip = i;
	if (i == n && !final)
		return (DECODE_MORE);
	if (i < n && s[i] == '{')
		return (DECODE_JSON);
	if (n - i < 14 && !final)
		return (DECODE_MORE);
	if (n - i >= 14 && strncasecmp((const char *)s + i, "<!doctype html",
	    14) == 0)
		return (DECODE_HTML);
	if (i < n && s[i] == '<' && n - i >= 5 &&
	    memcmp(s + i, "<?xml", 5) == 0) {
		hn = n - i < DECODE_HEAD_MAX ? n - i : DECODE_HEAD_MAX;
		if (memmem(s + i, hn, "?>", 2) == NULL &&
		    hn < DECODE_HEAD_MAX && !final)
			return (DECODE_MORE);
		decl = decode_decl_encoding((const char *)s + i, hn);
	} else if (n - i < 5 && !final)
		return (DECODE_MORE);
	name = decode_encoding_name(decl);
	if (name != NULL) {
		d->cd = iconv_open("UTF-8", name);
		if (d->cd == (iconv_t)-1)
			log_debug("parse: unknown encoding %s", name);
		else if (strcmp(name, "WINDOWS-1252") == 0)
			d->latin_guess = 1;
	}
	free(decl);
	return (DECODE_XML);
}

/* The whole JSON document is in: repair it and hand it over. */
static void
decode_json_end(struct decode *d)
{
	struct buf	fixed = { NULL, 0, 0 };

	decode_utf8_fix(&fixed, (const unsigned char *)d->json.data,
	    d->json.len, 1);
	buf_free(&d->json);
	decode_out(d, fixed.data != NULL ? fixed.data : "", fixed.len, 1);
	buf_free(&fixed);
}

/*
 * Decide from the first bytes (in head) what the document is; once it is
 * known, pass them on as any later input.
 */
static void
decode_detect(struct decode *d, int final)
{
	const unsigned char	*s = (const unsigned char *)d->head.data;
	const char		*enc;
	size_t			 n = d->head.len, i;

	if (final && (n == 0 || strspn(d->head.data, " \t\r\n") == n)) {
		d->format = DECODE_EMPTY;
		return;
	}
	if (!decode_bom(s, n, final, &enc, &i))
		return;
	if (enc != NULL) {
		if ((d->cd = iconv_open("UTF-8", enc)) == (iconv_t)-1)
			fatal("iconv_open %s", enc);
		d->format = DECODE_XML;
	} else
		d->format = decode_sniff(d, s, n, &i, final);
	if (d->format == DECODE_XML)
		decode_xml(d, (const char *)s + i, n - i, final);
	else if (d->format == DECODE_JSON) {
		buf_add(&d->json, s + i, n - i);
		if (final)
			decode_json_end(d);
	}
}

/* Make a decoder that hands clean UTF-8 to cb. */
struct decode *
decode_new(decode_cb cb, void *arg)
{
	struct decode	*d;

	d = xcalloc(1, sizeof *d);
	d->cb = cb;
	d->arg = arg;
	d->format = DECODE_MORE;
	d->cd = (iconv_t)-1;
	return (d);
}

/*
 * Decode the next len bytes of the document; final: they are the last
 * (nothing may follow).  Returns what the document is, DECODE_MORE while
 * that is not known (never after final).  The callback gets the decoded
 * XML text in pieces, from the push that decided the format on, its last
 * call with final set; a JSON document comes whole in one final call.
 * Nothing is passed on for DECODE_HTML and DECODE_EMPTY.
 */
enum decode_format
decode_push(struct decode *d, const char *buf, size_t len, int final)
{
	switch (d->format) {
	case DECODE_MORE:
		buf_add(&d->head, buf, len);
		decode_detect(d, final);
		if (d->format != DECODE_MORE)
			buf_free(&d->head);
		break;
	case DECODE_XML:
		decode_xml(d, buf, len, final);
		break;
	case DECODE_JSON:
		buf_add(&d->json, buf, len);
		if (final)
			decode_json_end(d);
		break;
	default:
		break;
	}
	return (d->format);
}

/* What the document is, as far as known (see decode_push()). */
enum decode_format
decode_format(const struct decode *d)
{
	return (d->format);
}

/* Free a decoder. */
void
decode_free(struct decode *d)
{
	size_t	i;

	if (d == NULL)
		return;
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	buf_free(&d->head);
	buf_free(&d->json);
	buf_free(&d->conv);
	buf_free(&d->join);
	buf_free(&d->join2);
	buf_free(&d->fix);
	buf_free(&d->acarry);
	buf_free(&d->ajoin);
	buf_free(&d->aref);
	for (i = 0; i < d->nent; i++) {
		free(d->entname[i]);
		free(d->entvalue[i]);
	}
	free(d);
}
