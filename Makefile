# Callpark: the two commands of the README, plus helpers.
#   make run   installs what is missing, builds, checks examples/contoso, then runs parkd on it
#              and parks and retrieves a call with SIPp
#   make test  installs what is missing, builds, runs the whole suite (ctest)
#   make asan  the same suite built with -fsanitize=address,undefined
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CONFIG ?= RelWithDebInfo

# Every dependency is a Debian 12 package (see ../shared/design/TOOLCHAIN.md).
DEB_PACKAGES := antlr4 libantlr4-runtime-dev uuid-dev libre2-dev pkg-config \
  nlohmann-json3-dev llvm-19-dev libzstd-dev libgtest-dev libgmock-dev libbenchmark-dev \
  sip-tester libre-dev libsndfile1-dev cmake g++ make python3 default-jre-headless git \
  clang-format

.PHONY: all deps build run test asan clean format golden-update

all: build

# Installs only what is absent, so a second run costs one dpkg-query.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(CONFIG)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

run: build
	@echo "== parkc check examples/contoso"
	@$(BUILD)/compiler/driver/parkc check examples/contoso; rc=$$?; \
	echo "== summary"; $(BUILD)/compiler/driver/parkc summary examples/contoso; \
	echo "== parkd: park and retrieve a call on examples/contoso with SIPp (loopback)"; \
	python3 tests/parkd/demo.py --parkd $(BUILD)/runtime/parkd/parkd || rc=1; exit $$rc

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCALLPARK_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS) -LE slow

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# Rewrites every golden expectation from the current build; review `git diff` afterwards.
golden-update: build
	python3 tests/golden/run.py --parkc $(BUILD)/compiler/driver/parkc --update tests/golden
