package ui_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/ui"
)

// The daemon records each pass in a Recorder, and the handler serves it.
func ExampleRecorder() {
	rec, err := ui.NewRecorder([]ui.Repo{{Name: "demo", URL: "https://bot:token@git.example.com/acme/gitops.git"}}, ui.RecorderConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Now()
	// After each pass (policies and problems from ui.FromReport(report)):
	rec.Record("demo", ui.Record{Start: start, Duration: time.Second, Changes: 1,
		Commit:   &ui.Commit{SHA: "4f1c2a9b", Subject: "Update apps:api to 1.5.0\n\nbody"},
		Policies: []ui.Policy{{ID: "apps:api", Image: "ghcr.io/acme/api", Current: "1.4.2", Selected: "1.5.0"}}})
	rec.Schedule("demo", start.Add(5*time.Minute), nil)

	srv := httptest.NewServer(ui.Handler(rec))
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/api/v1/status")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	var st ui.Status
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		fmt.Println(err)
		return
	}
	r := st.Repositories[0]
	fmt.Println(r.Name, r.URL, r.LastPass.Result, r.LastCommit.Subject, r.Policies[0].Selected)
	// Output: demo https://git.example.com/acme/gitops.git committed Update apps:api to 1.5.0 1.5.0
}
