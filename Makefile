# LedgerSync — `make demo` and `make test` work on a fresh Debian machine (they install what is missing).
SWIFT      ?= swift
PYTHON     ?= python3
CONFIG     ?= release
BIN         = .build/$(CONFIG)/ledgersync
DEMO_DIR    = out/demo

# Debian packages: header or tool that proves each is there → package name.
APT_NEEDS = /usr/include/csv.h:libcsv-dev \
            /usr/include/simdjson.h:libsimdjson-dev \
            /usr/include/xlsxwriter.h:libxlsxwriter-dev \
            /usr/include/libxml2/libxml/parser.h:libxml2-dev \
            /usr/bin/pkg-config:pkgconf \
            /usr/include/zlib.h:zlib1g-dev \
            /usr/include/*/curl/curl.h:libcurl4-openssl-dev \
            /usr/bin/jq:jq \
            /usr/bin/wrk:wrk \
            /usr/bin/soffice:libreoffice-calc-nogui
PY_NEEDS  = openpyxl stripe aiosmtpd xlsxwriter

.PHONY: all deps build demo test bench clean

all: build

deps:
	@missing=""; for pair in $(APT_NEEDS); do f=$${pair%%:*}; p=$${pair##*:}; \
	  ls $$f >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@missing=""; for m in $(PY_NEEDS); do $(PYTHON) -c "import $$m" 2>/dev/null || missing="$$missing $$m"; done; \
	if [ -n "$$missing" ]; then echo "installing Python packages:$$missing"; \
	  $(PYTHON) -m pip install -q $$missing; fi

build: deps
	$(SWIFT) build -c $(CONFIG) --product ledgersync

demo: build
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@cp samples/ledger.csv $(DEMO_DIR)/ledger.csv
	$(BIN) import --ledger $(DEMO_DIR)/ledger.csv samples/events/ ; test $$? -le 1
	$(BIN) status --ledger $(DEMO_DIR)/ledger.csv
	@echo
	@echo "Results: $(DEMO_DIR)/ledger.csv (invoices) and $(DEMO_DIR)/ledger.payments.csv (payments)."
	@echo "Try:     $(BIN) explain --ledger $(DEMO_DIR)/ledger.csv INV-2026-0007"

# Tests run one at a time: many run the binary and wait for it, and on 2 cores parallel waits starve the
# webhook server's async tests of threads (timing-dependent failures). Serial takes about two minutes.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

bench: deps
	$(SWIFT) build -c release --product ledgersync
	$(PYTHON) scripts/bench.py

clean:
	rm -rf .build out
