package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hoist-dev/hoist/cmd/hoist/internal/demo"
	"github.com/hoist-dev/hoist/deploy/kubetest"
	"github.com/hoist-dev/hoist/gitwriter/gittest"
	"github.com/hoist-dev/hoist/registry/registrytest"
)

// fleet is nine config repositories on one git daemon, one registry whose
// push notifications reach the first replica, and three `hoist run`
// replicas sharing the repositories through Leases on a real kube-apiserver.
type fleet struct {
	reg        *registrytest.Server
	bares      []string
	relays     []*relay // each replica's address
	config     string
	kubeconfig string
	replicas   []*exec.Cmd
	stateDirs  []string
}

const fleetRepos, fleetReplicas = 9, 3

func newFleet(t *testing.T) *fleet {
	t.Helper()
	kube := kubetest.Start(t)
	client, err := kubernetes.NewForConfig(kube.Config)
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "hoist"}}
	if _, err := client.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	f := &fleet{kubeconfig: kube.Kubeconfig}
	for range fleetReplicas {
		f.relays = append(f.relays, newRelay(t))
		f.stateDirs = append(f.stateDirs, t.TempDir())
	}
	f.reg = registrytest.Start(t, registrytest.WithNotifications("http://"+f.relays[0].addr+"/hooks/distribution", hookSecret))
	files, err := demo.Files("../../testdata/demo", f.reg.Host)
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	var repos strings.Builder
	srv := gittest.Daemon(t, base)
	for i := range fleetRepos {
		name := fmt.Sprintf("r%d", i)
		f.bares = append(f.bares, gittest.NewBare(t, filepath.Join(base, name+".git"), files))
		fmt.Fprintf(&repos, "  - {name: %s, url: %s, schedule: \"@every 1h\"}\n", name, srv.URL(name+".git"))
	}
	dir := t.TempDir()
	secret := filepath.Join(dir, "hook-secret")
	if err := os.WriteFile(secret, []byte(hookSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	f.config = filepath.Join(dir, "config.yaml")
	cfg := "apiVersion: hoist.dev/v1alpha1\nkind: Config\nrepositories:\n" + repos.String() +
		"webhooks:\n  - {kind: distribution, secretFile: " + secret + "}\n"
	if err := os.WriteFile(f.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	f.replicas = make([]*exec.Cmd, fleetReplicas)
	return f
}

// start starts replica i and waits until it is ready: its membership is
// known and its repositories had their first pass.
func (f *fleet) start(t *testing.T, i int) {
	t.Helper()
	d := &daemonWorld{world: &world{stateDir: f.stateDirs[i]}, addr: f.relays[i].addr, relay: f.relays[i], config: f.config}
	cmd := exec.Command(hoistBin(t), "run", "--config", f.config, "--state-dir", f.stateDirs[i], "--listen", "127.0.0.1:0",
		"--jitter", "0", "--debounce", "50ms", "--log-level", "info",
		"--shard-namespace", "hoist", "--kubeconfig", f.kubeconfig, "--lease-duration", "2s")
	cmd.Env = append(os.Environ(), "POD_NAME="+fmt.Sprintf("replica-%d", i))
	f.replicas[i] = d.startCmd(t, cmd)
}

// apiTags returns the api tag of every repository's main.
func (f *fleet) apiTags(t *testing.T) []string {
	t.Helper()
	tags := make([]string, len(f.bares))
	for i, bare := range f.bares {
		out, _ := gittest.GitCmd(bare, "show", "main:apps/api/deployment.yaml").Output()
		_, rest, _ := strings.Cut(string(out), f.reg.Repo("acme/api")+":")
		tags[i], _, _ = strings.Cut(rest, " ")
	}
	return tags
}

func (f *fleet) push(t *testing.T, repo string, tags ...string) {
	t.Helper()
	for _, tag := range tags {
		registrytest.Push(t, f.reg.Repo(repo)+":"+tag, time.Now())
	}
}

func (f *fleet) waitAll(t *testing.T, tag string, limit time.Duration) {
	t.Helper()
	waitFor(t, limit, "every repository at api "+tag, func() bool {
		for _, got := range f.apiTags(t) {
			if got != tag {
				return false
			}
		}
		return true
	})
}

// checkHistory checks that every repository has exactly commits commits
// on main, none a merge: one commit per change, never two.
func (f *fleet) checkHistory(t *testing.T, commits int) {
	t.Helper()
	for i, bare := range f.bares {
		n, _ := strconv.Atoi(strings.TrimSpace(gittest.Git(t, bare, "rev-list", "--count", "main")))
		merges := strings.TrimSpace(gittest.Git(t, bare, "rev-list", "--merges", "--count", "main"))
		if n != commits || merges != "0" {
			t.Errorf("r%d: %d commits (%s merges) on main, want %d and none", i, n, merges, commits)
		}
	}
}

// TestReplicasShareRepositories: three replicas split nine repositories;
// every change lands as one commit. A killed replica's repositories are
// taken over by the others (a webhook that reached a replica for a
// repository of the dead one included); restarted, it takes its share back.
func TestReplicasShareRepositories(t *testing.T) {
	f := newFleet(t)
	f.push(t, "acme/api", "1.0.0", "1.1.0")
	f.push(t, "acme/web", "1.0.0")
	f.push(t, "acme/worker", "main-1700000000-0a1b2c3")
	for i := range fleetReplicas {
		f.start(t, i)
	}
	f.waitAll(t, "1.1.0", 60*time.Second)
	f.checkHistory(t, 2) // the seed and one update

	// Rounds: SIGKILL a replica; its Lease expires and the others take its
	// repositories over (a webhook that reached replica 0 for one of them
	// is not lost). Restarted, it takes its share back. Every change is
	// one commit, and history stays linear.
	commits := 2
	for round, victim := range []int{1, 2, 1} {
		tag := fmt.Sprintf("1.%d.0", 2+2*round)
		_ = f.replicas[victim].Process.Signal(syscall.SIGKILL)
		_, _ = f.replicas[victim].Process.Wait()
		f.push(t, "acme/api", tag)
		f.waitAll(t, tag, 60*time.Second)
		commits++
		f.checkHistory(t, commits)

		f.start(t, victim)
		d := &daemonWorld{world: &world{}, addr: f.relays[victim].addr}
		d.waitMetrics(t, 30*time.Second, map[string]float64{"hoist_shard_members": 3, "hoist_shard_repositories": 1})
		tag = fmt.Sprintf("1.%d.0", 3+2*round)
		f.push(t, "acme/api", tag)
		f.waitAll(t, tag, 60*time.Second)
		commits++
		f.checkHistory(t, commits)
	}
}
