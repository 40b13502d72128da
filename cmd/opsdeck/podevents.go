package main

import (
	"context"
	"fmt"

	"opsdeck/checks"
	"opsdeck/ui"
)

// podEvents lists one pod's newest events for the cockpit's pod detail: one field-selected
// list call on that pod's cluster (a ref without a cluster is of the site's only cluster).
func (e *env) podEvents(ctx context.Context, ref checks.Ref, limit int) ([]ui.PodEvent, error) {
	for _, w := range e.watchers {
		if ref.Cluster != "" && w.Cluster != ref.Cluster || ref.Cluster == "" && len(e.watchers) > 1 {
			continue
		}
		evs, err := w.PodEvents(ctx, ref.Namespace, ref.Name, limit)
		if err != nil {
			return nil, err
		}
		out := make([]ui.PodEvent, len(evs))
		for i, ev := range evs {
			out[i] = ui.PodEvent{Type: ev.Type, Reason: ev.Reason, Message: ev.Message, Source: ev.Source, Count: int(ev.Count), Last: ev.Last}
		}
		return out, nil
	}
	return nil, fmt.Errorf("no cluster %q on this site", ref.Cluster)
}
