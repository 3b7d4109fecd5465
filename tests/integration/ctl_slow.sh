#!/bin/sh
# ctl_slow.sh: clients that do nothing, or do not read, cost the daemon
# nothing for long.  A connection with nothing going on is closed after
# the idle timeout (shortened here by FEEDD_CLIENT_TIMEOUT), a follower is
# not; clients that ask for big answers and never read them are cut off,
# the one holding most first, once all queued output passes the daemon's
# budget (64 MiB), and the daemon goes on answering others.  feedctl, for
# its part, reads at most 64 MiB in a line.
. "$(dirname "$0")/ctl_lib.sh"

# One item of 3.5 MB, so that every unread answer to `show` is big.
"$PYTHON3" - "$T/www/big.xml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>B</title>'
            '<item><guid>big-1</guid><title>Big</title><description>')
    f.write("word " * 700000)
    f.write('</description></item></channel></rss>\n')
PY
start_httpd --dir "$T/www"
echo "$BASE/big.xml" > "$T/feeds"
FEEDD_CLIENT_TIMEOUT=1 start_feedd
wait_for 200 has_items 1 || not_ok "the big item is stored"
ID=$(ctl --json items | sed -n 's/.*"id":\([0-9]*\).*/\1/p')

# conn.py MODE: connect, send MODE's request, then read nothing (idle,
# slow: N connections each asking for the big item) or wait for the
# daemon to close (idle, follow).  Prints what happened.
cat > "$T/conn.py" <<'PY'
import json, socket, sys, time
path, mode = sys.argv[1], sys.argv[2]
def conn():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s
def closed_within(s, secs):
    s.settimeout(secs)
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True
if mode == "idle":
    s = conn()
    t = time.time()
    print("closed" if closed_within(s, 15) else "open",
          "after >= 0.9 s" if time.time() - t >= 0.9 else "too soon")
elif mode == "follow":
    s = conn()
    s.sendall(b'{"id":1,"cmd":"follow"}\n')
    print("closed" if closed_within(s, 3) else "open")
elif mode == "slow":
    n, item = int(sys.argv[3]), int(sys.argv[4])
    socks = []
    for i in range(n):
        s = conn()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(json.dumps({"id": 1, "cmd": "item", "item": item}).encode()
                  + b"\n")
        socks.append(s)
    time.sleep(3)
    cut = 0
    for s in socks:
        s.setblocking(False)
        try:
            # A cut-off client sees its data, then the end of stream.
            while True:
                b = s.recv(1 << 20)
                if not b:
                    cut += 1
                    break
        except BlockingIOError:
            pass
        except ConnectionResetError:
            cut += 1
    print(cut)
PY

is "a connection with nothing going on is closed after the idle timeout" \
    "$("$PYTHON3" "$T/conn.py" "$SOCK" idle)" "closed after >= 0.9 s"
check "that is logged" grep -q "idle, closed" "$T/feedd.log"
is "a follower is not idle: still open after 3 s" \
    "$("$PYTHON3" "$T/conn.py" "$SOCK" follow)" "open"

# 30 clients that never read a 3.5 MB answer would hold ~100 MB.
cut=$("$PYTHON3" "$T/conn.py" "$SOCK" slow 30 "$ID")
check "past the output budget, slow readers were cut off ($cut)" \
    test "${cut:-0}" -ge 5
check "that is logged" grep -q "output budget of all clients reached" \
    "$T/feedd.log"
is "the daemon still answers" "$(ctl --json stats >/dev/null; echo $?)" 0
stop_feedd

# And the other way round: feedctl reads at most 64 MiB in a line, whatever
# answers on the socket.
cat > "$T/flood.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
open(sys.argv[2], "w").close()
c, _ = s.accept()
c.recv(65536)
chunk = b"x" * (1 << 20)
try:
    for i in range(80):
        c.sendall(chunk)
except (BrokenPipeError, ConnectionResetError):
    pass
PY
spawn "$PYTHON3" "$T/flood.py" "$T/flood.sock" "$T/flood.ready"
wait_for 100 test -e "$T/flood.ready"
"$FEEDCTL" -s "$T/flood.sock" stats > /dev/null 2>"$T/flood.err"
is "feedctl gives up on an endless line (exit 1)" "$?" 1
check "saying so" grep -q "bad response from feedd: a line over 67108864 bytes" \
    "$T/flood.err"
done_testing
