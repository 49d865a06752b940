#!/usr/bin/env bash
# Builds the static release binary (profile `dist`: release with whole-program LTO): x86_64
# musl, mimalloc, not position-independent. It starts in a
# fraction of the time of the glibc build (no dynamic loader, no glibc CPU/cache probing) and
# runs anywhere. Prints the binary's path. Needs the musl target (rustup) and musl-gcc
# (Debian: musl-tools) for the C parts (ring, mimalloc); installs them when it can.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  rustup target add "$target" >&2
fi
if ! command -v musl-gcc >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q musl-tools >&2 || { apt-get update -q >&2 && apt-get install -y -q musl-tools >&2; }
  else
    echo "build-static: musl-gcc not found (install musl-tools)" >&2
    exit 1
  fi
fi
CC_x86_64_unknown_linux_musl=musl-gcc cargo build --profile dist --quiet --target "$target" >&2
echo "target/$target/dist/rudder"
