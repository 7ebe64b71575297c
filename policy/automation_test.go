package policy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const automationV1 = `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 30m
  sourceRef:
    kind: GitRepository
    name: fleet
  git:
    checkout:
      ref:
        branch: main
    commit:
      author:
        email: fluxcdbot@users.noreply.github.com
        name: fluxcdbot
      messageTemplate: '{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}'
      messageTemplateValues:
        env: prod
      signingKey:
        secretRef:
          name: signing-key
    push:
      branch: image-updates
      refspec: refs/heads/image-updates:refs/heads/review
  update:
    path: ./clusters/prod
    strategy: Setters
  policySelector:
    matchLabels:
      team: web
    matchExpressions:
    - {key: tier, operator: In, values: [frontend, api]}
`

// automationV1beta1 has the shape Flux documented for v1beta1: no
// policySelector, no messageTemplateValues.
const automationV1beta1 = `apiVersion: image.toolkit.fluxcd.io/v1beta1
kind: ImageUpdateAutomation
metadata:
  name: legacy
spec:
  interval: 1m
  sourceRef:
    kind: GitRepository
    name: flux-system
    namespace: flux-system
  git:
    commit:
      author:
        email: bot@example.com
  update:
    path: clusters/staging/
  suspend: true
`

const automationV1beta2 = `apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageUpdateAutomation
metadata: {name: mid, namespace: team}
spec:
  git:
    commit: {author: {email: a@b, name: A}}
    push: {branch: auto}
`

func TestLoadAutomations(t *testing.T) {
	set, err := Load(writeTree(t, map[string]string{
		"flux/auto.yaml":   automationV1,
		"flux/legacy.yaml": automationV1beta1,
		"flux/mid.yaml":    "---\n" + automationV1beta2,
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := []*Automation{
		{ID: "flux-system:apps", Namespace: "flux-system", Name: "apps", File: "flux/auto.yaml", Line: 1,
			APIVersion: "image.toolkit.fluxcd.io/v1", SourceRef: SourceRef{Kind: "GitRepository", Name: "fleet", Namespace: "flux-system"},
			CheckoutBranch: "main", PushBranch: "image-updates", PushRefspec: "refs/heads/image-updates:refs/heads/review",
			AuthorName: "fluxcdbot", AuthorEmail: "fluxcdbot@users.noreply.github.com",
			MessageTemplate:       "{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}",
			MessageTemplateValues: map[string]string{"env": "prod"}, SigningKeySecret: "flux-system/signing-key",
			Path: "clusters/prod", Strategy: "Setters",
			PolicySelector: &LabelSelector{MatchLabels: map[string]string{"team": "web"},
				MatchExpressions: []LabelRequirement{{Key: "tier", Operator: "In", Values: []string{"frontend", "api"}}}}},
		{ID: "legacy", Name: "legacy", File: "flux/legacy.yaml", Line: 1, APIVersion: "image.toolkit.fluxcd.io/v1beta1",
			SourceRef:   SourceRef{Kind: "GitRepository", Name: "flux-system", Namespace: "flux-system"},
			AuthorEmail: "bot@example.com", Path: "clusters/staging", Strategy: "Setters", Suspend: true},
		{ID: "team:mid", Namespace: "team", Name: "mid", File: "flux/mid.yaml", Line: 2, APIVersion: "image.toolkit.fluxcd.io/v1beta2",
			SourceRef: SourceRef{Kind: "GitRepository", Namespace: "team"}, PushBranch: "auto", AuthorName: "A", AuthorEmail: "a@b",
			Path: ".", Strategy: "Setters"},
	}
	if diff := cmp.Diff(want, set.Automations); diff != "" {
		t.Errorf("automations mismatch (-want +got):\n%s", diff)
	}
	wantProblems := []string{"flux/legacy.yaml:1: warning: ImageUpdateAutomation legacy: image.toolkit.fluxcd.io/v1beta1 is deprecated" +
		" and no longer served by Flux; hoist reads it as image.toolkit.fluxcd.io/v1: upgrade the apiVersion (flux migrate)"}
	if diff := cmp.Diff(wantProblems, problemStrings(set.Problems)); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadAutomationProblems(t *testing.T) {
	head := "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageUpdateAutomation\nmetadata: {name: a}\nspec:\n"
	email := "  git: {commit: {author: {email: a@b}}}\n"
	for _, tc := range []struct {
		name, spec, want string
	}{
		{"no spec", "", "f.yaml:1: ImageUpdateAutomation a: spec: is required"},
		{"no email", "  git:\n    commit:\n      author: {name: x}\n", "f.yaml:7: ImageUpdateAutomation a: spec.git.commit.author.email: is required"},
		{"path escapes", email + "  update:\n    path: ./../../etc\n", `f.yaml:7: ImageUpdateAutomation a: spec.update.path: "./../../etc" must be a relative slash-separated path inside the repository`},
		{"absolute path", email + "  update: {path: /etc}\n", `f.yaml:6: ImageUpdateAutomation a: spec.update.path: "/etc" must be a relative slash-separated path inside the repository`},
		{"backslash path", email + "  update: {path: 'a\\b'}\n", `f.yaml:6: ImageUpdateAutomation a: spec.update.path: "a\\b" must be a relative slash-separated path inside the repository`},
		{"bad strategy", email + "  update: {strategy: Magic}\n", `f.yaml:6: ImageUpdateAutomation a: spec.update.strategy: must be Setters, got "Magic"`},
		{"bad operator", email + "  policySelector:\n    matchExpressions:\n    - {key: a, operator: Maybe, values: [x]}\n",
			`f.yaml:8: ImageUpdateAutomation a: spec.policySelector.matchExpressions[0].operator: must be In, NotIn, Exists or DoesNotExist, got "Maybe"`},
		{"In without values", email + "  policySelector:\n    matchExpressions:\n    - key: a\n      operator: In\n",
			"f.yaml:8: ImageUpdateAutomation a: spec.policySelector.matchExpressions[0].values: must not be empty for In"},
		{"unknown selector field", email + "  policySelector: {matchLabel: {a: b}}\n", "f.yaml:6: ImageUpdateAutomation a: spec.policySelector: unknown field matchLabel (known: matchLabels, matchExpressions)"},
		{"labels not strings", email + "  policySelector: {matchLabels: {a: [b]}}\n", "f.yaml:6: ImageUpdateAutomation a: spec.policySelector.matchLabels: must map strings to strings"},
		{"suspend not a bool", email + "  suspend: maybe\n", "f.yaml:6: ImageUpdateAutomation a: spec.suspend: must be true or false"},
		{"signing key without name", "  git:\n    commit:\n      author: {email: a@b}\n      signingKey: {secretRef: {}}\n",
			`f.yaml:8: ImageUpdateAutomation a: spec.git.commit.signingKey.secretRef.name: "" is not a valid Kubernetes name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := Load(writeTree(t, map[string]string{"f.yaml": head + tc.spec}))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tc.want}, problemStrings(set.Problems)); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
			if len(set.Automations) != 0 {
				t.Errorf("automations = %v, want none", set.Automations)
			}
		})
	}
}

func TestAutomationSelects(t *testing.T) {
	sel := &LabelSelector{MatchLabels: map[string]string{"team": "web"}, MatchExpressions: []LabelRequirement{
		{Key: "tier", Operator: "NotIn", Values: []string{"db"}},
		{Key: "owner", Operator: "Exists"},
		{Key: "frozen", Operator: "DoesNotExist"},
	}}
	for _, tc := range []struct {
		name      string
		selector  *LabelSelector
		namespace string
		labels    map[string]string
		want      bool
	}{
		{"nil selector, same namespace", nil, "apps", nil, true},
		{"nil selector, other namespace", nil, "other", nil, false},
		{"empty selector", &LabelSelector{}, "apps", map[string]string{"a": "b"}, true},
		{"all match", sel, "apps", map[string]string{"team": "web", "owner": "x", "tier": "api"}, true},
		{"tier absent is not in", sel, "apps", map[string]string{"team": "web", "owner": "x"}, true},
		{"wrong team", sel, "apps", map[string]string{"team": "db", "owner": "x"}, false},
		{"tier in NotIn", sel, "apps", map[string]string{"team": "web", "owner": "x", "tier": "db"}, false},
		{"no owner", sel, "apps", map[string]string{"team": "web"}, false},
		{"frozen", sel, "apps", map[string]string{"team": "web", "owner": "x", "frozen": ""}, false},
		{"In", &LabelSelector{MatchExpressions: []LabelRequirement{{Key: "t", Operator: "In", Values: []string{"a"}}}}, "apps", map[string]string{"t": "a"}, true},
		{"In, absent", &LabelSelector{MatchExpressions: []LabelRequirement{{Key: "t", Operator: "In", Values: []string{"a"}}}}, "apps", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &Automation{Namespace: "apps", PolicySelector: tc.selector}
			if got := a.Selects(&Policy{Namespace: tc.namespace, Labels: tc.labels}); got != tc.want {
				t.Errorf("Selects = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestLoadPolicyLabels checks policies carry their labels for Selects.
func TestLoadPolicyLabels(t *testing.T) {
	doc := strings.Replace(hoistDoc("api", goodSpec), "  namespace: apps\n", "  namespace: apps\n  labels: {team: web}\n", 1)
	set, err := Load(writeTree(t, map[string]string{"p.yaml": doc + "---\n" + automationV1}))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Policies) != 1 || len(set.Automations) != 1 {
		t.Fatalf("policies %v, automations %v, problems %v", summarize(set.Policies), set.Automations, set.Problems)
	}
	if diff := cmp.Diff(map[string]string{"team": "web"}, set.Policies[0].Labels); diff != "" {
		t.Errorf("labels mismatch (-want +got):\n%s", diff)
	}
	a := *set.Automations[0]
	a.Namespace = "apps"
	a.PolicySelector.MatchExpressions = nil
	if !a.Selects(set.Policies[0]) {
		t.Error("automation does not select the policy with its labels")
	}
}
