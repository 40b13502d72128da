// Command opsdeck is the terminal ops cockpit for Ant Stack Plus sites. This package holds flags
// and wiring only.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"opsdeck/site/sim"
	"opsdeck/ui"
)

// exitError ends the process with a code after printing nothing more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// globals are the flags every command shares.
type globals struct {
	site       string
	demo       bool
	scenario   string
	readOnly   bool
	kubeconfig string
	context    string
}

func main() {
	stopProfile := startProfile()
	tuneGC()
	var g globals
	var cf, wf cockpitFlags
	root := &cobra.Command{
		Use:   "opsdeck",
		Short: "Terminal ops cockpit for Ant Stack Plus sites",
		Long: "opsdeck inspects an Ant Stack Plus site (AKE3 Kubernetes, hosts, ADNS, NTP, certificates, logs)\n" +
			"on one screen. With no subcommand it starts the interactive cockpit.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return runCockpit(cmd.Context(), g, cf) },
	}
	root.Flags().StringVar(&cf.theme, "theme", ui.ThemeDark, "colours: dark or light (NO_COLOR turns colour off)")
	root.PersistentFlags().StringVar(&g.site, "site", defaultSitePath(), "site file (env OPSDECK_SITE)")
	root.PersistentFlags().BoolVar(&g.demo, "demo", false, "run against the embedded simulated site")
	root.PersistentFlags().StringVar(&g.scenario, "demo-scenario", "standard", "the demo's scenario: "+strings.Join(sim.Scenarios, ", "))
	root.PersistentFlags().BoolVar(&g.readOnly, "read-only", false, "never change anything on the site")
	root.PersistentFlags().StringVar(&g.kubeconfig, "kubeconfig", "", "kubeconfig file(s), ':'-joined; with --context, replaces the site file's clusters (default $KUBECONFIG)")
	root.PersistentFlags().StringVar(&g.context, "context", "", "kubeconfig context to use (replaces the site file's clusters)")
	watch := &cobra.Command{
		Use:   "watch",
		Short: "The cockpit for a wall screen: read-only, nothing to press",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := g
			w.readOnly = true
			wf.watch = true
			return runCockpit(cmd.Context(), w, wf)
		},
	}
	watch.Flags().DurationVar(&wf.cycle, "cycle", 15*time.Second, "time on each pane with problems before moving to the next (0: stay; p pauses)")
	watch.Flags().StringVar(&wf.theme, "theme", ui.ThemeDark, "colours: dark or light (NO_COLOR turns colour off)")
	root.AddCommand(checkCmd(&g), configCmd(), actionCmd(&g), auditCmd(&g), watch)

	ctx, stop := signalContext()
	err := root.ExecuteContext(ctx)
	stop()
	stopProfile()
	var ee exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		os.Exit(ee.code)
	default:
		fmt.Fprintln(os.Stderr, "opsdeck:", err)
		os.Exit(1)
	}
}

// signalContext is cancelled by the first SIGINT, SIGTERM or SIGHUP, with the signal as its
// cause: a running action stops between (or cuts short) its steps and its "finished" record
// says it was interrupted and which steps ran — also when the operator's SSH session drops
// (SIGHUP killed the process mid-action, with no such record). A second signal quits at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			cancel(fmt.Errorf("interrupted by %s", signalName(s)))
		case <-done:
			return
		}
		select {
		case s := <-ch:
			fmt.Fprintf(os.Stderr, "opsdeck: %s again: quitting now\n", signalName(s))
			os.Exit(130)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

func signalName(s os.Signal) string {
	if s == os.Interrupt {
		return "SIGINT"
	}
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	if s == syscall.SIGHUP {
		return "SIGHUP"
	}
	return s.String()
}

func defaultSitePath() string {
	if p := os.Getenv("OPSDECK_SITE"); p != "" {
		return p
	}
	return "~/.config/opsdeck/site.yaml"
}
