package pass

import (
	"fmt"
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

// reachRegistries applies what Flux ImageRepositories say about reaching
// their registries: spec.insecure allows plain HTTP to that host. It returns
// a warning for each thing hoist cannot do the Flux way: a cloud provider's
// workload identity, or a Kubernetes secret it cannot read.
func reachRegistries(s Scanner, ps []*policy.Policy) []string {
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
		for _, ref := range []string{r.SecretRef, r.CertSecretRef} {
			if ref != "" {
				warnings = append(warnings, fmt.Sprintf("ImageRepository %s: secret %s is not read (hoist does not read Kubernetes secrets); "+
					"configure credentials for %s in the service config", r.Repository, ref, registryOf(p.Image)))
			}
		}
	}
	slices.Sort(warnings)
	return warnings
}

func registryOf(image string) string {
	if ref, err := name.NewRepository(image, name.WeakValidation); err == nil {
		return ref.RegistryStr()
	}
	return strings.SplitN(image, "/", 2)[0]
}
