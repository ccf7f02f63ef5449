#!/usr/bin/env bash
# Issue 4's figures in one run: on a fresh local cluster with its volume mounted (ugloo up, Release build),
# ../shared/anchors/fsbench twice (sequential write with fsync, cold read, 4 KiB creates/stats/reads/unlinks),
# `ls -l` of 10,000 4 KiB files (cold, warm, later: RUNS times each), the objects the small files became,
# then, with the cluster stopped, ../shared/anchors/fs-peers (tmpfs, libfuse passthrough, rclone crypt) as the
# reference in the same session. Compare ratios, not absolute figures.
# Usage (as root): benchmarks/mount-bench.sh [SIZE=512M] [FILES=10000] [RUNS=5]. UGLOO_DLL=path/to/ugloo.dll
# measures another build. Needs python3 and getfattr (attr). Leaves nothing behind.
set -euo pipefail
size=${1:-512M} files=${2:-10000} runs=${3:-5}
anchors=$(cd "$(dirname "$0")/../../shared/anchors" && pwd)
. "$(dirname "$0")/mounted-cluster.sh"
start_mounted_cluster mountbench

"$anchors/fsbench" ugloo "$work/mnt" "$size" "$files"
"$anchors/fsbench" ugloo "$work/mnt" "$size" "$files"

dir=$work/mnt/ls
mkdir "$dir"
python3 - "$dir" "$files" <<'PY'
import sys
for i in range(int(sys.argv[2])):
    with open(f"{sys.argv[1]}/f{i:06d}", "wb") as f:
        f.write(b"x" * 4096)
PY
until [[ $(getfattr --only-values -n user.ugloo.pending "$work/mnt" 2> /dev/null) == "0 0" ]]; do sleep 0.5; done
seconds() { local start=$EPOCHREALTIME; ls -l "$dir" > /dev/null; awk "BEGIN { printf \"%.2f\", $EPOCHREALTIME - $start }"; }
for _ in $(seq "$runs"); do
    sync; echo 3 > /proc/sys/vm/drop_caches; sleep 0.3
    cold=$(seconds); warm=$(seconds); sleep 2; later=$(seconds)
    echo "ls -l of $files entries, seconds: cold $cold, warm $warm, later $later"
done

python3 - "$work/data/catalog.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
files, objects = db.execute("SELECT count(*), count(DISTINCT manifest) FROM versions WHERE manifest IS NOT NULL AND path LIKE '/smallfiles.%'").fetchone()
print(f"small files written by fsbench: {files}, stored as {objects} objects")
PY

stop_mounted_cluster
trap - EXIT
"$anchors/fs-peers" "$size" "$files"
