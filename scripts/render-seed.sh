#!/usr/bin/env bash
# The main job: render the four seed charts with rudder, exactly as `helm template` would, using
# the release names and namespaces of the seed's Argo CD Applications (gitops/argocd-apps/).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=./target/release/rudder
"$bin" template home-fonta charts/homefonta --namespace home-fonta
"$bin" template ghost charts/ghost --namespace blog
"$bin" template infrastructure charts/infrastructure
"$bin" template external-services charts/external-services --namespace home-fonta
