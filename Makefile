# opsdeck — `make demo` runs the cockpit on the embedded demo site; `make test` passes every tier.
GO      ?= go
BIN     := bin/opsdeck
PKGS    := ./...

.PHONY: all build demo test test-lab bench bench-lab soak lint deps clean

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

# Lab benchmarks (figures go to BENCHMARKS.md): 200 real sshd hosts, one blackholed; then a lab
# of its own (state in $(BENCH_STATE)) holding 5,000 nodes and 100,000 pods for the watch caches.
BENCH_STATE ?= /tmp/opsdeck-labbench
bench-lab: deps
	testdata/lab/lab.sh down
	LAB_EXTRA_HOSTS=193 testdata/lab/lab.sh up
	$(GO) test -tags lab -run '^$$' -bench 'LabHostRound' -benchtime 5x ./site/ssh
	testdata/lab/lab.sh down
	LAB_STATE=$(BENCH_STATE) LAB_SEED_ARGS="-nodes 5000 -pods 100000 -workers 48" testdata/lab/lab.sh up
	LAB_STATE=$(BENCH_STATE) $(GO) test -tags lab -run '^$$' -bench 'LabWatchSync|LabNodeFlip' -benchtime 3x ./site/kube
	LAB_STATE=$(BENCH_STATE) testdata/lab/lab.sh down

# Fault soak (not part of `make test`): `opsdeck watch` on the running lab in tmux while faults
# are injected in turn, asserted from outside; SOAK_DURATION=5m for a short run (default 20m).
soak: deps
	testdata/soak/soak.sh

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
