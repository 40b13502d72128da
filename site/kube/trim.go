package kube

import (
	coordv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// trim keeps only what checks and views read: managedFields, annotations and most of pod specs
// and statuses go, so 100k pods stay small.
func trim(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
		m.SetAnnotations(nil)
	}
	switch o := obj.(type) {
	case *corev1.Pod:
		o.Labels, o.OwnerReferences, o.GenerateName = nil, nil, "" // nothing reads them
		// The requests live beside the cache (trimPod, PodRequests); the spec keeps the node
		// and the PVCs, the status the phase, Ready and the containers' states. 42,000 pods:
		// about a kilobyte less each than keeping containers and conditions.
		spec := corev1.PodSpec{NodeName: o.Spec.NodeName}
		for _, v := range o.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				spec.Volumes = append(spec.Volumes, corev1.Volume{Name: v.Name, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: v.PersistentVolumeClaim}})
			}
		}
		o.Spec = spec
		st := corev1.PodStatus{Phase: o.Status.Phase, Reason: o.Status.Reason}
		for _, c := range o.Status.Conditions {
			if c.Type == corev1.PodReady {
				st.Conditions = []corev1.PodCondition{{Type: c.Type, Status: c.Status, Reason: c.Reason, LastTransitionTime: c.LastTransitionTime}}
			}
		}
		if len(o.Status.ContainerStatuses) > 0 {
			st.ContainerStatuses = make([]corev1.ContainerStatus, 0, len(o.Status.ContainerStatuses))
		}
		for _, cs := range o.Status.ContainerStatuses {
			st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{Name: cs.Name, Ready: cs.Ready, RestartCount: cs.RestartCount, State: cs.State})
		}
		o.Status = st
	case *corev1.Node:
		o.Status.Images = nil
		o.Status.VolumesAttached = nil
		o.Status.VolumesInUse = nil
	}
	return obj, nil
}

// trimLease keeps a node Lease's name and renewTime: 5,000 of them renewed every 10 s are
// liveness, nothing else.
func trimLease(obj any) (any, error) {
	l, ok := obj.(*coordv1.Lease)
	if !ok {
		return obj, nil
	}
	return &coordv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: l.Name, Namespace: l.Namespace, ResourceVersion: l.ResourceVersion, UID: l.UID},
		Spec:       coordv1.LeaseSpec{RenewTime: l.Spec.RenewTime},
	}, nil
}

func trimUnstructured(obj any) (any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		u.SetManagedFields(nil)
		u.SetAnnotations(nil)
	}
	return obj, nil
}
