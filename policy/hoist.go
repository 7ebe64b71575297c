package policy

import yaml "sigs.k8s.io/kustomize/kyaml/yaml"

// hoistAPIVersion is the apiVersion of hoist's own ImagePolicy.
const hoistAPIVersion = "hoist.dev/v1alpha1"

// parseHoist reads a hoist.dev/v1alpha1 ImagePolicy; a chart's
// helmRepositoryRef resolves against charts.
func parseHoist(o *object, charts helmRepos) (*Policy, error) {
	spec, err := mapping(o.node, "spec", "")
	if err != nil {
		return nil, err
	}
	if spec == nil {
		return nil, fieldErr(o.node, "spec", "is required")
	}
	err = strict(spec, "spec.", "image", "chart", "filterTags", "exclude", "policy", "group", "digest", "platform", "suspend",
		"minAge", "follow")
	if err != nil {
		return nil, err
	}
	p := o.policy()
	if err := parseSource(o, spec, p, charts); err != nil {
		return nil, err
	}
	exclude, _, err := stringList(spec, "exclude", "spec.")
	if err != nil {
		return nil, err
	}
	if p.exclude, err = compileAll(exclude, field(spec, "exclude"), "spec.exclude"); err != nil {
		return nil, err
	}
	if err := parseFilter(spec, p); err != nil {
		return nil, err
	}
	if p.rule, err = parseRule(spec, ruleNames); err != nil {
		return nil, err
	}
	if err := parseGates(spec, p); err != nil {
		return nil, err
	}
	if err := parseExtras(spec, p); err != nil {
		return nil, err
	}
	if p.Follow != nil && p.Group != "" {
		return nil, fieldErr(field(spec, "follow"), "spec.follow", "cannot be combined with group")
	}
	return p, checkChartExtras(spec, p)
}

// parseSource reads spec.image or spec.chart (exactly one).
func parseSource(o *object, spec *yaml.Node, p *Policy, charts helmRepos) error {
	var err error
	if p.Image, err = str(spec, "image", "spec."); err != nil {
		return err
	}
	c, ref, err := parseChart(o, spec)
	switch {
	case err != nil:
		return err
	case c != nil && p.Image != "":
		return fieldErr(field(spec, "chart"), "spec", "give image or chart, not both")
	case c == nil:
		return checkImage(p.Image, orNode(field(spec, "image"), spec), "spec.image")
	}
	if ref.id != "" {
		if err := resolveChart(c, ref, charts.repos, charts.broken); err != nil {
			return err
		}
	}
	p.Chart, p.Image = c, c.String()
	return nil
}

// checkChartExtras refuses what a chart policy cannot do: pin digests,
// choose a platform.
func checkChartExtras(spec *yaml.Node, p *Policy) error {
	switch {
	case p.Chart == nil:
		return nil
	case p.Digest != DigestNever:
		return fieldErr(field(spec, "digest"), "spec.digest", "must be Never for a chart (chart markers hold the version)")
	case p.Platform != "":
		return fieldErr(field(spec, "platform"), "spec.platform", "does not apply to a chart")
	}
	return nil
}

// helmRepos are the HelmRepositories a load found, and those that failed.
type helmRepos struct {
	repos  map[string]*helmRepo
	broken map[string]*object
}

// parseExtras reads group, digest, platform and suspend.
func parseExtras(spec *yaml.Node, p *Policy) error {
	var err error
	if p.Suspend, err = boolean(spec, "suspend", "spec."); err != nil {
		return err
	}
	if p.Group, err = str(spec, "group", "spec."); err != nil {
		return err
	}
	d, err := str(spec, "digest", "spec.")
	if err != nil {
		return err
	}
	if p.Digest, err = checkDigest(d, field(spec, "digest"), "spec.digest"); err != nil {
		return err
	}
	if p.Platform, err = str(spec, "platform", "spec."); err != nil {
		return err
	}
	return checkPlatform(p.Platform, field(spec, "platform"), "spec.platform")
}
