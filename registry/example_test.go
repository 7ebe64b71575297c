package registry_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/hoist-dev/hoist/registry"
)

func ExampleParseWebhook() {
	secret := []byte("webhook-secret")
	body := `{"image": "ghcr.io/acme/api", "tag": "1.4.2"}`
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(body))
	r := httptest.NewRequest(http.MethodPost, "/hooks/generic", strings.NewReader(body))
	r.Header.Set("X-Hoist-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))

	events, err := registry.ParseWebhook("generic", r, secret)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range events {
		fmt.Println(e.Repository, e.Tag)
	}
	// Output: ghcr.io/acme/api 1.4.2
}

func ExampleNormalizeRepository() {
	for _, repo := range []string{"nginx", "docker.io/acme/api", "ghcr.io/acme/api"} {
		n, _ := registry.NormalizeRepository(repo)
		fmt.Println(n)
	}
	// Output:
	// index.docker.io/library/nginx
	// index.docker.io/acme/api
	// ghcr.io/acme/api
}
