package gitwriter

import (
	"errors"

	git "github.com/go-git/go-git/v5"
)

// SigningKey says how to sign commits.
type SigningKey struct {
	// Format is "openpgp" (the default when empty) or "ssh" (git's gpg.format=ssh).
	Format string
	// KeyFile is an armored OpenPGP private key, or an OpenSSH private key.
	KeyFile string
	// PassphraseFile holds the key's passphrase, if it has one.
	PassphraseFile string
}

func (k SigningKey) load() (git.Signer, error) {
	return nil, errors.New("signing is not implemented yet")
}
