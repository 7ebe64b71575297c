package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// alertRules renders the base with the alerts component and returns the
// PrometheusRule and its rules.
func alertRules(t *testing.T) (object, []any) {
	t.Helper()
	_, objs := renderComposed(t, []string{"base"}, []string{"components/alerts"})
	rule := find(t, objs, "PrometheusRule")
	groups, _ := lookup(rule, "spec", "groups").([]any)
	var rules []any
	for _, g := range groups {
		rs, _ := lookup(g, "rules").([]any)
		rules = append(rules, rs...)
	}
	return rule, rules
}

// TestAlertsComponent checks the PrometheusRule the component adds: next to
// the Deployment, the base otherwise unchanged, and every rule an alert
// with an expression, a severity and a summary.
func TestAlertsComponent(t *testing.T) {
	_, base := render(t, "base")
	_, objs := renderComposed(t, []string{"base"}, []string{"components/alerts"})
	var kept []object
	for _, o := range objs {
		if o.kind() != "PrometheusRule" {
			kept = append(kept, o)
		}
	}
	if diff := cmp.Diff(base, kept); diff != "" {
		t.Errorf("the alerts component changes the base (-base +with alerts):\n%s", diff)
	}
	rule, rules := alertRules(t)
	if got, want := rule.namespace(), find(t, base, "Deployment").namespace(); got != want {
		t.Errorf("PrometheusRule in namespace %q, Deployment in %q", got, want)
	}
	if lookup(rule, "apiVersion") != "monitoring.coreos.com/v1" {
		t.Errorf("PrometheusRule apiVersion %v", lookup(rule, "apiVersion"))
	}
	var names []string
	for _, r := range rules {
		name, _ := lookup(r, "alert").(string)
		names = append(names, name)
		expr, _ := lookup(r, "expr").(string)
		sev, _ := lookup(r, "labels", "severity").(string)
		summary, _ := lookup(r, "annotations", "summary").(string)
		if expr == "" || !slices.Contains([]string{"critical", "warning", "info"}, sev) || summary == "" {
			t.Errorf("rule %q: expr %q, severity %q, summary %q: want all set", name, expr, sev, summary)
		}
	}
	want := []string{"HoistNoSuccessfulPass", "HoistRepositoryFailing", "HoistRegistryRateLimited", "HoistNotificationsDropped"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("alerts mismatch (-want +got):\n%s", diff)
	}
}

var (
	metricName = regexp.MustCompile(`\bhoist_[a-z_]+\b`)
	// labelUse finds label names in `by (a, b)` and in selectors `{a="x", b!="y"}`.
	byClause = regexp.MustCompile(`\bby\s*\(([^)]*)\)`)
	selector = regexp.MustCompile(`\b(hoist_[a-z_]+)\{([^}]*)\}`)
	matcher  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
)

// TestAlertsUseRealMetrics checks every metric an alert reads against the
// Go source that registers it: the name is declared, and the labels the
// expression groups or filters by are among the label names declared with
// it. (The prometheus module, with its PromQL parser, is not a dependency.)
func TestAlertsUseRealMetrics(t *testing.T) {
	src := goSource(t, filepath.Join(repoRoot, "cmd", "hoist"))
	_, rules := alertRules(t)
	for _, r := range rules {
		name, _ := lookup(r, "alert").(string)
		expr, _ := lookup(r, "expr").(string)
		metrics := metricName.FindAllString(expr, -1)
		if len(metrics) == 0 {
			t.Errorf("%s reads no hoist metric: %s", name, expr)
		}
		for _, m := range metrics {
			decl := declaration(src, m)
			if decl == "" {
				t.Errorf("%s reads %s, which hoist does not register", name, m)
				continue
			}
			for _, l := range labelsUsed(expr, m) {
				if !strings.Contains(decl, `"`+l+`"`) {
					t.Errorf("%s uses label %q of %s, which it does not have:\n%s", name, l, m, decl)
				}
			}
		}
	}
}

// labelsUsed lists the labels an expression filters metric m by, and the
// labels of every `by` clause (each aggregates one hoist metric here).
func labelsUsed(expr, m string) []string {
	var out []string
	for _, s := range selector.FindAllStringSubmatch(expr, -1) {
		if s[1] == m {
			for _, mm := range matcher.FindAllStringSubmatch(s[2], -1) {
				out = append(out, mm[1])
			}
		}
	}
	for _, b := range byClause.FindAllStringSubmatch(expr, -1) {
		for _, l := range strings.Split(b[1], ",") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// goSource concatenates the non-test Go files under dir.
func goSource(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		b.Write(src)
		b.WriteString("\n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// declaration returns the source from a metric's quoted name to the end of
// its declaring statement (where client_golang takes the label names), or
// "" when the name is not declared.
func declaration(src, m string) string {
	i := strings.Index(src, `"`+m+`"`)
	if i < 0 {
		return ""
	}
	rest := src[i:]
	if j := strings.Index(rest, "\n\t"); j >= 0 {
		if k := strings.Index(rest[j+1:], "\n\t"); k >= 0 { // name and Help may span two lines
			return rest[:j+1+k]
		}
	}
	return rest
}
