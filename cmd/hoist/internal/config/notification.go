package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Notification is one destination of hoist's notifications.
type Notification struct {
	// Name identifies the destination in logs and metrics. The default is
	// <kind>-<index>.
	Name string `yaml:"name"`
	// Kind is slack, msteams or webhook (CloudEvents 1.0, HMAC-signed).
	Kind string `yaml:"kind"`
	// URLFile and URLEnv hold the destination URL, a secret: Slack and
	// Teams URLs carry a token. Set exactly one.
	URLFile string `yaml:"urlFile"`
	URLEnv  string `yaml:"urlEnv"`
	// SecretFile and SecretEnv hold the HMAC key of the webhook kind.
	SecretFile string `yaml:"secretFile"`
	SecretEnv  string `yaml:"secretEnv"`
	// Events are the events sent: commit, pullRequest, hold, failing and
	// recovered. The default is all.
	Events []string `yaml:"events"`
	// Repositories limits the events to these repositories (names or
	// path.Match patterns). The default is all.
	Repositories []string `yaml:"repositories"`
}

// URL returns where the destination URL is.
func (n Notification) URL() SecretRef { return SecretRef{File: n.URLFile, Env: n.URLEnv} }

// Secret returns where the HMAC key is.
func (n Notification) Secret() SecretRef { return SecretRef{File: n.SecretFile, Env: n.SecretEnv} }

// NotificationSettings say when a repository is failing.
type NotificationSettings struct {
	// FailingAfterFailures is how many passes in a row must fail before a
	// failing event is sent. The default is 3.
	FailingAfterFailures int `yaml:"failingAfterFailures"`
	// FailingAfter is how long passes must have been failing before a
	// failing event is sent, a Go duration ("15m"). The default is 15m.
	FailingAfter string `yaml:"failingAfter"`
}

// FailingAfterDuration is FailingAfter parsed; 0 means the default.
func (s NotificationSettings) FailingAfterDuration() time.Duration {
	d, _ := time.ParseDuration(s.FailingAfter) // validated
	return d
}

// notificationKinds and notificationEvents are the accepted values.
func notificationKinds() []string { return []string{"slack", "msteams", "webhook"} }
func notificationEvents() []string {
	return []string{"commit", "pullRequest", "hold", "failing", "recovered"}
}

func destinationName() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]{1,63}$`) }

func (v *validator) notification(p string, n Notification) {
	if !slices.Contains(notificationKinds(), n.Kind) {
		v.addf(p+".kind", "must be one of %s, got %q", strings.Join(notificationKinds(), ", "), n.Kind)
	}
	if n.Name != "" && !destinationName().MatchString(n.Name) {
		v.addf(p+".name", "must be 1 to 63 letters, digits, '.', '_' or '-'")
	}
	if n.URL().isZero() {
		v.addf(p, "urlFile or urlEnv is required")
	}
	v.oneOf(p, "urlFile", n.URLFile, "urlEnv", n.URLEnv)
	v.oneOf(p, "secretFile", n.SecretFile, "secretEnv", n.SecretEnv)
	if !n.Secret().isZero() && n.Kind != "webhook" {
		v.addf(p, "secretFile/secretEnv sign the webhook kind only")
	}
	for i, e := range n.Events {
		if !slices.Contains(notificationEvents(), e) {
			v.addf(fmt.Sprintf("%s.events[%d]", p, i), "must be one of %s, got %q", strings.Join(notificationEvents(), ", "), e)
		}
	}
}

func (v *validator) notificationSettings(s NotificationSettings) {
	if s.FailingAfterFailures < 0 {
		v.addf("notificationSettings.failingAfterFailures", "must not be negative")
	}
	if s.FailingAfter != "" {
		if d, err := time.ParseDuration(s.FailingAfter); err != nil || d < 0 {
			v.addf("notificationSettings.failingAfter", "must be a duration such as 15m")
		}
	}
}
