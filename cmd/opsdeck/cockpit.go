package main

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
	"opsdeck/ui"
)

// runCockpit starts the interactive screen with the scheduler probing in the background.
func runCockpit(ctx context.Context, g globals) error {
	e, err := openSite(g)
	if err != nil {
		return err
	}
	defer e.close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	store := checks.NewStore(100 * time.Millisecond)
	go e.scheduler(store, e.checks).Run(ctx)
	m := ui.New(ui.Options{
		Site:       e.site.Name,
		Store:      store,
		ReadOnly:   g.readOnly,
		StaleAfter: 2*e.site.Checks.Interval.D() + e.site.Checks.Timeout.D(),
		SSH: func() (int, int) {
			sts := e.pool.States()
			up := 0
			for _, st := range sts {
				if st.Connected {
					up++
				}
			}
			return up, len(sts)
		},
	})
	_, err = tea.NewProgram(m, tea.WithContext(ctx)).Run()
	return err
}
