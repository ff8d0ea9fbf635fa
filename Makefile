# hil-bench: `make bench` and `make test` install whatever is missing, then run.
# Python packages go into .venv; the cross toolchain and QEMU come from Debian's packages.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BOARD  ?= corstone300
# The HIL tests run once per board given; every QEMU board is simulated here, so CI runs them all.
HIL_BOARDS  ?= corstone300 mps2-an386 mps2-an500 mps2-an505
PYTEST_ARGS ?=
# Tests and the nightly run in parallel (pytest-xdist -n, bench --jobs): one job per core.
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)

# Debian packages: the simulated boards, the cross toolchain, clang + valgrind for the runtime's
# fuzz target and instruction-count benchmark, chromium to open the HTML report headless in a test, and
# cmake to build the firmware project `hil-bench export --project` writes (tested).
APT_PACKAGES := qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi cmake \
                clang libclang-rt-14-dev valgrind chromium

export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help install sysdeps test bench nightly clean

help:
	@echo "make test    install what is missing, then run the test suite"
	@echo "make bench   install what is missing, then run the default benchmark on BOARD=$(BOARD)"
	@echo "make nightly run the suite on every QEMU board, compare with results/baseline, append history, report, JUnit XML"
	@echo "make install only install (Python packages into $(VENV), Debian packages via apt)"
	@echo "make clean   remove build outputs and caches (keeps $(VENV))"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

sysdeps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "error: need root to run: apt-get install $(APT_PACKAGES)" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

install: $(STAMP) sysdeps

# Two pytest-xdist workers (one per core): most tests wait on a simulator or a subprocess, so this halves
# the wall time; the workers share one build and training cache (tests/conftest.py).
test: install
	$(PY) -m pytest -n $(JOBS) --dist loadfile $(addprefix --board=,$(HIL_BOARDS)) $(PYTEST_ARGS)

bench: install
	$(VENV)/bin/hil-bench bench --board $(BOARD)

nightly: install
	HIL_BENCH_FUZZ_EXAMPLES=20000 $(PY) -m pytest -q tests/test_reader_fuzz.py
	HIL_BENCH_SLOW_TESTS=1 $(PY) -m pytest -q -n $(JOBS) tests/cli/test_fits.py tests/cli/test_user_sizing.py tests/hil/test_labgrid.py $(addprefix --board=,$(HIL_BOARDS))
	$(VENV)/bin/hil-bench bench $(addprefix --board ,$(HIL_BOARDS)) --jobs $(JOBS) --history --report results/report \
	  --baseline results/baseline --junit results/junit.xml --quiet

clean:
	rm -rf build .cache .pytest_cache
