#!/usr/bin/env bash
# Runs every Fuzz target in the module for a budget each: a count of executions ("100000x",
# the default) or a duration ("30s", for a longer local run).
#
# CI uses counts: Go 1.26's fuzz coordinator can report a spurious "context deadline exceeded"
# when a duration budget ends while a starved worker is still running an input (go.dev/issue/75804,
# fixed in Go 1.27). A count has no deadline to race; on a busy machine it only runs slower.
# A real failure still fails the run and writes its input under testdata/fuzz/<target>/.
set -euo pipefail
t="${1:-100000x}"
cd "$(dirname "$0")/.."
# Targets whose one execution costs ~50x the others' (a kustomize build per input) run a tenth
# of a count budget, so that each target takes a few seconds.
slow=" FuzzKustomization "
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | cut -d' ' -f2); do
    budget="$t"
    if [[ "$t" == *x && "$slow" == *" $f "* ]]; then
      budget="$(( ${t%x} / 10 ))x"
    fi
    echo "fuzz $pkg $f ($budget)"
    go test -run='^$' -fuzz="^$f\$" -fuzztime="$budget" "$pkg"
  done
done
