#!/usr/bin/env bash
# S3 gateway figures, in one run on one fresh local cluster (ugloo up, Release build):
#   - PUT and GET of one SIZE_MIB object (default 1024) with 'aws s3 cp', next to 'ugloo put' / 'ugloo get'
#     of the same file;
#   - COUNT (default 1000) 4 KiB objects uploaded with 'aws s3 sync' (10 concurrent requests, the aws cli's
#     default): objects per second.
# Usage: benchmarks/s3-bench.sh [SIZE_MIB] [COUNT]. Needs the aws cli. Leaves nothing behind.
set -euo pipefail
size_mib=${1:-1024}
count=${2:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet build -c Release "$root/src/Ugloo.Mount/Ugloo.Mount.csproj" -v q -nologo > /dev/null
ugloo=(dotnet "$root/src/Ugloo.Mount/bin/Release/net10.0/ugloo.dll")

work=$(mktemp -d /tmp/ugloo-s3bench.XXXXXX)
up_pid=""
cleanup() {
    if mountpoint -q "$work/mnt" 2> /dev/null; then
        umount -l "$work/mnt" || true
    fi
    if [[ -n $up_pid ]]; then
        kill -TERM "$up_pid" 2> /dev/null || true
        wait "$up_pid" 2> /dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"${ugloo[@]}" up --data "$work/data" --no-mount --s3 127.0.0.1:0 > "$work/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 240); do
    grep -q '^Ready:' "$work/up.log" && break
    kill -0 "$up_pid" 2> /dev/null || { cat "$work/up.log"; exit 1; }
    sleep 0.5
done
read -r endpoint access secret < <(sed -nE 's/^ +s3 +(http:[^ ]+) +access key ([^ ]+) +secret ([^ ]+).*/\1 \2 \3/p' "$work/up.log")
export AWS_ACCESS_KEY_ID=$access AWS_SECRET_ACCESS_KEY=$secret AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="$work/aws.cfg"
printf '[default]\ns3 =\n  addressing_style = path\n' > "$AWS_CONFIG_FILE"
awss3() { aws --endpoint-url "$endpoint" "$@"; }

# seconds COMMAND...: runs it, prints the wall time in seconds.
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
mbps() { printf '%.0f' "$(echo "$1 * 1048576 / $2 / 1000000" | bc -l)"; }

head -c "$((size_mib << 20))" /dev/urandom > "$work/big.bin"
awss3 s3 mb s3://bench > /dev/null

t_put=$(seconds "${ugloo[@]}" put --data "$work/data" "$work/big.bin" /bench/via-put.bin)
t_get=$(seconds "${ugloo[@]}" get --data "$work/data" /bench/via-put.bin "$work/back-put.bin")
t_s3put=$(seconds awss3 s3 cp --only-show-errors "$work/big.bin" s3://bench/via-s3.bin)
t_s3get=$(seconds awss3 s3 cp --only-show-errors s3://bench/via-s3.bin "$work/back-s3.bin")
# The same PUT as one streamed request (no multipart: nothing staged on the gateway's disk).
printf '[default]\ns3 =\n  addressing_style = path\n  multipart_threshold = 5GB\n' > "$work/aws-single.cfg"
t_s3single=$(AWS_CONFIG_FILE="$work/aws-single.cfg" seconds awss3 s3 cp --only-show-errors "$work/big.bin" s3://bench/via-s3-single.bin)
cmp "$work/big.bin" "$work/back-put.bin"
cmp "$work/big.bin" "$work/back-s3.bin"
rm -f "$work/back-put.bin" "$work/back-s3.bin"

mkdir "$work/small"
for i in $(seq "$count"); do head -c 4096 /dev/urandom > "$work/small/f$i"; done
t_small=$(seconds awss3 s3 sync --only-show-errors "$work/small" s3://bench/small)
listed=$(awss3 s3 ls --recursive s3://bench/small/ | wc -l)
[[ $listed -eq $count ]] || { echo "only $listed of $count small objects listed"; exit 1; }

# The mount's small-file creates, for comparison (needs /dev/fuse and root, as 'ugloo mount' does).
t_mount=""
if [[ -e /dev/fuse && $(id -u) -eq 0 ]]; then
    mkdir "$work/mnt"
    "${ugloo[@]}" mount "$work/mnt" --data "$work/data" > "$work/mount.log" 2>&1 &
    mount_pid=$!
    for _ in $(seq 120); do mountpoint -q "$work/mnt" && break; sleep 0.5; done
    if mountpoint -q "$work/mnt"; then
        t_mount=$(seconds cp -r "$work/small" "$work/mnt/bench/small-mount")
        "${ugloo[@]}" unmount "$work/mnt" > /dev/null 2>&1 || true
    fi
    wait "$mount_pid" 2> /dev/null || true
fi

echo "S3 gateway figures ($(nproc) cores, ${size_mib} MiB object, $count x 4 KiB objects)"
printf '  %-34s %6.1f s  %5s MB/s\n' "ugloo put ${size_mib} MiB" "$t_put" "$(mbps "$size_mib" "$t_put")"
printf '  %-34s %6.1f s  %5s MB/s\n' "aws s3 cp PUT ${size_mib} MiB" "$t_s3put" "$(mbps "$size_mib" "$t_s3put")"
printf '  %-34s %6.1f s  %5s MB/s\n' "aws s3 cp PUT, one request" "$t_s3single" "$(mbps "$size_mib" "$t_s3single")"
printf '  %-34s %6.1f s  %5s MB/s\n' "ugloo get ${size_mib} MiB" "$t_get" "$(mbps "$size_mib" "$t_get")"
printf '  %-34s %6.1f s  %5s MB/s\n' "aws s3 cp GET ${size_mib} MiB" "$t_s3get" "$(mbps "$size_mib" "$t_s3get")"
printf '  %-34s %6.1f s  %5.0f objects/s\n' "aws s3 sync $count x 4 KiB" "$t_small" "$(echo "$count / $t_small" | bc -l)"
if [[ -n $t_mount ]]; then
    printf '  %-34s %6.1f s  %5.0f files/s\n' "cp -r $count x 4 KiB to the mount" "$t_mount" "$(echo "$count / $t_mount" | bc -l)"
fi
printf '  S3/ugloo ratio: PUT multipart %.2f, PUT one request %.2f, GET %.2f\n' "$(echo "$t_put / $t_s3put" | bc -l)" "$(echo "$t_put / $t_s3single" | bc -l)" "$(echo "$t_get / $t_s3get" | bc -l)"
