# ctl_lib.sh: shared by the ctl_*.sh scripts that need a running feedd:
# feeds served by tests/httpd.py from $T/www, the real daemon on a private
# socket, database and feeds file, and feedctl pointed at that socket.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www"
: > "$T/empty.conf"
SOCK=$T/s

# Run feedctl against the test daemon.
ctl() {
	"$FEEDCTL" -s "$SOCK" "$@"
}

# rss FILE CHANNEL-TITLE "guid|title|description|pubDate"...: write a feed.
rss() {
	f=$1; ch=$2; shift 2
	{
		echo '<?xml version="1.0" encoding="utf-8"?>'
		echo '<rss version="2.0"><channel>'
		echo "<title>$ch</title><link>http://example.org/$ch</link>"
		for it in "$@"; do
			g=${it%%|*}; rest=${it#*|}
			t=${rest%%|*}; rest=${rest#*|}
			d=${rest%%|*}; p=${rest#*|}
			echo "<item><guid isPermaLink=\"false\">$g</guid>"
			echo "<title>$t</title><link>http://example.org/$g</link>"
			echo "<description>$d</description>"
			[ -n "$p" ] && echo "<pubDate>$p</pubDate>"
			echo "</item>"
		done
		echo '</channel></rss>'
	} > "$T/www/$f"
}

# Start feedd in the foreground on $SOCK (with $FEEDD_ARGS, split on
# blanks); sets FEEDD_PID.
start_feedd() {
	spawn "$FEEDD" --foreground --socket "$SOCK" --db "$T/db" \
	    --feeds "$T/feeds" --config "$T/empty.conf" --host-delay 0 \
	    --host-conns 8 ${FEEDD_ARGS:-} -v 2>>"$T/feedd.log"
	FEEDD_PID=$LASTPID
	wait_for 100 ctl version || {
		echo "Bail out! feedd did not start"
		sed 's/^/# /' "$T/feedd.log" | tail -20
		exit 1
	}
	# First polls are spread over two minutes; ask for them now.
	ctl refresh --no-wait > /dev/null
}

# Stop the daemon we started, wait for it, check it exited cleanly
# (status 0, no sanitizer report in its log).
stop_feedd() {
	kill "$FEEDD_PID" 2>/dev/null
	wait "$FEEDD_PID"
	is "feedd exits 0 on SIGTERM" "$?" 0
	if grep -q "Sanitizer" "$T/feedd.log"; then
		not_ok "no sanitizer report from feedd"
		grep -A20 "Sanitizer" "$T/feedd.log" | head -40 | sed 's/^/#   /'
	else
		ok "no sanitizer report from feedd"
	fi
}

# A number from `feedctl stats --json`.
stat_of() {
	ctl stats --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# Succeeds when the store holds exactly N items.
has_items() {
	[ "$(stat_of items)" = "$1" ]
}

# raw FILE [shut]: send FILE's bytes to the socket as one client (then
# shut down our sending side with "shut"), print every byte that comes
# back, then "EOF" when feedd closed the connection or "OPEN" when it still
# held it open after two seconds of silence.
cat > "$T/raw.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
data = open(sys.argv[2], "rb").read()
try:
    s.sendall(data)
    if len(sys.argv) > 3 and sys.argv[3] == "shut":
        s.shutdown(socket.SHUT_WR)
except (BrokenPipeError, ConnectionResetError):
    pass
s.settimeout(2)
out = b""
state = "EOF"
while True:
    try:
        b = s.recv(65536)
    except socket.timeout:
        state = "OPEN"
        break
    except ConnectionResetError:
        break
    if not b:
        break
    out += b
sys.stdout.write(out.decode("utf-8", "replace"))
print(state)
PY
raw() {
	"$PYTHON3" "$T/raw.py" "$SOCK" "$@"
}
