package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"opsdeck/actions"
)

// Runner performs the API steps of plans, one dynamic client per cluster. It is only built in a
// read-write process (the watchers' clients are read-only at the transport).
type Runner struct {
	Clusters map[string]dynamic.Interface
}

// Do runs one call. A GET of an object that does not exist answers 404 without an error (a Done
// probe asks exactly that); any other failure is an error, and a conflict says so plainly.
func (r *Runner) Do(ctx context.Context, call actions.APICall) ([]byte, int, error) {
	d, ok := r.Clusters[call.Cluster]
	if !ok {
		return nil, 0, fmt.Errorf("no cluster %q", call.Cluster)
	}
	var ri dynamic.ResourceInterface = d.Resource(schema.GroupVersionResource{Group: call.Group, Version: call.Version, Resource: call.Resource})
	if call.Namespace != "" {
		ri = d.Resource(schema.GroupVersionResource{Group: call.Group, Version: call.Version, Resource: call.Resource}).Namespace(call.Namespace)
	}
	switch call.Verb {
	case "get":
		u, err := ri.Get(ctx, call.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, http.StatusNotFound, nil
		}
		if err != nil {
			return nil, code(err), err
		}
		b, _ := json.Marshal(u.Object)
		return b, http.StatusOK, nil
	case "delete":
		opts := metav1.DeleteOptions{}
		if g, ok := option(call.Options, "gracePeriodSeconds"); ok {
			n, _ := strconv.ParseInt(g, 10, 64)
			opts.GracePeriodSeconds = &n
		}
		if uid, ok := option(call.Options, "uid"); ok && uid != "" {
			u := types.UID(uid)
			opts.Preconditions = &metav1.Preconditions{UID: &u} // a same-name successor is not deleted
		}
		if err := ri.Delete(ctx, call.Name, opts); err != nil {
			return nil, code(err), explain(call, err)
		}
		return nil, http.StatusOK, nil
	case "patch":
		pt := types.JSONPatchType
		if call.PatchType == "merge" {
			pt = types.MergePatchType
		}
		u, err := ri.Patch(ctx, call.Name, pt, []byte(call.Body), metav1.PatchOptions{})
		if err != nil {
			return nil, code(err), explain(call, err)
		}
		b, _ := json.Marshal(u.Object)
		return b, http.StatusOK, nil
	}
	return nil, 0, fmt.Errorf("verb %q is not supported", call.Verb)
}

func option(opts, key string) (string, bool) {
	for _, kv := range strings.Split(opts, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

func code(err error) int {
	if s, ok := err.(apierrors.APIStatus); ok {
		return int(s.Status().Code)
	}
	return 0
}

// explain turns a failed precondition (a JSON patch "test" op, a stale resourceVersion) into the
// plain statement an operator needs: the object changed after the plan was made.
func explain(call actions.APICall, err error) error {
	testOp := strings.Contains(call.Body, `"op":"test"`)
	_, uidPre := option(call.Options, "uid")
	if apierrors.IsConflict(err) || testOp && (apierrors.IsInvalid(err) || apierrors.IsBadRequest(err)) {
		if uidPre && call.Verb == "delete" {
			return fmt.Errorf("conflict: %s/%s is another object now (its UID changed since the plan was made); nothing was deleted (%v)", call.Resource, call.Name, err)
		}
		return fmt.Errorf("conflict: %s/%s changed since the plan was made; nothing was changed — plan again and confirm the new plan (%v)", call.Resource, call.Name, err)
	}
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("%s/%s does not exist: %w", call.Resource, call.Name, err)
	}
	return err
}
