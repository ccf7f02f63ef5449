#!/usr/bin/env bash
# CPU cost of put and get through a local cluster, in CPU-seconds per GiB of user data, split between the
# client process (`ugloo put` / `ugloo get`) and the nodes (the `ugloo-node` processes together). On a shared
# machine wall time moves with the neighbours' load; CPU time per byte moves far less, and since client and
# nodes share the cores their sum bounds the rate.
# Starts `ugloo up --no-mount --no-s3` with NODES nodes (default 6, RS(4,2)) in a temporary data directory,
# writes a SIZE file of random bytes (default 1G), puts it once to warm the cluster (fan-out directories,
# connections, JIT), then puts it RUNS times (default 3) and gets it RUNS times, each measured alone.
# Prints one JSON line per measured operation: wall seconds, GB/s, and CPU-s/GiB of client and nodes.
# Usage: benchmarks/cluster-cpu.sh [SIZE=1G] [NODES=6] [RUNS=3] [-- extra 'ugloo up' options]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1G} nodes=${2:-6} runs=${3:-3}
shift $(( $# > 3 ? 3 : $# )); [[ ${1:-} == -- ]] && shift
bytes=$(numfmt --from=iec "${size%B}")
work=$(mktemp -d "${TMPDIR:-/tmp}/ugloo-cluster-cpu.XXXXXX")
command -v jq >/dev/null || { echo "needs jq" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }
tick=$(getconf CLK_TCK)

dotnet build src/Ugloo.Mount -c Release -v q -nologo >/dev/null
ugloo=(dotnet src/Ugloo.Mount/bin/Release/net10.0/ugloo.dll)

up_pid=
cleanup() {
    if [[ -n $up_pid ]] && kill -0 "$up_pid" 2>/dev/null; then
        kill -TERM "$up_pid"; wait "$up_pid" || echo "ugloo up exited with $? (log: $work/up.log)" >&2
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"${ugloo[@]}" up --data "$work/data" --nodes "$nodes" --no-mount --no-s3 "$@" >"$work/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 600); do grep -q '^Ready:' "$work/up.log" && break; kill -0 "$up_pid" 2>/dev/null || break; sleep 0.2; done
grep -q '^Ready:' "$work/up.log" || { cat "$work/up.log" >&2; echo "cluster did not come up" >&2; exit 1; }
node_pids=$(cat "$work"/data/nodes/*/node.pid)

# Clock ticks (user + system) used so far by the given processes.
ticks() { local t=0 p; for p in "$@"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done; echo "$t"; }

head -c "$bytes" /dev/urandom >"$work/input.bin"

# measure OP LABEL ARGS...: one client run, with the client's CPU from GNU time and the nodes' from /proc.
measure() {
    local op=$1 label=$2; shift 2
    local before after wall user sys
    before=$(ticks $node_pids)
    /usr/bin/time -f '%e %U %S' -o "$work/time" "${ugloo[@]}" "$@" --data "$work/data" >/dev/null 2>"$work/err" \
        || { cat "$work/err" >&2; exit 1; }
    after=$(ticks $node_pids)
    read -r wall user sys <"$work/time"
    jq -nc --arg op "$op" --arg run "$label" --argjson b "$bytes" --argjson s "$wall" --argjson u "$user" --argjson y "$sys" \
        --argjson n "$(( after - before ))" --argjson tick "$tick" \
        '($b / 1073741824) as $gib |
         {op: $op, run: $run, bytes: $b, seconds: $s, gbps: ($b / $s / 1e9 * 1000 | round / 1000),
          client_cpu_s_per_gib: (($u + $y) / $gib * 100 | round / 100),
          client_user_s: $u, client_sys_s: $y,
          nodes_cpu_s_per_gib: ($n / $tick / $gib * 100 | round / 100)}'
}

"${ugloo[@]}" put "$work/input.bin" /bench/warm --data "$work/data" >/dev/null
for i in $(seq "$runs"); do sync; measure put "$i" put "$work/input.bin" "/bench/$i"; done
for i in $(seq "$runs"); do
    sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
    measure get "$i" get "/bench/$i" "$work/output.bin"
done
cmp -s "$work/input.bin" "$work/output.bin" || { echo "get returned different bytes" >&2; exit 1; }
