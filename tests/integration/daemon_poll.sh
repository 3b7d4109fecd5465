#!/bin/sh
# daemon_poll.sh: feedd --once against a real HTTP server and a real SQLite
# file: the first poll stores every item, the next one is conditional and
# stores nothing, a changed item is updated in place and keeps its read
# state, gzip works, a file:// feed works, restarts never duplicate items.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }

# rss FILE CHANNEL-TITLE then "guid|title" pairs.
rss() {
	f=$1; ch=$2; shift 2
	{
		echo '<?xml version="1.0" encoding="utf-8"?>'
		echo '<rss version="2.0"><channel>'
		echo "<title>$ch</title><link>http://example.org/$ch</link>"
		for it in "$@"; do
			g=${it%%|*}; t=${it#*|}
			echo "<item><guid isPermaLink=\"false\">$g</guid>"
			echo "<title>$t</title><link>http://example.org/$g</link>"
			echo "<description>Text of $t.</description></item>"
		done
		echo '</channel></rss>'
	} > "$f"
}

rss "$T/a.xml" alpha "a1|One" "a2|Two" "a3|Three"
rss "$T/gz.xml" gamma "g1|Gee one" "g2|Gee two"
rss "$T/local.xml" local "l1|Local one" "l2|Local two"
cat > "$T/script.json" <<'JSON'
{
 "/a.xml": {"body_file": "a.xml", "etag": "\"a-v1\"",
            "last_modified": "Sat, 01 Jan 2022 00:00:00 GMT"},
 "/gz.xml": {"body_file": "gz.xml", "gzip": true,
             "last_modified": "Sun, 02 Jan 2022 10:00:00 GMT"}
}
JSON
start_httpd --script "$T/script.json"

printf '%s\n' "# three feeds" "$BASE/a.xml news" "$BASE/gz.xml" \
    "file://$T/local.xml \"~Local feed\"" > "$T/feeds"
: > "$T/feedd.conf"
poll() {
	"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
	    --db "$T/feedd.db" --host-conns 4 --host-delay 0 "$@" \
	    2>"$T/stderr"
}

# 1: the first poll stores everything.
poll; rc=$?
is "first poll exits 0" "$rc" 0
is "first poll: summary line" "$(tail -n 1 "$T/stderr")" \
    "feedd: 3 feeds polled, 0 failed, 7 new items"
is "first poll: 7 items" "$(q 'SELECT count(*) FROM items')" 7
is "first poll: 3 feeds" "$(q 'SELECT count(*) FROM feeds')" 3
is "alpha items" "$(q "SELECT group_concat(i.guid, ' ') FROM (SELECT i.guid
    FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE f.url = '$BASE/a.xml' ORDER BY i.guid) i")" "a1 a2 a3"
is "gzip feed items" "$(q "SELECT count(*) FROM items i JOIN feeds f
    ON f.id = i.feed_id WHERE f.url = '$BASE/gz.xml'")" 2
is "file feed items" "$(q "SELECT count(*) FROM items i JOIN feeds f
    ON f.id = i.feed_id WHERE f.url = 'file://$T/local.xml'")" 2
is "feed title from the document" \
    "$(q "SELECT title FROM feeds WHERE url = '$BASE/a.xml'")" alpha
is "site link from the document" \
    "$(q "SELECT site_url FROM feeds WHERE url = '$BASE/a.xml'")" \
    "http://example.org/alpha"
is "title from the feeds file" \
    "$(q "SELECT conf_title FROM feeds WHERE url LIKE 'file:%'")" \
    "Local feed"
is "tags from the feeds file" \
    "$(q "SELECT tags FROM feeds WHERE url = '$BASE/a.xml'")" news
is "validators stored" \
    "$(q "SELECT etag || ' ' || last_modified FROM feeds
    WHERE url = '$BASE/a.xml'")" '"a-v1" Sat, 01 Jan 2022 00:00:00 GMT'
is "status 200, no errors" "$(q "SELECT http_status || '/' || errors
    FROM feeds WHERE url = '$BASE/a.xml'")" "200/0"

# What the server saw: our User-Agent, compression offered.
ua=$(grep '"/a.xml"' "$T/httpd.log" | head -n 1 |
    sed 's/.*"user_agent": "\([^"]*\)".*/\1/')
case $ua in
feedd/*) ok "User-Agent names feedd ($ua)" ;;
*) not_ok "User-Agent names feedd"; echo "#   got: $ua" ;;
esac
ae=$(grep '"/gz.xml"' "$T/httpd.log" | head -n 1 |
    sed 's/.*"accept_encoding": "\([^"]*\)".*/\1/')
case $ae in
*gzip*) ok "Accept-Encoding offers gzip" ;;
*) not_ok "Accept-Encoding offers gzip"; echo "#   got: $ae" ;;
esac
is "no validators on the first request" \
    "$(grep -c '"path": "/a.xml".*"status": 200' "$T/httpd.log")" 1

# 2: the second poll is conditional and stores nothing.
poll; rc=$?
is "second poll exits 0" "$rc" 0
is "second poll: nothing new" "$(tail -n 1 "$T/stderr")" \
    "feedd: 3 feeds polled, 0 failed, 0 new items"
line=$(grep '"path": "/a.xml"' "$T/httpd.log" | sed -n 2p)
case $line in
*'"if_none_match": "\"a-v1\""'*) ok "If-None-Match sent" ;;
*) not_ok "If-None-Match sent"; echo "#   $line" ;;
esac
case $line in
*'"if_modified_since": "Sat, 01 Jan 2022 00:00:00 GMT"'*)
	ok "If-Modified-Since sent verbatim" ;;
*) not_ok "If-Modified-Since sent verbatim"; echo "#   $line" ;;
esac
case $line in
*'"status": 304'*) ok "server answered 304" ;;
*) not_ok "server answered 304"; echo "#   $line" ;;
esac
line=$(grep '"path": "/gz.xml"' "$T/httpd.log" | sed -n 2p)
case $line in
*'"if_modified_since": "Sun, 02 Jan 2022 10:00:00 GMT"'*'"status": 304'*)
	ok "gzip feed: If-Modified-Since alone gives 304" ;;
*) not_ok "gzip feed: If-Modified-Since alone gives 304"; echo "#   $line" ;;
esac
is "still 7 items" "$(q 'SELECT count(*) FROM items')" 7
is "304 recorded" "$(q "SELECT http_status FROM feeds
    WHERE url = '$BASE/a.xml'")" 304

# 3: an item changes, one is added; the changed one keeps its read state.
# (Unread items are the rows of the unread set, schema 5.)
q "DELETE FROM unread WHERE id IN
    (SELECT id FROM items WHERE guid IN ('a2', 'a3'))"
id_a2=$(q "SELECT id FROM items WHERE guid = 'a2'")
rss "$T/a.xml" alpha "a1|One" "a2|Two, corrected" "a3|Three" "a4|Four"
sed 's/a-v1/a-v2/' "$T/script.json" > "$T/script.new" &&
    mv "$T/script.new" "$T/script.json"
poll; rc=$?
is "third poll exits 0" "$rc" 0
is "third poll: one new item" "$(tail -n 1 "$T/stderr")" \
    "feedd: 3 feeds polled, 0 failed, 1 new item"
is "8 items" "$(q 'SELECT count(*) FROM items')" 8
is "changed item updated in place" \
    "$(q "SELECT id || '|' || title FROM items WHERE guid = 'a2'")" \
    "$id_a2|Two, corrected"
is "changed item keeps read state" \
    "$(q "SELECT id NOT IN (SELECT id FROM unread) FROM items
    WHERE guid = 'a2'")" 1
is "unchanged read item stays read" \
    "$(q "SELECT id NOT IN (SELECT id FROM unread) FROM items
    WHERE guid = 'a3'")" 1
is "new item unread" "$(q "SELECT id NOT IN (SELECT id FROM unread) FROM items
    WHERE guid = 'a4'")" 0
is "new ETag stored" "$(q "SELECT etag FROM feeds
    WHERE url = '$BASE/a.xml'")" '"a-v2"'

# 4: a local file that changes is read again.
rss "$T/local.xml" local "l1|Local one" "l2|Local two" "l3|Local three"
poll; rc=$?
is "fourth poll exits 0" "$rc" 0
is "changed local file read" "$(q "SELECT count(*) FROM items
    WHERE guid LIKE 'l%'")" 3

# 5: restarting, again and again, never duplicates anything.
n=0
while [ $n -lt 3 ]; do
	poll || break
	n=$((n + 1))
done
is "three more polls ran" "$n" 3
is "still 9 items" "$(q 'SELECT count(*) FROM items')" 9
is "no item stored twice" "$(q 'SELECT count(*) FROM (SELECT feed_id, guid
    FROM items GROUP BY feed_id, guid HAVING count(*) > 1)')" 0
is "three feeds, none in error" \
    "$(q 'SELECT count(*) || "/" || sum(errors) FROM feeds')" "3/0"

# 6: the integrity of the database after all that.
is "database intact" "$(q 'PRAGMA integrity_check')" ok

done_testing
