#!/bin/sh
# ctl_refresh.sh: `feedctl refresh` waits for the polls it started and ends
# with a summary (the items are in the store when it returns); it names
# the failures, and the feeds a server told to wait (--force polls them);
# a name that names no feed is reported and the others are polled anyway;
# --no-wait returns at once; on a terminal a progress line is rewritten in
# place, and cleared before an error; a client that goes away while it
# waits disturbs nobody.
. "$(dirname "$0")/ctl_lib.sh"

hits() { grep -c "\"path\": \"$1\"" "$T/httpd.log"; }

rss a.xml Alpha "a1|First alpha|one|Mon, 02 Jan 2023 10:00:00 +0000" \
    "a2|Second alpha|two|Tue, 03 Jan 2023 10:00:00 +0000"
rss b.xml Beta "b1|Only beta|three|Wed, 04 Jan 2023 10:00:00 +0000"
cat > "$T/script.json" <<'JSON'
{"/held.xml": {"status": 503, "retry_after": "3600"},
 "/slow.xml": {"delay": 2, "log_early": true, "body_file": "www/a.xml"}}
JSON
start_httpd --dir "$T/www" --script "$T/script.json"
printf '%s\n' "$BASE/a.xml" "$BASE/b.xml" "$BASE/bad.xml" "$BASE/held.xml" \
    > "$T/feeds"

# A first poll by --once: every feed then has a due time in the future
# (held.xml the server's hold), so the daemon polls nothing by itself.
"$FEEDD" --once --config "$T/empty.conf" --feeds "$T/feeds" --db "$T/db" \
    --host-delay 0 --host-conns 8 2>"$T/once.err"
is "feedd --once: 2 feeds failed (exit 2)" "$?" 2
rss a.xml Alpha "a1|First alpha|one|Mon, 02 Jan 2023 10:00:00 +0000" \
    "a2|Second alpha|two|Tue, 03 Jan 2023 10:00:00 +0000" \
    "a3|Third alpha|four|Thu, 05 Jan 2023 10:00:00 +0000"

spawn "$FEEDD" --foreground --socket "$SOCK" --db "$T/db" \
    --feeds "$T/feeds" --config "$T/empty.conf" --host-delay 0 \
    --host-conns 8 -v 2>>"$T/feedd.log"
FEEDD_PID=$LASTPID
wait_for 100 ctl version || { echo "Bail out! feedd did not start"; exit 1; }
is "3 items before the refresh" "$(stat_of items)" 3
held0=$(hits /held.xml)

# 1. A refresh of all feeds waits, and says what happened.
ctl refresh > "$T/r1.out" 2> "$T/r1.err"
is "a refresh with a failed feed exits 1" "$?" 1
is "the new item is stored when it returns" "$(stat_of items)" 4
is "the summary counts the polls" "$(head -1 "$T/r1.out")" \
    "Refreshed 3 feeds: 2 ok, 1 new item, 1 failed:"
check "the failed feed is named with its error" \
    grep -q "^  $BASE/bad.xml: .*404" "$T/r1.out"
check "the held feed is named, with until when" grep -q \
    "^Not polled: $BASE/held.xml: its server asked to wait until 20[0-9-]* [0-9:]* (--force polls it)" \
    "$T/r1.out"
is "the held feed was not polled" "$(hits /held.xml)" "$held0"
is "nothing on stderr" "$(cat "$T/r1.err")" ""

# 2. --force polls the held feed too.
ctl refresh --force > "$T/r2.out" 2>&1
is "refresh --force: exit 1 (two failures)" "$?" 1
is "refresh --force polls the held feed" "$(hits /held.xml)" $((held0 + 1))
is "its summary" "$(head -1 "$T/r2.out")" \
    "Refreshed 4 feeds: 2 ok, 0 new items, 2 failed:"
check "the held feed's failure is named" grep -q "^  $BASE/held.xml: .*503" \
    "$T/r2.out"

# 3. One bad name among good ones: the good ones are polled.
a0=$(hits /a.xml)
ctl refresh "$BASE/a.xml" 999 > "$T/r3.out" 2> "$T/r3.err"
is "a bad name: exit 1" "$?" 1
is "the good one was polled" "$(hits /a.xml)" $((a0 + 1))
is "and counted" "$(cat "$T/r3.out")" "Refreshed 1 feed: 1 ok, 0 new items."
check "the bad one is named on stderr" grep -q '^feedctl: refresh: .*999' \
    "$T/r3.err"
ctl refresh 999 > "$T/r4.out" 2> "$T/r4.err"
is "only bad names: exit 1" "$?" 1
check "only bad names: named" grep -q '999' "$T/r4.err"
is "only bad names: nothing polled" "$(cat "$T/r4.out")" \
    "Refreshed 0 feeds: 0 ok, 0 new items."
ctl refresh "$BASE/a.xml" > /dev/null 2>&1
is "one good name: exit 0" "$?" 0

# 4. --no-wait answers at once; --json gives the end line's object.
ctl refresh --no-wait > "$T/r5.out" 2>&1
is "--no-wait: exit 0" "$?" 0
check "--no-wait says what it started" grep -q '^Refreshing 3 feeds\.$' \
    "$T/r5.out"
wait_for 100 sh -c "[ \$(grep -c '\"path\": \"/bad.xml\"' '$T/httpd.log') -ge 4 ]"
ctl --json refresh "$BASE/b.xml" > "$T/r6.out"
is "--json: exit 0" "$?" 0
check "--json: a progress object" grep -q '"done":1,"total":1' "$T/r6.out"
check "--json: the end object last" sh -c \
    "tail -1 '$T/r6.out' | grep -q '\"end\":true,\"feeds\":1,\"done\":1,\"failed\":0'"

# 5. On a terminal: a progress line rewritten in place, then cleared.
if script -qc true /dev/null >/dev/null 2>&1; then
	FEEDCTL=$FEEDCTL SOCK=$SOCK script -qc \
	    '"$FEEDCTL" -s "$SOCK" refresh' "$T/tty.out" >/dev/null 2>&1
	check "terminal: a progress line" grep -q \
	    "$(printf '\r')Refreshing: [0-9]/3 feeds" "$T/tty.out"
	check "terminal: it is cleared" grep -q "$(printf '\r\033')\[K" \
	    "$T/tty.out"
	check "terminal: the summary" grep -q "Refreshed 3 feeds" "$T/tty.out"
else
	ok "# SKIP script(1) cannot make a terminal"
fi
check "not on a terminal: no progress line" sh -c \
    "! grep -q \"$(printf '\r')\" '$T/r1.out' '$T/r1.err'"

# 6. A client that goes away while it waits disturbs nobody.
echo "$BASE/slow.xml" >> "$T/feeds"
check "reload with the slow feed" ctl reload
printf '{"v":1,"id":1,"cmd":"refresh","wait":true,"feed":"%s"}\n' \
    "$BASE/slow.xml" > "$T/req"
"$PYTHON3" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1]); s.sendall(open(sys.argv[2], "rb").read()); s.close()
' "$SOCK" "$T/req"
wait_for 100 sh -c "grep -q '\"path\": \"/slow.xml\"' '$T/httpd.log'"
check "the daemon answers meanwhile" ctl version
ctl refresh "$BASE/slow.xml" > "$T/r7.out" 2>&1
is "a refresh of it still waits and ends" "$(cat "$T/r7.out")" \
    "Refreshed 1 feed: 1 ok, 3 new items."
check "the daemon is still there" ctl stats

stop_feedd

# 7. A daemon from before "wait" answers one line: feedctl does not hang.
"$PYTHON3" -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
req = json.loads(c.makefile().readline())
open(sys.argv[2], "w").write(json.dumps(req))
c.sendall(b"{\"id\":%d,\"ok\":true,\"feeds\":0}\n" % req["id"])
c.makefile().read()
' "$T/old.sock" "$T/old.req" &
PIDS="$PIDS $!"
wait_for 100 test -S "$T/old.sock"
timeout 20 "$FEEDCTL" -s "$T/old.sock" refresh > "$T/old.out" 2>&1
is "an older daemon: exit 0" "$?" 0
is "an older daemon: it says the polls started" "$(cat "$T/old.out")" \
    "Refreshing 0 feeds (this feedd does not wait for polls)."
check "the request asked to wait" grep -q '"wait": true' "$T/old.req"

# 8. The daemon goes away while refresh shows its progress line: the line
# is cleared before the error, which starts a line of its own.  (Run on a
# pseudo-terminal; feedd is killed once "1/2" shows, while the slow feed
# is still being fetched.)
spawn "$FEEDD" --foreground --socket "$SOCK" --db "$T/db" \
    --feeds "$T/feeds" --config "$T/empty.conf" --host-delay 0 \
    --host-conns 8 -v 2>>"$T/feedd.log"
FEEDD_PID=$LASTPID
wait_for 100 ctl version || { echo "Bail out! feedd did not start"; exit 1; }
cat > "$T/gone.py" <<'PY'
import os, pty, select, signal, sys, time
victim = int(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
out, killed, end = b"", False, time.time() + 30
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.5)
    if fd not in r:
        continue
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
    if not killed and b"Refreshing: 1/2" in out:
        os.kill(victim, signal.SIGKILL)
        killed = True
_, st = os.waitpid(pid, 0)
# What the terminal shows: each line from its last carriage return on.
for line in out.decode("utf-8", "replace").split("\n"):
    print(line.rstrip("\r").split("\r")[-1].replace("\x1b[K", ""))
print("killed" if killed else "not killed")
sys.exit(st >> 8)
PY
"$PYTHON3" "$T/gone.py" "$FEEDD_PID" "$FEEDCTL" -s "$SOCK" refresh \
    "$BASE/a.xml" "$BASE/slow.xml" > "$T/gone.out"
is "the daemon gone mid-refresh: exit 3" "$?" 3
wait "$FEEDD_PID" 2>/dev/null
check "it was killed while the progress line showed" \
    grep -q "^killed\$" "$T/gone.out"
check "the error is on a line of its own" \
    grep -q "^feedctl: $SOCK: connection closed by feedd\$" "$T/gone.out"
done_testing
