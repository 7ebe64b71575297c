package pass

import (
	"context"
	"strings"
	"testing"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/demo"
	"github.com/hoist-dev/hoist/registry"
)

// TestFluxImageRepositoryFields: a Flux ImageRepository's insecure: true
// tells the scanner to allow plain HTTP to its host, and what hoist cannot
// do the Flux way (a cloud provider's identity, a Kubernetes secret) is a
// warning, not an error: the policy still updates.
func TestFluxImageRepositoryFields(t *testing.T) {
	reg := demo.StartRegistry()
	defer reg.Close()
	if err := reg.Push(context.Background(), "acme/app", "1.0.0", "1.1.0"); err != nil {
		t.Fatal(err)
	}
	img := reg.Host() + "/acme/app"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"repo.yaml": "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: app, namespace: apps}\n" +
			"spec:\n  image: " + img + "\n  insecure: true\n  provider: aws\n  secretRef: {name: regcred}\n",
		"policy.yaml": "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: app, namespace: apps}\n" +
			"spec:\n  imageRepositoryRef: {name: app}\n  policy: {semver: {range: '*'}}\n",
		"m.yaml": "image: " + img + ":1.0.0 # {\"$imagepolicy\": \"apps:app\"}\n",
	})
	sc, err := registry.New()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	rec := &recordingScanner{Scanner: sc}
	rep, err := Run(context.Background(), dir, rec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.insecure) != 1 || rec.insecure[0] != reg.Host() {
		t.Errorf("AllowInsecure calls = %v, want [%s]", rec.insecure, reg.Host())
	}
	if len(rep.Changes) != 1 || rep.Changes[0].New != img+":1.1.0" {
		t.Errorf("changes = %+v, want the marker at 1.1.0", rep.Changes)
	}
	var warnings []string
	for _, p := range rep.Problems {
		if !p.Warning {
			t.Errorf("unexpected error: %s", p)
		}
		warnings = append(warnings, p.Message)
	}
	all := strings.Join(warnings, "\n")
	for _, want := range []string{"provider aws", "secret apps/regcred is not mapped"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}

	// Mapped, the secret becomes the registry's docker config, silently.
	secretDir := t.TempDir()
	rec = &recordingScanner{Scanner: sc}
	rep, err = Run(context.Background(), dir, rec, Options{DryRun: true, Secrets: map[string]string{"apps/regcred": secretDir}})
	if err != nil {
		t.Fatal(err)
	}
	if want := [2]string{reg.Host(), secretDir + "/.dockerconfigjson"}; len(rec.dockerConfigs) != 1 || rec.dockerConfigs[0] != want {
		t.Errorf("UseDockerConfig calls = %v, want [%v]", rec.dockerConfigs, want)
	}
	for _, p := range rep.Problems {
		if strings.Contains(p.Message, "regcred") {
			t.Errorf("a mapped secret is still warned about: %s", p)
		}
	}
}

type recordingScanner struct {
	*registry.Scanner
	insecure      []string
	dockerConfigs [][2]string
}

func (r *recordingScanner) UseDockerConfig(host, path string) {
	r.dockerConfigs = append(r.dockerConfigs, [2]string{host, path})
	r.Scanner.UseDockerConfig(host, path)
}

func (r *recordingScanner) AllowInsecure(host string) {
	r.insecure = append(r.insecure, host)
	r.Scanner.AllowInsecure(host)
}
