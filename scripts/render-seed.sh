#!/usr/bin/env bash
# The main job: render the four seed charts with rudder, as `helm template` would.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
for chart in homefonta ghost infrastructure external-services; do
  ./target/release/rudder template "$chart" "charts/$chart"
done
