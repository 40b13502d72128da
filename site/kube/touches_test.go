package kube

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// Each reader sees every pod change once, on its own.
func TestPodTouchesPerReader(t *testing.T) {
	w := &Watcher{changed: make(chan struct{}, 1), dirty: map[string]bool{}, dirtyPods: map[string]bool{}}
	a, b := w.TrackPods(), w.TrackPods()
	pod := &Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}} // as the cache holds it
	w.changedObject(pod, false, false)
	w.changedObject(pod, false, false)
	if keys, lost := a.Take(); !slices.Equal(keys, []string{"ns/p"}) || lost {
		t.Fatalf("a: %v %v", keys, lost)
	}
	if keys, _ := a.Take(); len(keys) != 0 {
		t.Fatalf("a again: %v", keys)
	}
	if keys, _ := b.Take(); !slices.Equal(keys, []string{"ns/p"}) {
		t.Fatalf("b: %v", keys)
	}
}

// The first list's pods reach neither the views (TrackPods: they read it whole) nor the reactor's
// touched set (the first round judges them; the reactor judged 42,000 pods and 2,000 nodes a
// second time at each start). A change after it is touched, for both.
func TestFirstListIsNotTouchedForTheReactor(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}, Spec: corev1.PodSpec{NodeName: "n1"}}
	kc := fake.NewSimpleClientset(pod)
	w := NewWatcher("c1", &Clients{Kube: kc}, nil)
	views := w.TrackPods()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	w.WaitSynced(ctx)
	for end := time.Now().Add(10 * time.Second); w.PodsVersion() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the pod never reached the handler")
		}
	}
	if keys, _ := views.Take(); len(keys) != 0 {
		t.Fatalf("views told %v of the first list: they read it whole", keys)
	}
	if n := w.PodCount(); n != 1 {
		t.Fatalf("%d pods counted", n)
	}
	if nodes, pods := w.TakeTouched(); len(nodes)+len(pods) != 0 {
		t.Fatalf("the first list touched %v %v for the reactor", nodes, pods)
	}
	pod.Status.Phase = corev1.PodFailed
	if _, err := kc.CoreV1().Pods("ns").UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if nodes, pods := w.TakeTouched(); len(pods) > 0 {
			if !slices.Equal(nodes, []string{"n1"}) || !slices.Equal(pods, []string{"ns/p"}) {
				t.Fatalf("touched %v %v", nodes, pods)
			}
			if keys, _ := views.Take(); !slices.Equal(keys, []string{"ns/p"}) {
				t.Fatalf("views told %v of the change", keys)
			}
			break
		}
		if time.Now().After(end) {
			t.Fatal("a change after the first list was never touched")
		}
	}
	if err := kc.CoreV1().Pods("ns").Delete(ctx, "p", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(10 * time.Second); w.PodCount() != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%d pods counted after the delete", w.PodCount())
		}
	}
}

// When the first list failed before it succeeded, the first round judged an empty cache: the
// list's adds are touched for the reactor after all.
func TestAFirstListAfterAFailureIsTouched(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}, Spec: corev1.PodSpec{NodeName: "n1"}}
	kc := fake.NewSimpleClientset(pod)
	var failed atomic.Bool
	kc.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if failed.CompareAndSwap(false, true) {
			return true, nil, errors.New("the API is restarting")
		}
		return false, nil, nil
	})
	w := NewWatcher("c1", &Clients{Kube: kc}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, pods := w.TakeTouched(); slices.Equal(pods, []string{"ns/p"}) {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("the pod of a first list that failed once was never touched (pods %+v)", w.InformerHealth("pods"))
		}
	}
}

// Moved tells the views of pod and Node events, once however many come before they look.
func TestMovedSignalsPodAndNodeEvents(t *testing.T) {
	w := &Watcher{changed: make(chan struct{}, 1), moved: make(chan struct{}, 1), dirty: map[string]bool{}, dirtyPods: map[string]bool{}}
	moved := func() bool { return movedNow(w) }
	if moved() {
		t.Fatal("moved before any event")
	}
	w.changedObject(&Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}}, false, false)
	w.changedObject(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}, false, false)
	if !moved() || moved() {
		t.Fatal("two events should leave one signal")
	}
	w.changedObject(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}, true, true)
	if !moved() {
		t.Fatal("a first list's Node moves the views too")
	}
}

// movedNow takes the views' signal if it is there.
func movedNow(w *Watcher) bool {
	select {
	case <-w.Moved():
		return true
	default:
		return false
	}
}
