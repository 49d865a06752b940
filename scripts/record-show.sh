#!/usr/bin/env bash
# Records helm v3.17.3's output of `show` and `dependency list` for the in-repo charts, the
# expectations of tests/show.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
helm="${HELM:-$HOME/.cache/helm-oracle/v3/helm}"
out=tests/data/show
while IFS='|' read -r name args; do
  # shellcheck disable=SC2086
  "$helm" $args >"$out/$name.out" 2>/dev/null
done <"$out/cases.txt"
