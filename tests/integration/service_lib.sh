# service_lib.sh: shared by the service_*.sh tests (after lib.sh).
# Feeds for tests/httpd.py scripts, a feedd command line on private paths,
# and helpers that read what tests/integration/sdrun.py logged.

SDRUN=$top_srcdir/tests/integration/sdrun.py

# Is feedd built with libsystemd?
have_systemd() {
	grep -q '^#define HAVE_SYSTEMD 1' "$top_builddir/config.h" 2>/dev/null
}

# rss NAME N: an RSS 2.0 document with items NAME-1 .. NAME-N, on one line
# (guids NAME-i, links http://example.invalid/NAME/i).
rss() {
	_n=1
	printf '<?xml version="1.0"?><rss version="2.0"><channel>'
	printf '<title>feed %s</title><link>http://example.invalid/%s</link>' \
	    "$1" "$1"
	while [ "$_n" -le "$2" ]; do
		printf '<item><title>%s item %d</title>' "$1" "$_n"
		printf '<guid isPermaLink="false">%s-%d</guid>' "$1" "$_n"
		printf '<link>http://example.invalid/%s/%d</link>' "$1" "$_n"
		printf '<description>text %d of %s</description></item>' \
		    "$_n" "$1"
		_n=$((_n + 1))
	done
	printf '</channel></rss>'
}

# json_str STRING: STRING as a JSON string.
json_str() {
	"$PYTHON3" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"
}

# feedd_args: the flags every test passes, on the private paths in $T,
# with per-host limits raised for the one local server.
feedd_args() {
	echo "--foreground --config $T/feedd.conf --feeds $T/feeds" \
	    "--db $T/feedd.db --socket $T/feedd.sock" \
	    "--host-conns 64 --max-conns 64 --host-delay 0s"
}

# nlog_count PATTERN: how many lines of $T/notify.log match PATTERN.
nlog_count() {
	grep -c -- "$1" "$T/notify.log" 2>/dev/null || true
}

# nlog_has PATTERN [MIN]: at least MIN (1) lines match.
nlog_has() {
	[ "$(nlog_count "$1")" -ge "${2:-1}" ]
}

# req_count PATH: how many requests tests/httpd.py logged for PATH.
req_count() {
	grep -c "\"path\": *\"$1\"" "$T/httpd.log" 2>/dev/null || true
}

# req_has PATH [MIN]: at least MIN (1) requests for PATH.
req_has() {
	[ "$(req_count "$1")" -ge "${2:-1}" ]
}

# gone PID: the process has exited (a zombie not yet reaped counts).
gone() {
	if ! kill -0 "$1" 2>/dev/null; then
		return 0
	fi
	_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -z "$_st" ] || [ "$_st" = Z ]
}

# alive PID: the process runs.
alive() {
	! gone "$1"
}

# no_sanitizer_report FILE...: no ASan/LSan/UBSan report in these logs.
no_sanitizer_report() {
	if grep -l 'Sanitizer\|runtime error:' "$@" >/dev/null 2>&1; then
		not_ok "no sanitizer report from feedd"
		grep -h -A8 'Sanitizer\|runtime error:' "$@" | head -30 |
		    sed 's/^/#   /'
	else
		ok "no sanitizer report from feedd"
	fi
}
