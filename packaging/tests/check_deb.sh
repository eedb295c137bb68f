#!/usr/bin/env bash
# Builds the Debian package the way `make package` does (cpack -G DEB) into a scratch directory
# and checks it without installing it:
#   1. its files: host, SDK headers and CMake package, shipped plugins (and no test plugin),
#      units, config, nothing outside /usr and /etc, nothing in /usr/local, all root's;
#   2. its control data: name, version, dependencies (dpkg-shlibdeps ran), the config listed
#      as a conffile;
#   3. the unpacked host finds the unpacked plugins, and the packaged config is accepted by a
#      real `flowweaver serve` (its /var paths moved into the scratch directory);
#   4. the maintainer scripts: `sh -n`, shellcheck where installed, and a dry run of each with
#      every command they call replaced by a stub that only logs (PATH holds nothing else), so
#      the account, directories and systemctl calls are checked without touching this machine.
# Exits 77 (skipped) where dpkg-deb or dpkg-shlibdeps is missing.
#
# usage: check_deb.sh <flowweaver build dir> <scratch dir (emptied first)> <cpack> <version>
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 <flowweaver build dir> <scratch dir> <cpack> <version>" >&2
  exit 2
fi
build_dir=$(realpath "$1")
scratch=$2
cpack=$3
version=$4

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
trap 'echo "FAIL: command failed (line $LINENO): $BASH_COMMAND" >&2' ERR

for tool in dpkg-deb dpkg-shlibdeps; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (Debian packages: dpkg, dpkg-dev)"
    exit 77
  fi
done
[[ -f $build_dir/CPackConfig.cmake ]] || fail "$build_dir has no CPackConfig.cmake"
case $(realpath -m "$scratch") in
  / | "$HOME" | "$build_dir") fail "refusing to empty '$scratch' as the scratch directory" ;;
esac
rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(realpath "$scratch")

echo "== cpack -G DEB"
if ! "$cpack" -G DEB --config "$build_dir/CPackConfig.cmake" -B "$scratch/out" \
  >"$scratch/cpack.log" 2>&1; then
  cat "$scratch/cpack.log" >&2
  fail "cpack -G DEB failed"
fi
arch=$(dpkg --print-architecture)
deb=$scratch/out/flowweaver_${version}_${arch}.deb
[[ -f $deb ]] || fail "cpack did not write $deb: $(ls "$scratch/out")"

# --- 1. files ------------------------------------------------------------------------------
dpkg-deb --contents "$deb" >"$scratch/contents.txt"
paths=$(awk '{print $NF}' "$scratch/contents.txt" | sed 's|^\./|/|')
has() { grep -qx -- "$1" <<<"$paths"; }
for f in /usr/bin/flowweaver /usr/libexec/flowweaver/flowweaver-task \
  /usr/libexec/flowweaver/flowweaver-serve \
  /usr/include/flowweaver/plugin.h /usr/include/flowweaver/sdk.hpp \
  /usr/lib/systemd/system/flowweaver.service /usr/lib/systemd/system/flowweaver@.service \
  /usr/lib/systemd/system/flowweaver@.timer /etc/flowweaver/flowweaver.yaml \
  /etc/flowweaver/workflows/ /usr/share/doc/flowweaver/examples/hello.yaml \
  /usr/share/doc/flowweaver/README.md /usr/share/doc/flowweaver/FORMAT.md \
  /usr/share/doc/flowweaver/plugin-guide.md /usr/share/doc/flowweaver/service.md \
  /usr/share/doc/flowweaver/bad-input.md /usr/share/doc/flowweaver/BENCHMARKS.md; do
  has "$f" || fail "the package lacks $f"
done
for f in FlowWeaverSDKConfig.cmake FlowWeaverSDKConfigVersion.cmake FlowWeaverSDKTargets.cmake \
  FlowWeaverPlugin.cmake flowweaver-plugin.map; do
  grep -qx "/usr/lib/\(.*/\)\?cmake/FlowWeaverSDK/$f" <<<"$paths" ||
    fail "the package lacks the SDK's CMake file $f"
done
plugin_dir=$(grep '/flowweaver/plugins/builtin\.so$' <<<"$paths" | sed 's|/builtin\.so$||') ||
  fail "the package holds no builtin.so"
for p in etl shell; do has "$plugin_dir/$p.so" || fail "the package lacks $plugin_dir/$p.so"; done
for p in cgreet wrong_abi no_entry misbehaving bad_output throwing_registration; do
  if grep -q "/$p\.so$" <<<"$paths"; then fail "the test plugin $p.so is in the package"; fi
done
if grep -q 'test' <<<"$(grep '^/usr/bin/' <<<"$paths")"; then
  fail "a test binary is in the package: $(grep '^/usr/bin/' <<<"$paths")"
fi
outside=$(grep -v -e '^/$' -e '^/usr/' -e '^/etc/' <<<"$paths" || true)
[[ -z $outside ]] || fail "the package installs outside /usr and /etc: $outside"
if grep -q '^/usr/local/' <<<"$paths"; then fail "the package installs into /usr/local"; fi
not_root=$(awk '$2 != "root/root"' "$scratch/contents.txt")
[[ -z $not_root ]] || fail "files not owned by root/root: $not_root"
config_mode=$(awk '$NF == "./etc/flowweaver/flowweaver.yaml" {print $1}' "$scratch/contents.txt")
[[ $config_mode == -rw-r----- ]] || fail "the config is $config_mode, expected -rw-r----- (token)"

# --- 2. control data -----------------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
[[ $(field Package) == flowweaver ]] || fail "Package: is '$(field Package)'"
[[ $(field Version) == "$version" ]] || fail "Version: is '$(field Version)', expected $version"
[[ $(field Architecture) == "$arch" ]] || fail "Architecture: is '$(field Architecture)'"
depends=$(field Depends)
for d in adduser libc6 libstdc++6 libsqlite3-0 libyaml-0-2 libnettle8; do
  [[ $depends == *"$d"* ]] || fail "Depends: lacks $d (did dpkg-shlibdeps run?): $depends"
done
ctl=$scratch/control
dpkg-deb --control "$deb" "$ctl"
[[ -f $ctl/conffiles ]] || fail "the package has no conffiles"
grep -qx /etc/flowweaver/flowweaver.yaml "$ctl/conffiles" ||
  fail "/etc/flowweaver/flowweaver.yaml is not a conffile: $(cat "$ctl/conffiles")"
while read -r conffile; do
  has "$conffile" || fail "the conffile $conffile is not in the package"
done <"$ctl/conffiles"

# --- 3. the unpacked files work together ---------------------------------------------------
root=$scratch/root
dpkg-deb --extract "$deb" "$root"
units=$root/usr/lib/systemd/system
grep -qx 'ExecStart=/usr/bin/flowweaver serve --config /etc/flowweaver/flowweaver.yaml' \
  "$units/flowweaver.service" || fail "flowweaver.service does not start /usr/bin/flowweaver"
grep -q '^ExecStart=/usr/bin/flowweaver run /etc/flowweaver/workflows/%i.yaml ' \
  "$units/flowweaver@.service" || fail "flowweaver@.service does not run /etc/flowweaver/workflows"
config=$root/etc/flowweaver/flowweaver.yaml
for line in '  - /usr/local/lib/flowweaver/plugins' "  - $plugin_dir" \
  'workflows_dir: /etc/flowweaver/workflows' 'state_dir: /var/lib/flowweaver' \
  'log_dir: /var/log/flowweaver' 'listen: 127.0.0.1:8080'; do
  grep -qx -- "$line" "$config" || fail "the packaged config lacks the line '$line'"
done

# The host finds its plugins relative to its own location, so the unpacked tree must work.
listed=$("$root/usr/bin/flowweaver" plugins 2>&1) || fail "flowweaver plugins failed: $listed"
for p in builtin etl shell; do
  grep -q "^$p .*  $root$plugin_dir/$p.so$" <<<"$listed" ||
    fail "the unpacked host does not find $p in $root$plugin_dir: $listed"
done

# The packaged config, with its directories moved into the scratch directory, must start serve.
mkdir -p "$scratch/etc/workflows"
cp "$root/usr/share/doc/flowweaver/examples/hello.yaml" "$scratch/etc/workflows/"
sed -e "s|/etc/flowweaver/workflows|$scratch/etc/workflows|" \
  -e "s|/var/lib/flowweaver|$scratch/state|" -e "s|/var/log/flowweaver|$scratch/log|" \
  -e "s|^  - $plugin_dir\$|  - $root$plugin_dir|" -e "s|^listen: .*|listen: 127.0.0.1:0|" \
  "$config" >"$scratch/etc/flowweaver.yaml"
"$root/usr/bin/flowweaver" serve --config "$scratch/etc/flowweaver.yaml" \
  >"$scratch/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do
  grep -q 'serving 1 workflow(s)' "$scratch/serve.log" && break
  kill -0 "$serve_pid" 2>/dev/null || break
  sleep 0.1
done
kill -TERM "$serve_pid" 2>/dev/null || true
serve_status=0
wait "$serve_pid" || serve_status=$?
if ! grep -q 'serving 1 workflow(s)' "$scratch/serve.log" || [[ $serve_status -ne 0 ]]; then
  fail "serve did not start with the packaged config and the example, or did not stop cleanly \
(exit $serve_status): $(cat "$scratch/serve.log")"
fi
echo "the packaged config starts serve with the example workflow"

# --- 4. maintainer scripts -----------------------------------------------------------------
for script in postinst prerm postrm; do
  [[ -x $ctl/$script ]] || fail "the package has no executable $script"
  sh -n "$ctl/$script" || fail "$script: sh -n found a syntax error"
  if command -v shellcheck >/dev/null; then
    shellcheck -s sh "$ctl/$script" || fail "shellcheck complained about $script"
  fi
done

# Every command the scripts may run, as a stub that logs its arguments. getent finds the
# account only when STUB_ACCOUNT_EXISTS is set; dpkg-statoverride --list finds an override only
# when STUB_OVERRIDE_EXISTS is set.
stubs=$scratch/stubs
mkdir -p "$stubs"
cat >"$stubs/stub" <<'EOF'
#!/bin/sh
echo "${0##*/} $*" >>"$STUB_LOG"
case ${0##*/} in
  getent) [ -n "$STUB_ACCOUNT_EXISTS" ] ;;
  dpkg-statoverride) [ "$1" != --list ] || [ -n "$STUB_OVERRIDE_EXISTS" ] ;;
esac
EOF
chmod +x "$stubs/stub"
for cmd in getent addgroup adduser dpkg-statoverride chown chmod mkdir rm rmdir find systemctl; do
  ln -s stub "$stubs/$cmd"
done
log=$scratch/stub.log
# dry_run SCRIPT ARGS...: runs the packaged maintainer script with only the stubs on PATH.
dry_run() {
  local script=$1
  shift
  : >"$log"
  env -i PATH="$stubs" STUB_LOG="$log" STUB_ACCOUNT_EXISTS="${STUB_ACCOUNT_EXISTS:-}" \
    STUB_OVERRIDE_EXISTS="${STUB_OVERRIDE_EXISTS:-}" /bin/sh "$ctl/$script" "$@" ||
    fail "$script $* failed; the commands it ran: $(cat "$log")"
}
ran() { grep -qx -- "$1" "$log"; }
expect() { ran "$1" || fail "$2: expected '$1' among: $(cat "$log")"; }
refuse() { if grep -q -- "$1" "$log"; then fail "$2: unexpected '$1' among: $(cat "$log")"; fi; }
nothing_ran() { [[ ! -s $log ]] || fail "$1: expected no command, but it ran: $(cat "$log")"; }

dry_run postinst configure ""
expect 'addgroup --system --quiet flowweaver' "first install"
adduser_call='^adduser --system .*--ingroup flowweaver --home /var/lib/flowweaver --no-create-home'
grep -q "$adduser_call .* flowweaver\$" "$log" ||
  fail "first install: no adduser --system for flowweaver among: $(cat "$log")"
for dir in /var/lib/flowweaver /var/log/flowweaver; do
  expect "mkdir -p $dir" "first install"
  expect "chown flowweaver:flowweaver $dir" "first install"
  expect "chmod 0750 $dir" "first install"
done
expect 'dpkg-statoverride --quiet --update --add root flowweaver 0640 '\
'/etc/flowweaver/flowweaver.yaml' "first install"
if [[ ! -d /usr/local/lib/flowweaver/plugins ]]; then
  expect 'mkdir -p /usr/local/lib/flowweaver/plugins' "first install"
  expect 'chmod 0755 /usr/local/lib/flowweaver/plugins' "first install"
  expect 'chown root:root /usr/local/lib/flowweaver/plugins' "first install"
fi
if [[ -d /run/systemd/system ]]; then
  expect 'systemctl daemon-reload' "first install, systemd running"
  refuse 'systemctl try-restart' "first install"
else
  refuse '^systemctl' "first install without systemd"
fi

STUB_ACCOUNT_EXISTS=1 STUB_OVERRIDE_EXISTS=1 dry_run postinst configure 0.0.1
refuse '^addgroup' "upgrade"
refuse '^adduser' "upgrade"
refuse '^chown flowweaver' "upgrade with statoverrides"
refuse 'dpkg-statoverride --quiet --update' "upgrade with statoverrides"
[[ ! -d /run/systemd/system ]] || expect 'systemctl try-restart flowweaver.service' "upgrade"

dry_run prerm upgrade "$version"
nothing_ran "prerm upgrade"
dry_run prerm remove
[[ -d /run/systemd/system ]] || nothing_ran "prerm remove without systemd"

dry_run postrm remove
refuse '^rm' "postrm remove"
refuse '^rmdir' "postrm remove"
refuse '^dpkg-statoverride --quiet --remove' "postrm remove"

STUB_OVERRIDE_EXISTS=1 dry_run postrm purge
expect 'rm -rf /var/lib/flowweaver /var/log/flowweaver' "purge"
expect 'rmdir /usr/local/lib/flowweaver/plugins /usr/local/lib/flowweaver' "purge"
expect 'dpkg-statoverride --quiet --remove /etc/flowweaver/flowweaver.yaml' "purge"

echo "PASS: $(basename "$deb"): files, control data, config and maintainer scripts"
