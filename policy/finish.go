package policy

// finish turns the collected objects into policies: Flux repositories first,
// so policies can resolve their refs, then every policy in file order.
// Duplicate identities keep the first object and report the others.
func (l *loader) finish() *Set {
	repos, broken := readSources(l, "ImageRepository", parseFluxRepo, func(r *fluxRepo) *object { return r.obj })
	var charts helmRepos
	charts.repos, charts.broken = l.helmRepos()
	seen := map[string]*object{}
	for _, o := range l.objects {
		if o.kind != "ImagePolicy" {
			continue
		}
		p, err := l.policy(o, repos, broken, charts)
		if err == nil && seen[o.id()] != nil {
			err = duplicate("policy", seen[o.id()])
		}
		if err != nil {
			l.problem(o.file, o.line, o.id(), err)
			continue
		}
		seen[o.id()] = o
		l.set.Policies = append(l.set.Policies, p)
	}
	l.followCycles()
	l.automations()
	return &l.set
}

// automations reads the ImageUpdateAutomations in file order.
func (l *loader) automations() {
	seen := map[string]*object{}
	for _, o := range l.objects {
		if o.kind != automationKind {
			continue
		}
		a, ignored, err := parseAutomation(o)
		if err == nil && seen[o.id()] != nil {
			err = duplicate(automationKind, seen[o.id()])
		}
		if err != nil {
			l.problem(o.file, o.line, "", prefixed(automationKind+" "+o.id(), err))
			continue
		}
		seen[o.id()] = o
		l.set.Automations = append(l.set.Automations, a)
		if len(ignored) > 0 {
			l.note(ignoredNote(o, ignored))
		}
	}
}

// policy reads one ImagePolicy of either kind.
func (l *loader) policy(o *object, repos map[string]*fluxRepo, broken map[string]*object, charts helmRepos) (*Policy, error) {
	if o.apiVersion == hoistAPIVersion {
		return parseHoist(o, charts)
	}
	p, ref, ignored, err := parseFluxPolicy(o)
	if err != nil {
		return nil, err
	}
	if len(ignored) > 0 {
		l.note(ignoredNote(o, ignored))
	}
	return p, p.resolve(ref, repos, broken)
}
