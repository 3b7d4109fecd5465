#!/bin/sh
# daemon_socket.sh: the socket nobody else can take.  Without
# XDG_RUNTIME_DIR the socket lives in a directory of its own under $TMPDIR
# (or /tmp), which must be the user's with mode 0700; a squatted one (too
# open, or a symbolic link) is refused by feedd and never used by feedctl;
# feedctl talks only to a server running as the user, root or the system
# feedd (SO_PEERCRED); and what feedd creates is its user's alone (umask).
. "$(dirname "$0")/ctl_lib.sh"

# The fallback is a user's (root uses the system paths): as root, the
# scenario runs as nobody, in directories nobody owns.
: > "$T/feeds"
mkdir "$T/u"
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null 2>&1 || {
		echo "1..0 # SKIP root without setpriv"; exit 0; }
	uid=65534
	chmod 711 "$T"
	chmod 644 "$T/feeds" "$T/empty.conf"
	chown "$uid" "$T/u"
	AS="setpriv --reuid=$uid --regid=$uid --clear-groups"
else
	uid=$(id -u)
	AS=""
fi
run_feedd() {	# TMPDIR, then feedd's arguments
	tmp=$1; shift
	exec env -u XDG_RUNTIME_DIR HOME="$T/u" TMPDIR="$tmp" $AS "$FEEDD" \
	    --foreground --config "$T/empty.conf" --feeds "$T/feeds" "$@"
}
run_ctl() {	# TMPDIR, then feedctl's arguments
	tmp=$1; shift
	env -u XDG_RUNTIME_DIR -u FEEDD_SOCKET HOME="$T/u" TMPDIR="$tmp" \
	    XDG_STATE_HOME="$T/u/state" $AS "$FEEDCTL" "$@"
}

# A fake feedd: accepts connections on a socket, writes whether anything
# was sent to it into $2, answers a version line, stops after 5 s.
cat > "$T/fake.py" <<'PY'
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
os.chmod(path, 0o777)
s.listen(4)
s.settimeout(5)
got = b""
try:
    c, _ = s.accept()
    c.settimeout(2)
    try:
        got = c.recv(4096)
        c.sendall(b'{"id":1,"ok":true,"version":"fake"}\n')
    except OSError:
        pass
    c.close()
except OSError:
    pass
open(out, "w").write("sent %d bytes\n" % len(got))
PY

# 1: the fallback directory is made 0700, the socket 0600, the database
# files 0600 even under umask 022, and feedctl finds the daemon there.
$AS mkdir "$T/u/tmp1"
umask 022
spawn run_feedd "$T/u/tmp1" --db "$T/u/db"
FEEDD_PID=$LASTPID
up() { [ -S "$T/u/tmp1/feedd-$uid/feedd.sock" ]; }
wait_for 100 up
is "the socket is in a directory of its own" \
    "$(stat -c %a "$T/u/tmp1/feedd-$uid" 2>&1)" 700
is "the socket is the user's alone" \
    "$(stat -c %a "$T/u/tmp1/feedd-$uid/feedd.sock" 2>&1)" 600
is "so is the database" "$(stat -c %a "$T/u/db" 2>&1)" 600
run_ctl "$T/u/tmp1" version > "$T/v.out" 2>&1
is "feedctl finds the daemon in the private directory" "$?" 0
kill -TERM "$FEEDD_PID"
wait "$FEEDD_PID"
is "feedd stops" "$?" 0
is "the WAL and shared memory files were the user's alone too" \
    "$(ls -l "$T"/u/db* | awk '{print $1}' | sort -u)" "-rw-------"

# 2: a fallback directory someone else could control: too open.
$AS mkdir -p "$T/u/tmp2/feedd-$uid"
chmod 755 "$T/u/tmp2/feedd-$uid"
(run_feedd "$T/u/tmp2" --db "$T/u/db") > "$T/f2.out" 2>&1
is "feedd refuses a fallback directory of mode 0755" "$?" 1
check "saying why" grep -q "feedd-$uid: unsafe: must be a directory of uid $uid with mode 0700" \
    "$T/f2.out"
spawn "$PYTHON3" "$T/fake.py" "$T/u/tmp2/feedd-$uid/feedd.sock" "$T/fake2.out"
squat() { [ -S "$T/u/tmp2/feedd-$uid/feedd.sock" ]; }
wait_for 100 squat
run_ctl "$T/u/tmp2" version > "$T/c2.out" 2>&1
check "feedctl warns and does not use it" \
    grep -q "feedd-$uid: unsafe.*; not using it" "$T/c2.out"
check "and never answers with the squatter's version" \
    sh -c "! grep -q fake '$T/c2.out'"
fake_done() { [ -s "$T/fake2.out" ]; }
wait_for 100 fake_done
is "the squatter received nothing" "$(cat "$T/fake2.out")" "sent 0 bytes"

# 3: a symbolic link to a private directory is not the directory.
$AS mkdir -p "$T/u/tmp3" "$T/u/elsewhere"
chmod 700 "$T/u/elsewhere"
$AS ln -s "$T/u/elsewhere" "$T/u/tmp3/feedd-$uid"
(run_feedd "$T/u/tmp3" --db "$T/u/db") > "$T/f3.out" 2>&1
is "feedd refuses a symbolic link as the fallback directory" "$?" 1
check "naming it" grep -q "is a symbolic link" "$T/f3.out"

# 4: a server running as another user (not root, not the system feedd):
# feedctl checks its credentials before sending anything.
if [ -n "$AS" ]; then
	mkdir "$T/peer"
	chmod 777 "$T/peer"
	# (the system's python: a python under /root is not another
	# user's to run)
	py=$PYTHON3
	[ -x /usr/bin/python3 ] && py=/usr/bin/python3
	spawn setpriv --reuid=65533 --regid=65533 --clear-groups \
	    "$py" "$T/fake.py" "$T/peer/s" "$T/peer/fake.out"
	peer() { [ -S "$T/peer/s" ]; }
	wait_for 100 peer
	$AS "$FEEDCTL" -s "$T/peer/s" version > "$T/c4.out" 2>&1
	is "feedctl refuses a server of another uid (exit 3)" "$?" 3
	check "naming its uid" grep -q "runs as uid 65533, which is neither you" \
	    "$T/c4.out"
	peer_done() { [ -s "$T/peer/fake.out" ]; }
	wait_for 100 peer_done
	is "and sent it nothing" "$(cat "$T/peer/fake.out")" "sent 0 bytes"
else
	for w in "feedctl refuses a server of another uid" "naming its uid" \
	    "and sent it nothing"; do
		ok "$w # SKIP needs root and setpriv"
	done
fi

done_testing
