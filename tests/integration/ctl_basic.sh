#!/bin/sh
# ctl_basic.sh: feedctl against a real feedd that polled a local server:
# unread counts and grouping, filters, marking, show, open, search, the
# feeds table with an error visible, stats, version, reload errors, escape
# sequences stripped in human output but kept as JSON escapes, exit codes
# for bad flags, unknown ids and a daemon that is not running.
. "$(dirname "$0")/ctl_lib.sh"

# Alpha is a JSON Feed: its strings may carry raw control characters (XML
# cannot, and the XML parser reads C1 references as Windows-1252), so a3's
# title brings a C1 CSI, an OSC 52 clipboard write and a BEL to the store.
cat > "$T/www/a.xml" <<'EOF'
{"version": "https://jsonfeed.org/version/1.1", "title": "Alpha",
 "home_page_url": "http://example.org/Alpha", "items": [
 {"id": "a1", "url": "http://example.org/a1", "title": "Apple pie",
  "content_html": "Zebra crossing text.",
  "date_published": "2026-11-28T10:00:00Z"},
 {"id": "a2", "url": "http://example.org/a2", "title": "Banana split",
  "content_html": "Plain.", "date_published": "2026-11-28T11:00:00Z"},
 {"id": "a3", "url": "http://example.org/a3",
  "title": "Evil \u009b2J\u001b]52;c;SGVsbG8=\u0007done",
  "content_html": "x", "date_published": "2026-11-28T09:00:00Z"}]}
EOF
rss b.xml Beta \
    "b1|Cherry tart|&lt;p&gt;Some &lt;a href=\"http://example.org/link\"&gt;linked&lt;/a&gt; words.&lt;/p&gt;|Fri, 27 Nov 2026 10:00:00 GMT" \
    "b2|Date loaf|Plain.|Thu, 26 Nov 2026 10:00:00 GMT"
start_httpd --dir "$T/www"
cat > "$T/feeds" <<EOF
$BASE/a.xml "~Alpha feed"
$BASE/b.xml tech
$BASE/missing.xml
EOF
start_feedd

polled() {
	has_items 5 && ctl feeds --json | grep -q '"errors":1'
}
wait_for 200 polled || not_ok "feedd polled all three feeds"
ok "feedd polled all three feeds"

# The default command: unread items grouped by feed, and the count.
ctl > "$T/out" 2>&1
is "feedctl with no arguments exits 0" "$?" 0
check "summary line" grep -q "^5 unread items in 2 feeds\.$" "$T/out"
check "feed header from the feeds-file title" grep -q "^Alpha feed$" "$T/out"
check "feed header from the document title" grep -q "^Beta$" "$T/out"
is "Alpha's group comes first (newest item)" "$(sed -n 1p "$T/out")" \
    "Alpha feed"
check "items listed under their feed" grep -q "^  *[0-9][0-9]*  Banana split" "$T/out"
is "new --json prints one object per item" "$(ctl new --json | wc -l)" 5
is "unread (no arguments) is new" "$(ctl unread | tail -1)" \
    "5 unread items in 2 feeds."
is "unread --json -n 3 lists like new" "$(ctl unread --json -n 3 | wc -l)" 3
is "new --limit 2 shows two" "$(ctl new --json --limit 2 | wc -l)" 2
ctl new --limit 2 > "$T/out"
check "new --limit says how many more" \
    grep -q "^Showing 2 of 5 unread items in 2 feeds" "$T/out"

# Listing filters.
is "items lists all" "$(ctl items --json | wc -l)" 5
is "--feed by title" "$(ctl items --json --feed 'Alpha feed' | wc -l)" 3
is "--feed by URL" "$(ctl items --json --feed "$BASE/b.xml" | wc -l)" 2
is "--tag" "$(ctl items --json --tag tech | wc -l)" 2
is "--since" "$(ctl items --json --since 2026-11-28T00:00:00Z | wc -l)" 3
is "--until" "$(ctl items --json --until 2026-11-27T12:00:00Z | wc -l)" 2
is "--limit" "$(ctl items --json --limit 1 | wc -l)" 1
is "newest first" "$(ctl items --json --limit 1 | grep -o '"title":"[^"]*"')" \
    '"title":"Banana split"'
is "--oldest-first" \
    "$(ctl items --json --oldest-first --limit 1 | grep -o '"title":"[^"]*"')" \
    '"title":"Date loaf"'
is "search hits" "$(ctl search --json Zebra | grep -o '"title":"[^"]*"')" \
    '"title":"Apple pie"'
is "search without hits" "$(ctl search --json nothingmatches | wc -l)" 0
ctl search nothingmatches > "$T/out"
check "search without hits says so" grep -q "^No items match\.$" "$T/out"

ctl items --feed nosuchfeed > "$T/out" 2>&1
is "unknown feed exits 1" "$?" 1
check "unknown feed is named" grep -q 'no feed "nosuchfeed"' "$T/out"

# Marking.
id_of() {
	ctl items --json --search "$1" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p'
}
A1=$(id_of Apple)
B1=$(id_of Cherry)
ctl read "$A1" > "$T/out"
is "read ID" "$(cat "$T/out")" "1 item marked read."
is "read again changes nothing" "$(ctl read "$A1")" "0 items marked read."
ctl > "$T/out"
check "count drops" grep -q "^4 unread items in 2 feeds\.$" "$T/out"
ctl read 999999 > "$T/out" 2>&1
is "unknown id exits 1" "$?" 1
check "unknown id is named" grep -q "no item 999999" "$T/out"
ctl unread "$A1" > /dev/null
is "unread ID" "$(stat_of unread)" 5
ctl star "$B1" > /dev/null
is "star ID" "$(ctl items --json --starred | wc -l)" 1
ctl unstar "$B1" > /dev/null
is "unstar ID" "$(ctl items --json --starred | wc -l)" 0
is "read --feed" "$(ctl read --feed Beta)" "2 items marked read."
is "unread --tag" "$(ctl unread --tag tech)" "2 items marked unread."
is "read --limit --oldest-first" \
    "$(ctl read --tag tech --limit 1 --oldest-first)" "1 item marked read."
is "it was the oldest" "$(ctl items --json --unread --tag tech | grep -c '"title":"Cherry tart"')" 1
is "unread --tag again" "$(ctl unread --tag tech)" "1 item marked unread."
ctl read > "$T/out" 2>&1
is "read without a target is a usage error" "$?" 2

# show renders HTML, lists links, marks read.
ctl show "$B1" > "$T/show"
is "show exits 0" "$?" 0
is "show starts with the title" "$(sed -n 1p "$T/show")" "Cherry tart"
check "show names the feed" grep -q "^Feed: *Beta$" "$T/show"
check "show gives the link" grep -q "^Link: *http://example.org/b1$" "$T/show"
check "show renders the HTML" grep -q "Some linked" "$T/show"
check "show lists the links" grep -q "http://example.org/link" "$T/show"
check "show has no markup" sh -c "! grep -q '<a' '$T/show'"
is "show marked it read" "$(ctl items --json --unread --search Cherry | wc -l)" 0
ctl show 999999 > "$T/out" 2>&1
is "show of an unknown id exits 1" "$?" 1
ctl show abc > "$T/out" 2>&1
is "show of a non-number exits 2" "$?" 2

# open runs $BROWSER with the link and marks read.
cat > "$T/browser.sh" <<EOF
#!/bin/sh
printf '%s\n' "\$1" > "$T/opened"
EOF
chmod +x "$T/browser.sh"
D1=$(id_of Date)
BROWSER="$T/browser.sh" ctl open "$D1"
is "open exits 0" "$?" 0
is "open passes the link" "$(cat "$T/opened")" "http://example.org/b2"
is "open marked it read" "$(ctl items --json --unread --search Date | wc -l)" 0

# Escape sequences from feeds never reach the terminal.
ESC=$(printf '\033')
C1=$(printf '\302\233')
ctl items > "$T/human" 2>&1
ctl > "$T/human2" 2>&1
check "evil title shown, sanitised" grep -q "Evil done" "$T/human"
check "no ESC in human output" sh -c "! grep -q '$ESC' '$T/human' '$T/human2'"
check "no C1 CSI in human output" sh -c "! grep -q '$C1' '$T/human' '$T/human2'"
ctl items --json --search Evil > "$T/json"
check "JSON keeps them as escapes" \
    grep -qF '"title":"Evil \u009B2J\u001B]52;c;SGVsbG8=\u0007done"' "$T/json"
check "no raw C1 in JSON output" sh -c "! grep -q '$C1' '$T/json'"

# The feeds table.
ctl feeds > "$T/feeds.out"
is "feeds exits 0" "$?" 0
check "header" grep -q "^ID *STATUS *UNREAD *ITEMS *POLLED *NEXT *TITLE" "$T/feeds.out"
check "ok feed" grep -q "^ *[0-9]* \(ok\|304\) .*Alpha feed$" "$T/feeds.out"
check "404 visible at a glance" grep -q "^ *[0-9]* ERR 404 (1x) .*missing.xml$" "$T/feeds.out"
is "feeds --json one line per feed" "$(ctl feeds --json | wc -l)" 3
is "feeds FEED" "$(ctl feeds --json Beta | grep -o '"title":"[^"]*"')" \
    '"title":"Beta"'
ctl feeds "$BASE/missing.xml" > "$T/feed.out"
ctl feeds "Alpha feed" > "$T/feed.ok"
check "a healthy feed: its posting rate (dated items), or the default" \
    grep -q "interval [0-9].*: \(its posting rate\|the default interval\)" \
    "$T/feed.ok"
check "feeds FEED says the interval and why" \
    grep -q "interval [0-9].*: backoff after failed polls" "$T/feed.out"
check "--json feeds FEED carries them" sh -c "\"$FEEDCTL\" -s \"$SOCK\" \
    --json feeds \"$BASE/missing.xml\" |
    grep -q '\"interval\":[0-9]*,\"interval_why\":\"backoff'"

# stats, version.
ctl stats > "$T/out"
check "stats shows items" grep -q "^items: *5 " "$T/out"
check "stats shows feeds" grep -q "^feeds: *3 " "$T/out"
ctl version > "$T/out"
check "version" grep -q "^feedctl [0-9.]*, feedd [0-9.]* (protocol 1)$" "$T/out"

# reload: a bad feed line is skipped with its cause and the rest loads; a
# feeds file that cannot be read is an error with its cause; a good one
# works.
cp "$T/feeds" "$T/feeds.good"
echo "ftp://example.org/x" >> "$T/feeds"
ctl reload > "$T/out" 2>&1
is "reload with a bad line exits 0" "$?" 0
check "says a line was skipped" \
    grep -q "^Configuration reloaded; 1 line skipped:$" "$T/out"
check "bad reload gives the cause" grep -q "feeds:4: invalid URL" "$T/out"
mv "$T/feeds" "$T/feeds.away"
ctl reload > "$T/out" 2>&1
is "bad reload exits 1" "$?" 1
check "bad reload gives the cause" grep -q "feeds: No such file" "$T/out"
cp "$T/feeds.good" "$T/feeds"
is "good reload" "$(ctl reload)" "Configuration reloaded."

# Usage errors exit 2.
ctl items --bogus > "$T/out" 2>&1
is "unknown flag exits 2" "$?" 2
check "unknown flag is named" grep -q "unknown flag: --bogus" "$T/out"
ctl frobnicate > "$T/out" 2>&1
is "unknown command exits 2" "$?" 2
ctl items --since garbage > "$T/out" 2>&1
is "bad --since exits 2" "$?" 2
check "bad time is named" grep -q "garbage" "$T/out"
ctl items --limit -3 > "$T/out" 2>&1
is "bad --limit exits 2" "$?" 2
"$FEEDCTL" --help > "$T/out"
check "--help lists the commands" grep -q "^  follow " "$T/out"

# Socket discovery: FEEDD_SOCKET; a daemon that is not running.
FEEDD_SOCKET=$SOCK "$FEEDCTL" stats > /dev/null 2>&1
is "FEEDD_SOCKET is used" "$?" 0
"$FEEDCTL" -s "$T/nothing.sock" > "$T/out" 2>&1
is "no daemon exits 3" "$?" 3
is "no daemon: one line" "$(wc -l < "$T/out")" 1
check "no daemon: names the socket and how to start" grep -q \
    "^feedctl: cannot connect to $T/nothing.sock: No such file or directory (is feedd running? start it with: systemctl" \
    "$T/out"
if [ "$(id -u)" -ne 0 ]; then
	XDG_RUNTIME_DIR=$T "$FEEDCTL" stats > "$T/out" 2>&1
	is "user socket path from XDG_RUNTIME_DIR" "$?" 3
	check "user socket path named" grep -q "$T/feedd.sock" "$T/out"
	ln -s "$SOCK" "$T/feedd.sock"
	XDG_RUNTIME_DIR=$T "$FEEDCTL" stats > /dev/null 2>&1
	is "user socket found" "$?" 0
else
	XDG_RUNTIME_DIR=$T "$FEEDCTL" stats > "$T/out" 2>&1
	is "root: system socket" "$?" 3
	check "root: system socket named" grep -q "/feedd/feedd.sock" "$T/out"
fi

# Output to a full device is an error, not silence.
if [ -w /dev/full ]; then
	ctl items > /dev/full 2>/dev/null
	is "write error to stdout exits 1" "$?" 1
fi

stop_feedd
done_testing
