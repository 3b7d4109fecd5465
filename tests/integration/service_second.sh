#!/bin/sh
# service_second.sh: a second feedd on the same database or the same socket
# refuses to start with a clear error and leaves the first one alone; after
# the first one is killed (no clean shutdown), a new one replaces the stale
# socket and takes over.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service_lib.sh"

mkdir "$T/www"
rss a 2 >"$T/www/a.xml"
start_httpd --dir "$T/www"
echo "$BASE/a.xml" >"$T/feeds"
: >"$T/feedd.conf"

ctl() {
	"$FEEDCTL" --socket "$T/feedd.sock" "$@"
}

# shellcheck disable=SC2046
spawn "$FEEDD" $(feedd_args) 2>"$T/first.err"
FPID=$LASTPID
wait_for 300 ctl version && ok "first feedd started" ||
    not_ok "first feedd started"
ino=$(stat -c %i "$T/feedd.sock")

# second NAME ARGS...: run another feedd in the background, bounded; sets
# RC (124 if it was still running after 15 s) and leaves stderr in
# $T/NAME.err.
second() {
	_name=$1; shift
	spawn "$FEEDD" "$@" 2>"$T/$_name.err"
	_pid=$LASTPID
	if ! wait_for 150 gone "$_pid"; then
		kill -TERM "$_pid"
		wait "$_pid"
		RC=124
		return
	fi
	wait "$_pid"
	RC=$?
}

# refused NAME WHAT PATH: the second daemon failed, naming PATH.
refused() {
	if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ]; then
		ok "$2: refused (status $RC)"
	else
		not_ok "$2: refused (status $RC)"
	fi
	if grep -q -- "$3" "$T/$1.err"; then
		ok "$2: the error names $3"
	else
		not_ok "$2: the error names $3"
		sed 's/^/#   /' "$T/$1.err"
	fi
}

# shellcheck disable=SC2046
second same $(feedd_args)
refused same "same database and socket" "$T/feedd"
second samesock --foreground --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/other.db" --socket "$T/feedd.sock"
refused samesock "same socket, other database" "$T/feedd.sock"
second samedb --foreground --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/feedd.db" --socket "$T/other.sock"
refused samedb "same database, other socket" "$T/feedd.db"
check "the refused daemon left no socket behind" test ! -e "$T/other.sock"

check "the first feedd still answers" ctl version
is "the first feedd's socket is untouched (same inode)" \
    "$(stat -c %i "$T/feedd.sock" 2>&1)" "$ino"
if alive "$FPID"; then ok "the first feedd still runs"; else not_ok "the first feedd still runs"; fi

# A crash leaves a stale socket file and no lock: the next start takes over.
kill -KILL "$FPID"
wait "$FPID" 2>/dev/null
check "a stale socket file is left by the crash" test -S "$T/feedd.sock"
# shellcheck disable=SC2046
spawn "$FEEDD" $(feedd_args) 2>"$T/third.err"
TPID=$LASTPID
wait_for 300 ctl version && ok "a new feedd replaces the stale socket" ||
    { not_ok "a new feedd replaces the stale socket"; sed 's/^/#   /' "$T/third.err"; }
kill -TERM "$TPID"
wait_for 300 gone "$TPID" || true
wait "$TPID"
is "exit status after SIGTERM" "$?" 0

no_sanitizer_report "$T/first.err" "$T/same.err" "$T/samesock.err" "$T/samedb.err" "$T/third.err"
done_testing
