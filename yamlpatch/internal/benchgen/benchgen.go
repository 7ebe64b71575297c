package benchgen

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hoist-dev/hoist/yamlpatch"
)

// Policies is the number of policies the generated markers name.
const Policies = 20

// fileNames are the four files of each generated directory, in cycle order.
var fileNames = [4]string{"deployment.yaml", "stack.yaml", "kustomization.yaml", "values.yaml"}

// Refs returns the up-to-date reference of every policy ("apps:svc-00" …).
func Refs() map[string]yamlpatch.Ref {
	refs := make(map[string]yamlpatch.Ref, Policies)
	for i := range Policies {
		refs[policyID(i)] = yamlpatch.Ref{Name: image(i), Tag: "1.1.0", Digest: digest(i, "1.1.0")}
	}
	return refs
}

// Generate writes files files under dir (which must not exist or be empty),
// cycling through the four kinds; markedPercent of them (1 in
// 100/markedPercent) carry markers, the others are the same files without
// marker comments. It returns the number of markers written.
func Generate(dir string, files, markedPercent int) (int, error) {
	if markedPercent <= 0 || markedPercent > 100 {
		return 0, fmt.Errorf("markedPercent must be in 1..100, got %d", markedPercent)
	}
	every := 100 / markedPercent
	markers := 0
	for i := range files {
		sub := filepath.Join(dir, fmt.Sprintf("app-%05d", i/4))
		if i%4 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return 0, err
			}
		}
		text := render(i%4, i)
		if i%every == 0 {
			markers += strings.Count(text, "$imagepolicy")
		} else {
			text = stripMarkers(text)
		}
		if err := os.WriteFile(filepath.Join(sub, fileNames[i%4]), []byte(text), 0o644); err != nil {
			return 0, err
		}
	}
	return markers, nil
}

func policyID(i int) string { return fmt.Sprintf("apps:svc-%02d", i%Policies) }
func image(i int) string    { return fmt.Sprintf("registry.example.com/team/svc-%02d", i%Policies) }

func digest(i int, tag string) string {
	return fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(image(i)+":"+tag)))
}

// marker returns the marker comment for policy i and field ("" for the whole ref).
func marker(i int, field string) string {
	id := policyID(i)
	if field != "" {
		id += ":" + field
	}
	return fmt.Sprintf(` # {"$imagepolicy": "%s"}`, id)
}

func stripMarkers(text string) string {
	lines := strings.Split(text, "\n")
	for j, l := range lines {
		if k := strings.Index(l, ` # {"$imagepolicy"`); k >= 0 {
			lines[j] = l[:k]
		}
	}
	return strings.Join(lines, "\n")
}

// oldImage is the repository the generated files name: every policy's image
// has since moved, so that ":name" markers are out of date too.
func oldImage(i int) string { return fmt.Sprintf("registry.example.com/legacy/svc-%02d", i%Policies) }
