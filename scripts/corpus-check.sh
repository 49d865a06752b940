#!/usr/bin/env bash
# Renders every chart of ../shared/corpus with rudder and compares with helm's recorded output;
# fails when fewer charts pass than the baseline in tests/corpus-baseline.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${RUDDER_PROFILE:-debug}"
if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
out=$(mktemp)
python3 ../shared/corpus/check "target/$profile/rudder" --jobs 2 >"$out" 2>&1 || true
grep -v "^[0-9]* passed, [0-9]* failed$" "$out" || true
passed=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$out" | tail -1)
baseline=$(cat tests/corpus-baseline.txt)
rm -f "$out"
echo "corpus parity: ${passed:-0} of 576 charts match helm (baseline $baseline)"
[ "${passed:-0}" -ge "$baseline" ]
