#!/bin/sh
# daemon_feedsfile.sh: the feeds file as a new user writes it.  `feedd -n`
# lists every bad line as FILE:LINE and exits 1; the daemon skips them with
# a warning and polls the rest, at start and on reload, and `feedctl reload`
# names what it skipped; a bad feedd.conf keeps the running configuration;
# a file with no feeds is warned about; a '!' tag hides a feed from `new`
# only; URL#fragment is the URL, and a duplicate line is ignored with a
# warning naming its title and tags; a feed stored under URL#fragment by an
# older feedd keeps its row and its items.
. "$(dirname "$0")/ctl_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/db" "$1"; }
hits() { grep -c "\"path\": \"$1\"" "$T/httpd.log"; }
# The feed URLs of `feedctl ARGS --json`'s items, sorted, one a line.
urls_of() {
	ctl "$@" --json | sed -n 's/.*"feed_url":"\([^"]*\)".*/\1/p' |
	    sed "s|^$BASE/||" | sort | uniq -c | sed 's/^ *//' | tr '\n' ' '
}

rss a.xml Alpha "a1|Apple|x|Fri, 27 Nov 2026 10:00:00 GMT" \
    "a2|Avocado|x|Fri, 27 Nov 2026 11:00:00 GMT"
rss b.xml Beta "b1|Banana|x|Fri, 27 Nov 2026 12:00:00 GMT"
rss c.xml Gamma "c1|Cherry|x|Fri, 27 Nov 2026 13:00:00 GMT" \
    "c2|Coconut|x|Fri, 27 Nov 2026 14:00:00 GMT"
rss d.xml Delta "d1|Date|x|Fri, 27 Nov 2026 15:00:00 GMT"
start_httpd --dir "$T/www"

# 1: feedd -n lists every bad line, FILE:LINE first, and exits 1.
cat > "$T/feeds" <<EOF
# my feeds
$BASE/a.xml news
ftp://example.org/x
$BASE/b.xml "~open
$BASE/b.xml every=soon
$BASE/b.xml tech
EOF
"$FEEDD" -n --config "$T/empty.conf" --feeds "$T/feeds" --db "$T/db" \
    --socket "$SOCK" > "$T/n.out" 2> "$T/n.err"
is "feedd -n with bad lines exits 1" "$?" 1
is "it lists all three, in order, as FILE:LINE: message" \
    "$(cut -d: -f1-2 "$T/n.err" | tr '\n' ' ')" \
    "$T/feeds:3 $T/feeds:4 $T/feeds:5 "
check "each with its cause" grep -q \
    "^$T/feeds:5: every: invalid duration \"soon\"$" "$T/n.err"
check "and no \"configuration OK\"" sh -c "! grep -q 'configuration OK' \
    '$T/n.err'"

# 2: an empty feeds file: OK, with a warning naming the file.
: > "$T/feeds.empty"
"$FEEDD" -n --config "$T/empty.conf" --feeds "$T/feeds.empty" \
    --db "$T/db" --socket "$SOCK" > "$T/n.out" 2> "$T/n.err"
is "feedd -n on an empty feeds file exits 0" "$?" 0
check "it warns, naming the file" grep -q \
    "warning: $T/feeds.empty: no feeds to poll (the file is empty)$" \
    "$T/n.err"
check "and says configuration OK" grep -q "^configuration OK$" "$T/n.err"
"$FEEDD" -n --config "$T/empty.conf" --feeds "$T/feeds.empty.missing" \
    --db "$T/db" --socket "$SOCK" > "$T/n.out" 2> "$T/n.err"
is "a missing feeds file is still an error" "$?" 1

# 3: the daemon starts with the good lines, warns of the bad ones, polls.
start_feedd
wait_for 100 has_items 3 || not_ok "a.xml and b.xml polled"
check "the good feeds are polled" \
    test "$(hits /a.xml)" -ge 1 -a "$(hits /b.xml)" -ge 1
for n in 3 4 5; do
	check "start: line $n logged as skipped" grep -q \
	    "warning: $T/feeds:$n: .*; line skipped$" "$T/feedd.log"
done
is "two feeds configured" "$(stat_of configured_feeds)" 2

# 4: a reload with one more bad line and a new good feed, hidden by a '!'
# tag, and a duplicate of a.xml by its fragment, with its own title and
# tags: the good lines load, the answer names the rest.
cat >> "$T/feeds" <<EOF
not a url at all
$BASE/c.xml "!quiet" fruit
$BASE/a.xml#comments "~Alpha comments" x y
EOF
ctl reload > "$T/reload.out" 2>&1
is "reload with bad lines exits 0" "$?" 0
is "its first line counts them" "$(head -n 1 "$T/reload.out")" \
    "Configuration reloaded; 4 lines skipped, 1 warning:"
check "it lists the new bad line" grep -q \
    "^$T/feeds:7: invalid URL \"not\" (.*); line skipped$" "$T/reload.out"
check "and the old ones" grep -q "^$T/feeds:3: .*; line skipped$" \
    "$T/reload.out"
check "the duplicate names what it ignores" grep -q \
    "^$T/feeds:9: duplicate of line 2 ($BASE/a.xml); its title \"Alpha comments\" and tags x, y are ignored$" \
    "$T/reload.out"
ctl --json reload > "$T/reload.json"
check "--json: the skipped lines and their count" grep -q \
    "\"skipped\":\[\"$T/feeds:3: .*\"skipped_total\":4" "$T/reload.json"
check "the daemon logs the reload's skipped lines" grep -q \
    "warning: $T/feeds:7: invalid URL .*; line skipped$" "$T/feedd.log"
ctl refresh --no-wait > /dev/null
wait_for 100 has_items 5 || not_ok "c.xml polled after the reload"
is "three feeds now, the fragment one no second feed" \
    "$(stat_of configured_feeds)/$(q "SELECT count(*) FROM feeds")" "3/3"
is "no URL in the store has a fragment" \
    "$(q "SELECT count(*) FROM feeds WHERE url LIKE '%#%'")" 0
is "the duplicate's title is not taken" \
    "$(q "SELECT COALESCE(conf_title, '-') || '/' || tags FROM feeds
    WHERE url = '$BASE/a.xml'")" "-/news"

# 5: '!' tags: out of `new` (listing and count), in items and --tag.
is "new leaves out the feed tagged !quiet" "$(urls_of new)" \
    "2 a.xml 1 b.xml "
ctl new > "$T/new.out"
check "new's count says 3 unread in 2 feeds" grep -q \
    "^3 unread items in 2 feeds\.$" "$T/new.out"
check "new shows no Cherry" sh -c "! grep -q Cherry '$T/new.out'"
is "items lists it" "$(urls_of items)" "2 a.xml 1 b.xml 2 c.xml "
is "items --unread too" "$(urls_of items --unread)" \
    "2 a.xml 1 b.xml 2 c.xml "
is "new --tag quiet names it" "$(urls_of new --tag quiet)" "2 c.xml "
is "new --tag !quiet too" "$(urls_of new --tag '!quiet')" "2 c.xml "
is "new --tag fruit (its other tag) too" "$(urls_of new --tag fruit)" \
    "2 c.xml "
is "items --tag quiet" "$(urls_of items --tag quiet)" "2 c.xml "
is "new --feed names it" "$(urls_of new --feed "$BASE/c.xml")" "2 c.xml "
ctl stats > "$T/stats.out"
check "stats counts every unread item" grep -q "^items: *5 (5 unread" \
    "$T/stats.out"
check "and says how many new does not show" grep -q \
    "^hidden: *2 unread in feeds with a ! tag" "$T/stats.out"
is "stats --json: unread_hidden" "$(stat_of unread_hidden)" 2

# 6: a bad feedd.conf on reload keeps the running configuration, even with
# a new feed in the feeds file.
echo "$BASE/d.xml" >> "$T/feeds"
echo "interval = soon" > "$T/empty.conf"
ctl reload > "$T/reload.out" 2>&1
is "reload with a bad feedd.conf exits 1" "$?" 1
check "and names it" grep -q "empty.conf:1: interval: invalid duration" \
    "$T/reload.out"
ctl refresh --no-wait > /dev/null
sleep 0.5
is "the running configuration stays: d.xml not added" \
    "$(stat_of configured_feeds)/$(hits /d.xml)" "3/0"
: > "$T/empty.conf"
ctl reload > /dev/null
ctl refresh --no-wait > /dev/null
wait_for 100 has_items 6 || not_ok "d.xml polled once feedd.conf is fixed"
check "fixed: d.xml polled" test "$(hits /d.xml)" -ge 1
stop_feedd

# 7: an older feedd stored a.xml as a.xml#comments (its line had the
# fragment then): the row is kept, with its items and read state.
id=$(q "SELECT id FROM feeds WHERE url = '$BASE/a.xml'")
q "UPDATE feeds SET url = '$BASE/a.xml#comments' WHERE id = $id"
"$FEEDD" --once --config "$T/empty.conf" --feeds "$T/feeds" --db "$T/db" \
    --host-conns 8 --host-delay 0 2> "$T/once.err"
is "upgrade: --once runs" "$?" 0
is "upgrade: the row takes the URL without the fragment" \
    "$(q "SELECT id FROM feeds WHERE url = '$BASE/a.xml'")" "$id"
is "upgrade: no second row" \
    "$(q "SELECT count(*) FROM feeds WHERE url LIKE '$BASE/a.xml%'")" 1
is "upgrade: its items stay, none stored again" \
    "$(q "SELECT count(*) FROM items WHERE feed_id = $id")/$(q "SELECT
    count(*) FROM items")" "2/6"

# 8: the daemon warns of a feeds file with no feeds too.
"$FEEDD" --once --config "$T/empty.conf" --feeds "$T/feeds.empty" \
    --db "$T/db" 2> "$T/once.err"
is "an empty feeds file: --once runs" "$?" 0
check "and warns, naming the file" grep -q \
    "warning: $T/feeds.empty: no feeds to poll (the file is empty)$" \
    "$T/once.err"

done_testing
