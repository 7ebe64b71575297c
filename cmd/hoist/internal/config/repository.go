package config

// defaultSchedule is the schedule of a repository that sets none.
const defaultSchedule = "@every 5m"

// Default commit author of a repository that sets none.
const (
	DefaultAuthorName  = "hoist"
	DefaultAuthorEmail = "hoist@localhost"
)

// Repository is one config repository hoist keeps up to date.
type Repository struct {
	// Name identifies the repository in logs, metrics and the state
	// directory. It must be unique. The default is derived from the URL's
	// last two path elements, e.g. "acme-config" for
	// ssh://git@github.com/acme/config.git.
	Name string `yaml:"name"`
	// URL is the clone URL: file, http, https, git or ssh scheme, or the
	// scp-like form git@host:path. It must not embed a password.
	URL string `yaml:"url"`
	// Branch is checked out and updated. The default is the remote HEAD.
	Branch string `yaml:"branch"`
	// PushBranch, when set, receives the commits instead of Branch.
	PushBranch string `yaml:"pushBranch"`
	// Path is a relative directory of the repository scanned for policies
	// and markers. The default is the whole repository.
	Path string `yaml:"path"`
	// Schedule is a robfig/cron spec: five fields ("*/10 * * * *") or a
	// descriptor ("@hourly", "@every 5m"). The default is "@every 5m".
	Schedule string `yaml:"schedule"`
	// Auth holds the credentials for the remote.
	Auth GitAuth `yaml:"auth"`
	// Author is the commit author. The default is [DefaultAuthorName]
	// <[DefaultAuthorEmail]>.
	Author Author `yaml:"author"`
	// Signing holds the commit signing key, if commits are signed.
	Signing Signing `yaml:"signing"`
	// CommitTemplate is a Go text/template for the commit message. The
	// default is the committer's built-in message.
	CommitTemplate string `yaml:"commitTemplate"`
	// PushOptions are git push options ("merge_request.create").
	PushOptions []string `yaml:"pushOptions"`
	// Automations says what to do with the Flux ImageUpdateAutomations in
	// the repository: "follow" (the default) runs each as Flux would, with
	// its branch, push branch, author, message template, signing key,
	// update.path, policySelector and suspend; the fields above are then
	// defaults for what an automation leaves out. "ignore" runs one pass
	// of every policy, as if there were none.
	Automations string `yaml:"automations"`
	// PullRequest, when its provider is set, makes hoist propose its
	// commits by pull request instead of pushing to Branch: the commit goes
	// to PushBranch (default hoist/<branch>) and one pull request against
	// Branch is opened and kept up to date.
	PullRequest PullRequest `yaml:"pullRequest"`
}

// GitAuth holds the credentials for a git remote. Every secret is named by a
// file path (…File) or an environment variable name (…Env), never inline.
type GitAuth struct {
	// SSHKeyFile is the private key for ssh URLs.
	SSHKeyFile string `yaml:"sshKeyFile"`
	// SSHPassphraseFile holds the passphrase of SSHKeyFile, if it has one.
	SSHPassphraseFile string `yaml:"sshPassphraseFile"`
	// KnownHostsFile lists the accepted host keys for ssh URLs. The default
	// is the user's known_hosts.
	KnownHostsFile string `yaml:"knownHostsFile"`
	// InsecureSkipHostKeyCheck accepts any ssh host key. Tests only.
	InsecureSkipHostKeyCheck bool `yaml:"insecureSkipHostKeyCheck"`
	// Username is the HTTP basic auth user name (not a secret).
	Username string `yaml:"username"`
	// UsernameFile holds the user name, instead of Username.
	UsernameFile string `yaml:"usernameFile"`
	// PasswordFile holds the HTTP basic auth password.
	PasswordFile string `yaml:"passwordFile"`
	// PasswordEnv names the environment variable holding the password.
	PasswordEnv string `yaml:"passwordEnv"`
	// TokenFile holds an HTTP access token.
	TokenFile string `yaml:"tokenFile"`
	// TokenEnv names the environment variable holding the token.
	TokenEnv string `yaml:"tokenEnv"`
	// CAFile holds PEM certificates trusted for https URLs, in addition to
	// the system roots.
	CAFile string `yaml:"caFile"`
}

// Author is a commit author.
type Author struct {
	// Name is the author name.
	Name string `yaml:"name"`
	// Email is the author email address.
	Email string `yaml:"email"`
}

// Signing holds a commit signing key: OpenPGP or SSH, not both.
type Signing struct {
	// OpenPGPKeyFile holds an armored OpenPGP private key.
	OpenPGPKeyFile string `yaml:"openPGPKeyFile"`
	// OpenPGPPassphraseFile holds the passphrase of OpenPGPKeyFile.
	OpenPGPPassphraseFile string `yaml:"openPGPPassphraseFile"`
	// SSHKeyFile holds an SSH private key used for SSH signatures.
	SSHKeyFile string `yaml:"sshKeyFile"`
}

// usernameRef returns where the user name file is; use Username first.
func (a GitAuth) usernameRef() SecretRef { return SecretRef{File: a.UsernameFile} }

// password returns where the HTTP password is.
func (a GitAuth) password() SecretRef { return SecretRef{File: a.PasswordFile, Env: a.PasswordEnv} }

// token returns where the HTTP token is.
func (a GitAuth) token() SecretRef { return SecretRef{File: a.TokenFile, Env: a.TokenEnv} }

// sshPassphrase returns where the passphrase of the SSH key is.
func (a GitAuth) sshPassphrase() SecretRef { return SecretRef{File: a.SSHPassphraseFile} }

// openPGPPassphrase returns where the passphrase of the OpenPGP key is.
func (s Signing) openPGPPassphrase() SecretRef { return SecretRef{File: s.OpenPGPPassphraseFile} }

// PullRequest says how hoist proposes its commits for review.
type PullRequest struct {
	// Provider is the forge: gitea (also for Forgejo), github or gitlab.
	// Empty means no pull requests.
	Provider string `yaml:"provider"`
	// URL is the forge's API base. The default is derived from the
	// repository URL.
	URL string `yaml:"url"`
	// TokenFile and TokenEnv hold the API token. The default is the
	// repository's auth token.
	TokenFile string `yaml:"tokenFile"`
	TokenEnv  string `yaml:"tokenEnv"`
	// Labels, Reviewers and Assignees are set on each pull request.
	Labels    []string `yaml:"labels"`
	Reviewers []string `yaml:"reviewers"`
	Assignees []string `yaml:"assignees"`
	// Draft opens pull requests as drafts where the forge supports it.
	Draft bool `yaml:"draft"`
	// AutoMerge asks the forge to merge once checks pass, where it can.
	AutoMerge bool `yaml:"autoMerge"`
	// Per is "repository" (the default: one pull request for the pass) or
	// "policy" (one branch and pull request per policy, or per group).
	Per string `yaml:"per"`
	// CAFile holds PEM certificates trusted for the API, in addition to
	// the system roots. The default is the repository's auth caFile.
	CAFile string `yaml:"caFile"`
}

// The providers and per values of PullRequest.
const (
	ProviderGitea  = "gitea"
	ProviderGitHub = "github"
	ProviderGitLab = "gitlab"
	PerRepository  = "repository"
	PerPolicy      = "policy"
)

// Enabled reports whether pull requests are configured.
func (p PullRequest) Enabled() bool { return p.Provider != "" }

// PullRequestToken returns where the API token is: the block's own, or the
// repository's auth token.
func (r Repository) PullRequestToken() SecretRef {
	if t := (SecretRef{File: r.PullRequest.TokenFile, Env: r.PullRequest.TokenEnv}); !t.isZero() {
		return t
	}
	return r.Auth.token()
}
