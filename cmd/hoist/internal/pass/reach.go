package pass

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-dev/hoist/policy"
)

// insecureAllower is implemented by scanners that can reach a host over
// plain HTTP when a Flux ImageRepository asks for it (*registry.Scanner).
type insecureAllower interface {
	AllowInsecure(host string)
}

// dockerConfigUser is implemented by scanners that can take a host's
// credentials from a docker config file at run time (*registry.Scanner).
type dockerConfigUser interface {
	UseDockerConfig(host, path string)
}

// reachRegistries applies what Flux ImageRepositories say about reaching
// their registries: spec.insecure allows plain HTTP to that host, and a
// secretRef that secrets maps to a mounted docker config supplies the
// host's credentials. It returns a warning for each thing hoist cannot do
// the Flux way: a cloud provider's workload identity, or a Kubernetes
// secret nobody mapped.
func reachRegistries(s Scanner, ps []*policy.Policy, secrets map[string]string) []string {
	var warnings []string
	seen := map[string]bool{}
	for _, p := range ps {
		r := p.Registry
		if r.Repository == "" || seen[r.Repository] {
			continue
		}
		seen[r.Repository] = true
		if r.Insecure {
			if a, ok := s.(insecureAllower); ok {
				if ref, err := name.NewRepository(p.Image, name.WeakValidation); err == nil {
					a.AllowInsecure(ref.RegistryStr())
				}
			}
		}
		if r.Provider != "" && r.Provider != "generic" {
			warnings = append(warnings, fmt.Sprintf("ImageRepository %s: provider %s: hoist does not do %s workload identity yet; "+
				"it uses the credentials configured for %s (service config registries, docker config)", r.Repository, r.Provider, r.Provider, p.Image))
		}
		if r.SecretRef != "" && !useSecret(s, secrets[r.SecretRef], registryOf(p.Image)) {
			warnings = append(warnings, fmt.Sprintf("ImageRepository %s: secret %s is not mapped (hoist does not read Kubernetes secrets); "+
				"map it under secrets: in the service config (--secret %s=PATH) or configure %s's credentials", r.Repository, r.SecretRef, r.SecretRef, registryOf(p.Image)))
		}
		if r.CertSecretRef != "" {
			warnings = append(warnings, fmt.Sprintf("ImageRepository %s: certSecretRef %s is not read; configure a caFile for %s in the service config",
				r.Repository, r.CertSecretRef, registryOf(p.Image)))
		}
	}
	slices.Sort(warnings)
	return warnings
}

// useSecret hands the docker config mounted at where (a secret directory
// holding .dockerconfigjson, or the file itself) to the scanner as host's.
func useSecret(s Scanner, where, host string) bool {
	u, ok := s.(dockerConfigUser)
	if where == "" || !ok {
		return false
	}
	if fi, err := os.Stat(where); err == nil && fi.IsDir() {
		where = filepath.Join(where, ".dockerconfigjson")
	}
	u.UseDockerConfig(host, where)
	return true
}

func registryOf(image string) string {
	if ref, err := name.NewRepository(image, name.WeakValidation); err == nil {
		return ref.RegistryStr()
	}
	return strings.SplitN(image, "/", 2)[0]
}
