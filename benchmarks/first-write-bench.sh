#!/usr/bin/env bash
# The first writes after `ugloo up`: for each ENV given (e.g. DOTNET_TieredCompilation=0, or X=1 for none), on a
# fresh local cluster with that environment (its nodes inherit it), three 512 MiB fio writes with fsync at the
# end, in MB/s, and how long `ugloo up` took until mounted.
# Usage (as root): benchmarks/first-write-bench.sh ENV [ENV ...]. Measures the published build
# (benchmarks/publish-ugloo.sh) unless UGLOO_DLL names another. Needs fio, jq and bc. Leaves nothing behind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dll=${UGLOO_DLL:-$("$root/benchmarks/publish-ugloo.sh")}
for env in "$@"; do
    work=$(mktemp -d /tmp/ugloo-firstwrite.XXXXXX)
    started=$EPOCHREALTIME
    env "$env" dotnet "$dll" up --data "$work/data" --mount "$work/mnt" --no-s3 > "$work/up.log" 2>&1 &
    up_pid=$!
    for _ in $(seq 600); do mountpoint -q "$work/mnt" 2> /dev/null && break; sleep 0.1; done
    mounted=$(echo "$EPOCHREALTIME - $started" | bc)
    rates=""
    for k in 1 2 3; do
        rates="$rates $(fio --name=w --filename="$work/mnt/f$k.bin" --rw=write --bs=1M --size=512M --ioengine=psync \
            --end_fsync=1 --output-format=json | jq '.jobs[0].write.bw_bytes / 1e6 | floor')"
    done
    echo "$env: $rates MB/s; mounted after $mounted s"
    kill -TERM "$up_pid"; wait "$up_pid" || true
    rm -rf "$work"
done
