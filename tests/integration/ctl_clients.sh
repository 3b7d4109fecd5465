#!/bin/sh
# ctl_clients.sh: no client can starve the daemon.  With 256 descriptors,
# feedd takes at most 128 clients (the rest of the descriptors stay for
# transfers and the database); 300 idle connections only push the idlest
# out, so feedctl still gets answers and polls still work; when every
# client is busy (following), a new one gets a clear "busy" line.
. "$(dirname "$0")/ctl_lib.sh"

rss a.xml alpha "a1|First|one|Mon, 02 Jan 2023 10:00:00 +0000"
start_httpd --dir "$T/www"
: > "$T/feeds"
spawn sh -c 'ulimit -n 256 && exec "$@" 2>>"$0"' "$T/feedd.log" "$FEEDD" \
    --foreground \
    --socket "$SOCK" --db "$T/db" --feeds "$T/feeds" \
    --config "$T/empty.conf" --host-delay 0 -v
FEEDD_PID=$LASTPID
up() { ctl version > /dev/null 2>&1; }
wait_for 100 up

# N connections, idle or following, held until $T/release exists.
cat > "$T/hold.py" <<'PY'
import os, socket, sys, time
path, n, mode, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
socks, busy = [], 0
for i in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    if mode == "follow":
        # Wait for the answer: the daemon has then taken the follow.
        try:
            s.sendall(b'{"v":1,"id":1,"cmd":"follow"}\n')
            s.settimeout(10)
            if b'"ok":true' not in s.recv(4096):
                busy += 1
        except OSError:
            busy += 1      # refused: the daemon is full
    socks.append(s)
    time.sleep(0.002)
open(out, "w").write("%d\n" % (len(socks) - busy))
for _ in range(300):
    if os.path.exists(out + ".release"):
        break
    time.sleep(0.1)
PY

# 1: 300 idle connections.
spawn "$PYTHON3" "$T/hold.py" "$SOCK" 300 idle "$T/idle"
HOLD=$LASTPID
held() { [ -s "$T/idle" ]; }
wait_for 300 held
is "300 idle connections were made" "$(cat "$T/idle")" 300
ctl stats > "$T/stats.out" 2>&1
is "feedctl stats still answers" "$?" 0
check "the idlest were closed to make room, and that was logged" \
    grep -q "idle, closed for a new client" "$T/feedd.log"
echo "$BASE/a.xml" > "$T/feeds"
ctl reload > /dev/null
ctl refresh --no-wait > /dev/null
stored() { [ "$(ctl --json items | wc -l)" -ge 1 ]; }
wait_for 100 stored
is "a poll still works" "$(ctl --json items | wc -l)" 1
check "and its feed has no error" \
    sh -c "\"$FEEDCTL\" -s \"$SOCK\" --json feeds | grep -q '\"last_error\":null'"
check "no accept failed" sh -c "! grep -q 'accept' '$T/feedd.log'"
touch "$T/idle.release"
wait "$HOLD"

# 2: 140 followers: no client is idle, so the 129th and later are refused
# with a busy line, and so is feedctl.
spawn "$PYTHON3" "$T/hold.py" "$SOCK" 140 follow "$T/follow"
HOLD=$LASTPID
fheld() { [ -s "$T/follow" ]; }
wait_for 600 fheld
is "128 followers were taken, the 12 others refused" "$(cat "$T/follow")" 128
ctl stats > "$T/busy.out" 2>&1
is "with every client busy, feedctl gets an error (exit 1)" "$?" 1
check "saying why" grep -q "too many clients (128 at most, all busy)" \
    "$T/busy.out"
check "the refusal is logged" grep -q "refusing pid .*: too many clients" \
    "$T/feedd.log"
touch "$T/follow.release"
wait "$HOLD"
gone() { ctl version > /dev/null 2>&1; }
wait_for 100 gone
is "once they leave, feedctl is answered again" "$(ctl version >/dev/null 2>&1; echo $?)" 0

stop_feedd
done_testing
