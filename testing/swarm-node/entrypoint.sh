#!/bin/sh
# Start the node's Docker engine (see Dockerfile).
set -eu
# Docker mounts a container's sysfs and cgroup hierarchies read-only; the
# engine inside creates cgroups and network devices for its own containers.
# A cgroup v1 hierarchy cannot be remounted read-write in place (the kernel
# says it is busy), so each is unmounted and mounted again, read-write, with
# its own controllers; in the node's private cgroup namespace it shows the
# node's own part of the tree. On a cgroup v2 host the one hierarchy is
# remounted.
mount -o remount,rw /sys 2>/dev/null || true
mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
grep ' cgroup ' /proc/self/mounts | while read -r _ target _ options _; do
    controllers=$(printf '%s\n' "$options" | tr , '\n' |
        grep -v -x -E 'ro|rw|nosuid|nodev|noexec|relatime' | paste -s -d, -)
    umount "$target"
    mount -t cgroup -o "rw,nosuid,nodev,noexec,relatime,$controllers" cgroup "$target"
done
# The engine API also listens on TCP, without TLS, for the tests on the
# host's bridge only (--tls=false says so, and spares the start-up delay
# dockerd imposes on a listener it thinks was opened unknowingly).
exec dockerd --storage-driver overlay2 --tls=false \
    --host unix:///var/run/docker.sock --host tcp://0.0.0.0:2375 "$@"
