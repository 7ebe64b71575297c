package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
	"github.com/hoist-dev/hoist/cmd/hoist/internal/pass"
	"github.com/hoist-dev/hoist/gitwriter"
	"github.com/hoist-dev/hoist/gitwriter/forge"
	"github.com/hoist-dev/hoist/policy"
)

// landing is what one update of a repository did: the repository's own
// pass, or the pass of one Flux ImageUpdateAutomation in it.
type landing struct {
	automation string // the automation's ID; "" for the repository's own pass
	proposal   string // with pullRequest per: policy, the policy or group of this pull request
	skipped    string // why the automation did not run ("suspended")
	out        gitwriter.Outcome
	rep        *pass.Report
	err        error
	pr         *forge.PullRequest // the pull request opened, updated or closed
	prAction   string             // "opened", "updated" or "closed"
}

// automations returns the Flux ImageUpdateAutomations found at the head of
// the repository, unless the repository ignores them.
func (r *repoRunner) automations(ctx context.Context, repo *gitwriter.Repo, log *slog.Logger) ([]*policy.Automation, error) {
	if r.cfg.Automations == config.AutomationsIgnore {
		return nil, nil
	}
	dir, _, err := repo.Checkout(ctx)
	if err != nil {
		return nil, err
	}
	root, err := pass.Root(dir, r.cfg.Path)
	if err != nil {
		return nil, &pass.Error{Stage: "policy", Err: err}
	}
	// The pass loads the same tree again: through the repository's cache,
	// the second load only checks the files' stat data.
	set, err := policy.Load(root, policy.WithLogger(log), policy.WithCache(r.policies))
	if err != nil {
		return nil, &pass.Error{Stage: "policy", Err: fmt.Errorf("loading automations: %w", err)}
	}
	return set.Automations, nil
}

// automate runs the pass of one automation: on its checkout branch, pushing
// to its push branch, as its author, with its message template and signing
// key, applying the policies it selects to the markers under its path.
func (r *repoRunner) automate(ctx context.Context, log *slog.Logger, a *policy.Automation) landing {
	l := landing{automation: a.ID}
	if a.Suspend {
		l.skipped = "suspended"
		return l
	}
	log = log.With("automation", a.ID)
	opts, err := r.automationOptions(a)
	if err != nil {
		l.err = fmt.Errorf("automation %s (%s:%d): %w", a.ID, a.File, a.Line, err)
		return l
	}
	opts = append(opts, r.cloneOptions(log)...)
	repo, err := gitwriter.Open(ctx, r.cfg.URL, opts...)
	if err != nil {
		l.err = fmt.Errorf("automation %s: %w", a.ID, err)
		return l
	}
	defer repo.Close()
	l.out, l.rep, l.err = update(ctx, repo, r.scanner(), r.options(log, func(o *pass.Options) { o.Automation = a }))
	if l.err != nil {
		l.err = fmt.Errorf("automation %s: %w", a.ID, l.err)
	}
	return l
}

// automationOptions are the gitwriter options of the repository with what
// the automation says in place of the repository's settings.
func (r *repoRunner) automationOptions(a *policy.Automation) ([]gitwriter.Option, error) {
	rc := r.cfg
	if a.CheckoutBranch != "" {
		rc.Branch = a.CheckoutBranch
	}
	push, err := pushBranch(a)
	if err != nil {
		return nil, err
	}
	if push != "" {
		rc.PushBranch = push
	}
	if push == rc.Branch && rc.Branch != "" {
		rc.PushBranch = "" // pushing to the checkout branch itself
	}
	if a.AuthorEmail != "" {
		rc.Author = config.Author{Name: a.AuthorName, Email: a.AuthorEmail}
	}
	if a.MessageTemplate != "" {
		rc.CommitTemplate = a.MessageTemplate
	}
	if a.SigningKeySecret != "" {
		if rc.Signing, err = r.signingKey(a.SigningKeySecret); err != nil {
			return nil, err
		}
	}
	return append(rc.GitOptions(), gitwriter.WithAutomation(gitwriter.Automation{
		Namespace: a.Namespace, Name: a.Name, Path: a.Path, Values: a.MessageTemplateValues,
	})), nil
}

// pushBranch is the branch an automation pushes to: spec.git.push.branch,
// or the branch of a refspec "<src>:refs/heads/<branch>". Other refspecs
// (Gerrit's refs/for/..., tags, several destinations) are refused.
func pushBranch(a *policy.Automation) (string, error) {
	if a.PushRefspec == "" {
		return a.PushBranch, nil
	}
	_, dst, ok := strings.Cut(strings.TrimPrefix(a.PushRefspec, "+"), ":")
	b, isBranch := strings.CutPrefix(dst, "refs/heads/")
	switch {
	case !ok || !isBranch || b == "":
		return "", fmt.Errorf("push.refspec %q: hoist pushes only to a branch (<src>:refs/heads/<branch>)", a.PushRefspec)
	case a.PushBranch != "" && a.PushBranch != b:
		return "", fmt.Errorf("push.branch %q and push.refspec %q: hoist pushes to one branch", a.PushBranch, a.PushRefspec)
	}
	return b, nil
}

// signingKey maps an automation's signing key secret to its key file
// through the service config's secrets: a mounted secret directory (its
// git.asc and, when present, passphrase) or the armored key itself.
func (r *repoRunner) signingKey(secret string) (config.Signing, error) {
	where, ok := r.svc.cfg.Secrets[secret]
	if !ok {
		return config.Signing{}, fmt.Errorf("signing key secret %s is not mapped to a file: add it under secrets: in the service config "+
			"(or --secret %s=PATH); hoist does not read Kubernetes secrets, and will not push unsigned commits in its place", secret, secret)
	}
	fi, err := os.Stat(where)
	if err != nil {
		return config.Signing{}, fmt.Errorf("signing key secret %s: %w", secret, err)
	}
	if !fi.IsDir() {
		return config.Signing{OpenPGPKeyFile: where}, nil
	}
	s := config.Signing{OpenPGPKeyFile: filepath.Join(where, "git.asc")}
	if _, err := os.Stat(filepath.Join(where, "passphrase")); err == nil {
		s.OpenPGPPassphraseFile = filepath.Join(where, "passphrase")
	} else if !errors.Is(err, os.ErrNotExist) {
		return config.Signing{}, fmt.Errorf("signing key secret %s: %w", secret, err)
	}
	return s, nil
}
