#!/bin/sh
# http_api.sh: the Miniflux API of feedd-http through the test's own client
# (http_client.py): every endpoint's field names, types and status codes,
# paging with total, marks and stars seen by feedctl, wrong credentials,
# bad ids, limits and bodies, 1,000 idle connections, the login throttle;
# feedd refuses a password file others can read, a remote address, no
# secret; it restarts a dead feedd-http and stops it on exit; polling goes
# on throughout.
. "$(dirname "$0")/http_lib.sh"

# Three feeds: Alpha (news), Beta (no tag), Gamma (tech, other).  Alpha
# lists a2 before a1, so that the entries' ids are not in date order.
rss a.xml Alpha "a2|Alpha two|<p>second</p>|Mon, 02 Jan 2023 11:00:00 GMT" \
    "a1|Alpha one|<p>first</p>|Mon, 02 Jan 2023 10:00:00 GMT" \
    "a3|Alpha zanzibar|<p>third</p>|Mon, 02 Jan 2023 12:00:00 GMT" \
    "a4|Alpha four|<p>fourth</p>|Mon, 02 Jan 2023 13:00:00 GMT" \
    "a5|Alpha five|<p>fifth</p>|Mon, 02 Jan 2023 14:00:00 GMT"
rss b.xml Beta "b1|Beta one|<p>one</p>|Tue, 03 Jan 2023 10:00:00 GMT" \
    "b2|Beta two|<p>two</p>|Tue, 03 Jan 2023 11:00:00 GMT" \
    "b3|Beta three|<p>three</p>|Tue, 03 Jan 2023 12:00:00 GMT"
rss c.xml Gamma "c1|Gamma one|<p>uno</p>|Wed, 04 Jan 2023 10:00:00 GMT" \
    "c2|Gamma two|<p>dos</p>|Wed, 04 Jan 2023 11:00:00 GMT"
rss d.xml Delta "d1|Delta one|<p>new</p>|Thu, 05 Jan 2023 10:00:00 GMT"
start_httpd --dir "$T/www"
cat > "$T/feeds" <<EOT
$BASE/a.xml news "~Alpha"
$BASE/b.xml
$BASE/c.xml tech other
EOT

# Refusals before anything starts: each names what is wrong.
refuses() {	# refuses WHAT PATTERN FLAGS...
	what=$1 pat=$2; shift 2
	"$FEEDD" --foreground --socket "$T/s2" --db "$T/db2" --feeds "$T/feeds" \
	    --config "$T/empty.conf" "$@" >"$T/refuse.out" 2>&1 &
	rp=$!
	( sleep 20; kill "$rp" 2>/dev/null ) &
	wp=$!
	wait "$rp"
	rc=$?
	kill "$wp" 2>/dev/null
	if [ "$rc" -ne 0 ] && grep -q -- "$pat" "$T/refuse.out"; then
		ok "$what"
	else
		not_ok "$what (status $rc)"
		sed 's/^/#   /' "$T/refuse.out" | head -5
	fi
}
cp "$T/password" "$T/open-password"
chmod 644 "$T/open-password"
refuses "a password file readable by others: feedd refuses, naming it" \
    "$T/open-password: readable by others; chmod 600 $T/open-password" \
    --http-listen 127.0.0.1:$API_PORT --http-user u \
    --http-password-file "$T/open-password"
chmod 640 "$T/open-password"
refuses "a password file readable by its group: refused too" \
    "readable by others" --http-listen 127.0.0.1:$API_PORT --http-user u \
    --http-password-file "$T/open-password"
"$FEEDD" -n --config "$T/empty.conf" --feeds "$T/feeds" \
    --http-listen 127.0.0.1:$API_PORT --http-user u \
    --http-password-file "$T/open-password" >"$T/n.out" 2>&1
is "feedd -n says so too" "$?/$(grep -c 'readable by others' "$T/n.out")" "1/1"
refuses "a non-loopback address without http-allow-remote: refused" \
    "not a loopback address" --http-listen 192.0.2.1:$API_PORT \
    --http-token-file "$T/token"
refuses "http-listen without a password nor a token: refused" \
    "http-token-file" --http-listen 127.0.0.1:$API_PORT
refuses "a user without a password file: refused" "go together" \
    --http-listen 127.0.0.1:$API_PORT --http-user u \
    --http-token-file "$T/token"
refuses "a malformed http-listen: refused" "want ADDR:PORT" \
    --http-listen 127.0.0.1 --http-token-file "$T/token"
"$FEEDD" -n --config "$T/empty.conf" --feeds "$T/feeds" $HTTP_ARGS \
    >"$T/n.out" 2>&1
is "feedd -n accepts a good http configuration" "$?" 0

start_api
wait_for 100 has_items 10 || not_ok "the 3 feeds are polled"
polls0=$(stat_of polls)

api_client api

# What the API marked, feedctl sees: the 3 newest marked read (c2, c1,
# b3), c2 back to unread, then all of Beta read: 4 read, 6 unread.
is "feedctl sees the reads made through the API" "$(stat_of unread)" 6

# Subscribe and unsubscribe (discover/subscribe/unsubscribe come from
# issue 13's i13-add branch; the client SKIPs when feedd lacks them).
api_client subscribe "$BASE/d.xml"

# Hostile requests: 4xx or closed, never a crash (ASan builds in make
# check), and requests without credentials lock no one out.
api_client hostile
is "feedd-http survived the hostile requests (same pid)" \
    "$(api_pid | wc -w)" 1

# feedd-http dies: feedd starts it again (after a second's backoff).
hp=$(api_pid)
if [ -n "$hp" ] && kill "$hp"; then
	sleep 0.3
	if wait_for 100 api_up && [ "$(api_pid)" != "$hp" ]; then
		ok "a killed feedd-http is started again"
	else
		not_ok "a killed feedd-http is started again"
	fi
else
	not_ok "feedd started feedd-http as its child"
fi

# A reload (SIGHUP) starts feedd-http again with the secret files read
# again: the new password works, the old one no more.
printf 'pw2-%s\n' "$$" > "$T/password"
kill -HUP "$FEEDD_PID"
new_pw_ok() { [ "$(api_status "$HTTP_USER" "pw2-$$" /v1/me)" = 200 ]; }
wait_for 100 new_pw_ok
is "after a reload, the new password is taken" "$?" 0
is "and the old one refused" \
    "$(api_status "$HTTP_USER" "$HTTP_PASSWORD" /v1/me)" 401
HTTP_PASSWORD=pw2-$$
is "reload: one feedd-http, the new one" "$(api_pid | wc -w)" 1

# The daemon kept polling: a refresh is still done.
ctl refresh > /dev/null
wait_for 100 sh -c "[ \$($FEEDCTL -s $SOCK stats --json |
    sed -n 's/.*\"polls\":\([0-9]*\).*/\1/p') -gt $polls0 ]"
is "feedd kept polling throughout" "$?" 0

# Throttle last: it locks this address out for a minute.
api_client throttle

hp=$(api_pid)
stop_feedd
if [ -n "$hp" ] && ! kill -0 "$hp" 2>/dev/null && ! api_up; then
	ok "feedd stops feedd-http when it stops"
else
	not_ok "feedd stops feedd-http when it stops"
fi
if grep -q "Sanitizer" "$T/feedd.log"; then
	not_ok "no sanitizer report from feedd-http"
else
	ok "no sanitizer report from feedd-http"
fi
done_testing
