package logview

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"opsdeck/site/tail"
)

// ShowTarget narrows the pane to the logs that belong to a finding's target, and reports
// whether there were any:
//   - a host (checks/hosts targets: "node3"): its kubelet log if the site follows one, else
//     every log on that host;
//   - an ADNS instance (checks/adns targets: "ops1/adns-master", or "ops1" for bare processes),
//     optionally with a program ("ops1/adns-master/dnsagent"): that program's supervisord log,
//     else every log of that container;
//   - a pod ("namespace/pod"): its pod logs.
//
// The index is rebuilt at once for the new choice (a target's logs are a few sources);
// ShowAll goes back to every source.
func (m *Model) ShowTarget(target string) bool {
	if m.hub == nil || target == "" {
		return false
	}
	srcs := m.hub.Sources()
	pick := Match(srcs, target)
	if len(pick) == 0 {
		return false
	}
	m.syncSources()
	for i := range m.shown {
		m.shown[i] = false
	}
	for _, i := range pick {
		m.shown[i] = true
	}
	m.follow, m.paused = true, false
	m.status = "logs of " + target
	if msg, ok := m.rebuild()().(rebuiltMsg); ok {
		m.applyRebuild(msg)
	}
	return true
}

// ShowAll shows every source again.
func (m *Model) ShowAll() tea.Cmd {
	m.syncSources()
	for i := range m.shown {
		m.shown[i] = true
	}
	m.status = ""
	return m.rebuild()
}

// Match returns the sources that belong to target (see ShowTarget).
func Match(srcs []tail.Source, target string) []int {
	parts := strings.Split(target, "/")
	var out []int
	pick := func(ok func(tail.Source) bool) bool {
		out = out[:0]
		for i, s := range srcs {
			if ok(s) {
				out = append(out, i)
			}
		}
		return len(out) > 0
	}
	kubelet := func(s tail.Source) bool {
		return strings.Contains(strings.ToLower(s.Name+" "+s.Path), "kubelet")
	}
	switch len(parts) {
	case 1: // a host
		host := parts[0]
		if pick(func(s tail.Source) bool { return s.Host == host && kubelet(s) }) {
			return out
		}
		// a bare-process ADNS instance's supervisord logs, or anything else on that host
		pick(func(s tail.Source) bool { return s.Host == host })
		return out
	case 2: // host/container, or namespace/pod
		host, ctr := parts[0], parts[1]
		if pick(func(s tail.Source) bool { return s.Host == host && s.Container == ctr }) {
			return out
		}
		pick(func(s tail.Source) bool {
			return s.Kind == "pod" && (s.Path == target || strings.HasPrefix(s.Path, target+"/"))
		})
		return out
	case 3: // host/container/program
		host, ctr, prog := parts[0], parts[1], parts[2]
		if pick(func(s tail.Source) bool {
			return s.Host == host && s.Container == ctr && s.Kind == "supervisor" && s.Path == prog
		}) {
			return out
		}
		pick(func(s tail.Source) bool { return s.Host == host && s.Container == ctr })
		return out
	}
	return nil
}
