#!/usr/bin/env bash
# Installs, idempotently, a Kubernetes API server for the deploy/ tests:
#   - kube-apiserver v1.36.3 built from the Go module proxy into $TOOLS/bin (about 4 min on
#     2 cores the first time, seconds after that);
#   - etcd from the Debian package etcd-server (installed when missing and running as root);
#   - an envtest-style assets dir $TOOLS/envtest (kube-apiserver, etcd, kubectl symlinks).
# TOOLS defaults to $HOME/.cache/hoist-tools.
set -euo pipefail
TOOLS="${TOOLS:-$HOME/.cache/hoist-tools}"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$PATH" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false

K8S=v1.36.3

# etcd: the Debian package (3.4.x) is enough for kube-apiserver's storage.
if ! command -v etcd >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian package etcd-server"
    apt-get update -qq
    if [ ! -e /usr/sbin/policy-rc.d ]; then   # keep the package's service from starting
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server >/dev/null </dev/null
  else
    echo "etcd not found and cannot install etcd-server (need root and apt-get)" >&2
    exit 1
  fi
fi

# kube-apiserver: k8s.io/kubernetes has replace directives to ./staging, so it cannot be
# `go install`ed; build it from a scratch module that maps the staging modules to their tags.
build_kube_apiserver() {
  local stg="v0.${K8S#v1.}" d gomod
  d=$(mktemp -d)
  trap 'rm -rf "$d"' RETURN
  echo "building kube-apiserver $K8S into $TOOLS/bin (about 4 min)"
  gomod=$(cd "$d" && go mod download -json "k8s.io/kubernetes@$K8S" |
    python3 -c 'import json,sys;print(json.load(sys.stdin)["GoMod"])')
  {
    echo "module kas"; echo "go 1.26.0"; echo "require k8s.io/kubernetes $K8S"; echo "replace ("
    grep '=> ./staging' "$gomod" | awk -v v="$stg" '{print "\t"$1" => "$1" "v}'
    echo ")"
  } > "$d/go.mod"
  printf '//go:build tools\npackage kas\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n' > "$d/tools.go"
  (cd "$d" && go mod tidy &&
    go build -o "$TOOLS/bin/kube-apiserver.tmp" -ldflags "-X k8s.io/component-base/version.gitVersion=$K8S \
      -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${stg#v0.}" \
      k8s.io/kubernetes/cmd/kube-apiserver)
  mv "$TOOLS/bin/kube-apiserver.tmp" "$TOOLS/bin/kube-apiserver"   # never leave a half-written binary
}
[ -x "$TOOLS/bin/kube-apiserver" ] || build_kube_apiserver

# envtest assets dir, for tools that look for KUBEBUILDER_ASSETS.
mkdir -p "$TOOLS/envtest"
ln -sf "$TOOLS/bin/kube-apiserver" "$TOOLS/envtest/kube-apiserver"
ln -sf "$(command -v etcd)" "$TOOLS/envtest/etcd"
if command -v kubectl >/dev/null; then ln -sf "$(command -v kubectl)" "$TOOLS/envtest/kubectl"; fi
echo "kube ready: $("$TOOLS/bin/kube-apiserver" --version), etcd $(etcd --version | head -1 | awk '{print $3}')"
