#!/bin/sh
# ctl_cursor.sh: `read --all --cursor N` marks only what was there at N,
# not an item that arrived meanwhile; `follow` prints items stored after
# it connected (human and --json, with filters, changed items only with
# --updated), flushed line by line to a pipe, and exits 3 when the daemon
# goes away.
. "$(dirname "$0")/ctl_lib.sh"

rss a.xml Alpha "a1|One|x|Sat, 28 Nov 2026 10:00:00 GMT" \
    "a2|Two|y|Sat, 28 Nov 2026 11:00:00 GMT"
rss b.xml Beta "b1|Bee one|x|Fri, 27 Nov 2026 10:00:00 GMT"
start_httpd --dir "$T/www"
cat > "$T/feeds" <<EOF
$BASE/a.xml news
$BASE/b.xml
EOF
start_feedd
wait_for 200 has_items 3 || not_ok "first poll"

# The cursor of a listing: the newest item id when it was taken.
printf '{"v":1,"id":1,"cmd":"items","unread":true}\n' > "$T/in"
raw "$T/in" shut > "$T/out"
CURSOR=$(sed -n 's/.*"end":true,"count":3,"cursor":\([0-9]*\)}$/\1/p' "$T/out")
check "listing ends with count and cursor" test -n "$CURSOR"

# Followers connect before the new item exists.
spawn sh -c "\"$FEEDCTL\" -s \"$SOCK\" follow > \"$T/follow.out\" 2> \"$T/follow.err\""
FOLLOW=$LASTPID
spawn sh -c "\"$FEEDCTL\" -s \"$SOCK\" --json follow --feed Alpha > \"$T/follow.json\" 2>>\"$T/follow.others\""
OTHERS="${OTHERS:-} $LASTPID"
spawn sh -c "\"$FEEDCTL\" -s \"$SOCK\" follow --feed Beta > \"$T/follow.beta\" 2>>\"$T/follow.others\""
OTHERS="${OTHERS:-} $LASTPID"
spawn sh -c "\"$FEEDCTL\" -s \"$SOCK\" follow --tag news > \"$T/follow.tag\" 2>>\"$T/follow.others\""
OTHERS="${OTHERS:-} $LASTPID"
spawn sh -c "\"$FEEDCTL\" -s \"$SOCK\" follow --updated > \"$T/follow.upd\" 2>>\"$T/follow.others\""
OTHERS="${OTHERS:-} $LASTPID"
followers() { [ "$(stat_of followers)" -ge 5 ]; }
wait_for 100 followers || not_ok "followers connected"

# A new item arrives between the listing and the mark.
rss a.xml Alpha "a1|One|x|Sat, 28 Nov 2026 10:00:00 GMT" \
    "a2|Two|y|Sat, 28 Nov 2026 11:00:00 GMT" \
    "a3|Three is new|z|Sat, 28 Nov 2026 12:00:00 GMT"
ctl refresh --no-wait Alpha > /dev/null
wait_for 100 has_items 4 || not_ok "new item stored"

ctl read --all --cursor "$CURSOR" > "$T/out"
is "mark all up to the cursor: only the three listed" "$(cat "$T/out")" \
    "3 items marked read."
ctl new --json > "$T/out"
is "the item that arrived meanwhile stays unread" "$(wc -l < "$T/out")" 1
check "and it is the new one" grep -q '"title":"Three is new"' "$T/out"
ctl unread --all > /dev/null
is "unread --all marks everything" "$(stat_of unread)" 4
ctl read --all --json > "$T/out"
check "read --all without a cursor: up to the newest now" \
    grep -q '^{"changed":4,"cursor":[0-9]*}$' "$T/out"

has_line() { grep -q "$2" "$1"; }
wait_for 100 has_line "$T/follow.out" "Three is new" ||
    not_ok "follow got the new item"
check "follow: one line with id, feed, title and link" grep -q \
    "^[0-9][0-9]* \[Alpha\] Three is new http://example.org/a3$" "$T/follow.out"
is "follow: nothing from before it connected" "$(wc -l < "$T/follow.out")" 1
wait_for 100 has_line "$T/follow.json" "Three is new"
check "follow --json: one object a line" \
    grep -q '^{"id":[0-9]*,"feed_id":[0-9]*,"feed":"Alpha",.*"title":"Three is new"' "$T/follow.json"
check "--json follow says it is new" \
    grep -q '"title":"Three is new".*"new":true}$' "$T/follow.json"
wait_for 100 has_line "$T/follow.tag" "Three is new"
check "follow --tag news" grep -q "Three is new" "$T/follow.tag"

# An item of the other feed reaches only its follower.
rss b.xml Beta "b1|Bee one|x|Fri, 27 Nov 2026 10:00:00 GMT" \
    "b2|Bee two|x|Fri, 27 Nov 2026 11:00:00 GMT"
ctl refresh --no-wait "$BASE/b.xml" > /dev/null
wait_for 100 has_line "$T/follow.beta" "Bee two" ||
    not_ok "follow --feed Beta got its item"
is "follow --feed Beta: only Beta" "$(cat "$T/follow.beta" | sed 's/^[0-9]* //')" \
    "[Beta] Bee two http://example.org/b2"
wait_for 100 has_line "$T/follow.out" "Bee two"
is "follow --feed Alpha did not get it" "$(grep -c Bee "$T/follow.json")" 0
is "follow --tag news did not get it" "$(grep -c Bee "$T/follow.tag")" 0

# A changed item reaches only the follower that asked for updates.
rss b.xml Beta "b1|Bee one|changed text|Fri, 27 Nov 2026 10:00:00 GMT" \
    "b2|Bee two|x|Fri, 27 Nov 2026 11:00:00 GMT"
ctl refresh --no-wait Beta > /dev/null
wait_for 100 has_line "$T/follow.upd" "Bee one" ||
    not_ok "follow --updated got the changed item"
check "follow --updated: the changed item, marked" \
    grep -q "\[Beta\] (updated) Bee one" "$T/follow.upd"
check "follow --updated: a new item is not marked" \
    grep -q "\[Alpha\] Three is new" "$T/follow.upd"
is "follow without --updated: not the changed item" \
    "$(grep -c "Bee one" "$T/follow.out")" 0

# When the daemon goes away, follow ends with status 3.
stop_feedd
wait "$FOLLOW"
is "follow exits 3 when feedd goes away" "$?" 3
check "and says so" grep -q "connection closed by feedd" "$T/follow.err"
for p in $OTHERS; do wait "$p"; done
check "no sanitizer report from the followers" \
    sh -c "! grep -q Sanitizer '$T/follow.err' '$T/follow.others'"

done_testing
