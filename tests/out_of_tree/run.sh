#!/usr/bin/env bash
# Proves the SDK works out of tree, the way a plugin author uses it:
#   1. `cmake --install` the FlowWeaver build into a scratch prefix;
#   2. build tests/out_of_tree/greeter against that prefix (find_package(FlowWeaverSDK));
#   3. run a manifest with the INSTALLED host, which must find builtin in its installed plugin
#      directory (FLOWWEAVER_PLUGIN_PATH unset) and greeter through --plugin-dir.
#
# usage: run.sh <flowweaver build dir> <scratch dir (emptied first)>
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <flowweaver build dir> <scratch dir>" >&2
  exit 2
fi
build_dir=$(realpath "$1")
scratch=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

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

# A build compares the file times the kernel writes with the clock it reads: under a faked clock
# (`make test-future`) its build.ninja never looks up to date. So CMake and Ninja run on the
# real clock; the installed host, which is what this test is about, still runs on the faked one.
real_clock() {
  env -u LD_PRELOAD -u FAKETIME "$@"
}

[[ -f $build_dir/CMakeCache.txt ]] || fail "$build_dir is not a CMake build directory"
case $(realpath -m "$scratch") in
  / | "$HOME" | "$build_dir") fail "refusing to empty '$scratch' as the scratch directory" ;;
esac
rm -rf "$scratch"
mkdir -p "$scratch/work"
scratch=$(realpath "$scratch")
prefix=$scratch/prefix
greeter_build=$scratch/greeter-build
unset FLOWWEAVER_PLUGIN_PATH

logged install real_clock cmake --install "$build_dir" --prefix "$prefix"

# What a plugin author and an operator need from the install: headers, the CMake package, the
# host and its default plugin directory with builtin in it. Test plugins must not be there.
for f in include/flowweaver/plugin.h include/flowweaver/sdk.hpp bin/flowweaver; do
  [[ -f $prefix/$f ]] || fail "cmake --install did not install $f"
done
sdk_dir=$(find "$prefix" -type d -path '*/cmake/FlowWeaverSDK' | head -n 1)
[[ -n $sdk_dir ]] || fail "cmake --install did not install the FlowWeaverSDK CMake package"
for f in FlowWeaverSDKConfig.cmake FlowWeaverSDKConfigVersion.cmake FlowWeaverSDKTargets.cmake \
  FlowWeaverPlugin.cmake flowweaver-plugin.map; do
  [[ -f $sdk_dir/$f ]] || fail "the FlowWeaverSDK package lacks $f (in $sdk_dir)"
done
builtin_so=$(find "$prefix" -path '*/flowweaver/plugins/builtin.so' | head -n 1)
[[ -n $builtin_so ]] || fail "cmake --install did not install builtin.so into a plugin directory"
for test_plugin in cgreet wrong_abi no_entry misbehaving bad_output; do
  if find "$prefix" -name "$test_plugin.so" | grep -q .; then
    fail "the test plugin $test_plugin.so was installed"
  fi
done

logged configure real_clock cmake -S "$here/greeter" -B "$greeter_build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror"
found_dir=$(sed -n 's/^FlowWeaverSDK_DIR:PATH=//p' "$greeter_build/CMakeCache.txt")
[[ $found_dir == "$prefix"/* ]] ||
  fail "find_package(FlowWeaverSDK) found '$found_dir', not the package installed in $prefix"
logged build real_clock cmake --build "$greeter_build"
[[ -f $greeter_build/greeter.so ]] || fail "the greeter build wrote no greeter.so"

# The version script of flowweaver_add_plugin must leave exactly one exported symbol.
exported=$(nm -D --defined-only "$greeter_build/greeter.so" | awk '{print $NF}')
[[ $exported == flowweaver_plugin_entry ]] ||
  fail "greeter.so must export only flowweaver_plugin_entry, but exports: $exported"

host=$prefix/bin/flowweaver
cat >"$scratch/work/hello.yaml" <<'EOF'
name: hello
tasks:
  - name: extract
    uses: builtin.echo
    with: {rows: 3}
  - name: greet
    uses: greeter.greet
    depends_on: [extract]
    with: {who: world}
EOF

cd "$scratch/work"
plugins=$("$host" plugins --plugin-dir "$greeter_build" 2>&1) ||
  fail "flowweaver plugins failed: $plugins"
echo "$plugins"
grep -q "^greeter 1.2.0  $greeter_build/greeter.so$" <<<"$plugins" ||
  fail "flowweaver plugins does not list greeter 1.2.0 from $greeter_build"
grep -q "^builtin [^ ]*  $prefix/" <<<"$plugins" ||
  fail "the installed host did not find builtin in its installed plugin directory under $prefix"
if grep -q "^warning:" <<<"$plugins"; then fail "flowweaver plugins warned: $plugins"; fi

logged validate "$host" validate hello.yaml --plugin-dir "$greeter_build"
logged run "$host" run hello.yaml --plugin-dir "$greeter_build"
cat "$scratch/run.log"

result=$(sqlite3 var/hello.db "SELECT result FROM tasks WHERE task_name = 'greet'")
[[ $result == *'"greeting":"hello world"'* ]] ||
  fail "the stored result of greet is '$result', expected it to contain \"hello world\""
echo "PASS: greeter built out of tree and run by the installed host: $result"

# The installed service, which runs as <libexecdir>/flowweaver/flowweaver-serve: with no
# plugin_dirs in its config it must find builtin in the installed plugin directory, and a task
# with `isolation: process` must start the installed flowweaver-task. Both are found relative to
# the running executable, which is not in <bindir> here.
serve_dir=$scratch/serve
mkdir -p "$serve_dir/workflows"
cat >"$serve_dir/workflows/isolated.yaml" <<'EOF'
name: isolated
tasks:
  - {name: hello, uses: builtin.echo, isolation: process, with: {msg: hi}}
EOF
cat >"$serve_dir/config.yaml" <<EOF
workflows_dir: $serve_dir/workflows
state_dir: $serve_dir/var
log_dir: $serve_dir/var/log
listen: 127.0.0.1:0
EOF
"$host" serve --config "$serve_dir/config.yaml" >"$scratch/serve.log" 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true' EXIT
# Waits (at most 10 s) until COMMAND succeeds.
eventually() {
  for _ in $(seq 200); do
    if "$@"; then return 0; fi
    sleep 0.05
  done
  return 1
}
served_port() { sed -n 's|.* serving .* on http://127.0.0.1:\([0-9]*\)$|\1|p' "$scratch/serve.log"; }
has_port() { [[ -n $(served_port) ]]; }
eventually has_port || fail "the service did not start: $(cat "$scratch/serve.log")"
exec 3<>"/dev/tcp/127.0.0.1/$(served_port)"
printf 'POST /api/workflows/isolated/runs HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' >&3
response=$(cat <&3)
exec 3<&-
[[ $response == "HTTP/1.1 201"* ]] || fail "starting a run answered: $response"
run_status() { sqlite3 "$serve_dir/var/isolated.db" "SELECT status FROM runs" 2>/dev/null; }
run_ended() { [[ $(run_status) == COMPLETED || $(run_status) == FAILED ]]; }
eventually run_ended || fail "the run did not end; service log: $(cat "$scratch/serve.log")"
[[ $(run_status) == COMPLETED ]] ||
  fail "the isolated run ended $(run_status): $(sqlite3 "$serve_dir/var/isolated.db" "SELECT error FROM tasks")"
grep -q "loaded plugin 'builtin' .* from $prefix/" "$scratch/serve.log" ||
  fail "the installed service did not load builtin from under $prefix: $(cat "$scratch/serve.log")"
kill "$serve_pid"
wait "$serve_pid" || true
echo "PASS: the installed service found its plugins and ran an isolated task"
