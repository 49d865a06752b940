#!/usr/bin/env bash
# Records what helm v3.17.3 prints for every seed snapshot case (tests/seed/cases.tsv) into
# tests/seed/expected/CASE.yaml: the reference the seed snapshot tests compare rudder against.
#
#   scripts/record-seed.sh           re-record every case
#   scripts/record-seed.sh --check   re-render and fail if any recorded file differs
#
# HELM selects the helm binary (default: the reference helm in ~/.cache/helm-oracle/v3).
set -euo pipefail
cd "$(dirname "$0")/.."

helm=${HELM:-$HOME/.cache/helm-oracle/v3/helm}
want=v3.17.3
check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# The recordings are only meaningful from the exact helm version rudder reproduces.
version=$("$helm" version --template '{{ .Version }}')
if [ "$version" != "$want" ]; then
  echo "record-seed: $helm is $version, need $want (run /work/shared/tools/get-helm)" >&2
  exit 1
fi

cases=tests/seed/cases.tsv
out=tests/seed/expected
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0
count=0
while IFS=$'\t' read -r name release chart flags; do
  case "$name" in ''|'#'*) continue ;; esac
  # Flags are split on spaces on purpose: the case file has no quoting.
  read -ra args <<<"${flags:-}"
  if ! "$helm" template "$release" "$chart" "${args[@]}" >"$tmp/$name.yaml" 2>"$tmp/$name.err"; then
    echo "record-seed: $name: helm failed:" >&2
    cat "$tmp/$name.err" >&2
    failed=1
    continue
  fi
  count=$((count + 1))
  if $check; then
    if ! cmp -s "$tmp/$name.yaml" "$out/$name.yaml"; then
      echo "record-seed: $name: $out/$name.yaml is out of date" >&2
      failed=1
    fi
  else
    mv "$tmp/$name.yaml" "$out/$name.yaml"
  fi
done <"$cases"

# A recording whose case was removed would otherwise linger unnoticed.
for f in "$out"/*.yaml; do
  [ -e "$f" ] || continue
  base=$(basename "$f" .yaml)
  if ! cut -f1 "$cases" | grep -qxF "$base"; then
    echo "record-seed: $f has no case in $cases" >&2
    failed=1
  fi
done

echo "record-seed: $count cases $($check && echo checked || echo recorded) with helm $version" >&2
exit "$failed"
