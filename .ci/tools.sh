#!/usr/bin/env bash
# Installs, idempotently, the test servers and linters that `go install` provides into $TOOLS/bin.
set -euo pipefail
TOOLS="${TOOLS:-$(cd "$(dirname "$0")/.." && pwd)/.tools}"
mkdir -p "$TOOLS/bin"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
gi() { # gi <binary> <pkg@version>
  [ -x "$TOOLS/bin/$1" ] && return 0
  echo "installing $1 ($2) into $TOOLS/bin"
  GOBIN="$TOOLS/bin" go install "$2"
}
gi crane github.com/google/go-containerregistry/cmd/crane@v0.22.1
gi registry github.com/distribution/distribution/v3/cmd/registry@v3.1.2
gi kustomize sigs.k8s.io/kustomize/kustomize/v5@v5.8.2
gi staticcheck honnef.co/go/tools/cmd/staticcheck@v0.8.2
