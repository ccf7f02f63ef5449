#!/usr/bin/env bash
# The long fault-injection run of issue 5 (tests/Ugloo.Node.Tests/Faults): 7 ugloo-node processes on loopback,
# RS(4,2), 64 KiB segments, a writer and a reader checking every acknowledged object, and faults for DURATION
# seconds (default 300): every kind once (kill -9 + restart, flipped/deleted fragment files, a full node, a
# slow node, a SIGSTOP partition, a join, a drain and removal), then random kills, corruptions, slow-downs and
# partitions. Prints the report as one JSON line (docs/BENCHMARKS.md explains each figure).
# Usage: benchmarks/fault-suite.sh [DURATION_SECONDS=300] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-300}
seed=${2:-}
report=$(mktemp "${TMPDIR:-/tmp}/ugloo-fault-suite.XXXXXX.json")
log=${report%.json}.log
trap 'rm -f "$report"' EXIT

dotnet build tests/Ugloo.Node.Tests -c Release -v q -nologo >/dev/null
UGLOO_FAULT_SUITE_SECONDS=$duration UGLOO_FAULT_SUITE_SEED=$seed UGLOO_FAULT_REPORT=$report \
    tests/Ugloo.Node.Tests/bin/Release/net10.0/Ugloo.Node.Tests \
    -class Ugloo.Node.Tests.Faults.FaultSuiteTests -method '*Long_run_from_the_benchmark_script' -showLiveOutput >"$log" 2>&1 \
    || { echo "the fault run failed (log: $log)" >&2; [[ -s $report ]] && cat "$report"; exit 1; }
cat "$report"
echo "log: $log" >&2
