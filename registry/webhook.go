package registry

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
)

// Webhook errors; ParseWebhook wraps one of them so a handler can answer
// 401 or 400.
var (
	// ErrUnauthorized means the request's secret or signature is missing or wrong.
	ErrUnauthorized = errors.New("webhook not authenticated")
	// ErrMalformed means the request body is not a payload of the kind.
	ErrMalformed = errors.New("malformed webhook")
)

// maxWebhookBody is the largest webhook body read.
const maxWebhookBody = 1 << 20

// Event says that a tag of a repository changed.
type Event struct {
	// Repository is the canonical repository name, as NormalizeRepository
	// returns it ("ghcr.io/acme/api", "index.docker.io/library/nginx").
	Repository string
	// Tag is the pushed tag; "" when a manifest was pushed by digest only.
	Tag string
}

// webhookParser authenticates r (whose body is in body) and decodes events.
type webhookParser func(r *http.Request, body, secret []byte) ([]Event, error)

var webhookParsers = map[string]webhookParser{
	"distribution": parseDistribution,
	"dockerhub":    parseDockerHub,
	"github":       parseGitHub,
	"harbor":       parseHarbor,
	"quay":         parseQuay,
	"generic":      parseGeneric,
}

// ParseWebhook authenticates a registry push notification and returns the
// repositories and tags it names, deduplicated. Kinds and how secret is
// checked:
//
//   - "distribution": CNCF distribution notifications; the Authorization
//     header equals secret.
//   - "dockerhub", "quay": secret is the last element of the URL path.
//   - "github": X-Hub-Signature-256 is the HMAC-SHA256 of the body with secret.
//   - "harbor": the Authorization header equals secret.
//   - "generic": {"image": "host/repo", "tag": "..."} with the HMAC-SHA256 of
//     the body in X-Hoist-Signature-256 (or X-Hub-Signature-256), "sha256=<hex>".
//
// An empty secret is refused. Errors wrap ErrUnauthorized or ErrMalformed.
func ParseWebhook(kind string, r *http.Request, secret []byte) ([]Event, error) {
	parse, ok := webhookParsers[kind]
	if !ok {
		return nil, fmt.Errorf("parsing webhook: unknown kind %q", kind)
	}
	if len(secret) == 0 {
		return nil, fmt.Errorf("parsing %s webhook: no secret configured: %w", kind, ErrUnauthorized)
	}
	if r.Body == nil {
		return nil, fmt.Errorf("parsing %s webhook: no body: %w", kind, ErrMalformed)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil {
		return nil, fmt.Errorf("parsing %s webhook: reading body: %w", kind, err)
	}
	if len(body) > maxWebhookBody {
		return nil, fmt.Errorf("parsing %s webhook: body larger than %d bytes: %w", kind, maxWebhookBody, ErrMalformed)
	}
	events, err := parse(r, body, secret)
	if err != nil {
		return nil, fmt.Errorf("parsing %s webhook: %w", kind, err)
	}
	return dedupe(events), nil
}

func dedupe(events []Event) []Event {
	seen := map[Event]bool{}
	out := []Event{}
	for _, e := range events {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// checkEqual compares a presented secret with the configured one in
// constant time.
func checkEqual(got string, secret []byte) error {
	if got == "" || subtle.ConstantTimeCompare([]byte(got), secret) != 1 {
		return ErrUnauthorized
	}
	return nil
}

// checkHeader accepts "Authorization: <secret>" and "Authorization: Bearer <secret>".
func checkHeader(r *http.Request, secret []byte) error {
	h := r.Header.Get("Authorization")
	if checkEqual(h, secret) == nil {
		return nil
	}
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		return checkEqual(tok, secret)
	}
	return ErrUnauthorized
}

func checkPathSecret(r *http.Request, secret []byte) error {
	return checkEqual(path.Base(r.URL.Path), secret)
}

// checkHMAC verifies a "sha256=<hex>" signature of body.
func checkHMAC(sig string, body, secret []byte) error {
	hexSum, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return ErrUnauthorized
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return ErrUnauthorized
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrUnauthorized
	}
	return nil
}

// event makes an Event of a repository name, canonicalised.
func event(repo, tag string) (Event, error) {
	n, err := NormalizeRepository(repo)
	if err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return Event{Repository: n, Tag: tag}, nil
}
