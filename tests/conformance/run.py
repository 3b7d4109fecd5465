#!/usr/bin/env python3
"""run.py: run other parsers' conformance documents through `feedctl parse`.

Each document under tests/data/conformance/<suite>/ carries its suite's own
assertion: feedparser's header comment ("Expect: not bozo and
entries[0]['title'] == u'...'", with optional "Header: Content-Location:"),
or, for suites that keep expectations apart from the documents, an entry in
<suite>/expect.json written in the same feedparser vocabulary.  The
assertion is read with Python's ast module and each comparison of a simple
form is mapped onto our JSON Feed output:

  feed title/subtitle/link/author   title/description/home_page_url/authors[0]
  entries[i] title/link/id/guid      items[i] title/url/id
  summary/description                summary (else content_html/content_text)
  content[0].value                   content_html (else content_text)
  published/updated(_parsed)         date_published/date_modified (UTC)
  author(_detail.name/href)          authors[0].name/url
  tags[j].term, category             tags[j]
  enclosures[j].href/length/type     attachments[j].url/size_in_bytes/mime_type

Comparisons that cannot be mapped (bozo, author e-mail, xml:base values,
rel names, feedparser-only keys) are counted as skipped.  Differences that
follow from a design choice of ours rather than a bug are classified as
"design:<category>" and are not failures:

  plain-text-title  titles and the feed description are text: feedparser
                    keeps their HTML
  sanitized         equal once the expected HTML loses what our sanitizer
                    (src/sanitize.c) drops and feedparser's keeps: class,
                    rel, id, style attributes and the like
  whitespace        markup equal but for insignificant whitespace
  serialization     equal as HTML: entities decoded, attribute quotes,
                    "<br/>" against "<br>", whitespace folded (both
                    sanitizers re-serialize the HTML)
  (and those listed in tests/conformance/design.txt, judged by hand)
  atom-xhtml-div    Atom type="xhtml": the wrapping xhtml:div is not part
                    of the content (RFC 4287 3.1.1.3); feedparser keeps it

Usage:
  run.py [--feedctl PATH] [--verbose] [--only SUBSTR]
  run.py --tap [--known FILE]   TAP for `make check`: known failures
                                (tests/conformance/known-failures.txt) are
                                reported "not ok ... # TODO".
Exit status: 0 when no unexpected failure, 1 otherwise.
"""

import argparse
import ast
import calendar
import email.utils
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(SRCDIR, "tests", "data", "conformance")
DOCROOT = "http://127.0.0.1:8097/"   # where feedparser's tests serve files


class Skip(Exception):
    """An assertion part that cannot be mapped onto JSON Feed."""


# ---------------------------------------------------------------- reading

def header_fields(raw):
    """Return Description/Expect/Header values of the first <!-- --> block."""
    text = raw.decode("utf-8", "replace")
    m = re.search(r"<!--(.*?)-->", text, re.S)
    fields = {"headers": []}
    if not m:
        return fields
    for line in m.group(1).splitlines():
        line = line.strip()
        mm = re.match(r"(Description|Expect|Header|Skip-Reason):\s*(.*)",
                      line)
        if not mm:
            continue
        key, val = mm.group(1), mm.group(2).strip()
        if key == "Header":
            fields["headers"].append(val)
        else:
            fields[key] = val
    return fields


def base_url(relpath, headers):
    """The --base feedparser's test server would give this document."""
    url = DOCROOT + "tests/" + relpath
    for h in headers:
        k, _, v = h.partition(":")
        if k.strip().lower() == "content-location":
            url = urllib.parse.urljoin(url, v.strip())
    return url


# ---------------------------------------------------------------- values

class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []

    def handle_data(self, data):
        self.out.append(data)


def html_to_text(s):
    """HTML fragment to its plain text, whitespace folded."""
    p = _Text()
    p.feed(s)
    p.close()
    return " ".join("".join(p.out).split())


def fold_ws(s):
    s = re.sub(r">\s+<", "><", s.strip())
    return " ".join(s.split())


def serial(s):
    """Markup with void-element slashes and whitespace folded away."""
    return re.sub(r"\s*/>", ">", fold_ws(s))


# What src/sanitize.c keeps, for comparing with another sanitizer's output:
# attributes outside KEEP_ATTRS and elements in DROP_ELEMS (with their
# content) go from the expected HTML before the comparison.
KEEP_ATTRS = {"href", "hreflang", "src", "srcset", "sizes", "alt", "title",
              "lang", "dir", "width", "height", "cite", "datetime", "span",
              "colspan", "rowspan", "headers", "scope", "start", "reversed",
              "type", "value", "open", "poster", "controls", "loop", "muted",
              "preload", "media", "kind", "srclang", "label", "default"}
DROP_ELEMS = {"script", "style", "iframe", "object", "applet", "form", "svg",
              "math", "template", "head", "title", "frameset", "noembed",
              "noframes", "select", "textarea", "button", "map"}
VOID = {"area", "base", "basefont", "br", "col", "embed", "frame", "hr",
        "img", "input", "link", "meta", "param", "source", "track", "wbr"}


class _Canon(html.parser.HTMLParser):
    """HTML to a token list: entities decoded, whitespace folded."""

    def __init__(self, sanitize):
        super().__init__(convert_charrefs=True)
        self.sanitize = sanitize
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if self.skip or (self.sanitize and tag in DROP_ELEMS):
            if tag not in VOID:
                self.skip += 1
            return
        if self.sanitize:
            if tag in ("embed", "input", "link", "meta", "base", "param"):
                return
            attrs = [(k, v) for (k, v) in attrs if k in KEEP_ATTRS]
        self.out.append(("<", tag, tuple(sorted(attrs))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and not self.skip:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= 1
            return
        if tag not in VOID:
            self.out.append(("/", tag))

    def handle_data(self, data):
        if self.skip:
            return
        d = " ".join(data.split())
        if d:
            if self.out and self.out[-1][0] == "t":
                self.out[-1] = ("t", self.out[-1][1] + " " + d)
            else:
                self.out.append(("t", d))


def canon(s, sanitize=False):
    p = _Canon(sanitize)
    p.feed(s)
    p.close()
    return p.out


def parse_date(v):
    """A feedparser date (raw string or 9-tuple) to unix seconds, or Skip."""
    if isinstance(v, tuple):
        if len(v) < 6:
            raise Skip("short date tuple")
        return calendar.timegm(tuple(v[:6]) + (0, 0, 0))
    if not isinstance(v, str):
        raise Skip("date of type %s" % type(v).__name__)
    s = v.strip()
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)"
                 r"(?:\.\d+)?)?)?\s*(Z|[+-]\d\d:?\d\d)?$", s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        hh = int(m.group(4) or 0)
        mi = int(m.group(5) or 0)
        ss = int(m.group(6) or 0)
        t = calendar.timegm((y, mo, d, hh, mi, ss, 0, 0, 0))
        z = m.group(7)
        if z and z != "Z":
            z = z.replace(":", "")
            off = int(z[1:3]) * 3600 + int(z[3:5]) * 60
            t -= off if z[0] == "+" else -off
        return t
    tt = email.utils.parsedate_tz(s)
    if tt is None:
        raise Skip("date %r not understood by the harness" % s)
    return email.utils.mktime_tz(tt)


def got_date(s):
    if s is None:
        return None
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$", s)
    if not m:
        return ("bad", s)
    return calendar.timegm(tuple(int(x) for x in m.groups()) + (0, 0, 0))


# ---------------------------------------------------------------- mapping

def subpath(node):
    """Subscript/attribute chain on a Name to a list of keys, else None."""
    keys = []
    while True:
        if isinstance(node, ast.Subscript):
            sl = node.slice
            if isinstance(sl, ast.Index):       # Python < 3.9
                sl = sl.value
            if not isinstance(sl, ast.Constant):
                return None
            keys.append(sl.value)
            node = node.value
        elif isinstance(node, ast.Attribute):
            keys.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            keys.append(node.id)
            return list(reversed(keys))
        else:
            return None


TEXT_ALIASES = {"title": "title", "title_detail": "title"}
DESC_ALIASES = ("subtitle", "subtitle_detail", "description", "tagline",
                "tagline_detail", "info", "info_detail")
SUMMARY_ALIASES = ("summary", "summary_detail", "description")
PUB_ALIASES = ("published", "published_parsed", "issued", "issued_parsed",
               "created", "created_parsed")
UPD_ALIASES = ("updated", "updated_parsed", "modified", "modified_parsed",
               "date", "date_parsed")


def lookup(doc, path):
    """Map a feedparser path to (kind, got-values).  kind says how to compare.

    got-values is a list of acceptable candidates (first is reported)."""
    items = doc.get("items") or []
    if path[0] in ("feed", "channel"):
        obj, rest, level = doc, path[1:], "feed"
    elif path[0] in ("entries", "items"):
        if len(path) < 2 or not isinstance(path[1], int):
            raise Skip("entries without index")
        obj = items[path[1]] if path[1] < len(items) else {}
        rest, level = path[2:], "item"
    else:
        raise Skip("unmapped root %r" % path[0])
    if not rest:
        raise Skip("whole object")
    key = rest[0]
    tail = rest[1:]

    def detail_value():
        if tail and tail != ["value"]:
            raise Skip("%s.%s" % (key, tail[0]))

    authors = obj.get("authors") or []

    def author_field(idx, field):
        a = authors[idx] if idx < len(authors) else {}
        if field in ("name",):
            return ("text", [a.get("name")])
        if field in ("href", "url", "uri"):
            return ("url", [a.get("url")])
        raise Skip("author %s" % field)

    if key in TEXT_ALIASES:
        detail_value()
        return ("title", [obj.get("title")])
    if key in ("author", "creator"):
        if tail:
            raise Skip("author.%s" % tail[0])
        return author_field(0, "name")
    if key == "author_detail":
        if not tail:
            raise Skip("author_detail")
        return author_field(0, tail[0])
    if key == "authors":
        if len(tail) < 2 or not isinstance(tail[0], int):
            raise Skip("authors shape")
        return author_field(tail[0], tail[1])
    if level == "feed":
        if key in DESC_ALIASES:
            detail_value()
            return ("title", [doc.get("description")])
        if key == "link":
            return ("url", [doc.get("home_page_url")])
        if key == "links":
            if len(tail) == 2 and tail[1] == "href":
                return ("url", [doc.get("home_page_url"),
                                doc.get("feed_url")])
            raise Skip("links.%s" % (tail[-1] if tail else ""))
        if key == "language":
            return ("text", [doc.get("language")])
        if key == "icon":
            return ("url", [doc.get("icon")])
        if key == "image" and tail in (["href"], ["url"]):
            return ("url", [doc.get("icon")])
        raise Skip("feed.%s" % key)
    # item level
    if key == "link":
        return ("url", [obj.get("url")])
    if key == "links":
        if len(tail) == 2 and tail[1] == "href":
            cands = [obj.get("url"), obj.get("external_url")]
            cands += [a.get("url") for a in obj.get("attachments") or []]
            return ("url", cands)
        raise Skip("links.%s" % (tail[-1] if tail else ""))
    if key in ("id", "guid"):
        return ("text", [obj.get("id")])
    if key in SUMMARY_ALIASES:
        detail_value()
        s = obj.get("summary")
        if s is None:
            s = obj.get("content_html", obj.get("content_text"))
        return ("html", [s])
    if key == "content":
        if not tail:            # cfeedparser's adaptation: content value
            tail = [0, "value"]
        if len(tail) != 2 or tail[0] != 0:
            raise Skip("content shape")
        if tail[1] != "value":
            raise Skip("content.%s" % tail[1])
        return ("html", [obj.get("content_html", obj.get("content_text"))])
    if key in PUB_ALIASES:
        return ("date", [got_date(obj.get("date_published"))])
    if key in UPD_ALIASES:
        return ("date", [got_date(obj.get("date_modified")),
                         got_date(obj.get("date_published"))])
    if key in ("category",):
        tags = obj.get("tags") or []
        return ("text", [tags[0] if tags else None])
    if key == "tags":
        if len(tail) == 2 and tail[1] == "term":
            tags = obj.get("tags") or []
            j = tail[0]
            return ("text", [tags[j] if j < len(tags) else None])
        raise Skip("tags.%s" % (tail[-1] if tail else ""))
    if key == "enclosures" and not tail:
        return ("list", [obj.get("attachments") or []])
    if key == "tags" and not tail:
        return ("list", [obj.get("tags") or []])
    if key == "enclosures":
        if len(tail) != 2 or not isinstance(tail[0], int):
            raise Skip("enclosures shape")
        att = obj.get("attachments") or []
        a = att[tail[0]] if tail[0] < len(att) else {}
        f = tail[1]
        if f in ("href", "url"):
            return ("url", [a.get("url")])
        if f == "length":
            v = a.get("size_in_bytes")
            return ("text", [None if v is None else str(v)])
        if f == "type":
            return ("text", [a.get("mime_type")])
        raise Skip("enclosures.%s" % f)
    if key == "image":
        if tail == ["href"] or tail == ["url"]:
            return ("url", [obj.get("image")])
        raise Skip("image shape")
    if key in ("media_thumbnail",):
        if len(tail) == 2 and tail[1] == "url":
            return ("url", [obj.get("image")])
        raise Skip("media_thumbnail shape")
    raise Skip("entries.%s" % key)


def compare(kind, want, cands):
    """Return 'pass', 'design:<category>' or 'fail'."""
    got = cands[0]
    if want is None:            # "must be absent", e.g. a bad date
        return "pass" if got is None else "fail"
    if kind == "list":
        if want == []:
            return "pass" if got == [] else "fail"
        raise Skip("non-empty list")
    if kind == "date":
        w = parse_date(want)
        return "pass" if w in cands else "fail"
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        want = str(want)
    if not isinstance(want, str):
        raise Skip("expected %s" % type(want).__name__)
    if want in cands:
        return "pass"
    if want == "" and got is None:
        return "pass"           # feedparser's '' is our absent field
    if got is None and kind == "title" and html_to_text(want) == "":
        return "design:plain-text-title"    # markup only: no text
    if got is None:
        return "fail"
    if kind == "title":
        if got == html_to_text(want):
            return "design:plain-text-title"
        return "fail"
    if kind == "html":
        m = re.match(r"<div>(.*)</div>$", want, re.S)
        if m and got == m.group(1):
            return "design:atom-xhtml-div"
        if fold_ws(got) == fold_ws(want):
            return "design:whitespace"
        if serial(got) == serial(want) or canon(got) == canon(want):
            return "design:serialization"
        if canon(got) == canon(want, sanitize=True):
            return "design:sanitized"
        return "fail"
    return "fail"


def check_expr(expr, doc):
    """Evaluate one Expect expression; list of (text, status, want, got)."""
    try:
        tree = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        return [(expr, "skip:syntax", None, None)]
    parts = tree.values if (isinstance(tree, ast.BoolOp) and
                            isinstance(tree.op, ast.And)) else [tree]
    out = []
    for p in parts:
        src = ast.unparse(p) if hasattr(ast, "unparse") else expr
        try:
            out.append(check_one(p, doc, src))
        except Skip as e:
            out.append((src, "skip:%s" % e, None, None))
    return out


def literal(node):
    """A constant: literals, and strings joined with '+'."""
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)):
        a, b = literal(node.left), literal(node.right)
        if isinstance(a, str) and isinstance(b, str):
            return a + b
        raise Skip("non-literal")
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError):
        raise Skip("non-literal")


def check_one(node, doc, src):
    if isinstance(node, ast.Name) and node.id == "bozo":
        raise Skip("bozo")
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        if isinstance(node.operand, ast.Name) and node.operand.id == "bozo":
            raise Skip("bozo")
        raise Skip("not")
    if not isinstance(node, ast.Compare):
        raise Skip("form")
    if not all(isinstance(o, ast.Eq) for o in node.ops):
        raise Skip("operator")
    terms = [node.left] + list(node.comparators)
    # len(entries) == N
    if (isinstance(terms[0], ast.Call) and
            isinstance(terms[0].func, ast.Name) and
            terms[0].func.id == "len" and len(terms) == 2):
        p = subpath(terms[0].args[0]) if terms[0].args else None
        if p == ["entries"]:
            n = literal(terms[1])
            got = len(doc.get("items") or [])
            return (src, "pass" if got == n else "fail", n, got)
        raise Skip("len of %r" % p)
    paths = [subpath(t) for t in terms]
    consts = [t for t, p in zip(terms, paths) if p is None]
    if len(consts) != 1:
        raise Skip("shape")
    want = literal(consts[0])
    worst = "pass"
    shown = None
    for p in paths:
        if p is None:
            continue
        kind, cands = lookup(doc, p)
        st = compare(kind, want, cands)
        if shown is None or st != "pass":
            shown = cands[0]
        if st == "fail" or (st.startswith("design") and worst == "pass"):
            worst = st
    return (src, worst, want, shown)


# ---------------------------------------------------------------- running

def load_sidecars():
    """{relpath: expect} from every <suite>/expect.json."""
    out = {}
    for suite in sorted(os.listdir(DATA)):
        f = os.path.join(DATA, suite, "expect.json")
        if os.path.isfile(f):
            with open(f, encoding="utf-8") as fp:
                for k, v in json.load(fp).items():
                    out[suite + "/" + k] = v
    return out


def documents():
    for root, dirs, files in os.walk(DATA):
        dirs.sort()
        for name in sorted(files):
            if name in ("README.md", "expect.json", "LICENSE"):
                continue
            yield os.path.relpath(os.path.join(root, name), DATA)


def run_one(feedctl, rel, expect, headers):
    path = os.path.join(DATA, rel)
    # feedparser documents: served at DOCROOT + tests/<path in its tree>
    sub = rel.split("/", 1)[1] if "/" in rel else rel
    base = base_url(sub, headers)
    p = subprocess.run([feedctl, "parse", "--base", base, path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode >= 128 or p.returncode < 0:
        return [(expect, "fail", "no crash", "signal/exit %d: %s" %
                 (p.returncode, err[:200]))]
    if "ERROR: AddressSanitizer" in err or "runtime error" in err:
        return [(expect, "fail", "sanitizer-clean", err[:300])]
    # A document it gave up on may still have printed what it read.
    try:
        doc = json.loads(p.stdout.decode("utf-8")) if p.stdout else {}
    except ValueError as e:
        if p.returncode == 0:
            return [(expect, "fail", "JSON output", str(e))]
        doc = {}
    res = check_expr(expect, doc)
    if p.returncode != 0:
        # A rejected document: say why next to each failing check.
        msg = "exit %d: %s" % (p.returncode, err[:160])
        res = [(t, s, w, "%r [%s]" % (g, msg) if s == "fail" else g)
               for (t, s, w, g) in res]
    return res


def verdict(res):
    sts = [s for (_, s, _, _) in res]
    if "fail" in sts:
        return "fail"
    d = [s for s in sts if s.startswith("design")]
    if d:
        return d[0]
    if "pass" in sts:
        return "pass"
    return "skip"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feedctl", default=os.environ.get("FEEDCTL",
                                                        "feedctl"))
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("--known", default=os.path.join(HERE,
                                                    "known-failures.txt"))
    ap.add_argument("--only", default="")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--list-failing", action="store_true",
                    help="print failing documents, one a line")
    a = ap.parse_args()

    known = set()
    if os.path.exists(a.known):
        with open(a.known) as fp:
            for line in fp:
                line = line.split("#", 1)[0].strip()
                if line:
                    known.add(line)
    side = load_sidecars()
    overrides = {}
    with open(os.path.join(HERE, "design.txt")) as fp:
        for line in fp:
            w = line.split("#", 1)[0].split()
            if len(w) >= 2:
                overrides[w[0]] = w[1]
    counts = {}
    failures = []
    design = {}
    skipped_parts = {}
    n = 0
    unexpected = 0
    for rel in documents():
        if a.only and a.only not in rel:
            continue
        with open(os.path.join(DATA, rel), "rb") as fp:
            raw = fp.read()
        hf = header_fields(raw)
        expect = side.get(rel, hf.get("Expect"))
        parts = rel.split("/")
        suite = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
        if suite.startswith("feedparser/wellformed"):
            suite = "/".join(parts[:3])
        c = counts.setdefault(suite, {"pass": 0, "fail": 0, "skip": 0,
                                      "design": 0})
        if not expect:
            c["skip"] += 1
            v, res = "skip", []
        else:
            res = run_one(a.feedctl, rel, expect, hf["headers"])
            v = verdict(res)
            if v == "fail" and rel in overrides:
                v = "design:" + overrides[rel]
            c["design" if v.startswith("design") else v] += 1
        for (t, s, w, g) in res:
            if s.startswith("skip:"):
                skipped_parts[s[5:]] = skipped_parts.get(s[5:], 0) + 1
        if v.startswith("design"):
            design.setdefault(v[7:], []).append(rel)
        if v == "fail":
            failures.append((rel, res))
        if a.list_failing and v == "fail":
            print(rel)
        if a.tap:
            n += 1
            if v == "fail":
                why = "; ".join("%s: want %r got %r" % (t, w, g)
                                for (t, s, w, g) in res if s == "fail")
                if rel in known:
                    print("not ok - %s # TODO known failure" % rel)
                else:
                    unexpected += 1
                    print("not ok - %s" % rel)
                print("#   " + why[:400].replace("\n", "\\n"))
            elif v == "skip":
                print("ok - %s # SKIP nothing mappable" % rel)
            else:
                if rel in known:
                    print("# %s now passes: drop it from %s" %
                          (rel, os.path.basename(a.known)))
                extra = " (%s)" % v if v != "pass" else ""
                print("ok - %s%s" % (rel, extra))
        elif a.verbose:
            print("%-6s %s" % (v, rel))
    if a.tap:
        print("1..%d" % n)
        return 1 if unexpected else 0
    if a.list_failing:
        return 0
    print("%-34s  pass  fail  skip  design" % "suite")
    tot = {"pass": 0, "fail": 0, "skip": 0, "design": 0}
    for s, c in sorted(counts.items()):
        print("%-34s %5d %5d %5d %7d" % (s, c["pass"], c["fail"], c["skip"],
                                         c["design"]))
        for k in tot:
            tot[k] += c[k]
    print("%-34s %5d %5d %5d %7d" % ("total", tot["pass"], tot["fail"],
                                     tot["skip"], tot["design"]))
    if design:
        print("\ndesign differences:")
        for k, v in sorted(design.items()):
            print("  %-18s %3d  e.g. %s" % (k, len(v), v[0]))
    if a.verbose and skipped_parts:
        print("\nskipped assertion parts:")
        for k, v in sorted(skipped_parts.items(), key=lambda x: -x[1]):
            print("  %4d  %s" % (v, k))
    if failures:
        print("\nfailures:")
        for rel, res in failures:
            print("FAIL %s" % rel)
            for (t, s, w, g) in res:
                if s == "fail":
                    print("     %s\n       want: %r\n       got:  %r" %
                          (t, w, g))
    return 1 if tot["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
