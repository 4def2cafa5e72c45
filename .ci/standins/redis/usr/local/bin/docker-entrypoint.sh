#!/usr/bin/env bash
# Entrypoint of the redis:7.4-bookworm stand-in (Debian's Redis; see
# .ci/standins.md). It follows the official image's contract:
#   - started as root: give /data (the working directory, where redis-server
#     writes dump.rdb) to redis and run redis-server as redis (PID 1);
#   - without a config file: listen on all interfaces with protected mode
#     off (the official image compiles that default in), so other
#     containers reach it by service name without a password;
#   - docker stop (SIGTERM): redis saves and exits cleanly.
set -Eeuo pipefail
# shellcheck source=/dev/null # .ci/standins/common/usr/local/lib/dockgen-standin.sh
. /usr/local/lib/dockgen-standin.sh

# Flags or a config file alone mean "redis-server with these".
if [ "${1:0:1}" = '-' ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
	own_dir redis .
	exec_as redis "${BASH_SOURCE[0]}" "$@"
fi

if [ "$1" = redis-server ]; then
	# Keep the data private unless the user chose a umask.
	if [ "$(umask)" = 0022 ]; then
		umask 0077
	fi
	# Debian's redis-server defaults to protected mode (it refuses clients
	# from other hosts when no password is set); the official image builds
	# it with protected mode off. Give that default first, so a later
	# --protected-mode flag still wins. (With a config file, the file
	# decides: the stand-in cannot change a compiled-in default under it.)
	if [ $# -eq 1 ] || [ "${2:0:1}" = '-' ]; then
		shift
		set -- redis-server --protected-mode no "$@"
	fi
fi

exec "$@"
