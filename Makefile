# The two commands of the README's quick start, and the steps they are made of.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release -DFLOWWEAVER_WERROR=ON

.PHONY: all setup configure build run test bench package format clean

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

# Times whole runs against raw SQLite and make -j2, then the micro-benchmarks; about ten
# minutes. Not part of `test`. Method and figures: docs/BENCHMARKS.md.
bench: build
	bench/run.sh $(BUILD_DIR)

# The Debian package, $(BUILD_DIR)/flowweaver_<version>_<arch>.deb (README: "Install the package").
package: build
	cd $(BUILD_DIR) && cpack -G DEB

format:
	@git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
