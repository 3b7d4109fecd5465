#!/bin/sh
# ctl_add.sh: subscribing from the command line (issue 13).  `feedctl add`
# discovers the feeds of an HTML page (<link rel="alternate">, else the
# usual paths), picks one (--pick N, --yes; without either and without a
# terminal it lists them and exits 1), fetches and parses it before
# writing, refuses what cannot be fetched or parsed (unless --force) and a
# duplicate (naming FILE:LINE), appends one line atomically with every
# other byte of the feeds file kept, and has the daemon reload and poll it
# at once.  Without a daemon it only edits the file.  `feedctl remove`
# comments the line out and keeps the items unless --purge.  A URL
# without a scheme is tried as https://, then as http:// if that cannot
# connect.  When feedd may not write its feeds file, feedctl edits it
# itself (add and remove) and has feedd reload.  `feedctl
# parse URL` prints what `feedctl parse FILE` prints.  Export, then import,
# gives back the same feeds, titles, tags and options.
. "$(dirname "$0")/ctl_lib.sh"

W=$T/www
cat > "$W/a.xml" <<'EOF'
<?xml version="1.0"?>
<rss version="2.0"><channel><title>Feed A</title><link>http://example.org/a</link>
<item><guid>a1</guid><title>A one</title><link>http://example.org/a1</link></item>
<item><guid>a2</guid><title>A two</title><link>http://example.org/a2</link></item>
</channel></rss>
EOF
cat > "$W/b.atom" <<'EOF'
<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Feed B</title><id>urn:b</id>
<updated>2025-01-01T00:00:00Z</updated>
<entry><id>urn:b1</id><title>B one</title><updated>2025-01-01T00:00:00Z</updated></entry>
</feed>
EOF
cat > "$W/c.json" <<'EOF'
{"version": "https://jsonfeed.org/version/1.1", "title": "Feed C",
 "items": [{"id": "c1", "title": "C one", "content_text": "x"}]}
EOF
# A page that links two feeds (one relative to the page, one to the site).
cat > "$W/page.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>A blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/a.xml">
<link rel="alternate" type="application/atom+xml" title="Atom" href="b.atom">
</head><body><p>Hello</p></body></html>
EOF
# A page that links none: the usual paths are tried (/index.xml is there).
mkdir -p "$W/site"
cat > "$W/site/home.html" <<'EOF'
<html><head><title>No links</title></head><body>Nothing here</body></html>
EOF
sed 's/Feed A/Site feed/; s/a1/s1/g; s/a2/s2/g; s/A one/S one/; s/A two/S two/' "$W/a.xml" > "$W/index.xml"
echo "just some text, no feed" > "$W/junk.txt"
# A second page, for the question on a terminal.
sed 's/Feed A/Feed E/; s/a1/e1/g; s/a2/e2/g; s/A one/E one/; s/A two/E two/' \
    "$W/a.xml" > "$W/e.xml"
sed 's/Feed A/Feed F/; s/a1/f1/g; s/a2/f2/g; s/A one/F one/; s/A two/F two/' \
    "$W/a.xml" > "$W/f.xml"
cat > "$W/page2.html" <<'EOF'
<html><head>
<link rel="alternate" type="application/rss+xml" href="/e.xml">
<link rel="alternate" type="application/rss+xml" href="/f.xml">
</head></html>
EOF
# Run a command on a new pseudo-terminal; answer "2" to its question.
cat > "$T/onterm.py" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out, sent, end = b"", False, time.time() + 30
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.5)
    if fd not in r:
        continue
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
    if not sent and b"Which one" in out:
        os.write(fd, b"2\n")
        sent = True
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace").replace("\r", ""))
sys.exit(st >> 8)
PY

start_httpd --dir "$W"

# A feeds file with comments, a blank line, an odd mode, and no newline
# at its end: all of it must stay.
printf '# my feeds\n\n# news\n"https://news.example/rss" news "~News"  # trailing\n# end' > "$T/feeds"
chmod 600 "$T/feeds"
cp "$T/feeds" "$T/feeds.orig"

start_feedd

# --- Discovery with two candidates -----------------------------------
ctl add "$BASE/page.html" < /dev/null > "$T/out" 2> "$T/err"
is "two feeds, no flag, no terminal: exit 1" "$?" 1
check "both candidates listed (1)" grep -q "^  1  Feed A (rss, 2 items)" "$T/out"
check "both candidates listed (2)" grep -q "^  2  Feed B (atom, 1 item)" "$T/out"
check "their URLs resolved against the page" \
    grep -q "^     $BASE/b.atom\$" "$T/out"
check "the message says to pass --pick or --yes" \
    grep -q -- "--pick N or --yes" "$T/err"
check "nothing written" cmp "$T/feeds" "$T/feeds.orig"

ctl add "$BASE/page.html" news --pick 2 < /dev/null > "$T/out" 2> "$T/err"
is "--pick 2: exit 0" "$?" 0
check "it says the title and item count" grep -q "^Added Feed B (1 item)\$" "$T/out"
check "it says the file and line" grep -q "^$T/feeds:6: written\$" "$T/out"
check "it says polled now" grep -q "^polled now\$" "$T/out"
{ cat "$T/feeds.orig"; printf '\n%s\n' "$BASE/b.atom news"; } > "$T/want"
check "the file is the original plus one line" cmp "$T/feeds" "$T/want"
is "the file keeps its mode" "$(stat -c %a "$T/feeds")" 600
is "its items are there right after add" \
    "$(ctl items --json --feed "$BASE/b.atom" | grep -c '"B one"')" 1

ctl add "$BASE/page.html" --yes < /dev/null > "$T/out" 2> "$T/err"
is "--yes: exit 0" "$?" 0
check "--yes takes the first" grep -q "^Added Feed A (2 items)\$" "$T/out"
is "the line appended" "$(tail -n 1 "$T/feeds")" "$BASE/a.xml"
is "and its items stored" \
    "$(ctl items --json --feed "Feed A" | grep -c '"A [a-z]*"')" 2

"$PYTHON3" "$T/onterm.py" "$FEEDCTL" -s "$SOCK" add "$BASE/page2.html" \
    > "$T/out" 2>&1
is "on a terminal, the question: exit 0" "$?" 0
check "it lists the feeds" grep -q "^  2  Feed F (rss, 2 items)" "$T/out"
check "it asks which one" grep -q "Which one (1-2, q to quit)? " "$T/out"
check "the answer picks the second" grep -q "^Added Feed F (2 items)" "$T/out"
is "its line appended" "$(tail -n 1 "$T/feeds")" "$BASE/f.xml"

# --- Duplicates -------------------------------------------------------
cp "$T/feeds" "$T/before"
ctl add "$BASE/a.xml" > "$T/out" 2> "$T/err"
is "a duplicate: exit 1" "$?" 1
check "the duplicate names FILE:LINE" \
    grep -q "$BASE/a.xml is already in $T/feeds:7" "$T/err"
ctl add "$BASE/page.html" --pick 1 > "$T/out" 2> "$T/err"
is "a duplicate found through a page: exit 1" "$?" 1
check "the file is unchanged" cmp "$T/feeds" "$T/before"

# --- A page without links: the usual paths; title, tags, every= -------
ctl add "$BASE/site/home.html" tech "two words" --title 'My "Site"' \
    --every 2h > "$T/out" 2> "$T/err"
is "a page without links: exit 0" "$?" 0
check "it found /index.xml" grep -q "^Added My \"Site\" (2 items)\$" "$T/out"
is "title and tags quoted as the feeds file reads them" \
    "$(tail -n 1 "$T/feeds")" \
    "$BASE/index.xml tech \"two words\" every=2h \"~My \\\"Site\\\"\""
"$FEEDD" -n -v --config "$T/empty.conf" --feeds "$T/feeds" > "$T/n.out" 2>&1
is "the feeds file still checks" "$?" 0
check "it reads the title back" grep -q 'every=2h "~My \\"Site\\""' "$T/n.out"
check "and the tag with a blank" grep -q '"two words"' "$T/n.out"
check "the daemon lists it with its tags" \
    sh -c "\"$FEEDCTL\" -s \"$SOCK\" feeds --json | grep '\"two words\"' | grep -q '\"My \\\\\"Site\\\\\"\"'"

# --- A direct feed URL ------------------------------------------------
ctl add "$BASE/c.json" > "$T/out" 2> "$T/err"
is "a JSON Feed URL: exit 0" "$?" 0
check "added with its title" grep -q "^Added Feed C (1 item)\$" "$T/out"

# --- Refusals ----------------------------------------------------------
cp "$T/feeds" "$T/before"
ctl add "$BASE/nothere.xml" > "$T/out" 2> "$T/err"
is "a 404: exit 1" "$?" 1
check "the reason names the URL and the status" \
    grep -q "$BASE/nothere.xml: 404" "$T/err"
ctl add "http://127.0.0.1:1/feed.xml" > "$T/out" 2> "$T/err"
is "unreachable: exit 1" "$?" 1
check "the reason names the URL and says why" \
    grep -q "http://127.0.0.1:1/feed.xml: .*onnect" "$T/err"
check "and mentions --force" grep -q -- "--force" "$T/err"
ctl add "$BASE/junk.txt" > "$T/out" 2> "$T/err"
is "not a feed: exit 1" "$?" 1
check "no feed found, naming the URL" \
    grep -q "no feed found at $BASE/junk.txt" "$T/err"
ctl add "ftp://127.0.0.1/x" > "$T/out" 2> "$T/err"
is "not http(s): a usage error" "$?" 2
check "it says only http and https" \
    grep -q "^feedctl: add: ftp://127.0.0.1/x: only http and https URLs" \
    "$T/err"
ctl add "file:///etc/passwd" > "$T/out" 2> "$T/err"
is "file://: a usage error" "$?" 2
check "it says only http and https, naming it" \
    grep -q "file:///etc/passwd: only http and https URLs" "$T/err"
ctl add "./feed.xml" > "$T/out" 2> "$T/err"
is "a path: a usage error" "$?" 2
check "it says what add takes" grep -q "not a URL (give https://" "$T/err"
check "the file is unchanged after refusals" cmp "$T/feeds" "$T/before"
ctl add "http://127.0.0.1:1/feed.xml" --force > "$T/out" 2> "$T/err"
is "unreachable with --force: exit 0" "$?" 0
is "the line appended" "$(tail -n 1 "$T/feeds")" "http://127.0.0.1:1/feed.xml"

# --- parse URL ----------------------------------------------------------
ctl parse "$BASE/a.xml" > "$T/p.url" 2> "$T/err"
is "parse URL: exit 0" "$?" 0
"$FEEDCTL" parse --base "$BASE/a.xml" "$W/a.xml" > "$T/p.file"
check "parse URL prints what parse FILE prints" cmp "$T/p.url" "$T/p.file"
check "and it has the items" grep -q '"title": "A two"' "$T/p.url"
ctl parse "$BASE/page.html" > "$T/p.out" 2> "$T/err"
is "parse of an HTML page: exit 1" "$?" 1
check "it says why" grep -q "not a feed: HTML document" "$T/err"
ctl parse "$BASE/nothere.xml" > "$T/p.out" 2> "$T/err"
is "parse of a 404: exit 1" "$?" 1
check "it names the URL and the status" grep -q "$BASE/nothere.xml: 404" "$T/err"

# --- export, then import: the same feeds ---------------------------------
ctl export --feeds "$T/feeds" > "$T/out.opml" 2> "$T/err"
is "export: exit 0" "$?" 0
check "a feed without a title gets the store's" \
    grep -q "text=\"Feed B\" xmlUrl=\"$BASE/b.atom\"" "$T/out.opml"
check "options are exported" grep -q 'feedd:options="every=2h"' "$T/out.opml"
"$FEEDCTL" import --feeds "$T/rt" "$T/out.opml" > /dev/null 2>&1
is "import of the export: exit 0" "$?" 0
"$FEEDD" -n -v --config "$T/empty.conf" --feeds "$T/feeds" 2>/dev/null |
    grep -v '^#' | sed -n '/^[a-z]*:\/\//p' | sort > "$T/rt.want"
"$FEEDD" -n -v --config "$T/empty.conf" --feeds "$T/rt" 2>/dev/null |
    grep -v '^#' | sed -n '/^[a-z]*:\/\//p' | sort > "$T/rt.got"
# The store's titles come back as titles: add them to what we want.
sed -e "s|^$BASE/b.atom news\$|$BASE/b.atom news \"~Feed B\"|" \
    -e "s|^$BASE/a.xml\$|$BASE/a.xml \"~Feed A\"|" \
    -e "s|^$BASE/c.json\$|$BASE/c.json \"~Feed C\"|" \
    -e "s|^$BASE/f.xml\$|$BASE/f.xml \"~Feed F\"|" \
    "$T/rt.want" > "$T/rt.want2"
grep -v '127.0.0.1:1/' "$T/rt.got" > "$T/rt.got2"
grep -v '127.0.0.1:1/' "$T/rt.want2" > "$T/rt.want3"
check "import(export(file)): same URLs, titles, tags and options" \
    cmp "$T/rt.got2" "$T/rt.want3"
is "seven feeds came back" "$(wc -l < "$T/rt.got" | tr -d ' ')" 7

# --- A URL without a scheme: https://, and http:// if that cannot connect --
# The test server speaks plain HTTP: the TLS handshake fails, so the http
# URL is the one subscribed, and feedctl says so.
HOSTPORT=${BASE#http://}
sed 's/Feed A/Feed G/; s/a1/g1/g; s/a2/g2/g; s/A one/G one/; s/A two/G two/' \
    "$W/a.xml" > "$W/g.xml"
sed 's/Feed A/Feed H/; s/a1/h1/g; s/a2/h2/g; s/A one/H one/; s/A two/H two/' \
    "$W/a.xml" > "$W/h.xml"
printf '%s\n' '<html><head>' \
    '<link rel="alternate" type="application/rss+xml" href="/g.xml">' \
    '</head></html>' > "$W/page3.html"
ctl add "$HOSTPORT/page3.html" > "$T/out" 2> "$T/err"
is "a page without a scheme: exit 0" "$?" 0
check "https was tried first and could not connect" \
    grep -q "^https://$HOSTPORT/page3.html: " "$T/out"
check "it says it used the http URL" \
    grep -q "^Using $BASE/page3.html (https could not connect)\$" "$T/out"
check "and added the page's feed" grep -q "^Added Feed G (2 items)\$" "$T/out"
is "the feed's http URL is subscribed" "$(tail -n 1 "$T/feeds")" \
    "$BASE/g.xml"
ctl add "$HOSTPORT/h.xml" tagh > "$T/out" 2> "$T/err"
is "a feed without a scheme: exit 0" "$?" 0
is "its http URL is the line" "$(tail -n 1 "$T/feeds")" "$BASE/h.xml tagh"
is "its items are stored" \
    "$(ctl items --json --feed "$BASE/h.xml" | grep -c '"H [a-z]*"')" 2
cp "$T/feeds" "$T/before"
ctl add "$HOSTPORT/nothere.xml" > "$T/out" 2> "$T/err"
is "no scheme, and the http URL is a 404: exit 1" "$?" 1
check "the 404 is the http URL's" grep -q "$BASE/nothere.xml: 404" "$T/err"
ctl add "127.0.0.1:1/feed.xml" > "$T/out" 2> "$T/err"
is "no scheme, nothing listens: exit 1" "$?" 1
check "http was tried after https" grep -q \
    "^Using http://127.0.0.1:1/feed.xml (https could not connect)\$" "$T/out"
check "the error names the http URL" \
    grep -q "http://127.0.0.1:1/feed.xml: .*onnect" "$T/err"
check "nothing written" cmp "$T/feeds" "$T/before"

# --- remove -------------------------------------------------------------
cp "$T/feeds" "$T/before"
ctl remove nosuch > "$T/out" 2> "$T/err"
is "remove of an unknown feed: exit 1" "$?" 1
check "it names the feed" grep -q 'no feed "nosuch"' "$T/err"
check "nothing changed" cmp "$T/feeds" "$T/before"
ctl remove "Feed B" > "$T/out" 2> "$T/err"
is "remove by title: exit 0" "$?" 0
check "it says which line" grep -q "^Removed $BASE/b.atom ($T/feeds:6 commented out)" "$T/out"
is "the line is commented out" "$(sed -n 6p "$T/feeds")" \
    "# removed by feedctl $(date +%Y-%m-%d): $BASE/b.atom news"
sed 6d "$T/feeds" > "$T/x1"
sed 6d "$T/before" > "$T/x2"
check "every other line is unchanged" cmp "$T/x1" "$T/x2"
is "its items are kept" \
    "$(ctl items --json | grep -c '"B one"')" 1
is "the daemon no longer lists it" \
    "$(ctl feeds --json | grep -c "$BASE/b.atom")" 0
ctl remove "$BASE/a.xml" --purge > "$T/out" 2> "$T/err"
is "remove --purge: exit 0" "$?" 0
is "its items are deleted" "$(ctl items --json | grep -c '"A [a-z]*"')" 0
is "the other feeds' items stay" "$(ctl items --json | grep -c '"C one"')" 1

stop_feedd

# --- A feedd that may not write its feeds file (a system service) ----------
# feedd runs without the capability to override file modes, so a feeds
# file (mode 444) in a directory (555) it cannot write: feedctl writes the
# line itself and has it reload, and so does remove (which comments it
# out); remove --purge changes nothing and names the file and the reason.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
    setpriv --bounding-set=-dac_override true 2>/dev/null; then
	mkdir "$T/ro"
	printf '# read-only\n' > "$T/ro/feeds"
	chmod 444 "$T/ro/feeds"
	chmod 555 "$T/ro"
	spawn setpriv --bounding-set=-dac_override,-dac_read_search \
	    --inh-caps=-all "$FEEDD" --foreground --socket "$T/s2" \
	    --db "$T/db2" --feeds "$T/ro/feeds" --config "$T/empty.conf" \
	    --host-delay 0 -v 2>>"$T/feedd2.log"
	RO_PID=$LASTPID
	wait_for 100 "$FEEDCTL" -s "$T/s2" version
	"$FEEDCTL" -s "$T/s2" add "$BASE/a.xml" t1 > "$T/out" 2> "$T/err"
	is "feedd may not write: feedctl writes it, exit 0" "$?" 0
	check "it says so" grep -q "^$T/ro/feeds:2: written by feedctl" "$T/out"
	is "the line is there" "$(cat "$T/ro/feeds")" "# read-only
$BASE/a.xml t1"
	is "the file keeps its mode" "$(stat -c %a "$T/ro/feeds")" 444
	check "feedd reloaded and polled it" wait_for 50 sh -c \
	    "\"$FEEDCTL\" -s \"$T/s2\" items --json | grep -q '\"A two\"'"
	"$FEEDCTL" -s "$T/s2" remove "$BASE/a.xml" --purge > "$T/out" \
	    2> "$T/err"
	is "remove --purge, feedd may not write: exit 1" "$?" 1
	check "the error names the file and the reason" \
	    grep -q "$T/ro/feeds: .*Permission denied" "$T/err"
	check "and says why feedctl does not do it" grep -q -- "--purge" \
	    "$T/err"
	is "nothing changed" "$(cat "$T/ro/feeds")" "# read-only
$BASE/a.xml t1"
	"$FEEDCTL" -s "$T/s2" remove "$BASE/a.xml" > "$T/out" 2> "$T/err"
	is "remove, feedd may not write: feedctl comments it out, exit 0" \
	    "$?" 0
	check "it says so" grep -q \
	    "^Removed $BASE/a.xml ($T/ro/feeds:2 commented out by feedctl" \
	    "$T/out"
	is "the line is commented out" "$(cat "$T/ro/feeds")" "# read-only
# removed by feedctl $(date +%Y-%m-%d): $BASE/a.xml t1"
	is "the file still keeps its mode" "$(stat -c %a "$T/ro/feeds")" 444
	check "feedd reloaded: it no longer lists the feed" wait_for 50 sh -c \
	    "! \"$FEEDCTL\" -s \"$T/s2\" feeds --json | grep -q '$BASE/a.xml'"
	is "its items are kept" \
	    "$("$FEEDCTL" -s "$T/s2" items --json | grep -c '"A two"')" 1
	kill "$RO_PID"
	wait "$RO_PID"
	is "that feedd exits 0" "$?" 0
	check "no sanitizer report from that feedd" \
	    sh -c "! grep -q Sanitizer \"$T/feedd2.log\""
	chmod 755 "$T/ro"
else
	ok "# SKIP not root, or no setpriv: feedd may not write"
fi

# --- Without a daemon: only the file is edited ---------------------------
printf '# offline\n' > "$T/off.feeds"
printf 'feeds = %s\n' "$T/off.feeds" > "$T/off.conf"
off() {
	"$FEEDCTL" --config "$T/off.conf" --db "$T/nodb/feedd.db" \
	    -s "$T/nosock" "$@"
}
off add "$BASE/a.xml" tag1 > "$T/out" 2> "$T/err"
is "add without a daemon: exit 0" "$?" 0
check "it says feedd is not running" \
    grep -q "^feedd is not running: it polls it when it starts" "$T/out"
is "the file has the line" "$(cat "$T/off.feeds")" "# offline
$BASE/a.xml tag1"
check "no database was created" test ! -e "$T/nodb"
off add "$BASE/a.xml" > "$T/out" 2> "$T/err"
is "a duplicate without a daemon: exit 1" "$?" 1
off remove "$BASE/a.xml" > "$T/out" 2> "$T/err"
is "remove without a daemon: exit 0" "$?" 0
is "the line is commented out" "$(sed -n 2p "$T/off.feeds")" \
    "# removed by feedctl $(date +%Y-%m-%d): $BASE/a.xml tag1"
# A feed listed twice (config.c merges the lines): both are commented out.
printf '%s t1\n# between\n"%s" t2\n' "$BASE/e.xml" "$BASE/e.xml" \
    > "$T/off.feeds"
off remove "Feed E" > "$T/out" 2> "$T/err"
is "remove of a feed listed twice, by its document title: exit 1" "$?" 1
off remove "$BASE/e.xml" > "$T/out" 2> "$T/err"
is "remove of a feed listed twice: exit 0" "$?" 0
is "both lines are commented out" "$(grep -c '^# removed by feedctl' \
    "$T/off.feeds")" 2
is "the comment between stays" "$(sed -n 2p "$T/off.feeds")" "# between"
is "it names both lines" "$(grep -c "^Removed $BASE/e.xml" "$T/out")" 2
off parse "$BASE/b.atom" > "$T/out" 2> "$T/err"
is "parse URL without a daemon: exit 0" "$?" 0
check "it has the item" grep -q '"title": "B one"' "$T/out"

done_testing
