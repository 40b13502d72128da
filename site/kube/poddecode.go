package kube

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// podDecoder reads protobuf-encoded v1.Pods straight into the cache's Pod: what PodOf would make
// of the decoded API object, without building that object. Decoding each pod whole, even pruned,
// then copying what the cockpit keeps was a fifth of the cockpit's CPU before its first screen
// (31–35 µs and 63 allocations for a pod with two containers; directly 9–10 µs and 16).
//
// Where two copies of a field meet, it keeps what the generated decoder keeps (the last value;
// embedded messages merged). Anything it does not expect is an error, and the caller then
// decodes the pod the generated way, which has the last word on what is broken.
//
// One decoder reads one list: it keeps one copy of the words pods repeat (namespaces, nodes,
// phases, reasons, container names) and of the requests' quantities it parsed. Not safe for
// concurrent use.
type podDecoder struct {
	words map[string]string
	qty   map[string]resource.Quantity
}

// maxWords bounds what a decoder remembers (a list of unique names would otherwise be kept
// twice over).
const maxWords = 1 << 16

func newPodDecoder() *podDecoder {
	return &podDecoder{words: map[string]string{}, qty: map[string]resource.Quantity{}}
}

// decodePod decodes one pod with a decoder of its own.
func decodePod(b []byte) (*Pod, error) { return newPodDecoder().pod(b) }

// word is the field's text, one copy per distinct value.
func (d *podDecoder) word(f *fieldReader) string { return d.intern(f.message()) }

func (d *podDecoder) intern(b []byte) string {
	if s, ok := d.words[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.words) < maxWords {
		d.words[s] = s
	}
	return s
}

// quantity parses a quantity, once per distinct text. Copies share a big value's decimal, which
// Add only reads.
func (d *podDecoder) quantity(b []byte) (resource.Quantity, error) {
	if q, ok := d.qty[string(b)]; ok {
		return q, nil
	}
	q, err := resource.ParseQuantity(string(b))
	if err == nil && len(d.qty) < maxWords {
		d.qty[string(b)] = q
	}
	return q, err
}

func (d *podDecoder) pod(b []byte) (*Pod, error) {
	p := &Pod{}
	var rq podRequests
	f := fieldsOf(b)
	for f.advance() {
		var err error
		switch f.num {
		case 1:
			err = d.meta(f.message(), &p.ObjectMeta)
		case 2:
			err = d.podSpec(f.message(), &p.Spec, &rq)
		case 3:
			err = d.podStatus(f.message(), &p.Status)
		}
		if err != nil {
			return nil, err
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	p.Spec.CPUMilli, p.Spec.MemBytes = rq.total()
	return p, nil
}

// meta keeps what PodOf keeps of the metadata: not labels, annotations, owners, managed
// fields or the generated name.
func (d *podDecoder) meta(b []byte, m *metav1.ObjectMeta) error {
	f := fieldsOf(b)
	for f.advance() {
		switch f.num {
		case 1:
			m.Name = f.text()
		case 3:
			m.Namespace = d.word(&f)
		case 4:
			m.SelfLink = f.text()
		case 5:
			m.UID = types.UID(f.text())
		case 6:
			m.ResourceVersion = f.text()
		case 7:
			m.Generation = int64(f.varint())
		case 8:
			m.CreationTimestamp = f.time()
		case 9:
			t := f.time()
			m.DeletionTimestamp = &t
		case 10:
			v := int64(f.varint())
			m.DeletionGracePeriodSeconds = &v
		case 14:
			m.Finalizers = append(m.Finalizers, d.word(&f))
		}
	}
	return f.err
}

// time reads the field as a metav1.Time, as its own decoder does: whole seconds, in local time.
// A broken one stops the reader (err).
func (f *fieldReader) time() metav1.Time {
	b := f.message()
	if len(b) == 0 {
		return metav1.Time{}
	}
	var secs int64
	t := fieldsOf(b)
	for t.advance() {
		switch t.num {
		case 1:
			secs = int64(t.varint())
		case 2:
			t.varint() // nanos: not kept
		}
	}
	if t.err != nil {
		f.err = t.err
		return metav1.Time{}
	}
	return metav1.Time{Time: time.Unix(secs, 0).Local()}
}

// podRequests sums a pod's cpu and memory requests: its containers' as they come, the overhead
// (a map of the whole spec: a key told twice counts once) at the end.
type podRequests struct {
	cpu, mem resource.Quantity
	overhead requestPair
}

// requestPair is a resource list's cpu and memory (a key told twice: the last).
type requestPair struct{ cpu, mem resource.Quantity }

func (r *podRequests) total() (cpuMilli, memBytes int64) {
	r.cpu.Add(r.overhead.cpu)
	r.mem.Add(r.overhead.mem)
	return r.cpu.MilliValue(), r.mem.Value()
}

func (d *podDecoder) podSpec(b []byte, s *PodSpec, rq *podRequests) error {
	f := fieldsOf(b)
	for f.advance() {
		var err error
		switch f.num {
		case 1:
			err = d.volume(f.message(), s)
		case 2:
			var c requestPair
			err = d.container(f.message(), &c)
			rq.cpu.Add(c.cpu)
			rq.mem.Add(c.mem)
		case 10:
			s.NodeName = d.word(&f)
		case 32:
			err = d.resourceEntry(f.message(), &rq.overhead)
		}
		if err != nil {
			return err
		}
	}
	return f.err
}

// volume appends a volume to s if it is a claim's. Only a claim's name is remembered as a word:
// most pods' other volumes carry names of their own (kube-api-access-x7k2p), which would fill
// the table with words never met again.
func (d *podDecoder) volume(b []byte, s *PodSpec) error {
	var v PodVolume
	var name []byte
	f := fieldsOf(b)
	for f.advance() {
		switch f.num {
		case 1:
			name = f.message()
		case 2: // the volume source: of its kinds, only a claim
			src := fieldsOf(f.message())
			for src.advance() {
				if src.num != 10 {
					continue
				}
				if v.PersistentVolumeClaim == nil {
					v.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{}
				}
				claim := fieldsOf(src.message())
				for claim.advance() {
					switch claim.num {
					case 1:
						v.PersistentVolumeClaim.ClaimName = claim.text()
					case 2:
						v.PersistentVolumeClaim.ReadOnly = claim.varint() != 0
					}
				}
				if claim.err != nil {
					return claim.err
				}
			}
			if src.err != nil {
				return src.err
			}
		}
	}
	if f.err == nil && v.PersistentVolumeClaim != nil {
		v.Name = d.intern(name)
		s.Volumes = append(s.Volumes, v)
	}
	return f.err
}

// container reads a container's requests (resources, field 8; its requests, field 2).
func (d *podDecoder) container(b []byte, c *requestPair) error {
	f := fieldsOf(b)
	for f.advance() {
		if f.num != 8 {
			continue
		}
		res := fieldsOf(f.message())
		for res.advance() {
			if res.num != 2 {
				continue
			}
			if err := d.resourceEntry(res.message(), c); err != nil {
				return err
			}
		}
		if res.err != nil {
			return res.err
		}
	}
	return f.err
}

// resourceEntry reads one entry of a resource list (a map: key 1, quantity 2) into c.
func (d *podDecoder) resourceEntry(b []byte, c *requestPair) error {
	var key []byte
	var q resource.Quantity
	f := fieldsOf(b)
	for f.advance() {
		switch f.num {
		case 1:
			key = f.message()
		case 2: // each value is a quantity of its own, as the generated decoder makes it
			q = resource.Quantity{}
			qf := fieldsOf(f.message())
			for qf.advance() {
				if qf.num != 1 {
					continue
				}
				text := qf.message()
				if qf.err != nil {
					break
				}
				parsed, err := d.quantity(text)
				if err != nil {
					return err
				}
				q = parsed
			}
			if qf.err != nil {
				return qf.err
			}
		}
	}
	switch corev1.ResourceName(key) {
	case corev1.ResourceCPU:
		c.cpu = q
	case corev1.ResourceMemory:
		c.mem = q
	}
	return f.err
}

func (d *podDecoder) podStatus(b []byte, s *PodStatus) error {
	f := fieldsOf(b)
	for f.advance() {
		var err error
		switch f.num {
		case 1:
			s.Phase = corev1.PodPhase(d.word(&f))
		case 2:
			var c corev1.PodCondition
			if err = d.condition(f.message(), &c); err == nil && c.Type == corev1.PodReady {
				s.Conditions = []corev1.PodCondition{c}
			}
		case 4:
			s.Reason = d.word(&f)
		case 8:
			var cs ContainerStatus
			if err = d.containerStatus(f.message(), &cs); err == nil {
				s.ContainerStatuses = append(s.ContainerStatuses, cs)
			}
		}
		if err != nil {
			return err
		}
	}
	return f.err
}

// condition keeps what PodOf keeps of a condition: type, status, reason, last transition.
func (d *podDecoder) condition(b []byte, c *corev1.PodCondition) error {
	f := fieldsOf(b)
	for f.advance() {
		switch f.num {
		case 1:
			c.Type = corev1.PodConditionType(d.word(&f))
		case 2:
			c.Status = corev1.ConditionStatus(d.word(&f))
		case 4:
			c.LastTransitionTime = f.time()
		case 5:
			c.Reason = d.word(&f)
		}
	}
	return f.err
}

func (d *podDecoder) containerStatus(b []byte, cs *ContainerStatus) error {
	f := fieldsOf(b)
	for f.advance() {
		switch f.num {
		case 1:
			cs.Name = d.word(&f)
		case 2:
			if err := d.containerState(f.message(), &cs.State); err != nil {
				return err
			}
		case 4:
			cs.Ready = f.varint() != 0
		case 5:
			cs.RestartCount = int32(f.varint())
		}
	}
	return f.err
}

func (d *podDecoder) containerState(b []byte, st *corev1.ContainerState) error {
	f := fieldsOf(b)
	for f.advance() {
		var err error
		switch f.num {
		case 1:
			if st.Waiting == nil {
				st.Waiting = &corev1.ContainerStateWaiting{}
			}
			err = d.waiting(f.message(), st.Waiting)
		case 2:
			if st.Running == nil {
				st.Running = &corev1.ContainerStateRunning{}
			}
			err = d.running(f.message(), st.Running)
		case 3:
			if st.Terminated == nil {
				st.Terminated = &corev1.ContainerStateTerminated{}
			}
			err = d.terminated(f.message(), st.Terminated)
		}
		if err != nil {
			return err
		}
	}
	return f.err
}

func (d *podDecoder) waiting(b []byte, w *corev1.ContainerStateWaiting) error {
	f := fieldsOf(b)
	for f.advance() {
		switch f.num {
		case 1:
			w.Reason = d.word(&f)
		case 2:
			w.Message = f.text()
		}
	}
	return f.err
}

func (d *podDecoder) running(b []byte, r *corev1.ContainerStateRunning) error {
	f := fieldsOf(b)
	for f.advance() {
		if f.num == 1 {
			r.StartedAt = f.time()
		}
	}
	return f.err
}

func (d *podDecoder) terminated(b []byte, t *corev1.ContainerStateTerminated) error {
	f := fieldsOf(b)
	for f.advance() {
		switch f.num {
		case 1:
			t.ExitCode = int32(f.varint())
		case 2:
			t.Signal = int32(f.varint())
		case 3:
			t.Reason = d.word(&f)
		case 4:
			t.Message = f.text()
		case 5:
			t.StartedAt = f.time()
		case 6:
			t.FinishedAt = f.time()
		case 7:
			t.ContainerID = f.text()
		}
	}
	return f.err
}
