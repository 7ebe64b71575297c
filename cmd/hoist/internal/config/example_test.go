package config_test

import (
	"fmt"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/config"
)

func ExampleParse() {
	c, err := config.Parse("config.yaml", []byte(`apiVersion: hoist.dev/v1alpha1
kind: Config
repositories:
  - url: ssh://git@github.com/acme/config.git
    auth: {sshKeyFile: /etc/hoist/ssh/identity}
webhooks:
  - kind: distribution
    secretEnv: HOOK_SECRET
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := c.Repositories[0]
	fmt.Println(r.Name, r.Schedule)
	fmt.Println("webhook secret from", c.Webhooks[0].Secret())

	_, err = config.Parse("config.yaml", []byte(`apiVersion: hoist.dev/v1alpha1
kind: Config
repositories:
  - url: https://github.com/acme/config.git
    schedul: "@hourly"
    auth: {username: hoist, token: ghp_example}
`))
	fmt.Println(err)
	// Output:
	// acme-config @every 5m
	// webhook secret from env HOOK_SECRET
	// config.yaml:5: repositories[0].schedul: unknown key (did you mean "schedule"?)
	// config.yaml:6: repositories[0].auth.token: inline secrets are not allowed; use tokenFile or tokenEnv to name a file or environment variable holding it
}
