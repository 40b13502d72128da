// Package kube holds what the actions path needs from a Kubernetes cluster: access reviews for
// the gate (and, with the Kubernetes checks, the API runner and the cluster's actions).
package kube

import (
	"context"
	"fmt"
	"sync"
	"time"

	authv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"opsdeck/actions"
)

// AccessReviewer answers the gate's RBAC question with SelfSubjectAccessReviews, cached for a
// while so offering actions in the cockpit does not cost one API call per key press.
type AccessReviewer struct {
	client kubernetes.Interface
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex
	cache map[authv1.ResourceAttributes]review
}

type review struct {
	allowed bool
	reason  string
	at      time.Time
}

// NewAccessReviewer reviews with client's credentials, remembering answers for ttl.
func NewAccessReviewer(client kubernetes.Interface, ttl time.Duration) *AccessReviewer {
	return &AccessReviewer{client: client, ttl: ttl, now: time.Now, cache: map[authv1.ResourceAttributes]review{}}
}

// Review is an actions.AccessReview.
func (r *AccessReviewer) Review(ctx context.Context, call actions.APICall) (bool, string, error) {
	attrs := authv1.ResourceAttributes{Namespace: call.Namespace, Verb: call.Verb, Group: call.Group, Resource: call.Resource, Name: call.Name}
	r.mu.Lock()
	if c, ok := r.cache[attrs]; ok && r.now().Sub(c.at) < r.ttl {
		r.mu.Unlock()
		return c.allowed, c.reason, nil
	}
	r.mu.Unlock()
	res, err := r.client.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx,
		&authv1.SelfSubjectAccessReview{Spec: authv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &attrs}}, metav1.CreateOptions{})
	if err != nil {
		return false, "", fmt.Errorf("access review: %w", err)
	}
	reason := res.Status.Reason
	if !res.Status.Allowed && reason == "" {
		reason = fmt.Sprintf("RBAC does not allow %s on %s", call.Verb, resourceName(call))
	}
	if res.Status.EvaluationError != "" {
		reason += " (" + res.Status.EvaluationError + ")"
	}
	r.mu.Lock()
	r.cache[attrs] = review{allowed: res.Status.Allowed, reason: reason, at: r.now()}
	r.mu.Unlock()
	return res.Status.Allowed, reason, nil
}

func resourceName(c actions.APICall) string {
	s := c.Resource
	if c.Group != "" {
		s += "." + c.Group
	}
	if c.Namespace != "" {
		s += " in " + c.Namespace
	}
	return s
}
