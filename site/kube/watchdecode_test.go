package kube

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// envelope is obj as the API writes it into a watch event: the protobuf magic and a
// runtime.Unknown around the object.
func envelope(t testing.TB, obj runtime.Object) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := scheme.Codecs.EncoderForVersion(protobuf.NewSerializer(scheme.Scheme, scheme.Scheme), corev1.SchemeGroupVersion)
	if err := enc.Encode(obj, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// wholly decodes an envelope the generated way, as the typed client's watch did.
func wholly(t testing.TB, data []byte) runtime.Object {
	t.Helper()
	obj, _, err := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme).Decode(data, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// watchServer answers one watch of resource with events, framed as the API frames protobuf
// watches, and records the query.
func watchServer(t *testing.T, resource string, events []metav1.WatchEvent) (*httptest.Server, *string) {
	t.Helper()
	var body bytes.Buffer
	for _, ev := range events {
		b, err := ev.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		_ = binary.Write(&body, binary.BigEndian, uint32(len(b)))
		body.Write(b)
	}
	var asked string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r.URL.Path + "?" + r.URL.RawQuery
		if !strings.HasPrefix(r.Header.Get("Accept"), "application/vnd.kubernetes.protobuf") {
			t.Errorf("Accept %q: protobuf first (asked for JSON, the API answers JSON)", r.Header.Get("Accept"))
		}
		if r.URL.Path != "/api/v1/"+resource {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.kubernetes.protobuf;stream=watch")
		_, _ = w.Write(body.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

func eventSourceFor(t *testing.T, srv *httptest.Server, resource, kind string, newItem func() protoObject, prune *protoPrune, direct bool) *eventSource {
	t.Helper()
	cfg := &rest.Config{Host: srv.URL}
	k, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	src := &streamSource{client: func() rest.Interface { return k.CoreV1().RESTClient() }, resource: resource, newItem: newItem, prune: prune}
	if direct {
		src.direct = func() func([]byte) (runtime.Object, error) {
			d := newPodDecoder()
			return func(b []byte) (runtime.Object, error) { return d.pod(b) }
		}
	}
	es := newEventSource(src, kind, cfg)
	if es == nil {
		t.Fatal("no event source over a real REST client")
	}
	return es
}

func receive(t *testing.T, wi watch.Interface, n int) []watch.Event {
	t.Helper()
	defer wi.Stop()
	var out []watch.Event
	for ev := range wi.ResultChan() {
		out = append(out, ev)
		if len(out) == n {
			break
		}
	}
	if len(out) != n {
		t.Fatalf("%d events of %d", len(out), n)
	}
	return out
}

// A watched pod arrives as the very cache Pod its whole decoding gave; a bookmark keeps the
// annotation that ends a streamed first list, and an ERROR event its Status, both decoded whole.
func TestAWatchedPodIsTheListedPod(t *testing.T) {
	pod := envelope(t, richPod())
	bookmark := envelope(t, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "9",
		Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}})
	gone := envelope(t, &metav1.Status{Status: metav1.StatusFailure, Code: 410, Reason: metav1.StatusReasonExpired, Message: "too old resource version"})
	srv, asked := watchServer(t, "pods", []metav1.WatchEvent{
		{Type: string(watch.Modified), Object: runtime.RawExtension{Raw: pod}},
		{Type: string(watch.Bookmark), Object: runtime.RawExtension{Raw: bookmark}},
		{Type: string(watch.Error), Object: runtime.RawExtension{Raw: gone}},
	})
	es := eventSourceFor(t, srv, "pods", "Pod", func() protoObject { return &corev1.Pod{} }, podPrune, true)
	secs := int64(300)
	wi, err := es.watch(context.Background(), metav1.ListOptions{ResourceVersion: "7", AllowWatchBookmarks: true, TimeoutSeconds: &secs})
	if err != nil {
		t.Fatal(err)
	}
	evs := receive(t, wi, 3)
	if q := *asked; !strings.Contains(q, "watch=true") || !strings.Contains(q, "resourceVersion=7") || !strings.Contains(q, "timeoutSeconds=300") || !strings.Contains(q, "timeout=5m0s") {
		t.Errorf("asked %s", *asked)
	}
	got, ok := evs[0].Object.(*Pod)
	if !ok {
		t.Fatalf("the pod came as %T, not decoded directly", evs[0].Object)
	}
	if want := PodOf(wholly(t, pod).(*corev1.Pod)); !reflect.DeepEqual(got, want) {
		t.Fatalf("watched:\n%#v\nwhole:\n%#v", got, want)
	}
	if bm, ok := evs[1].Object.(*corev1.Pod); !ok || bm.Annotations[metav1.InitialEventsAnnotationKey] != "true" || bm.ResourceVersion != "9" {
		t.Fatalf("bookmark: %#v", evs[1].Object)
	}
	if st, ok := evs[2].Object.(*metav1.Status); !ok || st.Code != 410 || st.Reason != metav1.StatusReasonExpired {
		t.Fatalf("error event: %#v", evs[2].Object)
	}
}

// A watched Node is pruned of its images before it is decoded: what trim would have left.
func TestAWatchedNodeIsTheTrimmedNode(t *testing.T) {
	node := envelope(t, siteNode(40))
	bookmark := envelope(t, &corev1.Node{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "12",
		Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}})
	srv, _ := watchServer(t, "nodes", []metav1.WatchEvent{{Type: string(watch.Modified), Object: runtime.RawExtension{Raw: node}},
		{Type: string(watch.Bookmark), Object: runtime.RawExtension{Raw: bookmark}}})
	es := eventSourceFor(t, srv, "nodes", "Node", func() protoObject { return &corev1.Node{} }, nodePrune, false)
	wi, err := es.watch(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	evs := receive(t, wi, 2)
	got, ok := evs[0].Object.(*corev1.Node)
	if !ok {
		t.Fatalf("not a Node")
	}
	if bm, ok := evs[1].Object.(*corev1.Node); !ok || bm.Annotations[metav1.InitialEventsAnnotationKey] != "true" {
		t.Fatalf("bookmark: %#v", evs[1].Object) // the prune rule drops annotations: decoded whole
	}
	want := wholly(t, node).(*corev1.Node)
	want.TypeMeta = metav1.TypeMeta{} // the client's decoder clears it (WithoutVersionDecoder)
	if len(want.Status.Images) != 40 {
		t.Fatalf("the fixture lost its images")
	}
	if _, err := trim(want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("watched:\n%#v\ntrimmed:\n%#v", got, want)
	}
}

// What the direct path cannot read is decoded the generated way: another API version, an
// encoded object, bytes that are no envelope.
func TestAnEventTheFastPathCannotReadIsDecodedWhole(t *testing.T) {
	src := &streamSource{newItem: func() protoObject { return &corev1.Pod{} }, prune: podPrune}
	d := &eventDecoder{Serializer: protobuf.NewSerializer(scheme.Scheme, scheme.Scheme), src: src, kind: "Pod"}
	pod := envelope(t, richPod())
	if _, ok := d.fast(pod); !ok {
		t.Fatal("a plain pod was not read directly")
	}
	unk := runtime.Unknown{}
	if err := unk.Unmarshal(pod[len(protoMagic):]); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(u *runtime.Unknown){
		"v2":         func(u *runtime.Unknown) { u.APIVersion = "v2" },
		"encoded":    func(u *runtime.Unknown) { u.ContentEncoding = "gzip" },
		"a Node":     func(u *runtime.Unknown) { u.Kind = "Node" },
		"no version": func(u *runtime.Unknown) { u.APIVersion = "" },
	} {
		u := unk
		change(&u)
		b, err := u.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := d.fast(append(slices.Clone(protoMagic), b...)); ok {
			t.Errorf("%s: read directly", name)
		}
	}
	if _, ok := d.fast([]byte(`{"kind":"Pod"}`)); ok {
		t.Error("JSON read as protobuf")
	}
	obj, _, err := d.Decode(pod, nil, nil) // no direct decoder: pruned, then decoded
	if p, ok := obj.(*corev1.Pod); err != nil || !ok || p.Name != "web-7f9c-x2" || p.ManagedFields != nil {
		t.Fatalf("Decode: %T %v", obj, err)
	}
}

// One watched pod, decoded the generated way and trimmed, or read directly.
func BenchmarkDecodeWatchedPod(b *testing.B) {
	data := envelope(b, richPod())
	whole := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme)
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			obj, _, _ := whole.Decode(data, nil, nil)
			_, _ = trimPod(obj)
		}
	})
	src := &streamSource{newItem: func() protoObject { return &corev1.Pod{} }, prune: podPrune,
		direct: func() func([]byte) (runtime.Object, error) {
			d := newPodDecoder()
			return func(b []byte) (runtime.Object, error) { return d.pod(b) }
		}}
	d := &eventDecoder{Serializer: whole, src: src, kind: "Pod"}
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _, _ = d.Decode(data, nil, nil)
		}
	})
}

// One watched site Node (40 images), decoded whole and trimmed, or pruned first.
func BenchmarkDecodeWatchedNode(b *testing.B) {
	data := envelope(b, siteNode(40))
	whole := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme)
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			obj, _, _ := whole.Decode(data, nil, nil)
			_, _ = trim(obj)
		}
	})
	d := &eventDecoder{Serializer: whole, src: &streamSource{newItem: func() protoObject { return &corev1.Node{} }, prune: nodePrune}, kind: "Node"}
	b.Run("pruned", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _, _ = d.Decode(data, nil, nil)
		}
	})
}

// A watcher over a real REST client watches its pods and Nodes through the event sources; a
// fake clientset, which has no REST client, through the typed client.
func TestTheBigCollectionsAreWatchedThroughTheirEventSources(t *testing.T) {
	cl, err := NewClients(&rest.Config{Host: "http://127.0.0.1:1"}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWatcher("c1", cl, nil)
	if w.pods.events == nil || w.nodes.events == nil || w.pods.events.kind != "Pod" || w.nodes.events.kind != "Node" {
		t.Fatalf("pods %+v, nodes %+v", w.pods.events, w.nodes.events)
	}
	fake := NewWatcher("c2", &Clients{Kube: kubefake.NewClientset()}, nil)
	if fake.pods.events != nil || fake.nodes.events != nil {
		t.Fatal("an event source over a fake clientset")
	}
}

// The pods informer's watch decodes through the event source: a pod changed after the first
// list reaches the cache through the direct decoder, as the listed ones did.
func TestAPodWatchedByTheInformerIsDecodedDirectly(t *testing.T) {
	var list bytes.Buffer
	enc := scheme.Codecs.EncoderForVersion(protobuf.NewSerializer(scheme.Scheme, scheme.Scheme), corev1.SchemeGroupVersion)
	if err := enc.Encode(streamTestPods(3), &list); err != nil {
		t.Fatal(err)
	}
	late := streamTestPods(1).Items[0]
	late.Name, late.ResourceVersion = "late", "4712"
	ev, err := (&metav1.WatchEvent{Type: string(watch.Added), Object: runtime.RawExtension{Raw: envelope(t, &late)}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/pods" {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("watch") != "true" {
			w.Header().Set("Content-Type", "application/vnd.kubernetes.protobuf")
			_, _ = w.Write(list.Bytes())
			return
		}
		w.Header().Set("Content-Type", "application/vnd.kubernetes.protobuf;stream=watch")
		_ = binary.Write(w, binary.BigEndian, uint32(len(ev)))
		_, _ = w.Write(ev)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	cl, err := NewClients(&rest.Config{Host: srv.URL}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWatcher("c1", cl, nil)
	var direct atomic.Int64
	made := w.pods.stream.direct
	w.pods.stream.direct = func() func([]byte) (runtime.Object, error) {
		d := made()
		return func(b []byte) (runtime.Object, error) { direct.Add(1); return d(b) }
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w.Start(ctx)
	if !w.WaitFor(ctx, "pods") {
		t.Fatal("the pods never synced")
	}
	for {
		if _, ok := w.Pod("ns", "late"); ok {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the watched pod never reached the cache")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if n := direct.Load(); n != 4 {
		t.Fatalf("%d pods decoded directly: 3 listed and 1 watched expected", n)
	}
}
