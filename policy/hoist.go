package policy

import yaml "sigs.k8s.io/kustomize/kyaml/yaml"

// hoistAPIVersion is the apiVersion of hoist's own ImagePolicy.
const hoistAPIVersion = "hoist.dev/v1alpha1"

// parseHoist reads a hoist.dev/v1alpha1 ImagePolicy.
func parseHoist(o *object) (*Policy, error) {
	spec, err := mapping(o.node, "spec", "")
	if err != nil {
		return nil, err
	}
	if spec == nil {
		return nil, fieldErr(o.node, "spec", "is required")
	}
	err = strict(spec, "spec.", "image", "filterTags", "exclude", "policy", "group", "digest", "platform", "suspend")
	if err != nil {
		return nil, err
	}
	p := o.policy()
	if p.Image, err = str(spec, "image", "spec."); err != nil {
		return nil, err
	}
	if err := checkImage(p.Image, orNode(field(spec, "image"), spec), "spec.image"); err != nil {
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
	return p, parseExtras(spec, p)
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
