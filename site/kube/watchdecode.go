package kube

import (
	"bytes"
	"context"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// The watch events of the two big collections are decoded the way their first list is
// (streamlist.go): a pod straight into the cache's Pod, a Node pruned of its images first. The
// generated decoder built each event's whole object for trim to throw most of it away: a
// kubelet's status post (7 a second at 2,000 nodes) decoded every image the node holds, and a
// pod's update its managed fields — 86 µs and 205 allocations a pod, 10 µs and 16 directly.

// eventSource watches src's collection with a client whose protobuf decoder is eventDecoder.
type eventSource struct {
	src    *streamSource
	kind   string // the objects' kind; any other (a Status, in an ERROR event) is decoded whole
	client rest.Interface
}

// newEventSource builds the watching client of src over cfg and the HTTP client of its typed
// client (one connection for both); nil where src cannot stream (a fake clientset).
func newEventSource(src *streamSource, kind string, cfg *rest.Config) *eventSource {
	if cfg == nil || !src.streams() {
		return nil
	}
	typed, ok := src.client().(*rest.RESTClient)
	if !ok || typed.Client == nil {
		return nil
	}
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &schema.GroupVersion{Version: "v1"}
	c.APIPath = "/api"
	c.NegotiatedSerializer = eventCodecs{NegotiatedSerializer: scheme.Codecs.WithoutConversion(), src: src, kind: kind}
	rc, err := rest.RESTClientForConfigAndClient(c, typed.Client)
	if err != nil {
		return nil
	}
	return &eventSource{src: src, kind: kind, client: rc}
}

// watch opens a watch as the typed client's Watch does.
func (e *eventSource) watch(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
	var timeout time.Duration
	if o.TimeoutSeconds != nil {
		timeout = time.Duration(*o.TimeoutSeconds) * time.Second
	}
	o.Watch = true
	req := e.client.Get().UseProtobufAsDefault().Resource(e.src.resource)
	if e.src.namespace != "" {
		req = req.Namespace(e.src.namespace)
	}
	return req.VersionedParams(&o, scheme.ParameterCodec).Timeout(timeout).Watch(ctx)
}

// eventCodecs are the scheme's codecs with a protobuf decoder of src's objects; each watch
// asks for its own (StreamDecoder), so a decoder is read by one goroutine.
type eventCodecs struct {
	runtime.NegotiatedSerializer
	src  *streamSource
	kind string
}

func (c eventCodecs) SupportedMediaTypes() []runtime.SerializerInfo {
	infos := slices.Clone(c.NegotiatedSerializer.SupportedMediaTypes())
	for i := range infos {
		if infos[i].MediaType == runtime.ContentTypeProtobuf {
			infos[i].Serializer = &eventDecoder{Serializer: infos[i].Serializer, src: c.src, kind: c.kind}
		}
	}
	return infos
}

// eventDecoder decodes one watch's objects of kind like src's list items; anything else, or
// anything it cannot read, the generated way (which has the last word on what is broken). A
// bookmark (an object with no name) too: the reflector reads annotations on it that the cache
// drops.
type eventDecoder struct {
	runtime.Serializer
	src     *streamSource
	kind    string
	direct  func([]byte) (runtime.Object, error)
	decoded int // by this direct decoder, which keeps one copy of each word it met
	pr      pruner
	scratch []byte
}

// wordsEvery bounds what a long-lived direct decoder remembers: a fresh one every so many pods.
const wordsEvery = 4096

func (d *eventDecoder) Decode(data []byte, defaults *schema.GroupVersionKind, into runtime.Object) (runtime.Object, *schema.GroupVersionKind, error) {
	if into == nil {
		if obj, ok := d.fast(data); ok {
			return obj, &schema.GroupVersionKind{Version: "v1", Kind: d.kind}, nil
		}
	}
	return d.Serializer.Decode(data, defaults, into)
}

// fast reads the envelope (runtime.Unknown: typeMeta 1, raw 2, contentEncoding 3, contentType 4)
// and decodes raw like a list item, if the envelope holds a plain object of d's kind.
func (d *eventDecoder) fast(data []byte) (runtime.Object, bool) {
	if !bytes.HasPrefix(data, protoMagic) {
		return nil, false
	}
	var raw []byte
	var version, kind string
	f := fieldsOf(data[len(protoMagic):])
	for f.advance() {
		switch f.num {
		case 1:
			tm := fieldsOf(f.message())
			for tm.advance() {
				switch tm.num {
				case 1:
					version = tm.text()
				case 2:
					kind = tm.text()
				}
			}
			if tm.err != nil {
				return nil, false
			}
		case 2:
			raw = f.message()
		case 3:
			if len(f.message()) > 0 { // an encoded (compressed) object
				return nil, false
			}
		}
	}
	if f.err != nil || version != "v1" || kind != d.kind || raw == nil {
		return nil, false
	}
	obj, err := d.item(raw)
	if err != nil {
		return nil, false
	}
	if m, ok := obj.(metav1.Object); !ok || m.GetName() == "" {
		return nil, false
	}
	return obj, true
}

func (d *eventDecoder) item(raw []byte) (runtime.Object, error) {
	if d.src.direct != nil && (d.direct == nil || d.decoded >= wordsEvery) {
		d.direct, d.decoded = d.src.direct(), 0
	}
	d.decoded++
	return decodeItem(*d.src, d.direct, &d.pr, raw, &d.scratch)
}
