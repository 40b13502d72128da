package kube

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// The first list is read page by page as a consistent read, each page trimmed as it comes, and
// handed to the reflector whole.
func TestPagedListTrimsEachPage(t *testing.T) {
	var asked []metav1.ListOptions
	list := func(_ context.Context, o metav1.ListOptions) (runtime.Object, error) {
		asked = append(asked, o)
		page := &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "42"}}
		n := 0
		fmt.Sscan(o.Continue, &n)
		for i := n; i < n+3 && i < 7; i++ {
			page.Items = append(page.Items, corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: fmt.Sprint("p", i), Labels: map[string]string{"a": "b"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "x"}}}})
		}
		if n+3 < 7 {
			page.Continue = fmt.Sprint(n + 3)
		}
		return page, nil
	}
	obj, err := pagedList(context.Background(), metav1.ListOptions{ResourceVersion: "0", ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan}, list, trimPod)
	if err != nil {
		t.Fatal(err)
	}
	pl := obj.(*metav1.List)
	if len(pl.Items) != 7 || pl.ResourceVersion != "42" || pl.Continue != "" {
		t.Fatalf("%d items, rv %q, continue %q", len(pl.Items), pl.ResourceVersion, pl.Continue)
	}
	objs, err := meta.ExtractListWithAlloc(pl) // as the reflector reads it
	if err != nil || len(objs) != 7 {
		t.Fatal(len(objs), err)
	}
	for _, o := range objs {
		p := o.(*Pod)
		if p.Labels != nil {
			t.Fatalf("%s not trimmed: %+v", p.Name, p)
		}
	}
	if len(asked) != 3 || asked[0].Limit != listPage || asked[0].ResourceVersion != "" || asked[0].ResourceVersionMatch != "" || asked[2].Continue != "6" {
		t.Fatalf("asked %+v", asked)
	}
}

// Watch events are trimmed as they come, bookmarks too (the reflector checks their type), and
// a bookmark keeps the annotation that ends a streamed first list.
func TestTrimmedWatchKeepsTheEndOfInitialEvents(t *testing.T) {
	fw := watch.NewFake()
	tw := trimmedWatch(fw, trimPod)
	go func() {
		fw.Add(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", Labels: map[string]string{"a": "b"}}})
		fw.Action(watch.Bookmark, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "9",
			Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}})
	}()
	add := <-tw.ResultChan()
	if p, ok := add.Object.(*Pod); !ok || p.Labels != nil {
		t.Fatalf("added %T %+v", add.Object, add.Object)
	}
	bm := <-tw.ResultChan()
	p, ok := bm.Object.(*Pod)
	if !ok || p.Annotations[metav1.InitialEventsAnnotationKey] != "true" || p.ResourceVersion != "9" {
		t.Fatalf("bookmark %T %+v", bm.Object, bm.Object)
	}
}
