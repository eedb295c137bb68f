# The two commands of the README's quick start, and the steps they are made of.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release -DFLOWWEAVER_WERROR=ON
comma := ,

.PHONY: all setup configure build run test test-future test-asan test-tsan fuzz bench package format clean

all: build

setup:
	@scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS) > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Runs the example pipeline with its state under ./var/ and prints the per-task summary.
run: build
	$(BUILD_DIR)/bin/flowweaver run workflows/customer_data_etl.yaml

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 300

# The same tests with the wall clock FUTURE_OFFSET ahead (libfaketime, preloaded into every
# process the tests start): no test may depend on today's date. Only the wall clock moves: with
# the monotonic clock faked too, waits on it hang.
FUTURE_OFFSET ?= +3y
test-future: build
	cd $(BUILD_DIR) && DONT_FAKE_MONOTONIC=1 faketime -f '$(FUTURE_OFFSET)' \
	  ctest --output-on-failure -j $(JOBS) --timeout 300

# The tests again under sanitizers, each build in a directory of its own (cmake/sanitizers.cmake).
# A report fails the test that caused it; suppressions, for third-party code only, are in
# tests/sanitizers/. -O1 -g1 keeps them quick to build and run with file:line in the reports.
# No benchmarks: they time things, and the code they time is what the tests run.
SANITIZE_CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g1" \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DFLOWWEAVER_WERROR=ON -DFLOWWEAVER_BUILD_BENCH=OFF
SANITIZER_FILES := $(CURDIR)/tests/sanitizers
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1 \
  LSAN_OPTIONS=suppressions=$(SANITIZER_FILES)/lsan.supp \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1
TSAN_ENV := TSAN_OPTIONS=halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:suppressions=$(SANITIZER_FILES)/tsan.supp

# $(call sanitized_test,<build dir>,<FLOWWEAVER_SANITIZE>,<environment>)
define sanitized_test
	@cmake -S . -B $(1) -G Ninja $(SANITIZE_CMAKE_FLAGS) -DFLOWWEAVER_SANITIZE=$(2) > /dev/null
	@cmake --build $(1) -j $(JOBS)
	cd $(1) && $(3) ctest --output-on-failure -j $(JOBS) --timeout 600 --label-exclude browser
endef

test-asan: setup
	$(call sanitized_test,build-asan,address$(comma)undefined,$(ASAN_ENV))

test-tsan: setup
	$(call sanitized_test,build-tsan,thread,$(TSAN_ENV))

# Builds fuzz/ with clang and fuzzes each target for FUZZ_SECONDS; any crash, leak, timeout or
# sanitizer report fails it, leaving the input in build-fuzz/artifacts/. New inputs go to
# build-fuzz/corpus/, the seeds in fuzz/corpus/ stay as they are.
FUZZ_SECONDS ?= 60
# A fixed seed makes the CI run repeatable: what fails there failed because of a change, and
# fails again. FUZZ_SEED=0 lets libFuzzer pick one (longer, exploratory runs).
FUZZ_SEED ?= 1
FUZZ_CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g1" \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DFLOWWEAVER_WERROR=ON -DFLOWWEAVER_FUZZ=ON \
  -DFLOWWEAVER_BUILD_TESTS=OFF -DFLOWWEAVER_BUILD_BENCH=OFF
FUZZ_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

fuzz: setup
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
	  $(FUZZ_CMAKE_FLAGS) > /dev/null
	@cmake --build build-fuzz -j $(JOBS) --target manifest_fuzzer
	@mkdir -p build-fuzz/corpus/manifest build-fuzz/artifacts
	$(FUZZ_ENV) build-fuzz/bin/manifest_fuzzer build-fuzz/corpus/manifest fuzz/corpus/manifest \
	  -dict=fuzz/manifest.dict -max_total_time=$(FUZZ_SECONDS) -seed=$(FUZZ_SEED) -timeout=10 -rss_limit_mb=2048 \
	  -artifact_prefix=build-fuzz/artifacts/ -print_final_stats=1

# Times whole runs against raw SQLite and make -j2, then the micro-benchmarks; a few minutes
# on a quiet machine. Not part of `test`. Method and figures: docs/BENCHMARKS.md.
bench: build
	bench/run.sh $(BUILD_DIR)

# The Debian package, $(BUILD_DIR)/flowweaver_<version>_<arch>.deb (README: "Install the package").
package: build
	cd $(BUILD_DIR) && cpack -G DEB

format:
	@git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
