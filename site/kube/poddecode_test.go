package kube

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// viaPodOf is the cache's Pod the generated way: the API object decoded whole, then PodOf.
func viaPodOf(t testing.TB, b []byte) (*Pod, error) {
	t.Helper()
	var whole corev1.Pod
	if err := whole.Unmarshal(b); err != nil {
		return nil, err
	}
	return PodOf(&whole), nil
}

// podsToDecode are pods as sites have them: the rich fixture, and the shapes it leaves out.
func podsToDecode() map[string]*corev1.Pod {
	t1 := metav1.NewTime(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	q := resource.MustParse
	plain := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "kube-proxy-x", UID: "u1", ResourceVersion: "7", CreationTimestamp: t1},
		Spec:   corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}
	pending := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "biz", Name: "unscheduled"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: q("1.5"), corev1.ResourceMemory: q("1G"), "nvidia.com/gpu": q("1")}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/3 nodes are available"}}}}
	terminated := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "jobs", Name: "done", Finalizers: []string{"a", "b"}},
		Spec: corev1.PodSpec{NodeName: "n2", Volumes: []corev1.Volume{
			{Name: "a", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "ca"}}},
			{Name: "b", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			{Name: "c", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "cc", ReadOnly: true}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodSucceeded, Reason: "Completed", ContainerStatuses: []corev1.ContainerStatus{{Name: "job", RestartCount: 2,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 3, Signal: 9, Reason: "Error", Message: "boom",
				StartedAt: t1, FinishedAt: metav1.NewTime(t1.Add(time.Minute)), ContainerID: "containerd://9"}}}}}}
	// Two Ready conditions (the last one counts), and a status with ESC in its message.
	twice := plain.DeepCopy()
	twice.Name = "twice"
	twice.Status.Conditions = append(twice.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "x", LastTransitionTime: t1})
	twice.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "\x1b[31mred"}}}}
	return map[string]*corev1.Pod{"rich": richPod(), "plain": plain, "pending": pending, "terminated": terminated, "twice": twice, "empty": {}}
}

// The direct decoder makes the very Pod that decoding the API object and PodOf make.
func TestDecodePodIsPodOf(t *testing.T) {
	for name, pod := range podsToDecode() {
		b, err := pod.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		want, err := viaPodOf(t, b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodePod(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: direct\n%#v\nvia PodOf\n%#v", name, got, want)
		}
		// Pruned bytes (what older lists went through) decode to the same Pod too.
		var pr pruner
		pruned, err := pr.prune(b, podPrune, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := decodePod(pruned); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s pruned: %v\n%#v", name, err, got)
		}
	}
	rich, _ := decodePod(mustMarshal(t, richPod()))
	if rich.Spec.CPUMilli != 310 || rich.Spec.MemBytes != 304<<20 || len(rich.Spec.Volumes) != 1 || rich.DeletionTimestamp == nil {
		t.Fatalf("the fixture lost what it tests: %+v", rich.Spec)
	}
}

// Fields told twice end as the generated decoder leaves them: the last value, messages merged.
func TestDecodePodFieldsToldTwice(t *testing.T) {
	a, b := podsToDecode()["rich"], podsToDecode()["terminated"]
	both := append(mustMarshal(t, a), mustMarshal(t, b)...)
	want, err := viaPodOf(t, both)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodePod(both)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%v: direct\n%#v\nvia PodOf\n%#v", err, got, want)
	}
}

// Bytes cut anywhere never panic; where the direct decoder takes them, they are the generated
// decoder's Pod.
func TestDecodePodCutAnywhere(t *testing.T) {
	b := mustMarshal(t, richPod())
	for cut := 0; cut < len(b); cut++ {
		checkDecodePod(t, b[:cut])
	}
	for _, bad := range [][]byte{{0x0b}, {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}, {0x08, 0x01}, {0x12, 0x02, 0x52, 0x00}} {
		checkDecodePod(t, bad)
	}
}

func checkDecodePod(t testing.TB, b []byte) {
	got, err := decodePod(b)
	if err != nil {
		return // the caller decodes it the generated way
	}
	want, werr := viaPodOf(t, b)
	if werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%x: direct\n%#v\nvia PodOf\n%#v", b, got, want)
	}
}

func FuzzDecodePod(f *testing.F) {
	for _, p := range podsToDecode() {
		f.Add(mustMarshal(f, p))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkDecodePod(t, b) })
}

func mustMarshal(t testing.TB, p *corev1.Pod) []byte {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Bytes no API server writes but the generated decoder takes: they decode the same, or the
// direct decoder declines them (and the generated one decides).
func TestDecodePodOddButValidBytes(t *testing.T) {
	field := func(num uint64, payload ...[]byte) []byte {
		b := binary.AppendUvarint(nil, num<<3|2)
		body := bytes.Join(payload, nil)
		b = binary.AppendUvarint(b, uint64(len(body)))
		return append(b, body...)
	}
	str := func(num uint64, s string) []byte { return field(num, []byte(s)) }
	entry := func(key string, values ...[]byte) []byte { // a resource list's map entry
		return field(2, append([][]byte{str(1, key)}, values...)...)
	}
	container := func(entries ...[]byte) []byte { return field(2, field(8, entries...)) } // spec.containers[].resources
	cases := map[string][]byte{
		// A value told twice in one entry: the second, empty, is a zero quantity.
		"value twice, then empty":        field(2, container(entry("cpu", field(2, str(1, "1")), field(2)))),
		"value twice, then unknown only": field(2, container(entry("cpu", field(2, str(1, "1")), field(2, str(3, "z"))))),
		"overhead told twice":            field(2, field(32, str(1, "cpu"), field(2, str(1, "2"))), field(32, str(1, "cpu"), field(2, str(1, "250m")))),
		// A field number past int32: the generated decoder reads it cut to 32 bits (here 1).
		"field number past int32": field(1<<32+1, str(1, "x")),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := viaPodOf(t, b); err != nil {
				t.Fatalf("the generated decoder refuses the case: %v", err)
			}
			checkDecodePod(t, b)
		})
	}
}

// One decoder reads a whole list: its words and quantities (big ones too, held as decimals)
// are shared between pods, and the buffer each pod came in is reused for the next.
func TestOneDecoderForAList(t *testing.T) {
	d := newPodDecoder()
	buf := make([]byte, 0, 4096)
	for i, cpu := range []string{"100000000000000000000", "250m", "100000000000000000000", "1e30", "250m"} {
		p := podsToDecode()["pending"]
		p.Name = fmt.Sprintf("p%d", i)
		p.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse(cpu)
		p.Spec.Overhead = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}
		buf = append(buf[:0], mustMarshal(t, p)...)
		got, err := d.pod(buf)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := viaPodOf(t, buf)
		for j := range buf {
			buf[j] = 0xff // the next item's bytes
		}
		if !reflect.DeepEqual(got, want) || got.Name != p.Name || got.Namespace != "biz" {
			t.Fatalf("pod %d (cpu %s): direct\n%#v\nvia PodOf\n%#v", i, cpu, got, want)
		}
	}
}

// A claim's volume name is remembered as a word, a pod's own volume names are not: a long-lived
// decoder (a watch's) would fill its table with names never met again.
func TestOnlyClaimVolumeNamesAreWords(t *testing.T) {
	p := richPod()
	p.Spec.Volumes = []corev1.Volume{
		{Name: "kube-api-access-x7k2p", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{}}},
		{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data-web-0"}}},
	}
	d := newPodDecoder()
	got, err := d.pod(mustMarshal(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.Volumes) != 1 || got.Spec.Volumes[0].Name != "data" || got.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "data-web-0" {
		t.Fatalf("volumes %+v", got.Spec.Volumes)
	}
	if _, ok := d.words["kube-api-access-x7k2p"]; ok {
		t.Error("a pod's own volume name was kept as a word")
	}
	if _, ok := d.words["data"]; !ok {
		t.Error("a claim's volume name was not kept as a word")
	}
}
