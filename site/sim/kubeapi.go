package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
)

// KubeAPI is a small Kubernetes API server for the demo: list, watch, get, patch (JSON and merge)
// and delete (finalizers honoured) over real HTTP, enough for client-go's informers and
// opsdeck's actions. Objects are plain JSON maps.
type KubeAPI struct {
	// noCustom makes it a business cluster: none of the Ant resources is served.
	noCustom atomic.Bool

	ln    net.Listener
	srv   *http.Server
	mu    sync.Mutex
	rv    int64
	objs  map[string]map[string]map[string]any // resource key → ns/name → object
	watch map[string][]chan event
	// past holds each collection's recent events, so a watch from a resourceVersion replays
	// what came after it, as the apiserver's watch cache does: an update between an
	// informer's list and its watch was lost, and a test waiting for it timed out now and then.
	past map[string][]pastEvent
	now  func() time.Time
}

// pastEvent is an event as a watch sent it, with its resourceVersion.
type pastEvent struct {
	rv int64
	ev event
}

// pastEvents is how many events of a collection are kept for watches to replay.
const pastEvents = 1024

type event struct {
	Type   string         `json:"type"`
	Object map[string]any `json:"object"`
}

// resource identifies a collection: "v1/nodes", "apps/v1/deployments", "machine.sigma.alipay.com/v1/machines".
type resource struct {
	group, version, name string
	namespaced           bool
	kind                 string
}

func (r resource) key() string { return strings.TrimPrefix(r.group+"/"+r.version+"/"+r.name, "/") }

func (r resource) apiVersion() string {
	if r.group == "" {
		return r.version
	}
	return r.group + "/" + r.version
}

var simResources = map[string]resource{}

func register(group, version, name, kind string, namespaced bool) {
	r := resource{group, version, name, namespaced, kind}
	simResources[r.key()] = r
}

func init() {
	register("", "v1", "nodes", "Node", false)
	register("", "v1", "pods", "Pod", true)
	register("", "v1", "namespaces", "Namespace", false)
	register("", "v1", "configmaps", "ConfigMap", true)
	register("apps", "v1", "deployments", "Deployment", true)
	register("apps", "v1", "daemonsets", "DaemonSet", true)
	register("machine.sigma.alipay.com", "v1", "machines", "Machine", false)
	register("machine.sigma.alipay.com", "v1", "machineops", "MachineOps", false)
	register("adns.alipay.com", "v1", "zones", "Zone", false)
	register("adns.alipay.com", "v1", "dnsendpoints", "DNSEndpoint", true)
	register("networking.alibaba.com", "v1", "ipinstances", "IPInstance", true)
	register("coordination.k8s.io", "v1", "leases", "Lease", true)
}

// ServeCustomResources installs (true) or removes (false) the Ant custom resources, as
// installing or deleting their CRDs would.
func (k *KubeAPI) ServeCustomResources(on bool) { k.noCustom.Store(!on) }

// custom tells the Ant custom resources apart from what every cluster serves.
func (r resource) custom() bool {
	return strings.Contains(r.group, "alipay.com") || strings.Contains(r.group, "alibaba.com")
}

// serveDiscovery answers GET /api/v1 and /apis/GROUP/VERSION with the resources served there,
// as client-go's discovery asks; a group the cluster does not serve is 404.
func (k *KubeAPI) serveDiscovery(w http.ResponseWriter, path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var group, version string
	switch {
	case len(parts) == 2 && parts[0] == "api":
		version = parts[1]
	case len(parts) == 3 && parts[0] == "apis":
		group, version = parts[1], parts[2]
	default:
		return false
	}
	var list []map[string]any
	for _, r := range simResources {
		if r.group != group || r.version != version || r.custom() && k.noCustom.Load() {
			continue
		}
		list = append(list, map[string]any{"name": r.name, "kind": r.kind, "namespaced": r.namespaced,
			"singularName": "", "verbs": []string{"get", "list", "watch", "patch", "delete"}})
	}
	if len(list) == 0 {
		status(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource")
		return true
	}
	sort.Slice(list, func(i, j int) bool { return list[i]["name"].(string) < list[j]["name"].(string) })
	gv := version
	if group != "" {
		gv = group + "/" + version
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list})
	return true
}

// StartKubeAPI listens on 127.0.0.1 and serves the given objects.
func StartKubeAPI(now func() time.Time) (*KubeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	k := &KubeAPI{ln: ln, objs: map[string]map[string]map[string]any{}, watch: map[string][]chan event{}, now: now}
	k.srv = &http.Server{Handler: http.HandlerFunc(k.serve), ReadHeaderTimeout: 10 * time.Second}
	go k.srv.Serve(ln)
	return k, nil
}

// URL is the server's address.
func (k *KubeAPI) URL() string { return "http://" + k.ln.Addr().String() }

// Close stops the server (watches end).
func (k *KubeAPI) Close() { k.srv.Close() }

// Put stores an object (created or replaced), as a controller or kubelet would write it.
func (k *KubeAPI) Put(resKey string, obj map[string]any) {
	r := simResources[resKey]
	k.mu.Lock()
	defer k.mu.Unlock()
	meta := obj["metadata"].(map[string]any)
	obj["apiVersion"], obj["kind"] = r.apiVersion(), r.kind
	id := objID(meta)
	typ := "MODIFIED"
	if _, ok := k.objs[resKey][id]; !ok {
		typ = "ADDED"
		if _, ok := meta["creationTimestamp"]; !ok {
			meta["creationTimestamp"] = k.now().UTC().Format(time.RFC3339)
		}
		meta["uid"] = fmt.Sprintf("sim-%s-%d", strings.ReplaceAll(id, "/", "-"), k.rv+1)
	}
	k.store(resKey, id, obj, typ)
}

func objID(meta map[string]any) string {
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

// store saves under the lock and tells the watchers.
func (k *KubeAPI) store(resKey, id string, obj map[string]any, typ string) {
	k.rv++
	obj["metadata"].(map[string]any)["resourceVersion"] = strconv.FormatInt(k.rv, 10)
	if k.objs[resKey] == nil {
		k.objs[resKey] = map[string]map[string]any{}
	}
	if typ == "DELETED" {
		delete(k.objs[resKey], id)
	} else {
		k.objs[resKey][id] = obj
	}
	if k.past == nil {
		k.past = map[string][]pastEvent{}
	}
	past := append(k.past[resKey], pastEvent{k.rv, event{Type: typ, Object: deepCopy(obj)}})
	k.past[resKey] = past[max(len(past)-pastEvents, 0):]
	for _, ch := range k.watch[resKey] {
		select {
		case ch <- event{Type: typ, Object: deepCopy(obj)}:
		default: // a stuck watcher is dropped; its informer relists
		}
	}
}

func deepCopy(o map[string]any) map[string]any {
	b, _ := json.Marshal(o)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func status(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "message": msg, "code": code})
}

// route parses /api/v1/... and /apis/g/v/... into resource, namespace and name.
func route(path string) (r resource, ns, name, sub string, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var group, version string
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		version, parts = parts[1], parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		group, version, parts = parts[1], parts[2], parts[3:]
	default:
		return r, "", "", "", false
	}
	if len(parts) >= 3 && parts[0] == "namespaces" && parts[2] != "" {
		ns, parts = parts[1], parts[2:]
	}
	key := strings.TrimPrefix(group+"/"+version+"/"+parts[0], "/")
	r, ok = simResources[key]
	if len(parts) > 1 {
		name = parts[1]
	}
	if len(parts) > 2 {
		sub = parts[2]
	}
	if r.name == "namespaces" && ns != "" && name == "" { // GET /api/v1/namespaces/NAME
		name, ns = ns, ""
	}
	return r, ns, name, sub, ok
}

func (k *KubeAPI) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodGet && req.URL.Path == "/version" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"major": "1", "minor": "37", "gitVersion": "v1.37.2-opsdeck-demo", "platform": "linux/amd64"})
		return
	}
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/selfsubjectaccessreviews") {
		// The request may come as protobuf: the answer does not depend on it.
		review := map[string]any{"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
			"metadata": map[string]any{}, "spec": map[string]any{},
			"status": map[string]any{"allowed": true, "reason": "the demo allows everything"}}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(review)
		return
	}
	if req.Method == http.MethodGet && k.serveDiscovery(w, req.URL.Path) {
		return
	}
	r, ns, name, _, ok := route(req.URL.Path)
	if ok && r.custom() && k.noCustom.Load() {
		ok = false
	}
	if !ok {
		status(w, http.StatusNotFound, "NotFound", "the demo does not serve "+req.URL.Path)
		return
	}
	id := name
	if ns != "" && name != "" {
		id = ns + "/" + name
	}
	switch {
	case req.Method == http.MethodGet && name == "" && req.URL.Query().Get("watch") == "true":
		k.serveWatch(w, req, r, ns)
	case req.Method == http.MethodGet && name == "":
		k.serveList(w, r, ns)
	case req.Method == http.MethodGet:
		k.mu.Lock()
		obj, ok := k.objs[r.key()][id]
		k.mu.Unlock()
		if !ok {
			status(w, http.StatusNotFound, "NotFound", fmt.Sprintf("%s %q not found", r.name, name))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(obj)
	case req.Method == http.MethodPatch:
		k.servePatch(w, req, r, id)
	case req.Method == http.MethodDelete:
		k.serveDelete(w, req, r, id)
	default:
		status(w, http.StatusMethodNotAllowed, "MethodNotAllowed", req.Method+" is not served by the demo")
	}
}

func (k *KubeAPI) serveList(w http.ResponseWriter, r resource, ns string) {
	k.mu.Lock()
	ids := make([]string, 0, len(k.objs[r.key()]))
	for id := range k.objs[r.key()] {
		if ns == "" || strings.HasPrefix(id, ns+"/") {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	items := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		items = append(items, k.objs[r.key()][id])
	}
	list := map[string]any{"apiVersion": r.apiVersion(), "kind": r.kind + "List",
		"metadata": map[string]any{"resourceVersion": strconv.FormatInt(k.rv, 10)}, "items": items}
	b, err := json.Marshal(list)
	k.mu.Unlock()
	if err != nil {
		status(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func (k *KubeAPI) serveWatch(w http.ResponseWriter, req *http.Request, r resource, ns string) {
	ch := make(chan event, 4096)
	k.mu.Lock()
	k.watch[r.key()] = append(k.watch[r.key()], ch)
	// client-go's watch-list: the current objects as ADDED events, then a bookmark that says the
	// initial events are over (without it the informer never syncs).
	var initial []event
	if from, err := strconv.ParseInt(req.URL.Query().Get("resourceVersion"), 10, 64); err == nil && from > 0 &&
		req.URL.Query().Get("sendInitialEvents") != "true" {
		for _, p := range k.past[r.key()] {
			if p.rv > from {
				initial = append(initial, event{Type: p.ev.Type, Object: deepCopy(p.ev.Object)})
			}
		}
	}
	if req.URL.Query().Get("sendInitialEvents") == "true" {
		for _, o := range k.objs[r.key()] {
			initial = append(initial, event{Type: "ADDED", Object: deepCopy(o)})
		}
		initial = append(initial, event{Type: "BOOKMARK", Object: map[string]any{"apiVersion": r.apiVersion(), "kind": r.kind,
			"metadata": map[string]any{"resourceVersion": strconv.FormatInt(k.rv, 10), "annotations": map[string]any{"k8s.io/initial-events-end": "true"}}}})
	}
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		subs := k.watch[r.key()]
		for i, c := range subs {
			if c == ch {
				k.watch[r.key()] = append(subs[:i], subs[i+1:]...)
				break
			}
		}
		k.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	timeout := 5 * time.Minute
	if s, err := strconv.Atoi(req.URL.Query().Get("timeoutSeconds")); err == nil && s > 0 {
		timeout = time.Duration(s) * time.Second
	}
	enc := json.NewEncoder(w)
	for _, ev := range initial {
		if md, _ := ev.Object["metadata"].(map[string]any); ns != "" && ev.Type != "BOOKMARK" && md["namespace"] != ns {
			continue
		}
		if err := enc.Encode(ev); err != nil {
			return
		}
	}
	if flusher != nil {
		flusher.Flush()
	}
	end := time.After(timeout)
	for {
		select {
		case ev := <-ch:
			if ns != "" && ev.Object["metadata"].(map[string]any)["namespace"] != ns {
				continue
			}
			if err := enc.Encode(ev); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		case <-req.Context().Done():
			return
		case <-end:
			return
		}
	}
}

func (k *KubeAPI) servePatch(w http.ResponseWriter, req *http.Request, r resource, id string) {
	body, _ := io.ReadAll(req.Body)
	k.mu.Lock()
	defer k.mu.Unlock()
	obj, ok := k.objs[r.key()][id]
	if !ok {
		status(w, http.StatusNotFound, "NotFound", id+" not found")
		return
	}
	doc, _ := json.Marshal(obj)
	var out []byte
	var err error
	switch req.Header.Get("Content-Type") {
	case "application/json-patch+json":
		var p jsonpatch.Patch
		if p, err = jsonpatch.DecodePatch(body); err == nil {
			out, err = p.Apply(doc)
		}
	case "application/merge-patch+json", "application/strategic-merge-patch+json":
		out, err = jsonpatch.MergePatch(doc, body)
	default:
		status(w, http.StatusUnsupportedMediaType, "UnsupportedMediaType", req.Header.Get("Content-Type"))
		return
	}
	if err != nil {
		status(w, http.StatusUnprocessableEntity, "Invalid", "the patch does not apply: "+err.Error())
		return
	}
	var next map[string]any
	_ = json.Unmarshal(out, &next)
	meta := next["metadata"].(map[string]any)
	if _, deleting := meta["deletionTimestamp"]; deleting && len(asList(meta["finalizers"])) == 0 {
		k.store(r.key(), id, next, "DELETED") // the last finalizer went: deletion completes
	} else {
		k.store(r.key(), id, next, "MODIFIED")
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(next)
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func (k *KubeAPI) serveDelete(w http.ResponseWriter, req *http.Request, r resource, id string) {
	var opts struct {
		Preconditions struct {
			UID string `json:"uid"`
		} `json:"preconditions"`
	}
	body, _ := io.ReadAll(req.Body)
	_ = json.Unmarshal(body, &opts) // DeleteOptions, when sent as JSON
	k.mu.Lock()
	defer k.mu.Unlock()
	obj, ok := k.objs[r.key()][id]
	if !ok {
		status(w, http.StatusNotFound, "NotFound", id+" not found")
		return
	}
	meta := obj["metadata"].(map[string]any)
	if uid := opts.Preconditions.UID; uid != "" && meta["uid"] != uid {
		status(w, http.StatusConflict, "Conflict", fmt.Sprintf("Precondition failed: UID in precondition: %s, UID in object meta: %v", uid, meta["uid"]))
		return
	}
	if len(asList(meta["finalizers"])) > 0 {
		if _, set := meta["deletionTimestamp"]; !set {
			meta["deletionTimestamp"] = k.now().UTC().Format(time.RFC3339)
			k.store(r.key(), id, obj, "MODIFIED")
		}
	} else {
		k.store(r.key(), id, obj, "DELETED")
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Success"})
}
