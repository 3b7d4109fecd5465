#!/bin/sh
# service_reload.sh: SIGHUP and `feedctl reload` re-read feedd.conf and the
# feeds file.  An added feed starts polling, a removed one stops (its items
# stay), a changed option applies, an unchanged feed keeps its state (its
# ETag: the next poll is conditional).  An invalid file is reported as
# FILE:LINE: and the running configuration stays in force.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service_lib.sh"

cat >"$T/script.json" <<EOF
{
 "/a.xml": {"etag": "\"a1\"", "body": $(json_str "$(rss a 2)")},
 "/b.xml": {"etag": "\"b1\"", "body": $(json_str "$(rss b 2)")},
 "/c.xml": {"etag": "\"c1\"", "body": $(json_str "$(rss c 2)")}
}
EOF
start_httpd --script "$T/script.json"

printf 'interval = 1h\nuser-agent = feedd-test-one\n' >"$T/feedd.conf"
printf '%s\n%s\n' "$BASE/a.xml" "$BASE/b.xml" >"$T/feeds"
# shellcheck disable=SC2046
spawn "$FEEDD" $(feedd_args) 2>"$T/feedd.err"
FPID=$LASTPID

ctl() {
	"$FEEDCTL" --socket "$T/feedd.sock" "$@"
}

# has_items TEXT: `feedctl --json items` shows TEXT.
has_items() {
	ctl --json items | grep -q "$1"
}

# ua_of PATH: the User-Agent of the last request for PATH.
ua_of() {
	grep "\"path\": *\"$1\"" "$T/httpd.log" | tail -1 |
	    sed 's/.*"user_agent": *"\([^"]*\)".*/\1/'
}

# inm_of PATH: the If-None-Match of the last request for PATH.
inm_of() {
	grep "\"path\": *\"$1\"" "$T/httpd.log" | tail -1 |
	    sed 's/.*"if_none_match": *\(null\|"[^,}]*"\).*/\1/'
}

wait_for 300 ctl version && ok "feedd started" ||
    { not_ok "feedd started"; sed 's/^/#   /' "$T/feedd.err"; }
# First polls are spread over up to two minutes: ask for them now.
ctl refresh --no-wait >/dev/null 2>&1
wait_for 300 has_items 'a item 2' && wait_for 300 has_items 'b item 2' &&
    ok "a and b polled and stored" || not_ok "a and b polled and stored"
is "a: first poll with the configured User-Agent" "$(ua_of /a.xml)" \
    "feedd-test-one"
is "a: first poll is unconditional" \
    "$(grep '"path": *"/a.xml"' "$T/httpd.log" | head -1 |
    sed 's/.*"if_none_match": *\(null\|"[^,}]*"\).*/\1/')" "null"
ctl --json feeds >"$T/feeds.1" 2>&1
check "feedctl feeds lists a" grep -q "$BASE/a.xml" "$T/feeds.1"
check "feedctl feeds lists b" grep -q "$BASE/b.xml" "$T/feeds.1"

# Reload: b removed, c added, a retitled, the User-Agent changed.
na=$(req_count /a.xml)
nb=$(req_count /b.xml)
printf '%s "~Renamed A"\n%s\n' "$BASE/a.xml" "$BASE/c.xml" >"$T/feeds"
printf 'interval = 1h\nuser-agent = feedd-test-two\n' >"$T/feedd.conf"
kill -HUP "$FPID"
wait_for 300 req_has /c.xml && ok "added feed c polled after SIGHUP" ||
    not_ok "added feed c polled after SIGHUP"
wait_for 300 has_items 'c item 2' && ok "c's items stored" ||
    not_ok "c's items stored"
is "c: polled with the new User-Agent" "$(ua_of /c.xml)" "feedd-test-two"
check "a is retitled" sh -c "'$FEEDCTL' --socket '$T/feedd.sock' --json feeds |
    grep '$BASE/a.xml' | grep -q 'Renamed A'"
check "removed feed b keeps its items" has_items 'b item 1'

# A refresh polls what is configured now: a (conditionally) and c, not b.
check "feedctl refresh" ctl refresh --no-wait
wait_for 300 req_has /a.xml $((na + 1)) && ok "a polled again on refresh" ||
    not_ok "a polled again on refresh"
is "a: ETag kept across the reload (conditional poll)" "$(inm_of /a.xml)" \
    '"\"a1\""'
is "a: polled with the new User-Agent" "$(ua_of /a.xml)" "feedd-test-two"
wait_for 300 req_has /c.xml 2 && ok "c polled again on refresh" ||
    not_ok "c polled again on refresh"
is "c: ETag kept from its first poll" "$(inm_of /c.xml)" '"\"c1\""'
is "removed feed b is not polled" "$(req_count /b.xml)" "$nb"
check "a's items survive the reload" has_items 'a item 1'

# A feeds file with an invalid line: FILE:LINE: message, the line is
# skipped and the others apply (issue 13: as Newsboat does).
printf '%s\n%s\ngopher://example.invalid/feed\n' "$BASE/a.xml" \
    "$BASE/b.xml" >"$T/feeds"
kill -HUP "$FPID"
wait_for 300 grep -q "$T/feeds:3:.*; line skipped" "$T/feedd.err" &&
    ok "invalid feeds line reported as FILE:LINE:" ||
    { not_ok "invalid feeds line reported as FILE:LINE:"; sed 's/^/#   /' "$T/feedd.err"; }
check "feedd runs on after the invalid line" ctl version
ctl --json feeds >"$T/feeds.2" 2>&1
check "the good lines apply: a listed" grep -q "$BASE/a.xml" "$T/feeds.2"
check "the good lines apply: b listed" grep -q "$BASE/b.xml" "$T/feeds.2"
check "the good lines apply: c, not in the file, stops" \
    sh -c "! grep -q '$BASE/c.xml' '$T/feeds.2'"
na=$(req_count /a.xml)
nc=$(req_count /c.xml)
nb=$(req_count /b.xml)
check "feedctl refresh after the invalid line" ctl refresh --no-wait
wait_for 300 req_has /a.xml $((na + 1)) && wait_for 300 req_has /b.xml $((nb + 1)) &&
    ok "the file's good feeds poll" || not_ok "the file's good feeds poll"
is "c, not in the file, is not polled" "$(req_count /c.xml)" "$nc"

# A feeds file that cannot be read: the running configuration stays.
mv "$T/feeds" "$T/feeds.away"
if ctl reload >"$T/reload.out" 2>&1; then
	not_ok "feedctl reload fails on a missing feeds file"
else
	ok "feedctl reload fails on a missing feeds file"
fi
check "and names it" grep -q "$T/feeds: No such file" "$T/reload.out"
ctl --json feeds >"$T/feeds.2" 2>&1
check "the running feeds stay" grep -q "$BASE/b.xml" "$T/feeds.2"
mv "$T/feeds.away" "$T/feeds"

# An invalid feedd.conf: same; its valid lines do not apply either.
printf '%s\n%s\n' "$BASE/a.xml" "$BASE/c.xml" >"$T/feeds"
printf 'user-agent = feedd-test-three\ninterval = banana\n' >"$T/feedd.conf"
if ctl reload >"$T/reload.out" 2>&1; then
	not_ok "feedctl reload fails on an invalid feedd.conf"
else
	ok "feedctl reload fails on an invalid feedd.conf"
fi
check "feedctl reload names FILE:LINE" grep -q "feedd.conf:2" "$T/reload.out"
kill -HUP "$FPID"
wait_for 300 grep -q "$T/feedd.conf:2:" "$T/feedd.err" &&
    ok "SIGHUP: the daemon logs FILE:LINE" ||
    not_ok "SIGHUP: the daemon logs FILE:LINE"
check "feedd runs on after the invalid feedd.conf" ctl version
na=$(req_count /a.xml)
check "feedctl refresh after the invalid feedd.conf" ctl refresh --no-wait
wait_for 300 req_has /a.xml $((na + 1)) && ok "a polls on" || not_ok "a polls on"
is "the rejected User-Agent is not used" "$(ua_of /a.xml)" "feedd-test-two"

# Fixed again: the reload succeeds.
printf 'interval = 1h\nuser-agent = feedd-test-four\n' >"$T/feedd.conf"
check "feedctl reload succeeds once fixed" ctl reload
na=$(req_count /a.xml)
check "feedctl refresh after the fix" ctl refresh --no-wait
wait_for 300 req_has /a.xml $((na + 1)) && ok "a polls after the fix" ||
    not_ok "a polls after the fix"
is "the new User-Agent applies" "$(ua_of /a.xml)" "feedd-test-four"

kill -TERM "$FPID"
wait_for 300 gone "$FPID" || true
wait "$FPID"
is "exit status after SIGTERM" "$?" 0

no_sanitizer_report "$T/feedd.err"
done_testing
