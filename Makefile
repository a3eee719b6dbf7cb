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
test: test-rust nostd test-python ## Run every layer's tests (installs what it needs)

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
lint: lint-python ## rustfmt check, clippy with warnings as errors, rustdoc with warnings as errors; Python lints
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

# --- Python package --------------------------------------------------------------------
# python/vpnha plus the native module vpnha._vpnha (bindings/python, pyo3, built by
# maturin from pyproject.toml). The venv is made once and reused while
# python/requirements-dev.txt is unchanged. The wheel is built in release mode into
# target/python-wheel, installed into the venv, and the tests import that installed wheel.

PY := $(VENV)/bin/python
WHEEL_DIR := target/python-wheel

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
