# scimconf: see README.md. Every target needs only Go; tools are pinned in
# go.mod (`tool` lines) and run with `go tool`.

GO      ?= go
BIN     := bin/scimconf
ARGS    ?=

.PHONY: all build run test vet bench fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/scimconf

## run: start the mock SCIM server on loopback and print its URL and token
run: build
	./$(BIN) serve $(ARGS)

## test: everything CI runs (vet, unit tests with the race detector, fuzz seed corpora)
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## bench: benchmarks of the protocol core and the store
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./server/...

## fuzz: run each fuzz target for FUZZTIME (default 30s)
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME) ./server/filter
	$(GO) test -run='^$$' -fuzz=FuzzParsePath -fuzztime=$(FUZZTIME) ./server/filter

clean:
	rm -rf bin reports/out
