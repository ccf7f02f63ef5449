# Sourced by the benchmarks that need one fresh local cluster with its volume mounted:
#   start_mounted_cluster NAME
# publishes ugloo as installed (benchmarks/publish-ugloo.sh: Release, ReadyToRun) unless UGLOO_DLL names a build
# to measure, makes $work (/tmp/ugloo-NAME.XXXXXX),
# runs `ugloo up --data $work/data --mount $work/mnt --no-s3 $UGLOO_UP_ARGS` in the background and returns once the volume is
# mounted. On exit the cluster is stopped with SIGTERM (a background job of a script ignores SIGINT; ugloo up
# drains its journal and unmounts on SIGTERM too), a mount left behind is detached, and $work is removed.
start_mounted_cluster() {
    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    if [[ -z ${UGLOO_DLL:-} ]]; then
        UGLOO_DLL=$("$root/benchmarks/publish-ugloo.sh")
    fi

    work=$(mktemp -d "/tmp/ugloo-$1.XXXXXX")
    up_pid=""
    trap stop_mounted_cluster EXIT
    # shellcheck disable=SC2086 # UGLOO_UP_ARGS is a list of extra options, e.g. "--segment-size 16M"
    dotnet "$UGLOO_DLL" up --data "$work/data" --mount "$work/mnt" --no-s3 ${UGLOO_UP_ARGS:-} > "$work/up.log" 2>&1 &
    up_pid=$!
    for _ in $(seq 120); do
        grep -q '^Ready' "$work/up.log" && mountpoint -q "$work/mnt" && break
        sleep 0.5
    done
    mountpoint -q "$work/mnt" || { cat "$work/up.log" >&2; exit 1; }
}

stop_mounted_cluster() {
    if [[ -n $up_pid ]]; then
        kill -TERM "$up_pid" 2> /dev/null || true
        wait "$up_pid" 2> /dev/null || true
    fi
    if mountpoint -q "$work/mnt" 2> /dev/null; then
        umount -l "$work/mnt" || true
    fi
    rm -rf "$work"
}
