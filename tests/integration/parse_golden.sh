#!/bin/sh
# parse_golden.sh: not written yet.
. "$(dirname "$0")/lib.sh"
not_ok "not written yet"
done_testing
