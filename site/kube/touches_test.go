package kube

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Each reader sees every pod change once, on its own.
func TestPodTouchesPerReader(t *testing.T) {
	w := &Watcher{changed: make(chan struct{}, 1), dirty: map[string]bool{}, dirtyPods: map[string]bool{}}
	a, b := w.TrackPods(), w.TrackPods()
	pod := &Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}} // as the cache holds it
	w.changedObject(pod)
	w.changedObject(pod)
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
