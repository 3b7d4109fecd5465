#!/bin/sh
# daemon_churn.sh: identity that survives bad feeds.  A feed whose guids
# change on every fetch while its items stay the same (links, titles,
# content) delivers them once: five polls, no new unread item after the
# first, and the feed says its guids are not to be trusted.  Items that
# share one guid in one document are all kept.  id=guid turns the
# matching off (every rotation is new again); id=link keys by link.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }

# churn.xml: three items whose guids carry the poll number.
churn() {
	{
		echo '<?xml version="1.0"?><rss version="2.0"><channel>'
		echo '<title>Churn</title>'
		for i in 1 2 3; do
			echo "<item><guid isPermaLink=\"false\">r$1-$i</guid>"
			echo "<title>Story $i</title>"
			echo "<link>http://example.org/story/$i</link>"
			echo "<description>Text of story $i</description></item>"
		done
		echo '</channel></rss>'
	} > "$T/www/$2"
}
mkdir -p "$T/www"
cat > "$T/www/same.xml" <<'XML'
<?xml version="1.0"?><rss version="2.0"><channel><title>Same guid</title>
<item><guid>same</guid><title>First</title><link>http://example.org/s/1</link></item>
<item><guid>same</guid><title>Second</title><link>http://example.org/s/2</link></item>
<item><guid>same</guid><title>Third</title><link>http://example.org/s/3</link></item>
</channel></rss>
XML
start_httpd --dir "$T/www"
printf '%s\n%s id=guid\n%s\n' "$BASE/churn.xml" "$BASE/trusted.xml" \
    "$BASE/same.xml" > "$T/feeds"
: > "$T/feedd.conf"
poll() {
	"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
	    --db "$T/feedd.db" --host-delay 0 2>"$T/stderr"
	cat "$T/stderr" >> "$T/all.err"
}
unread_of() {
	q "SELECT count(*) FROM unread u JOIN feeds f ON f.id = u.feed_id
	    WHERE f.url = '$BASE/$1'"
}

for n in 1 2 3 4 5; do
	churn "$n" churn.xml
	churn "$n" trusted.xml
	poll
	eval "u$n=\$(unread_of churn.xml)"
	eval "t$n=\$(unread_of trusted.xml)"
done
is "rotating guids, five polls: 3 unread items, never more" \
    "$u1 $u2 $u3 $u4 $u5" "3 3 3 3 3"
is "... and 3 items stored" "$(q "SELECT count(*) FROM items i JOIN feeds f
    ON f.id = i.feed_id WHERE f.url = '$BASE/churn.xml'")" 3
is "the feed records that its guids are not to be trusted" \
    "$(q "SELECT identity FROM feeds WHERE url = '$BASE/churn.xml'")" link
is "logged once, at notice level" \
    "$(grep -c "churn.xml: its guids change under the same items" \
    "$T/all.err")" 1
"$FEEDCTL" --db "$T/feedd.db" feeds "$BASE/churn.xml" > "$T/table" 2>&1
check "feedctl feeds FEED says so" grep -q "matched by link and content" \
    "$T/table"
is "id=guid trusts them: every rotation is new" "$t1 $t2 $t5" "3 6 15"
is "three items under one guid: all three kept" \
    "$(q "SELECT count(*) FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE f.url = '$BASE/same.xml'")" 3
is "... each with its own title" \
    "$(q "SELECT group_concat(title, ',') FROM (SELECT i.title FROM items i
    JOIN feeds f ON f.id = i.feed_id WHERE f.url = '$BASE/same.xml'
    ORDER BY i.title)")" "First,Second,Third"
poll
is "... and a second poll adds none" \
    "$(q "SELECT count(*) FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE f.url = '$BASE/same.xml'")" 3

# An edited item is updated, not taken for a new one under a new guid.
churn 6 churn.xml
sed -i 's|Text of story 2|Text of story 2, corrected|' "$T/www/churn.xml"
poll
is "a changed item under a new guid is a new item (nothing matches it)" \
    "$(unread_of churn.xml)" 4
done_testing
