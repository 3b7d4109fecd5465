#!/bin/sh
# ctl_protocol.sh: the socket protocol spoken raw: garbage, invalid JSON,
# unknown commands, a version mismatch, an oversized line, half-closed
# connections, pipelining, stalled and non-reading clients, all while the
# daemon keeps answering and polling; the socket's mode; a second daemon
# does not steal a live socket; a stale socket file is replaced.
. "$(dirname "$0")/ctl_lib.sh"

rss a.xml Alpha "a1|One|x|Sat, 28 Nov 2026 10:00:00 GMT" \
    "a2|Two|y|Sat, 28 Nov 2026 11:00:00 GMT"
start_httpd --dir "$T/www"
echo "$BASE/a.xml" > "$T/feeds"
start_feedd
wait_for 200 has_items 2 || not_ok "first poll"

is "socket mode is 0600" "$(stat -c %a "$SOCK")" 600

line() { sed -n "${1}p" "$T/out"; }

printf 'hello\n' > "$T/in"
raw "$T/in" > "$T/out"
check "garbage: bad_json" grep -q '^{"id":null,"ok":false,"error":{"code":"bad_json"' "$T/out"
is "garbage: connection closed" "$(tail -1 "$T/out")" EOF

printf '{"v":1,"id":1,\n' > "$T/in"
raw "$T/in" > "$T/out"
check "invalid JSON: bad_json" grep -q '"code":"bad_json"' "$T/out"
is "invalid JSON: connection closed" "$(tail -1 "$T/out")" EOF

printf '{"v":1,"id":1,"cmd":"nope"}\n{"v":1,"id":2,"cmd":"version"}\n' > "$T/in"
raw "$T/in" > "$T/out"
is "unknown command: error with the id" "$(line 1)" \
    '{"id":1,"ok":false,"error":{"code":"unknown_command","message":"unknown command \"nope\""}}'
check "then the next request is answered" grep -q '^{"id":2,"ok":true,"version":"' "$T/out"
is "unknown command keeps the connection" "$(tail -1 "$T/out")" OPEN

printf '{"v":99,"id":3,"cmd":"items"}\n' > "$T/in"
raw "$T/in" > "$T/out"
is "version mismatch names both versions" "$(line 1)" \
    '{"id":3,"ok":false,"error":{"code":"bad_version","message":"protocol version 99 requested, this feedd speaks version 1"}}'
is "version mismatch closes" "$(tail -1 "$T/out")" EOF

"$PYTHON3" -c 'import sys; sys.stdout.write("a" * 1048576)' > "$T/in"
raw "$T/in" > "$T/out"
check "1 MiB without a newline: too_large" \
    grep -q '^{"id":null,"ok":false,"error":{"code":"too_large"' "$T/out"
is "oversized: closed" "$(tail -1 "$T/out")" EOF
"$PYTHON3" -c 'import sys; sys.stdout.write("{\"v\":1,\"cmd\":\"version\",\"pad\":\"" + "b" * 200000 + "\"}\n")' > "$T/in"
raw "$T/in" > "$T/out"
check "oversized line with a newline: too_large" grep -q '"code":"too_large"' "$T/out"

printf '{"v":1,"id":5,"cmd":"items","oldest_first":true}\n' > "$T/in"
raw "$T/in" shut > "$T/out"
check "half-closed: first item" grep -q '^{"id":5,"ok":true,"item":{"id":[0-9]*,.*"title":"One"' "$T/out"
check "half-closed: second item" grep -q '^{"id":5,"ok":true,"item":{.*"title":"Two"' "$T/out"
check "half-closed: end line with count and cursor" \
    grep -q '^{"id":5,"ok":true,"end":true,"count":2,"cursor":[0-9][0-9]*}$' "$T/out"
is "half-closed: then closed" "$(tail -1 "$T/out")" EOF

printf '{"v":1,"id":"x","cmd":"version"}' > "$T/in"
raw "$T/in" shut > "$T/out"
check "last request without a newline is answered" grep -q '^{"id":"x","ok":true' "$T/out"

printf '{"v":1,"id":6,"cmd":"item","item":99999}\n{"v":1,"id":7,"cmd":"mark","op":"bogus","all":true}\n{"v":1,"id":8,"cmd":"mark","op":"read"}\n{"v":1,"id":9,"cmd":"items","since":"yesterday"}\n{"v":1,"id":10,"cmd":"items","feed":"nope"}\n{"v":1,"id":11,"cmd":"stats"}\n{"v":1,"id":12,"cmd":"follow","max_backlog":0}\n' > "$T/in"
raw "$T/in" > "$T/out"
check "unknown item: not_found" grep -q '^{"id":6,"ok":false,"error":{"code":"not_found","message":"no item 99999"}}$' "$T/out"
check "bad mark op: bad_request" grep -q '^{"id":7,"ok":false,"error":{"code":"bad_request"' "$T/out"
check "mark without a target: bad_request" grep -q '^{"id":8,"ok":false,"error":{"code":"bad_request"' "$T/out"
check "bad time: bad_request" grep -q '^{"id":9,"ok":false,"error":{"code":"bad_request"' "$T/out"
check "unknown feed: not_found" grep -q '^{"id":10,"ok":false,"error":{"code":"not_found"' "$T/out"
check "pipelined: last one answered" grep -q '^{"id":11,"ok":true,"stats":{' "$T/out"
is "pipelined: answers in order" "$(grep -o '^{"id":[0-9]*' "$T/out" | tr -d '{"id:' | tr '\n' ' ')" \
    "6 7 8 9 10 11 12 "
check "bad max_backlog: bad_request" grep -q '^{"id":12,"ok":false,"error":{"code":"bad_request"' "$T/out"

# A mark is written by the writer thread and answered when it is; the
# requests pipelined after it wait their turn, so they see it, and the
# answers keep their order.  Ids that do not exist are named.
first=$(ctl items --json --limit 1 | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
printf '{"v":1,"id":21,"cmd":"mark","op":"read","items":[%s,99999]}\n{"v":1,"id":22,"cmd":"items","unread":true}\n{"v":1,"id":23,"cmd":"mark","op":"unread","all":true}\n{"v":1,"id":24,"cmd":"stats"}\n' "$first" > "$T/in"
raw "$T/in" shut > "$T/out"
is "pipelined writes: answers in order" \
    "$(grep -o '^{"id":[0-9]*' "$T/out" | uniq | tr -d '{"id:' | tr '\n' ' ')" \
    "21 22 23 24 "
check "mark: one changed, the unknown id named" grep -q \
    "^{\"id\":21,\"ok\":true,\"changed\":1,\"cursor\":[0-9]*,\"missing\":\\[99999\\]}$" "$T/out"
is "the listing after it sees the mark" \
    "$(grep -c '^{"id":22,"ok":true,"item"' "$T/out")" 1
check "and the stats after the second mark see that" \
    grep -q '^{"id":24,"ok":true,"stats":{.*"unread":2,' "$T/out"

# Stalled clients: one sends half a request and waits, one sends many
# requests and never reads.  Polling and other clients go on.
cat > "$T/hold.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.setblocking(False)
if sys.argv[2] == "partial":
    s.send(b'{"v":1,"id":1,"cm')
else:
    req = b'{"v":1,"cmd":"items"}\n' * 200
    for i in range(200):
        try:
            s.send(req)
        except BlockingIOError:
            break
open(sys.argv[3], "w").write("ready\n")
time.sleep(60)
PY
spawn "$PYTHON3" "$T/hold.py" "$SOCK" partial "$T/hold1"
HOLD1=$LASTPID
spawn "$PYTHON3" "$T/hold.py" "$SOCK" flood "$T/hold2"
HOLD2=$LASTPID
wait_for 100 test -s "$T/hold1"
wait_for 100 test -s "$T/hold2"
polls=$(stat_of polls)
rss a.xml Alpha "a1|One|x|Sat, 28 Nov 2026 10:00:00 GMT" \
    "a2|Two|y|Sat, 28 Nov 2026 11:00:00 GMT" \
    "a3|Three|z|Sat, 28 Nov 2026 12:00:00 GMT"
ctl refresh --no-wait > /dev/null
wait_for 100 has_items 3
is "polling goes on while clients stall" "$(stat_of items)" 3
check "poll counter moved" test "$(stat_of polls)" -gt "$polls"
check "stalled clients are still connected" test "$(stat_of clients)" -ge 3
check "other clients are answered" ctl version
kill "$HOLD1" "$HOLD2" 2>/dev/null
wait "$HOLD1" "$HOLD2" 2>/dev/null

# A second daemon does not steal the live socket.
timeout 30 "$FEEDD" --foreground --socket "$SOCK" --db "$T/db2" \
    --feeds "$T/feeds" --config "$T/empty.conf" > "$T/second" 2>&1
rc=$?
check "second daemon fails" test "$rc" -ne 0 -a "$rc" -ne 124
check "second daemon says why" grep -q "$SOCK: another feedd is listening" "$T/second"
check "first daemon still answers" ctl version

# At stop the socket goes; a stale one (nobody listening) is replaced.
stop_feedd
check "socket removed at stop" test ! -e "$SOCK"
"$PYTHON3" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SOCK"
check "stale socket file exists" test -S "$SOCK"
start_feedd
check "daemon started over a stale socket" ctl version
check "stale socket replacement logged" grep -q "replacing stale socket" "$T/feedd.log"
is "replaced socket is 0600" "$(stat -c %a "$SOCK")" 600
stop_feedd

# Peer credentials: as root, check that another user is refused even when
# the file mode would let it in, and that socket-group opens it to a group.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
    getent group nogroup >/dev/null 2>&1; then
	chmod 755 "$T"
	as_nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
	start_feedd
	as_nobody "$FEEDCTL" -s "$SOCK" version > "$T/out" 2>&1
	is "another user: the mode keeps it out" "$?" 3
	chmod 666 "$SOCK"
	as_nobody "$FEEDCTL" -s "$SOCK" version > "$T/out" 2>&1
	is "another user: SO_PEERCRED refuses it" "$?" 3
	check "another user: the connection is closed" \
	    grep -q "connection closed by feedd" "$T/out"
	check "refusal logged with the uid" grep -q "refusing pid [0-9]* uid 65534" "$T/feedd.log"
	stop_feedd
	FEEDD_ARGS="--socket-group nogroup"
	start_feedd
	is "socket-group: mode 0660" "$(stat -c %a "$SOCK")" 660
	is "socket-group: group set" "$(stat -c %G "$SOCK")" nogroup
	as_nobody "$FEEDCTL" -s "$SOCK" version > "$T/out" 2>&1
	is "socket-group: a member may connect" "$?" 0
	setpriv --reuid=65534 --regid=1 --clear-groups "$FEEDCTL" -s "$SOCK" \
	    version > "$T/out" 2>&1
	is "socket-group: others may not" "$?" 3
	stop_feedd
	FEEDD_ARGS=
	chmod 700 "$T"
fi

# A file that is not a socket is never removed.
echo precious > "$SOCK"
timeout 30 "$FEEDD" --foreground --socket "$SOCK" --db "$T/db" \
    --feeds "$T/feeds" --config "$T/empty.conf" > "$T/third" 2>&1
check "non-socket path refused" grep -q "$SOCK: exists and is not a socket" "$T/third"
is "non-socket file kept" "$(cat "$SOCK")" precious

done_testing
