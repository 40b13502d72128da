package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
)

func lease(node string, renew time.Time) *coordv1.Lease {
	l := &coordv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: LeaseNamespace, Name: node}}
	if !renew.IsZero() {
		t := metav1.NewMicroTime(renew)
		l.Spec.RenewTime = &t
	}
	return l
}

func taken(w *Watcher) []string {
	nodes, _ := w.TakeTouched()
	slices.Sort(nodes)
	return nodes
}

// A routine renewal between two lists touches no node; a new Lease, a deleted one and one
// renewed after a gap (the node came back) do.
func TestLeaseListsTouchOnlyWhatChangesAJudgement(t *testing.T) {
	w := &Watcher{changed: make(chan struct{}, 1), dirty: map[string]bool{}, dirtyPods: map[string]bool{}}
	t0 := time.Now().Add(-time.Minute)
	w.takeLeases([]*coordv1.Lease{lease("a", t0), lease("b", t0), lease("c", t0), lease("d", time.Time{})}, true)
	if got := taken(w); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Fatalf("first list touched %v, want every node", got)
	}
	if r, ok := w.LeaseRenew("a"); !ok || !r.Equal(t0) {
		t.Fatalf("a renewed %v %v", r, ok)
	}
	if _, ok := w.LeaseRenew("d"); ok {
		t.Fatal("a Lease without renewTime has a renewal")
	}
	select {
	case <-w.Changed():
	default:
		t.Fatal("the first list did not signal")
	}
	w.takeLeases([]*coordv1.Lease{lease("a", t0.Add(10*time.Second)), lease("b", t0.Add(routineRenewal)), lease("d", time.Time{}), lease("e", t0)}, false)
	if got := taken(w); !slices.Equal(got, []string{"b", "c", "e"}) {
		t.Fatalf("second list touched %v, want b (came back), c (gone), e (new)", got)
	}
	<-w.Changed()
	w.takeLeases([]*coordv1.Lease{lease("a", t0.Add(20*time.Second)), lease("b", t0.Add(routineRenewal+10*time.Second)), lease("d", time.Time{}), lease("e", t0)}, false)
	if got := taken(w); len(got) != 0 {
		t.Fatalf("routine renewals touched %v", got)
	}
	select {
	case <-w.Changed():
		t.Fatal("routine renewals signalled")
	default:
	}
	if _, ok := w.LeaseRenew("c"); ok {
		t.Fatal("a deleted Lease is still there")
	}
	// A first list that kube.node's first round waited for touches nothing: that round judges it.
	fresh := &Watcher{changed: make(chan struct{}, 1), dirty: map[string]bool{}, dirtyPods: map[string]bool{}}
	fresh.takeLeases([]*coordv1.Lease{lease("a", t0)}, false)
	if got := taken(fresh); len(got) != 0 {
		t.Fatalf("a first list touched %v", got)
	}
	if _, ok := fresh.LeaseRenew("a"); !ok {
		t.Fatal("the first list was not kept")
	}
}

// The Leases are listed again every LeaseEvery from the watch cache; a refused list makes the
// collection unhealthy with the API's reason, the next allowed one healthy again, and the
// renewTimes read are always the newest list's.
func TestLeasesAreListedEveryPeriod(t *testing.T) {
	l := lease("n1", time.Now().Add(-time.Hour))
	kc := fake.NewSimpleClientset(l)
	var lists atomic.Int32
	var deny atomic.Bool
	kc.PrependReactor("list", "leases", func(a k8stesting.Action) (bool, runtime.Object, error) {
		lists.Add(1)
		if rv := a.(k8stesting.ListActionImpl).ListOptions.ResourceVersion; rv != "0" {
			t.Errorf("listed at resourceVersion %q, want 0 (the watch cache)", rv)
		}
		if deny.Load() {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "leases"}, "", errors.New(`cannot list resource "leases"`))
		}
		return false, nil, nil
	})
	w := NewWatcher("c1", &Clients{Kube: kc}, nil)
	w.LeaseEvery = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	if !w.WaitFor(ctx, "leases") {
		t.Fatalf("leases not synced: %+v", w.InformerHealth("leases"))
	}
	until := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("never %s: %+v", what, w.InformerHealth("leases"))
			}
		}
	}
	renewed := time.Now().Truncate(time.Microsecond)
	l.Spec.RenewTime = &metav1.MicroTime{Time: renewed}
	if _, err := kc.CoordinationV1().Leases(LeaseNamespace).Update(ctx, l, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	until("the renewal read", func() bool { r, ok := w.LeaseRenew("n1"); return ok && r.Equal(renewed) })
	deny.Store(true)
	until("unhealthy", func() bool { return !w.InformerHealth("leases").Healthy() })
	if h := w.InformerHealth("leases"); !strings.Contains(h.LastError, "forbidden") {
		t.Fatalf("leases %+v", h)
	}
	deny.Store(false)
	until("healthy again", func() bool { return w.InformerHealth("leases").Healthy() })
	if n := lists.Load(); n < 3 {
		t.Fatalf("%d lists", n)
	}
}

// The listing period is a fifth of the stale threshold, within 1–10 s: a kubelet renewing every
// 10 s never looks stale for the period's sake.
func TestNodeLeaseEvery(t *testing.T) {
	for stale, want := range map[time.Duration]time.Duration{40 * time.Second: 8 * time.Second, 15 * time.Second: 3 * time.Second,
		2 * time.Second: time.Second, 10 * time.Minute: 10 * time.Second} {
		if got := NodeLeaseEvery(stale); got != want {
			t.Errorf("stale %s: every %s, want %s", stale, got, want)
		}
	}
}

// Against an API that speaks protobuf the Leases are streamed from their namespace and pruned to
// name and renewTime; one that speaks JSON is read whole. Both give the same renewals.
func TestLeasesAreStreamedAndPruned(t *testing.T) {
	renewed := time.Date(2026, 11, 26, 9, 0, 0, 123000, time.UTC)
	list := &coordv1.LeaseList{ListMeta: metav1.ListMeta{ResourceVersion: "9"}}
	for _, n := range []string{"n1", "n2"} {
		l := lease(n, renewed)
		holder := n
		l.Spec.HolderIdentity = &holder
		l.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}
		list.Items = append(list.Items, *l)
	}
	for _, asJSON := range []bool{false, true} {
		var body bytes.Buffer
		ct := "application/json"
		if asJSON {
			_ = json.NewEncoder(&body).Encode(list)
		} else {
			ct = "application/vnd.kubernetes.protobuf"
			enc := scheme.Codecs.EncoderForVersion(protobuf.NewSerializer(scheme.Scheme, scheme.Scheme), coordv1.SchemeGroupVersion)
			if err := enc.Encode(list, &body); err != nil {
				t.Fatal(err)
			}
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases" || r.URL.Query().Get("resourceVersion") != "0" {
				t.Errorf("asked %s", r.URL)
			}
			w.Header().Set("Content-Type", ct)
			_, _ = w.Write(body.Bytes())
		}))
		k, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		ls, err := listLeases(context.Background(), k)
		srv.Close()
		if err != nil || len(ls) != 2 {
			t.Fatalf("json %v: %d leases, %v", asJSON, len(ls), err)
		}
		for _, l := range ls {
			if !l.Spec.RenewTime.Time.Equal(renewed) || (l.Name != "n1" && l.Name != "n2") {
				t.Fatalf("json %v: %s renewed %v", asJSON, l.Name, l.Spec.RenewTime)
			}
			if !asJSON && (l.Spec.HolderIdentity != nil || l.ManagedFields != nil) {
				t.Errorf("not pruned: %+v", l)
			}
		}
	}
}
