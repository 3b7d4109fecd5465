#!/bin/sh
# daemon_gone.sh: dead feeds stay dead, and only their own line brings them
# back.  A 410 marks a feed gone; an unrelated edit of the feeds file (a
# line added, another feed's option changed) leaves it unrequested; an
# edit of its own line polls it again.  A feed that failed 20 polls in a
# row over 30 days is dead the same way, with the reason; one that failed
# as often over 10 days is not.  `feedctl feeds --gone` lists them, with
# the date.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }
hits() { grep -c "\"path\": \"$1\"" "$T/httpd.log"; }

cat > "$T/feed.xml" <<'XML'
<?xml version="1.0"?>
<rss version="2.0"><channel><title>Alive</title>
<item><guid>alive-1</guid><title>One</title></item>
</channel></rss>
XML
cat > "$T/script.json" <<'JSON'
{
 "/ok.xml": {"body_file": "feed.xml"},
 "/other.xml": {"body_file": "feed.xml"},
 "/gone.xml": {"status": 410, "body": "gone"},
 "/dead.xml": {"status": 500, "body": "oops"},
 "/flaky.xml": {"status": 500, "body": "oops"}
}
JSON
start_httpd --script "$T/script.json"
printf '# my feeds\n%s news\n%s\n%s "~Dead one"\n%s\n' "$BASE/ok.xml" \
    "$BASE/gone.xml" "$BASE/dead.xml" "$BASE/flaky.xml" > "$T/feeds"
: > "$T/feedd.conf"
poll() {
	"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
	    --db "$T/feedd.db" --host-conns 8 --host-delay 0 "$@" \
	    2>"$T/stderr"
}

poll
is "the 410 marks the feed gone, with the day" \
    "$(q "SELECT gone, gone_since > strftime('%s','now') - 600 FROM feeds
    WHERE url = '$BASE/gone.xml'")" "1|1"
is "gone.xml requested once" "$(hits /gone.xml)" 1

# Unrelated edits: a line added, another feed's tags changed.
printf '%s\n' "$BASE/other.xml" >> "$T/feeds"
sed -i "s|^$BASE/ok.xml news|$BASE/ok.xml news tech|" "$T/feeds"
poll
is "after unrelated edits the gone feed is not requested" "$(hits /gone.xml)" 1
is "... and stays gone" \
    "$(q "SELECT gone FROM feeds WHERE url = '$BASE/gone.xml'")" 1
is "the new line was polled" "$(hits /other.xml)" 1

# Its own line: a tag added.  Polled again (still 410: gone again).
sed -i "s|^$BASE/gone.xml\$|$BASE/gone.xml old|" "$T/feeds"
poll
is "an edit of its own line polls it again" "$(hits /gone.xml)" 2
check "that is logged" grep -q "gone.xml: its line in the feeds file changed" \
    "$T/stderr" -v
poll
is "gone again, and not requested after" "$(hits /gone.xml)" 2

# Dead: 19 failures so far, the last success 31 days ago; flaky: the same
# count, but only 10 days.  One more failure each.
now=$(date +%s)
q "UPDATE feeds SET errors = 19, last_success = $now - 31 * 86400
    WHERE url = '$BASE/dead.xml';
   UPDATE feeds SET errors = 19, last_success = $now - 10 * 86400
    WHERE url = '$BASE/flaky.xml'"
poll
e=$(q "SELECT last_error FROM feeds WHERE url = '$BASE/dead.xml'")
is "20 failures over 30 days: dead ($e)" \
    "$(q "SELECT gone, errors FROM feeds WHERE url = '$BASE/dead.xml'")" "1|20"
check "the reason says so" sh -c "echo '$e' | grep -q '^dead: 20 polls failed in 31 days (last: 500'"
check "logged at notice level" grep -q "dead.xml: dead: 20 polls failed" \
    "$T/stderr"
is "20 failures over 10 days: not dead" \
    "$(q "SELECT gone, errors FROM feeds WHERE url = '$BASE/flaky.xml'")" "0|20"
n=$(hits /dead.xml)
poll
is "a dead feed is not requested again" "$(hits /dead.xml)" "$n"

"$FEEDCTL" --db "$T/feedd.db" feeds --gone > "$T/gone.out" 2>&1
is "feeds --gone exit status" "$?" 0
check "feeds --gone lists the gone and the dead feed" \
    sh -c "grep -q 'Dead one' '$T/gone.out' && grep -q '$BASE/gone.xml' '$T/gone.out'"
check "... and not the others" \
    sh -c "! grep -q 'Alive' '$T/gone.out' && ! grep -q 'flaky' '$T/gone.out'"
check "... with the day it was found gone" \
    grep -q "gone since $(date -u +%Y-%m-%d): dead: 20 polls failed" "$T/gone.out"
is "--json: two gone feeds, with gone_since" \
    "$("$FEEDCTL" --db "$T/feedd.db" --json feeds --gone |
    grep -c '"gone":true,"gone_since":[1-9]')" 2

# moved --gone --apply comments them out of the feeds file, each after a
# note of why; every other line stays.
cp "$T/feeds" "$T/feeds.before"
"$FEEDCTL" --db "$T/feedd.db" moved --gone --apply --feeds "$T/feeds" \
    > "$T/apply" 2>&1
is "moved --gone --apply: exit 0" "$?" 0
check "the dead feed's line is commented, after its note" sh -c \
    "grep -A1 '^# feedd: gone since .*dead: 20 polls failed' '$T/feeds' |
    grep -qxF '#$BASE/dead.xml \"~Dead one\"'"
check "the 410 feed's too" sh -c \
    "grep -A1 '^# feedd: gone since .*410 Gone' '$T/feeds' |
    grep -qxF '#$BASE/gone.xml old'"
is "every other line as it was" \
    "$(grep -v '^# feedd: \|^#http' "$T/feeds" | md5sum)" \
    "$(grep -v "^$BASE/gone.xml\|^$BASE/dead.xml" "$T/feeds.before" | md5sum)"
done_testing
