package kube

import (
	"context"
	"testing"
	"time"

	authv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"opsdeck/actions"
)

func TestAccessReviewIsCached(t *testing.T) {
	c := fake.NewSimpleClientset()
	calls := 0
	c.PrependReactor("create", "selfsubjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		calls++
		r := a.(k8stesting.CreateAction).GetObject().(*authv1.SelfSubjectAccessReview)
		r.Status.Allowed = r.Spec.ResourceAttributes.Verb == "get"
		return true, r, nil
	})
	now := time.Unix(0, 0)
	r := NewAccessReviewer(c, time.Minute)
	r.now = func() time.Time { return now }
	del := actions.APICall{Verb: "delete", Resource: "pods", Namespace: "ns", Name: "p"}
	for range 3 {
		ok, why, err := r.Review(context.Background(), del)
		if err != nil || ok || why == "" {
			t.Fatalf("%v %q %v", ok, why, err)
		}
	}
	if calls != 1 {
		t.Fatalf("%d reviews for one question within the ttl", calls)
	}
	now = now.Add(2 * time.Minute)
	r.Review(context.Background(), del)
	if calls != 2 {
		t.Fatal("the cache must expire")
	}
}
