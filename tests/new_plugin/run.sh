#!/usr/bin/env bash
# Proves that `flowweaver new-plugin` writes a plugin an outside author can build and run as
# its README says: the build is installed into a scratch prefix; then, for --lang cpp and
# --lang c, the INSTALLED flowweaver writes a plugin and the three commands of its README
# (build, deploy, run) are run exactly as written there.
#
# usage: run.sh <flowweaver build dir> <scratch dir (emptied first)>
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

# Runs a command with its output in <scratch>/<name>.log, shown only when it fails.
logged() {
  local name=$1
  shift
  echo "== $name: $*"
  if ! "$@" >"$scratch/$name.log" 2>&1; then
    cat "$scratch/$name.log" >&2
    fail "$name failed (log above, also in $scratch/$name.log)"
  fi
}

# CMake and the compilers run on the real clock (see tests/out_of_tree/run.sh: under
# `make test-future` a build never looks up to date); the installed host runs on the faked one.
real_clock() {
  env -u LD_PRELOAD -u FAKETIME "$@"
}

[[ -f $build_dir/CMakeCache.txt ]] || fail "$build_dir is not a CMake build directory"
case $(realpath -m "$scratch") in
  / | "$HOME" | "$build_dir") fail "refusing to empty '$scratch' as the scratch directory" ;;
esac
rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(realpath "$scratch")
prefix=$scratch/prefix
unset FLOWWEAVER_PLUGIN_PATH
# The README's commands call `flowweaver` and `cmake` as an author would: from the PATH.
export PATH=$prefix/bin:$PATH
# What the project's own build demands of its code, demanded of the templates too.
export CFLAGS="-Wall -Wextra -Werror" CXXFLAGS="-Wall -Wextra -Werror"

logged install real_clock cmake --install "$build_dir" --prefix "$prefix"
plugin_dir=$(dirname "$(find "$prefix" -path '*/flowweaver/plugins/builtin.so' | head -n 1)")
[[ -d $plugin_dir ]] || fail "cmake --install did not install a plugin directory"

# The commands of the README's first ```sh block, one a line.
readme_commands() {
  sed -n '/^```sh$/,/^```$/p' "$1" | sed '1d;$d' | head -n 3
}

# check_plugin LANG NAME EXPECTED: writes NAME in LANG, runs its README's commands, and expects
# EXPECTED in the stored output of its example's task.
check_plugin() {
  local lang=$1 name=$2 expected=$3
  cd "$scratch"
  logged "new-plugin-$lang" real_clock flowweaver new-plugin "$name" --lang "$lang"
  grep -q "^Created the .* plugin '$name' in $name:$" "$scratch/new-plugin-$lang.log" ||
    fail "new-plugin said: $(cat "$scratch/new-plugin-$lang.log")"
  # The installed flowweaver knows its prefix: no note about a guessed one.
  if grep -q "^note:" "$scratch/new-plugin-$lang.log"; then
    fail "the installed flowweaver did not find its own SDK: $(cat "$scratch/new-plugin-$lang.log")"
  fi
  cd "$name"
  local commands
  mapfile -t commands < <(readme_commands README.md)
  [[ ${#commands[@]} -eq 3 ]] || fail "$name/README.md has no block of three commands"
  [[ ${commands[0]} == *"-DCMAKE_PREFIX_PATH=$prefix "* ]] ||
    fail "the README's build command does not name the prefix $prefix: ${commands[0]}"
  logged "build-$lang" real_clock bash -euo pipefail -c "${commands[0]}"
  exported=$(nm -D --defined-only "build/$name.so" | awk '{print $NF}')
  [[ $exported == flowweaver_plugin_entry ]] ||
    fail "$name.so must export only flowweaver_plugin_entry, but exports: $exported"
  # Tried from its build directory, as the README suggests before deploying: its parameter is
  # declared.
  logged "describe-$lang" flowweaver plugins --describe "$name" --plugin-dir build
  grep -q "^    who (string, default \"world\"): Who to greet$" "$scratch/describe-$lang.log" ||
    fail "plugins --describe $name: $(cat "$scratch/describe-$lang.log")"
  logged "deploy-$lang" real_clock bash -euo pipefail -c "${commands[1]}"
  [[ -f $plugin_dir/$name.so ]] || fail "the deploy command did not put $name.so in $plugin_dir"
  # A second deploy replaces the file by rename (a new inode), never by writing into the one a
  # running host may have loaded; no temporary file is left.
  local inode
  inode=$(stat -c %i "$plugin_dir/$name.so")
  logged "redeploy-$lang" real_clock bash -euo pipefail -c "${commands[1]}"
  [[ $(stat -c %i "$plugin_dir/$name.so") != "$inode" ]] ||
    fail "deploying again overwrote $plugin_dir/$name.so in place"
  if ls -A "$plugin_dir" | grep -q "^\.$name"; then fail "the deploy left a temporary file"; fi
  # Found by the installed host in its own plugin directory, without --plugin-dir.
  logged "plugins-$lang" flowweaver plugins
  grep -q "^$name 0.1.0  $plugin_dir/$name.so$" "$scratch/plugins-$lang.log" ||
    fail "flowweaver plugins does not list $name from $plugin_dir: $(cat "$scratch/plugins-$lang.log")"
  logged "run-$lang" bash -euo pipefail -c "${commands[2]}"
  local result
  result=$(sqlite3 "var/${name}_example.db" "SELECT result FROM tasks WHERE task_name = 'greet'")
  [[ $result == *"$expected"* ]] ||
    fail "the stored output of $name.greet is '$result', expected it to hold $expected"
  echo "PASS: --lang $lang built, deployed and ran: $result"
}

check_plugin cpp np_cpp '"greeting":"hello FlowWeaver"'
check_plugin c np_c '"with":{"who":"FlowWeaver"}'
