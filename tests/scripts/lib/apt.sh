# shellcheck shell=bash
# apt.sh: sourced by the tests/scripts/install-*.sh scripts. One way to
# install Debian packages for the test suite, as root, non-interactively:
# no service a package ships is started (policy-rc.d exiting 101 while
# apt runs, any earlier policy-rc.d restored afterwards), and a dpkg lock
# held by another apt run is waited for instead of failing.
#
#   apt_install [apt-get install arguments…]
#
# The caller defines log() for its own prefix.

apt_install() {
	if [[ "$(id -u)" -ne 0 ]]; then
		log "must run as root (apt-get install)" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	local policy=/usr/sbin/policy-rc.d backup=""
	if [[ -e "$policy" ]]; then
		backup="$(mktemp /tmp/policy-rc.d.XXXXXX)"
		cp -p "$policy" "$backup"
	fi
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	local opts=(-q -o DPkg::Lock::Timeout=600) rc=0
	log "apt-get update"
	apt-get "${opts[@]}" update && {
		log "apt-get install $*"
		apt-get "${opts[@]}" install -y "$@"
	} || rc=$?
	if [[ -n "$backup" ]]; then mv -f "$backup" "$policy"; else rm -f "$policy"; fi
	return "$rc"
}
