#!/usr/bin/env bash
# 4 KiB creates on the mount against peers that keep the same promise. A close on ugloo returns once the file
# survives a power cut (its journal row is flushed to disk); fsbench's reference, libfuse's passthrough_ll over
# tmpfs, keeps nothing, and over a disk it keeps a file only if the program flushes it before the close. So this
# runs benchmarks/smallfile-phase.c's create phase (open, write 4 KiB, close) on:
#   ugloo                 a fresh local cluster's mount (ugloo up, Release build): durable at close;
#   passthrough-tmpfs c   passthrough_ll over tmpfs, as ../shared/anchors/fs-peers runs it: nothing durable;
#   passthrough-disk c    passthrough_ll over a directory on the disk that holds the cluster: nothing durable;
#   passthrough-disk d    the same with an fdatasync before each close: the file's data durable at close (its
#                         directory entry not even then, which ugloo's journal row also covers).
# ROUNDS rounds, the four alternating, each in a directory of its own. Compare ratios within one run.
# Usage (as root): benchmarks/durable-creates.sh [FILES=5000] [ROUNDS=3]. UGLOO_DLL=path/to/ugloo.dll measures
# another build. Needs gcc and libfuse3-dev (installed if missing, as fs-peers does). Leaves nothing behind.
set -euo pipefail
shopt -s inherit_errexit
files=${1:-5000} rounds=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
[[ -e /usr/include/fuse3/fuse_lowlevel.h ]] || (apt-get update -qq && apt-get install -y -qq libfuse3-dev pkg-config) > /dev/null
. "$here/mounted-cluster.sh"
start_mounted_cluster durablecreates
gcc -O2 -o "$work/phase" "$here/smallfile-phase.c"
# shellcheck disable=SC2046 # pkg-config prints several flags
gcc -O2 -o "$work/passthrough_ll" /usr/share/doc/libfuse3-dev/examples/passthrough_ll.c $(pkg-config fuse3 --cflags --libs)

mkdir -p "$work/tmpfs" "$work/disk" "$work/pt-tmpfs" "$work/pt-disk"
# passthrough_ll holds a descriptor for every inode the kernel knows: mounted anew for each phase, so the files
# of earlier phases do not run it out of descriptors. Nothing is deleted between phases: on this disk's ext4
# (no journal) fresh deletions slow the next creates down (the inode allocator skips recently freed inodes).
stop_peers() {
    fusermount3 -u "$work/pt-tmpfs" 2> /dev/null || true
    fusermount3 -u "$work/pt-disk" 2> /dev/null || true
}
cleanup() {
    stop_peers
    umount "$work/tmpfs" 2> /dev/null || true
    stop_mounted_cluster
}
trap cleanup EXIT
mount -t tmpfs -o size=2g tmpfs "$work/tmpfs"

rate() { "$work/phase" "$1" "$files" "$2" | awk '{print $2}'; }
peer() { # SOURCE MOUNT DIR PHASE
    "$work/passthrough_ll" -o source="$1" "$2"
    rate "$2/$3" "$4"
    stop_peers
}
for k in $(seq "$rounds"); do
    u=$(rate "$work/mnt/r$k" c)
    t=$(peer "$work/tmpfs" "$work/pt-tmpfs" "r$k" c)
    dc=$(peer "$work/disk" "$work/pt-disk" "r$k-c" c)
    dd=$(peer "$work/disk" "$work/pt-disk" "r$k-d" d)
    echo "round $k: ugloo $u; passthrough-tmpfs c $t; passthrough-disk c $dc; passthrough-disk d $dd"
done
