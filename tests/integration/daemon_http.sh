#!/bin/sh
# daemon_http.sh: what servers say about the future.  A permanent redirect
# is recorded (never written into the feeds file), a temporary one is not;
# 410 Gone stops polling until its line in the feeds file changes;
# Retry-After on 503 and 429 and Cache-Control max-age make the next
# --once skip the feed, and --force polls it anyway.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }
hits() { grep -c "\"path\": \"$1\"" "$T/httpd.log"; }
col() { q "SELECT $1 FROM feeds WHERE url = '$2'"; }

cat > "$T/feed.xml" <<'XML'
<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>
<id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>
<entry><id>urn:x:1</id><title>One</title><updated>2024-01-01T00:00:00Z</updated></entry>
</feed>
XML
cat > "$T/script.json" <<'JSON'
{
 "/feed.xml": {"body_file": "feed.xml"},
 "/new.xml": {"body_file": "feed.xml"},
 "/old.xml": {"status": 301, "location": "/new.xml"},
 "/perm1.xml": {"status": 308, "location": "/perm2.xml"},
 "/perm2.xml": {"status": 301, "location": "/feed.xml?p"},
 "/mixed.xml": {"status": 301, "location": "/tmp.xml"},
 "/tmp.xml": {"status": 302, "location": "/feed.xml?m"},
 "/temp.xml": {"status": 307, "location": "/feed.xml?t"},
 "/gone.xml": [{"body_file": "feed.xml"}, {"status": 410, "body": "gone"}],
 "/busy.xml": {"status": 503, "retry_after": 7200},
 "/limit.xml": {"status": 429, "retry_after": "Wed, 21 Oct 2099 07:28:00 GMT"},
 "/cached.xml": {"body_file": "feed.xml",
                 "headers": {"Cache-Control": "public, max-age=7200"}},
 "/expires.xml": {"body_file": "feed.xml",
                  "headers": {"Expires": "EXPIRES"}},
 "/nohint.xml": {"status": 429}
}
JSON
# Expires: three hours from now, as an HTTP date.
exp=$(date -u -d "@$(($(date +%s) + 10800))" '+%a, %d %b %Y %H:%M:%S GMT')
sed "s/EXPIRES/$exp/" "$T/script.json" > "$T/script.tmp" &&
    mv "$T/script.tmp" "$T/script.json"
start_httpd --script "$T/script.json"
for p in old perm1 mixed temp gone busy limit cached expires nohint; do
	echo "$BASE/$p.xml"
done > "$T/feeds"
cp "$T/feeds" "$T/feeds.orig"
: > "$T/feedd.conf"
poll() {
	"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
	    --db "$T/feedd.db" --host-conns 8 --host-delay 0 "$@" \
	    2>"$T/stderr"
}

poll; rc=$?
is "first run: 503 and the 429s failed, exit 2" "$rc" 2
now=$(date +%s)

# Redirects.
is "301 recorded as the redirect target" \
    "$(col redirect_url "$BASE/old.xml")" "$BASE/new.xml"
is "301 followed: items stored" "$(q "SELECT count(*) FROM items i JOIN feeds
    f ON f.id = i.feed_id WHERE f.url = '$BASE/old.xml'")" 1
is "308 then 301: the end of the permanent chain" \
    "$(col redirect_url "$BASE/perm1.xml")" "$BASE/feed.xml?p"
is "301 then 302: only the permanent hop" \
    "$(col redirect_url "$BASE/mixed.xml")" "$BASE/tmp.xml"
is "307 is not recorded" "$(col "ifnull(redirect_url, 'none')" \
    "$BASE/temp.xml")" none
check "the feeds file is never rewritten" cmp "$T/feeds" "$T/feeds.orig"

# Retry-After and max-age.
is "503 recorded" "$(col http_status "$BASE/busy.xml")" 503
h=$(col hold_until "$BASE/busy.xml")
is "503 Retry-After 7200 s: held about two hours" \
    "$([ "$h" -ge $((now + 7000)) ] && [ "$h" -le $((now + 7300)) ] &&
    echo yes)" yes
h=$(col hold_until "$BASE/limit.xml")
is "429 Retry-After date in 2099: held, capped at a day" \
    "$([ "$h" -ge $((now + 3600)) ] && [ "$h" -le $((now + 86400 + 60)) ] &&
    echo yes)" yes
h=$(col hold_until "$BASE/cached.xml")
is "Cache-Control max-age=7200: held about two hours" \
    "$([ "$h" -ge $((now + 7000)) ] && [ "$h" -le $((now + 7300)) ] &&
    echo yes)" yes
h=$(col hold_until "$BASE/expires.xml")
is "Expires in three hours: held about three hours" \
    "$([ "$h" -ge $((now + 10700)) ] && [ "$h" -le $((now + 10900)) ] &&
    echo yes)" yes
is "429 without Retry-After: an error, no hold" \
    "$(col "errors || '/' || hold_until" "$BASE/nohint.xml")" "1/0"
is "next fetch not before the hold" "$(q "SELECT next_fetch >= hold_until
    FROM feeds WHERE url = '$BASE/busy.xml'")" 1

# Second run: gone now; the held feeds are skipped.
poll; rc=$?
is "second run: only the 429 without a hint fails (exit 2)" "$rc" 2
is "second run: summary counts the skipped feeds" "$(tail -n 1 "$T/stderr")" \
    "feedd: 6 feeds polled, 1 failed, 0 new items, 4 skipped"
is "the unhinted 429 was asked again" "$(hits /nohint.xml)" 2
is "the Expires feed was not" "$(hits /expires.xml)" 1
is "410 sets the gone flag" "$(col gone "$BASE/gone.xml")" 1
is "busy feed not asked again" "$(hits /busy.xml)" 1
is "rate-limited feed not asked again" "$(hits /limit.xml)" 1
is "cached feed not asked again" "$(hits /cached.xml)" 1
is "gone feed asked twice so far" "$(hits /gone.xml)" 2

# Third run: the gone feed is skipped.
poll; rc=$?
is "third run: exit 2 (the unhinted 429)" "$rc" 2
is "third run: the gone feed is skipped too" "$(tail -n 1 "$T/stderr")" \
    "feedd: 5 feeds polled, 1 failed, 0 new items, 5 skipped"
is "gone feed not polled again" "$(hits /gone.xml)" 2

# --force polls what servers asked us to leave alone (not gone feeds).
poll --force; rc=$?
is "--force run: 503 and 429 fail again, exit 2" "$rc" 2
is "--force: busy feed asked" "$(hits /busy.xml)" 2
is "--force: rate-limited feed asked" "$(hits /limit.xml)" 2
is "--force: cached feed asked" "$(hits /cached.xml)" 2
is "--force: gone feed still skipped" "$(hits /gone.xml)" 2

# An edit of the feeds file elsewhere leaves the gone feed alone; an edit
# of its own line gives it another chance (daemon_gone.sh has more).
echo "# edited" >> "$T/feeds"
poll; rc=$?
is "after editing another line the gone feed is not asked" \
    "$(hits /gone.xml)" 2
sed -i "s|^$BASE/gone.xml\$|$BASE/gone.xml tagged|" "$T/feeds"
poll; rc=$?
is "after editing its own line the gone feed is asked" "$(hits /gone.xml)" 3
is "and it is gone again" "$(col gone "$BASE/gone.xml")" 1

done_testing
