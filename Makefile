# vpnha: one command surface for building, testing and trying the project.
# `make help` lists the targets.

CARGO ?= cargo
PYTHON ?= python3
VENV ?= .venv

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-13s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build the library and the vpnha binary (release)
	$(CARGO) build --release --locked -p vpnha-cli

.PHONY: test
test: test-rust nostd test-c test-python ## Run every layer's tests (installs what it needs)

.PHONY: test-rust
test-rust: ## Rust unit, integration and doc tests; benchmarks compiled and run once
	$(CARGO) test --workspace --locked --all-targets
	$(CARGO) test --workspace --locked --doc

.PHONY: nostd
nostd: ## Build the core as no_std (flow selection only), also for a Cortex-M target when available
	$(CARGO) build --locked -p vpnha --no-default-features
	@if rustup target list --installed 2>/dev/null | grep -q thumbv7em-none-eabihf \
	   || rustup target add thumbv7em-none-eabihf >/dev/null 2>&1; then \
	  $(CARGO) build --locked -p vpnha --no-default-features --target thumbv7em-none-eabihf; \
	else \
	  echo "nostd: thumbv7em-none-eabihf is not installable here; skipped the embedded build (host no_std build passed)"; \
	fi

.PHONY: lint
lint: lint-c lint-python ## rustfmt check, clippy with warnings as errors, rustdoc with warnings as errors; header check; Python lints
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	RUSTDOCFLAGS=-Dwarnings $(CARGO) doc --workspace --no-deps --locked

.PHONY: fmt
fmt: ## Format the Rust code
	$(CARGO) fmt --all

.PHONY: demo
demo: ## Run vpnha on its built-in dual-redundancy example
	$(CARGO) run --release --locked -q -p vpnha-cli -- demo

.PHONY: bench
bench: ## Criterion benchmarks (peers side by side); figures go to benches/README.md
	$(CARGO) bench -p vpnha-benches -- --noplot

# ---- C library (bindings/c): libvpnha.a, libvpnha.so, include/vpnha.h -------------------------
# The C tests link the static library by path: with libvpnha.so beside it, -lvpnha would pick
# the shared one. They run under valgrind and ASan/UBSan too.

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
# What `make install` installs: both, static or shared.
VPNHA_LIBRARY ?= both
CC ?= cc
CXX ?= g++
C_BUILD := bindings/c/tests/build
C_TESTS := bindings/c/tests
C_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
C_MAJOR := $(word 1,$(subst ., ,$(C_VERSION)))
C_MINOR := $(word 2,$(subst ., ,$(C_VERSION)))
# The ELF soname: every 0.x minor release may break the ABI, from 1.0 only a major one.
C_SONAME := libvpnha.so.$(if $(filter 0,$(C_MAJOR)),0.$(C_MINOR),$(C_MAJOR))
# What the Rust standard library needs from the system when linked statically
# (rustc --print native-static-libs on Linux).
C_NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
C_WARN := -Wall -Wextra -Wpedantic -Werror
C_FLAGS := -std=c11 $(C_WARN) -D_POSIX_C_SOURCE=200809L -g -Iinclude -I$(C_TESTS)
CXX_FLAGS := -std=c++17 $(C_WARN) -Iinclude
C_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
C_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=posix_memalign,--wrap=aligned_alloc
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible
C_DEBUG_LIB := $(C_BUILD)/debug/libvpnha.a
C_RELEASE_LIB := target/release/libvpnha.a
# The one panic the tests force prints a line, not a backtrace.
export RUST_BACKTRACE := 0

.PHONY: c-lib
c-lib: ## Build the C library (release): target/release/libvpnha.a and libvpnha.so
	$(CARGO) build --release --locked -p vpnha-c

.PHONY: header
header: ## Regenerate include/vpnha.h with the pinned cbindgen
	VPNHA_BLESS=1 $(CARGO) test --locked -p vpnha-c --test header

.PHONY: lint-c
lint-c: ## Check include/vpnha.h is current and compiles as C11 and C++17
	$(CARGO) test --locked -p vpnha-c --test header
	@bindings/c/tests/need.sh $(CXX) g++
	$(CC) -std=c11 $(C_WARN) -fsyntax-only -x c include/vpnha.h
	$(CXX) -std=c++17 $(C_WARN) -fsyntax-only -x c++ include/vpnha.h

.PHONY: test-c
test-c: ## C API tests in C and C++: contract, golden vectors, no allocation, stack, valgrind, ASan/UBSan, example, install
	@bindings/c/tests/need.sh $(CXX) g++
	@bindings/c/tests/need.sh pkg-config pkg-config
	$(CARGO) build --locked -p vpnha-c --features test-panic
	mkdir -p $(C_BUILD)/debug
	cp target/debug/libvpnha.a $(C_DEBUG_LIB)
	$(CARGO) build --release --locked -p vpnha-c
	$(CARGO) build --locked -p vpnha-cli
	$(C_TESTS)/cli_reports.sh target/debug/vpnha $(C_BUILD)/cli examples/*.yaml
	$(CC) $(C_FLAGS) -o $(C_BUILD)/test_api $(C_TESTS)/test_api.c $(C_DEBUG_LIB) $(C_NATIVE_LIBS)
	$(CC) $(C_FLAGS) -o $(C_BUILD)/test_analysis $(C_TESTS)/test_analysis.c $(C_DEBUG_LIB) $(C_NATIVE_LIBS)
	$(CC) $(C_FLAGS) -o $(C_BUILD)/test_vectors $(C_TESTS)/test_vectors.c $(C_DEBUG_LIB) $(C_NATIVE_LIBS)
	$(CC) $(C_FLAGS) -o $(C_BUILD)/test_noalloc $(C_TESTS)/test_noalloc.c $(C_DEBUG_LIB) $(C_WRAP) $(C_NATIVE_LIBS)
	$(CC) $(C_FLAGS) -O2 -o $(C_BUILD)/test_stack $(C_TESTS)/test_stack.c $(C_RELEASE_LIB) $(C_NATIVE_LIBS)
	$(CXX) $(CXX_FLAGS) -o $(C_BUILD)/test_header $(C_TESTS)/test_header.cpp $(C_RELEASE_LIB) $(C_NATIVE_LIBS)
	$(CC) $(C_FLAGS) -O2 -o $(C_BUILD)/firmware_loop examples/c/firmware_loop.c $(C_RELEASE_LIB) $(C_NATIVE_LIBS)
	$(CC) $(C_FLAGS) -O2 -o $(C_BUILD)/site_report examples/c/site_report.c $(C_RELEASE_LIB) $(C_NATIVE_LIBS)
	$(C_BUILD)/test_api .
	$(C_BUILD)/test_analysis .
	$(C_BUILD)/test_vectors .
	$(C_BUILD)/test_noalloc .
	$(C_BUILD)/test_stack .
	$(C_BUILD)/test_header
	$(C_BUILD)/firmware_loop examples/dual-redundancy.yaml hq
	$(C_BUILD)/site_report examples/active-standby.yaml
	@status=0; bindings/c/tests/need.sh valgrind valgrind optional || status=$$?; \
	if [ $$status -eq 0 ]; then \
	  for t in test_api test_vectors test_noalloc test_analysis; do \
	    echo "valgrind (memcheck, leaks) $$t"; \
	    $(VALGRIND) $(C_BUILD)/$$t . > $(C_BUILD)/$$t.valgrind.log 2>&1 \
	      || { cat $(C_BUILD)/$$t.valgrind.log; exit 1; }; \
	    tail -n 1 $(C_BUILD)/$$t.valgrind.log; \
	  done; \
	elif [ $$status -ne 2 ]; then exit 1; fi
	$(CC) $(C_FLAGS) $(C_SAN) -o $(C_BUILD)/test_api_san $(C_TESTS)/test_api.c $(C_DEBUG_LIB) $(C_NATIVE_LIBS)
	$(CC) $(C_FLAGS) $(C_SAN) -o $(C_BUILD)/test_vectors_san $(C_TESTS)/test_vectors.c $(C_DEBUG_LIB) $(C_NATIVE_LIBS)
	$(CC) $(C_FLAGS) $(C_SAN) -o $(C_BUILD)/test_analysis_san $(C_TESTS)/test_analysis.c $(C_DEBUG_LIB) $(C_NATIVE_LIBS)
	@for t in test_api_san test_vectors_san test_analysis_san; do \
	  echo "ASan+UBSan $$t"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(C_BUILD)/$$t . > $(C_BUILD)/$$t.log 2>&1 || { cat $(C_BUILD)/$$t.log; exit 1; }; \
	  tail -n 1 $(C_BUILD)/$$t.log; \
	done
	MAKE="$(MAKE)" bindings/c/tests/test_install.sh "$(abspath $(C_BUILD))/install"

.PHONY: install
install: c-lib ## Install the C library, header and vpnha.pc under PREFIX (VPNHA_LIBRARY=both|static|shared)
	install -d "$(DESTDIR)$(PREFIX)/include" "$(DESTDIR)$(LIBDIR)/pkgconfig"
	install -m 644 include/vpnha.h "$(DESTDIR)$(PREFIX)/include/vpnha.h"
	@if [ "$(VPNHA_LIBRARY)" != shared ]; then \
	  echo "install libvpnha.a"; install -m 644 target/release/libvpnha.a "$(DESTDIR)$(LIBDIR)/libvpnha.a"; \
	fi
	@if [ "$(VPNHA_LIBRARY)" != static ]; then \
	  echo "install libvpnha.so.$(C_VERSION)"; \
	  install -m 755 target/release/libvpnha.so "$(DESTDIR)$(LIBDIR)/libvpnha.so.$(C_VERSION)"; \
	  ln -sf "libvpnha.so.$(C_VERSION)" "$(DESTDIR)$(LIBDIR)/$(C_SONAME)"; \
	  ln -sf "$(C_SONAME)" "$(DESTDIR)$(LIBDIR)/libvpnha.so"; \
	fi
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(C_VERSION)|' \
	  -e 's|@LIBS_PRIVATE@|$(C_NATIVE_LIBS)|' bindings/c/vpnha.pc.in > "$(DESTDIR)$(LIBDIR)/pkgconfig/vpnha.pc"

.PHONY: bench-c
bench-c: ## Time vpnha_ecmp_group_select from C beside EcmpGroup::select from Rust (figures for benches/README.md)
	$(CARGO) build --release --locked -p vpnha-c
	$(CARGO) build --release --locked -p vpnha-benches --example select_timing
	mkdir -p $(C_BUILD)
	$(CC) -std=c11 $(C_WARN) -D_POSIX_C_SOURCE=200809L -O2 -Iinclude -o $(C_BUILD)/select_timing benches/c/select_timing.c $(C_RELEASE_LIB) $(C_NATIVE_LIBS)
	benches/c/compare.sh $(C_BUILD)/select_timing target/release/examples/select_timing

# --- Python package --------------------------------------------------------------------
# python/vpnha plus the native module vpnha._vpnha (bindings/python, pyo3, built by
# maturin from pyproject.toml). The venv is made once and reused while
# python/requirements-dev.txt is unchanged. The wheel is built in release mode into
# dist/, installed from there into the venv, and the tests import that installed wheel.

PY := $(VENV)/bin/python
WHEEL_DIR := dist

$(VENV)/.installed: python/requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r python/requirements-dev.txt
	touch $@

.PHONY: venv
venv: $(VENV)/.installed ## Python venv with maturin, pytest, numpy, hypothesis, mypy, pandas (reused)

.PHONY: wheel
wheel: venv ## Build the Python wheel (release) and install it into the venv
	rm -rf $(WHEEL_DIR)
	$(VENV)/bin/maturin build --release --locked --quiet --out $(WHEEL_DIR)
	$(PY) -m pip install --quiet --force-reinstall --no-deps $(WHEEL_DIR)/vpnha-*.whl

.PHONY: test-python
test-python: wheel ## Python tests (pytest) against the installed wheel
	$(PY) -m pytest

.PHONY: lint-python
lint-python: wheel ## stubtest of the stubs against the built module; mypy --strict on package, examples, benchmarks, tests
	$(PY) -m mypy.stubtest vpnha._vpnha
	$(PY) -m mypy python/vpnha python/examples python/benchmarks python/tests

.PHONY: bench-python
bench-python: wheel ## Python benchmarks: select_many vs a loop of select, load + validate
	$(PY) python/benchmarks/bench.py

.PHONY: notebook
notebook: wheel ## Re-execute python/examples/quickstart.ipynb from quickstart.py (adds nbclient, ipykernel)
	$(PY) -m pip install --quiet -r python/requirements-notebook.txt
	$(PY) python/examples/build_notebook.py

.PHONY: clean
clean: ## Remove build output
	$(CARGO) clean
	rm -rf $(VENV) dist
