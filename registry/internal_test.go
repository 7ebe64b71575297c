package registry

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"0":                             0,
		"7":                             7 * time.Second,
		"Thu, 01 Jan 2026 00:00:30 GMT": 30 * time.Second,
		"Wed, 31 Dec 2025 23:00:00 GMT": 0,
	} {
		got, ok := retryAfter(in, now)
		if !ok || got != want {
			t.Errorf("retryAfter(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "-1", "soon"} {
		if _, ok := retryAfter(bad, now); ok {
			t.Errorf("retryAfter(%q) accepted", bad)
		}
	}
}

func TestParseChallenge(t *testing.T) {
	scheme, params := parseChallenge(`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push"`)
	want := map[string]string{"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
		"scope": "repository:library/nginx:pull,push"}
	if diff := cmp.Diff(want, params); scheme != "bearer" || diff != "" {
		t.Errorf("parseChallenge scheme %q, params (-want +got):\n%s", scheme, diff)
	}
	if scheme, params := parseChallenge(`Basic realm=reg`); scheme != "basic" || params["realm"] != "reg" {
		t.Errorf("parseChallenge basic = %q %v", scheme, params)
	}
}

func TestParseLink(t *testing.T) {
	for in, want := range map[string]string{
		`</v2/a/tags/list?last=x&n=10>; rel="next"`:                 "/v2/a/tags/list?last=x&n=10",
		`<https://r/v2/a/tags/list?n=1&last=b>; rel=next`:           "https://r/v2/a/tags/list?n=1&last=b",
		`</prev>; rel="prev", </v2/a/tags/list?last=c>; rel="next"`: "/v2/a/tags/list?last=c",
		`garbage`: "",
	} {
		got, _ := parseLink(in)
		if got != want {
			t.Errorf("parseLink(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", errors.New(`Get "https://user:pa55@reg.example.com/v2/x?token=abc": EOF`))
	got := redact(err).Error()
	want := `wrapped: Get "https://REDACTED@reg.example.com/v2/x?REDACTED": EOF`
	if got != want {
		t.Errorf("redact = %q, want %q", got, want)
	}
	if !errors.Is(redact(err), err) {
		t.Error("redacted error does not unwrap to the original")
	}
}

func FuzzRedactText(f *testing.F) {
	f.Add(`https://u:p@h/x?y=z`)
	f.Add(`a://@?`)
	f.Fuzz(func(t *testing.T, s string) {
		out := redactText(s)
		if redactText(out) != out {
			t.Errorf("redactText not idempotent on %q", s)
		}
	})
}

func TestHostConfigDefaults(t *testing.T) {
	o, err := makeOptions([]Option{
		WithDefaults(HostConfig{RPS: 5}),
		WithHost("docker.io", HostConfig{MaxConcurrent: 1}),
		WithHost("ghcr.io", HostConfig{Burst: 3, CAFile: "/ca.pem"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]HostConfig{
		"index.docker.io": {RPS: 5, Burst: 10, MaxConcurrent: 1},
		"ghcr.io":         {RPS: 5, Burst: 3, MaxConcurrent: 8, CAFile: "/ca.pem"},
		"quay.io":         {RPS: 5, Burst: 40, MaxConcurrent: 8},
	} {
		if diff := cmp.Diff(want, o.hostConfig(host)); diff != "" {
			t.Errorf("hostConfig(%s) mismatch (-want +got):\n%s", host, diff)
		}
	}
	for name, opt := range map[string]Option{
		"max tags 0":        WithMaxTags(0),
		"negative burst":    WithHost("a.io", HostConfig{Burst: -1}),
		"cert without key":  WithHost("a.io", HostConfig{CertFile: "c.pem"}),
		"user without pass": WithDefaults(HostConfig{UsernameFile: "u"}),
		"empty host":        WithHost("", HostConfig{}),
	} {
		if _, err := makeOptions([]Option{opt}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
