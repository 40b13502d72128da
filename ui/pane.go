package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
)

// Pane is one component of the cockpit. The root routes window sizes to every pane and a key
// only to the focused one; typed data messages go to the pane that owns them.
type Pane interface {
	Title() string
	SetSize(w, h int)
	// Update handles a key (when focused) or the pane's own messages.
	Update(msg tea.Msg) (Pane, tea.Cmd)
	View(now time.Time) string
	// Keys are the pane's own bindings (for help); the root offers a key to the pane first when
	// it matches one of them.
	Keys() []key.Binding
	// Selected is what the selected row names, and the finding behind it if it is one.
	Selected() (checks.Ref, *checks.Finding, bool)
	SetFilter(f *rowFilter) tea.Cmd // nil: none; a big table filters off the UI goroutine
	// Tile is the pane's entry in the status strip: counts and worst status.
	Tile() tile
	// Move moves the selection (j/k, pages, top/bottom).
	Move(n int)
}

// tile is one area's summary in the status strip.
type tile struct {
	label   string
	total   int
	bad     int // non-ok
	worst   checks.Status
	note    string // e.g. "no data source"
	absent  bool   // no data source configured
	partial bool   // still being listed: the counts will grow
}

// paneNames are the panes in their number order (1–8).
var paneNames = [...]string{"Alerts", "Nodes", "Pods", "Hosts", "ADNS", "NTP", "Certs", "Logs"}

const (
	paneAlerts = iota
	paneNodes
	panePods
	paneHosts
	paneADNS
	paneNTP
	paneCerts
	paneLogs
)
