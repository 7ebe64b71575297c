# hoist: `make demo` and `make test` are the whole set-up on a fresh machine.
export GOTOOLCHAIN := local
export GOFLAGS := -buildvcs=false
TOOLS ?= $(CURDIR)/.tools
export TOOLS
export PATH := $(TOOLS)/bin:$(PATH)
GO ?= go
FUZZTIME ?= 100000x

.PHONY: build test demo bench bench-fleet bench-rewrite fuzz lint verify tools image

build:
	$(GO) build -o bin/hoist ./cmd/hoist

# tools installs, idempotently, the test servers and linters `go install` provides (registry,
# crane, kustomize, staticcheck). kube-apiserver (for the deploy tests, a 4-minute build) comes with KUBE=1;
# without it those tests skip, except under CI=true, where .ci/run builds it.
tools:
	bash .ci/tools.sh
	if [ "$(KUBE)" = 1 ]; then bash .ci/kube.sh; fi

test: tools
	$(GO) test -race -coverprofile=cover.out ./...

demo:
	$(GO) run ./cmd/hoist demo

bench: tools
	$(GO) test -run='^$$' -bench=. -benchmem -timeout=60m ./...

# bench-fleet runs `hoist run` at fleet scale (a benchmark, not a test): FLEET=-small for a
# quick run (500 repositories, 200,000 tags), the default is 5,000 repositories and 2,000,000 tags.
bench-fleet:
	$(GO) run ./bench/fleet $(FLEET)

# bench-rewrite runs hoist's rewriting and a flux-style kyaml setters pipeline side by side, in
# fresh child processes on copies of one generated tree (bench/fluxpeer, its own module).
bench-rewrite:
	cd bench/fluxpeer && $(GO) run . -files 10000 -count 3

# fuzz runs every fuzz target for FUZZTIME: a count of executions (CI) or a duration.
fuzz:
	bash .ci/fuzz.sh $(FUZZTIME)

lint: tools
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOARCH=386 $(GO) build ./... # 32-bit: no int overflows in constants
	staticcheck ./...

verify:
	$(GO) mod tidy && git diff --exit-code go.mod go.sum

image: tools
	bash deploy/image.sh
