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
# Empty: rfc against a TARGET, all three profiles against the embedded mock.
PROFILE         ?=
READ_ONLY       ?=
SCHEMA          ?= dynatrace
# The embedded mock's rules: dynatrace, or rfc (a plain SCIM 2.0 server).
RULES           ?= dynatrace
REPORT_DIR      ?= reports/out
LABEL_FILTER    ?=
# How make test runs the suites under the Ginkgo CLI (parallel processes).
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

.PHONY: all build run test vet bench fuzz conformance image sensitivity interop clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/scimconf

## run: start the mock SCIM server on loopback and print its URL and token
run: build
	./$(BIN) serve $(ARGS)

## test: everything CI runs: vet, unit tests with the race detector (fuzz seed
## corpora included; they run the binary's conformance command against a
## separate mock), the suites as users run them: the binary against the
## embedded mock with the full schema set, and Ginkgo's parallel processes
## (GINKGO_FLAGS) with both schema sets and against --rules rfc; and a sample
## of the sensitivity matrix that changes with the commit (the full matrix:
## make sensitivity)
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	$(GO) run ./cmd/scimconf conformance --schema=full --out="$${TMPDIR:-/tmp}/scimconf-test-conformance"
	$(GO) tool ginkgo $(GINKGO_FLAGS) --no-color --silence-skips ./suites/rfc ./suites/dynatrace ./suites/idp
	SCIMCONF_SCHEMA=full $(GO) tool ginkgo $(GINKGO_FLAGS) --no-color --silence-skips ./suites/rfc ./suites/dynatrace ./suites/idp
	SCIMCONF_RULES=rfc $(GO) tool ginkgo $(GINKGO_FLAGS) --no-color --silence-skips ./suites/rfc
	SCIMCONF_RULES=rfc SCIMCONF_SCHEMA=full $(GO) tool ginkgo $(GINKGO_FLAGS) --no-color --silence-skips ./suites/rfc
	$(GO) run ./cmd/scimconf sensitivity --sample 12 --seed "$$(git rev-parse HEAD 2>/dev/null || echo local)"

## image: the mock as a container image: a static binary built here, copied
## onto scratch, so no base image is pulled
image:
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -tags scimconf_nocontainer -ldflags='-s -w' -o bin/scimconf-linux ./cmd/scimconf
	docker build -t $(IMAGE) .

# Tokens reach the harness through the environment, never its command
# line (which make echoes and the process list shows).
conformance: export SCIM_TOKEN := $(or $(TOKEN),$(SCIM_TOKEN))
conformance: export ADMIN_TOKEN := $(ADMIN_TOKEN)
conformance: export TOKEN := $(TOKEN)

ifneq ($(TARGET_IMAGE),)
## conformance with TARGET_IMAGE: start the image through testcontainers-go
## (scimconf container-run), run this target against it with the mapped URL,
## keep its log as REPORT_DIR/target.log and remove it. Without TOKEN the
## target must print SCIM_TOKEN=... (scimconf's mock does).
conformance: build
	@mkdir -p $(REPORT_DIR)
	@./$(BIN) container-run --image '$(TARGET_IMAGE)' --port '$(TARGET_PORT)' --path '$(TARGET_PATH)' \
		--report-dir '$(REPORT_DIR)' $(foreach e,$(TARGET_ENV),--env '$(e)') -- \
		sh -c '$(MAKE) conformance TARGET_IMAGE= TARGET="$$SCIM_BASE_URL" \
			VERIFIED_DOMAIN="$$VERIFIED_DOMAIN" ADMIN_URL="$$ADMIN_URL" \
			TARGET_LABEL=$(notdir $(TARGET_IMAGE))'
else
## conformance: run the suites (compiled into scimconf, in one process)
## against TARGET (default: the embedded mock) and write junit.xml,
## report.json, report.md and report.html to REPORT_DIR; TOKEN and
## ADMIN_TOKEN go through the environment
conformance:
	$(GO) run ./cmd/scimconf conformance --target='$(TARGET)' \
		--verified-domain='$(VERIFIED_DOMAIN)' --unverified-domain='$(UNVERIFIED_DOMAIN)' \
		--admin-url='$(ADMIN_URL)' --profile='$(PROFILE)' --label-filter='$(LABEL_FILTER)' \
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
