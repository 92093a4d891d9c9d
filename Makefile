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
PROFILE         ?= rfc,dynatrace,idp
READ_ONLY       ?=
SCHEMA          ?= dynatrace
# The embedded mock's rules: dynatrace, or rfc (a plain SCIM 2.0 server).
RULES           ?= dynatrace
REPORT_DIR      ?= reports/out
GINKGO_FLAGS    ?= -p
# A target started from an image through testcontainers-go (see conformance).
TARGET_IMAGE    ?=
TARGET_PORT     ?= 8080
TARGET_PATH     ?=
# Space-separated KEY=value pairs for the target container's environment.
TARGET_ENV      ?=
# The target's name in the reports; no "/" (the report command takes name=path).
TARGET_LABEL    ?=

# The mock's image (make image); needs a Docker engine, no registry.
IMAGE           ?= scimconf/mock:dev

# The container tests remove their own containers; testcontainers' reaper
# is itself an image, which a machine without a registry cannot pull.
export TESTCONTAINERS_RYUK_DISABLED ?= true

comma := ,
SUITES = $(addprefix ./suites/,$(subst $(comma), ,$(PROFILE)))

.PHONY: all build run test vet bench fuzz conformance image sensitivity tolerance interop clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/scimconf

## run: start the mock SCIM server on loopback and print its URL and token
run: build
	./$(BIN) serve $(ARGS)

## test: everything CI runs: vet, unit tests with the race detector (fuzz seed
## corpora included), the conformance suites against the embedded mock with
## both schema sets, the rfc suite against --rules rfc with both schema sets,
## and a sample of the sensitivity matrix that changes with the commit (the
## full matrix: make sensitivity)
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	SCIMCONF_SCHEMA=full $(GO) test -count=1 ./suites/...
	SCIMCONF_RULES=rfc $(GO) test -count=1 ./suites/rfc
	SCIMCONF_RULES=rfc SCIMCONF_SCHEMA=full $(GO) test -count=1 ./suites/rfc
	$(GO) run ./cmd/scimconf sensitivity --sample 12 --seed "$$(git rev-parse HEAD 2>/dev/null || echo local)"

## image: the mock as a container image: a static binary built here, copied
## onto scratch, so no base image is pulled
image:
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -tags scimconf_nocontainer -ldflags='-s -w' -o bin/scimconf-linux ./cmd/scimconf
	docker build -t $(IMAGE) .

ifneq ($(TARGET_IMAGE),)
## conformance with TARGET_IMAGE: start the image through testcontainers-go
## (scimconf container-run), run this target against it with the mapped URL,
## keep its log as REPORT_DIR/target.log and remove it. Without TOKEN the
## target must print SCIM_TOKEN=... (scimconf's mock does).
conformance: build
	@mkdir -p $(REPORT_DIR)
	@./$(BIN) container-run --image '$(TARGET_IMAGE)' --port '$(TARGET_PORT)' --path '$(TARGET_PATH)' \
		--token '$(TOKEN)' --report-dir '$(REPORT_DIR)' $(foreach e,$(TARGET_ENV),--env '$(e)') -- \
		sh -c '$(MAKE) conformance TARGET_IMAGE= TARGET="$$SCIM_BASE_URL" TOKEN="$$SCIM_TOKEN" \
			VERIFIED_DOMAIN="$$VERIFIED_DOMAIN" ADMIN_URL="$$ADMIN_URL" ADMIN_TOKEN="$$ADMIN_TOKEN" \
			TARGET_LABEL=$(notdir $(TARGET_IMAGE))'
else
## conformance: run the suites against TARGET (default: the embedded mock) and
## write junit.xml, report.json, report.md and report.html to REPORT_DIR
conformance:
	$(GO) run ./cmd/scimconf conformance --target='$(TARGET)' --token='$(TOKEN)' \
		--verified-domain='$(VERIFIED_DOMAIN)' --unverified-domain='$(UNVERIFIED_DOMAIN)' \
		--admin-url='$(ADMIN_URL)' --admin-token='$(ADMIN_TOKEN)' --profile='$(PROFILE)' \
		--read-only='$(if $(READ_ONLY),$(READ_ONLY),false)' --schema='$(SCHEMA)' --rules='$(RULES)' --out='$(REPORT_DIR)' \
		--name='$(TARGET_LABEL)'
endif

## sensitivity: prove every rule both ways: the suites pass on the embedded
## mock, and fail with each of the mock's violation switches on (one fresh
## mock per run, two switches at a time); prints the kill matrix and fails on
## a switch no spec catches, a rule without a switch, or an undeclared
## failure. SENSITIVITY_FLAGS: e.g. --switches ignore-if-match, or CI's
## sample --sample 8 --seed $$(git rev-parse HEAD)
SENSITIVITY_FLAGS ?=
sensitivity:
	$(GO) run ./cmd/scimconf sensitivity $(SENSITIVITY_FLAGS)

## tolerance: prove no rule fails a permitted choice: the rfc suite against
## the embedded mock with each variant switch on alone and with all
## compatible variants at once, under --rules rfc and dynatrace; prints the
## matrix, writes reports/out/tolerance.md, and fails on a failure that is
## neither a finding the variant declares (catalogue/variants.go) nor known
## harness work (tolerance/pending.go). TOLERANCE_FLAGS: e.g. --variants
## eq-only-filters,no-etags
TOLERANCE_FLAGS ?=
tolerance:
	$(GO) run ./cmd/scimconf tolerance $(TOLERANCE_FLAGS)

## interop: build and start each third-party SCIM server under interop/ (Go
## and Node; node and npm must be installed) on loopback, run the rfc profile
## against it, and fail when the specs that fail differ from the server's
## interop/<server>/expectations.json; writes interop/MATRIX.md and the
## reports under interop/out/<server>/. INTEROP_FLAGS: e.g. -servers elimity,
## or -update to record new failures as unclassified (see interop/README.md)
INTEROP_FLAGS ?=
interop:
	$(GO) -C interop/runner run . $(INTEROP_FLAGS)

## bench: benchmarks of the protocol core, the store, the DNS mock and the account model; load figures and the live heap per stored user
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./server/... ./dnsmock/...
	$(GO) run ./cmd/scimconf bench $(if $(TARGET),--target='$(TARGET)' --token='$(TOKEN)' --verified-domain='$(VERIFIED_DOMAIN)')

## fuzz: run each fuzz target for FUZZTIME (default 30s)
FUZZTIME ?= 30s
fuzz:
	@for p in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
			echo "== $$t ($$p)"; \
			$(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$p || exit 1; \
		done; \
	done

clean:
	rm -rf bin reports/out interop/out
