#!/usr/bin/env bash
# The whole test suite: unit, conformance, snapshot and cluster tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --all-targets "$@"
