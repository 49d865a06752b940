#!/usr/bin/env bash
# The whole test suite: unit, conformance, snapshot, validation, apply and cluster tests.
# Prints one closing line summing every test binary's result.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
cargo test --all-targets "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
summary=$(awk '/^test result: /{p+=$4; f+=$6} END{printf "tests: %d passed, %d failed", p, f}' "$log")
rm -f "$log"
echo "$summary"
exit "$rc"
