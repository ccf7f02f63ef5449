#!/usr/bin/env bash
# `ls -l` of a big directory through the mount, on one fresh local cluster (ugloo up, Release build):
# makes FILES (default 10,000) 4 KiB files in one directory, waits until nothing is pending, then RUNS
# times (default 5) times `ls -l DIR >/dev/null`: cold (after drop_caches: page, dentry and inode caches),
# warm (at once again) and later (2 s on, past the mount's 1 s entry/attribute TTL). With perf and the
# kernel's fuse tracepoints (6.13+) it first prints the FUSE requests one cold listing sends, per opcode.
# Usage (as root): benchmarks/ls-bench.sh [FILES] [RUNS]. UGLOO_DLL=path/to/ugloo.dll measures another
# build (no build then). Needs python3 and bc. Leaves nothing behind.
set -euo pipefail
files=${1:-10000} runs=${2:-5}
. "$(dirname "$0")/mounted-cluster.sh"
start_mounted_cluster lsbench

dir=$work/mnt/big
mkdir "$dir"
python3 - "$dir" "$files" <<'PY'
import os, sys
block = os.urandom(4096)
for i in range(int(sys.argv[2])):
    with open(os.path.join(sys.argv[1], f"f{i:05d}"), "wb") as f:
        f.write(block)
PY
for _ in $(seq 600); do
    [[ $(getfattr --only-values -n user.ugloo.pending "$work/mnt" 2> /dev/null) == "0 0" ]] && break
    sleep 1
done

cold() { sync; echo 3 > /proc/sys/vm/drop_caches; sleep 0.5; }
if command -v perf > /dev/null && [[ -d /sys/kernel/tracing/events/fuse ]]; then
    connection=$(mountpoint -d "$work/mnt" | cut -d: -f2)
    cold
    perf record -q -o "$work/perf.data" -e fuse:fuse_request_send -a -- ls -l "$dir" > /dev/null 2>&1
    echo "FUSE requests of one cold ls -l:"
    perf script -i "$work/perf.data" 2> /dev/null | grep "connection $connection " | grep -o '(FUSE_[A-Z_]*)' | sort | uniq -c | sort -rn
fi

timed() { local start=$EPOCHREALTIME; ls -l "$dir" > /dev/null; echo "$EPOCHREALTIME - $start" | bc | xargs printf '%.3f'; }
cold_runs=() warm_runs=() later_runs=()
for _ in $(seq "$runs"); do
    cold
    cold_runs+=("$(timed)")
    warm_runs+=("$(timed)")
    sleep 2
    later_runs+=("$(timed)")
done
echo "ls -l of $files entries, seconds: cold ${cold_runs[*]}; warm ${warm_runs[*]}; later ${later_runs[*]}"
