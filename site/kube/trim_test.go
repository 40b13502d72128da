package kube

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A trimmed pod keeps what the checks and the cockpit read, its requests folded into one list.
func TestTrimPodKeepsWhatIsRead(t *testing.T) {
	q := resource.MustParse
	now := metav1.Now()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web-1", UID: "u1", ResourceVersion: "7", Finalizers: []string{"f"},
			DeletionTimestamp: &now, Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"a": "b"}},
		Spec: corev1.PodSpec{NodeName: "node1", Overhead: corev1.ResourceList{corev1.ResourceCPU: q("10m")},
			Containers: []corev1.Container{
				{Name: "a", Image: "x", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: q("250m"), corev1.ResourceMemory: q("64Mi")}}},
				{Name: "b", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: q("1"), corev1.ResourceMemory: q("1Gi")}}},
			},
			Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data-web-1"}}}, {Name: "tmp"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Reason: "r",
			Conditions:        []corev1.PodCondition{{Type: corev1.PodScheduled, Status: "True"}, {Type: corev1.PodReady, Status: "False", Reason: "ContainersNotReady", Message: "long"}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "a", RestartCount: 3, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}}},
	}
	obj, _ := trimPod(p)
	if cpu, mem := PodRequests(obj.(*Pod)); cpu != 1260 || mem != 64<<20+1<<30 {
		t.Errorf("requests kept: %d %d", cpu, mem)
	}
	again, _ := trimPod(obj) // a trimmed object handed back again
	if cpu, _ := PodRequests(again.(*Pod)); cpu != 1260 {
		t.Errorf("a second transform lost the requests: %d", cpu)
	}
	if cp := obj.(*Pod).DeepCopyObject().(*Pod); cp.Spec.CPUMilli != 1260 || cp.Spec.MemBytes != 64<<20+1<<30 {
		t.Errorf("a copy lost the requests: %+v", cp.Spec)
	}
	got := obj.(*Pod)
	if got.Labels != nil || got.Annotations != nil {
		t.Errorf("kept what nothing reads: %+v", got.ObjectMeta)
	}
	if got.Spec.NodeName != "node1" || len(got.Spec.Volumes) != 1 || got.Finalizers[0] != "f" || got.DeletionTimestamp == nil || got.UID != "u1" || got.ResourceVersion != "7" {
		t.Errorf("lost what is read: %+v %+v", got.ObjectMeta, got.Spec)
	}
	if len(got.Status.Conditions) != 1 || got.Status.Conditions[0].Type != corev1.PodReady || got.Status.ContainerStatuses[0].State.Waiting.Reason != "CrashLoopBackOff" || got.Status.ContainerStatuses[0].RestartCount != 3 {
		t.Errorf("status: %+v", got.Status)
	}
}

// A copy of a cached pod shares nothing with it (the informer may hand copies out).
func TestPodDeepCopy(t *testing.T) {
	now := metav1.Now()
	p := PodOf(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "a", Finalizers: []string{"f"}, DeletionTimestamp: &now},
		Spec: corev1.PodSpec{Volumes: []corev1.Volume{{Name: "d", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "c"}}}}},
		Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: "True"}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "x", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "R"}}}}}})
	c := p.DeepCopyObject().(*Pod)
	if !reflect.DeepEqual(p, c) {
		t.Fatalf("%+v\n%+v", p, c)
	}
	c.Finalizers[0], c.Spec.Volumes[0].PersistentVolumeClaim.ClaimName = "g", "z"
	c.Status.ContainerStatuses[0].State.Waiting.Reason, c.Status.Conditions[0].Status = "S", "False"
	if p.Finalizers[0] != "f" || p.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "c" ||
		p.Status.ContainerStatuses[0].State.Waiting.Reason != "R" || p.Status.Conditions[0].Status != "True" {
		t.Fatalf("the copy shares with the original: %+v", p)
	}
}
