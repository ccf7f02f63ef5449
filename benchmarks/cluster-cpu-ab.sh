#!/usr/bin/env bash
# A/B comparison of two builds' CPU cost per put and get, for changes smaller than this machine's noise.
# Runs two local clusters at once (`ugloo up --no-mount --no-s3`, 6 nodes each), one from each build output
# directory (e.g. a copy of src/Ugloo.Mount/bin/Release/net10.0 made before the change), and interleaves
# their operations (A, B, A, B, ...) so both see the same neighbours' load. Each line: build, operation,
# wall seconds, client CPU seconds (user + system, GNU time) and the six nodes' CPU seconds (/proc/PID/stat)
# for one 1 GiB put or get.
# Usage: [ENV_B='NAME=value ...'] benchmarks/cluster-cpu-ab.sh DIR_A DIR_B [ROUNDS=4] [PUTS=ROUNDS]
#   ROUNDS gets per build, PUTS puts per build (the gets read the put objects round-robin). ENV_B: environment
#   for cluster B's `ugloo up` and so its nodes (e.g. a DOTNET_* runtime knob; DIR_B may then equal DIR_A).
set -euo pipefail
A=$(realpath "$1") B=$(realpath "$2") rounds=${3:-4} puts=${4:-${3:-4}}
work=$(mktemp -d "${TMPDIR:-/tmp}/ugloo-cpu-ab.XXXXXX")
head -c 1G /dev/urandom >"$work/in.bin"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait || true; rm -rf "$work"; }
trap cleanup EXIT
for x in A B; do
    env_x=(); [[ $x == B && -n ${ENV_B:-} ]] && read -ra env_x <<<"$ENV_B"
    env "${env_x[@]}" dotnet "${!x}/ugloo.dll" up --data "$work/$x" --no-mount --no-s3 >"$work/$x.log" 2>&1 &
    pids+=($!)
done
for x in A B; do
    for _ in $(seq 600); do grep -q '^Ready:' "$work/$x.log" && break; sleep 0.2; done
    grep -q '^Ready:' "$work/$x.log" || { cat "$work/$x.log" >&2; echo "cluster $x did not come up" >&2; exit 1; }
done

ticks() { local t=0 p; for p in "$@"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done; echo "$t"; }
tick=$(getconf CLK_TCK)
run() {
    local x=$1 op=$2; shift 2
    local nodes before after wall user sys
    nodes=$(cat "$work/$x"/nodes/*/node.pid)
    before=$(ticks $nodes)
    /usr/bin/time -f '%e %U %S' -o "$work/time" dotnet "${!x}/ugloo.dll" "$op" "$@" --data "$work/$x" >/dev/null 2>"$work/err" \
        || { cat "$work/err" >&2; exit 1; }
    after=$(ticks $nodes)
    read -r wall user sys <"$work/time"
    awk -v x="$x" -v op="$op" -v w="$wall" -v u="$user" -v s="$sys" -v n=$(( after - before )) -v t="$tick" \
        'BEGIN { printf "%s %s wall %.2f client %.2f nodes %.2f\n", x, op, w, u + s, n / t }'
}

for x in A B; do dotnet "${!x}/ugloo.dll" put "$work/in.bin" /warm --data "$work/$x" >/dev/null; done
for i in $(seq "$puts"); do for x in A B; do run "$x" put "$work/in.bin" "/p$i"; done; done
for i in $(seq "$rounds"); do for x in A B; do run "$x" get "/p$(( (i - 1) % puts + 1 ))" "$work/out.bin"; done; done
