package sim

import (
	"fmt"
	"time"
)

// Events of the demo's pods that are not ready, as the kubelet and the scheduler write them:
// what the cockpit shows in a pod's detail (§4.4.1, §5.6.4). The demo's API ignores field
// selectors, so site/kube also filters on the involved object.
func init() {
	register("", "v1", "events", "Event", true)
}

func seedEvents(k *KubeAPI, now time.Time) {
	ts := func(d time.Duration) string { return now.Add(-d).UTC().Format(time.RFC3339) }
	n := 0
	event := func(ns, pod, typ, reason, msg, host string, count int, first, last time.Duration) {
		n++
		o := obj(ns, fmt.Sprintf("%s.%x", pod, 0x187a0000+n), nil, map[string]any{
			"involvedObject": map[string]any{"kind": "Pod", "namespace": ns, "name": pod, "apiVersion": "v1", "fieldPath": "spec.containers{main}"},
			"type":           typ, "reason": reason, "message": msg, "count": count,
			"firstTimestamp": ts(first), "lastTimestamp": ts(last),
			"source": map[string]any{"component": "kubelet", "host": host},
		})
		k.Put("v1/events", o)
	}
	event("app", "web-2", "Normal", "Pulled", `Container image "reg.demo/web-2" already present on machine`, "node4", 24, 2*time.Hour, 3*time.Minute)
	event("app", "web-2", "Warning", "BackOff", "Back-off restarting failed container main in pod web-2_app(6f1c2b7e-2d1a-4c57-9b1e-0c6a2f1d9e41)", "node4", 512, 110*time.Minute, 20*time.Second)
	event("app", "web-2", "Warning", "Unhealthy", "Readiness probe failed: Get \"http://10.10.4.12:8080/health\": dial tcp 10.10.4.12:8080: connect: connection refused", "node4", 96, 110*time.Minute, 3*time.Minute)
	event("kube-system", "network-controller-7f9c-xk2lp", "Normal", "BackOff", `Back-off pulling image "reg.demo/network-controller-7f9c-xk2lp"`, "node2", 431, 2*time.Hour, 40*time.Second)
	event("kube-system", "network-controller-7f9c-xk2lp", "Warning", "Failed", `Failed to pull image "reg.demo/network-controller-7f9c-xk2lp": rpc error: code = Unknown desc = failed to resolve reference: dial tcp: lookup reg.demo: no such host`, "node2", 26, 2*time.Hour, 5*time.Minute)
	event("kube-system", "rama-daemon-node3", "Warning", "NodeNotReady", "Node is not ready", "node3", 1, 13*time.Minute, 13*time.Minute)
}
