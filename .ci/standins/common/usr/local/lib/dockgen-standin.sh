# Helpers shared by the stand-in entrypoints of .ci/provision-docker (sourced
# by /usr/local/bin/docker-entrypoint.sh; see .ci/standins.md).
# shellcheck shell=bash

# file_env VAR [DEFAULT]: as in the official images, VAR may instead be given
# as VAR_FILE (a path, e.g. a Docker secret). Exports VAR; both is an error.
file_env() {
	local var=$1 def=${2:-} fvar="$1_FILE" val
	if [ -n "${!var:-}" ] && [ -n "${!fvar:-}" ]; then
		echo >&2 "error: both $var and $fvar are set (but are exclusive)"
		exit 1
	fi
	val=$def
	if [ -n "${!var:-}" ]; then
		val=${!var}
	elif [ -n "${!fvar:-}" ]; then
		val=$(<"${!fvar}")
	fi
	export "$var"="$val"
	unset "$fvar"
}

# exec_as USER CMD...: replace this process (so it keeps PID 1 and receives
# docker stop's signal) with CMD running as USER, its group and supplementary
# groups, HOME set to USER's home. The official images use gosu or su-exec;
# util-linux's setpriv does the same without a setuid helper.
exec_as() {
	local user=$1 home
	shift
	home=$(getent passwd "$user" | cut -d: -f6)
	exec env HOME="$home" setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

# own_dir USER DIR...: create DIR and give everything in it that USER does not
# own to USER (a new named volume is root-owned), like the official images'
# `find ... \! -user ... -exec chown` (which leaves correct trees untouched).
own_dir() {
	local user=$1 d
	shift
	for d in "$@"; do
		mkdir -p "$d"
		find "$d" \! -user "$user" -exec chown "$user:$user" '{}' +
	done
}
