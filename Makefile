# scimconf: see README.md. Every target needs only Go; tools are pinned in
# go.mod (`tool` lines) and run with `go tool`.

GO      ?= go
BIN     := bin/scimconf
ARGS    ?=

# The variables below describe one run and are taken from make's command
# line only: a shell that sourced the mock's env file (set -a; . scim.env)
# exports VERIFIED_DOMAIN, ADMIN_URL and ADMIN_TOKEN, and names like TARGET,
# PROFILE or SCHEMA may be set for other tools; taken silently they would
# change what make runs. TOKEN and ADMIN_TOKEN are the exception: secrets
# may come from the environment, so they stay off command lines.
ENV_IGNORED := TARGET VERIFIED_DOMAIN UNVERIFIED_DOMAIN ADMIN_URL PROFILE READ_ONLY SCHEMA RULES \
	REPORT_DIR GINKGO_FLAGS TARGET_IMAGE TARGET_PORT TARGET_PATH TARGET_ENV TARGET_LABEL IMAGE ARGS
$(foreach v,$(ENV_IGNORED),$(if $(filter environment,$(origin $(v))),\
	$(info make: ignoring $(v) from the environment; give it on make's command line: make ... $(v)=...)\
	$(eval undefine $(v))))

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

# The image (make image): serves the mock and runs the harness; needs a
# Docker engine, no registry. mockcontainer.DefaultImage names the same tag.
IMAGE           ?= scimconf/scimconf:dev

# What `scimconf version` prints (make build, image, dist): git describe's
# version and the commit, else the binary's own build information.
SCIMCONF_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
SCIMCONF_COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS          := -X main.version=$(SCIMCONF_VERSION) -X main.commit=$(SCIMCONF_COMMIT)
# make dist: every GOOS/GOARCH pair, static (CGO_ENABLED=0).
DIST_PLATFORMS   ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

# A target's users are named on VERIFIED_DOMAIN; say so when the default is
# what a run against a foreign target gets.
ifneq ($(filter conformance,$(MAKECMDGOALS)),)
ifneq ($(TARGET),)
ifeq ($(VERIFIED_DOMAIN),)
$(info make: no VERIFIED_DOMAIN: the users the suites create are named on example.com (the default); give the target account's verified domain with VERIFIED_DOMAIN=...)
endif
endif
endif

# The container tests remove their own containers; testcontainers' reaper
# is itself an image, which a machine without a registry cannot pull.
export TESTCONTAINERS_RYUK_DISABLED ?= true

comma := ,
SUITES = $(addprefix ./suites/,$(subst $(comma), ,$(PROFILE)))

.PHONY: all build run test vet bench fuzz conformance image sensitivity tolerance interop clean dist lint reliability reliability-long

all: build

build:
	$(GO) build -ldflags='$(LDFLAGS)' -o $(BIN) ./cmd/scimconf

## run: start the mock SCIM server on loopback and print its URL and token
run: build
	./$(BIN) serve $(ARGS)

## test: everything CI runs: actionlint, vet, unit tests with the race
## detector (fuzz seed corpora and the reliability suite included; they run
## the binary's conformance command against a separate mock), the suites as
## users run them: the binary against the
## embedded mock with the full schema set, and Ginkgo's parallel processes
## (GINKGO_FLAGS) with both schema sets and against --rules rfc; and a sample
## of the sensitivity matrix that changes with the commit (the full matrix:
## make sensitivity)
test: lint
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	$(GO) run ./cmd/scimconf conformance --schema=full --out="$${TMPDIR:-/tmp}/scimconf-test-conformance"
	$(GO) tool ginkgo $(GINKGO_FLAGS) --no-color --silence-skips ./suites/rfc ./suites/dynatrace ./suites/idp
	SCIMCONF_SCHEMA=full $(GO) tool ginkgo $(GINKGO_FLAGS) --no-color --silence-skips ./suites/rfc ./suites/dynatrace ./suites/idp
	SCIMCONF_RULES=rfc $(GO) tool ginkgo $(GINKGO_FLAGS) --no-color --silence-skips ./suites/rfc
	SCIMCONF_RULES=rfc SCIMCONF_SCHEMA=full $(GO) tool ginkgo $(GINKGO_FLAGS) --no-color --silence-skips ./suites/rfc
	$(GO) run ./cmd/scimconf sensitivity --sample 12 --seed "$$(git rev-parse HEAD 2>/dev/null || echo local)"
	@# Keeping state: the embedded mock with a data directory (serve --data):
	@# every profile, the rfc rules, and a sensitivity sample of its own.
	SCIMCONF_SUITE_DATA=$${TMPDIR:-/tmp} $(GO) test -count=1 ./suites/...
	SCIMCONF_SUITE_DATA=$${TMPDIR:-/tmp} SCIMCONF_RULES=rfc $(GO) test -count=1 ./suites/rfc
	SCIMCONF_SUITE_DATA=$${TMPDIR:-/tmp} $(GO) run ./cmd/scimconf sensitivity --sample 4 --seed "data-$$(git rev-parse HEAD 2>/dev/null || echo local)"

## image: one image that serves the mock (the default command) and runs the
## harness (docker run IMAGE conformance --target ...): a static binary built
## here, copied onto scratch, so no base image is pulled
image:
	@mkdir -p bin/image-root/reports bin/image-root/tmp bin/image-root/data && chmod 0777 bin/image-root/reports bin/image-root/data && chmod 1777 bin/image-root/tmp
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -tags scimconf_nocontainer -ldflags='-s -w $(LDFLAGS)' -o bin/scimconf-linux ./cmd/scimconf
	docker build -t $(IMAGE) .

## dist: static binaries for DIST_PLATFORMS in dist/, with SHA256SUMS (not
## part of make test: six builds take minutes on two cores)
dist:
	rm -rf dist && mkdir -p dist
	@for p in $(DIST_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
		echo "== dist/scimconf-$$os-$$arch$$ext"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags='-s -w $(LDFLAGS)' \
			-o dist/scimconf-$$os-$$arch$$ext ./cmd/scimconf || exit 1; \
	done
	cd dist && if command -v sha256sum >/dev/null; then sha256sum scimconf-*; else shasum -a 256 scimconf-*; fi > SHA256SUMS
	@cat dist/SHA256SUMS

## lint: actionlint (pinned in go.mod) on the GitHub Action and the workflows
LINT_WORKFLOWS := $(wildcard .github/workflows/*.yml docs/examples/*.yml)
lint:
	$(GO) tool actionlint $(LINT_WORKFLOWS)

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

## bench: benchmarks of the protocol core, the store (in memory and with --data's SQLite, side by side: server/internal/durable), the DNS mock and the account model; load figures and the live heap per stored user
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
	rm -rf bin dist reports/out interop/out

## reliability: the reliability suite (reliability/, RELIABILITY.md) with the
## race detector: the bad-input corpus on every endpoint, racing writes,
## slow and abusive clients, an unauthenticated flood, credentials in every
## place; prints the figures. make test runs it too (go test ./...).
reliability:
	$(GO) -C reliability test -race -count=1 -timeout 5m

## reliability-long: a one-minute soak under load (not in CI): throughput,
## p99 latency, RSS and goroutines at start and end, every acknowledged
## write present afterwards (SOAK=2m for longer)
SOAK ?= 1m
reliability-long:
	SCIMCONF_SOAK=$(SOAK) $(GO) -C reliability test -count=1 -run '^TestSoak$$' -timeout 30m
