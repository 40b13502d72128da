package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
)

// PodEvent is one event of a pod, newest occurrence first in PodEvents' answer.
type PodEvent struct {
	Type    string // Normal | Warning
	Reason  string // BackOff, Failed, Pulled …
	Message string
	Count   int32
	Last    time.Time // the newest occurrence
	Source  string    // component/host that reported it
}

// PodEvents lists the newest events of one pod (§4.4.1, §5.6.4: describe the pod, read its
// events), asked on demand with field selectors on the involved object: never a list or an
// informer over every event of the cluster. At most limit are returned (0: all).
func PodEvents(ctx context.Context, kc kubernetes.Interface, namespace, name string, limit int) ([]PodEvent, error) {
	sel := fields.Set{"involvedObject.kind": "Pod", "involvedObject.namespace": namespace, "involvedObject.name": name}.AsSelector()
	list, err := kc.CoreV1().Events(namespace).List(ctx, metav1.ListOptions{FieldSelector: sel.String()})
	if err != nil {
		return nil, fmt.Errorf("events of pod %s/%s: %w", namespace, name, err)
	}
	out := make([]PodEvent, 0, len(list.Items))
	for _, e := range list.Items {
		// A server that ignores the selector (the demo's) must not mix in other objects.
		if e.InvolvedObject.Name != name || e.InvolvedObject.Namespace != namespace || e.InvolvedObject.Kind != "Pod" {
			continue
		}
		out = append(out, PodEvent{Type: e.Type, Reason: e.Reason, Message: strings.TrimSpace(e.Message), Count: max(e.Count, 1),
			Last: eventTime(e), Source: strings.TrimSpace(e.Source.Component + " " + e.Source.Host)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Last.After(out[j].Last) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// eventTime is when an event last happened: lastTimestamp, else the series' or eventTime
// (events.k8s.io writers), else its creation.
func eventTime(e corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return e.Series.LastObservedTime.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

// PodEvents lists the newest events of one pod of this cluster, through the one-shot client
// (read-only like the informers' transport).
func (w *Watcher) PodEvents(ctx context.Context, namespace, name string, limit int) ([]PodEvent, error) {
	ctx, cancel := context.WithTimeout(ctx, w.callTimeout())
	defer cancel()
	return PodEvents(ctx, w.clients.calls(), namespace, name, limit)
}
