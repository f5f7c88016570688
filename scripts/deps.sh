# scripts/deps.sh - Debian packages the project needs; sourced, not run.
#
# cm_deps_install GROUP...: installs whatever is missing of the groups
# (build, relay) with apt-get, idempotently: nothing is downloaded when
# everything is present. Needs root (or sudo) only when something is
# missing.

CM_DEPS_build="gcc make autoconf automake libtool pkg-config libsqlite3-dev
sqlite3 libglib2.0-dev libcmocka-dev libmilter-dev dovecot-dev clang
libclang-rt-14-dev postfix swaks dovecot-core dovecot-imapd dovecot-lmtpd
gnupg"
CM_DEPS_relay="postfix dovecot-core dovecot-imapd dovecot-lmtpd swaks gnupg"

cm_deps_missing() {
	local group pkg
	for group in "$@"; do
		eval "set -- \$CM_DEPS_$group"
		for pkg in "$@"; do
			dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null \
			    | grep -q '^install ok installed$' || echo "$pkg"
		done
	done
}

cm_deps_install() {
	local missing sudo="" log
	missing=$(cm_deps_missing "$@" | sort -u | tr '\n' ' ')
	[ -n "${missing// }" ] || return 0
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo="sudo"
		else
			echo "missing Debian packages: $missing" >&2
			echo "install them as root: apt-get install $missing" >&2
			return 1
		fi
	fi
	log=$(mktemp /tmp/cm-apt.XXXXXX)
	echo "deps: installing $missing(log: $log)"
	if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
	       $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	           --no-install-recommends $missing; } >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		echo "deps: apt-get failed; see $log" >&2
		return 1
	fi
}
