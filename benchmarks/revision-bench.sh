#!/usr/bin/env bash
# Versions as segment references through the mount, in one run on one fresh local cluster (ugloo up,
# Release build, default 8 MiB segments): writes a SIZE_MIB file (default 1024) with dd conv=fsync, then
# changes 1 MiB of it in place twice (dd conv=notrunc,fsync), timing each, and prints which segments each
# new version stored anew (fragment ids that differ from the version before, read from the catalog).
# Usage (as root, or with /dev/fuse usable): benchmarks/revision-bench.sh [SIZE_MIB]. Needs python3.
# Leaves nothing behind.
set -euo pipefail
size_mib=${1:-1024}
. "$(dirname "$0")/mounted-cluster.sh"
start_mounted_cluster revbench

head -c $((size_mib << 20)) /dev/urandom > "$work/big.src"
head -c $((1 << 20)) /dev/urandom > "$work/patch"
timed() { local start=$EPOCHREALTIME; "$@"; awk "BEGIN { printf \"%.2f\", $EPOCHREALTIME - $start }"; }
echo "write ${size_mib} MiB + fsync: $(timed dd if="$work/big.src" of="$work/mnt/big.bin" bs=4M conv=fsync status=none) s"
echo "change 1 MiB at $((size_mib / 2)) MiB + fsync: $(timed dd if="$work/patch" of="$work/mnt/big.bin" bs=1M seek=$((size_mib / 2)) conv=notrunc,fsync status=none) s"
echo "change 1 MiB at $((size_mib / 10)) MiB + fsync: $(timed dd if="$work/patch" of="$work/mnt/big.bin" bs=1M seek=$((size_mib / 10)) conv=notrunc,fsync status=none) s"

python3 - "$work/data/catalog.db" <<'PY'
import sqlite3, struct, sys
# Manifest layout (docs: ObjectManifest.Serialization.cs): header 42 bytes, format 2 adds 8 bytes of
# generation per segment, then (k + m) 32-byte fragment ids per segment.
def segments(m):
    count = struct.unpack('>I', m[38:42])[0]
    width = 32 * (m[34] + m[35])
    start = 42 + (8 * count if m[4] == 2 else 0)
    return [m[start + i * width:start + (i + 1) * width] for i in range(count)]
rows = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT manifest FROM versions WHERE path = '/big.bin' ORDER BY id")]
for before, after in zip(rows, rows[1:]):
    a, b = segments(before), segments(after)
    print(f"stored anew: segments {[i for i in range(len(b)) if i >= len(a) or a[i] != b[i]]} of {len(b)}")
PY
