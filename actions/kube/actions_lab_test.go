//go:build lab

package kube

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"opsdeck/actions"
	"opsdeck/config"
	"opsdeck/internal/labenv"
	sitekube "opsdeck/site/kube"
)

func labWatcher(t *testing.T, lab *labenv.Lab) *sitekube.Watcher {
	t.Helper()
	ro, err := sitekube.Connect(sitekube.Options{Kubeconfig: lab.Kubeconfig, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var crds []schema.GroupVersionResource
	for _, r := range []string{lab.Site.Resources.Machines, lab.Site.Resources.IPInstances} {
		g, _ := sitekube.ParseGVR(r)
		crds = append(crds, g)
	}
	w := sitekube.NewWatcher("lab", ro, crds)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w.Start(ctx)
	// The custom resources too: they are discovered first, then watched.
	if !w.WaitFor(ctx, append(slices.Clone(sitekube.CoreCollections), "machines", "ipinstances")...) {
		t.Fatal("not synced")
	}
	return w
}

// The object changes between plan and run: the patch's resourceVersion test refuses it, the
// error says so, nothing changes, and the audit log says which step failed.
func TestLabStripFinalizersConflict(t *testing.T) {
	lab := labenv.Load(t)
	defer lab.Reseed(t)
	w := labWatcher(t, lab)
	reg := actions.NewRegistry(Actions(lab.Site, []*sitekube.Watcher{w}, nil)...)
	a, err := reg.Lookup("kube.strip-finalizers", "machines/node5-dead")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := a.Plan(context.Background(), "machines/node5-dead")
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := sitekube.Connect(sitekube.Options{Kubeconfig: lab.Kubeconfig})
	gvr, _ := sitekube.ParseGVR(lab.Site.Resources.Machines)
	// Someone else touches the machine after the plan was made.
	if _, err := admin.Dynamic.Resource(gvr).Patch(context.Background(), "node5-dead", "application/merge-patch+json",
		[]byte(fmt.Sprintf(`{"metadata":{"labels":{"touched":"%d"}}}`, time.Now().UnixNano())), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	audit, _ := actions.OpenAudit(filepath.Join(t.TempDir(), "audit.jsonl"))
	g := &actions.Gate{Mode: actions.ReadWrite, Changes: config.Changes{Timezone: "UTC"}, Access: NewAccessReviewer(admin.Kube, time.Minute).Review}
	x, err := actions.NewExecutor(actions.ReadWrite, actions.ExecutorConfig{Gate: g, Audit: audit,
		API: &Runner{Clusters: map[string]dynamic.Interface{"lab": admin.Dynamic}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := x.Run(context.Background(), actions.Request{Plan: plan, Typed: "machines/node5-dead"}, nil)
	if err == nil || !strings.Contains(err.Error(), "conflict: machines/node5-dead changed since the plan was made") {
		t.Fatalf("%v %+v", err, out)
	}
	m, err := admin.Dynamic.Resource(gvr).Get(context.Background(), "node5-dead", metav1.GetOptions{})
	if err != nil || len(m.GetFinalizers()) == 0 {
		t.Fatalf("the finalizer must still be there: %v %v", err, m.GetFinalizers())
	}
	recs, _, _ := actions.ReadAudit(audit.Path(), actions.Filter{})
	if len(recs) != 2 || recs[1].Outcome != "failed" || recs[1].Steps[0].Status != "failed" {
		t.Fatalf("%+v", recs)
	}
}
