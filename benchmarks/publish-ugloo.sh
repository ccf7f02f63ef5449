#!/usr/bin/env bash
# Publishes ugloo (with ugloo-node beside it) as the installers ship it: Release, ReadyToRun for this machine's
# runtime identifier, framework-dependent; prints the path of ugloo.dll. The benchmarks measure this build, so the
# first seconds after start run precompiled code instead of waiting for the JIT (docs/BENCHMARKS.md "Session 6").
# Usage: dll=$(benchmarks/publish-ugloo.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case $(uname -m) in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "publish-ugloo.sh: no runtime identifier for $(uname -m)" >&2; exit 1 ;;
esac
out=$root/artifacts/bench-$rid
dotnet publish -c Release -r "$rid" --self-contained false "$root/src/Ugloo.Mount/Ugloo.Mount.csproj" -o "$out" -v q -nologo > /dev/null
echo "$out/ugloo.dll"
