# opsdeck — `make demo` runs the cockpit on the embedded demo site; `make test` passes every tier.
GO      ?= go
BIN     := bin/opsdeck
PKGS    := ./...

.PHONY: all build demo test test-lab bench bench-lab lint deps clean

all: build

deps:
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN) ./cmd/opsdeck

demo: build
	./$(BIN) --demo

# Tier 1 (unit tests on captured outputs) and tier 2 (end to end against the demo site) run as
# ordinary go tests; tier 3 brings the lab of real components up and runs the TestLab* tests
# (build tag lab) against it, one package at a time since they share the lab. The race detector
# is on because everything here is concurrent.
test: deps lint
	$(GO) test -race -count=1 $(PKGS)
	testdata/lab/test.sh

# Only the lab tier (the lab is left as it was found).
test-lab: deps
	testdata/lab/test.sh

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# Lab benchmarks: 200 real sshd hosts (one blackholed) — figures go to BENCHMARKS.md.
bench-lab: deps
	LAB_EXTRA_HOSTS=193 testdata/lab/lab.sh up
	$(GO) test -tags lab -run '^$$' -bench 'Lab' -benchtime 5x ./site/ssh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

clean:
	rm -rf bin

# The lab of real components (testdata/lab/README.md).
.PHONY: lab-install lab-up lab-down lab-status lab-clean
lab-install:
	testdata/lab/lab.sh install
lab-up:
	testdata/lab/lab.sh up
lab-down:
	testdata/lab/lab.sh down
lab-status:
	testdata/lab/lab.sh status
lab-clean:
	testdata/lab/lab.sh clean
