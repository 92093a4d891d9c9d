# scimconf: see README.md. Every target needs only Go; tools are pinned in
# go.mod (`tool` lines) and run with `go tool`.

GO      ?= go
BIN     := bin/scimconf
ARGS    ?=

# Conformance target (empty TARGET: the embedded mock, started in-process).
TARGET          ?=
TOKEN           ?=
VERIFIED_DOMAIN ?=
UNVERIFIED_DOMAIN ?=
ADMIN_URL       ?=
ADMIN_TOKEN     ?=
PROFILE         ?= rfc,dynatrace
READ_ONLY       ?=
SCHEMA          ?= dynatrace
REPORT_DIR      ?= reports/out
GINKGO_FLAGS    ?= -p

comma := ,
SUITES = $(addprefix ./suites/,$(subst $(comma), ,$(PROFILE)))

.PHONY: all build run test vet bench fuzz conformance clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/scimconf

## run: start the mock SCIM server on loopback and print its URL and token
run: build
	./$(BIN) serve $(ARGS)

## test: everything CI runs: vet, unit tests with the race detector (fuzz seed
## corpora included), the conformance suites against the embedded mock with
## both schema sets
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	SCIMCONF_SCHEMA=full $(GO) test -count=1 ./suites/...

## conformance: run the suites against TARGET (default: the embedded mock) and
## write junit.xml, report.json, report.md and report.html to REPORT_DIR
conformance:
	@mkdir -p $(REPORT_DIR)
	SCIM_BASE_URL='$(TARGET)' SCIM_TOKEN='$(TOKEN)' VERIFIED_DOMAIN='$(VERIFIED_DOMAIN)' \
	UNVERIFIED_DOMAIN='$(UNVERIFIED_DOMAIN)' ADMIN_URL='$(ADMIN_URL)' ADMIN_TOKEN='$(ADMIN_TOKEN)' \
	READ_ONLY='$(READ_ONLY)' SCIMCONF_SCHEMA='$(SCHEMA)' \
	$(GO) tool ginkgo $(GINKGO_FLAGS) --keep-going --json-report=report.json --junit-report=junit.xml \
		--output-dir=$(REPORT_DIR) $(SUITES); \
	status=$$?; $(GO) run ./cmd/scimconf report --out $(REPORT_DIR) "$(if $(TARGET),$(TARGET),embedded mock)=$(REPORT_DIR)/report.json" || status=1; exit $$status

## bench: benchmarks of the protocol core, the store, the DNS mock and the account model
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./server/... ./dnsmock/...

## fuzz: run each fuzz target for FUZZTIME (default 30s)
FUZZTIME ?= 30s
fuzz:
	@for t in "FuzzParse ./server/filter" "FuzzParsePath ./server/filter" "FuzzApply ./server/patch" \
		"FuzzNew ./server/projection" "FuzzRequests ./server/mgmt" "FuzzTXTRoundTrip ./dnsmock" \
		"FuzzAuthenticate ./server/account" "FuzzSCIM ./server"; do \
		set -- $$t; echo "== $$1 ($$2)"; \
		$(GO) test -run='^$$' -fuzz="^$$1$$" -fuzztime=$(FUZZTIME) $$2 || exit 1; \
	done

clean:
	rm -rf bin reports/out
