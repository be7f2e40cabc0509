# tests/lib/users.sh: local users for the tests that check who may read a sealed print (tests/cups/, tests/printer/).
# Sourced after tests/lib/env.sh; root only. The ctest entries of these tests share RESOURCE_LOCK system_accounts
# (useradd and userdel rewrite /etc/passwd and /etc/group while other servers may be looking users up).
#
#   add_local_user NAME HOME [useradd options...]  a local user with the shell nologin and, unless options are given
#                          (e.g. -N -g users), a group of its own; HOME is made (0700, theirs); a user of that name left
#                          over by a killed run is removed first
#   remove_local_users     userdel of every user added (call it from the EXIT trap)
#   assert_reads USER FILE     USER can read FILE (runuser cat gives the same bytes)
#   assert_cannot_read USER FILE  USER gets "Permission denied" reading FILE
_local_users=()

add_local_user() {
	local u=$1 home=$2
	shift 2
	if id -u "$u" >/dev/null 2>&1; then
		userdel "$u" 2>/dev/null || fail "a user $u exists and cannot be removed"
	fi
	[ $# -gt 0 ] || set -- -U
	useradd -M -d "$home" -s /usr/sbin/nologin "$@" "$u" || fail "useradd $u failed"
	_local_users+=("$u")
	install -d -m 0700 -o "$u" -g "$(id -g "$u")" "$home"
}

remove_local_users() {
	local u
	for u in "${_local_users[@]}"; do
		userdel "$u" 2>/dev/null || true
	done
	_local_users=()
}

assert_reads() {
	runuser -u "$1" -- cat "$2" | cmp -s - "$2" || fail "$1 cannot read $2"
}

assert_cannot_read() {
	local out
	if out=$(runuser -u "$1" -- cat "$2" 2>&1 >/dev/null); then
		fail "$1 can read $2"
	fi
	case $out in
	*"Permission denied"*) ;;
	*) fail "$1 reading $2: '$out', not Permission denied" ;;
	esac
}
