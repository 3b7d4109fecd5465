#!/bin/sh
# ctl_messages.sh: what feedctl says (issue 13): one rule for unknown
# feeds, tags and ids (an error naming it, exit 1) in every command; the
# user's command in messages, never the request's; messages that say what
# is wrong; feed titles matched with Unicode case folding; feeds with the
# same title told apart; stats without a daemon; show's text; --json-array.
. "$(dirname "$0")/ctl_lib.sh"

# Café is Atom: a text summary with a line break and markup as text, an
# entry with an inline image followed by a full stop.  Two RSS feeds share
# the title "Same" (one on 127.0.0.1, one on localhost), one with an
# untitled item; a third, "SAME", is on 127.0.0.1 too, with options.  Jay is a JSON Feed with an untitled item and a sized
# attachment.
cat > "$T/www/a.atom" <<'EOF2'
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Café (custom)</title>
<id>urn:a</id><updated>2025-11-24T09:00:00Z</updated>
<entry><id>urn:a1</id><title>Text entry</title>
<updated>2025-11-24T09:00:00Z</updated>
<link href="http://example.org/a1"/>
<summary type="text">Line one
Line two &lt;b&gt;not bold&lt;/b&gt;</summary></entry>
<entry><id>urn:a2</id><title>Pic</title>
<published>2025-11-23T09:00:00Z</published>
<updated>2025-11-24T10:00:00Z</updated>
<content type="html">&lt;p&gt;See &lt;img src="http://example.org/p.jpg" alt="photo"&gt;. End&lt;/p&gt;</content></entry>
</feed>
EOF2
rss b.xml Same \
    "b1||No title here, just words in the body of it.|Fri, 27 Nov 2026 10:00:00 GMT"
rss c.xml Same "c1|C one|Plain.|Fri, 27 Nov 2026 10:00:00 GMT"
rss d.xml SAME "d1|D one|Plain.|Fri, 27 Nov 2026 11:00:00 GMT"
cat > "$T/www/j.json" <<'EOF2'
{"version": "https://jsonfeed.org/version/1.1", "title": "Jay",
 "items": [{"id": "j1", "url": "http://example.org/j1",
  "content_text": "Untitled json item text here.",
  "attachments": [{"url": "http://example.org/a.mp3",
   "mime_type": "audio/mpeg", "size_in_bytes": 12345678}],
  "date_published": "2026-11-28T10:00:00Z"}]}
EOF2
start_httpd --dir "$T/www"
cat > "$T/feeds" <<EOF2
$BASE/a.atom
$BASE/b.xml tech
http://localhost:$HTTP_PORT/c.xml
$BASE/j.json
$BASE/d.xml news every=15m keep=50
EOF2
start_feedd
wait_for 200 has_items 6 || not_ok "feedd polled the five feeds"
ok "feedd polled the five feeds"

# run NAME CMD...: run feedctl, its stdout and stderr in $T/out, its exit
# status in $rc.
run() {
	ctl "$@" > "$T/out" 2>&1
	rc=$?
}

# absent PATTERN FILE: the file has no line matching.
absent() {
	! grep -q "$@"
}

# --- One rule for unknown names: an error naming it, exit 1. ---
for cmd in "items" "new" "search x" "read" "unread" "star" "unstar"; do
	# shellcheck disable=SC2086
	run $cmd --tag nosuchtag
	is "$cmd --tag nosuchtag exits 1" "$rc" 1
	check "$cmd --tag nosuchtag names the tag" \
	    grep -q "^feedctl: ${cmd%% *}: no tag \"nosuchtag\"$" "$T/out"
	# shellcheck disable=SC2086
	run $cmd --feed nosuchfeed
	is "$cmd --feed nosuchfeed exits 1" "$rc" 1
	check "$cmd --feed nosuchfeed names the feed" \
	    grep -q "^feedctl: ${cmd%% *}: no feed \"nosuchfeed\"$" "$T/out"
done
run items --tag TECH
is "a known tag (any case) is no error" "$rc" 0
for cmd in show open read unread star unstar; do
	run $cmd 99999
	is "$cmd 99999 exits 1" "$rc" 1
	check "$cmd names the id, with its own name" \
	    grep -q "^feedctl: $cmd: no item 99999$" "$T/out"
	check "$cmd: no protocol name leaks" absent "item: \|mark: " \
	    "$T/out"
done
for cmd in feeds refresh; do
	run $cmd nosuchfeed
	is "$cmd nosuchfeed exits 1" "$rc" 1
	check "$cmd names the feed" \
	    grep -q "^feedctl: $cmd: no feed \"nosuchfeed\"$" "$T/out"
	run $cmd 999
	is "$cmd 999 exits 1" "$rc" 1
	check "$cmd names the id" grep -q "no feed \"999\"" "$T/out"
done
for f in "--tag nosuchtag" "--feed nosuchfeed"; do
	# shellcheck disable=SC2086
	timeout 10 "$FEEDCTL" -s "$SOCK" follow $f > "$T/out" 2>&1
	is "follow $f exits 1 at once" "$?" 1
	check "follow $f names it" grep -q "^feedctl: follow: no" "$T/out"
done

# --- Feed titles match with Unicode case folding. ---
run refresh "CAFÉ (CUSTOM)"
is "refresh by an upper-case title with É exits 0" "$rc" 0
check "... without an error" absent "no feed" "$T/out"
is "items --feed by the title in other case" \
    "$(ctl items --json --feed "café (CUSTOM)" | wc -l)" 2
run items --feed "CAFE (custom)"
is "accents are not folded" "$rc" 1

# --- Messages that say what is wrong. ---
run new --search lorem
is "new --search: usage error" "$rc" 2
check "new --search names the flag, not its argument, and the way" \
    grep -q "^feedctl: new: takes no --search; use feedctl search QUERY" \
    "$T/out"
check "... and does not call lorem a flag" absent "flag: lorem" "$T/out"
run new --starred
check "a flag new does not take is named" \
    grep -q "^feedctl: new: takes no --starred$" "$T/out"
run items -n 99999999999999999999999
is "-n too large: usage error" "$rc" 2
check "-n too large says so, with the maximum" grep -q \
    "^feedctl: --limit: too large (at most 9223372036854775807): 9999" \
    "$T/out"
run items -n 12x
check "-n 12x is still not a number" grep -q "not a whole number" "$T/out"
cat > "$T/sp.opml" <<'EOF2'
<?xml version="1.0"?>
<opml version="2.0"><body>
<outline text="x" xmlUrl="http://example.org/a b"/>
<outline text="y" xmlUrl="ftp://example.org/y"/>
<outline text="z" xmlUrl="http://example.org/z"/>
</body></opml>
EOF2
"$FEEDCTL" import --dry-run --feeds "$T/imported" "$T/sp.opml" \
    > "$T/out" 2>&1
check "import: a URL with a space: says so" grep -q \
    "sp.opml:3: skipping http://example.org/a b: the URL contains a space$" \
    "$T/out"
check "import: an ftp URL: not http" grep -q \
    "sp.opml:4: skipping ftp://example.org/y: not an http or https URL$" \
    "$T/out"
"$FEEDCTL" import --feeds "$T/imported" "$DATA/parse/rss20-entities.xml" \
    > "$T/out" 2>&1
is "import of an RSS file exits 1" "$?" 1
check "import of an RSS file: not OPML, looks like RSS, use add" grep -q \
    "rss20-entities.xml is not an OPML document (it looks like an RSS feed; subscribe to a feed with feedctl add URL)$" \
    "$T/out"
check "... without libxml2's message" absent "Entity\|:[0-9]*:" "$T/out"
"$FEEDCTL" import --feeds "$T/imported" "$DATA/parse/atom10.xml" \
    > "$T/out" 2>&1
check "import of an Atom file: looks like Atom" \
    grep -q "it looks like an Atom feed" "$T/out"
echo '<foo/>' > "$T/foo.xml"
"$FEEDCTL" import --feeds "$T/imported" "$T/foo.xml" > "$T/out" 2>&1
check "import of other XML: not OPML" grep -q "foo.xml: not an OPML file" \
    "$T/out"

# --- show. ---
# The id of the item with this guid.
idof() {
	ctl items --json | grep "\"guid\":\"$1\"" |
	    sed 's/^{"id":\([0-9]*\),.*/\1/'
}
A1=$(idof urn:a1); A2=$(idof urn:a2); B1=$(idof b1); J1=$(idof j1)
ctl show -n "$A1" > "$T/out" 2>&1
check "Atom type=text keeps its line break" grep -q "^Line one$" "$T/out"
check "... and its markup is text" grep -q "^Line two <b>not bold</b>$" \
    "$T/out"
check "the date line says the date once" \
    grep -q "^Date: *2025-11-24 [0-9][0-9]:00$" "$T/out"
ctl show -n "$A2" > "$T/out" 2>&1
check "an updated date is added when it differs" grep -q \
    "^Date: *2025-11-2[34] [0-9][0-9]:00, updated 2025-11-2[45] [0-9][0-9]:00$" \
    "$T/out"
check "no space between an image and a full stop" \
    grep -q "See \[image: photo\]\. End" "$T/out"
ctl show -n "$J1" > "$T/out" 2>&1
check "Media: the URL, its type and size" grep -q \
    "^Media: *http://example.org/a.mp3 (audio/mpeg, 11.8 MiB)$" "$T/out"
# One rule for untitled items, RSS and JSON Feed, listing and show: the
# first words of the content.
is "untitled JSON Feed item: show's title" "$(sed -n 1p "$T/out")" \
    "Untitled json item text here."
ctl show -n "$B1" > "$T/out" 2>&1
is "untitled RSS item: show's title" "$(sed -n 1p "$T/out")" \
    "No title here, just words in the body of it."
ctl items > "$T/out" 2>&1
check "untitled RSS item: the listing's title" \
    grep -q " No title here, just words in the body of it\.$" "$T/out"
check "untitled JSON Feed item: the listing's title, not its URL" \
    grep -q " Untitled json item text here\.$" "$T/out"
check "no listing shows a URL for a title" absent "example.org/[bj]1" \
    "$T/out"
# A text summary (with content beside it) keeps its lines as <br>.
cat > "$T/sum.atom" <<'EOF2'
<feed xmlns="http://www.w3.org/2005/Atom"><title>S</title><id>urn:s</id>
<entry><id>urn:s1</id><title>S1</title>
<summary type="text">One &amp; one
Two &lt;i&gt;</summary>
<content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>
EOF2
"$FEEDCTL" parse "$T/sum.atom" > "$T/out" 2>&1
check "a text summary: escaped, its line break a <br>" grep -qF \
    '"summary": "One &amp; one<br>\nTwo &lt;i&gt;"' "$T/out"

# --- Feeds with the same title told apart. ---
ctl feeds > "$T/out" 2>&1
check "feeds: a title shared across hosts gets its host" \
    grep -q " Same (localhost:$HTTP_PORT)$" "$T/out"
check "feeds: ... and its URL when the host is shared too" \
    grep -q " Same ($BASE/b.xml)$" "$T/out"
check "feeds: titles collide whatever their case" \
    grep -q " SAME ($BASE/d.xml)$" "$T/out"
check "feeds: a title of its own stays as it is" grep -q " Jay$" "$T/out"
ctl new > "$T/out" 2>&1
check "new: the group headers are told apart too" \
    grep -q "^Same (localhost:$HTTP_PORT)$" "$T/out"
check "new: ... by URL on the same host" grep -q "^Same ($BASE/b.xml)$" \
    "$T/out"
check "new: a title of its own stays as it is" grep -q "^Jay$" "$T/out"
ctl feeds -v > "$T/out" 2>&1
check "feeds -v: the URL" grep -q "^ *url: *$BASE/d.xml$" "$T/out"
check "feeds -v: the tags" grep -q "^ *tags: *news$" "$T/out"
check "feeds -v: the options as the daemon knows them" \
    grep -q "^ *options: *every=15m keep=50$" "$T/out"
check "feeds -v: none said so" grep -q "^ *options: *-$" "$T/out"
ctl --json feeds > "$T/out" 2>&1
check "feeds --json: options as an array" \
    grep -q '"options":\["every=15m","keep=50"\]' "$T/out"

# --- --json is NDJSON; --json-array one document. ---
"$FEEDCTL" --help > "$T/out" 2>&1
check "--help says --json is NDJSON" grep -q "NDJSON" "$T/out"
check "--help names --json-array" grep -q "^--json-array" "$T/out"
# valid FILE TYPE N: the file is one JSON document of that type (list or
# dict) with N elements (for a list).
valid() {
	"$PYTHON3" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert type(d).__name__ == sys.argv[2], type(d).__name__
assert sys.argv[2] != "list" or len(d) == int(sys.argv[3]), len(d)' "$@"
}
ctl --json-array items > "$T/out" 2>&1
check "items --json-array: one array of 6" valid "$T/out" list 6
is "items --json: still a line each" "$(ctl --json items | wc -l)" 6
ctl items --json-array --tag tech > "$T/out" 2>&1
check "--json-array after the command too" valid "$T/out" list 1
ctl --json-array search nomatchingwordatall > "$T/out" 2>&1
check "an empty listing is []" valid "$T/out" list 0
ctl --json-array feeds > "$T/out" 2>&1
check "feeds --json-array: one array of 5" valid "$T/out" list 5
ctl --json-array new > "$T/out" 2>&1
check "new --json-array: one array" valid "$T/out" list 6
ctl --json-array show -n "$A1" > "$T/out" 2>&1
check "show --json-array: one object" valid "$T/out" dict
ctl --json-array stats > "$T/out" 2>&1
check "stats --json-array: one object" valid "$T/out" dict
ctl --json-array follow > "$T/follow.out" 2>&1 &
FOLLOW_PID=$!
PIDS="$PIDS $FOLLOW_PID"
sleep 0.5
rss j2.xml Later "l1|Later one|New.|Sat, 28 Nov 2026 12:00:00 GMT"
echo "$BASE/j2.xml" >> "$T/feeds"
ctl reload > /dev/null
ctl refresh "$BASE/j2.xml" > /dev/null
wait_for 100 grep -q "Later one" "$T/follow.out"
kill "$FOLLOW_PID" 2>/dev/null
wait "$FOLLOW_PID" 2>/dev/null
check "follow --json-array stays NDJSON: a new item, one object a line" \
    grep -q '^{"id":[0-9]*,.*"title":"Later one"' "$T/follow.out"
check "... and no array bracket" absent "^\[" "$T/follow.out"
# follow names an untitled item as listings and show do.
ctl follow > "$T/follow.out" 2>&1 &
FOLLOW_PID=$!
PIDS="$PIDS $FOLLOW_PID"
sleep 0.5
rss j2.xml Later "l1|Later one|New.|Sat, 28 Nov 2026 12:00:00 GMT" \
    "l2||Words that name an untitled item.|Sat, 28 Nov 2026 13:00:00 GMT"
ctl refresh "$BASE/j2.xml" > /dev/null
wait_for 100 grep -q "Words that" "$T/follow.out"
kill "$FOLLOW_PID" 2>/dev/null
wait "$FOLLOW_PID" 2>/dev/null
check "follow: an untitled item by its first words" grep -q \
    "^[0-9]* \[Later\] Words that name an untitled item\. http://example.org/l2$" \
    "$T/follow.out"

# --- stats with a daemon (ctl_offline.sh has it without). ---
run stats
check "stats with a daemon shows its counters" grep -q "^uptime:" "$T/out"
check "... and does not say it is not running" absent "not running" "$T/out"
check "stats --json: daemon true" sh -c "ctl_json=\$('$FEEDCTL' -s '$SOCK' \
    --json stats); echo \"\$ctl_json\" | grep -q '\"daemon\":true'"

# A feed removed from the feeds file: named without --all, an error.
grep -v c.xml "$T/feeds" > "$T/feeds.new" && mv "$T/feeds.new" "$T/feeds"
ctl reload > /dev/null || not_ok "reload"
id=$(ctl feeds --all --json | grep c.xml | sed 's/.*"id":\([0-9]*\).*/\1/')
run feeds "$id"
is "feeds ID of a removed feed exits 1" "$rc" 1
check "feeds ID of a removed feed says so" \
    grep -q "^feedctl: feeds: feed $id is no longer in the feeds file" \
    "$T/out"
check "... and prints no table" absent "No feeds\|^ *ID" "$T/out"
run feeds --all "$id"
is "feeds --all ID of a removed feed exits 0" "$rc" 0
check "feeds --all shows it" grep -q "not in feeds file" "$T/out"

stop_feedd
done_testing
