#!/bin/sh
# daemon_address.sh: the address policy for fetches.  A redirect from a
# public address into loopback is refused with a clear last_error and
# never reaches the address (so last_error cannot be used to scan ports),
# nor does a name that resolves there; link-local (cloud metadata) is
# refused always, even named in the feeds file, and nothing is sent to
# it; feeds the feeds file names on private addresses keep working, and
# so do their redirects.  allow-private-networks lifts the policy.
#
# Traffic stays on 127.0.0.1: $FEEDD_PUBLIC_ADDR makes feedd take one
# loopback server (address and port) for a public one.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }
err_of() { q "SELECT COALESCE(last_error, '') FROM feeds WHERE url = '$1'"; }
items_of() {
	q "SELECT count(*) FROM items JOIN feeds ON feeds.id = items.feed_id
	    WHERE feeds.url = '$1'"
}

cat > "$T/feed.xml" <<'XML'
<?xml version="1.0"?>
<rss version="2.0"><channel><title>Inside</title>
<item><guid>inside-1</guid><title>Secret admin page</title></item>
</channel></rss>
XML

# The private server: a feed, and an "admin page" nobody outside may see.
cat > "$T/priv.json" <<'JSON'
{
 "/admin": {"body_file": "feed.xml"},
 "/feed.xml": {"body_file": "feed.xml"},
 "/lan-redirect.xml": {"status": 302, "location": "/feed.xml?moved"}
}
JSON
spawn "$PYTHON3" "$top_srcdir/tests/httpd.py" --port-file "$T/priv.port" \
    --log "$T/priv.log" --script "$T/priv.json"
wait_for 100 test -s "$T/priv.port" || { echo "Bail out! httpd"; exit 1; }
PPORT=$(cat "$T/priv.port")
PRIV="http://127.0.0.1:$PPORT"

# The "public" server: redirects into the private one, by address and by
# name, and to the metadata address.  The redirect to loopback comes late,
# when the connection of the private feed's poll waits in curl's pool: the
# redirect must not slip through a reused connection.
cat > "$T/pub.json" <<JSON
{
 "/to-loopback.xml": {"status": 302, "location": "$PRIV/admin", "delay": 1},
 "/to-name.xml": {"status": 301, "location": "http://localhost:$PPORT/admin"},
 "/to-metadata.xml": {"status": 302,
                      "location": "http://169.254.169.254/latest/meta-data/"},
 "/ok.xml": {"body_file": "feed.xml"}
}
JSON
start_httpd --script "$T/pub.json"
PUB=$BASE
export FEEDD_PUBLIC_ADDR="127.0.0.1:$HTTP_PORT"

printf '%s\n' "$PUB/to-loopback.xml" "$PUB/to-name.xml" \
    "$PUB/to-metadata.xml" "$PUB/ok.xml" "$PRIV/feed.xml" \
    "$PRIV/lan-redirect.xml" "http://169.254.169.254/latest/feed.xml" \
    > "$T/feeds"
: > "$T/feedd.conf"
poll() {
	"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
	    --db "$T/feedd.db" --host-conns 8 --host-delay 0 "$@" \
	    2>"$T/stderr"
}

poll; rc=$?
is "refused feeds fail the run (exit 2)" "$rc" 2
e=$(err_of "$PUB/to-loopback.xml")
check "redirect to loopback refused, saying where and why: $e" sh -c \
    "echo '$e' | grep -q 'redirect to $PRIV/admin refused: 127.0.0.1 is a private or loopback address (allow-private-networks)'"
is "... and nothing of the admin page stored" \
    "$(items_of "$PUB/to-loopback.xml")" 0
e=$(err_of "$PUB/to-name.xml")
check "redirect to a name that resolves to loopback refused: $e" sh -c \
    "echo '$e' | grep -q 'refused: .* is a private or loopback address'"
is "the private server never saw a request for /admin" \
    "$(grep -c '"path": "/admin"' "$T/priv.log")" 0
e=$(err_of "$PUB/to-metadata.xml")
check "redirect to link-local refused: $e" sh -c \
    "echo '$e' | grep -q 'redirect to http://169.254.169.254/latest/meta-data/ refused: 169.254.169.254 is a link-local address'"
e=$(err_of "http://169.254.169.254/latest/feed.xml")
check "link-local refused even in the feeds file: $e" sh -c \
    "echo '$e' | grep -q '^169.254.169.254 is a link-local address: refused'"
check "stderr names the refused feed" \
    grep -q "to-loopback.xml: redirect to $PRIV/admin refused" "$T/stderr"
is "the public feed is stored" "$(items_of "$PUB/ok.xml")" 1
is "a private feed the feeds file names works" \
    "$(items_of "$PRIV/feed.xml")/$(err_of "$PRIV/feed.xml")" "1/"
is "and so does its redirect within the LAN" \
    "$(items_of "$PRIV/lan-redirect.xml")/$(err_of "$PRIV/lan-redirect.xml")" \
    "1/"

# allow-private-networks = yes: the redirect is followed.
echo "$PUB/to-loopback.xml" > "$T/feeds"
echo "allow-private-networks = yes" > "$T/feedd.conf"
poll --force; rc=$?
is "allow-private-networks: the run succeeds" "$rc" 0
is "... the redirect into loopback is followed" \
    "$(items_of "$PUB/to-loopback.xml")/$(err_of "$PUB/to-loopback.xml")" "1/"
is "... and reached /admin" "$(grep -c '"path": "/admin"' "$T/priv.log")" 1
done_testing
