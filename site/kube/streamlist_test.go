package kube

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

func streamTestPods(n int) *corev1.PodList {
	l := &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "4711"}}
	for i := range n {
		l.Items = append(l.Items, corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: fmt.Sprint("p", i), Labels: map[string]string{"app": "x"},
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}},
			Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c", Image: "img",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")}}}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning}})
	}
	return l
}

// streamServer answers a pod list as protobuf or JSON, cut after cut bytes when cut > 0, and
// records the queries it was asked.
func streamServer(t *testing.T, asJSON bool, cut int) (*httptest.Server, *[]string) {
	t.Helper()
	var body bytes.Buffer
	ct := "application/json"
	if asJSON {
		_ = json.NewEncoder(&body).Encode(streamTestPods(300))
	} else {
		ct = "application/vnd.kubernetes.protobuf"
		enc := scheme.Codecs.EncoderForVersion(protobuf.NewSerializer(scheme.Scheme, scheme.Scheme), corev1.SchemeGroupVersion)
		if err := enc.Encode(streamTestPods(300), &body); err != nil {
			t.Fatal(err)
		}
	}
	b := body.Bytes()
	if cut > 0 {
		b = b[:cut]
	}
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.RawQuery)
		if !strings.HasPrefix(r.Header.Get("Accept"), "application/vnd.kubernetes.protobuf") {
			t.Errorf("Accept %q: protobuf first", r.Header.Get("Accept"))
		}
		w.Header().Set("Content-Type", ct)
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

func streamPodsFrom(t *testing.T, srv *httptest.Server) (runtime.Object, error) {
	t.Helper()
	k, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	src := streamSource{client: func() rest.Interface { return k.CoreV1().RESTClient() }, resource: "pods",
		newItem: func() protoObject { return &corev1.Pod{} }, newList: func() runtime.Object { return &corev1.PodList{} }, prune: podPrune}
	obj, err := streamList(context.Background(), src, metav1.ListOptions{ResourceVersion: "0", Limit: 500}, trimPod)
	return obj, err
}

// The first list comes whole from the watch cache, each item decoded and trimmed as it arrives,
// in protobuf or, from a server that answers JSON, in JSON.
func TestStreamListDecodesAndTrimsEachItem(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		srv, asked := streamServer(t, asJSON, 0)
		obj, err := streamPodsFrom(t, srv)
		if err != nil {
			t.Fatalf("json %v: %v", asJSON, err)
		}
		if len(*asked) != 1 || (*asked)[0] != "resourceVersion=0" {
			t.Fatalf("asked %q: one whole list at resourceVersion 0, no limit", *asked)
		}
		lm, _ := meta.ListAccessor(obj)
		objs, err := meta.ExtractListWithAlloc(obj)
		if err != nil || len(objs) != 300 || lm.GetResourceVersion() != "4711" {
			t.Fatalf("json %v: %d items, rv %q, %v", asJSON, len(objs), lm.GetResourceVersion(), err)
		}
		p := objs[299].(*Pod)
		if p.Name != "p299" || p.Spec.NodeName != "n1" || p.Labels != nil || p.ManagedFields != nil {
			t.Fatalf("json %v: %+v", asJSON, p)
		}
		if got, _ := PodRequests(p); got != 250 {
			t.Fatalf("json %v: requests kept beside the cache: %d", asJSON, got)
		}
	}
}

// A body cut short is an error, never a shorter list the reflector would take as the truth.
func TestStreamListCutShortIsAnError(t *testing.T) {
	srv, _ := streamServer(t, false, 0)
	obj, _ := streamPodsFrom(t, srv)
	full := obj.(*metav1.List)
	var size bytes.Buffer
	enc := scheme.Codecs.EncoderForVersion(protobuf.NewSerializer(scheme.Scheme, scheme.Scheme), corev1.SchemeGroupVersion)
	_ = enc.Encode(streamTestPods(300), &size)
	for _, cut := range []int{5, 40, size.Len() / 2, size.Len() - 1} {
		srv, _ := streamServer(t, false, cut)
		if obj, err := streamPodsFrom(t, srv); err == nil {
			t.Fatalf("cut at %d of %d: no error, %d items of %d", cut, size.Len(), len(obj.(*metav1.List).Items), len(full.Items))
		}
	}
}

// Lengths that overrun their message, or that no int64 holds, are errors, never a panic or a
// shorter list; a varint may be longer than it needs to be.
func TestProtoFieldsChecksEveryLength(t *testing.T) {
	read := func(b []byte, n int64) error {
		return protoFields(bufio.NewReader(bytes.NewReader(b)), n, func(_ uint64, r *bufio.Reader, n int64) error {
			return discard(r, n)
		})
	}
	huge := append([]byte{2<<3 | 2}, binary.AppendUvarint(nil, 1<<63)...)
	for name, c := range map[string]struct {
		b []byte
		n int64
	}{
		"length past int64":         {huge, -1},
		"length past the message":   {[]byte{2<<3 | 2, 5, 1, 2}, 4},
		"fixed64 past the message":  {[]byte{1<<3 | 1, 1, 2, 3}, 4},
		"varint cut":                {[]byte{1 << 3, 0x80}, -1},
		"message ends inside a key": {[]byte{2<<3 | 2, 0, 0x80}, 3},
	} {
		if err := read(c.b, c.n); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// field 2, its length 2 written in three bytes (0x82 0x80 0x00), then its two bytes: 6 in all
	if err := read([]byte{2<<3 | 2, 0x82, 0x80, 0x00, 7, 7}, 6); err != nil {
		t.Errorf("a long varint: %v", err)
	}
}
