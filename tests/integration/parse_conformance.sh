#!/bin/sh
# parse_conformance.sh: other parsers' conformance documents
# (tests/data/conformance, see its README.md) through `feedctl parse`, each
# checked against its suite's own assertion by tests/conformance/run.py.
# Known failures (tests/conformance/known-failures.txt) are reported as
# "not ok ... # TODO", so a document that passes today and fails tomorrow
# fails `make check`, while the open gaps stay listed without failing it.
. "$(dirname "$0")/lib.sh"

"$PYTHON3" "$top_srcdir/tests/conformance/run.py" --tap \
    --feedctl "$FEEDCTL" >"$T/tap" 2>"$T/err"
rc=$?
while IFS= read -r line; do
	case $line in
	"not ok - "*"# TODO"*)
		TAP_N=$((TAP_N + 1))
		echo "not ok $TAP_N - ${line#not ok - }"
		;;
	"not ok - "*)
		not_ok "${line#not ok - }"
		;;
	"ok - "*)
		ok "${line#ok - }"
		;;
	"#"*)
		echo "$line"
		;;
	esac
done <"$T/tap"
[ "$TAP_N" -ge 250 ] && ok "ran $TAP_N conformance documents" ||
    not_ok "ran $TAP_N conformance documents"
is "run.py exit status" "$rc" "$([ "$TAP_FAILED" -eq 0 ] && echo 0 || echo 1)"
sed 's/^/# stderr: /' "$T/err" | head -20
done_testing
