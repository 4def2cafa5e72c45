#!/usr/bin/env bash
# Entrypoint of the rabbitmq:3.13-alpine stand-in (Debian's RabbitMQ; see
# .ci/standins.md). It follows the official image's contract:
#   - started as root: give the data dir /var/lib/rabbitmq to rabbitmq and
#     run rabbitmq-server as rabbitmq (PID 1);
#   - RABBITMQ_DEFAULT_USER / RABBITMQ_DEFAULT_PASS (default guest/guest)
#     create the first user on an empty data dir (RabbitMQ reads them
#     itself); that user may log in from other containers;
#   - AMQP on 5672, all interfaces; docker stop (SIGTERM) stops the node
#     cleanly (rabbitmq-server traps it and stops the Erlang node);
#   - the Erlang cookie is the server's, also for root's CLI tools
#     (healthcheck rabbitmq-diagnostics).
set -Eeuo pipefail
# shellcheck source=/dev/null # .ci/standins/common/usr/local/lib/dockgen-standin.sh
. /usr/local/lib/dockgen-standin.sh

if [ "${1:0:1}" = '-' ]; then
	set -- rabbitmq-server "$@"
fi

# Any RabbitMQ command run through the entrypoint runs as rabbitmq.
if [[ "$1" == rabbitmq* ]] && [ "$(id -u)" = 0 ]; then
	if [ "$1" = rabbitmq-server ]; then
		own_dir rabbitmq /var/lib/rabbitmq
	fi
	exec_as rabbitmq "${BASH_SOURCE[0]}" "$@"
fi

# If long and short host names differ, use long node names (as the official
# image does).
if [ -z "${RABBITMQ_USE_LONGNAME:-}" ] && [ "$(hostname)" != "$(hostname -s)" ]; then
	export RABBITMQ_USE_LONGNAME=true
fi

# The Erlang cookie shared by the node and the CLI tools. Made here, as
# rabbitmq, before the node starts: otherwise a healthcheck's
# rabbitmq-diagnostics (run as root, same HOME) that comes first creates it
# owned by root and the node cannot read it.
cookie=/var/lib/rabbitmq/.erlang.cookie
if [ "$1" = rabbitmq-server ] && [ ! -e "$cookie" ]; then
	letters=$(head -c 512 /dev/urandom | LC_ALL=C tr -dc '[:upper:]')
	(umask 0277 && printf '%.20s' "$letters" >"$cookie")
fi

exec "$@"
