package sim

import (
	"fmt"
	"time"
)

// obj builds a JSON object with metadata.
func obj(ns, name string, labels map[string]any, extra map[string]any) map[string]any {
	meta := map[string]any{"name": name}
	if ns != "" {
		meta["namespace"] = ns
	}
	if labels != nil {
		meta["labels"] = labels
	}
	o := map[string]any{"metadata": meta}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

// seedKube writes the demo's cluster: node3 is down (its kubelet is inactive over SSH too) with a
// database pod and its PVC and IPInstance on it, web-2 crash-loops, rama-daemon misses node3,
// machine node7-old is stuck deleting behind its finalizer, and network-controller sits in
// ImagePullBackOff as after a power-loss recovery (a known exception, §9.4).
func seedKube(k *KubeAPI, now time.Time) {
	ts := func(d time.Duration) string { return now.Add(-d).UTC().Format(time.RFC3339) }
	for _, ns := range []string{"kube-system", "kube-node-lease", "app", "asp-aks", "sigma-operator-machine-conditions"} {
		k.Put("v1/namespaces", obj("", ns, nil, map[string]any{"status": map[string]any{"phase": "Active"}}))
	}
	for i := 1; i <= 6; i++ {
		name := fmt.Sprintf("node%d", i)
		labels := map[string]any{"kubernetes.io/hostname": name}
		if i == 1 {
			labels["node-role.kubernetes.io/master"] = ""
		}
		ready := map[string]any{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
			"lastHeartbeatTime": ts(10 * time.Second), "lastTransitionTime": ts(40 * 24 * time.Hour)}
		if name == "node3" {
			ready = map[string]any{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status.",
				"lastHeartbeatTime": ts(14 * time.Minute), "lastTransitionTime": ts(13 * time.Minute)}
		}
		k.Put("v1/nodes", obj("", name, labels, map[string]any{
			"spec": map[string]any{},
			"status": map[string]any{
				"conditions":  []any{ready},
				"addresses":   []any{map[string]any{"type": "InternalIP", "address": "127.0.0.1"}, map[string]any{"type": "Hostname", "address": name}},
				"allocatable": map[string]any{"cpu": "31", "memory": "250Gi", "pods": "110"},
				"capacity":    map[string]any{"cpu": "32", "memory": "256Gi", "pods": "110"},
			}}))
		k.Put("machine.sigma.alipay.com/v1/machines", obj("", name, nil, map[string]any{
			"spec": map[string]any{"hostname": name}, "status": map[string]any{"phase": "Running"}}))
		renewed := 5 * time.Second
		if name == "node3" {
			renewed = 14 * time.Minute // its kubelet stopped renewing with the rest
		}
		k.PutLease(name, now.Add(-renewed))
	}
	k.Put("machine.sigma.alipay.com/v1/machines", obj("", "node7-old", nil, map[string]any{
		"spec": map[string]any{"hostname": "node7-old"}, "status": map[string]any{"phase": "Deleting"}}))
	m := k.objs["machine.sigma.alipay.com/v1/machines"]["node7-old"]["metadata"].(map[string]any)
	m["finalizers"] = []any{"finalizer.k8s.alipay.com/machine"}
	m["deletionTimestamp"] = ts(3 * time.Hour)

	type podSpec struct {
		ns, name, node, phase, waiting, terminated string
		ready                                      bool
		restarts                                   int
		pvc, cpu                                   string
	}
	pods := []podSpec{
		{ns: "kube-system", name: "kube-apiserver-node1", node: "node1", phase: "Running", ready: true, cpu: "2"},
		{ns: "kube-system", name: "kube-controller-manager-node1", node: "node1", phase: "Running", ready: true, cpu: "1"},
		{ns: "kube-system", name: "kube-scheduler-node1", node: "node1", phase: "Running", ready: true},
		{ns: "kube-system", name: "etcd-node1", node: "node1", phase: "Running", ready: true, cpu: "2"},
		{ns: "kube-system", name: "coredns-5d78c9869d-abcde", node: "node2", phase: "Running", ready: true},
		{ns: "kube-system", name: "coredns-5d78c9869d-fghij", node: "node4", phase: "Running", ready: true},
		{ns: "kube-system", name: "network-controller-7f9c-xk2lp", node: "node2", phase: "Pending", waiting: "ImagePullBackOff"},
		{ns: "app", name: "web-1", node: "node2", phase: "Running", ready: true, cpu: "8"},
		{ns: "app", name: "web-2", node: "node4", phase: "Running", waiting: "CrashLoopBackOff", restarts: 23, cpu: "8"},
		{ns: "app", name: "db-0", node: "node3", phase: "Running", pvc: "data-db-0", cpu: "4"},
		{ns: "app", name: "report-29001-x7k2p", node: "node5", phase: "Succeeded", terminated: "Completed"},
	}
	for i := 1; i <= 6; i++ {
		n := fmt.Sprintf("node%d", i)
		pods = append(pods, podSpec{ns: "kube-system", name: "rama-daemon-" + n, node: n, phase: "Running", ready: n != "node3"})
	}
	for _, p := range pods {
		cpu := p.cpu
		if cpu == "" {
			cpu = "500m"
		}
		state := map[string]any{"running": map[string]any{"startedAt": ts(24 * time.Hour)}}
		switch {
		case p.waiting != "":
			state = map[string]any{"waiting": map[string]any{"reason": p.waiting}}
		case p.terminated != "":
			state = map[string]any{"terminated": map[string]any{"reason": p.terminated, "exitCode": 0}}
		}
		spec := map[string]any{"nodeName": p.node, "containers": []any{map[string]any{"name": "main", "image": "reg.demo/" + p.name,
			"resources": map[string]any{"requests": map[string]any{"cpu": cpu, "memory": "1Gi"}}}}}
		if p.pvc != "" {
			spec["volumes"] = []any{map[string]any{"name": "data", "persistentVolumeClaim": map[string]any{"claimName": p.pvc}}}
		}
		readyS := "False"
		if p.ready {
			readyS = "True"
		}
		o := obj(p.ns, p.name, map[string]any{"app": p.name}, map[string]any{"spec": spec, "status": map[string]any{
			"phase":             p.phase,
			"conditions":        []any{map[string]any{"type": "Ready", "status": readyS}},
			"containerStatuses": []any{map[string]any{"name": "main", "ready": p.ready, "restartCount": p.restarts, "state": state, "image": "reg.demo/" + p.name, "imageID": "", "containerID": ""}},
		}})
		o["metadata"].(map[string]any)["creationTimestamp"] = ts(2 * time.Hour)
		k.Put("v1/pods", o)
	}
	deploy := func(name string, want, ready int) {
		k.Put("apps/v1/deployments", obj("kube-system", name, nil, map[string]any{
			"spec":   map[string]any{"replicas": want, "selector": map[string]any{"matchLabels": map[string]any{"app": name}}},
			"status": map[string]any{"replicas": want, "readyReplicas": ready, "availableReplicas": ready}}))
	}
	deploy("coredns", 2, 2)
	deploy("network-controller", 1, 0)
	k.Put("apps/v1/daemonsets", obj("kube-system", "rama-daemon", nil, map[string]any{
		"spec":   map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": "rama-daemon"}}},
		"status": map[string]any{"desiredNumberScheduled": 6, "currentNumberScheduled": 6, "numberReady": 5, "numberMisscheduled": 0}}))
	for _, cm := range []string{"node3-conditions", "node3-readiness-gates"} {
		k.Put("v1/configmaps", obj("sigma-operator-machine-conditions", cm, nil, map[string]any{"data": map[string]any{"node": "node3"}}))
	}
	k.Put("adns.alipay.com/v1/zones", obj("", "demo.example", nil, map[string]any{"spec": map[string]any{}, "status": map[string]any{"phase": "Created"}}))
	k.Put("adns.alipay.com/v1/dnsendpoints", obj("app", "www", nil, map[string]any{"spec": map[string]any{}, "status": map[string]any{"phase": "Succeed"}}))
	k.Put("networking.alibaba.com/v1/ipinstances", obj("asp-aks", "ip-db-0", nil, map[string]any{
		"spec": map[string]any{"podName": "db-0", "podNamespace": "app", "address": "10.200.0.10"}}))
}

// PutLease writes a node's heartbeat Lease in kube-node-lease, as its kubelet would.
func (k *KubeAPI) PutLease(node string, renewed time.Time) {
	k.Put("coordination.k8s.io/v1/leases", obj("kube-node-lease", node, nil, map[string]any{
		"spec": map[string]any{"holderIdentity": node, "leaseDurationSeconds": 40,
			"renewTime": renewed.UTC().Format("2006-01-02T15:04:05.000000Z07:00")}}))
}

// RenewLeases renews the named nodes' Leases every period, as their kubelets do (every 10 s),
// until stop closes.
func (k *KubeAPI) RenewLeases(nodes []string, every time.Duration, stop <-chan struct{}) {
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				for _, n := range nodes {
					k.PutLease(n, k.now())
				}
			}
		}
	}()
}

// seedBusiness writes a business cluster: two Ready nodes with Leases, a few pods, none of the
// Ant custom resources (the API does not serve them).
func seedBusiness(k *KubeAPI, now time.Time) {
	ts := func(d time.Duration) string { return now.Add(-d).UTC().Format(time.RFC3339) }
	for _, ns := range []string{"kube-system", "kube-node-lease", "shop"} {
		k.Put("v1/namespaces", obj("", ns, nil, map[string]any{"status": map[string]any{"phase": "Active"}}))
	}
	for _, name := range []string{"biz1", "biz2"} {
		k.Put("v1/nodes", obj("", name, map[string]any{"kubernetes.io/hostname": name}, map[string]any{
			"spec": map[string]any{},
			"status": map[string]any{
				"conditions": []any{map[string]any{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
					"lastHeartbeatTime": ts(4 * time.Minute), "lastTransitionTime": ts(9 * 24 * time.Hour)}},
				"addresses":   []any{map[string]any{"type": "InternalIP", "address": "127.0.0.1"}},
				"allocatable": map[string]any{"cpu": "15", "memory": "60Gi", "pods": "110"},
			}}))
		k.PutLease(name, now.Add(-3*time.Second))
		p := obj("shop", "cart-"+name, map[string]any{"app": "cart"}, map[string]any{
			"spec": map[string]any{"nodeName": name, "containers": []any{map[string]any{"name": "main", "image": "reg.demo/cart",
				"resources": map[string]any{"requests": map[string]any{"cpu": "1", "memory": "1Gi"}}}}},
			"status": map[string]any{"phase": "Running", "containerStatuses": []any{map[string]any{"name": "main", "ready": true, "restartCount": 0,
				"state": map[string]any{"running": map[string]any{"startedAt": ts(time.Hour)}}, "image": "reg.demo/cart", "imageID": "", "containerID": ""}}}})
		k.Put("v1/pods", p)
	}
}
