#!/bin/sh
# daemon_dates.sh: an item's date is its published date, else its updated
# one, else when it was first seen.  An Atom feed whose entries have only
# <updated> (many real ones) is ordered and filtered by those dates, not
# by when it was polled; published and updated stay apart in --json.  The
# dates also set the feed's adaptive interval.
. "$(dirname "$0")/ctl_lib.sh"

cat > "$T/www/atom.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Updated only</title>
<id>urn:dates</id><updated>2024-05-01T00:00:00Z</updated>
<entry><id>urn:dates:old</id><title>Old, updated only</title>
<updated>2020-01-01T00:00:00Z</updated></entry>
<entry><id>urn:dates:pub</id><title>Published</title>
<published>2024-03-01T00:00:00Z</published>
<updated>2024-04-01T00:00:00Z</updated></entry>
<entry><id>urn:dates:mid</id><title>Middle, updated only</title>
<updated>2023-06-01T00:00:00Z</updated></entry>
<entry><id>urn:dates:none</id><title>Undated</title></entry>
</feed>
XML
cat > "$T/www/future.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wrong clock</title>
<item><guid>future-1</guid><title>From 2099</title>
<pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>
<item><guid>future-2</guid><title>Dated</title>
<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>
</channel></rss>
XML
# A generator that stamps every item with the build time.
cat > "$T/www/stamped.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Stamped</title>
<item><guid>s-1</guid><title>S1</title><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>
<item><guid>s-2</guid><title>S2</title><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>
<item><guid>s-3</guid><title>S3</title><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>
</channel></rss>
XML
start_httpd --dir "$T/www"
echo "$BASE/atom.xml" > "$T/feeds"
echo "$BASE/future.xml" >> "$T/feeds"
echo "$BASE/stamped.xml" >> "$T/feeds"
"$FEEDD" --once --config "$T/empty.conf" --feeds "$T/feeds" --db "$T/db" \
    2>"$T/once.err"
is "feedd --once stores the entries" "$?" 0

titles() { sed -n 's/.*"title":"\([^"]*\)".*/\1/p'; }
is "newest first: undated (first seen now), then by published, else updated" \
    "$("$FEEDCTL" --db "$T/db" --json items --feed "$BASE/atom.xml" | titles | tr '\n' '|')" \
    "Undated|Published|Middle, updated only|Old, updated only|"
is "--since 2022-01-01 leaves out the entry updated in 2020" \
    "$("$FEEDCTL" --db "$T/db" --json items --feed "$BASE/atom.xml" \
    --since 2022-01-01 |
    titles | tr '\n' '|')" "Undated|Published|Middle, updated only|"
is "--until 2021-01-01: only it" \
    "$("$FEEDCTL" --db "$T/db" --json items --until 2021-01-01 | titles)" \
    "Old, updated only"
is "the unread listing orders them the same way" \
    "$("$FEEDCTL" --db "$T/db" --json new --feed "$BASE/atom.xml" | titles | tr '\n' '|')" \
    "Undated|Published|Middle, updated only|Old, updated only|"
line=$("$FEEDCTL" --db "$T/db" --json items | grep '"Old, updated only"')
check "published stays null, updated is kept" sh -c \
    "echo '$line' | grep -q '\"published\":null,\"updated\":1577836800'"
"$FEEDCTL" --db "$T/db" items > "$T/table" 2>&1
check "the table shows the updated date, not today" \
    grep -q " 2020-01-01 .*Old, updated only" "$T/table"

# Its posting rate (posts months apart) moves its interval from the
# default 30 min a quarter of the way toward max-interval (24 h), and the
# next poll is planned with it (no every=, no server hint).
if command -v sqlite3 >/dev/null 2>&1; then
	is "adaptive interval after one poll: 1800 + (86400 - 1800) / 4" \
	    "$(sqlite3 "$T/db" "SELECT adaptive FROM feeds
	    WHERE url = '$BASE/atom.xml'")" 22950
	is "... the next poll planned with it, +-10% jitter" \
	    "$(sqlite3 "$T/db" "SELECT next_fetch - last_fetch BETWEEN 20655
	    AND 25245 FROM feeds WHERE url = '$BASE/atom.xml'")" 1
fi
"$FEEDCTL" --db "$T/db" feeds "$BASE/atom.xml" > "$T/feed" 2>&1
check "feedctl feeds FEED says it" \
    grep -q "its posting rate suggests a poll every" "$T/feed"

# Junk dates (one build time on every item): the items sort by when they
# were first seen, flagged, their dates kept.
if command -v sqlite3 >/dev/null 2>&1; then
	is "junk dates: each sorts by when it was first seen" \
	    "$(sqlite3 "$T/db" "SELECT count(*) FROM unread u JOIN items i
	    ON i.id = u.id WHERE i.guid LIKE 's-%' AND u.date = i.first_seen
	    AND i.published = 1704067200 AND i.junk_date = 1")" 3
	is "the feeds whose dates are fine are not flagged" \
	    "$(sqlite3 "$T/db" "SELECT count(*) FROM items
	    WHERE junk_date = 1")" 3
fi
check "--json flags them" sh -c "\"$FEEDCTL\" --db \"$T/db\" --json items \
    --feed \"$BASE/stamped.xml\" | grep -c '\"junk_date\":true' | grep -qx 3"

# A date in the future (beyond a day) sorts as one day after the item was
# first seen, and is flagged; its date itself is kept.
line=$("$FEEDCTL" --db "$T/db" --json items --feed "$BASE/future.xml")
check "the future date is kept and flagged" sh -c "echo '$line' |
    grep -q '\"published\":4070908800,.*\"future_date\":true'"
if command -v sqlite3 >/dev/null 2>&1; then
	is "it sorts one day after it was first seen" \
	    "$(sqlite3 "$T/db" "SELECT u.date - i.first_seen FROM unread u
	    JOIN items i ON i.id = u.id WHERE i.guid = 'future-1'")" 86400
fi
done_testing
