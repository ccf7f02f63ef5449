#!/usr/bin/env bash
# Where the time of each small-file phase goes, on a fresh mounted cluster (Release): for creates, stats,
# reads and unlinks of FILES 4 KiB files (the phases of ../shared/anchors/smallfiles, run one at a time), the
# rate, the FUSE requests the kernel sent with their latency (perf tracepoints fuse:fuse_request_send/end:
# count, mean and median per opcode), and the mount daemon's CPU per file (user and kernel, from
# /proc/PID/stat). A warm-up round of FILES creates runs first. Usage (as root, needs perf and gcc):
#   benchmarks/smallfile-ops.sh [FILES=3000]
set -euo pipefail
files=${1:-3000}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/mounted-cluster.sh"
start_mounted_cluster smallfile-ops
gcc -O2 -o "$work/phase" "$here/smallfile-phase.c"
tick=$(getconf CLK_TCK)
cpu() { awk '{print $14, $15}' "/proc/$up_pid/stat"; }

"$work/phase" "$work/mnt/warm" "$files" c > /dev/null
for phase in c s r u; do
    read -r user0 sys0 < <(cpu)
    perf record -q -e fuse:fuse_request_send -e fuse:fuse_request_end -a -o "$work/trace.data" -- \
        "$work/phase" "$work/mnt/d" "$files" "$phase" 2> /dev/null
    read -r user1 sys1 < <(cpu)
    awk -v f="$files" -v t="$tick" -v u=$((user1 - user0)) -v s=$((sys1 - sys0)) \
        'BEGIN { printf "  daemon CPU per file: user %.0f us, kernel %.0f us (includes uploads running meanwhile)\n", u / t / f * 1e6, s / t / f * 1e6 }'
    perf script -i "$work/trace.data" 2> /dev/null | python3 -c '
import collections, re, sys
sent, latency = {}, collections.defaultdict(list)
for line in sys.stdin:
    m = re.search(r" (\d+\.\d+): +fuse:fuse_request_(send|end): connection \d+ req (\d+)(?: opcode \d+ \((\w+)\))?", line)
    if not m:
        continue
    t, kind, req = float(m.group(1)), m.group(2), m.group(3)
    if kind == "send":
        sent[req] = (t, m.group(4))
    elif req in sent:
        t0, op = sent.pop(req)
        latency[op].append((t - t0) * 1e6)
for op, v in sorted(latency.items(), key=lambda x: -sum(x[1])):
    v.sort()
    print(f"  {op:15} n={len(v):6} mean {sum(v) / len(v):7.1f} us  median {v[len(v) // 2]:7.1f} us")
'
done
