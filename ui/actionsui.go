package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/actions"
	"opsdeck/checks"
)

// actionItem is one action that applies to the selection, planned and judged by the gate.
type actionItem struct {
	ref     checks.Ref // the selection it was looked up for
	app     actions.Applicable
	pending *actions.Pending
	err     error
}

func (it actionItem) line() string {
	a := it.app.Action
	kind := ""
	if a.Destructive {
		kind = " (destructive)"
	}
	s := fmt.Sprintf("%s %s — %s%s", a.Name, it.app.Target, a.Title, kind)
	switch {
	case it.err != nil:
		return s + "  " + statusText[checks.Unknown].Render("cannot plan: "+it.err.Error())
	case it.pending == nil:
		return s
	case it.pending.Verdict.Allowed:
		return s + "  " + statusText[checks.OK].Render("allowed")
	case it.pending.NeedsEmergency():
		return s + "  " + statusText[checks.Warn].Render(it.pending.Verdict.Rule+": emergency reason needed")
	}
	return s + "  " + statusText[checks.Crit].Render("refused: "+it.pending.Verdict.Reason)
}

// actionsMsg brings the actions of a selection, looked up and planned off the UI goroutine.
type actionsMsg struct {
	ref   checks.Ref
	items []actionItem
}

// lookupActions asks the registry what applies to ref and plans each (cache reads and access
// reviews: never in Update).
func lookupActions(s *actions.Session, ref checks.Ref) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var items []actionItem
		for _, app := range s.Registry.ForRef(ref) {
			p, err := s.Prepare(ctx, app.Action.Name, app.Target)
			items = append(items, actionItem{ref: ref, app: app, pending: p, err: err})
		}
		return actionsMsg{ref: ref, items: items}
	}
}

// actionsDialog lists the actions of a selection; a number or enter starts the confirmation.
type actionsDialog struct {
	ref    checks.Ref
	items  []actionItem
	cursor int
	ready  bool
}

func (d *actionsDialog) key(m *Model, k tea.KeyPressMsg) (bool, tea.Cmd) {
	switch k.String() {
	case "esc", "q":
		return true, nil
	case "j", "down":
		d.cursor = min(d.cursor+1, max(len(d.items)-1, 0))
	case "k", "up":
		d.cursor = max(d.cursor-1, 0)
	case "enter":
		if d.cursor < len(d.items) {
			return true, m.confirmAction(d.items[d.cursor])
		}
	default:
		if n := int(k.Code - '1'); len(k.String()) == 1 && n >= 0 && n < len(d.items) && n < 9 {
			return true, m.confirmAction(d.items[n])
		}
	}
	return false, nil
}

func (d *actionsDialog) view(m *Model, w, h int) string {
	lines := []string{labelStyle.Render("Actions for " + d.ref.Kind + " " + d.ref.Target()), ""}
	switch {
	case !d.ready:
		lines = append(lines, dimStyle.Render("  looking up what applies and asking the gate…"))
	case len(d.items) == 0:
		lines = append(lines, "  No action applies to this selection.")
	}
	for i, it := range d.items {
		mark := "  "
		if i == d.cursor {
			mark = cursorStyle.Render(sym.cursor) + " "
		}
		lines = append(lines, cut(fmt.Sprintf("%s%d  %s", mark, i+1, it.line()), w))
	}
	lines = append(lines, "", dimStyle.Render("  1–9 or enter: plan and confirm · esc: back"))
	return box(lines, w, h)
}

// confirmDialog shows the exact plan, the gate's verdict and the window, and asks for what the
// confirmation rule demands: an emergency reason outside a window, the target's name for a
// destructive plan, "yes" otherwise. There is no default.
type confirmDialog struct {
	item      actionItem
	emergency lineInput
	typed     lineInput
	step      int // 0: emergency reason (when needed), 1: confirmation
	problem   string
}

func newConfirm(it actionItem) *confirmDialog {
	d := &confirmDialog{item: it, step: 1}
	d.emergency.prompt = "Emergency reason (what and why): "
	d.typed.prompt = fmt.Sprintf("Type %q to run it: ", it.pending.Confirm)
	if it.pending.NeedsEmergency() {
		d.step = 0
	}
	return d
}

func (d *confirmDialog) key(m *Model, k tea.KeyPressMsg) (bool, tea.Cmd) {
	p := d.item.pending
	switch k.String() {
	case "esc":
		return true, m.cancelAction(p, d.typed.value, "cancelled in the cockpit")
	case "enter":
		if d.step == 0 {
			if len(strings.TrimSpace(d.emergency.value)) < actions.MinEmergencyReason {
				d.problem = fmt.Sprintf("an emergency reason must say what and why (at least %d characters)", actions.MinEmergencyReason)
				return false, nil
			}
			d.step, d.problem = 1, ""
			return false, nil
		}
		want := p.Confirm
		got := strings.TrimSpace(d.typed.value)
		if got != want && !(want == "yes" && got == p.Plan.Target) {
			d.problem = fmt.Sprintf("%q does not match %q: type it exactly, or esc to cancel", got, want)
			return false, nil
		}
		return true, m.startRun(d.item.ref, p, got, strings.TrimSpace(d.emergency.value))
	}
	if d.step == 0 {
		d.emergency.update(k)
	} else {
		d.typed.update(k)
	}
	return false, nil
}

func (d *confirmDialog) view(m *Model, w, h int) string {
	p := d.item.pending
	var lines []string
	kind := "change"
	if p.Plan.Destructive {
		kind = statusText[checks.Crit].Render("DESTRUCTIVE change")
	}
	lines = append(lines, labelStyle.Render(fmt.Sprintf("Run %s on %s?", p.Plan.Action, p.Plan.Target))+"  "+kind, "")
	for _, l := range strings.Split(strings.TrimRight(p.Plan.Describe(), "\n"), "\n")[1:] {
		lines = append(lines, l)
	}
	lines = append(lines, "")
	v := p.Verdict
	gate := statusText[checks.OK].Render("gate: " + v.String())
	if !v.Allowed {
		gate = statusText[checks.Warn].Render("gate: " + v.String())
	}
	lines = append(lines, gate, dimStyle.Render("window: "+v.Window), "")
	if p.NeedsEmergency() {
		lines = append(lines, d.emergency.view(w-4))
	}
	if d.step == 1 {
		lines = append(lines, d.typed.view(w-4))
	}
	if d.problem != "" {
		lines = append(lines, statusText[checks.Crit].Render(d.problem))
	}
	lines = append(lines, "", dimStyle.Render("enter: confirm · esc: cancel (recorded in the audit log)"))
	return box(lines, w, h)
}

// run is one action attempt the cockpit started; several run at once on different targets.
type run struct {
	id      int
	action  string
	target  string
	ref     checks.Ref
	events  []string
	done    bool
	result  string
	auditID string
	err     string
	started time.Time
}

func (r *run) lines() []string {
	head := fmt.Sprintf("%s on %s: ", r.action, r.target)
	switch {
	case !r.done:
		head += statusText[checks.Warn].Render("running")
	case r.result == "succeeded":
		head += statusText[checks.OK].Render("succeeded")
	default:
		head += statusText[checks.Crit].Render(r.result)
	}
	if r.auditID != "" {
		head += dimStyle.Render("  audit " + r.auditID)
	}
	out := []string{head}
	for _, e := range r.events {
		out = append(out, "  "+e)
	}
	if r.err != "" {
		out = append(out, "  "+statusText[checks.Crit].Render(r.err))
	}
	return out
}

// short is the run in one line for the footer.
func (r *run) short() string {
	last := ""
	if n := len(r.events); n > 0 {
		last = " " + r.events[n-1]
	}
	state := "…"
	if r.done {
		state = r.result
	}
	return fmt.Sprintf("%s %s: %s%s", r.action, r.target, state, last)
}

type runEventMsg struct {
	id int
	ev actions.Event
}

type runDoneMsg struct {
	id  int
	out actions.Outcome
	err error
}

type auditedMsg struct{ err error }

func eventText(ev actions.Event) string {
	switch {
	case ev.Verify != nil:
		return fmt.Sprintf("verify: %s on %s: %s", ev.Verify.Check, ev.Verify.Target, ev.Verify.Summary)
	case ev.Result == nil:
		return fmt.Sprintf("[%d/%d] %s …", ev.Index, ev.Total, ev.Step)
	}
	r := ev.Result
	s := fmt.Sprintf("[%d/%d] %s (exit %d, %dms)", ev.Index, ev.Total, r.Status, r.ExitCode, r.DurationMS)
	if r.Error != "" {
		s += ": " + r.Error
	}
	return s
}

// box frames dialog lines, cut to w × h.
func box(lines []string, w, h int) string {
	out := make([]string, 0, h)
	for _, l := range lines {
		for _, part := range strings.Split(l, "\n") {
			out = append(out, " "+cut(part, w-2))
		}
	}
	if len(out) > h {
		out = append(out[:h-1], dimStyle.Render(fmt.Sprintf(" … %d more lines", len(out)-h+1)))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}
