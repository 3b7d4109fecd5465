#!/usr/bin/env python3
"""gen-feeds.py: deterministic corpus of realistic feeds for tests/bench/poll.

Writes N feeds into OUTDIR, rotating RSS 2.0 (.rss), Atom 1.0 (.atom) and
RSS 1.0 / RDF (.rdf), each with 10 to 100 items of news-article size: a
summary plus 1.2 to 5 KB of HTML content mixing English, French, German,
Spanish, Greek, Russian, Japanese and Chinese text, entities, links and
emphasis.  Everything comes from seeded RNGs: feed i depends only on
(seed, i), so the corpus for N=1000 is a prefix of the one for N=10000 and
two runs produce byte-identical files.  All files get the same fixed mtime
so servers send a stable Last-Modified.

Also writes OUTDIR/manifest.tsv (name, file, format, items, bytes) and
OUTDIR/manifest.total ("feeds N items M bytes B seed S version V"), and
prints the total line to stdout.  Stdlib only.
"""

import argparse
import html
import os
import random
import sys

VERSION = 1
MTIME = 1767225600  # 2026-01-01T00:00:00Z, the Last-Modified of every file.
BASE_TIME = 1767225600  # Newest possible item date.

WORDS = {
    "en": (
        "the council said on Tuesday that a new budget would fund schools "
        "roads and hospitals across the region while critics warned of rising "
        "costs inflation energy prices market investors shares fell sharply "
        "after the central bank signalled further rate increases officials "
        "confirmed the storm had damaged homes and cut power to thousands "
        "researchers published a study showing climate data satellite ocean "
        "temperatures record high minister parliament election campaign "
        "voters polls opposition leader agreement trade talks summit "
        "technology company software update security vulnerability users "
        "patch released football match season coach players stadium final "
        "museum exhibition artists history century archive festival city"
    ).split(),
    "fr": (
        "le gouvernement a annoncé mercredi une réforme des retraites qui "
        "suscite déjà la colère des syndicats à Paris où des milliers de "
        "manifestants ont défilé sous une pluie fine la préfecture évoque "
        "une mobilisation élevée les économistes prévoient une croissance "
        "modérée été hiver électricité théâtre éducation santé hôpital "
        "médecins grève négociations ministère député sénat élève école"
    ).split(),
    "de": (
        "die Bundesregierung hat am Donnerstag beschlossen dass die Förderung "
        "für Wärmepumpen verlängert wird Verbraucher müssen künftig höhere "
        "Gebühren zahlen während die Straßenbahn in München größere Wagen "
        "bekommt Bürgermeister Gemeinderat Haushalt Schüler Universität "
        "Forschung Ärzte Krankenhaus Übergang Grüße Österreich Zürich"
    ).split(),
    "es": (
        "el ayuntamiento aprobó el lunes un plan de vivienda que según la "
        "oposición llega tarde mientras los precios del alquiler siguen "
        "subiendo en Madrid y Barcelona la campaña electoral comenzó con "
        "debates sobre educación energía económica pequeña compañía año "
        "niños señal información además también después según"
    ).split(),
    "el": (
        "η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα για την οικονομία και την "
        "ενέργεια οι πολίτες στην Αθήνα και τη Θεσσαλονίκη περιμένουν "
        "αποφάσεις για τον προϋπολογισμό το υπουργείο υγείας νοσοκομεία"
    ).split(),
    "ru": (
        "правительство объявило в понедельник о новых мерах поддержки "
        "экономики жители Москвы и Санкт-Петербурга обсуждают цены на "
        "энергию выборы парламент министр университет исследование погода"
    ).split(),
    "ja": (
        "政府は 火曜日 新しい 経済対策を 発表した 東京 大阪 の 住民 は "
        "物価 上昇 に 懸念 を 示している 研究者 によると 気温 は 記録的"
    ).split(),
    "zh": (
        "政府 周三 宣布 新的 经济 措施 北京 上海 居民 关注 能源 价格 "
        "研究 人员 表示 气候 数据 显示 今年 夏天 气温 创下 纪录"
    ).split(),
}
LANG_WEIGHTS = [("en", 60), ("fr", 10), ("de", 10), ("es", 8), ("el", 3),
                ("ru", 3), ("ja", 3), ("zh", 3)]
EXTRAS = ["“quoted”", "‘single’", "—", "…", "€250", "£30", "±2 °C",
          "AT&T", "R&D", "5 < 7", "x > y", "naïve", "café", "piñata",
          "Ω", "✓", "😀", "🚀", "½", "™"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]


def gen_sentence(rng, lang):
	"""One plain-text sentence in lang, with the odd symbol or emoji."""
	words = WORDS[lang]
	n = rng.randint(8, 24)
	out = [rng.choice(words) for _ in range(n)]
	if rng.random() < 0.3:
		out.insert(rng.randrange(len(out)), rng.choice(EXTRAS))
	sep = "" if lang in ("ja", "zh") else " "
	s = sep.join(out)
	s = s[0].upper() + s[1:]
	return s + ("。" if lang in ("ja", "zh") else rng.choice(".....?!"))


def build_pool(seed, size):
	"""A pool of HTML sentences (escaped text, some inline markup)."""
	rng = random.Random("pool:%d" % seed)
	langs = [l for l, w in LANG_WEIGHTS for _ in range(w)]
	pool = []
	for i in range(size):
		lang = rng.choice(langs)
		s = html.escape(gen_sentence(rng, lang), quote=False)
		r = rng.random()
		words = s.split(" ")
		if r < 0.15 and len(words) > 4:
			j = rng.randrange(len(words) - 2)
			words[j] = ('<a href="https://www.example.org/%s/%d">%s</a>'
			    % (lang, i, words[j]))
		elif r < 0.30 and len(words) > 4:
			j = rng.randrange(len(words) - 2)
			tag = rng.choice(["em", "strong", "code"])
			words[j] = "<%s>%s</%s>" % (tag, words[j], tag)
		pool.append(" ".join(words))
	return pool


def gen_content(rng, pool):
	"""1.2 to 5 KB of article HTML built from pool sentences."""
	target = rng.randint(1200, 5000)
	parts = []
	size = 0
	while size < target:
		k = rng.randint(2, 6)
		p = " ".join(rng.choice(pool) for _ in range(k))
		r = rng.random()
		if r < 0.08:
			frag = "<blockquote><p>%s</p></blockquote>" % p
		elif r < 0.14:
			frag = "<h3>%s</h3>" % rng.choice(pool)[:60].rsplit(" ", 1)[0]
		elif r < 0.20:
			frag = ('<figure><img src="https://img.example.net/%08x.jpg" '
			    'alt="photo" width="640" height="360"/><figcaption>%s'
			    "</figcaption></figure>"
			    % (rng.getrandbits(32), rng.choice(pool)))
		elif r < 0.25:
			frag = "<ul>%s</ul>" % "".join(
			    "<li>%s</li>" % rng.choice(pool)
			    for _ in range(rng.randint(2, 5)))
		else:
			frag = "<p>%s</p>" % p
		parts.append(frag)
		size += len(frag.encode("utf-8"))
	return "\n".join(parts)


def plain_title(rng, pool, maxlen):
	"""A title: the start of a pool sentence, markup and entities kept out."""
	s = rng.choice(pool)
	t = []
	for w in s.split(" "):
		if "<" in w or ">" in w or "&" in w or "=" in w:
			continue
		t.append(w)
	txt = " ".join(t)[:maxlen].rstrip(" .!?")
	return txt or "Untitled"


def rfc822(t):
	"""RFC 822 date, as RSS 2.0 wants."""
	import time
	g = time.gmtime(t)
	return "%s, %02d %s %04d %02d:%02d:%02d +0000" % (
	    DAYS[g.tm_wday], g.tm_mday, MONTHS[g.tm_mon - 1], g.tm_year,
	    g.tm_hour, g.tm_min, g.tm_sec)


def rfc3339(t):
	"""RFC 3339 date, as Atom and dc:date want."""
	import time
	return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def x(s):
	"""Escape text for an XML element or attribute."""
	return html.escape(s, quote=True)


def cdata(s):
	"""Wrap s in CDATA (pool text never contains ']]>')."""
	return "<![CDATA[" + s + "]]>"


def gen_items(rng, pool, feedname, site, nitems):
	"""The items of one feed, newest first, each a dict."""
	t = BASE_TIME - rng.randint(0, 86400 * 3)
	items = []
	for n in range(nitems):
		t -= rng.randint(300, 86400)
		slug = "%s-%d-%06x" % (feedname, nitems - n, rng.getrandbits(24))
		content = gen_content(rng, pool)
		summary = plain_title(rng, pool, 240)
		items.append({
		    "title": plain_title(rng, pool, 90),
		    "link": "%s/articles/%s.html" % (site, slug),
		    "guid": "urn:uuid:%032x" % rng.getrandbits(128),
		    "author": rng.choice(["Anna Müller", "José García",
			"Zoë Dubois", "Łukasz Nowak", "山田 太郎", "Ωmega Desk",
			"Newsroom", "Ivan Petrov", "Chloé Martin"]),
		    "date": t,
		    "summary": summary,
		    "content": content,
		    "cat": rng.choice(["World", "Économie", "Technik", "Sport",
			"Culture", "Ciencia", "Politik", "Santé"]),
		})
	return items


def gen_rss2(rng, pool, name, site, title, items):
	"""An RSS 2.0 document; guid styles and content encodings vary."""
	style = rng.randrange(4)
	out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
	    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/'
	    'modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
	    'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
	    "<title>%s</title>\n<link>%s/</link>\n"
	    '<atom:link href="%s/%s.rss" rel="self" '
	    'type="application/rss+xml"/>\n'
	    "<description>%s</description>\n<language>en</language>\n"
	    "<lastBuildDate>%s</lastBuildDate>\n<ttl>30</ttl>\n"
	    % (x(title), site, site, name, x(title), rfc822(items[0]["date"]))]
	for it in items:
		out.append("<item>\n<title>%s</title>\n<link>%s</link>\n"
		    % (x(it["title"]), x(it["link"])))
		if style == 0:
			out.append('<guid isPermaLink="true">%s</guid>\n'
			    % x(it["link"]))
		elif style in (1, 2):
			out.append('<guid isPermaLink="false">%s</guid>\n'
			    % it["guid"])
		# style 3: no guid, identity comes from the link.
		out.append("<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n"
		    "<category>%s</category>\n"
		    % (rfc822(it["date"]), x(it["author"]), x(it["cat"])))
		if style == 2:
			# Full article entity-escaped in description only.
			out.append("<description>%s</description>\n"
			    % x(it["content"]))
		else:
			out.append("<description>%s</description>\n"
			    "<content:encoded>%s</content:encoded>\n"
			    % (x(it["summary"]), cdata(it["content"])))
		out.append("</item>\n")
	out.append("</channel>\n</rss>\n")
	return "".join(out)


def gen_atom(rng, pool, name, site, title, items):
	"""An Atom 1.0 document; content escaped or in CDATA."""
	use_cdata = rng.random() < 0.4
	out = ['<?xml version="1.0" encoding="utf-8"?>\n'
	    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
	    "<title>%s</title>\n<subtitle>%s</subtitle>\n"
	    '<link rel="alternate" type="text/html" href="%s/"/>\n'
	    '<link rel="self" href="%s/%s.atom"/>\n'
	    "<id>%s/</id>\n<updated>%s</updated>\n"
	    "<generator>gen-feeds.py</generator>\n"
	    % (x(title), x(plain_title(rng, pool, 120)), site, site, name,
	    site, rfc3339(items[0]["date"]))]
	for it in items:
		c = cdata(it["content"]) if use_cdata else x(it["content"])
		out.append("<entry>\n<title type=\"html\">%s</title>\n"
		    '<link rel="alternate" type="text/html" href="%s"/>\n'
		    "<id>%s</id>\n<published>%s</published>\n"
		    "<updated>%s</updated>\n"
		    "<author><name>%s</name></author>\n"
		    '<category term="%s"/>\n'
		    "<summary type=\"text\">%s</summary>\n"
		    "<content type=\"html\">%s</content>\n</entry>\n"
		    % (x(it["title"]), x(it["link"]), it["guid"],
		    rfc3339(it["date"]), rfc3339(it["date"] + 600),
		    x(it["author"]), x(it["cat"]), x(it["summary"]), c))
	out.append("</feed>\n")
	return "".join(out)


def gen_rss1(rng, pool, name, site, title, items):
	"""An RSS 1.0 (RDF) document with dc: and content: modules."""
	out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
	    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
	    'xmlns="http://purl.org/rss/1.0/" '
	    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
	    'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
	    '<channel rdf:about="%s/%s.rdf">\n<title>%s</title>\n'
	    "<link>%s/</link>\n<description>%s</description>\n"
	    "<dc:date>%s</dc:date>\n<items>\n<rdf:Seq>\n"
	    % (site, name, x(title), site, x(title),
	    rfc3339(items[0]["date"]))]
	for it in items:
		out.append('<rdf:li rdf:resource="%s"/>\n' % x(it["link"]))
	out.append("</rdf:Seq>\n</items>\n</channel>\n")
	for it in items:
		out.append('<item rdf:about="%s">\n<title>%s</title>\n'
		    "<link>%s</link>\n<description>%s</description>\n"
		    "<content:encoded>%s</content:encoded>\n"
		    "<dc:date>%s</dc:date>\n<dc:creator>%s</dc:creator>\n"
		    "<dc:subject>%s</dc:subject>\n</item>\n"
		    % (x(it["link"]), x(it["title"]), x(it["link"]),
		    x(it["summary"]), cdata(it["content"]),
		    rfc3339(it["date"]), x(it["author"]), x(it["cat"])))
	out.append("</rdf:RDF>\n")
	return "".join(out)


FORMATS = [("rss2", "rss", gen_rss2), ("atom", "atom", gen_atom),
           ("rss1", "rdf", gen_rss1)]


def gen_feed(seed, i, pool):
	"""Feed number i (1-based): (name, filename, format, nitems, text)."""
	rng = random.Random("feed:%d:%d" % (seed, i))
	name = "f%05d" % i
	fmt, ext, fn = FORMATS[(i - 1) % 3]
	site = "https://news%d.example.com" % i
	title = "%s %d" % (plain_title(rng, pool, 50), i)
	nitems = rng.randint(10, 100)
	items = gen_items(rng, pool, name, site, nitems)
	return name, "%s.%s" % (name, ext), fmt, nitems, fn(rng, pool, name,
	    site, title, items)


def main():
	"""Parse arguments and write the corpus."""
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	ap.add_argument("-n", "--count", type=int, default=1000)
	ap.add_argument("-s", "--seed", type=int, default=1)
	ap.add_argument("-o", "--out", required=True)
	a = ap.parse_args()
	if a.count < 1:
		ap.error("--count must be at least 1")
	os.makedirs(a.out, exist_ok=True)
	pool = build_pool(a.seed, 4000)
	total = 0
	nbytes = 0
	rows = []
	for i in range(1, a.count + 1):
		name, fname, fmt, nitems, text = gen_feed(a.seed, i, pool)
		data = text.encode("utf-8")
		path = os.path.join(a.out, fname)
		with open(path, "wb") as f:
			f.write(data)
		os.utime(path, (MTIME, MTIME))
		total += nitems
		nbytes += len(data)
		rows.append("%s\t%s\t%s\t%d\t%d\n" % (name, fname, fmt, nitems,
		    len(data)))
	with open(os.path.join(a.out, "manifest.tsv"), "w") as f:
		f.writelines(rows)
	line = "feeds %d items %d bytes %d seed %d version %d" % (a.count,
	    total, nbytes, a.seed, VERSION)
	with open(os.path.join(a.out, "manifest.total"), "w") as f:
		f.write(line + "\n")
	print(line)
	return 0


if __name__ == "__main__":
	sys.exit(main())
