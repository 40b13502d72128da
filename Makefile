# opsdeck — `make demo` runs the cockpit on the embedded demo site; `make test` passes every tier.
GO      ?= go
BIN     := bin/opsdeck
PKGS    := ./...

.PHONY: all build demo test test-lab bench bench-lab bench-screen soak lint deps clean

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

# The screen as the operator sees it (issue #14): a lab of its own seeded with NODES nodes and
# PODS pods, opsdeck in tmux measured from outside (first complete screen, RSS, idle CPU, a Node
# flipped through the API → on screen, key → frame), opsdeck check and kubectl get pods -A beside
# it. The table goes to $(BENCH_STATE)/screen.md (and BENCHMARKS.md by hand).
NODES ?= 2000
PODS  ?= 42000
RUNS  ?= 3
KUBECTL := $(HOME)/.cache/opsdeck-lab/kubectl-v1.37.2
bench-screen: build
	command -v tmux >/dev/null && test -x /usr/bin/time || DEBIAN_FRONTEND=noninteractive apt-get install -y -q tmux time
	test -x $(KUBECTL) || (cd testdata/lab/tools && $(GO) build -tags tools -o $(KUBECTL) k8s.io/kubernetes/cmd/kubectl)
	testdata/lab/lab.sh down
	LAB_STATE=$(BENCH_STATE) LAB_SEED_ARGS="-nodes $(NODES) -pods $(PODS) -workers 48" testdata/lab/lab.sh up
	mkdir -p $(BENCH_STATE)-site && ln -sfn $(BENCH_STATE) $(BENCH_STATE)-site/state && cp testdata/lab/site.yaml $(BENCH_STATE)-site/site.yaml
	$(BENCH_STATE)/bin/benchscreen -opsdeck $(CURDIR)/$(BIN) -site $(BENCH_STATE)-site/site.yaml \
		-kubeconfig $(BENCH_STATE)/kube/admin.kubeconfig,$(BENCH_STATE)/kube/business-admin.kubeconfig -kubectl $(KUBECTL) -runs $(RUNS) | tee $(BENCH_STATE)/screen.md
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
