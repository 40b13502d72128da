package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"opsdeck/actions"
	"opsdeck/checks"
	kubechecks "opsdeck/checks/kube"
	"opsdeck/config"
	sitekube "opsdeck/site/kube"
)

const (
	machineFinalizer  = "finalizer.k8s.alipay.com/machine"
	conditionsNS      = "sigma-operator-machine-conditions"
	noDaemonSetLabel  = "machine.sigma.alipay.com/no-daemonset"
	defaultStepTimout = 30 * time.Second
)

// Actions returns the Kubernetes actions of every watched cluster (guide §2.3.1, §4.4.1, §5.7.1);
// hosts (may be nil) tells kube.remove-node how long a node's host has been unreachable.
func Actions(site *config.Site, ws []*sitekube.Watcher, hosts kubechecks.Hosts) []actions.Action {
	a := &acts{site: site, ws: ws, hosts: hosts}
	return []actions.Action{
		a.stripFinalizers(), a.deletePod(false), a.deletePod(true), a.cordon(true), a.cordon(false), a.noDaemonSet(), a.removeNode(),
	}
}

type acts struct {
	site  *config.Site
	ws    []*sitekube.Watcher
	hosts kubechecks.Hosts
	now   func() time.Time
}

func (a *acts) clock() time.Time {
	if a.now != nil {
		return a.now()
	}
	return time.Now()
}

// target names carry the cluster when there are several: "cluster:rest".
func (a *acts) split(target string) (*sitekube.Watcher, string, error) {
	if len(a.ws) == 0 {
		return nil, "", fmt.Errorf("no cluster in the site file")
	}
	if len(a.ws) == 1 {
		return a.ws[0], target, nil
	}
	c, rest, ok := strings.Cut(target, ":")
	for _, w := range a.ws {
		if ok && w.Cluster == c {
			return w, rest, nil
		}
	}
	return nil, "", fmt.Errorf("target %q: name the cluster as cluster:target", target)
}

func (a *acts) join(w *sitekube.Watcher, rest string) string {
	if len(a.ws) > 1 {
		return w.Cluster + ":" + rest
	}
	return rest
}

// findingTarget names key the way the Kubernetes checks name their targets ("cluster/key" on a
// site with several clusters; actions say "cluster:key"): a verification must run the check of
// the right cluster on the right object (with the action's form it judged nothing and said "gone").
func (a *acts) findingTarget(w *sitekube.Watcher, key string) string {
	if len(a.ws) > 1 {
		return w.Cluster + "/" + key
	}
	return key
}

func (a *acts) each(f func(w *sitekube.Watcher) []string) func() []string {
	return func() []string {
		var out []string
		for _, w := range a.ws {
			for _, t := range f(w) {
				out = append(out, a.join(w, t))
			}
		}
		return out
	}
}

func notFound(desc string, call actions.APICall) *actions.Probe {
	return &actions.Probe{API: &call, Desc: desc, Test: func(_ []byte, code int) bool { return code == http.StatusNotFound }}
}

// finalizerTargets: objects being deleted but held by finalizers — machines and pods.
func (a *acts) stripFinalizers() actions.Action {
	return actions.Action{
		Name: "kube.strip-finalizers", Title: "Remove the finalizers holding an object in deletion (§2.3.1, §4.4.1)", TargetKind: "object",
		Destructive: true,
		Targets: a.each(func(w *sitekube.Watcher) []string {
			var out []string
			for _, m := range w.Custom("machines") {
				if m.GetDeletionTimestamp() != nil && len(m.GetFinalizers()) > 0 {
					out = append(out, "machines/"+m.GetName())
				}
			}
			for _, p := range w.Pods() {
				if p.DeletionTimestamp != nil && len(p.Finalizers) > 0 {
					out = append(out, "pods/"+p.Namespace+"/"+p.Name)
				}
			}
			return out
		}),
		Plan: func(_ context.Context, target string) (*actions.Plan, error) {
			w, rest, err := a.split(target)
			if err != nil {
				return nil, err
			}
			kind, key, _ := strings.Cut(rest, "/")
			var rv string
			var fins []string
			call := actions.APICall{Cluster: w.Cluster, Verb: "patch", PatchType: "json"}
			verify := &actions.Verify{Target: key, Within: 30 * time.Second}
			switch kind {
			case "machines":
				m := find(w.Custom("machines"), key)
				if m == nil {
					return nil, fmt.Errorf("machine %q is not in the cache", key)
				}
				rv, fins = m.GetResourceVersion(), m.GetFinalizers()
				gvr, _ := sitekube.ParseGVR(a.site.Resources.Machines)
				call.Group, call.Version, call.Resource, call.Name = gvr.Group, gvr.Version, gvr.Resource, key
				verify.Check = "kube.machine"
			case "pods":
				ns, name, _ := strings.Cut(key, "/")
				p, ok := w.Pod(ns, name)
				if !ok {
					return nil, fmt.Errorf("pod %q is not in the cache", key)
				}
				rv, fins = p.ResourceVersion, p.Finalizers
				call.Version, call.Resource, call.Namespace, call.Name = "v1", "pods", ns, name
				verify.Check = "kube.pod"
			default:
				return nil, fmt.Errorf("target %q: want machines/NAME or pods/NS/NAME", target)
			}
			// The resourceVersion test makes the patch fail if the object changed after this plan.
			patch, _ := json.Marshal([]map[string]any{
				{"op": "test", "path": "/metadata/resourceVersion", "value": rv},
				{"op": "remove", "path": "/metadata/finalizers"},
			})
			call.Body = string(patch)
			verify.Target = a.findingTarget(w, key)
			verify.Expect = func(f checks.Finding) bool { return f.Summary == "gone" || !strings.Contains(f.Summary, "held by") }
			verify.ExpectText = "gone or no longer held by a finalizer"
			return &actions.Plan{Action: "kube.strip-finalizers", Title: "strip " + strings.Join(fins, ", "), Target: target, Destructive: true,
				Steps:  []actions.Step{{API: &call, Timeout: defaultStepTimout}},
				Verify: verify,
				Notes:  []string{"whatever the finalizer protected (the machine's cleanup, a pod's volume) will not run: be sure the host or volume is really gone"}}, nil
		},
	}
}

func find(us []*unstructured.Unstructured, name string) *unstructured.Unstructured {
	for _, u := range us {
		if u.GetName() == name {
			return u
		}
	}
	return nil
}

func (a *acts) deletePod(force bool) actions.Action {
	name, title := "kube.delete-pod", "Delete a pod so it reschedules (§2.3.1, §5.7.1: restart rama-daemon)"
	if force {
		name, title = "kube.force-delete-pod", "Delete a pod at once, without waiting for its kubelet (grace 0, §4.4.1)"
	}
	return actions.Action{
		Name: name, Title: title, TargetKind: "pod", Destructive: true,
		Targets: a.each(func(w *sitekube.Watcher) []string {
			out := make([]string, 0)
			for _, p := range w.Pods() {
				out = append(out, p.Namespace+"/"+p.Name)
			}
			return out
		}),
		Plan: func(_ context.Context, target string) (*actions.Plan, error) {
			w, key, err := a.split(target)
			if err != nil {
				return nil, err
			}
			ns, pod, _ := strings.Cut(key, "/")
			p, ok := w.Pod(ns, pod)
			if !ok {
				return nil, fmt.Errorf("pod %q is not in the cache", key)
			}
			// The UID precondition: a pod of the same name created meanwhile is not deleted.
			call := actions.APICall{Cluster: w.Cluster, Verb: "delete", Version: "v1", Resource: "pods", Namespace: ns, Name: pod,
				Options: "uid=" + string(p.UID)}
			var notes []string
			if force {
				call.Options += ",gracePeriodSeconds=0"
				notes = append(notes, "the kubelet is not asked: if the node is alive, the containers may still run")
			}
			for _, v := range p.Spec.Volumes {
				if v.PersistentVolumeClaim != nil {
					notes = append(notes, "uses PVC "+v.PersistentVolumeClaim.ClaimName+": deleting the pod keeps it, deleting the PVC would lose data")
				}
			}
			get := actions.APICall{Cluster: w.Cluster, Verb: "get", Version: "v1", Resource: "pods", Namespace: ns, Name: pod}
			return &actions.Plan{Action: name, Title: title, Target: target, Destructive: true,
				Steps:  []actions.Step{{API: &call, Timeout: defaultStepTimout}},
				Verify: &actions.Verify{Probe: notFound("the pod is gone", get), Within: time.Minute},
				Notes:  notes}, nil
		},
	}
}

func (a *acts) nodes(pred func(*corev1.Node) bool) func() []string {
	return a.each(func(w *sitekube.Watcher) []string {
		var out []string
		for _, n := range w.Nodes() {
			if pred(n) {
				out = append(out, n.Name)
			}
		}
		return out
	})
}

func (a *acts) cordon(on bool) actions.Action {
	name, title := "kube.cordon", "Cordon a node (no new pods)"
	if !on {
		name, title = "kube.uncordon", "Uncordon a node"
	}
	return actions.Action{
		Name: name, Title: title, TargetKind: "node",
		Targets: a.nodes(func(n *corev1.Node) bool { return n.Spec.Unschedulable != on }),
		Plan: func(_ context.Context, target string) (*actions.Plan, error) {
			w, node, err := a.split(target)
			if err != nil {
				return nil, err
			}
			call := actions.APICall{Cluster: w.Cluster, Verb: "patch", PatchType: "merge", Version: "v1", Resource: "nodes", Name: node,
				Body: fmt.Sprintf(`{"spec":{"unschedulable":%v}}`, on)}
			get := actions.APICall{Cluster: w.Cluster, Verb: "get", Version: "v1", Resource: "nodes", Name: node}
			want := fmt.Sprintf("node %s is %s", node, map[bool]string{true: "cordoned", false: "schedulable"}[on])
			return &actions.Plan{Action: name, Title: title, Target: target,
				Steps: []actions.Step{{API: &call, Timeout: defaultStepTimout}},
				Verify: &actions.Verify{Within: 30 * time.Second, Probe: &actions.Probe{API: &get, Desc: want, Test: func(b []byte, code int) bool {
					var n corev1.Node
					return code == http.StatusOK && json.Unmarshal(b, &n) == nil && n.Spec.Unschedulable == on
				}}}}, nil
		},
	}
}

func (a *acts) noDaemonSet() actions.Action {
	return actions.Action{
		Name: "kube.label-no-daemonset", Title: `Label a node machine.sigma.alipay.com/no-daemonset="" (stuck node deletion, §5.7.1)`, TargetKind: "node",
		Targets: a.nodes(func(n *corev1.Node) bool { _, has := n.Labels[noDaemonSetLabel]; return !has }),
		Plan: func(_ context.Context, target string) (*actions.Plan, error) {
			w, node, err := a.split(target)
			if err != nil {
				return nil, err
			}
			body, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]string{noDaemonSetLabel: ""}}})
			call := actions.APICall{Cluster: w.Cluster, Verb: "patch", PatchType: "merge", Version: "v1", Resource: "nodes", Name: node, Body: string(body)}
			get := actions.APICall{Cluster: w.Cluster, Verb: "get", Version: "v1", Resource: "nodes", Name: node}
			return &actions.Plan{Action: "kube.label-no-daemonset", Title: "label " + noDaemonSetLabel, Target: target,
				Steps: []actions.Step{{API: &call, Timeout: defaultStepTimout}},
				Verify: &actions.Verify{Within: 30 * time.Second, Probe: &actions.Probe{API: &get, Desc: "the node carries the label", Test: func(b []byte, code int) bool {
					var n corev1.Node
					if code != http.StatusOK || json.Unmarshal(b, &n) != nil {
						return false
					}
					_, ok := n.Labels[noDaemonSetLabel]
					return ok
				}}}}, nil
		},
	}
}

// removeNode is the guide's §2.3.1 sequence for a dead node. Every step knows how to tell it is
// already done, so a run that failed half-way resumes where it stopped.
func (a *acts) removeNode() actions.Action {
	return actions.Action{
		Name: "kube.remove-node", Title: "Remove a dead node: machine, its finalizer, the Node, its condition configmaps (§2.3.1)", TargetKind: "node",
		Destructive: true,
		Targets:     a.nodes(kubechecks.NotReady),
		Plan: func(ctx context.Context, target string) (*actions.Plan, error) {
			w, node, err := a.split(target)
			if err != nil {
				return nil, err
			}
			override, err := a.removable(ctx, w, node)
			if err != nil {
				return nil, err
			}
			if config.IsOff(a.site.Resources.Machines) {
				return nil, fmt.Errorf("resources.machines is off in the site file: kube.remove-node needs the machine resource")
			}
			gvr, err := sitekube.ParseGVR(a.site.Resources.Machines)
			if err != nil {
				return nil, err
			}
			c := w.Cluster
			machine := func(verb string) actions.APICall {
				return actions.APICall{Cluster: c, Verb: verb, Group: gvr.Group, Version: gvr.Version, Resource: gvr.Resource, Name: node}
			}
			nodeCall := func(verb string) actions.APICall {
				return actions.APICall{Cluster: c, Verb: verb, Version: "v1", Resource: "nodes", Name: node}
			}
			cm := func(verb, name string) actions.APICall {
				return actions.APICall{Cluster: c, Verb: verb, Version: "v1", Resource: "configmaps", Namespace: conditionsNS, Name: name}
			}
			delMachine, getMachine := machine("delete"), machine("get")
			strip := machine("patch")
			strip.PatchType = "json"
			idx := 0
			if m := find(w.Custom(gvr.Resource), node); m != nil {
				if i := slices.Index(m.GetFinalizers(), machineFinalizer); i >= 0 {
					idx = i
				}
			}
			// Remove exactly that finalizer: the test op fails if the list moved under us.
			body, _ := json.Marshal([]map[string]any{
				{"op": "test", "path": fmt.Sprintf("/metadata/finalizers/%d", idx), "value": machineFinalizer},
				{"op": "remove", "path": fmt.Sprintf("/metadata/finalizers/%d", idx)},
			})
			strip.Body = string(body)
			machineGoneOrFree := &actions.Probe{API: &getMachine, Desc: "the machine is gone or no longer holds " + machineFinalizer,
				Test: func(b []byte, code int) bool {
					if code == http.StatusNotFound {
						return true
					}
					var u unstructured.Unstructured
					return code == http.StatusOK && json.Unmarshal(b, &u.Object) == nil && !slices.Contains(u.GetFinalizers(), machineFinalizer)
				}}
			machineDeleting := &actions.Probe{API: &getMachine, Desc: "the machine is gone or being deleted",
				Test: func(b []byte, code int) bool {
					if code == http.StatusNotFound {
						return true
					}
					var u unstructured.Unstructured
					return code == http.StatusOK && json.Unmarshal(b, &u.Object) == nil && u.GetDeletionTimestamp() != nil
				}}
			delNode, getNode := nodeCall("delete"), nodeCall("get")
			delCond, getCond := cm("delete", node+"-conditions"), cm("get", node+"-conditions")
			delGates, getGates := cm("delete", node+"-readiness-gates"), cm("get", node+"-readiness-gates")
			notes := []string{"the migration plan comes first (kube.node finding): PVC/PV review, IPInstances, then delete the pods"}
			title := "remove dead node " + node
			if override != "" {
				title += " (OVERRIDE: " + override + ")"
				notes = append(notes, "the host-unreachable precondition was overridden: "+override)
			}
			return &actions.Plan{Action: "kube.remove-node", Title: title, Target: target, Destructive: true,
				Preconditions: []actions.Probe{{API: &getNode, Desc: "the node is NotReady (or already gone)", Test: func(b []byte, code int) bool {
					if code == http.StatusNotFound {
						return true
					}
					var n corev1.Node
					if code != http.StatusOK || json.Unmarshal(b, &n) != nil {
						return false
					}
					return kubechecks.NotReady(&n)
				}}},
				Steps: []actions.Step{
					{API: &delMachine, Done: machineDeleting, Timeout: defaultStepTimout},
					{API: &strip, Done: machineGoneOrFree, Timeout: defaultStepTimout},
					{API: &delNode, Done: notFound("the Node is gone", getNode), Timeout: defaultStepTimout},
					{API: &delCond, Done: notFound("the conditions configmap is gone", getCond), Timeout: defaultStepTimout},
					{API: &delGates, Done: notFound("the readiness-gates configmap is gone", getGates), Timeout: defaultStepTimout},
				},
				Verify: &actions.Verify{Probe: notFound("the Node is gone", getNode), Within: 30 * time.Second},
				Notes:  notes}, nil
		},
	}
}
