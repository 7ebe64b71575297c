package config

// Webhook kinds: the payload formats hoist understands.
const (
	WebhookDistribution = "distribution"
	WebhookDockerHub    = "dockerhub"
	WebhookGitHub       = "github"
	WebhookHarbor       = "harbor"
	WebhookQuay         = "quay"
	WebhookGeneric      = "generic"
)

// WebhookKinds returns every accepted Webhook.Kind.
func WebhookKinds() []string {
	return []string{WebhookDistribution, WebhookDockerHub, WebhookGitHub,
		WebhookHarbor, WebhookQuay, WebhookGeneric}
}

// Webhook enables the registry webhook endpoint /hooks/<Kind>.
type Webhook struct {
	// Kind is the payload format, one of [WebhookKinds]. It must be unique.
	Kind string `yaml:"kind"`
	// SecretFile holds the secret that authenticates requests (a shared
	// token or HMAC key, depending on Kind). Set it or SecretEnv.
	SecretFile string `yaml:"secretFile"`
	// SecretEnv names the environment variable holding the secret.
	SecretEnv string `yaml:"secretEnv"`
}

// Secret returns where the webhook secret is.
func (w Webhook) Secret() SecretRef { return SecretRef{File: w.SecretFile, Env: w.SecretEnv} }
