package config

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/hoist-dev/hoist/gitwriter"
)

// The values of Repository.Automations.
const (
	AutomationsFollow = "follow"
	AutomationsIgnore = "ignore"
)

func validName() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`) }

func (v *validator) repository(p string, r Repository) {
	transport, err := urlTransport(r.URL)
	if err != nil {
		v.add(p+".url", err)
	}
	switch {
	case r.Name == "" && err == nil:
		v.addf(p+".name", "is required (none could be derived from the url)")
	case r.Name != "" && (len(r.Name) > maxNameLen || !validName().MatchString(r.Name)):
		v.addf(p+".name", "must be at most %d letters, digits, '.', '_' or '-', starting with a letter or digit", maxNameLen)
	}
	v.branch(p+".branch", r.Branch)
	v.branch(p+".pushBranch", r.PushBranch)
	if r.Path != "" {
		if err := relPath(r.Path); err != nil {
			v.add(p+".path", err)
		}
	}
	if _, err := parseSchedule(r.Schedule); err != nil {
		v.addf(p+".schedule", "%v", err)
	}
	v.gitAuth(p+".auth", r.Auth, transport)
	v.author(p+".author", r.Author)
	v.signing(p+".signing", r.Signing)
	if r.CommitTemplate != "" {
		if err := gitwriter.CheckMessageTemplate(r.CommitTemplate); err != nil {
			v.addf(p+".commitTemplate", "%v", err)
		}
	}
	if r.PullRequest.Enabled() || !isZeroPR(r.PullRequest) {
		v.pullRequest(p+".pullRequest", r)
	}
	if r.Automations != "" && r.Automations != AutomationsFollow && r.Automations != AutomationsIgnore {
		v.addf(p+".automations", "must be %s or %s", AutomationsFollow, AutomationsIgnore)
	}
	for i, o := range r.PushOptions {
		if o == "" || strings.ContainsAny(o, "\r\n\x00") {
			v.addf(p+".pushOptions["+strconv.Itoa(i)+"]", "must be a non-empty single line")
		}
	}
}

// branch checks a branch name against the rules of git check-ref-format
// that matter in a config file.
func (v *validator) branch(path, b string) {
	if b == "" {
		return
	}
	bad := strings.HasPrefix(b, "-") || strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") ||
		strings.HasSuffix(b, ".") || strings.HasSuffix(b, ".lock") || strings.Contains(b, "..") ||
		strings.Contains(b, "//") || strings.Contains(b, "@{") || b == "@" ||
		strings.ContainsFunc(b, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune(`~^:?*[\`, r) })
	if bad {
		v.addf(path, "is not a valid branch name")
	}
}

func (v *validator) gitAuth(p string, a GitAuth, transport string) {
	ssh := a.SSHKeyFile != "" || a.SSHPassphraseFile != "" || a.KnownHostsFile != "" || a.InsecureSkipHostKeyCheck
	http := a.Username != "" || a.UsernameFile != "" || !a.password().isZero() || !a.token().isZero() || a.CAFile != ""
	if ssh && transport != "" && transport != transportSSH {
		v.addf(p, "ssh settings (sshKeyFile, sshPassphraseFile, knownHostsFile, insecureSkipHostKeyCheck) need an ssh url")
	}
	if http && transport != "" && transport != transportHTTP && transport != transportHTTPS {
		v.addf(p, "http settings (username, password, token, caFile) need an http or https url")
	}
	if a.SSHPassphraseFile != "" && a.SSHKeyFile == "" {
		v.addf(p+".sshPassphraseFile", "needs sshKeyFile")
	}
	if a.KnownHostsFile != "" && a.InsecureSkipHostKeyCheck {
		v.addf(p+".insecureSkipHostKeyCheck", "set only one of knownHostsFile and insecureSkipHostKeyCheck")
	}
	v.oneOf(p, "username", a.Username, "usernameFile", a.UsernameFile)
	v.oneOf(p, "passwordFile", a.PasswordFile, "passwordEnv", a.PasswordEnv)
	v.oneOf(p, "tokenFile", a.TokenFile, "tokenEnv", a.TokenEnv)
	if !a.password().isZero() && !a.token().isZero() {
		v.addf(p, "set either a password or a token, not both")
	}
	if !a.password().isZero() && a.Username == "" && a.UsernameFile == "" {
		v.addf(p, "a password needs username or usernameFile")
	}
}

func (v *validator) author(p string, a Author) {
	if strings.ContainsAny(a.Name, "<>\r\n\x00") {
		v.addf(p+".name", "must be one line without '<' or '>'")
	}
	at := strings.LastIndex(a.Email, "@")
	if a.Email != "" && (at <= 0 || at == len(a.Email)-1 || strings.ContainsAny(a.Email, "<> \t\r\n\x00")) {
		v.addf(p+".email", "must be an address like hoist@example.com")
	}
}

func (v *validator) signing(p string, s Signing) {
	if s.OpenPGPKeyFile != "" && s.SSHKeyFile != "" {
		v.addf(p, "set either openPGPKeyFile or sshKeyFile, not both")
	}
	if s.OpenPGPPassphraseFile != "" && s.OpenPGPKeyFile == "" {
		v.addf(p+".openPGPPassphraseFile", "needs openPGPKeyFile")
	}
}

func isZeroPR(p PullRequest) bool {
	return p.URL == "" && p.TokenFile == "" && p.TokenEnv == "" && len(p.Labels)+len(p.Reviewers)+len(p.Assignees) == 0 &&
		!p.Draft && !p.AutoMerge && p.Per == "" && p.CAFile == ""
}

func (v *validator) pullRequest(p string, r Repository) {
	pr := r.PullRequest
	switch pr.Provider {
	case ProviderGitea, "forgejo", ProviderGitHub, ProviderGitLab:
	case "":
		v.addf(p+".provider", "is required: gitea (or forgejo), github or gitlab")
	default:
		v.addf(p+".provider", "must be gitea (or forgejo), github or gitlab, got %q", pr.Provider)
	}
	if pr.Per != "" && pr.Per != PerRepository && pr.Per != PerPolicy {
		v.addf(p+".per", "must be %s or %s", PerRepository, PerPolicy)
	}
	v.oneOf(p, "tokenFile", pr.TokenFile, "tokenEnv", pr.TokenEnv)
	if r.PullRequestToken().isZero() {
		v.addf(p, "needs a token: tokenFile or tokenEnv here, or the repository's auth tokenFile/tokenEnv")
	}
	if pr.URL != "" {
		if u, err := url.Parse(pr.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			v.addf(p+".url", "must be an http(s) URL without credentials")
		}
	}
	if r.PushBranch != "" && r.PushBranch == r.Branch {
		v.addf(p, "the push branch is the pull request's head: it must differ from branch")
	}
}
