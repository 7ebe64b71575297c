package demo

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Placeholder is the registry host the sample files name; Files replaces it.
const Placeholder = "demo.registry.invalid"

// Files reads the sample config repository under dir, with Placeholder
// replaced by host. Keys are slash-separated paths relative to dir.
func Files(dir, host string) (map[string]string, error) {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = strings.ReplaceAll(string(b), Placeholder, host)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading sample repository %s: %w", dir, err)
	}
	return files, nil
}

// NewBareRepo makes a bare repository at dir whose branch main holds files
// in one commit, and returns its file:// URL.
func NewBareRepo(dir string, files map[string]string) (string, error) {
	bare := filepath.Join(dir, "config.git")
	if _, err := git.PlainInitWithOptions(bare, &git.PlainInitOptions{
		Bare: true, InitOptions: git.InitOptions{DefaultBranch: plumbing.Main},
	}); err != nil {
		return "", fmt.Errorf("creating bare repository: %w", err)
	}
	work := filepath.Join(dir, "seed")
	if err := seed(work, bare, files); err != nil {
		return "", err
	}
	if err := os.RemoveAll(work); err != nil {
		return "", err
	}
	return "file://" + filepath.ToSlash(bare), nil
}

func seed(work, bare string, files map[string]string) error {
	r, err := git.PlainInitWithOptions(work, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
	if err != nil {
		return fmt.Errorf("creating seed repository: %w", err)
	}
	for p, content := range files {
		full := filepath.Join(work, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			return err
		}
	}
	wt, err := r.Worktree()
	if err != nil {
		return err
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return fmt.Errorf("staging sample files: %w", err)
	}
	sig := &object.Signature{Name: "Demo Operator", Email: "ops@example.com", When: time.Now()}
	if _, err := wt.Commit("Add the demo config repository", &git.CommitOptions{Author: sig}); err != nil {
		return fmt.Errorf("committing sample files: %w", err)
	}
	if _, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{bare}}); err != nil {
		return err
	}
	if err := r.Push(&git.PushOptions{RemoteName: "origin"}); err != nil {
		return fmt.Errorf("pushing the sample commit: %w", err)
	}
	return nil
}
