#!/usr/bin/env python3
# http_client.py: the test's own Miniflux API client (stdlib only).
# usage: http_client.py BASE USER PASSWORD TOKEN SCENARIO
# Prints "ok - what", "not ok - what" (then "  detail" lines) or
# "skip - why" per check; http_lib.sh turns them into TAP.  Field names
# and types are those of Miniflux's model package and its Go client
# (miniflux.app/v2/client/model.go).
import base64
import json
import re
import socket
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET
import http.client

BASE, USER, PASSWORD, TOKEN, SCENARIO = sys.argv[1:6]
HOST, PORT = urllib.parse.urlparse(BASE).hostname, urllib.parse.urlparse(BASE).port
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
UNAUTH = {"error_message": "access unauthorized"}


def check(what, cond, detail=None):
    print(("ok - " if cond else "not ok - ") + what)
    if not cond and detail is not None:
        print("  " + str(detail)[:600])
    sys.stdout.flush()
    return cond


def req(method, path, body=None, auth="basic", headers=None, raw=None):
    """One request on a new connection: (status, headers, body bytes)."""
    h = dict(headers or {})
    if auth == "basic":
        h["Authorization"] = "Basic " + base64.b64encode(
            ("%s:%s" % (USER, PASSWORD)).encode()).decode()
    elif auth == "token":
        h["X-Auth-Token"] = TOKEN
    elif isinstance(auth, tuple):
        if auth[0] == "token":
            h["X-Auth-Token"] = auth[1]
        else:
            h["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % auth).encode()).decode()
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    c = http.client.HTTPConnection(HOST, PORT, timeout=30)
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    out = (r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read())
    c.close()
    return out


def jreq(method, path, body=None, **kw):
    st, h, b = req(method, path, body, **kw)
    try:
        return st, json.loads(b) if b else None
    except ValueError:
        return st, b


def is_error(st, v, code):
    return st == code and isinstance(v, dict) and \
        isinstance(v.get("error_message"), str) and list(v) == ["error_message"]


def types_ok(obj, spec):
    """spec: field -> type or tuple of types; returns the mismatches."""
    bad = []
    for k, t in spec.items():
        if k not in obj:
            bad.append("missing " + k)
        elif t is bool and not isinstance(obj[k], bool):
            bad.append("%s: %r" % (k, obj[k]))
        elif t is int and (isinstance(obj[k], bool) or not isinstance(obj[k], int)):
            bad.append("%s: %r" % (k, obj[k]))
        elif t is not bool and t is not int and not isinstance(obj[k], t):
            bad.append("%s: %r" % (k, obj[k]))
    return bad


FEED = {"id": int, "user_id": int, "feed_url": str, "site_url": str,
        "title": str, "checked_at": str, "next_check_at": str,
        "parsing_error_message": str, "parsing_error_count": int,
        "disabled": bool, "ignore_http_cache": bool, "crawler": bool,
        "category": dict, "icon": dict}
CATEGORY = {"id": int, "title": str, "user_id": int}
ENTRY = {"id": int, "user_id": int, "feed_id": int, "status": str,
         "hash": str, "title": str, "url": str, "comments_url": str,
         "published_at": str, "created_at": str, "changed_at": str,
         "content": str, "author": str, "share_code": str, "starred": bool,
         "reading_time": int, "enclosures": list, "feed": dict, "tags": list}


def feeds_by_name():
    st, v = jreq("GET", "/v1/feeds")
    return {f["feed_url"].rsplit("/", 1)[-1]: f for f in v}


def scenario_api():
    # Health and authentication.
    st, h, b = req("GET", "/healthcheck", auth=None)
    check("/healthcheck answers 200 OK without credentials",
          st == 200 and b == b"OK", (st, b))
    for what, auth in (("no credentials", None),
                       ("a wrong password", (USER, "nope")),
                       ("a wrong user", ("someone", PASSWORD)),
                       ("a wrong token", ("token", "tok-wrong"))):
        st, v = jreq("GET", "/v1/me", auth=auth)
        check("/v1/me with %s: 401 and no detail" % what,
              st == 401 and v == UNAUTH, (st, v))
    st, v = jreq("GET", "/v1/me", auth="token")
    check("/v1/me with the X-Auth-Token: 200", st == 200 and v["id"] == 1, v)
    st, v = jreq("GET", "/v1/me")
    check("/v1/me with Basic auth: the user, as Miniflux's User",
          st == 200 and v.get("username") == USER and
          not types_ok(v, {"id": int, "username": str, "is_admin": bool,
                           "theme": str, "language": str, "timezone": str,
                           "entry_sorting_direction": str,
                           "entries_per_page": int}), v)
    st, v = jreq("GET", "/v1/version")
    check("/v1/version: version, commit, build_date, compiler, arch, os",
          st == 200 and isinstance(v.get("version"), str) and v["version"]
          and all(isinstance(v.get(k), str) for k in
                  ("commit", "build_date", "go_version", "compiler", "arch",
                   "os")), v)

    # Feeds and categories.
    st, feeds = jreq("GET", "/v1/feeds")
    check("/v1/feeds lists the 3 feeds", st == 200 and
          isinstance(feeds, list) and len(feeds) == 3, feeds)
    bad = [types_ok(f, FEED) + types_ok(f["category"], CATEGORY)
           for f in feeds]
    check("/v1/feeds: Miniflux's field names and types",
          not any(bad), bad)
    check("/v1/feeds: times are RFC 3339",
          all(RFC3339.match(f["checked_at"]) for f in feeds),
          [f["checked_at"] for f in feeds])
    by = {f["feed_url"].rsplit("/", 1)[-1]: f for f in feeds}
    a, b_, c = by["a.xml"], by["b.xml"], by["c.xml"]
    check("a feed's category is its first tag; untagged is All (id 1)",
          a["category"]["title"] == "news" and
          c["category"]["title"] == "tech" and
          b_["category"] == {"id": 1, "title": "All", "user_id": 1,
                             "hide_globally": False},
          [f["category"] for f in feeds])
    check("a feed's title is the feeds file's", a["title"] == "Alpha", a)

    st, cats = jreq("GET", "/v1/categories")
    titles = sorted(x["title"] for x in cats) if st == 200 else None
    check("/v1/categories: All, news, tech (a second tag is no category)",
          titles == ["All", "news", "tech"], cats)
    check("/v1/categories: ids and types",
          all(not types_ok(x, CATEGORY) for x in cats) and
          len(set(x["id"] for x in cats)) == 3, cats)
    news = [x["id"] for x in cats if x["title"] == "news"][0]
    st, v = jreq("GET", "/v1/categories/%d/feeds" % news)
    check("/v1/categories/{id}/feeds: the feeds of that category",
          st == 200 and [f["id"] for f in v] == [a["id"]], v)
    st, v = jreq("GET", "/v1/categories/1/feeds")
    check("/v1/categories/1/feeds: the untagged feeds",
          st == 200 and [f["id"] for f in v] == [b_["id"]], v)
    st, v = jreq("GET", "/v1/categories/123/feeds")
    check("/v1/categories/{unknown}/feeds: 404", is_error(st, v, 404),
          (st, v))

    st, v = jreq("GET", "/v1/feeds/%d" % a["id"])
    check("/v1/feeds/{id}: that feed", st == 200 and v["id"] == a["id"] and
          v["feed_url"] == a["feed_url"] and not types_ok(v, FEED), v)
    st, v = jreq("GET", "/v1/feeds/999999")
    check("/v1/feeds/{unknown id}: 404, Miniflux's error shape",
          is_error(st, v, 404), (st, v))
    for bad_id in ("abc", "0", "-3", "99999999999999999999"):
        st, v = jreq("GET", "/v1/feeds/" + bad_id)
        check("/v1/feeds/%s (id out of range): 400" % bad_id,
              is_error(st, v, 400), (st, v))

    st, v = jreq("GET", "/v1/feeds/counters")
    check("/v1/feeds/counters: reads and unreads by feed id",
          st == 200 and v.get("reads") == {} and
          v.get("unreads") == {str(a["id"]): 5, str(b_["id"]): 3,
                               str(c["id"]): 2}, v)

    # Entries, paged.
    st, v = jreq("GET", "/v1/entries?limit=3&direction=desc")
    check("/v1/entries: total counts all 10, limit gives 3",
          st == 200 and v["total"] == 10 and len(v["entries"]) == 3, v)
    bad = [types_ok(e, ENTRY) + types_ok(e["feed"], FEED)
           for e in v["entries"]]
    check("/v1/entries: Miniflux's Entry field names and types",
          not any(bad), bad)
    check("/v1/entries: times are RFC 3339, status unread",
          all(RFC3339.match(e["published_at"]) and
              RFC3339.match(e["created_at"]) and e["status"] == "unread"
              for e in v["entries"]), v["entries"][0])
    check("an entry's feed has its category",
          all(e["feed"]["category"]["title"] ==
              {a["id"]: "news", b_["id"]: "All", c["id"]: "tech"}[
                  e["feed_id"]] for e in v["entries"]), v["entries"])
    st, full = jreq("GET", "/v1/entries?limit=100&direction=desc")
    all_ids = [e["id"] for e in full["entries"]]
    pages, totals = [], set()
    for off in range(0, 12, 3):
        st, p = jreq("GET", "/v1/entries?limit=3&direction=desc&offset=%d"
                     % off)
        pages += [e["id"] for e in p["entries"]]
        totals.add(p["total"])
    check("paging by offset walks every entry once, in order",
          pages == all_ids and len(set(pages)) == 10, (pages, all_ids))
    check("every page says total 10", totals == {10}, totals)
    dates = [e["published_at"] for e in full["entries"]]
    check("direction=desc: newest first", dates == sorted(dates, reverse=True),
          dates)
    st, asc = jreq("GET", "/v1/entries?limit=100")
    check("no direction: ascending, as Miniflux's default",
          [e["id"] for e in asc["entries"]] == list(reversed(all_ids)),
          [e["id"] for e in asc["entries"]])

    # order=id is by entry id, not by date: Alpha's document lists its
    # items out of date order, so that the two orders differ here.
    check("the ids are not in date order (else order=id proves nothing)",
          all_ids != sorted(all_ids, reverse=True), all_ids)
    for q, want in (("order=id&direction=desc", sorted(all_ids, reverse=True)),
                    ("order=id&direction=asc", sorted(all_ids)),
                    ("order=id", sorted(all_ids)),
                    ("order=created_at&direction=desc",
                     sorted(all_ids, reverse=True)),
                    ("order=id&direction=desc&status=unread",
                     sorted(all_ids, reverse=True)),
                    ("order=id&direction=desc&search=alpha",
                     sorted((e["id"] for e in full["entries"]
                             if e["feed_id"] == a["id"]), reverse=True)),
                    ("order=published_at&direction=desc", all_ids),
                    ("order=status&direction=desc", all_ids),
                    ("order=category_id&direction=desc", all_ids),
                    ("order=category_title", list(reversed(all_ids)))):
        st, v = jreq("GET", "/v1/entries?limit=100&" + q)
        got = [e["id"] for e in v["entries"]] if st == 200 else v
        check("%s: %s" % (q, "by id" if "=id" in q or "created" in q
                          else "feedd's date order, as documented"),
              st == 200 and v["total"] == len(want) and got == want,
              (st, got, want))
    pages = []
    for off in range(0, 12, 4):
        st, p = jreq("GET", "/v1/entries?order=id&direction=desc&limit=4"
                     "&offset=%d" % off)
        pages += [e["id"] for e in p["entries"]]
    check("order=id, paged by offset: every entry once, by id",
          pages == sorted(all_ids, reverse=True), pages)
    a_ids = sorted(e["id"] for e in full["entries"] if e["feed_id"] == a["id"])
    st, v = jreq("GET", "/v1/feeds/%d/entries?order=id&after_entry_id=%d"
                 "&limit=2" % (a["id"], a_ids[0]))
    check("/v1/feeds/{id}/entries?order=id&after_entry_id: the next 2 by id",
          st == 200 and [e["id"] for e in v["entries"]] == a_ids[1:3] and
          v["total"] == 4, v)

    st, v = jreq("GET", "/v1/feeds/%d/entries?order=published_at&direction=desc"
                 % a["id"])
    check("/v1/feeds/{id}/entries (Newsboat's request): that feed's 5",
          st == 200 and v["total"] == 5 and
          {e["feed_id"] for e in v["entries"]} == {a["id"]}, v)
    st, v = jreq("GET", "/v1/categories/%d/entries" % news)
    check("/v1/categories/{id}/entries: the category's 5",
          st == 200 and v["total"] == 5, v)
    st, v = jreq("GET", "/v1/entries?category_id=1")
    check("category_id=1: the untagged feed's 3",
          st == 200 and v["total"] == 3, v)
    st, v = jreq("GET", "/v1/entries?feed_id=%d" % c["id"])
    check("feed_id: that feed's 2", st == 200 and v["total"] == 2, v)
    st, v = jreq("GET", "/v1/entries?category_id=77")
    check("category_id unknown: 400", is_error(st, v, 400), (st, v))
    st, v = jreq("GET", "/v1/entries?feed_id=424242")
    check("feed_id unknown: 400", is_error(st, v, 400), (st, v))
    st, v = jreq("GET", "/v1/feeds/424242/entries")
    check("/v1/feeds/{unknown}/entries: 404", is_error(st, v, 404), (st, v))
    st, v = jreq("GET", "/v1/entries?search=zanzibar")
    check("search: the one entry with that word",
          st == 200 and v["total"] == 1 and
          "zanzibar" in v["entries"][0]["title"], v)
    mid = sorted(all_ids)[4]
    st, v = jreq("GET", "/v1/entries?after_entry_id=%d&limit=100" % mid)
    check("after_entry_id: only later ids",
          st == 200 and sorted(e["id"] for e in v["entries"]) ==
          sorted(i for i in all_ids if i > mid), v)
    st, v = jreq("GET", "/v1/entries?before_entry_id=%d&limit=100" % mid)
    check("before_entry_id: only earlier ids",
          st == 200 and sorted(e["id"] for e in v["entries"]) ==
          sorted(i for i in all_ids if i < mid), v)
    st, v = jreq("GET", "/v1/entries?limit=5000")
    check("limit above the cap is clamped, not refused",
          st == 200 and len(v["entries"]) == 10, (st, v))
    for q, what in (("limit=-1", "negative limit"),
                    ("offset=-4", "negative offset"),
                    ("limit=ten", "limit not a number"),
                    ("status=removed", "an unknown status"),
                    ("order=colour", "an unknown order"),
                    ("direction=up", "an unknown direction")):
        st, v = jreq("GET", "/v1/entries?" + q)
        check("%s: 400 with a message" % what, is_error(st, v, 400) and
              v["error_message"], (st, v))

    e1 = all_ids[0]
    st, v = jreq("GET", "/v1/entries/%d" % e1)
    check("/v1/entries/{id}: the entry with its content and feed",
          st == 200 and v["id"] == e1 and not types_ok(v, ENTRY) and
          "<" in v["content"] and v["feed"]["id"] > 0, v)
    st, v = jreq("GET", "/v1/feeds/%d/entries/%d" % (v["feed_id"], e1))
    check("/v1/feeds/{id}/entries/{id}", st == 200 and v["id"] == e1, v)
    st, v = jreq("GET", "/v1/entries/987654321")
    check("/v1/entries/{unknown}: 404", is_error(st, v, 404), (st, v))

    # Writes.
    st, h, b = req("PUT", "/v1/entries", {"entry_ids": all_ids[:3],
                                          "status": "read"})
    check("PUT /v1/entries status read: 204", st == 204 and b == b"", (st, b))
    st, v = jreq("GET", "/v1/entries?status=read")
    check("status=read lists the 3 marked", st == 200 and v["total"] == 3 and
          sorted(e["id"] for e in v["entries"]) == sorted(all_ids[:3]), v)
    st, v = jreq("GET", "/v1/entries?status=unread")
    check("status=unread: 7 left", st == 200 and v["total"] == 7, v)
    st, v = jreq("GET", "/v1/entries?status=unread&status=read")
    check("status twice: both", st == 200 and v["total"] == 10, v)
    st, v = jreq("GET", "/v1/feeds/counters")
    check("counters follow: 3 read, 7 unread",
          sum(v["reads"].values()) == 3 and sum(v["unreads"].values()) == 7,
          v)
    st, h, b = req("PUT", "/v1/entries", {"entry_ids": [all_ids[0]],
                                          "status": "unread"})
    st2, v = jreq("GET", "/v1/entries/%d" % all_ids[0])
    check("PUT /v1/entries status unread marks it unread again",
          st == 204 and v["status"] == "unread", (st, v))
    st, h, b = req("PUT", "/v1/entries", {"entry_ids": [all_ids[1]],
                                          "status": "removed"})
    v = json.loads(b) if b else None
    st2, e = jreq("GET", "/v1/entries/%d" % all_ids[1])
    check("PUT /v1/entries status removed: 400, feedd removes nothing",
          is_error(st, v, 400) and "remove" in v["error_message"] and
          st2 == 200 and e["status"] == "read", (st, b, st2))
    st, h, b = req("PUT", "/v1/entries/%d/bookmark" % all_ids[5])
    st2, v = jreq("GET", "/v1/entries?starred=true")
    check("PUT /v1/entries/{id}/bookmark stars it (204)",
          st == 204 and v["total"] == 1 and
          v["entries"][0]["id"] == all_ids[5] and v["entries"][0]["starred"],
          (st, v))
    sfeed = next(e["feed"] for e in full["entries"] if e["id"] == all_ids[5])
    st, un = jreq("GET", "/v1/entries?status=unread&limit=100")
    for path, want in (
            ("/v1/entries?starred=false&limit=100",
             [i for i in all_ids if i != all_ids[5]]),
            ("/v1/entries?starred=0&direction=desc&order=id",
             sorted((i for i in all_ids if i != all_ids[5]), reverse=True)),
            ("/v1/entries?starred=false&status=unread&direction=desc",
             [e["id"] for e in reversed(un["entries"])
              if e["id"] != all_ids[5]]),
            ("/v1/feeds/%d/entries?starred=false&direction=desc" % sfeed["id"],
             [e["id"] for e in full["entries"]
              if e["feed_id"] == sfeed["id"] and e["id"] != all_ids[5]]),
            ("/v1/categories/%d/entries?starred=false&direction=desc"
             % sfeed["category"]["id"],
             [e["id"] for e in full["entries"]
              if e["feed"]["category"]["id"] == sfeed["category"]["id"] and
              e["id"] != all_ids[5]])):
        st, v = jreq("GET", path)
        got = [e["id"] for e in v["entries"]] if st == 200 else v
        if "direction" not in path:
            got = list(reversed(got))
        check("%s: the entries not starred" % path,
              st == 200 and v["total"] == len(want) and got == want and
              not any(e["starred"] for e in v["entries"]), (st, got, want))
    st, h, b = req("PUT", "/v1/entries/%d/bookmark" % all_ids[5])
    st2, v = jreq("GET", "/v1/entries?starred=1")
    check("bookmark again: unstarred", st == 204 and v["total"] == 0,
          (st, v))
    st, v = jreq("PUT", "/v1/entries/987654321/bookmark")
    check("bookmark of an unknown entry: 404", is_error(st, v, 404), (st, v))
    st, h, b = req("PUT", "/v1/feeds/%d/mark-all-as-read" % b_["id"])
    st2, v = jreq("GET", "/v1/feeds/counters")
    check("PUT /v1/feeds/{id}/mark-all-as-read: 204, its unread count 0",
          st == 204 and str(b_["id"]) not in v["unreads"] and
          v["reads"].get(str(b_["id"])) == 3, (st, v))
    st, v = jreq("PUT", "/v1/feeds/999999/mark-all-as-read")
    check("mark-all-as-read of an unknown feed: 404", is_error(st, v, 404),
          (st, v))
    st, h, b = req("PUT", "/v1/feeds/%d/refresh" % a["id"])
    check("PUT /v1/feeds/{id}/refresh: 204", st == 204, st)
    st, h, b = req("PUT", "/v1/feeds/refresh")
    check("PUT /v1/feeds/refresh: 204", st == 204, st)

    # Bad bodies.
    for what, raw in (("malformed JSON", b'{"entry_ids": [1,'),
                      ("a JSON array", b'[1, 2]'),
                      ("no entry_ids", b'{"status": "read"}'),
                      ("empty entry_ids", b'{"entry_ids": [], "status": "read"}'),
                      ("ids not numbers", b'{"entry_ids": ["a"], "status": "read"}'),
                      ("an unknown status", b'{"entry_ids": [1], "status": "gone"}'),
                      ("no status nor starred", b'{"entry_ids": [1]}')):
        st, h, b = req("PUT", "/v1/entries", raw=raw,
                       headers={"Content-Type": "application/json"})
        v = json.loads(b) if b else None
        check("PUT /v1/entries with %s: 400 with a message" % what,
              is_error(st, v, 400), (st, b))
    big = b'{"entry_ids": [' + b"1," * 60000 + b'1], "status": "read"}'
    st, h, b = req("PUT", "/v1/entries", raw=big,
                   headers={"Content-Type": "application/json"})
    check("a body over 64 KiB: 413", st == 413, (st, b[:200]))

    # Routing.
    st, v = jreq("GET", "/v1/nothing/here")
    check("an unknown path: 404, Miniflux's error shape",
          is_error(st, v, 404), (st, v))
    st, v = jreq("DELETE", "/v1/entries")
    check("a known path, another method: 405", is_error(st, v, 405), (st, v))
    st, v = jreq("GET", "//v1//me/")
    check("doubled and trailing slashes (Newsboat's URLs) are one path",
          st == 200 and v["id"] == 1, (st, v))

    # Export.
    st, h, b = req("GET", "/v1/export")
    try:
        root = ET.fromstring(b)
        urls = sorted(o.get("xmlUrl").rsplit("/", 1)[-1]
                      for o in root.iter("outline") if o.get("xmlUrl"))
    except ET.ParseError as e:
        urls = str(e)
    check("GET /v1/export: OPML with the 3 feeds",
          st == 200 and "xml" in h.get("content-type", "") and
          urls == ["a.xml", "b.xml", "c.xml"], (st, urls))

    # Limits: a header over the connection's memory, idle connections.
    s = socket.create_connection((HOST, PORT))
    s.sendall(b"GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 +
              b"\r\n\r\n")
    s.settimeout(10)
    try:
        first = s.recv(64)
    except (ConnectionResetError, socket.timeout):
        first = b""
    s.close()
    check("a header over the limit is refused (4xx or closed)",
          first == b"" or re.match(rb"HTTP/1\.[01] 4\d\d", first) is not None,
          first)
    conns, refused = [], 0
    for i in range(1000):
        try:
            conns.append(socket.create_connection((HOST, PORT), timeout=5))
        except OSError:
            refused += 1
    for s in conns:
        s.close()
    print("  %d idle connections opened, %d refused" % (len(conns), refused))
    # The server drops what is over its connection limit until it has
    # seen the others close: wait for that (bounded), then it must serve.
    st, v = None, None
    for i in range(100):
        try:
            st, v = jreq("GET", "/v1/me")
            break
        except (OSError, http.client.HTTPException) as e:
            st, v = None, repr(e)
            time.sleep(0.1)
    check("after 1,000 idle connections opened and closed: still serving",
          st == 200 and v["id"] == 1, (st, v))


def scenario_subscribe():
    """POST /v1/discover, POST /v1/feeds, DELETE /v1/feeds/{id}."""
    new_url = sys.argv[6]
    st, v = jreq("POST", "/v1/discover", {"url": new_url})
    if st == 501:
        print("skip - POST /v1/discover, /v1/feeds, DELETE /v1/feeds: "
              "feedd lacks discover/subscribe/unsubscribe (needs the "
              "i13-add merge): %s" % v.get("error_message"))
        return
    check("POST /v1/discover: the feed, as Miniflux's subscriptions",
          st == 200 and isinstance(v, list) and len(v) == 1 and
          v[0]["url"] == new_url and v[0]["type"] in ("rss", "atom") and
          isinstance(v[0]["title"], str), (st, v))
    st, v = jreq("POST", "/v1/discover", {"url": new_url + ".missing"})
    check("POST /v1/discover of nothing: an error", st >= 400 and
          isinstance(v, dict) and "error_message" in v, (st, v))
    st, v = jreq("POST", "/v1/discover", None, raw=b"{nope")
    check("POST /v1/discover, malformed JSON: 400", is_error(st, v, 400),
          (st, v))
    cats = jreq("GET", "/v1/categories")[1]
    news = [x["id"] for x in cats if x["title"] == "news"][0]
    st, v = jreq("POST", "/v1/feeds", {"feed_url": new_url,
                                       "category_id": news})
    check("POST /v1/feeds: 201 and the new feed_id",
          st == 201 and isinstance(v.get("feed_id"), int), (st, v))
    fid = v.get("feed_id") if isinstance(v, dict) else None
    st, f = jreq("GET", "/v1/feeds/%s" % fid)
    check("the new feed is listed, in the category asked",
          st == 200 and f["feed_url"] == new_url and
          f["category"]["id"] == news, (st, f))
    st, v = jreq("POST", "/v1/feeds", {"feed_url": new_url})
    check("POST /v1/feeds again: 400, a duplicate, as Miniflux",
          is_error(st, v, 400), (st, v))
    st, v = jreq("POST", "/v1/feeds", {"category_id": 1})
    check("POST /v1/feeds without feed_url: 400", is_error(st, v, 400),
          (st, v))
    st, h, b = req("DELETE", "/v1/feeds/%s" % fid)
    check("DELETE /v1/feeds/{id}: 204", st == 204, (st, b))
    st, v = jreq("GET", "/v1/feeds")
    check("the feed is gone from /v1/feeds",
          all(f["feed_url"] != new_url for f in v), v)
    st, v = jreq("DELETE", "/v1/feeds/999999")
    check("DELETE /v1/feeds/{unknown}: 404", is_error(st, v, 404), (st, v))


def scenario_throttle():
    """Failed logins from one address are throttled: 429, even when right."""
    codes = [jreq("GET", "/v1/me", auth=(USER, "wrong-%d" % i))[0]
             for i in range(8)]
    check("repeated wrong passwords: 401, then 429",
          codes[0] == 401 and codes[-1] == 429 and 429 in codes[:6], codes)
    st, h, b = req("GET", "/v1/me")
    check("throttled: the right password waits too (429, Retry-After)",
          st == 429 and h.get("retry-after", "").isdigit(), (st, h))
    st, h, b = req("GET", "/healthcheck", auth=None)
    check("throttled: /healthcheck still answers", st == 200, st)


def raw_exchange(data, timeout=10):
    """Send raw bytes on a new connection: the first bytes answered."""
    s = socket.create_connection((HOST, PORT))
    s.settimeout(timeout)
    try:
        s.sendall(data)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        out = b""
        while len(out) < 64:
            chunk = s.recv(64)
            if not chunk:
                break
            out += chunk
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        out = b""
    s.close()
    return out


def scenario_hostile():
    """Malformed and hostile requests: clear 4xx or a closed connection,
    never a crash; the server serves the next request; requests without
    credentials never lock the address out."""
    auth = b"Authorization: Basic " + base64.b64encode(
        ("%s:%s" % (USER, PASSWORD)).encode()) + b"\r\n"
    status = re.compile(rb"^HTTP/1\.[01] (\d\d\d)")
    for what, data in (
            ("a garbage request line", b"GARBAGE\r\n\r\n"),
            ("a request line of NULs", b"\0" * 200 + b"\r\n\r\n"),
            ("HTTP/9.9", b"GET /v1/me HTTP/9.9\r\nHost: x\r\n" + auth +
             b"\r\n"),
            ("a bad chunk size", b"PUT /v1/entries HTTP/1.1\r\nHost: x\r\n" +
             auth + b"Transfer-Encoding: chunked\r\n\r\nZZZ\r\nab\r\n"),
            ("a body shorter than its Content-Length",
             b"PUT /v1/entries HTTP/1.1\r\nHost: x\r\n" + auth +
             b"Content-Length: 100\r\n\r\n{\"entry_ids\":"),
            ("a header line without a colon", b"GET /v1/me HTTP/1.1\r\n"
             b"Host: x\r\nno colon here\r\n" + auth + b"\r\n")):
        out = raw_exchange(data)
        m = status.match(out)
        check("hostile: %s: 4xx (505 for a version) or closed" % what,
              out == b"" or (m is not None and (m.group(1)[:1] == b"4" or
                                                m.group(1) == b"505")), out)
    for path in ("/v1/feeds/%00", "/v1/feeds/%ZZ/entries",
                 "/v1/feeds/..%2f..%2fetc/entries", "/v1/feeds%00/1",
                 "/v1/feeds/9223372036854775808",
                 "/v1/feeds/-1", "/v1/entries/0",
                 "/v1/entries?limit=99999999999999999999999",
                 "/v1/entries?offset=-5", "/v1/entries?status=unread&status=x",
                 "/v1/entries?limit=1%00", "/v1/entries?category_id=99999",
                 "/v1/feeds/1/entries/abc", "/v1/" + "a/" * 2000):
        try:
            st, v = jreq("GET", path)
        except (OSError, http.client.HTTPException) as e:
            st, v = None, repr(e)
        check("hostile: GET %s: a 4xx in Miniflux's error shape" % path[:48],
              st is not None and 400 <= st < 500 and is_error(st, v, st),
              (st, v))
    st, v = jreq("GET", "/v1/entries?search=" +
                 urllib.parse.quote('AND OR ( "unbalanced NEAR('))
    check("hostile: a search that is not FTS5 syntax: 200 and a total",
          st == 200 and isinstance(v, dict) and isinstance(v.get("total"),
                                                           int), (st, v))
    codes = [req("GET", "/v1/me", auth=None)[0] for i in range(12)]
    check("12 requests without credentials: 401 each",
          codes == [401] * 12, codes)
    st, v = jreq("GET", "/v1/me")
    check("hostile: afterwards the right password is served (no lockout "
          "for requests without credentials)", st == 200 and v.get("id") == 1,
          (st, v))


def scenario_mark_read():
    """Mark every unread entry read (as a reader app does)."""
    st, v = jreq("GET", "/v1/entries?status=unread&limit=1000")
    ids = [e["id"] for e in v["entries"]][:int(sys.argv[6])]
    st, h, b = req("PUT", "/v1/entries", {"entry_ids": ids, "status": "read"})
    check("PUT /v1/entries marks %d read" % len(ids), st == 204, st)


{"api": scenario_api, "subscribe": scenario_subscribe,
 "hostile": scenario_hostile,
 "throttle": scenario_throttle, "mark_read": scenario_mark_read}[SCENARIO]()
