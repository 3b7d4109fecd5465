#!/bin/sh
# daemon_dedupe.sh: cross-feed duplicates, opt-in.  An aggregator with
# dedupe=link that brings an article its source feed already brought
# stores it read: the article is shown once.  Without the option (the
# default) both copies are new; dedupe-links = yes in feedd.conf sets it
# for every feed.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }
mkdir -p "$T/www"
cat > "$T/www/source.xml" <<'XML'
<?xml version="1.0"?><rss version="2.0"><channel><title>Source</title>
<item><guid>src-1</guid><title>The article</title><link>http://example.org/article</link></item>
<item><guid>src-2</guid><title>Another</title><link>http://example.org/another</link></item>
</channel></rss>
XML
cat > "$T/www/agg.xml" <<'XML'
<?xml version="1.0"?><rss version="2.0"><channel><title>Aggregator</title>
<item><guid>agg-1</guid><title>The article (via agg)</title><link>http://example.org/article</link></item>
<item><guid>agg-2</guid><title>Only here</title><link>http://example.org/only</link></item>
</channel></rss>
XML
sed "s/agg-/plain-/g" "$T/www/agg.xml" > "$T/www/plain.xml"
start_httpd --dir "$T/www"
printf '%s\n' "$BASE/source.xml" > "$T/feeds"
: > "$T/feedd.conf"
poll() {
	"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
	    --db "$T/feedd.db" --host-delay 0 2>"$T/stderr"
}
poll
printf '%s dedupe=link\n%s\n' "$BASE/agg.xml" "$BASE/plain.xml" >> "$T/feeds"
poll
unread_of() {
	q "SELECT count(*) FROM unread u JOIN items i ON i.id = u.id
	    WHERE i.guid = '$1'"
}
is "the aggregator's copy is stored" \
    "$(q "SELECT count(*) FROM items WHERE guid = 'agg-1'")" 1
is "... but read: the source's copy is the one shown" \
    "$(unread_of agg-1)/$(unread_of src-1)" "0/1"
is "what only the aggregator has is new" "$(unread_of agg-2)" 1
is "without dedupe=link, both copies are new" \
    "$(q "SELECT count(*) FROM unread u JOIN items i ON i.id = u.id
    JOIN feeds f ON f.id = i.feed_id WHERE f.url = '$BASE/plain.xml'")" 2
is "the article is shown twice, not three times" \
    "$("$FEEDCTL" --db "$T/feedd.db" --json new | grep -c 'example.org/article')" 2
is "the aggregator's counters are right" \
    "$(q "SELECT item_count || '/' || unread_count FROM feeds
    WHERE url = '$BASE/agg.xml'")" "2/1"

# dedupe-links = yes in feedd.conf: every feed is dedupe=link.
rm -f "$T/feedd.db"
printf '%s\n' "$BASE/source.xml" > "$T/feeds"
echo "dedupe-links = yes" > "$T/feedd.conf"
poll
printf '%s\n' "$BASE/plain.xml" >> "$T/feeds"
poll
is "dedupe-links: the plain feed's copy is read too" \
    "$(unread_of plain-1)/$(unread_of src-1)/$(unread_of plain-2)" "0/1/1"
done_testing
