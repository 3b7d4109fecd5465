# http_lib.sh: shared by the http_*.sh scripts: ctl_lib.sh's daemon with
# the Miniflux API (feedd-http) on a free 127.0.0.1 port, a user "reader"
# with a password file and a token file, mode 0600.
. "$(dirname "$0")/ctl_lib.sh"

: "${FEEDD_HTTP:=$top_builddir/feedd-http}"
export FEEDD_HTTP

printf 'pw-%s\n' "$$" > "$T/password"
printf 'tok-%s\n' "$$" > "$T/token"
chmod 600 "$T/password" "$T/token"
HTTP_USER=reader
HTTP_PASSWORD=pw-$$
HTTP_TOKEN=tok-$$

# A free port on 127.0.0.1 (free now; feedd-http binds it a moment later).
API_PORT=$("$PYTHON3" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
API=http://127.0.0.1:$API_PORT
HTTP_ARGS="--http-listen 127.0.0.1:$API_PORT --http-user $HTTP_USER
    --http-password-file $T/password --http-token-file $T/token"

# Succeeds when feedd-http answers /healthcheck with 200.
api_up() {
	"$PYTHON3" - "$API" <<'PY'
import sys, urllib.request
try:
    r = urllib.request.urlopen(sys.argv[1] + "/healthcheck", timeout=2)
    sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

# The HTTP status of GET PATH with Basic USER:PASSWORD.
api_status() {
	"$PYTHON3" - "$API" "$1" "$2" "$3" <<'PY'
import base64, sys, urllib.request, urllib.error
base, user, pw, path = sys.argv[1:5]
r = urllib.request.Request(base + path, headers={"Authorization": "Basic " +
    base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()})
try:
    print(urllib.request.urlopen(r, timeout=10).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)
PY
}

# Start feedd with the API (FEEDD_ARGS too) and wait for both.
start_api() {
	FEEDD_ARGS="${FEEDD_ARGS:-} $HTTP_ARGS"
	start_feedd
	wait_for 100 api_up || {
		echo "Bail out! feedd-http did not start"
		sed 's/^/# /' "$T/feedd.log" | tail -20
		exit 1
	}
}

# The pid of the feedd-http our feedd started (none: empty).
api_pid() {
	for p in /proc/[0-9]*; do
		[ "$(sed -n 's/^PPid:[[:space:]]*//p' "$p/status" 2>/dev/null)" = \
		    "$FEEDD_PID" ] || continue
		case $(cat "$p/comm" 2>/dev/null) in
		feedd-http) echo "${p#/proc/}"; return ;;
		esac
	done
}

# Run the API client (tests/integration/http_client.py) with a scenario;
# its "ok - what" / "not ok - what" / "skip - what" lines become TAP.
api_client() {
	"$PYTHON3" "$top_srcdir/tests/integration/http_client.py" "$API" \
	    "$HTTP_USER" "$HTTP_PASSWORD" "$HTTP_TOKEN" "$@" \
	    >"$T/client.out" 2>"$T/client.err"
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		"skip - "*) TAP_N=$((TAP_N + 1))
			echo "ok $TAP_N # SKIP ${line#skip - }" ;;
		*) echo "# $line" ;;
		esac
	done < "$T/client.out"
	if [ "$rc" -ne 0 ]; then
		not_ok "the API client ran to its end (status $rc)"
		sed 's/^/#   /' "$T/client.err" | tail -30
	fi
}
