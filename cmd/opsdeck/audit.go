package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"opsdeck/actions"
	"opsdeck/config"
	"opsdeck/internal/termsafe"
)

func auditCmd(g *globals) *cobra.Command {
	var since, action, target, output string
	c := &cobra.Command{
		Use:   "audit",
		Short: "Read the audit log of action attempts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := auditPath(*g)
			if err != nil {
				return err
			}
			f := actions.Filter{Action: action, Target: target}
			if since != "" {
				t, err := parseSince(since, time.Now())
				if err != nil {
					return err
				}
				f.Since = t
			}
			recs, problems, err := actions.ReadAudit(path, f)
			if errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(os.Stderr, "opsdeck audit: no audit log at %s yet: no action has been attempted\n", path)
				err = nil
			}
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintln(os.Stderr, "opsdeck audit:", termsafe.Line(p))
			}
			return printAudit(os.Stdout, recs, output)
		},
	}
	c.Flags().StringVar(&since, "since", "", "only records newer than this: a duration (24h, 7d) or a date (2026-11-25)")
	c.Flags().StringVar(&action, "action", "", "only this action")
	c.Flags().StringVar(&target, "target", "", "only this target")
	c.Flags().StringVarP(&output, "output", "o", "table", "table or json (one record per line)")
	return c
}

// printAudit writes records as a table or JSON lines, every text terminal-safe.
func printAudit(w io.Writer, recs []actions.Record, output string) error {
	for i := range recs { // the file may have been written by anything: print it safe
		recs[i] = recs[i].Safe()
	}
	if output == "json" {
		enc := json.NewEncoder(w)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tID\tPHASE\tACTION\tTARGET\tOPERATOR\tRESULT")
	for _, r := range recs {
		res := r.Outcome
		if res == "" {
			res = r.Verdict
		}
		if r.Error != "" && r.Phase != "finished" {
			res += " — " + r.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Time.Local().Format("2006-01-02 15:04:05"), r.ID, r.Phase, r.Action, r.Target, operatorCell(r.Operator), termsafe.Line(res))
	}
	return tw.Flush()
}

// operatorCell shows the process identity first; the environment's claims (sudo, ssh) follow in
// brackets, since they are what the session said, not what the system knows.
func operatorCell(o actions.Operator) string {
	s := o.User + "@" + o.Host
	var claims []string
	if o.SudoUser != "" {
		claims = append(claims, "sudo:"+o.SudoUser)
	}
	if o.SSHClient != "" {
		claims = append(claims, "from "+o.SSHClient)
	}
	if len(claims) > 0 {
		s += " (" + strings.Join(claims, ", ") + ")"
	}
	return s
}

// auditPath finds the log without starting the site: the demo's own log, or the site file's.
func auditPath(g globals) (string, error) {
	if g.demo {
		return demoAuditPath(), nil
	}
	s, err := config.Load(config.ExpandPath(g.site))
	if err != nil {
		return "", err
	}
	return s.AuditPath(), nil
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := config.ParseDuration(s); err == nil {
		return now.Add(-d.D()), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (24h, 7d) or a date (2026-11-25)", s)
}
