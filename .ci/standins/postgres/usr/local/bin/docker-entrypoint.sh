#!/usr/bin/env bash
# Entrypoint of the postgres:17-bookworm stand-in (Debian's PostgreSQL; see
# .ci/standins.md). It follows the official image's contract:
#   - started as root: fix ownership of $PGDATA, then run as postgres (PID 1);
#   - empty $PGDATA: initdb with POSTGRES_USER (default postgres) and
#     POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
#     password auth for every remote host, create POSTGRES_DB (default: the
#     user's name), run /docker-entrypoint-initdb.d/*.sh|*.sql; an existing
#     cluster is reused as is;
#   - `postgres` listens on all interfaces; docker stop (SIGINT, the image's
#     STOPSIGNAL, as in the official image) is a fast clean shutdown.
set -Eeuo pipefail
# shellcheck source=/dev/null # .ci/standins/common/usr/local/lib/dockgen-standin.sh
. /usr/local/lib/dockgen-standin.sh

# Flags alone mean "postgres with these flags" (docker run IMAGE -c fsync=off).
if [ "${1:0:1}" = '-' ]; then
	set -- postgres "$@"
fi

init_cluster() {
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS
	: "${POSTGRES_HOST_AUTH_METHOD:=}"
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
		cat >&2 <<-'EOM'
			Error: Database is uninitialized and superuser password is not specified.
			       You must specify POSTGRES_PASSWORD to a non-empty value for the
			       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
			       (or POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password)
		EOM
		exit 1
	fi

	# initdb's own default stays for local (socket) connections: trust, as
	# in the official image (psql inside the container needs no password).
	# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of flags
	if [ -n "$POSTGRES_PASSWORD" ]; then
		initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
	else
		initdb --username="$POSTGRES_USER" $POSTGRES_INITDB_ARGS
	fi

	# Remote hosts (other containers) authenticate with the password
	# encryption postgres uses (scram-sha-256), unless told otherwise.
	if [ -z "$POSTGRES_HOST_AUTH_METHOD" ]; then
		POSTGRES_HOST_AUTH_METHOD=$(postgres -C password_encryption)
	fi
	printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

	# A temporary server on the socket only, so nobody connects to a
	# half-initialised database.
	PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
	local psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
	if [ "$POSTGRES_DB" != postgres ]; then
		"${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db" ;'
	fi
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		# shellcheck disable=SC1090 # init scripts are the user's
		case "$f" in
		*.sh) echo "$0: running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
		*.sql) echo "$0: running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
		*) [ -e "$f" ] && echo "$0: ignoring $f" ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo "PostgreSQL init process complete; ready for start up."
}

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
	own_dir postgres "$PGDATA"
	chmod 00700 "$PGDATA"
	mkdir -p /var/run/postgresql
	chown postgres:postgres /var/run/postgresql
	chmod 3777 /var/run/postgresql
	exec_as postgres "${BASH_SOURCE[0]}" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
	init_cluster
fi

exec "$@"
