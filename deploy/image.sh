#!/usr/bin/env bash
# Builds hoist's OCI image without Docker (`make image`): a static linux/amd64 binary at
# /hoist on an empty base, user 65532:65532, OCI labels, assembled with go-containerregistry's
# crane in a throwaway loopback registry (`crane registry serve`), then
#   - pushed to $IMAGE (host/repo:tag) when IMAGE is set (INSECURE=1 for a plain-HTTP registry), or
#   - written as an OCI image layout to $OUT (default bin/image) when it is not.
# Other settings (environment): PKG (default ./cmd/hoist), BINARY (a prebuilt static linux/amd64
# hoist to use instead of building PKG), VERSION (default `git describe`),
# REVISION (default `git rev-parse HEAD`), SOURCE (default https://github.com/hoist-dev/hoist).
# The image is reproducible: the same source, settings and CA bundle give the same digest.
# The last line of output is the image's digest.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${TOOLS:-$HOME/.cache/hoist-tools}"
export PATH="$TOOLS/bin:$PATH" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="${GOFLAGS:--buildvcs=false}"

IMAGE="${IMAGE:-}"
OUT="${OUT:-bin/image}"
PKG="${PKG:-./cmd/hoist}"
BINARY="${BINARY:-}"
SOURCE="${SOURCE:-https://github.com/hoist-dev/hoist}"
VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
REVISION="${REVISION:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"
EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
insecure=()
[ "${INSECURE:-0}" = 1 ] && insecure=(--insecure)

command -v crane >/dev/null || { echo "image.sh: crane not found; run make tools" >&2; exit 1; }
# crane logs every blob; keep its log and show it only when it fails.
crane() { command crane "$@" 2>>"$work/crane.log" || { cat "$work/crane.log" >&2; return 1; }; }

work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-image.XXXXXX")
stage_pid=""
cleanup() {
  if [ -n "$stage_pid" ]; then
    kill "$stage_pid" 2>/dev/null || true
    wait "$stage_pid" 2>/dev/null || true   # 143: it ended by our SIGTERM
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# rootfs builds the image's only layer in $work/layer.tar.
rootfs() {
  local root="$work/root"
  mkdir -p "$root/etc/ssl/certs" "$root/tmp"
  chmod 1777 "$root/tmp"
  if [ -n "$BINARY" ]; then
    install -m 0755 "$BINARY" "$root/hoist"
  else
    CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath \
      -ldflags "-s -w -X main.version=$VERSION" -o "$root/hoist" "$PKG"
  fi
  # An empty base has no CA roots; bring the build machine's so HTTPS to registries and git works.
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    install -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  fi
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
  chmod 0644 "$root/etc/passwd" "$root/etc/group"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$EPOCH" \
    -C "$root" -cf "$work/layer.tar" hoist etc tmp
}

# stage starts an in-memory registry on a free loopback port and sets $stage to its host:port.
stage() {
  : > "$work/stage.log"   # exists before the background job opens it, so sed can read it at once
  command crane registry serve --address 127.0.0.1:0 2> "$work/stage.log" &
  stage_pid=$!
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$work/stage.log")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "image.sh: staging registry did not start: $(cat "$work/stage.log")" >&2; exit 1; }
  stage="127.0.0.1:$port"
}

# assemble appends the layer to an empty base and sets the config; prints the staged reference.
assemble() {
  local ref="$stage/hoist:build" l
  local labels=(
    "org.opencontainers.image.source=$SOURCE"
    "org.opencontainers.image.version=$VERSION"
    "org.opencontainers.image.revision=$REVISION"
    "org.opencontainers.image.title=hoist"
    "org.opencontainers.image.description=Keeps the image references in a GitOps config repository up to date"
  )
  local args=()
  for l in "${labels[@]}"; do args+=(--label "$l" --annotation "$l"); done
  crane append --oci-empty-base -f "$work/layer.tar" -t "$ref" >/dev/null
  crane mutate "$ref" -t "$ref" --entrypoint /hoist --user 65532:65532 \
    --set-platform linux/amd64 \
    "${args[@]}" >/dev/null
  echo "$ref"
}

# Replace an earlier layout, but never a file or directory that is something else.
if [ -z "$IMAGE" ] && [ -e "$OUT" ] && [ ! -f "$OUT/oci-layout" ] && [ -n "$(ls -A "$OUT" 2>/dev/null || echo file)" ]; then
  echo "image.sh: $OUT exists and is not an OCI layout; not overwriting it" >&2; exit 1
fi
rootfs
stage
ref=$(assemble)
digest=$(crane digest "$ref")
if [ -n "$IMAGE" ]; then
  crane copy "${insecure[@]}" "$ref" "$IMAGE"
  echo "pushed $IMAGE"
else
  rm -rf "$OUT"; mkdir -p "$(dirname "$OUT")"
  crane pull --format=oci "$ref" "$OUT"
  echo "wrote OCI layout $OUT"
fi
echo "$digest"
