#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver and etcd) from the Go modules pinned in this
# directory's go.mod, once per machine: the binaries go to a cache outside the clone,
#   ${RUDDER_CLUSTER_CACHE:-~/.cache/rudder/cluster}/<kubernetes-version>/{kube-apiserver,etcd}
# and nothing is rebuilt when both already exist, so fresh clones reuse them.
# Prints that directory as the only line on stdout; progress goes to stderr.
# The first build takes many minutes on 2 cores; GO_BUILD_JOBS (default 2) bounds parallelism.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

k8s_version="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$here/go.mod")"
if [[ -z "$k8s_version" ]]; then
    echo "build.sh: cannot find the k8s.io/kubernetes version in $here/go.mod" >&2
    exit 1
fi
# ~ falls back to the passwd entry when HOME is unset (CI strips some of the environment).
home="${HOME:-$(cd ~ && pwd)}"
out="${RUDDER_CLUSTER_CACHE:-$home/.cache/rudder/cluster}/$k8s_version"

have_binaries() { [[ -x "$out/kube-apiserver" && -x "$out/etcd" ]]; }

if have_binaries; then
    echo "$out"
    exit 0
fi

mkdir -p "$out"
# Several test binaries may start at once on a fresh machine: one builds, the others wait.
exec 9>"$out/.build.lock"
flock 9
if have_binaries; then
    echo "$out"
    exit 0
fi

command -v go >/dev/null || { echo "build.sh: go is not installed" >&2; exit 1; }
minor="${k8s_version#v1.}"
minor="${minor%%.*}"
# Without these the server reports v0.0.0-master; clients and version checks expect the release.
ldflags="-s -w"
ldflags+=" -X k8s.io/component-base/version.gitVersion=$k8s_version"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
ldflags+=" -X k8s.io/component-base/version.gitMinor=$minor"
ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"

tmp="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cd "$here"
start=$SECONDS
echo "build.sh: building kube-apiserver $k8s_version and etcd into $out (first time only)" >&2
GOFLAGS="-p=${GO_BUILD_JOBS:-2} -mod=readonly -buildvcs=false ${GOFLAGS:-}" CGO_ENABLED=0 \
    go build -trimpath -ldflags "$ldflags" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
GOFLAGS="-p=${GO_BUILD_JOBS:-2} -mod=readonly -buildvcs=false ${GOFLAGS:-}" CGO_ENABLED=0 \
    go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" ./etcd
# Move into place only when both built, so a half-finished build is never taken for a cache hit.
mv "$tmp/etcd" "$out/etcd"
mv "$tmp/kube-apiserver" "$out/kube-apiserver"
echo "build.sh: built in $((SECONDS - start))s" >&2
echo "$out"
