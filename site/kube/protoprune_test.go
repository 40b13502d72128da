package kube

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// richPod has every kind of field a pod on a real site carries: managed fields, labels,
// annotations, owners, env, probes, mounts, init containers, tolerations, affinity, and a status
// with every condition, IPs and images.
func richPod() *corev1.Pod {
	t1 := metav1.NewTime(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	del := metav1.NewTime(t1.Add(time.Hour))
	grace := int64(30)
	q := resource.MustParse
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}, PeriodSeconds: 10}
	container := func(name string, cpu, mem string) corev1.Container {
		return corev1.Container{Name: name, Image: "reg.example/" + name + ":1.2.3", Command: []string{"/bin/" + name}, Args: []string{"--v=2"},
			Env:   []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "POD", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
			Ports: []corev1.ContainerPort{{ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: q(cpu), corev1.ResourceMemory: q(mem)},
				Limits: corev1.ResourceList{corev1.ResourceCPU: q("4")}},
			VolumeMounts:  []corev1.VolumeMount{{Name: "data", MountPath: "/data"}},
			LivenessProbe: probe, ReadinessProbe: probe}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "biz", Name: "web-7f9c-x2", GenerateName: "web-7f9c-", UID: "0b7e-11", ResourceVersion: "88123",
			Generation: 2, CreationTimestamp: t1, DeletionTimestamp: &del, DeletionGracePeriodSeconds: &grace,
			Labels: map[string]string{"app": "web", "pod-template-hash": "7f9c"}, Annotations: map[string]string{"kubectl.kubernetes.io/restartedAt": "x"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-7f9c", UID: "rs1"}},
			Finalizers:      []string{"example.com/protect"},
			ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "kubelet", Operation: "Update", FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:status":{}}`)}}}},
		Spec: corev1.PodSpec{NodeName: "node17", ServiceAccountName: "web", Overhead: corev1.ResourceList{corev1.ResourceCPU: q("10m"), corev1.ResourceMemory: q("16Mi")},
			InitContainers: []corev1.Container{container("init", "1", "1Gi")},
			Containers:     []corev1.Container{container("web", "250m", "256Mi"), container("sidecar", "50m", "32Mi")},
			Volumes: []corev1.Volume{
				{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data-web", ReadOnly: true}}},
				{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}},
			},
			Tolerations: []corev1.Toleration{{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}},
			Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}}}}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Reason: "Evicted", Message: "a long message", HostIP: "10.0.0.17", PodIP: "172.16.3.9",
			PodIPs: []corev1.PodIP{{IP: "172.16.3.9"}}, StartTime: &t1, QOSClass: corev1.PodQOSBurstable,
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: t1},
				{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady", Message: "containers with unready status: [web]", LastTransitionTime: t1, LastProbeTime: t1},
			},
			InitContainerStatuses: []corev1.ContainerStatus{{Name: "init", Ready: true, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}}},
			ContainerStatuses: []corev1.ContainerStatus{
				{Name: "web", Ready: false, RestartCount: 7, Image: "reg.example/web:1.2.3", ImageID: "sha256:abc", ContainerID: "containerd://1",
					State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 5m0s"}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}}},
				{Name: "sidecar", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: t1}}},
			}},
	}
}

// marshalPruned is obj's protobuf, whole and pruned by rule, and the pruner that pruned it.
func marshalPruned(t *testing.T, obj interface{ Marshal() ([]byte, error) }, rule *protoPrune) (whole, pruned []byte, p *pruner) {
	t.Helper()
	whole, err := obj.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p = &pruner{}
	if pruned, err = p.prune(whole, rule, nil); err != nil {
		t.Fatal(err)
	}
	return whole, pruned, p
}

// A pruned pod decodes to the very cache Pod the whole one gives, and its bytes are fewer.
func TestPrunedPodIsTheSameCachePod(t *testing.T) {
	b, pruned, p := marshalPruned(t, richPod(), podPrune)
	var got corev1.Pod
	if err := got.Unmarshal(pruned); err != nil {
		t.Fatal(err)
	}
	var whole corev1.Pod // decoded too: times come back in the local zone
	if err := whole.Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	want := PodOf(&whole)
	if g := PodOf(&got); !reflect.DeepEqual(g, want) {
		t.Fatalf("pruned:\n%#v\nwhole:\n%#v", g, want)
	}
	if want.Spec.CPUMilli != 310 || want.Spec.MemBytes != 304<<20 || len(want.Spec.Volumes) != 1 || want.DeletionTimestamp == nil || len(want.Finalizers) != 1 {
		t.Fatalf("the fixture lost what it tests: %+v", want.Spec)
	}
	if len(pruned) > len(b)/2 {
		t.Errorf("pruned to %d of %d bytes", len(pruned), len(b))
	}
	// The buffers are reused: a second pod pruned after it is not mixed with the first.
	other := richPod()
	other.Name, other.Spec.NodeName = "db-0", "node3"
	b2, _ := other.Marshal()
	pruned2, err := p.prune(b2, podPrune, pruned[:0])
	if err != nil {
		t.Fatal(err)
	}
	var got2 corev1.Pod
	if err := got2.Unmarshal(pruned2); err != nil || got2.Name != "db-0" || got2.Spec.NodeName != "node3" || len(got2.Status.ContainerStatuses) != 2 {
		t.Fatalf("second pod: %v %+v", err, got2.ObjectMeta)
	}
}

// A message cut anywhere, or with a broken length, is an error, never a panic or a shorter pod
// passed on as whole.
func TestPruneRejectsBrokenMessages(t *testing.T) {
	b, _ := richPod().Marshal()
	var p pruner
	for cut := 1; cut < len(b); cut++ {
		out, err := p.prune(b[:cut], podPrune, nil)
		if err == nil {
			// A cut at a field boundary is a valid shorter message: it must still decode.
			var pod corev1.Pod
			if uerr := pod.Unmarshal(out); uerr != nil {
				t.Fatalf("cut at %d: pruned without error to bytes that do not decode: %v", cut, uerr)
			}
		}
	}
	bad := append([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}, b...) // metadata of 4 GB
	if _, err := p.prune(bad, podPrune, nil); err == nil {
		t.Fatal("an overrunning length was accepted")
	}
	if _, err := p.prune([]byte{0x0b}, podPrune, nil); err == nil { // wire type 3 (groups)
		t.Fatal("a group was accepted")
	}
}

// Decoding one site-like pod as the first list does: whole, or pruned first.
func BenchmarkDecodePod(b *testing.B) {
	raw, _ := richPod().Marshal()
	benchDecode(b, raw, podPrune, func() protoObject { return &corev1.Pod{} }, func(o protoObject) { _ = PodOf(o.(*corev1.Pod)) })
	b.Run("direct", func(b *testing.B) { // one decoder for the list, as streamList has
		b.ReportAllocs()
		d := newPodDecoder()
		for b.Loop() {
			if _, err := d.pod(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchDecode decodes raw into new() and hands it to keep: whole, or pruned by rule first.
func benchDecode(b *testing.B, raw []byte, rule *protoPrune, new func() protoObject, keep func(protoObject)) {
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			o := new()
			if err := o.Unmarshal(raw); err != nil {
				b.Fatal(err)
			}
			keep(o)
		}
	})
	b.Run("pruned", func(b *testing.B) {
		b.ReportAllocs()
		var pr pruner
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = pr.prune(raw, rule, buf[:0]); err != nil {
				b.Fatal(err)
			}
			o := new()
			if err := o.Unmarshal(buf); err != nil {
				b.Fatal(err)
			}
			keep(o)
		}
	})
}

// A pod neither the direct decoder nor the pruner can walk (here a field in the old group
// encoding, which they do not know and the generated decoder skips) is decoded whole rather than
// failing the whole list.
func TestAnItemThePrunerCannotWalkIsDecodedWhole(t *testing.T) {
	b, _ := richPod().Marshal()
	b = append(b, 0x9b, 0x06, 0x9c, 0x06) // field 99: start group, end group
	var p pruner
	if _, err := p.prune(b, podPrune, nil); err == nil {
		t.Fatal("the pruner walked a group")
	}
	if _, err := decodePod(b); err == nil {
		t.Fatal("the direct decoder walked a group")
	}
	src := streamSource{newItem: func() protoObject { return &corev1.Pod{} }, prune: podPrune}
	direct := func(b []byte) (runtime.Object, error) { return decodePod(b) }
	var scratch []byte
	obj, err := decodeItem(src, direct, &p, b, &scratch)
	if err != nil {
		t.Fatal(err)
	}
	if pod := obj.(*corev1.Pod); pod.Name != "web-7f9c-x2" || len(pod.Spec.Containers) != 2 {
		t.Fatalf("decoded %s with %d containers", pod.Name, len(pod.Spec.Containers))
	}
}

// A Node pruned before decoding is the Node the cache holds after trim, without the images that
// make most of a site's Node bytes.
func TestPrunedNodeIsTheTrimmedNode(t *testing.T) {
	b, pruned, _ := marshalPruned(t, siteNode(2), nodePrune)
	var got, whole corev1.Node
	if err := got.Unmarshal(pruned); err != nil {
		t.Fatal(err)
	}
	if err := whole.Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	if _, err := trim(&whole); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, &whole) {
		t.Fatalf("pruned:\n%#v\ntrimmed:\n%#v", got, whole)
	}
	if len(whole.Labels) != 1 || !whole.Spec.Unschedulable || len(whole.Status.Conditions) != 1 || whole.Status.NodeInfo.KubeletVersion == "" {
		t.Fatalf("the fixture lost what it tests: %+v", whole)
	}
}

// siteNode is a Node as a site's kubelet writes it, holding images images.
func siteNode(images int) *corev1.Node {
	q := func(s string) resource.Quantity { return resource.MustParse(s) }
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "node1", Labels: map[string]string{"node-role.kubernetes.io/master": ""},
			Annotations:   map[string]string{"node.alpha.kubernetes.io/ttl": "0"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet", Operation: metav1.ManagedFieldsOperationUpdate}}},
		Spec: corev1.NodeSpec{Unschedulable: true, Taints: []corev1.Taint{{Key: "k", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{"cpu": q("32"), "memory": q("128Gi")},
			Capacity:    corev1.ResourceList{"cpu": q("32"), "memory": q("128Gi")},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
				LastHeartbeatTime: metav1.NewTime(time.Unix(1_700_000_000, 0)), LastTransitionTime: metav1.NewTime(time.Unix(1_690_000_000, 0))}},
			Addresses:    []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.0.1"}},
			NodeInfo:     corev1.NodeSystemInfo{KubeletVersion: "v1.20.11", ContainerRuntimeVersion: "containerd://1.6"},
			VolumesInUse: []corev1.UniqueVolumeName{"kubernetes.io/csi/x"},
		}}
	for i := range images {
		n.Status.Images = append(n.Status.Images, corev1.ContainerImage{SizeBytes: 1 << 28, Names: []string{
			fmt.Sprintf("reg.example/team%d/app%d@sha256:%s", i%7, i, strings.Repeat("a", 64)), fmt.Sprintf("reg.example/team%d/app%d:v1.%d", i%7, i, i)}})
	}
	return n
}

// Decoding one site-like Node (40 images) as the first list does: whole then trimmed, or pruned.
func BenchmarkDecodeNode(b *testing.B) {
	raw, _ := siteNode(40).Marshal()
	benchDecode(b, raw, nodePrune, func() protoObject { return &corev1.Node{} }, func(o protoObject) { _, _ = trim(o) })
}
