package gitwriter

import (
	"bytes"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	git "github.com/go-git/go-git/v5"
	"golang.org/x/crypto/ssh"
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
	pass, err := readSecret(k.PassphraseFile, "signing key passphrase")
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(k.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("reading signing key: %w", err)
	}
	switch k.Format {
	case "", "openpgp":
		return loadOpenPGP(b, pass)
	case "ssh":
		return loadSSHSigner(b, pass)
	}
	return nil, fmt.Errorf("unknown signing format %q (want openpgp or ssh)", k.Format)
}

// pgpSigner makes armored detached OpenPGP signatures.
type pgpSigner struct{ e *openpgp.Entity }

func loadOpenPGP(key []byte, pass string) (git.Signer, error) {
	ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(key))
	if err != nil {
		return nil, fmt.Errorf("reading OpenPGP signing key: %w", err)
	}
	if len(ring) == 0 || ring[0].PrivateKey == nil {
		return nil, errors.New("reading OpenPGP signing key: no private key in the file")
	}
	e := ring[0]
	if e.PrivateKey.Encrypted {
		if pass == "" {
			return nil, errors.New("OpenPGP signing key is encrypted and no passphrase file is set")
		}
		if err := e.DecryptPrivateKeys([]byte(pass)); err != nil {
			return nil, errors.New("decrypting OpenPGP signing key: wrong passphrase or unsupported key")
		}
	}
	return pgpSigner{e: e}, nil
}

func (s pgpSigner) Sign(message io.Reader) ([]byte, error) {
	var b bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&b, s.e, message, nil); err != nil {
		return nil, fmt.Errorf("signing commit: %w", err)
	}
	return b.Bytes(), nil
}

// sshSigner makes SSHSIG signatures in the "git" namespace, as
// `ssh-keygen -Y sign -n git` does (git's gpg.format=ssh).
type sshSigner struct{ s ssh.Signer }

func loadSSHSigner(key []byte, pass string) (git.Signer, error) {
	var s ssh.Signer
	var err error
	if pass != "" {
		s, err = ssh.ParsePrivateKeyWithPassphrase(key, []byte(pass))
	} else {
		s, err = ssh.ParsePrivateKey(key)
	}
	if err != nil {
		return nil, errors.New("reading SSH signing key: not a private key, or wrong passphrase")
	}
	return sshSigner{s: s}, nil
}

const sshsigMagic = "SSHSIG"

func (s sshSigner) Sign(message io.Reader) ([]byte, error) {
	h := sha512.New()
	if _, err := io.Copy(h, message); err != nil {
		return nil, fmt.Errorf("signing commit: %w", err)
	}
	signed := []byte(sshsigMagic)
	for _, f := range [][]byte{[]byte("git"), nil, []byte("sha512"), h.Sum(nil)} {
		signed = appendString(signed, f)
	}
	sig, err := s.sign(signed)
	if err != nil {
		return nil, fmt.Errorf("signing commit: %w", err)
	}
	blob := []byte(sshsigMagic)
	blob = binary.BigEndian.AppendUint32(blob, 1)
	for _, f := range [][]byte{s.s.PublicKey().Marshal(), []byte("git"), nil, []byte("sha512"), ssh.Marshal(sig)} {
		blob = appendString(blob, f)
	}
	return armorSSHSig(blob), nil
}

// sign uses rsa-sha2-512 for RSA keys, as ssh-keygen does, and the key's own
// algorithm otherwise.
func (s sshSigner) sign(data []byte) (*ssh.Signature, error) {
	if as, ok := s.s.(ssh.AlgorithmSigner); ok && s.s.PublicKey().Type() == ssh.KeyAlgoRSA {
		return as.SignWithAlgorithm(rand.Reader, data, ssh.KeyAlgoRSASHA512)
	}
	return s.s.Sign(rand.Reader, data)
}

func appendString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func armorSSHSig(blob []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(blob)
	var b strings.Builder
	b.WriteString("-----BEGIN SSH SIGNATURE-----\n")
	for len(enc) > 70 {
		b.WriteString(enc[:70] + "\n")
		enc = enc[70:]
	}
	b.WriteString(enc + "\n-----END SSH SIGNATURE-----\n")
	return []byte(b.String())
}
