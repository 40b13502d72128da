package actions

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ObjectRef is all the audit log keeps of an object an API step returned.
type ObjectRef struct {
	Kind            string `json:"kind,omitempty"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name,omitempty"`
	UID             string `json:"uid,omitempty"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
}

// objectRef reads kind, name, uid and resourceVersion from an API answer (nil when it has none).
func objectRef(body []byte) *ObjectRef {
	if len(body) == 0 {
		return nil
	}
	var o struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Namespace       string `json:"namespace"`
			Name            string `json:"name"`
			UID             string `json:"uid"`
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if json.Unmarshal(body, &o) != nil {
		return nil
	}
	m := o.Metadata
	if o.Kind == "" && m.Name == "" && m.UID == "" {
		return nil
	}
	return &ObjectRef{Kind: o.Kind, Namespace: m.Namespace, Name: m.Name, UID: m.UID, ResourceVersion: m.ResourceVersion}
}

// apiExcerpt is the one line shown for an API step: status code and the object's identity.
func apiExcerpt(code int, o *ObjectRef) string {
	s := fmt.Sprintf("HTTP %d", code)
	if o == nil {
		return s
	}
	name := o.Name
	if o.Namespace != "" {
		name = o.Namespace + "/" + o.Name
	}
	parts := []string{s, strings.TrimSpace(o.Kind + " " + name)}
	if o.UID != "" {
		parts = append(parts, "uid "+o.UID)
	}
	if o.ResourceVersion != "" {
		parts = append(parts, "resourceVersion "+o.ResourceVersion)
	}
	return strings.Join(parts, " ")
}
