package gitwriter

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// Auth holds the credentials of a remote. Secrets are file paths, or funcs
// that return the secret from memory (an environment variable, a secret
// store) so it never touches the disk. Both are read at each network
// operation, so rotated secrets take effect; a func wins over the file of
// the same secret. The zero value means no credentials.
type Auth struct {
	// SSHKeyFile is the private key for ssh:// and scp-like URLs.
	SSHKeyFile string
	// SSHPassphraseFile holds the key's passphrase, if it has one.
	SSHPassphraseFile string
	// SSHPassphrase returns the key's passphrase; it wins over SSHPassphraseFile.
	SSHPassphrase func() (string, error)
	// KnownHostsFile lists the trusted host keys. Empty means the standard
	// known_hosts files (SSH_KNOWN_HOSTS or ~/.ssh/known_hosts); unknown or
	// mismatched host keys are always refused unless InsecureSkipHostKeyCheck.
	KnownHostsFile string
	// InsecureSkipHostKeyCheck accepts any host key. Logged as a warning.
	InsecureSkipHostKeyCheck bool
	// Username is the HTTPS user name (or the SSH user when the URL has none).
	Username string
	// UsernameFile holds the user name, when it is kept as a secret.
	UsernameFile string
	// PasswordFile holds the HTTPS password.
	PasswordFile string
	// Password returns the HTTPS password; it wins over PasswordFile.
	Password func() (string, error)
	// TokenFile holds an HTTPS access token, sent as the basic-auth password.
	TokenFile string
	// Token returns an HTTPS access token; it wins over TokenFile.
	Token func() (string, error)
	// CAFile is a PEM bundle trusted for HTTPS in addition to the system roots.
	CAFile string
}

// LogValue shows which kinds of credentials are set, as booleans only:
// never their contents, nor where they are kept.
func (a Auth) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("ssh_key", a.SSHKeyFile != ""),
		slog.Bool("ssh_passphrase", a.SSHPassphraseFile != "" || a.SSHPassphrase != nil),
		slog.Bool("known_hosts", a.KnownHostsFile != ""),
		slog.Bool("insecure_skip_host_key_check", a.InsecureSkipHostKeyCheck),
		slog.Bool("username", a.Username != "" || a.UsernameFile != ""),
		slog.Bool("password", a.PasswordFile != "" || a.Password != nil),
		slog.Bool("token", a.TokenFile != "" || a.Token != nil),
		slog.Bool("ca_file", a.CAFile != ""),
	)
}

// credentials are what one network operation needs.
type credentials struct {
	method   transport.AuthMethod
	caBundle []byte
	secrets  []string
}

// secret returns the secret from fn when set, else from the file at path.
func secret(fn func() (string, error), path, what string) (string, error) {
	if fn == nil {
		return readSecret(path, what)
	}
	s, err := fn()
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", what, err)
	}
	return strings.TrimRight(s, "\r\n"), nil
}

func readSecret(path, what string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading %s file: %w", what, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// load reads the secret files and builds the go-git auth method for ep;
// fromURL are credentials that came in the URL.
func (a Auth) load(ep *transport.Endpoint, fromURL *url.Userinfo, log *slog.Logger) (*credentials, error) {
	c := &credentials{}
	if a.CAFile != "" {
		b, err := os.ReadFile(a.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading CA file: %w", err)
		}
		c.caBundle = b
	}
	var err error
	switch ep.Protocol {
	case "ssh":
		c.method, err = a.sshAuth(ep, log)
	case "http", "https":
		c.method, c.secrets, err = a.httpAuth()
		if c.method == nil && err == nil && fromURL != nil {
			pass, _ := fromURL.Password()
			c.method = &http.BasicAuth{Username: fromURL.Username(), Password: pass}
		}
	}
	return c, err
}

func (a Auth) httpAuth() (transport.AuthMethod, []string, error) {
	user, err := readSecret(a.UsernameFile, "username")
	if err != nil {
		return nil, nil, err
	}
	if user == "" {
		user = a.Username
	}
	pass, err := secret(a.Password, a.PasswordFile, "password")
	if err != nil {
		return nil, nil, err
	}
	token, err := secret(a.Token, a.TokenFile, "token")
	if err != nil {
		return nil, nil, err
	}
	if token != "" {
		pass = token
		if user == "" {
			user = "x-access-token"
		}
	}
	if user == "" && pass == "" {
		return nil, nil, nil
	}
	return &http.BasicAuth{Username: user, Password: pass}, []string{pass}, nil
}

func (a Auth) sshAuth(ep *transport.Endpoint, log *slog.Logger) (transport.AuthMethod, error) {
	user := ep.User
	if user == "" {
		user = a.Username
	}
	if user == "" {
		user = "git"
	}
	if a.SSHKeyFile == "" {
		return nil, fmt.Errorf("an ssh remote needs an SSH key file")
	}
	pass, err := secret(a.SSHPassphrase, a.SSHPassphraseFile, "ssh passphrase")
	if err != nil {
		return nil, err
	}
	keys, err := gitssh.NewPublicKeysFromFile(user, a.SSHKeyFile, pass)
	if err != nil {
		return nil, fmt.Errorf("loading ssh key %s: %w", a.SSHKeyFile, err)
	}
	if a.InsecureSkipHostKeyCheck {
		log.Warn("ssh host key check disabled: any server can impersonate the remote", "host", ep.Host)
		keys.HostKeyCallback = ssh.InsecureIgnoreHostKey() //nolint:gosec // explicit opt-in
		return keys, nil
	}
	var files []string
	if a.KnownHostsFile != "" {
		files = []string{a.KnownHostsFile}
	}
	db, err := gitssh.NewKnownHostsDb(files...)
	if err != nil {
		return nil, fmt.Errorf("loading known_hosts: %w", err)
	}
	port := ep.Port
	if port == 0 {
		port = 22
	}
	keys.HostKeyCallback = db.HostKeyCallback()
	keys.HostKeyAlgorithms = db.HostKeyAlgorithms(net.JoinHostPort(ep.Host, fmt.Sprint(port)))
	return keys, nil
}
