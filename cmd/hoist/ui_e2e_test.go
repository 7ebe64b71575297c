package main

import (
	"encoding/json"
	"fmt"
	"image/color"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/ui/uitest"
)

// TestStatusPage starts `hoist run` against a real registry and git
// daemon, and loads its status page in real headless Chromium: the
// repositories, their policies and last pass show; a file named like a
// script shows as text; the JSON matches.
func TestStatusPage(t *testing.T) {
	bin := uitest.ChromiumPath(t)
	hostile := "apps/<script>alert(1)</script>.yaml" // a directory "apps/<script>alert(1)<" and a file "script>.yaml"
	d := newDaemonWorldFiles(t, "", map[string]string{hostile: "a: [ # {\"$imagepolicy\": \"apps:api\"}\n"})
	pushDemoTags(t, d.world)
	d.start(t)
	url := "http://" + d.addr + "/"

	dom := string(uitest.Chromium(t, bin, url, "--dump-dom"))
	for _, want := range []string{"demo", "apps:api", "apps:web", d.reg.Repo("acme/api"),
		"&lt;script&gt;alert(1)&lt;/script&gt;.yaml"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
	if strings.Contains(strings.ToLower(dom), "<script") {
		t.Error("the rendered page holds a script element")
	}
	shot := filepath.Join(t.TempDir(), "status.png")
	uitest.Chromium(t, bin, url, "--screenshot="+shot, "--window-size=1280,900")
	uitest.CheckScreenshot(t, shot, 1280, 900, 20<<10, color.RGBA{0x3b, 0x6f, 0xd8, 0xff}) // size and weight

	resp, err := http.Get("http://" + d.addr + "/api/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Repositories []struct {
			Name     string
			LastPass struct{ Result string }
			NextPass time.Time
			Policies []struct{ ID, Selected string }
			History  []struct{ Policy, From, To, Kind string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	// The first pass committed; a webhook of the registry's pushes may have
	// run a second one with nothing new since.
	if len(st.Repositories) != 1 || st.Repositories[0].Name != "demo" || st.Repositories[0].LastPass.Result == "failed" ||
		st.Repositories[0].NextPass.IsZero() || len(st.Repositories[0].Policies) != 3 ||
		!strings.Contains(fmt.Sprint(st.Repositories[0].History), "{apps:api 1.0.0 1.1.0 update}") {
		t.Errorf("status JSON = %+v", st)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}
