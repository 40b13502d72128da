package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"k8s.io/client-go/dynamic"

	"opsdeck/actions"
	kubeactions "opsdeck/actions/kube"
	"opsdeck/checks"
	"opsdeck/config"
	sitekube "opsdeck/site/kube"
)

func actionCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "action", Short: "List, plan and run actions (plan → guard → confirm → audit → run → verify)"}

	var target, override string
	list := &cobra.Command{
		Use:   "list",
		Short: "Actions and the targets they apply to",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := openSite(*g)
			if err != nil {
				return err
			}
			defer e.close()
			e.waitWatchers(cmd.Context(), syncWait)
			as := e.registry.All()
			if target != "" {
				as = e.registry.For(target)
			}
			tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACTION\tKIND\tDESTRUCTIVE\tTARGETS\tWHAT")
			for _, a := range as {
				d := "no"
				if a.Destructive {
					d = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Name, a.TargetKind, d, summarize(a.Targets()), a.Title)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&target, "target", "", "only actions that apply to this target")

	plan := &cobra.Command{
		Use:   "plan NAME TARGET",
		Short: "Print the plan and the gate's verdict; changes nothing",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := openSite(*g)
			if err != nil {
				return err
			}
			defer e.close()
			e.waitWatchers(cmd.Context(), syncWait)
			p, err := buildPlan(kubeactions.WithOverride(cmd.Context(), override), e, args[0], args[1])
			if err != nil {
				return err
			}
			fmt.Print(p.Describe())
			gate := e.gate(*g)
			if !g.readOnly {
				if _, access, err := e.kubeWriters(); err == nil {
					gate.Access = access
				}
			}
			v := gate.Decide(cmd.Context(), p, "")
			fmt.Printf("gate: %s\nwindow: %s\nto run it, type: %s\n", v, v.Window, actions.ExpectedConfirmation(p))
			return nil
		},
	}

	var emergency, typed string
	run := &cobra.Command{
		Use:   "run NAME TARGET",
		Short: "Plan, guard, confirm, audit, run and verify one action (exit 0 only if verified)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAction(kubeactions.WithOverride(cmd.Context(), override), *g, args[0], args[1], emergency, typed, cmd.Flags().Changed("yes-i-typed"))
		},
	}
	run.Flags().StringVar(&emergency, "emergency-reason", "", "declare an emergency change outside a window, and say why")
	run.Flags().StringVar(&typed, "yes-i-typed", "", "confirm without a prompt: the target's name (or yes for a non-destructive action)")
	for _, sub := range []*cobra.Command{plan, run} {
		sub.Flags().StringVar(&override, "override-reason", "", "kube.remove-node: remove a node whose host is not known unreachable long enough, and say why")
	}
	c.AddCommand(list, plan, run)
	return c
}

func buildPlan(ctx context.Context, e *env, name, target string) (*actions.Plan, error) {
	a, err := e.registry.Lookup(name, target)
	if err != nil {
		return nil, err
	}
	return a.Plan(ctx, target)
}

func runAction(ctx context.Context, g globals, name, target, emergency, typed string, typedGiven bool) error {
	e, err := openSite(g)
	if err != nil {
		return err
	}
	defer e.close()
	e.waitWatchers(ctx, syncWait)
	sess, err := e.session(g, e.scheduler(checks.NewStore(time.Second), e.checks))
	if err != nil {
		return err
	}
	pend, err := sess.Prepare(ctx, name, target)
	if err != nil {
		return err
	}
	p := pend.Plan
	fmt.Print(p.Describe())
	if sess.ReadOnly() {
		// No executor exists in a read-only process; the attempt is still recorded.
		_, _ = sess.Run(ctx, pend, typed, emergency, nil)
		fmt.Fprintln(os.Stderr, "opsdeck action run:", actions.ErrReadOnly)
		return exitError{1}
	}
	// Confirm only what the gate would let through; a refusal is recorded by Run itself.
	if v := sess.Gate.Decide(ctx, p, emergency); v.Allowed {
		fmt.Printf("gate: %s\n", v)
		if !typedGiven {
			if !isatty.IsTerminal(os.Stdin.Fd()) {
				_ = sess.Cancel(pend, "", "no terminal to confirm on and no --yes-i-typed")
				fmt.Fprintf(os.Stderr, "opsdeck action run: not confirmed: stdin is not a terminal; pass --yes-i-typed %s\n", pend.Confirm)
				return exitError{1}
			}
			fmt.Printf("Type %q to run it (anything else cancels): ", pend.Confirm)
			line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
			typed = strings.TrimSpace(line)
		}
	}
	out, err := sess.Run(ctx, pend, typed, emergency, func(ev actions.Event) {
		switch {
		case ev.Verify != nil:
			fmt.Printf("verify: check %s on %s: %s\n", ev.Verify.Check, ev.Verify.Target, ev.Verify.Summary)
		case ev.Result == nil:
			fmt.Printf("[%d/%d] %s …\n", ev.Index, ev.Total, ev.Step)
		default:
			r := ev.Result
			line := fmt.Sprintf("[%d/%d] %s (exit %d, %dms)", ev.Index, ev.Total, r.Status, r.ExitCode, r.DurationMS)
			if r.Error != "" {
				line += ": " + r.Error
			}
			if r.Excerpt != "" {
				line += "\n      " + strings.ReplaceAll(r.Excerpt, "\n", "\n      ")
			}
			if r.Diagnosis != "" {
				line += "\n    diagnosis: " + strings.ReplaceAll(r.Diagnosis, "\n", "\n      ")
			}
			fmt.Println(line)
		}
	})
	fmt.Printf("audit record %s (%s) in %s\n", out.ID, out.Result, sess.Audit.Path())
	if err != nil {
		fmt.Fprintln(os.Stderr, "opsdeck action run:", err)
		return exitError{1}
	}
	return nil
}

// session is the one action path of this process (CLI and cockpit): a read-only process gets
// no executor, a read-write one connects read-write to the clusters for its API steps.
func (e *env) session(g globals, sched *checks.Scheduler) (*actions.Session, error) {
	audit, err := actions.OpenAudit(e.site.AuditPath())
	if err != nil {
		return nil, fmt.Errorf("%w; nothing runs without an audit log", err)
	}
	gate := e.gate(g)
	s := &actions.Session{Registry: e.registry, Gate: gate, Audit: audit, Operator: actions.CurrentOperator(), Site: e.site.Name}
	if g.readOnly {
		return s, nil
	}
	api, access, err := e.kubeWriters()
	if err != nil {
		return nil, err
	}
	gate.Access = access
	s.Exec, err = actions.NewExecutor(actions.ReadWrite, actions.ExecutorConfig{
		Gate: gate, Audit: audit, SSH: e.pool, API: api, Operator: s.Operator, Site: e.site.Name,
		Verify: func(ctx context.Context, check, target string) (checks.Finding, error) {
			return sched.RunOne(ctx, check, target)
		},
	})
	return s, err
}

func (e *env) gate(g globals) *actions.Gate {
	mode := actions.ReadWrite
	if g.readOnly {
		mode = actions.ReadOnly
	}
	return &actions.Gate{Mode: mode, Changes: e.site.Changes}
}

func summarize(ts []string) string {
	switch {
	case len(ts) == 0:
		return "-"
	case len(ts) <= 4:
		return strings.Join(ts, ",")
	}
	return fmt.Sprintf("%s,… (%d)", strings.Join(ts[:3], ","), len(ts))
}

// kubeWriters connects read-write to every cluster for the actions: the API runner and the
// access reviews of the gate. Only a read-write process gets here.
func (e *env) kubeWriters() (*kubeactions.Runner, actions.AccessReview, error) {
	runner := &kubeactions.Runner{Clusters: map[string]dynamic.Interface{}}
	reviewers := map[string]*kubeactions.AccessReviewer{}
	for _, c := range e.site.Clusters {
		cl, err := sitekube.Connect(sitekube.Options{Kubeconfig: config.ExpandPath(c.Kubeconfig), Context: c.Context})
		if err != nil {
			return nil, nil, fmt.Errorf("cluster %s: %w", c.Name, err)
		}
		runner.Clusters[c.Name] = cl.Dynamic
		reviewers[c.Name] = kubeactions.NewAccessReviewer(cl.Kube, time.Minute)
	}
	access := func(ctx context.Context, call actions.APICall) (bool, string, error) {
		r, ok := reviewers[call.Cluster]
		if !ok {
			return false, "", fmt.Errorf("no cluster %q", call.Cluster)
		}
		return r.Review(ctx, call)
	}
	return runner, access, nil
}
