# SPDX-License-Identifier: Apache-2.0
# Thin wrapper over meson for the usual targets.
PREFIX ?= /usr/local
BUILD ?= build
SAN_BUILD ?= build-san
MESON_SETUP = meson setup --prefix=$(PREFIX)

.PHONY: all deps check unit integration demo bench install fuzz format clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	$(MESON_SETUP) $(BUILD)

$(SAN_BUILD)/build.ninja:
	$(MESON_SETUP) -Db_sanitize=address,undefined -Db_lundef=false $(SAN_BUILD)

deps:
	./scripts/install-deps.sh

# The README's test command: deps, -Werror builds (plain and ASan+UBSan),
# unit tests under the sanitizers, integration tests as root.
check: deps
	$(MAKE) all
	$(MAKE) $(SAN_BUILD)/build.ninja
	ninja -C $(SAN_BUILD)
	./scripts/run-tests.sh

demo: deps all
	./scripts/demo.sh

# The benchmark measures what would ship: an optimised build without debug
# info (-O3 trips -Werror=maybe-uninitialized in GCC 12, so -O2), in its own
# build directory so build/ keeps its debug info.
BENCH_BUILD ?= build-release
$(BENCH_BUILD)/build.ninja:
	$(MESON_SETUP) -Doptimization=2 -Ddebug=false -Dtests=false $(BENCH_BUILD)

bench: $(BENCH_BUILD)/build.ninja
	./scripts/install-deps.sh --bench
	ninja -C $(BENCH_BUILD) cinch
	CINCH=$(CURDIR)/$(BENCH_BUILD)/cinch ./tests/bench/run.sh

install: all
	meson install -C $(BUILD) --no-rebuild
	./scripts/install-profiles.sh "$(PREFIX)"

fuzz: deps
	./tests/fuzz/run.sh

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(BENCH_BUILD) build-fuzz
