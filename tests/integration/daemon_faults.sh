#!/bin/sh
# daemon_faults.sh: one feedd --once run over a good feed and every kind of
# broken one (DNS failure, refused connection, timeout, 404, 500, TLS error,
# HTML, malformed XML, endless body with no item in it, gzip bomb,
# truncated body, garbage, redirect loop, redirects to file:// and
# ftp://).  Each failure is recorded on its own feed and logged once; the
# good feed is stored all the same; nothing of a failed transfer is stored
# (a document cut by max-body keeps its items: daemon_truncate.sh).
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }

cat > "$T/good.xml" <<'XML'
<?xml version="1.0"?>
<rss version="2.0"><channel><title>Good</title>
<item><guid>good-1</guid><title>Fine</title></item>
<item><guid>good-2</guid><title>Also fine</title></item>
</channel></rss>
XML
# Two complete items, then the connection drops mid-body.
cat > "$T/trunc.xml" <<'XML'
<?xml version="1.0"?>
<rss version="2.0"><channel><title>Cut</title>
<item><guid>cut-1</guid><title>Whole</title></item>
<item><guid>cut-2</guid><title>Whole too</title></item>
<item><guid>cut-3</guid><title>Never arrives in full ....................</title></item>
</channel></rss>
XML
cat > "$T/script.json" <<'JSON'
{
 "/good.xml": {"body_file": "good.xml"},
 "/slow.xml": {"delay": 6, "body_file": "good.xml"},
 "/err.xml": {"status": 500, "body": "oops"},
 "/page.html": {"content_type": "text/html",
   "body": "<!DOCTYPE html>\n<html><head><title>Hi</title></head><body><p>Not a feed</p></body></html>\n"},
 "/bad.xml": {"body": "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>t</title>\n<item><title>x</item></channel></rss>\n"},
 "/endless.xml": {"endless": true, "filler": "<!-- more -->\n",
   "body": "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>E</title>"},
 "/bomb.xml": {"gzip_bomb": 8000000},
 "/trunc.xml": {"body_file": "trunc.xml", "truncate": 180},
 "/raw.xml": {"raw": "this is not HTTP at all\r\n\r\n"},
 "/loop1": {"status": 302, "location": "/loop2"},
 "/loop2": {"status": 302, "location": "/loop1"},
 "/tofile": {"status": 302, "location": "file:///etc/passwd"},
 "/toftp": {"status": 301, "location": "ftp://127.0.0.1/feed.xml"}
}
JSON
start_httpd --script "$T/script.json"
TLS=https://127.0.0.1:$HTTP_PORT/good.xml
DNS=http://feedd-test.invalid/feed.xml
REFUSED=http://127.0.0.1:1/feed.xml
{
	echo "$BASE/good.xml"
	echo "$DNS"
	echo "$REFUSED"
	echo "$BASE/slow.xml"
	echo "$BASE/missing.xml"
	echo "$BASE/err.xml"
	echo "$TLS"
	echo "$BASE/page.html"
	echo "$BASE/bad.xml"
	echo "$BASE/endless.xml"
	echo "$BASE/bomb.xml"
	echo "$BASE/trunc.xml"
	echo "$BASE/raw.xml"
	echo "$BASE/loop1"
	echo "$BASE/tofile"
	echo "$BASE/toftp"
	echo "file://$T/missing.xml"
	echo "file://$T"
} > "$T/feeds"
: > "$T/feedd.conf"

"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/feedd.db" --host-conns 16 --host-delay 0 --timeout 2s \
    --connect-timeout 5s --max-body 1M 2>"$T/stderr"
rc=$?
is "some feeds failed: exit 2" "$rc" 2
is "summary line" "$(tail -n 1 "$T/stderr")" \
    "feedd: 18 feeds polled, 17 failed, 2 new items"
is "the good feed is stored" "$(q "SELECT count(*) FROM items i JOIN feeds f
    ON f.id = i.feed_id WHERE f.url = '$BASE/good.xml'")" 2
is "the good feed has no error" "$(q "SELECT errors || '/' || http_status
    FROM feeds WHERE url = '$BASE/good.xml'")" "0/200"
is "nothing else stored" "$(q 'SELECT count(*) FROM items')" 2
is "every other feed has one error" "$(q "SELECT count(*) FROM feeds
    WHERE errors = 1 AND last_error IS NOT NULL AND last_error != ''")" 17

# err URL: the feed's last_error.
err() { q "SELECT last_error FROM feeds WHERE url = '$1'"; }
status() { q "SELECT http_status FROM feeds WHERE url = '$1'"; }
# like WHAT URL PATTERN: last_error matches a case pattern.
like() {
	e=$(err "$2")
	case $e in
	$3) ok "$1 ($e)" ;;
	*) not_ok "$1"; echo "#   got: $e"; echo "#   want: $3" ;;
	esac
}
like "DNS failure recorded" "$DNS" "*resolve*"
like "refused connection recorded" "$REFUSED" "*onnect*"
like "timeout recorded" "$BASE/slow.xml" "*[Tt]ime*[Oo]ut*"
like "404 recorded" "$BASE/missing.xml" "404*"
is "404 status" "$(status "$BASE/missing.xml")" 404
like "500 recorded" "$BASE/err.xml" "500*"
is "500 status" "$(status "$BASE/err.xml")" 500
like "TLS error recorded" "$TLS" "*[SsTt][SsLl][LlSs]*"
like "HTML instead of a feed recorded" "$BASE/page.html" "*"
is "HTML: an error, not a feed" "$(q "SELECT errors FROM feeds
    WHERE url = '$BASE/page.html'")" 1
like "malformed XML: LINE:COL: message" "$BASE/bad.xml" "[0-9]*:[0-9]*: *"
like "endless body cut by max-body" "$BASE/endless.xml" "*max-body*"
like "gzip bomb cut by max-body (decoded bytes)" "$BASE/bomb.xml" \
    "*max-body*"
like "truncated body recorded" "$BASE/trunc.xml" "*"
is "truncated body: its whole items are not stored" \
    "$(q "SELECT count(*) FROM items WHERE guid LIKE 'cut-%'")" 0
like "garbage instead of HTTP recorded" "$BASE/raw.xml" "*"
like "redirect loop recorded" "$BASE/loop1" "*redirect*"
is "redirect loop: at most 6 requests" \
    "$(grep -c '"path": "/loop[12]"' "$T/httpd.log")" 6
like "redirect to file:// refused" "$BASE/tofile" "*file:///etc/passwd*"
like "redirect to ftp:// refused" "$BASE/toftp" "*ftp://*"
like "missing local file recorded" "file://$T/missing.xml" \
    "*No such file*"
like "a directory is not a feed" "file://$T" "*not a regular file*"
is "no permanent redirect recorded to ftp" \
    "$(q "SELECT count(*) FROM feeds WHERE redirect_url LIKE 'ftp:%'
    OR redirect_url LIKE 'file:%'")" 0

# Logged once each, as a warning naming the URL.
n=0
bad=""
while read -r url; do
	[ "$url" = "$BASE/good.xml" ] && continue
	c=$(grep -cF "feedd: warning: $url: " "$T/stderr")
	if [ "$c" -eq 1 ]; then n=$((n + 1)); else bad="$bad $url($c)"; fi
done < "$T/feeds"
is "each failure logged exactly once${bad:+:$bad}" "$n" 17
is "stderr: 17 warnings and the summary" "$(wc -l < "$T/stderr" |
    tr -d ' ')" 18

# The next run backs off? --once polls them all again, errors count up.
"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/feedd.db" --host-conns 16 --host-delay 0 --timeout 2s \
    --connect-timeout 5s --max-body 1M 2>"$T/stderr"
is "second run: exit 2 again" "$?" 2
is "consecutive errors counted" "$(q "SELECT errors FROM feeds
    WHERE url = '$BASE/err.xml'")" 2
is "backoff: next fetch later than the interval" \
    "$(q "SELECT next_fetch - last_fetch >= 2 * 1800 * 0.9 FROM feeds
    WHERE url = '$BASE/err.xml'")" 1
is "good feed still fine, still 2 items" "$(q "SELECT errors || '/' ||
    (SELECT count(*) FROM items) FROM feeds WHERE url = '$BASE/good.xml'")" \
    "0/2"
is "database intact" "$(q 'PRAGMA integrity_check')" ok

done_testing
