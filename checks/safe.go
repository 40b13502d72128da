package checks

import "opsdeck/internal/termsafe"

// Safe returns f with every text from the site made terminal-safe (termsafe): the one-line
// fields on one line, details, error and evidence excerpts with their newlines. The scheduler
// applies it to every finding before the store sees it, so no check can forget.
func (f Finding) Safe() Finding {
	f.Check, f.Area, f.Target = termsafe.Line(f.Check), termsafe.Line(f.Area), termsafe.Line(f.Target)
	f.Kind, f.Guide = termsafe.Line(f.Kind), termsafe.Line(f.Guide)
	f.Summary, f.Exception = termsafe.Line(f.Summary), termsafe.Line(f.Exception)
	f.Details, f.Error = termsafe.Text(f.Details), termsafe.Text(f.Error)
	if f.Metrics != nil {
		ms := make([]Metric, len(f.Metrics))
		for i, m := range f.Metrics {
			m.Name, m.Unit = termsafe.Line(m.Name), termsafe.Line(m.Unit)
			ms[i] = m
		}
		f.Metrics = ms
	}
	if f.Evidence != nil {
		ev := make([]Evidence, len(f.Evidence))
		for i, e := range f.Evidence {
			ev[i] = Evidence{Source: termsafe.Line(e.Source), Excerpt: termsafe.Text(e.Excerpt)}
		}
		f.Evidence = ev
	}
	return f
}

// Safe returns the report with every text terminal-safe, for the printers to apply again.
func (r Report) Safe() Report {
	r.Site = termsafe.Line(r.Site)
	fs := make([]JSONFinding, len(r.Findings))
	for i, f := range r.Findings {
		fs[i] = JSONFinding{Finding: f.Finding.Safe(), DurationMS: f.DurationMS}
	}
	r.Findings = fs
	if r.Connections != nil {
		cs := make([]Connection, len(r.Connections))
		for i, c := range r.Connections {
			c.Host, c.LastError = termsafe.Line(c.Host), termsafe.Line(c.LastError)
			cs[i] = c
		}
		r.Connections = cs
	}
	return r
}
