package kube

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// requestsOf sums a pod's containers' requests and its overhead: cpu in millicores, memory in
// bytes.
func requestsOf(spec corev1.PodSpec) (cpuMilli, memBytes int64) {
	var cpu, mem resource.Quantity
	add := func(l corev1.ResourceList) {
		if q, ok := l[corev1.ResourceCPU]; ok {
			cpu.Add(q)
		}
		if q, ok := l[corev1.ResourceMemory]; ok {
			mem.Add(q)
		}
	}
	for _, c := range spec.Containers {
		add(c.Resources.Requests)
	}
	add(spec.Overhead)
	return cpu.MilliValue(), mem.Value()
}

// trimPod is the pods informer's transform: an API pod becomes the cache's Pod.
func trimPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil // already the cache's Pod, or a tombstone
	}
	return PodOf(p), nil
}

// PodRequests are a cached pod's cpu (millicores) and memory (bytes) requests, containers and
// overhead together.
func PodRequests(p *Pod) (cpuMilli, memBytes int64) { return p.Spec.CPUMilli, p.Spec.MemBytes }
