#!/usr/bin/env bash
# Entrypoint of the nats:2.10-alpine stand-in (Debian's nats-server; see
# .ci/standins.md). As in the official image, flags alone mean
# "nats-server with these flags", the default command serves clients on 4222
# and monitoring (/healthz) on 8222 on all interfaces, and docker stop
# (SIGTERM) shuts the server down cleanly (it is PID 1). Unlike the official
# image (which runs as root), the server drops to its own user nats.
set -Eeuo pipefail
# shellcheck source=/dev/null # .ci/standins/common/usr/local/lib/dockgen-standin.sh
. /usr/local/lib/dockgen-standin.sh

if [ $# -eq 0 ] || [ "${1:0:1}" = '-' ]; then
	set -- nats-server "$@"
fi

if [ "$1" = nats-server ] && [ "$(id -u)" = 0 ]; then
	exec_as nats "$@"
fi

exec "$@"
