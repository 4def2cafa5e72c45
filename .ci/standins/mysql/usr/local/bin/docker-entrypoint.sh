#!/usr/bin/env bash
# Entrypoint of the mysql:8.4 stand-in (Debian's MariaDB, which speaks the
# MySQL protocol; see .ci/standins.md). It follows the official image's
# contract:
#   - started as root: give the data dir /var/lib/mysql to mysql and run
#     mysqld as mysql (PID 1);
#   - empty data dir: needs MYSQL_ROOT_PASSWORD (or MYSQL_ALLOW_EMPTY_PASSWORD
#     / MYSQL_RANDOM_ROOT_PASSWORD); root@localhost and root@MYSQL_ROOT_HOST
#     (default %) get that password; MYSQL_DATABASE is created; MYSQL_USER /
#     MYSQL_PASSWORD becomes user@% with all rights on MYSQL_DATABASE;
#     /docker-entrypoint-initdb.d/*.sh|*.sql run; an existing data dir is
#     reused as is;
#   - mysqld listens on all interfaces (3306); docker stop (SIGTERM) is a
#     clean shutdown.
set -Eeuo pipefail
# shellcheck source=/dev/null # .ci/standins/common/usr/local/lib/dockgen-standin.sh
. /usr/local/lib/dockgen-standin.sh

SOCKET=/run/mysqld/mysqld.sock

# Flags alone mean "mysqld with these flags".
if [ "${1:0:1}" = '-' ]; then
	set -- mysqld "$@"
fi

# sql_string and sql_name quote a value for an SQL string literal and a
# backquoted identifier (as the official entrypoint does).
sql_string() {
	local s=${1//\\/\\\\}
	s=${s//$'\n'/\\n}
	printf "'%s'" "${s//\'/\\\'}"
}
# shellcheck disable=SC2016 # backquotes are SQL here, not shell
sql_name() { printf '`%s`' "${1//\`/\`\`}"; }

# sql [mysql client flags...]: run SQL from stdin on the temporary server as
# root (no password before setup; with it afterwards, passed in an option
# file on a pipe so it never shows in ps).
ROOT_PASSWORD_SET=0
sql() {
	local pw=
	if [ "$ROOT_PASSWORD_SET" = 1 ]; then
		pw=${MYSQL_ROOT_PASSWORD//\\/\\\\}
		pw=${pw//\"/\\\"}
	fi
	mysql --defaults-extra-file=<(printf '[client]\npassword="%s"\n' "$pw") \
		--protocol=socket --socket="$SOCKET" -uroot --batch --skip-column-names "$@"
}

init_database() {
	file_env MYSQL_ROOT_PASSWORD
	file_env MYSQL_DATABASE
	file_env MYSQL_USER
	file_env MYSQL_PASSWORD
	: "${MYSQL_ALLOW_EMPTY_PASSWORD:=}" "${MYSQL_RANDOM_ROOT_PASSWORD:=}" "${MYSQL_ROOT_HOST:=%}"
	if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "$MYSQL_ALLOW_EMPTY_PASSWORD" ] && [ -z "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
		cat >&2 <<-'EOM'
			error: Database is uninitialized and password option is not specified
			    You need to specify one of the following as an environment variable:
			    - MYSQL_ROOT_PASSWORD
			    - MYSQL_ALLOW_EMPTY_PASSWORD
			    - MYSQL_RANDOM_ROOT_PASSWORD
		EOM
		exit 1
	fi
	if [ "$MYSQL_USER" = root ]; then
		echo >&2 'error: MYSQL_USER="root", MYSQL_USER and MYSQL_PASSWORD are for configuring a regular user and cannot be used for the root user'
		exit 1
	fi
	if [ -n "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
		MYSQL_ROOT_PASSWORD=$(head -c 24 /dev/urandom | base64)
		echo "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
	fi

	echo "Initializing database files"
	mariadb-install-db --datadir=/var/lib/mysql --auth-root-authentication-method=normal \
		--skip-test-db --skip-name-resolve >/dev/null
	echo "Database files initialized"

	# A temporary server on the socket only, so nobody connects to a
	# half-initialised database.
	"$@" --skip-networking --socket="$SOCKET" &
	local pid=$! i
	for ((i = 0; i < 60; i++)); do
		if sql -e 'SELECT 1' >/dev/null 2>&1; then break; fi
		kill -0 "$pid" 2>/dev/null || { echo >&2 'error: temporary server exited during init'; exit 1; }
		sleep 1
	done
	sql -e 'SELECT 1' >/dev/null || { echo >&2 'error: temporary server did not answer in 60s'; exit 1; }

	# The same accounts as the official image: root only (localhost and
	# MYSQL_ROOT_HOST), no anonymous users, no test database; then the
	# optional database and user.
	local root_pw setup
	root_pw=$(sql_string "$MYSQL_ROOT_PASSWORD")
	setup="SET autocommit = 1;
		DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost'));
		FLUSH PRIVILEGES;
		ALTER USER 'root'@'localhost' IDENTIFIED BY $root_pw;
		GRANT ALL ON *.* TO 'root'@'localhost' WITH GRANT OPTION;"
	if [ "$MYSQL_ROOT_HOST" != localhost ]; then
		setup+="
		CREATE USER 'root'@$(sql_string "$MYSQL_ROOT_HOST") IDENTIFIED BY $root_pw;
		GRANT ALL ON *.* TO 'root'@$(sql_string "$MYSQL_ROOT_HOST") WITH GRANT OPTION;"
	fi
	setup+="
		DROP DATABASE IF EXISTS test;"
	if [ -n "$MYSQL_DATABASE" ]; then
		echo "Creating database $MYSQL_DATABASE"
		setup+="
		CREATE DATABASE IF NOT EXISTS $(sql_name "$MYSQL_DATABASE");"
	fi
	if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
		echo "Creating user $MYSQL_USER"
		setup+="
		CREATE USER $(sql_string "$MYSQL_USER")@'%' IDENTIFIED BY $(sql_string "$MYSQL_PASSWORD");"
		if [ -n "$MYSQL_DATABASE" ]; then
			setup+="
		GRANT ALL ON $(sql_name "$MYSQL_DATABASE").* TO $(sql_string "$MYSQL_USER")@'%';"
		fi
	fi
	setup+="
		FLUSH PRIVILEGES;"
	sql --database=mysql <<<"$setup"
	ROOT_PASSWORD_SET=1

	local f db=()
	if [ -n "$MYSQL_DATABASE" ]; then db=(--database="$MYSQL_DATABASE"); fi
	for f in /docker-entrypoint-initdb.d/*; do
		# shellcheck disable=SC1090 # init scripts are the user's
		case "$f" in
		*.sh) echo "$0: running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
		*.sql) echo "$0: running $f"; sql "${db[@]}" <"$f" ;;
		*) [ -e "$f" ] && echo "$0: ignoring $f" ;;
		esac
	done

	# SIGTERM is mysqld's clean shutdown (as mysqladmin shutdown would do).
	kill -TERM "$pid"
	wait "$pid" || true
	echo "MySQL init process done. Ready for start up."
}

if [ "$1" = mysqld ] && [ "$(id -u)" = 0 ]; then
	own_dir mysql /var/lib/mysql /run/mysqld
	exec_as mysql "${BASH_SOURCE[0]}" "$@"
fi

if [ "$1" = mysqld ] && [ ! -d /var/lib/mysql/mysql ]; then
	init_database "$@"
fi

exec "$@"
