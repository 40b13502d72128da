package kube

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// A role revoked while the pods watch streams (RBAC is not checked again on an open watch)
// makes the pods collection unhealthy with the API's reason, and only that one; restoring it
// clears it.
func TestAccessProbeSeesARevokedRole(t *testing.T) {
	kc := fake.NewSimpleClientset()
	var deny atomic.Bool
	kc.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if deny.Load() {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New(`User "viewer" cannot list resource "pods"`))
		}
		return false, nil, nil
	})
	w := NewWatcher("c1", &Clients{Kube: kc}, nil)
	w.AccessEvery = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	if !w.WaitSynced(ctx) {
		t.Fatal("not synced")
	}
	until := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("never %s: pods %+v", what, w.InformerHealth("pods"))
			}
		}
	}
	deny.Store(true)
	until("unhealthy", func() bool { return !w.InformerHealth("pods").Healthy() })
	if h := w.InformerHealth("pods"); !strings.Contains(h.LastError, "forbidden") || !w.InformerHealth("nodes").Healthy() {
		t.Fatalf("pods %+v, nodes %+v", h, w.InformerHealth("nodes"))
	}
	deny.Store(false)
	until("healthy again", func() bool { return w.InformerHealth("pods").Healthy() })
}
