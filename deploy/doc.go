// Package deploy holds what runs hoist on Kubernetes: kustomize manifests and the
// image build. It has no Go API; its tests check the manifests and the image
// against real tools and servers.
//
// A short tour:
//
//   - base/ is a kustomize base: the hoist-system Namespace (Pod Security
//     "restricted" enforced), a ServiceAccount, a hardened Deployment running
//     `hoist run --config /etc/hoist/config.yaml --state-dir /var/lib/hoist`,
//     a Service for webhooks and metrics, and the config as a generated ConfigMap.
//     Credentials come from the optional Secrets hoist-git, hoist-registry and
//     hoist-webhook, mounted as files under /etc/hoist/secrets.
//   - overlays/flux adds a Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) and
//     its GitRepository that keep base/ reconciled; overlays/argocd adds an Argo CD
//     Application (argoproj.io/v1alpha1) that does the same.
//   - components/persistent-state is a kustomize Component that moves the state
//     directory from an emptyDir to a PersistentVolumeClaim.
//   - image.sh (`make image`) builds ghcr.io/hoist-dev/hoist with crane: a static
//     binary at /hoist on an empty base, user 65532:65532, OCI labels. It pushes
//     to $IMAGE or writes an OCI layout to bin/image.
//
// The tests render every kustomization with `kubectl kustomize`, apply the base
// and the overlays (with the real Flux and Argo CD CRDs in testdata/crds) with
// `kubectl apply --dry-run=server` to an etcd and kube-apiserver they start on
// loopback, and push the image to a local distribution registry and read its
// config back with crane. A missing tool skips a test, or fails it when CI=true.
package deploy
