package registry_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hoist-dev/hoist/registry"
)

const hookSecret = "s3cr3t-hook"

func sign(body string) string {
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

type hookCase struct {
	kind    string
	path    string
	headers map[string]string
	body    string
	want    []registry.Event
	wantErr error
}

const distributionBody = `{"events":[
 {"action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"acme/api","tag":"1.2.3","url":"https://reg.example.com:5000/v2/acme/api/manifests/sha256:abc"},"request":{"host":"reg.example.com:5000"}},
 {"action":"push","target":{"mediaType":"application/octet-stream","repository":"acme/api","url":"https://reg.example.com:5000/v2/acme/api/blobs/sha256:def"}},
 {"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"acme/api","tag":"1.2.3"},"request":{"host":"reg.example.com:5000"}},
 {"action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"acme/api","tag":"1.2.3","url":"https://reg.example.com:5000/v2/acme/api/manifests/sha256:abc"}}
]}`

const githubBody = `{"action":"published","package":{"name":"api","namespace":"Acme","package_type":"CONTAINER",
 "package_version":{"package_url":"ghcr.io/acme/api:2.0.0","container_metadata":{"tag":{"name":"2.0.0","digest":"sha256:1"}}}}}`

const harborBody = `{"type":"PUSH_ARTIFACT","event_data":{"resources":[{"digest":"sha256:1","tag":"v3","resource_url":"harbor.example.com/library/web:v3"}],"repository":{"name":"web","namespace":"library"}}}`

func hookCases() map[string]hookCase {
	return map[string]hookCase{
		"distribution": {kind: "distribution", headers: map[string]string{"Authorization": hookSecret}, body: distributionBody,
			want: []registry.Event{{Repository: "reg.example.com:5000/acme/api", Tag: "1.2.3"}}},
		"distribution bearer": {kind: "distribution", headers: map[string]string{"Authorization": "Bearer " + hookSecret}, body: distributionBody,
			want: []registry.Event{{Repository: "reg.example.com:5000/acme/api", Tag: "1.2.3"}}},
		"distribution wrong secret": {kind: "distribution", headers: map[string]string{"Authorization": "nope"}, body: distributionBody, wantErr: registry.ErrUnauthorized},
		"distribution no secret":    {kind: "distribution", body: distributionBody, wantErr: registry.ErrUnauthorized},
		"distribution bad json":     {kind: "distribution", headers: map[string]string{"Authorization": hookSecret}, body: `{"events":[`, wantErr: registry.ErrMalformed},
		"dockerhub": {kind: "dockerhub", path: "/hooks/dockerhub/" + hookSecret,
			body: `{"push_data":{"tag":"latest"},"repository":{"repo_name":"acme/web"}}`,
			want: []registry.Event{{Repository: "index.docker.io/acme/web", Tag: "latest"}}},
		"dockerhub official": {kind: "dockerhub", path: "/hooks/dockerhub/" + hookSecret,
			body: `{"push_data":{"tag":"1.27"},"repository":{"repo_name":"library/nginx"}}`,
			want: []registry.Event{{Repository: "index.docker.io/library/nginx", Tag: "1.27"}}},
		"dockerhub wrong path": {kind: "dockerhub", path: "/hooks/dockerhub/guess",
			body: `{"push_data":{"tag":"latest"},"repository":{"repo_name":"acme/web"}}`, wantErr: registry.ErrUnauthorized},
		"dockerhub no repo": {kind: "dockerhub", path: "/hooks/dockerhub/" + hookSecret, body: `{}`, wantErr: registry.ErrMalformed},
		"github": {kind: "github", headers: map[string]string{"X-Hub-Signature-256": sign(githubBody), "X-GitHub-Event": "package"}, body: githubBody,
			want: []registry.Event{{Repository: "ghcr.io/acme/api", Tag: "2.0.0"}}},
		"github bad signature": {kind: "github", headers: map[string]string{"X-Hub-Signature-256": sign("other")}, body: githubBody, wantErr: registry.ErrUnauthorized},
		"github ping": {kind: "github", headers: map[string]string{"X-Hub-Signature-256": sign(`{"zen":"x"}`), "X-GitHub-Event": "ping"}, body: `{"zen":"x"}`,
			want: []registry.Event{}},
		"harbor": {kind: "harbor", headers: map[string]string{"Authorization": hookSecret}, body: harborBody,
			want: []registry.Event{{Repository: "harbor.example.com/library/web", Tag: "v3"}}},
		"harbor other type": {kind: "harbor", headers: map[string]string{"Authorization": hookSecret}, body: `{"type":"DELETE_ARTIFACT"}`,
			want: []registry.Event{}},
		"quay": {kind: "quay", path: "/hooks/quay/" + hookSecret,
			body: `{"repository":"acme/db","docker_url":"quay.io/acme/db","updated_tags":["a","b","a"]}`,
			want: []registry.Event{{Repository: "quay.io/acme/db", Tag: "a"}, {Repository: "quay.io/acme/db", Tag: "b"}}},
		"generic": {kind: "generic", headers: map[string]string{"X-Hoist-Signature-256": sign(`{"image":"ghcr.io/acme/x","tag":"9"}`)},
			body: `{"image":"ghcr.io/acme/x","tag":"9"}`, want: []registry.Event{{Repository: "ghcr.io/acme/x", Tag: "9"}}},
		"generic unsigned": {kind: "generic", body: `{"image":"ghcr.io/acme/x","tag":"9"}`, wantErr: registry.ErrUnauthorized},
		"generic bad image": {kind: "generic", headers: map[string]string{"X-Hoist-Signature-256": sign(`{"image":"UPPER/Case!!","tag":"9"}`)},
			body: `{"image":"UPPER/Case!!","tag":"9"}`, wantErr: registry.ErrMalformed},
	}
}

func (c hookCase) request() *http.Request {
	path := c.path
	if path == "" {
		path = "/hooks/" + c.kind
	}
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(c.body))
	for k, v := range c.headers {
		r.Header.Set(k, v)
	}
	return r
}

func TestParseWebhook(t *testing.T) {
	for name, tc := range hookCases() {
		t.Run(name, func(t *testing.T) {
			got, err := registry.ParseWebhook(tc.kind, tc.request(), []byte(hookSecret))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("ParseWebhook error = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseWebhook mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseWebhookRefusesEmptySecretAndUnknownKind(t *testing.T) {
	tc := hookCases()["generic"]
	if _, err := registry.ParseWebhook("generic", tc.request(), nil); !errors.Is(err, registry.ErrUnauthorized) {
		t.Errorf("empty secret: error %v, want ErrUnauthorized", err)
	}
	if _, err := registry.ParseWebhook("gitlab", tc.request(), []byte(hookSecret)); err == nil {
		t.Error("unknown kind accepted")
	}
	big := hookCase{kind: "generic", body: strings.Repeat("x", 2<<20)}
	if _, err := registry.ParseWebhook("generic", big.request(), []byte(hookSecret)); !errors.Is(err, registry.ErrMalformed) {
		t.Errorf("2 MiB body: error %v, want ErrMalformed", err)
	}
}

// FuzzParseWebhook feeds arbitrary bodies (validly signed or authorised) to
// every parser: no panic, and either events with canonical names or an error.
func FuzzParseWebhook(f *testing.F) {
	for _, tc := range hookCases() {
		f.Add(tc.kind, tc.body)
	}
	f.Fuzz(func(t *testing.T, kind, body string) {
		tc := hookCase{kind: kind, body: body, path: "/hooks/x/" + hookSecret, headers: map[string]string{
			"Authorization": hookSecret, "X-Hub-Signature-256": sign(body), "X-Hoist-Signature-256": sign(body)}}
		events, err := registry.ParseWebhook(kind, tc.request(), []byte(hookSecret))
		if err != nil {
			return
		}
		for _, e := range events {
			n, err := registry.NormalizeRepository(e.Repository)
			if err != nil || n != e.Repository {
				t.Errorf("event repository %q is not canonical (%q, %v)", e.Repository, n, err)
			}
		}
	})
}
