#!/usr/bin/env bash
# End-to-end figures for a local cluster: starts `ugloo up` with NODES nodes (default 6, RS(4,2)) in a
# temporary data directory, times `ugloo put` and `ugloo get` of a SIZE file (default 1G, random bytes),
# checks the copy is byte-identical (SHA-256), and prints one JSON line per operation with GB/s of user
# data and the client's peak RSS, then one line shaped like ../shared/anchors/fsbench's
# ({"label", "seq_write_gbps", "seq_read_gbps"}) to set beside ../shared/anchors/fs-peers.
# Usage: benchmarks/cluster-bench.sh [SIZE=1G] [NODES=6] [-- extra 'ugloo up' options, e.g. --segment-size 16M]
# Everything runs on this machine: nodes, client and disks share its cores, so compare ratios, not times.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1G} nodes=${2:-6}
shift $(( $# > 2 ? 2 : $# )); [[ ${1:-} == -- ]] && shift
bytes=$(numfmt --from=iec "${size%B}")
work=$(mktemp -d "${TMPDIR:-/tmp}/ugloo-cluster-bench.XXXXXX")
need() { command -v "$1" >/dev/null || (apt-get update -qq && apt-get install -y -qq "$2") >/dev/null; }
[[ -x /usr/bin/time ]] || need /usr/bin/time time
need jq jq

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

"${ugloo[@]}" up --data "$work/data" --nodes "$nodes" --no-mount "$@" >"$work/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 600); do grep -q '^Ready:' "$work/up.log" && break; kill -0 "$up_pid" 2>/dev/null || break; sleep 0.2; done
grep -q '^Ready:' "$work/up.log" || { cat "$work/up.log" >&2; echo "cluster did not come up" >&2; exit 1; }

head -c "$bytes" /dev/urandom >"$work/input.bin"
want=$(sha256sum "$work/input.bin" | cut -d' ' -f1)
read -r k m segment < <("${ugloo[@]}" status --json --data "$work/data" | jq -r '.volume | "\(.k) \(.m) \(.segment_size)"')

# measure OP ARGS...: wall seconds and peak RSS of the client process, via GNU time.
measure() {
    local op=$1; shift
    /usr/bin/time -f '%e %M' -o "$work/$op.time" "${ugloo[@]}" "$@" --data "$work/data" >"$work/$op.out" 2>"$work/$op.err" \
        || { cat "$work/$op.err" >&2; exit 1; }
    read -r seconds rss_kib <"$work/$op.time"
    jq -nc --arg op "$op" --argjson n "$nodes" --argjson k "$k" --argjson m "$m" --argjson seg "$segment" \
        --argjson b "$bytes" --argjson s "$seconds" --argjson rss "$rss_kib" \
        '{impl: "ugloo", op: $op, nodes: $n, k: $k, m: $m, segment_bytes: $seg, bytes: $b, seconds: $s,
          gbps: (if $s > 0 then ($b / $s / 1e9 * 1000 | round / 1000) else null end), peak_rss_bytes: ($rss * 1024)}' | tee "$work/$op.json"
}

sync
measure put put "$work/input.bin" /bench/input.bin
# Fragments were just written: drop the page cache (as fsbench does, when root) so reads hit the disks.
sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
measure get get /bench/input.bin "$work/output.bin"
got=$(sha256sum "$work/output.bin" | cut -d' ' -f1)
[[ $got == "$want" ]] || { echo "get returned different bytes: $got != $want" >&2; exit 1; }

jq -nc --arg name "ugloo-cluster-$nodes" --slurpfile p "$work/put.json" --slurpfile g "$work/get.json" \
    '{"label": $name, seq_write_gbps: $p[0].gbps, seq_read_gbps: $g[0].gbps}'
