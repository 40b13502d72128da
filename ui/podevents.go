package ui

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// PodEvent is one event of a pod as the detail page shows it (§4.4.1, §5.6.4: a pod that is
// not ready is explained by its events).
type PodEvent struct {
	Type, Reason, Message, Source string
	Count                         int
	Last                          time.Time
}

// podEventsMsg carries one pod's events, fetched off the Update loop.
type podEventsMsg struct {
	ref    checks.Ref
	events []PodEvent
	err    error
}

// maxPodEvents bounds what a detail page lists.
const maxPodEvents = 10

// fetchPodEvents asks for one pod's events (one API call, field-selected to that pod).
func fetchPodEvents(fn func(context.Context, checks.Ref, int) ([]PodEvent, error), ref checks.Ref) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		evs, err := fn(ctx, ref, maxPodEvents)
		return podEventsMsg{ref: ref, events: evs, err: err}
	}
}

// podNotReady tells whether the findings on a pod say it is not ready (any kube.pod finding
// that is not ok).
func podNotReady(fs []*checks.Finding, ref checks.Ref) bool {
	for _, f := range findingsOn(fs, ref) {
		if f.Check == "kube.pod" && f.Status != checks.OK {
			return true
		}
	}
	return false
}

// startPodEvents fetches the events of the detail's pod when it is not ready (or always when
// asked with force: the e key); nil when there is nothing to ask or no source.
func (d *detailDialog) startPodEvents(m *Model, force bool) tea.Cmd {
	if d.ref.Kind != checks.KindPod || m.opts.PodEvents == nil || d.events.loading {
		return nil
	}
	if !force && !podNotReady(m.snap.Findings, d.ref) {
		return nil
	}
	d.events.loading, d.events.asked = true, true
	return fetchPodEvents(m.opts.PodEvents, d.ref)
}

// takePodEvents hands fetched events to the detail pages of that pod.
func (m *Model) takePodEvents(msg podEventsMsg) {
	for _, dl := range m.dialogs {
		if d, ok := dl.(*detailDialog); ok && d.ref == msg.ref {
			d.events = podEventsState{asked: true, list: msg.events, at: m.now}
			if msg.err != nil {
				d.events.err = msg.err.Error()
			}
		}
	}
}

// podEventsState is what a detail page knows of its pod's events.
type podEventsState struct {
	asked, loading bool
	list           []PodEvent
	err            string
	at             time.Time // when they arrived (the page says how old they are)
}

// lines renders the events section: newest first, warnings in the warn colour.
func (s podEventsState) lines(now time.Time) []string {
	switch {
	case !s.asked:
		return []string{dimStyle.Render("e: events of this pod")}
	case s.loading:
		return []string{labelStyle.Render("Events"), dimStyle.Render("  asking the API…")}
	case s.err != "":
		return []string{labelStyle.Render("Events"), "  could not list events: " + s.err}
	case len(s.list) == 0:
		return []string{labelStyle.Render("Events") + dimStyle.Render(" (none left: events expire after an hour by default; e: ask again)")}
	}
	out := []string{labelStyle.Render("Events") + dimStyle.Render(fmt.Sprintf(" (newest first, read %s ago; e: ask again)", Age(now.Sub(s.at))))}
	for _, e := range s.list {
		typ := e.Type
		if typ == "Warning" {
			typ = statusStyle[checks.Warn].Render(padRight(typ, 7))
		} else {
			typ = dimStyle.Render(padRight(typ, 7))
		}
		count := ""
		if e.Count > 1 {
			count = fmt.Sprintf(" ×%d", e.Count)
		}
		out = append(out, fmt.Sprintf("  %s %s %-14s %s%s", dimStyle.Render(padRight(Age(now.Sub(e.Last)), 4)), typ, e.Reason, e.Message, dimStyle.Render(count)))
	}
	return out
}
