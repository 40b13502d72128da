package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"opsdeck/checks"
	"opsdeck/ui"
)

func checkCmd(g *globals) *cobra.Command {
	var output string
	var only []string
	var all bool
	c := &cobra.Command{
		Use:   "check",
		Short: "Run one inspection round and report (exit 0 ok, 1 warn, 2 crit, 3 unknown)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				fmt.Fprintf(os.Stderr, "opsdeck check: -o must be table or json, not %q\n", output)
				return exitError{3}
			}
			ro := *g
			ro.readOnly = true // a check round only looks: its SSH pool runs probe commands only
			e, err := openSite(ro)
			if err != nil {
				fmt.Fprintln(os.Stderr, "opsdeck check:", err)
				return exitError{3} // Nagios: could not check at all
			}
			defer e.close()
			selected := checks.Select(e.checks, only)
			if len(selected) == 0 {
				fmt.Fprintf(os.Stderr, "opsdeck check: --only %v matches no check\n", only)
				return exitError{3}
			}
			store := checks.NewStore(50 * time.Millisecond)
			var progress func(done, total int)
			if isatty.IsTerminal(os.Stderr.Fd()) {
				progress = func(done, total int) { fmt.Fprintf(os.Stderr, "\rchecking… %d/%d", done, total) }
			}
			start := time.Now()
			e.waitWatchers(cmd.Context(), syncWait)
			e.scheduler(store, selected).RunOnce(cmd.Context(), progress)
			if progress != nil {
				fmt.Fprint(os.Stderr, "\r\033[K")
			}
			r := checks.NewReport(e.site.Name, start, time.Since(start), store.Snapshot().Values())
			for _, st := range e.pool.States() {
				r.Connections = append(r.Connections, checks.Connection{Host: st.Host, Connected: st.Connected,
					RTTMS: st.RTTMS, LastError: st.LastError, Since: st.Since, Failures: st.Failures})
			}
			r = r.Safe() // again at the printer: nothing from the site drives the terminal
			if output == "json" {
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				err = enc.Encode(r)
			} else {
				err = ui.WriteTable(os.Stdout, r, ui.TableOptions{Color: isatty.IsTerminal(os.Stdout.Fd()), All: all})
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "opsdeck check:", err)
				return exitError{3}
			}
			return exitError{r.Summary.ExitCode}
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	c.Flags().StringArrayVar(&only, "only", nil, "run only checks whose id matches this glob (repeatable), e.g. 'host.*'")
	c.Flags().BoolVar(&all, "all", false, "table: list ok findings too")
	return c
}
