package policy

import (
	"fmt"
	"slices"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// LabelSelector is a Kubernetes label selector (metav1.LabelSelector), as
// an ImageUpdateAutomation's policySelector. Every part must match; an
// empty selector matches everything.
type LabelSelector struct {
	MatchLabels      map[string]string
	MatchExpressions []LabelRequirement
}

// LabelRequirement is one matchExpressions entry. Operator is In, NotIn,
// Exists or DoesNotExist.
type LabelRequirement struct {
	Key      string
	Operator string
	Values   []string
}

// Matches reports whether labels satisfy the selector. A nil selector
// matches everything.
func (s *LabelSelector) Matches(labels map[string]string) bool {
	if s == nil {
		return true
	}
	for k, v := range s.MatchLabels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	for _, r := range s.MatchExpressions {
		if !r.matches(labels) {
			return false
		}
	}
	return true
}

func (r LabelRequirement) matches(labels map[string]string) bool {
	v, ok := labels[r.Key]
	switch r.Operator {
	case "In":
		return ok && slices.Contains(r.Values, v)
	case "NotIn":
		return !ok || !slices.Contains(r.Values, v)
	case "Exists":
		return ok
	default: // DoesNotExist
		return !ok
	}
}

// parseSelector reads a label selector at key of n (nil when absent).
func parseSelector(n *yaml.Node, key, path string) (*LabelSelector, error) {
	m, err := mapping(n, key, path)
	if m == nil || err != nil {
		return nil, err
	}
	path += key + "."
	if err := strict(m, path, "matchLabels", "matchExpressions"); err != nil {
		return nil, err
	}
	s := &LabelSelector{}
	if s.MatchLabels, err = stringMap(m, "matchLabels", path); err != nil {
		return nil, err
	}
	exprs := field(m, "matchExpressions")
	if isNull(exprs) {
		return s, nil
	}
	if exprs.Kind != yaml.SequenceNode {
		return nil, fieldErr(exprs, path+"matchExpressions", "must be a list")
	}
	for i, e := range exprs.Content {
		r, err := parseRequirement(deref(e), fmt.Sprintf("%smatchExpressions[%d].", path, i))
		if err != nil {
			return nil, err
		}
		s.MatchExpressions = append(s.MatchExpressions, r)
	}
	return s, nil
}

// parseRequirement reads one matchExpressions entry and checks it the way
// the Kubernetes API server does.
func parseRequirement(n *yaml.Node, path string) (LabelRequirement, error) {
	var r LabelRequirement
	if n == nil || n.Kind != yaml.MappingNode {
		return r, fieldErr(n, path[:len(path)-1], "must be a mapping")
	}
	if err := strict(n, path, "key", "operator", "values"); err != nil {
		return r, err
	}
	var err error
	if r.Key, err = str(n, "key", path); err != nil {
		return r, err
	}
	if r.Operator, err = str(n, "operator", path); err != nil {
		return r, err
	}
	if r.Values, _, err = stringList(n, "values", path); err != nil {
		return r, err
	}
	switch {
	case r.Key == "":
		return r, fieldErr(n, path+"key", "is required")
	case (r.Operator == "In" || r.Operator == "NotIn") && len(r.Values) == 0:
		return r, fieldErr(n, path+"values", "must not be empty for %s", r.Operator)
	case (r.Operator == "Exists" || r.Operator == "DoesNotExist") && len(r.Values) > 0:
		return r, fieldErr(n, path+"values", "must be empty for %s", r.Operator)
	case r.Operator != "In" && r.Operator != "NotIn" && r.Operator != "Exists" && r.Operator != "DoesNotExist":
		return r, fieldErr(orNode(field(n, "operator"), n), path+"operator", "must be In, NotIn, Exists or DoesNotExist, got %q", r.Operator)
	}
	return r, nil
}
