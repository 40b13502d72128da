package tail

import (
	"context"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"opsdeck/config"
)

// Pod logs go through the API (client-go's fake answers "fake logs"): a followed log that ends is
// reconnected; a previous container's log is read once and marked complete.
func TestPodLogs(t *testing.T) {
	old := BackoffMin
	BackoffMin = time.Millisecond
	defer func() { BackoffMin = old }()
	site := &config.Site{Logs: []config.LogSource{
		{Name: "etcd", Kind: "pod", Cluster: "demo", Path: "kube-system/etcd-master1"},
		{Name: "rama-prev", Kind: "pod", Cluster: "demo", Path: "kube-system/rama-daemon-x/rama", Previous: true},
		{Name: "nocluster", Kind: "pod", Cluster: "other", Path: "kube-system/x"},
	}}
	h, err := StartAll(context.Background(), site, Options{Kube: map[string]kubernetes.Interface{"demo": fake.NewClientset()}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	waitFor(t, h, "a reconnected pod log", func() bool {
		n := 0
		h.Range(0, 0, 100, func(e *Entry) {
			if e.Kind == Line && e.Text == "fake logs" {
				n++
			}
		})
		return n >= 2
	})
	waitFor(t, h, "the previous log read once", func() bool {
		var got []string
		h.Range(1, 0, 100, func(e *Entry) { got = append(got, e.Text) })
		return len(got) == 2 && got[0] == "fake logs" && got[1] == "end of log"
	})
	srcs := h.Sources()
	if srcs[1].Where != "pod log demo/kube-system/rama-daemon-x container rama (previous)" {
		t.Errorf("where: %s", srcs[1].Where)
	}
	if st := h.State(2); st.Up || st.Err != "no client for cluster other" {
		t.Errorf("a cluster without a client: %+v", st)
	}
}
