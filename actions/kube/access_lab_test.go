//go:build lab

package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	"opsdeck/actions"
	"opsdeck/config"
	"opsdeck/internal/labenv"
	sitekube "opsdeck/site/kube"
)

// The gate refuses an API step the lab's read-only user may not make, before anything runs,
// and lets the admin through.
func TestLabGateRBAC(t *testing.T) {
	lab := labenv.Load(t)
	plan := &actions.Plan{Action: "kube.delete-pod", Target: "app-demo/web-2", Steps: []actions.Step{{
		API: &actions.APICall{Verb: "delete", Resource: "pods", Namespace: "app-demo", Name: "web-2"}}}}
	for _, c := range []struct {
		kubeconfig string
		allowed    bool
	}{{lab.ViewerKubeconfig, false}, {lab.Kubeconfig, true}} {
		cl, err := sitekube.Connect(sitekube.Options{Kubeconfig: c.kubeconfig})
		if err != nil {
			t.Fatal(err)
		}
		g := &actions.Gate{Mode: actions.ReadWrite, Changes: config.Changes{Timezone: "UTC"},
			Access: NewAccessReviewer(cl.Kube, time.Minute).Review}
		v := g.Decide(context.Background(), plan, "")
		if v.Allowed != c.allowed {
			t.Errorf("%s: %s", c.kubeconfig, v)
		}
		if !c.allowed && (v.Rule != "rbac" || !strings.Contains(v.Reason, "delete")) {
			t.Errorf("refusal must name RBAC and the call: %s", v)
		}
	}
}
