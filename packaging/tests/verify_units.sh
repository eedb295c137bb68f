#!/usr/bin/env bash
# Checks the systemd units as an install writes them:
#   1. `cmake --install` the build into a scratch prefix, so that the units' ExecStart= names a
#      flowweaver binary that exists (systemd-analyze verify requires that) and the config path
#      is the installed one;
#   2. `systemd-analyze verify` flowweaver.service and an instance of flowweaver@.service and
#      flowweaver@.timer: it must print nothing (warnings such as an unknown key or a bad value
#      exit 0, so its output is what counts);
#   3. `systemd-analyze security --offline` must rate the services' exposure at most 2.0, so
#      that a lost hardening line fails the test.
# Exits 77 (skipped) where systemd-analyze is missing.
#
# usage: verify_units.sh <flowweaver build dir> <scratch dir (emptied first)>
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <flowweaver build dir> <scratch dir>" >&2
  exit 2
fi
build_dir=$(realpath "$1")
scratch=$2

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
trap 'echo "FAIL: command failed (line $LINENO): $BASH_COMMAND" >&2' ERR

if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze is not installed (Debian package: systemd)"
  exit 77
fi
[[ -f $build_dir/CMakeCache.txt ]] || fail "$build_dir is not a CMake build directory"
case $(realpath -m "$scratch") in
  / | "$HOME" | "$build_dir") fail "refusing to empty '$scratch' as the scratch directory" ;;
esac
rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(realpath "$scratch")
prefix=$scratch/prefix

cmake --install "$build_dir" --prefix "$prefix" >"$scratch/install.log" 2>&1 ||
  { cat "$scratch/install.log" >&2; fail "cmake --install failed"; }

units=$prefix/lib/systemd/system
for f in flowweaver.service flowweaver@.service flowweaver@.timer; do
  [[ -f $units/$f ]] || fail "cmake --install did not install $units/$f"
done
grep -qx "ExecStart=$prefix/bin/flowweaver serve --config $prefix/etc/flowweaver/flowweaver.yaml" \
  "$units/flowweaver.service" ||
  fail "flowweaver.service does not start the installed binary with the installed config"
grep -q "^ExecStart=$prefix/bin/flowweaver run $prefix/etc/flowweaver/workflows/%i.yaml " \
  "$units/flowweaver@.service" ||
  fail "flowweaver@.service does not run the installed binary on the installed workflows"

# A template is verified through an instance; the instance's file need not exist, systemd
# loads flowweaver@.service for it from the same directory. Verifying the timer loads the
# service it starts too. systemd-analyze prints nothing for units it accepts.
verify_output=$(cd "$scratch" && systemd-analyze verify --man=no \
  "$units/flowweaver.service" "$units/flowweaver@check.service" "$units/flowweaver@check.timer" \
  2>&1) || fail "systemd-analyze verify failed: $verify_output"
[[ -z $verify_output ]] || fail "systemd-analyze verify complained: $verify_output"
echo "systemd-analyze verify: no complaint about the three units"

# Exposure 0.0 (locked down) to 10.0 (unprotected), given to --threshold times ten.
for unit in flowweaver.service flowweaver@check.service; do
  if ! rating=$(cd "$scratch" && systemd-analyze security --offline=true --threshold=20 \
    "$units/$unit" 2>&1); then
    echo "$rating" >&2
    fail "$unit is less hardened than it should be (exposure above 2.0; ratings above)"
  fi
  grep 'Overall exposure level' <<<"$rating"
done
echo "PASS: the installed units verify cleanly and are hardened"
