package tail

import (
	"context"
	"io"

	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// podLog follows a pod's log through the API (a GET with follow=true: read-only transports let
// it through). After a loss it asks for the lines since the loss, so a short outage loses
// nothing; the gap entry still says it happened.
type podLog struct {
	client              kubernetes.Interface
	namespace, pod, ctr string
	n                   int
	previous            bool // the last terminated container's log (complete, not followed)
}

func (p podLog) run(ctx context.Context, l *link, resume bool, lostAt time.Time) error {
	opts := &corev1.PodLogOptions{Container: p.ctr, Follow: !p.previous, Previous: p.previous}
	if resume && !lostAt.IsZero() {
		t := metav1.NewTime(lostAt)
		opts.SinceTime = &t
	} else if p.n > 0 {
		n := int64(p.n)
		opts.TailLines = &n
	}
	rc, err := p.client.CoreV1().Pods(p.namespace).GetLogs(p.pod, opts).Stream(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	l.up()
	_, err = io.Copy(l, rc)
	if err == nil && p.previous {
		return finished
	}
	if err == nil {
		return errEnded
	}
	return err
}
