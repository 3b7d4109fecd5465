#!/bin/sh
# daemon_updates.sh: updated items are visible.  An item edited twice keeps
# its read state, counts its changes (update_count 2, changed set), is
# listed by `items --updated` (changed since it was read) and marked
# "(updated)" in the table; an unchanged one is not; reading it takes it
# off the list until it changes again.  With updates=unread on its feed, a
# change makes an item unread again.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }
mkdir -p "$T/www"
feed() {	# FILE TEXT: two items, the first one's text TEXT
	cat > "$T/www/$1" <<XML
<?xml version="1.0"?><rss version="2.0"><channel><title>$1</title>
<item><guid>$1-1</guid><title>Edited</title><description>$2</description></item>
<item><guid>$1-2</guid><title>Untouched</title><description>same</description></item>
</channel></rss>
XML
}
feed a.xml "first text"
feed b.xml "first text"
start_httpd --dir "$T/www"
printf '%s\n%s updates=unread\n' "$BASE/a.xml" "$BASE/b.xml" > "$T/feeds"
: > "$T/feedd.conf"
poll() {
	"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
	    --db "$T/feedd.db" --host-delay 0 2>"$T/stderr"
}
ctl() { "$FEEDCTL" --db "$T/feedd.db" "$@"; }

poll
ctl read --all > /dev/null
is "all read" "$(q 'SELECT count(*) FROM unread')" 0
feed a.xml "second text"
feed b.xml "second text"
poll
feed a.xml "third text"
poll
ida=$(q "SELECT id FROM items WHERE guid = 'a.xml-1'")
is "edited twice: update_count 2, a change time" \
    "$(q "SELECT update_count, changed > 0 FROM items WHERE id = $ida")" "2|1"
is "its read state kept" \
    "$(q "SELECT count(*) FROM unread WHERE id = $ida")" 0
is "--json carries the count" \
    "$(ctl --json items --updated --feed "$BASE/a.xml" |
    sed -n 's/.*"update_count":\([0-9]*\).*/\1/p')" 2
updated() {
	ctl --json items --updated | sed -n 's/.*"guid":"\([^"]*\)".*/\1/p' |
	    sort | tr '\n' ' '
}
is "items --updated lists the items changed since read, only" \
    "$(updated)" "a.xml-1 b.xml-1 "
ctl items --feed "$BASE/a.xml" > "$T/table"
check "the table marks it (updated)" grep -q "(updated) Edited" "$T/table"
check "... and not the untouched one" sh -c \
    "! grep -q '(updated) Untouched' '$T/table'"
is "updates=unread: the changed item is unread again" \
    "$(q "SELECT count(*) FROM unread u JOIN items i ON i.id = u.id
    WHERE i.guid = 'b.xml-1'")" 1
is "... and only it" "$(q 'SELECT count(*) FROM unread')" 1
is "... counted in its feed" "$(q "SELECT unread_count FROM feeds
    WHERE url = '$BASE/b.xml'")" 1
ctl read "$ida" > /dev/null
is "reading a changed item takes it off --updated" "$(updated)" "b.xml-1 "
feed a.xml "fourth text"
poll
is "a new change puts it back" "$(updated)" "a.xml-1 b.xml-1 "
ctl read --all > /dev/null
is "read --all sees every change" "$(updated)" ""
is "... and the count stays" \
    "$(q "SELECT update_count FROM items WHERE id = $ida")" 3
"$FEEDD" --check-db --db "$T/feedd.db" --config "$T/feedd.conf" \
    > "$T/check" 2>&1
is "--check-db finds the counters right" "$?" 0
done_testing
