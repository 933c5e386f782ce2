# Thin wrapper over scripts/ and CMake. `make run` and `make test` are the two commands in the README.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: all setup configure build run test sanitize fuzz stress bench lint-rules docs format clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja:
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@bash scripts/run.sh

test: build
	@bash scripts/test.sh

# The ASan + UBSan build (build-asan, clang) of the unit, lint and replay tests, and every fuzz
# target briefly (docs/fuzzing.md). Independent of `make build`.
sanitize: setup
	@bash scripts/sanitize.sh

# A fork/exec/exit storm against the agent on the full library (root; STRESS_SECONDS, default 60).
stress: build
	@python3 tests/stress/storm.py $(BUILD_DIR)/vigil . --seconds $${STRESS_SECONDS:-60}

# Every fuzz target for FUZZ_SECONDS (default 60) each, in build-asan.
fuzz: setup
	@bash scripts/fuzz.sh

bench: build
	@bash scripts/bench.sh

docs: build
	@./$(BUILD_DIR)/vigil fields --format markdown > docs/fields.md
	@python3 scripts/rules_doc.py ./$(BUILD_DIR)/vigil
	@python3 scripts/coverage_doc.py ./$(BUILD_DIR)/vigil
	@python3 scripts/make_configmap.py

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h' '*.c' | grep -v '^bpf/vmlinux.h')

clean:
	@rm -rf $(BUILD_DIR)
