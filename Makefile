# The two commands: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
PORT ?= 8000

.PHONY: run cluster test bootstrap web build build-asan build-tsan build-fuzz test-release test-asan test-tsan fuzz fuzz-smoke micro format check-format clean

# Builds only the chat service (not the tests, examples or benchmarks), then serves it.
run: bootstrap build/build.ninja web
	cmake --build --preset release -j $(JOBS) --target switchboard
	exec build/bin/switchboard serve --port $(PORT) --data data --web web/dist

# A cluster on this machine: Redis, three `switchboard serve --redis` nodes and nginx as a
# round-robin balancer without sticky sessions, on http://localhost:8080 (deploy/,
# scripts/cluster, docs/deploy.md). Ctrl-C stops them all. Not part of `make run` or `make test`.
cluster: bootstrap build/build.ninja web
	cmake --build --preset release -j $(JOBS) --target switchboard
	exec scripts/cluster

test: bootstrap check-format web test-release test-asan test-tsan fuzz-smoke
	@echo "make test: all suites passed"

bootstrap:
	@scripts/bootstrap

# The chat UI (web/dist), rebuilt when its sources change.
web:
	@if [ -f web/package.json ]; then $(MAKE) --no-print-directory web/dist/index.html; fi

web/dist/index.html: $(shell find web/src web/index.html web/package.json web/vite.config.* -type f 2>/dev/null)
	cd web && npm run build

build/build.ninja: CMakePresets.json
	cmake --preset release >/dev/null

build: build/build.ninja
	cmake --build --preset release -j $(JOBS)

build/asan/build.ninja: CMakePresets.json
	cmake --preset asan >/dev/null

build-asan: build/asan/build.ninja
	cmake --build --preset asan -j $(JOBS)

# ThreadSanitizer: only what the suites labelled `tsan` start (the ones that cross shards).
TSAN_TARGETS := unit_net unit_log protocol_testee engineio_testee switchboard client_integration

build/tsan/build.ninja: CMakePresets.json
	cmake --preset tsan >/dev/null

build-tsan: build/tsan/build.ninja
	cmake --build --preset tsan -j $(JOBS) --target $(TSAN_TARGETS)

build/fuzz/build.ninja: CMakePresets.json
	cmake --preset fuzz >/dev/null

build-fuzz: build/fuzz/build.ninja
	cmake --build --preset fuzz -j $(JOBS)

# The release stage builds and runs what is about the optimised binaries (the browser tests,
# the package test, the benchmark smoke, the layering checks); the unit and integration suites
# run under ASan + UBSan (docs/build-time.md). `ctest --preset release-all` after `make build`
# runs everything in release.
test-release: build/build.ninja
	cmake --build --preset release -j $(JOBS) --target release_suite
	ctest --preset release -j $(JOBS)

test-asan: build-asan
	ctest --preset asan -j $(JOBS)

test-tsan: build-tsan
	ctest --preset tsan -j $(JOBS)

# Every fuzzer briefly (CI): the ones the asan build links, replaying the corpus under ASan +
# UBSan. `make fuzz` builds the coverage-instrumented fuzz preset and runs each for FUZZ_RUNS
# executions (10 million by default), merging what adds coverage into fuzz/corpus/
# (docs/fuzzing.md).
fuzz-smoke: build-asan
	@scripts/fuzz --build build/asan 5

FUZZ_RUNS ?= 10000000
fuzz: bootstrap build-fuzz
	@scripts/fuzz --runs $(FUZZ_RUNS)

# The codec micro-benchmarks (Google Benchmark, bench/micro/, per byte) in the release build;
# MICRO_ARGS passes options to them (MICRO_ARGS=--benchmark_filter=Decode). Not part of `make
# test`, whose bench smoke runs each for one iteration.
micro: build/build.ninja
	cmake --build --preset release -j $(JOBS) --target micro_bench
	build/bin/micro_bench $(MICRO_ARGS)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format-14 -i

check-format:
	@files=$$(git ls-files '*.cpp' '*.hpp'); \
	 if [ -n "$$files" ]; then clang-format-14 --dry-run --Werror $$files; fi

clean:
	rm -rf build
