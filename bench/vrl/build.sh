#!/usr/bin/env bash
# Builds the VRL comparison program (bench/vrl) into .cache/vrl-target; prints the binary's path.
# The first build compiles the vrl crate and its dependencies (several minutes on 2 cores).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="$root/.cache/vrl-target"
nice -n 10 cargo build --release --quiet --manifest-path "$root/bench/vrl/Cargo.toml" --target-dir "$target" >&2
echo "$target/release/vrl-alb"
