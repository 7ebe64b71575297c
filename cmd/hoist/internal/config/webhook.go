package config

// Webhook kinds: the payload formats hoist understands.
const (
	webhookDistribution = "distribution"
	webhookDockerHub    = "dockerhub"
	webhookGitHub       = "github"
	webhookHarbor       = "harbor"
	webhookQuay         = "quay"
	webhookGeneric      = "generic"
)

// webhookKinds returns every accepted Webhook.Kind.
func webhookKinds() []string {
	return []string{webhookDistribution, webhookDockerHub, webhookGitHub,
		webhookHarbor, webhookQuay, webhookGeneric}
}

// Webhook enables the registry webhook endpoint /hooks/<Kind>.
type Webhook struct {
	// Kind is the payload format, one of distribution, dockerhub, github,
	// harbor, quay and generic. It must be unique.
	Kind string `yaml:"kind"`
	// SecretFile holds the secret that authenticates requests (a shared
	// token or HMAC key, depending on Kind). Set it or SecretEnv.
	SecretFile string `yaml:"secretFile"`
	// SecretEnv names the environment variable holding the secret.
	SecretEnv string `yaml:"secretEnv"`
}

// Secret returns where the webhook secret is.
func (w Webhook) Secret() SecretRef { return SecretRef{File: w.SecretFile, Env: w.SecretEnv} }
