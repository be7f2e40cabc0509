# tests/cms/p11_logins.sh: sourced by script tests that prove a wrong PIN is tried exactly once. The key is reached
# through the fault shim (tests/cms/p11_fault.c, built as libp11fault.so), which passes every call to the real
# SoftHSM module and writes one line per C_Login to a log, so the test counts the logins the token really got.
#   logins_setup LOG         exports ESEAL_FAULT_REAL (the fixture's module) and ESEAL_FAULT_LOG=LOG (emptied)
#   logins_uri OBJECT        a pkcs11: URI for OBJECT on the eseal token, through the shim
#   logins_count LOG         how many C_Login calls the token got (0 if none)
#   assert_logins N LOG WHAT fail unless exactly N
P11FAULT=${P11FAULT:-$ESEAL_BUILD/tests/cms/libp11fault.so}
[ -f "$P11FAULT" ] || fail "the PKCS#11 fault shim $P11FAULT is not built"

logins_setup() {
	: >"$1"
	export ESEAL_FAULT_REAL=$MODULE ESEAL_FAULT_LOG=$1
}

logins_uri() {
	echo "pkcs11:token=eseal;object=$1;type=private?module-path=$P11FAULT"
}

logins_count() {
	if [ -f "$1" ]; then grep -c '^login' "$1" || true; else echo 0; fi
}

assert_logins() {
	local got
	got=$(logins_count "$2")
	[ "$got" -eq "$1" ] || fail "$3: the token got $got C_Login calls, want $1"
}
