#!/usr/bin/env bash
# Installs, idempotently, a real Gitea (v1.26.0, the last release under code.gitea.io; v1.27+
# moved to a module path the proxy does not serve) into $TOOLS/bin for the pull-request tests.
# It builds from a scratch module that copies Gitea's replace directives (about 4 min on 2 cores
# the first time, with cgo sqlite; nothing after that), and downloads Gitea's module source,
# whose options/ holds the locale files the tests point STATIC_ROOT_PATH at.
set -euo pipefail
TOOLS="${TOOLS:-$HOME/.cache/hoist-tools}"
mkdir -p "$TOOLS/bin"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
go mod download code.gitea.io/gitea@v1.26.0
[ -x "$TOOLS/bin/gitea" ] && exit 0
echo "building gitea v1.26.0 into $TOOLS/bin (a few minutes)"
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
cd "$d"
gomod=$(go mod download -json code.gitea.io/gitea@v1.26.0 | python3 -c 'import json,sys;print(json.load(sys.stdin)["GoMod"])')
{ echo "module giteabuild"; echo "go 1.26.2"; echo "require code.gitea.io/gitea v1.26.0";
  grep -E '^replace ' "$gomod" | sed 's, //.*,,'; } > go.mod
printf '//go:build tools\npackage giteabuild\nimport _ "code.gitea.io/gitea"\n' > tools.go
go mod tidy >/dev/null 2>&1
CGO_ENABLED=1 go build -tags 'sqlite sqlite_unlock_notify' -o "$TOOLS/bin/gitea.tmp" code.gitea.io/gitea
mv "$TOOLS/bin/gitea.tmp" "$TOOLS/bin/gitea"
