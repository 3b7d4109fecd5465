#!/bin/sh
# daemon_moved.sh: feeds that move.  A 301 makes feedd poll the new address
# from the next poll on, across --once runs, keeping the feed (its id, its
# items, their read state); the old address is not requested again.  A
# temporary redirect changes nothing.  `feedctl moved` prints the feeds
# file's diff; --apply writes it atomically, every other byte (comments,
# blank lines, order, tags, title, options, quoting) kept, and after it
# the feed still keeps its row.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }
hits() { grep -c "\"path\": \"$1\"" "$T/httpd.log"; }

cat > "$T/feed.xml" <<'XML'
<?xml version="1.0"?>
<rss version="2.0"><channel><title>Moving</title>
<item><guid>m-1</guid><title>One</title></item>
<item><guid>m-2</guid><title>Two</title></item>
</channel></rss>
XML
cat > "$T/script.json" <<'JSON'
{
 "/old.xml": {"status": 301, "location": "/new.xml"},
 "/new.xml": {"body_file": "feed.xml"},
 "/temp.xml": {"status": 302, "location": "/feed.xml?t"},
 "/feed.xml": {"body_file": "feed.xml"}
}
JSON
start_httpd --script "$T/script.json"
cat > "$T/feeds" <<EOF2
# My feeds

  $BASE/old.xml#top tech "~Old Name" every=2h   # moved
"$BASE/temp.xml" news
# the end
EOF2
cp "$T/feeds" "$T/feeds.orig"
: > "$T/feedd.conf"
poll() {
	"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
	    --db "$T/feedd.db" --host-delay 0 2>"$T/stderr"
}
ctl() { "$FEEDCTL" --db "$T/feedd.db" "$@"; }

poll
is "first run: the old address answered 301" "$(hits /old.xml)" 1
id=$(q "SELECT id FROM feeds WHERE url = '$BASE/old.xml'")
is "the move is recorded" "$(q "SELECT redirect_url FROM feeds
    WHERE id = $id")" "$BASE/new.xml"
check "and logged at notice level" grep -q \
    "old.xml: moved permanently to $BASE/new.xml: polled there" "$T/stderr"
item=$(q "SELECT min(id) FROM items WHERE feed_id = $id")
ctl read "$item" > /dev/null

poll
is "second run: the old address is not requested again" "$(hits /old.xml)" 1
is "... the new one is, directly" "$(hits /new.xml)" 2
is "... and the move is not logged again" \
    "$(grep -c 'moved permanently' "$T/stderr")" 0
is "a temporary redirect changes nothing" \
    "$(hits /temp.xml)/$(q "SELECT COALESCE(redirect_url, 'none') FROM feeds
    WHERE url = '$BASE/temp.xml'")" "2/none"

ctl moved --feeds "$T/feeds" > "$T/diff" 2>&1
is "moved: exit 0" "$?" 0
check "moved prints the line's diff" sh -c "grep -qxF -- \
    '-  $BASE/old.xml#top tech \"~Old Name\" every=2h   # moved' '$T/diff' &&
    grep -qxF -- '+  $BASE/new.xml tech \"~Old Name\" every=2h   # moved' \
    '$T/diff'"
check "... and nothing else" sh -c "! grep -q temp.xml '$T/diff'"
check "without --apply the feeds file is untouched" \
    cmp -s "$T/feeds" "$T/feeds.orig"

ctl moved --apply --feeds "$T/feeds" > "$T/apply" 2>&1
is "moved --apply: exit 0" "$?" 0
check "it says the daemon will read it" grep -q "not running" "$T/apply"
sed "s|$BASE/old.xml#top|$BASE/new.xml|" "$T/feeds.orig" > "$T/feeds.want"
check "the feeds file is byte-identical but for the URL" \
    cmp "$T/feeds" "$T/feeds.want"

poll
is "after --apply: the same feed, at its new address" \
    "$(q "SELECT id || ' ' || url || ' ' || COALESCE(redirect_url, '-')
    FROM feeds WHERE url = '$BASE/new.xml'")" "$id $BASE/new.xml -"
is "no feed row for the old address" \
    "$(q "SELECT count(*) FROM feeds WHERE url = '$BASE/old.xml'")" 0
is "its items kept, the read one still read" \
    "$(q "SELECT count(*) FROM items WHERE feed_id = $id")/$(q \
    "SELECT count(*) FROM unread WHERE feed_id = $id")" "2/1"
is "the old address still not requested" "$(hits /old.xml)" 1
is "no more moves to make" "$(ctl moved --feeds "$T/feeds")" \
    "No feed has moved."
done_testing
