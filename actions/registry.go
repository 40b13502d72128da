package actions

import (
	"fmt"
	"slices"
	"sort"
)

// Registry is the one list of actions.
type Registry struct {
	byName map[string]Action
}

// NewRegistry registers actions; a duplicate name is a programming error.
func NewRegistry(as ...Action) *Registry {
	r := &Registry{byName: map[string]Action{}}
	for _, a := range as {
		if _, dup := r.byName[a.Name]; dup {
			panic("actions: duplicate action " + a.Name)
		}
		r.byName[a.Name] = a
	}
	return r
}

// All returns the actions sorted by name.
func (r *Registry) All() []Action {
	out := make([]Action, 0, len(r.byName))
	for _, a := range r.byName {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get finds an action by name.
func (r *Registry) Get(name string) (Action, error) {
	a, ok := r.byName[name]
	if !ok {
		names := make([]string, 0, len(r.byName))
		for n := range r.byName {
			names = append(names, n)
		}
		sort.Strings(names)
		return Action{}, fmt.Errorf("no action %q (known: %v)", name, names)
	}
	return a, nil
}

// For lists the actions that apply to target.
func (r *Registry) For(target string) []Action {
	var out []Action
	for _, a := range r.All() {
		if slices.Contains(a.Targets(), target) {
			out = append(out, a)
		}
	}
	return out
}

// Lookup finds an action and checks that it applies to target.
func (r *Registry) Lookup(name, target string) (Action, error) {
	a, err := r.Get(name)
	if err != nil {
		return a, err
	}
	if !slices.Contains(a.Targets(), target) {
		return a, fmt.Errorf("%s does not apply to %q (it applies to: %v)", name, target, a.Targets())
	}
	return a, nil
}
