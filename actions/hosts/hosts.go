// Package hosts defines the actions on physical hosts, run over SSH (guide §2.3.2).
package hosts

import (
	"context"
	"fmt"
	"time"

	"opsdeck/actions"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// Actions returns the host actions for the site's inventory (without a runner, ADNS processes
// in crictl containers are left out: their plan needs the container id).
func Actions(site *config.Site) []actions.Action { return ActionsWith(site, nil) }

// ActionsWith is Actions with a runner for the read-only lookups some plans make (crictl's
// container id).
func ActionsWith(site *config.Site, r probe.Runner) []actions.Action {
	byName := map[string]config.Host{}
	var kubeletHosts []string
	for _, h := range site.Inventory() {
		byName[h.Name] = h
		if h.HasRole("node") || h.HasRole("master") {
			kubeletHosts = append(kubeletHosts, h.Name)
		}
	}
	kubeletTargets := func() []string { return kubeletHosts }
	isActive := func(h config.Host) *actions.Probe {
		return &actions.Probe{
			SSH:  &actions.Command{Host: h, Argv: []string{"systemctl", "is-active", "kubelet"}},
			Desc: "kubelet is active",
			Test: func(_ []byte, code int) bool { return code == 0 },
		}
	}
	unit := func(verb string, destructive bool, title string) actions.Action {
		return actions.Action{
			Name:        "host." + verb + "-kubelet",
			Title:       title,
			TargetKind:  "host",
			Destructive: destructive,
			Targets:     kubeletTargets,
			Plan: func(_ context.Context, target string) (*actions.Plan, error) {
				h, ok := byName[target]
				if !ok {
					return nil, fmt.Errorf("%q is not a host of the inventory", target)
				}
				step := actions.Step{
					SSH:     &actions.Command{Host: h, Argv: []string{"systemctl", verb, "kubelet"}},
					Timeout: 90 * time.Second,
				}
				if verb == "start" {
					step.Done = isActive(h) // starting an active kubelet is a no-op: skip it
				}
				// If it does not come up, the journal says why (§2.3.2).
				step.Diagnose = &actions.Command{Host: h, Argv: []string{"journalctl", "-u", "kubelet", "-n", "50", "--no-pager"}}
				return &actions.Plan{
					Action: "host." + verb + "-kubelet", Title: title, Target: target, Destructive: destructive,
					Steps:  []actions.Step{step},
					Verify: &actions.Verify{Check: "host.kubelet", Target: target, Within: 30 * time.Second},
				}, nil
			},
		}
	}
	return append([]actions.Action{
		unit("start", false, "Start kubelet (a node rebooted but shown failed, §2.3.2)"),
		unit("restart", true, "Restart kubelet (interrupts the node's kubelet)"),
	}, moreActions(site, byName, r)...)
}
