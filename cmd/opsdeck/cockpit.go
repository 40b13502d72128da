package main

import (
	"context"
	"errors"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"opsdeck/checks"
	kubechecks "opsdeck/checks/kube"
	"opsdeck/ui"
)

// cockpitFlags are the interactive screen's own flags.
type cockpitFlags struct {
	watch bool
	cycle time.Duration
	theme string
}

// runCockpit starts the interactive screen with the scheduler probing in the background.
func runCockpit(ctx context.Context, g globals, cf cockpitFlags) error {
	if err := needTerminal(os.Stdin); err != nil { // terminal.go
		return err
	}
	loosenGCWhileListing() // releaseAfterSync tightens it
	e, err := openSite(g)
	if err != nil {
		return err
	}
	defer e.close()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go watchTerminal(ctx, []int{int(os.Stdin.Fd()), int(os.Stdout.Fd())}, hangupEvery, cancel) // terminal.go
	store := checks.NewStore(100 * time.Millisecond)
	sched := e.scheduler(store, e.checks)
	go sched.Run(ctx)
	go e.releaseAfterSync(ctx)
	// Kubernetes findings follow the informers' events (≤ 100 ms), the schedule is the safety net.
	kubechecks.React(ctx, e.site, e.watchers, store, 100*time.Millisecond, func(ctx context.Context, check, target string) error {
		_, err := sched.RunOne(ctx, check, target)
		return err
	})
	o := ui.Options{
		Site:       e.site.Name,
		Store:      store,
		Backend:    e.backend(ctx),
		ReadOnly:   g.readOnly,
		Watch:      cf.watch,
		Cycle:      cf.cycle,
		Theme:      cf.theme,
		StaleAfter: 2*e.site.Checks.Interval.D() + e.site.Checks.Timeout.D(),
		StaleAfterFor: func() func(string) time.Duration {
			lines := map[string]time.Duration{}
			for _, c := range e.checks {
				lines[c.ID] = 2*c.Interval + c.Timeout
			}
			return func(id string) time.Duration { return lines[id] }
		}(),
		Window: func(now time.Time) string { return e.gate(g).Status(now).Text },
		Rerun: func(ctx context.Context, check, target string) {
			_, _ = sched.RunOne(ctx, check, target)
		},
		PodEvents: e.podEvents, // podevents.go
	}
	if e.logs != nil {
		o.Logs = ui.NewLogPane(e.logs)
	}
	if !g.readOnly {
		// The same session `opsdeck action run` uses: gate, confirmation rule, audit, verify.
		s, err := e.session(g, sched)
		if err != nil {
			return err
		}
		o.Session = s
	}
	km, kopts := keyLogged(ui.New(o)) // keylog.go: $OPSDECK_KEYLOG
	_, err = tea.NewProgram(km, append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(framesPerSecond(cf.watch))}, kopts...)...).Run()
	if errors.Is(context.Cause(ctx), errHungUp) {
		return nil // nobody is left to read an error
	}
	return err
}

// framesPerSecond is the most frames the renderer draws a second, and how often its ticker
// wakes the process whether the screen changed or not (frames are drawn only when it did).
// At the cockpit: 120, so a key's frame waits at most 8 ms for the tick (at the default 60 the
// wait alone could exceed the 16 ms budget). On a wall screen no one types: 30 still puts a
// change on screen within 33 ms of the view, and the 90 wake-ups a second less are 0.5–1 % of
// a core on an idle 2,000-node site (BENCHMARKS.md, session 15).
func framesPerSecond(watch bool) int {
	if watch {
		return 30
	}
	return 120
}
