# The two commands: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
PORT ?= 8000

.PHONY: run test bootstrap build build-asan build-fuzz test-release test-asan fuzz fuzz-smoke format check-format clean

run: bootstrap build
	@if [ -x build/bin/switchboard ]; then exec build/bin/switchboard serve --port $(PORT); \
	 else exec build/bin/broadcast --port $(PORT); fi

test: bootstrap check-format test-release test-asan fuzz-smoke
	@echo "make test: all suites passed"

bootstrap:
	@scripts/bootstrap

build/build.ninja:
	cmake --preset release >/dev/null

build: build/build.ninja
	cmake --build --preset release -j $(JOBS)

build/asan/build.ninja:
	cmake --preset asan >/dev/null

build-asan: build/asan/build.ninja
	cmake --build --preset asan -j $(JOBS)

build/fuzz/build.ninja:
	cmake --preset fuzz >/dev/null

build-fuzz: build/fuzz/build.ninja
	cmake --build --preset fuzz -j $(JOBS)

test-release: build
	ctest --preset release -j $(JOBS)

test-asan: build-asan
	ctest --preset asan -j $(JOBS)

# Every fuzzer briefly (CI); `make fuzz` runs each for FUZZ_SECONDS (60 by default).
fuzz-smoke: build-fuzz
	@scripts/fuzz 5

FUZZ_SECONDS ?= 60
fuzz: bootstrap build-fuzz
	@scripts/fuzz $(FUZZ_SECONDS)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format-14 -i

check-format:
	@files=$$(git ls-files '*.cpp' '*.hpp'); \
	 if [ -n "$$files" ]; then clang-format-14 --dry-run --Werror $$files; fi

clean:
	rm -rf build
