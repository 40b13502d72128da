// Package probe holds what every host-side check shares: running a command over SSH with its
// evidence, and turning failures to look (unreachable, changed host key, failed command,
// unreadable output) into findings the same way in every area.
package probe

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// Runner runs one command on a host; site/ssh.Pool is the real one.
type Runner interface {
	Run(ctx context.Context, h config.Host, argv ...string) (ssh.Result, error)
}

// Run executes argv and records it as evidence; a failure to run becomes the finding (false).
func Run(ctx context.Context, r Runner, f *checks.Finding, h config.Host, argv ...string) (ssh.Result, bool) {
	res, err := r.Run(ctx, h, argv...)
	if err != nil {
		*f = ConnFailure(err)
		f.AddEvidence("ssh "+h.Name+": "+ssh.Quote(argv...), nil)
		return res, false
	}
	out := res.Stdout
	if len(res.Stderr) > 0 {
		out = append(append(out[:len(out):len(out)], "\n[stderr]\n"...), res.Stderr...)
	}
	f.AddEvidence(fmt.Sprintf("ssh %s: %s (exit %d)", h.Name, res.Command, res.ExitCode), out)
	return res, true
}

// RunOK is Run for commands that must succeed: a non-zero exit becomes the (unknown) finding too.
func RunOK(ctx context.Context, r Runner, f *checks.Finding, h config.Host, argv ...string) (ssh.Result, bool) {
	res, ok := Run(ctx, r, f, h, argv...)
	if ok && res.ExitCode != 0 {
		*f = ExitFailure(*f, res)
		return res, false
	}
	return res, ok
}

// ConnFailure turns an SSH error into a finding: a changed host key is critical (and nothing
// ran), anything else that stops us from looking is unknown.
func ConnFailure(err error) checks.Finding {
	f := checks.Failed(err)
	var ce *ssh.ConnectError
	var hk *ssh.HostKeyError
	switch {
	case ssh.IsHostKeyChanged(err):
		f.Status = checks.Crit
		f.Summary = "host key changed: no connection made"
	case errors.As(err, &hk):
		f.Summary = fmt.Sprintf("host key unknown (%s %s): verify it, then add it to known_hosts", hk.KeyType, hk.Fingerprint)
	case errors.As(err, &ce):
		f.Summary = fmt.Sprintf("unreachable (%s): %v", ce.Op, FirstLine(ce.Err.Error()))
	case errors.Is(err, context.DeadlineExceeded):
		f.Summary = "no answer in time"
	default:
		f.Summary = "could not run: " + FirstLine(err.Error())
	}
	return f
}

// ParseFailure is an unknown finding for output we could not read (the evidence is kept).
func ParseFailure(f checks.Finding, err error) checks.Finding {
	f.Status, f.Summary, f.Error = checks.Unknown, "unreadable output: "+err.Error(), err.Error()
	return f
}

// ExitFailure is an unknown finding for a probe command that failed (the evidence is kept).
func ExitFailure(f checks.Finding, res ssh.Result) checks.Finding {
	msg := FirstLine(strings.TrimSpace(string(res.Stderr)))
	if msg == "" {
		msg = fmt.Sprintf("exit status %d", res.ExitCode)
	}
	f.Status, f.Summary, f.Error = checks.Unknown, fmt.Sprintf("%s failed: %s", ShortCommand(res.Command), msg), msg
	return f
}

// ShortCommand is a command line cut to its program and first argument, for one-line summaries
// (the evidence keeps the whole line).
func ShortCommand(cmd string) string {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return cmd
	}
	f[0] = path.Base(f[0])
	if len(f) > 2 {
		return strings.Join(f[:2], " ") + " …"
	}
	return strings.Join(f, " ")
}

// FirstLine is s up to its first newline, trimmed.
func FirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Inventory is the site's hosts by name.
type Inventory map[string]config.Host

// NewInventory indexes the site's inventory.
func NewInventory(site *config.Site) Inventory {
	inv := Inventory{}
	for _, h := range site.Inventory() {
		inv[h.Name] = h
	}
	return inv
}

// Names lists, in inventory order, the hosts for which keep holds.
func Names(site *config.Site, keep func(config.Host) bool) []string {
	var out []string
	for _, h := range site.Inventory() {
		if keep(h) {
			out = append(out, h.Name)
		}
	}
	return out
}

// OnHost adapts a probe of one host to a probe of a target named after it.
func (inv Inventory) OnHost(fn func(ctx context.Context, h config.Host) checks.Finding) func(context.Context, string) checks.Finding {
	return func(ctx context.Context, target string) checks.Finding {
		h, ok := inv[target]
		if !ok {
			return checks.Failed(fmt.Errorf("%q is not a host of the inventory", target))
		}
		return fn(ctx, h)
	}
}
