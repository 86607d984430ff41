# The two commands: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
PORT ?= 8000

.PHONY: run test bootstrap web build build-asan build-fuzz test-release test-asan fuzz fuzz-smoke format check-format clean

run: bootstrap build web
	exec build/bin/switchboard serve --port $(PORT) --data data --web web/dist

test: bootstrap check-format web test-release test-asan fuzz-smoke
	@echo "make test: all suites passed"

bootstrap:
	@scripts/bootstrap

# The chat UI (web/dist), rebuilt when its sources change.
web:
	@if [ -f web/package.json ]; then $(MAKE) --no-print-directory web/dist/index.html; fi

web/dist/index.html: $(shell find web/src web/index.html web/package.json web/vite.config.* -type f 2>/dev/null)
	cd web && npm run build

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
