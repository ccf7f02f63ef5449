#!/usr/bin/env bash
# Small-file creates from several writers at once, on a fresh mounted cluster (Release): JOBS processes each
# create FILES 4 KiB files (create, write, close: the close is durable) in a directory of their own, started
# together. Prints the aggregate creates per second for 1 writer and for JOBS writers, and, while the JOBS
# writers run, the median time of a lookup of a name not there (what another program sees meanwhile).
# Usage (as root, needs gcc): benchmarks/parallel-creates.sh [JOBS=4] [FILES=2000]
set -euo pipefail
jobs=${1:-4} files=${2:-2000}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/mounted-cluster.sh"
start_mounted_cluster parallel-creates
gcc -O2 -o "$work/phase" "$here/smallfile-phase.c"
"$work/phase" "$work/mnt/warm" "$files" c > /dev/null
echo x > "$work/mnt/probe"
rate() { # NAME WRITERS: aggregate creates/s of WRITERS processes of FILES creates each
    local t0 t1 pids=() k
    t0=$(date +%s.%N)
    for k in $(seq "$2"); do
        "$work/phase" "$work/mnt/$1-$k" "$files" c > /dev/null &
        pids+=($!)
    done
    wait "${pids[@]}"
    t1=$(date +%s.%N)
    awk -v n=$(($2 * files)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }'
}
echo "1 writer: $(rate one 1) creates/s"
python3 - "$work/mnt/probe" > "$work/probe.txt" <<'PY' &
import os, statistics, sys, time
samples = []
end = time.monotonic() + 600
while time.monotonic() < end and not os.path.exists(sys.argv[1] + ".stop"):
    # A name never asked for: the kernel has no (negative) entry for it, so each lookup reaches the daemon.
    name = f"{sys.argv[1]}-missing-{len(samples)}"
    t = time.perf_counter()
    try:
        os.stat(name)
    except FileNotFoundError:
        pass
    samples.append((time.perf_counter() - t) * 1e6)
    time.sleep(0.002)
print(f"{statistics.median(samples):.0f} us median, {sorted(samples)[int(len(samples) * 0.99)]:.0f} us p99 over {len(samples)} stats")
PY
probe=$!
echo "$jobs writers: $(rate many "$jobs") creates/s"
touch "$work/mnt/probe.stop"
wait "$probe"
echo "lookups meanwhile: $(cat "$work/probe.txt")"
