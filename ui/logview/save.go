package logview

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"

	tea "charm.land/bubbletea/v2"

	"opsdeck/site/tail"
)

type savedMsg struct {
	id   int64
	path string
	n    int
	err  error
}

// save writes every shown entry (the filter's result, folded lines included) to a new file, in a
// command: the index is copied here, the entries are read and written there.
func (m *Model) save() tea.Cmd {
	refs := make([]tail.Ref, 0, len(m.live()))
	for _, it := range m.live() {
		refs = append(refs, tail.Ref{Src: int(it.src), Seq: it.seq})
	}
	names := m.sourceNames()
	path := filepath.Join(m.opts.SaveDir, "opsdeck-logs-"+Now().Format("20060102-150405")+".log")
	hub, id := m.hub, m.id
	return func() tea.Msg {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return savedMsg{id: id, err: err}
		}
		w := bufio.NewWriter(f)
		n := 0
		for chunk := range slices.Chunk(refs, 4096) {
			hub.Lookup(chunk, func(_ int, e *tail.Entry) {
				w.WriteString(names[e.Source] + " " + e.Time.Format("2006-01-02T15:04:05.000Z07:00") + " " + e.Text)
				if e.Note != "" {
					w.WriteString("  ⟵ " + e.Note)
				}
				w.WriteByte('\n')
				n++
				for _, l := range e.More {
					w.WriteString(l + "\n")
					n++
				}
			})
		}
		err = w.Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return savedMsg{id: id, path: path, n: n, err: err}
	}
}

func (m *Model) sourceNames() []string {
	srcs := m.hub.Sources()
	out := make([]string, len(srcs))
	for i, s := range srcs {
		out[i] = s.Base()
	}
	return out
}
