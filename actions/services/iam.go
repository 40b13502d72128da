// Package services defines the actions on the platform services of checks/services: the IAM
// restart of the guide's §9.6 (every aciamcore container first, then every aciamweb) and
// Yunyou's docker restart (§4.6).
package services

import (
	"context"
	"fmt"
	"slices"
	"time"

	"opsdeck/actions"
	"opsdeck/checks/services"
	"opsdeck/config"
)

// Actions returns the service actions the site's services block allows.
func Actions(site *config.Site) []actions.Action {
	var out []actions.Action
	if a, ok := iamRestart(site); ok {
		out = append(out, a)
	}
	if a, ok := yunyouRestart(site); ok {
		out = append(out, a)
	}
	return out
}

// yunyouRestart is the guide's fix for an unavailable Yunyou (504s, OOM, §4.6):
// docker restart apyunqing on its host.
func yunyouRestart(site *config.Site) (actions.Action, bool) {
	byName := map[string]config.Host{}
	for _, h := range site.Inventory() {
		byName[h.Name] = h
	}
	ins := map[string]config.ServiceInstance{}
	var targets []string
	for _, in := range site.Services.Yunyou.Instances {
		t := services.Target(in, config.DefaultYunyouContainer)
		ins[t] = in
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return actions.Action{}, false
	}
	const name = "yunyou.restart"
	return actions.Action{
		Name: name, Title: "Restart Yunyou: docker restart apyunqing (§4.6)", TargetKind: services.KindContainer, Destructive: true,
		Targets: func() []string { return targets },
		Plan: func(_ context.Context, target string) (*actions.Plan, error) {
			in, ok := ins[target]
			if !ok {
				return nil, fmt.Errorf("%q is not a Yunyou container (host/container)", target)
			}
			c := in.ContainerName(config.DefaultYunyouContainer)
			return &actions.Plan{Action: name, Title: "docker restart " + c, Target: target, Destructive: true,
				Steps:  []actions.Step{{SSH: &actions.Command{Host: byName[in.Host], Argv: []string{"docker", "restart", c}}, Timeout: 3 * time.Minute}},
				Verify: &actions.Verify{Check: "yunyou.service", Target: target, Within: 3 * time.Minute},
				Notes: []string{"Yunyou's console and its running deployment tasks stop while it restarts",
					"an OOM kill comes back unless the cause is found: read common-error.log first (§4.3)"}}, nil
		},
	}, true
}

// iamRestart restarts IAM in the guide's order (§9.6): the aciamcore containers, then the
// aciamweb ones (aciamweb serves the console on top of aciamcore). It applies to every IAM
// container's row; the plan is the same from each: the whole service restarts.
func iamRestart(site *config.Site) (actions.Action, bool) {
	byName := map[string]config.Host{}
	for _, h := range site.Inventory() {
		byName[h.Name] = h
	}
	var cores, webs []config.ServiceInstance
	var targets []string
	for _, in := range site.Services.IAM.Instances {
		if in.RuntimeName() != "docker" {
			continue // crictl containers belong to pods: restart those through Kubernetes
		}
		switch in.Role {
		case "core":
			cores = append(cores, in)
		case "web":
			webs = append(webs, in)
		}
		targets = append(targets, services.Target(in, config.IAMContainers[in.Role]))
	}
	if len(cores) == 0 {
		return actions.Action{}, false
	}
	const name = "iam.restart"
	title := "Restart IAM: every aciamcore container, then every aciamweb (§9.6)"
	return actions.Action{
		Name: name, Title: title, TargetKind: services.KindContainer, Destructive: true,
		Targets: func() []string { return targets },
		Plan: func(_ context.Context, target string) (*actions.Plan, error) {
			if !slices.Contains(targets, target) {
				return nil, fmt.Errorf("%q is not an IAM container (host/container) run by docker", target)
			}
			var steps []actions.Step
			for _, in := range append(slices.Clone(cores), webs...) {
				c := in.ContainerName(config.IAMContainers[in.Role])
				steps = append(steps, actions.Step{SSH: &actions.Command{Host: byName[in.Host], Argv: []string{"docker", "restart", c}},
					Timeout: 3 * time.Minute})
			}
			// Verify the row it was started from when that is an aciamcore (the broken one, usually),
			// else the first aciamcore: IAM's business function is there.
			first := services.Target(cores[0], config.IAMContainers["core"])
			for _, in := range cores {
				if services.Target(in, config.IAMContainers["core"]) == target {
					first = target
				}
			}
			return &actions.Plan{Action: name, Title: title, Target: target, Destructive: true, Steps: steps,
				Verify: &actions.Verify{Check: "iam.service", Target: first, Within: 3 * time.Minute},
				Notes: []string{
					"logins and API calls that need IAM fail while aciamcore restarts (each replica in turn)",
					"aciamcore depends on antvip: if repeated restarts do not help, check the middleware (§9.6)",
				}}, nil
		},
	}, true
}
