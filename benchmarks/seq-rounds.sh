#!/usr/bin/env bash
# Sequential write and cold read, ROUNDS times on one fresh local cluster (ugloo up, mounted), with the CPU each
# phase cost the mount daemon and the six nodes: what to compare two builds with (UGLOO_DLL), since fsbench
# reports one write and one read per run and the first round after start differs from the later ones.
# Each round writes a new SIZE file with fio (1 MiB blocks, fsync at the end), drops the page cache, reads it
# back (the daemon fetches it from the nodes: nothing of a new file is in the segment cache), and deletes it.
# Output, one line per round: write MB/s (daemon CPU-s, nodes CPU-s, daemon minor page faults) and the same for
# the read. The faults show fresh memory: on a VM that hands freed pages back to its host each one costs a trap.
# Usage (as root): benchmarks/seq-rounds.sh [ROUNDS=3] [SIZE=512M]. Needs fio and jq. Leaves nothing behind.
set -euo pipefail
shopt -s inherit_errexit
rounds=${1:-3} size=${2:-512M}
. "$(dirname "$0")/mounted-cluster.sh"
start_mounted_cluster seqrounds
daemon=$(pgrep -f "up --data $work/data" | head -1) || { echo "seq-rounds.sh: no ugloo up process found" >&2; exit 1; }
# The nodes are ugloo up's children: this cluster's, not another benchmark's.
nodes=$(pgrep -P "$daemon") || { echo "seq-rounds.sh: ugloo up ($daemon) has no node processes" >&2; exit 1; }
hz=$(getconf CLK_TCK)
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
minflt() { awk '{print $10}' "/proc/$1/stat"; }
phase() { # NAME FIO-ARGS...: prints "NAME MB/s (daemon X s, nodes Y s, F faults)"
    local name=$1 d0 n0 f0 rate
    shift
    d0=$(ticks "$daemon"); n0=$(ticks $nodes); f0=$(minflt "$daemon")
    rate=$(fio --name="$name" --bs=1M --size="$size" --ioengine=psync --output-format=json "$@" \
        | jq ".jobs[0].$name.bw_bytes / 1e6 | floor")
    [[ $rate =~ ^[0-9]+$ ]] || { echo "seq-rounds.sh: fio gave no $name rate" >&2; exit 1; }
    awk -v n="$name" -v r="$rate" -v d=$(( $(ticks "$daemon") - d0 )) -v c=$(( $(ticks $nodes) - n0 )) -v hz="$hz" \
        -v f=$(( $(minflt "$daemon") - f0 )) \
        'BEGIN { printf "%s %d MB/s (daemon %.2f s, nodes %.2f s, %d faults)", n, r, d / hz, c / hz, f }'
}
for k in $(seq "$rounds"); do
    file=$work/mnt/round$k.bin
    w=$(phase write --filename="$file" --rw=write --end_fsync=1)
    sync; echo 3 > /proc/sys/vm/drop_caches; sleep 0.3
    r=$(phase read --filename="$file" --rw=read)
    echo "round $k: $w; $r"
    rm -f "$file"
done
