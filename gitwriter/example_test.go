package gitwriter_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/hoist-dev/hoist/gitwriter"
)

// A pass hands Update a function that edits the worktree; gitwriter fetches,
// commits, pushes, and redoes the edit if the remote moved meanwhile.
func ExampleRepo_Update() {
	ctx := context.Background()
	repo, err := gitwriter.Open(ctx, "ssh://git@github.com/acme/config.git",
		gitwriter.WithStateDir("/var/lib/hoist/repos"),
		gitwriter.WithAuth(gitwriter.Auth{
			SSHKeyFile:     "/etc/hoist/ssh/id_ed25519",
			KnownHostsFile: "/etc/hoist/ssh/known_hosts",
		}),
		gitwriter.WithAuthor("hoist", "hoist@acme.example"),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer repo.Close()
	out, err := repo.Update(ctx, func(ctx context.Context, dir string) (gitwriter.Change, error) {
		p := filepath.Join(dir, "deploy", "api.yaml")
		if err := os.WriteFile(p, []byte("image: ghcr.io/acme/api:1.4.3 # {\"$imagepolicy\": \"apps:api\"}\n"), 0o644); err != nil {
			return gitwriter.Change{}, err
		}
		return gitwriter.Change{Updates: []gitwriter.Update{{
			File: "deploy/api.yaml", Kind: "Deployment", Namespace: "apps", Name: "api",
			Policy: "apps:api", Old: "ghcr.io/acme/api:1.4.2", New: "ghcr.io/acme/api:1.4.3",
			Image: "ghcr.io/acme/api:1.4.3", From: "1.4.2", To: "1.4.3",
		}}}, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if out.Commit == "" {
		fmt.Println("nothing to commit")
		return
	}
	fmt.Printf("pushed %s to %s after %d attempt(s)\n", out.Commit, out.Branch, out.Attempts)
}
