#!/usr/bin/env bash
# Publishes ugloo (with ugloo-node beside it) as the installers ship it: Release, ReadyToRun for this machine's
# runtime identifier, framework-dependent; prints the path of ugloo.dll. The benchmarks measure this build, so the
# first seconds after start run precompiled code instead of waiting for the JIT (docs/BENCHMARKS.md "Session 6").
# Usage: dll=$(benchmarks/publish-ugloo.sh). It publishes into artifacts/bench-RID: do not run it while a
# benchmark runs from there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case $(uname -m) in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "publish-ugloo.sh: no runtime identifier for $(uname -m)" >&2; exit 1 ;;
esac
out=$root/artifacts/bench-$rid
# MSBuild reports errors on stdout: send it to stderr, so the caller's $(...) gets only the path.
dotnet publish -c Release -r "$rid" --self-contained false "$root/src/Ugloo.Mount/Ugloo.Mount.csproj" -o "$out" -v q -nologo >&2
echo "$out/ugloo.dll"
