# Lobby: terminal chat over STOMP-over-SockJS.
# `make run` starts the server (SQLite default); `make client` opens the terminal client;
# `make test` installs what tests need and runs them all.

SWIFT        ?= swift
SWIFTFLAGS   ?=
FUZZ_SECONDS ?= 60
BUILD_DIR    ?= .build
VENV         ?= .venv
PORT         ?= 8080
DATABASE     ?= lobby.sqlite
APT_PACKAGES := libncurses-dev libicu-dev pkg-config tmux sqlite3 procps node-sockjs-client postgresql nginx openssl
PY_PACKAGES  := pytest==9.0.3 stomp.py==8.2.0 websocket-client==1.8.0 prometheus-client==0.26.0
# Autobahn|Testsuite runs only under Python 2.7: pyenv's 2.7.18 on these machines.
PYTHON2      ?= /root/.pyenv/versions/2.7.18/bin/python
AUTOBAHN_DIR ?= .autobahn

.PHONY: all build build-tests test lint format ci run cluster client bench bench-compare bench-cluster screenshot clean deps deps-apt deps-py deps-browser deps-autobahn conformance fuzz install uninstall

all: build

## deps: install (only when missing) every Debian and PyPI package the build and tests need.
deps: deps-apt deps-py deps-browser deps-autobahn

deps-apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "deps: installing$$missing"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

deps-py: $(VENV)/.installed

$(VENV)/.installed: Makefile
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check $(PY_PACKAGES)
	touch $@

## deps-autobahn: Autobahn|Testsuite (pinned in scripts/autobahn/requirements.txt) into $(AUTOBAHN_DIR)/
## for Python 2.7; scripts/autobahn/wstest.py loads it from there.
deps-autobahn: $(AUTOBAHN_DIR)/.installed

$(AUTOBAHN_DIR)/.installed: scripts/autobahn/requirements.txt
	rm -rf $(AUTOBAHN_DIR)
	$(PYTHON2) -m pip install -q --disable-pip-version-check --no-warn-script-location \
	    --target $(AUTOBAHN_DIR) -r scripts/autobahn/requirements.txt
	touch $@

## deps-browser: Chromium + chromedriver, Debian's sockjs-client, selenium in .venv.
deps-browser: deps-py
	VENV=$(VENV) scripts/deps-browser.sh

build: deps-apt
	$(SWIFT) build --build-path $(BUILD_DIR) $(SWIFTFLAGS)

build-tests: deps-apt
	$(SWIFT) build --build-path $(BUILD_DIR) --build-tests $(SWIFTFLAGS)

## test: Swift unit + loopback integration tests, then end-to-end tests (Python clients, tmux),
## with a private PostgreSQL (LOBBY_TEST_POSTGRES_URL) started before and stopped after, even on failure.
test: deps build-tests
	scripts/postgres-private.sh run sh -c '$(SWIFT) test --build-path $(BUILD_DIR) --skip-build $(SWIFTFLAGS) \
	    && LOBBY_BIN=$(BUILD_DIR)/debug PYTHON2=$(PYTHON2) AUTOBAHN_DIR=$(abspath $(AUTOBAHN_DIR)) \
	    $(VENV)/bin/pytest -q tests'

lint:
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests

format:
	$(SWIFT) format format --in-place --recursive --parallel Package.swift Sources Tests

ci: lint
	$(MAKE) test SWIFTFLAGS="-Xswiftc -warnings-as-errors"

run: build
	@echo "Starting lobby-server (SQLite at $(DATABASE))."
	@echo "Open the terminal client in another terminal with: make client"
	@echo "or the browser client at http://127.0.0.1:$(PORT)/"
	$(BUILD_DIR)/debug/lobby-server --port $(PORT) --database $(DATABASE)

## cluster: a private PostgreSQL, two lobby-server nodes and nginx on 127.0.0.1:$(PORT) in front; `make client` joins it.
cluster: deps-apt build
	BUILD_DIR=$(BUILD_DIR) CLUSTER_PORT=$(PORT) scripts/cluster.sh 2

client: build
	$(BUILD_DIR)/debug/lobby --server http://127.0.0.1:$(PORT)/connection

## screenshot: the browser client with a short conversation, for the README.
screenshot: build deps-browser
	LOBBY_BIN=$(BUILD_DIR)/debug $(VENV)/bin/python tests/browser/browser_screenshot.py docs/screenshot-browser.png

clean:
	rm -rf $(BUILD_DIR) $(VENV) $(AUTOBAHN_DIR)

## bench: release build, lobby-server with a temp database, every scenario, a Markdown table + SVG plot.
bench: deps-apt deps-py
	BUILD_DIR=$(BUILD_DIR) SWIFT=$(SWIFT) VENV_PYTHON=$(VENV)/bin/python scripts/bench.sh

## bench-cluster: two nodes on a private PostgreSQL: cross-node fan-out, chat throughput, node-lost failover.
bench-cluster: deps-apt
	BUILD_DIR=$(BUILD_DIR) SWIFT=$(SWIFT) scripts/bench-cluster.sh

## bench-compare: the same scenarios against a private RabbitMQ Web-STOMP node, with ratios.
bench-compare: deps-apt
	BUILD_DIR=$(BUILD_DIR) SWIFT=$(SWIFT) scripts/bench-compare.sh

## conformance: Autobahn|Testsuite (WebSocket cases 1–7, 9.1.1, 9.2.1, 10) against a fresh server's raw
## /echo/websocket; prints counts by behaviour and fails on any case not OK, NON-STRICT or INFORMATIONAL.
conformance: deps-py deps-autobahn build
	PYTHON2=$(PYTHON2) AUTOBAHN_DIR=$(abspath $(AUTOBAHN_DIR)) $(VENV)/bin/python scripts/autobahn/conformance.py \
	    --binary $(BUILD_DIR)/debug/lobby-server

## fuzz: libFuzzer targets in Fuzz/ (address sanitizer), FUZZ_SECONDS each on a copy of the seed corpus; not part of `make test`.
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) scripts/fuzz.sh

## install: release builds of lobby-server, lobby and lobby-bench, shell completions and a systemd unit
## under $(DESTDIR)$(PREFIX) (see scripts/install.sh); uninstall removes them.
PREFIX ?= /usr/local
install:
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) SWIFT=$(SWIFT) BUILD_DIR=$(BUILD_DIR) scripts/install.sh install

uninstall:
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) scripts/install.sh uninstall
