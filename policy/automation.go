package policy

import (
	"path"
	"strings"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// automationKind is the kind of Flux's image update automations.
const automationKind = "ImageUpdateAutomation"

// Automation is a Flux ImageUpdateAutomation (image.toolkit.fluxcd.io
// v1beta1, v1beta2 or v1): which policies to apply under which path, and
// how to commit and push the result. Fields are "" (or nil, false) when
// the object leaves them out.
type Automation struct {
	// ID is "namespace:name", or "name" when there is no namespace.
	ID              string
	Namespace, Name string
	// File is the slash-separated path of the file, relative to the loaded
	// root, and Line the 1-based line where the object starts.
	File       string
	Line       int
	APIVersion string
	// Kustomization is the slash path of the kustomization file whose
	// rendered output held the object ("" when it was read from its own
	// file). File is then that path too, and Line 0.
	Kustomization string

	// SourceRef is spec.sourceRef: the GitRepository (by default) the
	// automation commits to. Its namespace defaults to the automation's.
	SourceRef SourceRef
	// CheckoutBranch is spec.git.checkout.ref.branch ("": the branch of
	// the GitRepository).
	CheckoutBranch string
	// PushBranch is spec.git.push.branch and PushRefspec
	// spec.git.push.refspec ("" and "": push to the checkout branch).
	PushBranch, PushRefspec string
	// AuthorName and AuthorEmail are spec.git.commit.author.
	AuthorName, AuthorEmail string
	// MessageTemplate is spec.git.commit.messageTemplate (a Go template
	// with Flux's data), and MessageTemplateValues its
	// messageTemplateValues.
	MessageTemplate       string
	MessageTemplateValues map[string]string
	// SigningKeySecret is spec.git.commit.signingKey.secretRef.name as
	// "namespace/name" ("name" when the automation has no namespace).
	SigningKeySecret string
	// Path is spec.update.path, cleaned and slash-separated, relative to
	// the repository root ("." when absent). It never starts with "..".
	Path string
	// Strategy is spec.update.strategy: always "Setters".
	Strategy string
	// PolicySelector is spec.policySelector; nil selects every policy of
	// the automation's namespace.
	PolicySelector *LabelSelector
	// Suspend is spec.suspend: Flux does not run a suspended automation.
	Suspend bool
}

// SourceRef names the Flux source an automation commits to.
type SourceRef struct {
	Kind, Name, Namespace string
}

// Selects reports whether the automation applies p, as Flux decides it:
// p is in the automation's namespace and its labels match PolicySelector.
func (a *Automation) Selects(p *Policy) bool {
	return p.Namespace == a.Namespace && a.PolicySelector.Matches(p.Labels)
}

// parseAutomation reads an ImageUpdateAutomation; ignored lists the spec
// fields hoist does not use (interval...).
func parseAutomation(o *object) (a *Automation, ignored []string, err error) {
	spec, err := mapping(o.node, "spec", "")
	if err != nil {
		return nil, nil, err
	}
	if spec == nil {
		return nil, nil, fieldErr(o.node, "spec", "is required")
	}
	a = &Automation{ID: o.id(), Namespace: o.namespace, Name: o.name, File: o.file, Line: o.line, APIVersion: o.apiVersion,
		Kustomization: o.kustomization}
	if a.SourceRef, err = parseSourceRef(o, spec); err != nil {
		return nil, nil, err
	}
	if err := a.parseGit(o, spec); err != nil {
		return nil, nil, err
	}
	if err := a.parseUpdate(spec); err != nil {
		return nil, nil, err
	}
	if a.PolicySelector, err = parseSelector(spec, "policySelector", "spec."); err != nil {
		return nil, nil, err
	}
	if a.Suspend, err = boolean(spec, "suspend", "spec."); err != nil {
		return nil, nil, err
	}
	ignored, _ = unknownKeys(spec, "sourceRef", "git", "update", "policySelector", "suspend")
	return a, ignored, nil
}

// parseSourceRef reads spec.sourceRef; kind defaults to GitRepository and
// namespace to the automation's.
func parseSourceRef(o *object, spec *yaml.Node) (SourceRef, error) {
	const path = "spec.sourceRef."
	n, err := mapping(spec, "sourceRef", "spec.")
	if err != nil {
		return SourceRef{}, err
	}
	var r SourceRef
	if r.Kind, err = str(n, "kind", path); err != nil {
		return r, err
	}
	if r.Name, err = str(n, "name", path); err != nil {
		return r, err
	}
	if r.Namespace, err = str(n, "namespace", path); err != nil {
		return r, err
	}
	if r.Kind == "" {
		r.Kind = "GitRepository"
	}
	if r.Namespace == "" {
		r.Namespace = o.namespace
	}
	return r, nil
}

// parseGit reads spec.git: checkout, push and commit.
func (a *Automation) parseGit(o *object, spec *yaml.Node) error {
	git, err := mapping(spec, "git", "spec.")
	if err != nil {
		return err
	}
	checkout, err := mapping(git, "checkout", "spec.git.")
	if err != nil {
		return err
	}
	ref, err := mapping(checkout, "ref", "spec.git.checkout.")
	if err != nil {
		return err
	}
	if a.CheckoutBranch, err = str(ref, "branch", "spec.git.checkout.ref."); err != nil {
		return err
	}
	push, err := mapping(git, "push", "spec.git.")
	if err != nil {
		return err
	}
	if a.PushBranch, err = str(push, "branch", "spec.git.push."); err != nil {
		return err
	}
	if a.PushRefspec, err = str(push, "refspec", "spec.git.push."); err != nil {
		return err
	}
	return a.parseCommit(o, git)
}

// parseCommit reads spec.git.commit; the author's email is required.
func (a *Automation) parseCommit(o *object, git *yaml.Node) error {
	const path = "spec.git.commit."
	commit, err := mapping(git, "commit", "spec.git.")
	if err != nil {
		return err
	}
	author, err := mapping(commit, "author", path)
	if err != nil {
		return err
	}
	if a.AuthorName, err = str(author, "name", path+"author."); err != nil {
		return err
	}
	if a.AuthorEmail, err = str(author, "email", path+"author."); err != nil {
		return err
	}
	if a.AuthorEmail == "" {
		return fieldErr(orNode(author, orNode(commit, orNode(git, o.node))), path+"author.email", "is required")
	}
	if a.MessageTemplate, err = str(commit, "messageTemplate", path); err != nil {
		return err
	}
	if a.MessageTemplateValues, err = stringMap(commit, "messageTemplateValues", path); err != nil {
		return err
	}
	key, err := mapping(commit, "signingKey", path)
	if err != nil {
		return err
	}
	a.SigningKeySecret, err = secretName(o, key, "secretRef", path+"signingKey.")
	return err
}

// parseUpdate reads spec.update: the path must stay inside the repository.
func (a *Automation) parseUpdate(spec *yaml.Node) error {
	update, err := mapping(spec, "update", "spec.")
	if err != nil {
		return err
	}
	if a.Strategy, err = str(update, "strategy", "spec.update."); err != nil {
		return err
	}
	if a.Strategy == "" {
		a.Strategy = "Setters"
	}
	if a.Strategy != "Setters" {
		return fieldErr(field(update, "strategy"), "spec.update.strategy", "must be Setters, got %q", a.Strategy)
	}
	p, err := str(update, "path", "spec.update.")
	if err != nil {
		return err
	}
	a.Path = path.Clean(p)
	if path.IsAbs(p) || a.Path == ".." || strings.HasPrefix(a.Path, "../") || strings.ContainsAny(p, "\\\x00") {
		return fieldErr(field(update, "path"), "spec.update.path", "%q must be a relative slash-separated path inside the repository", p)
	}
	return nil
}
