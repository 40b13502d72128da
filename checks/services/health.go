package services

import (
	"context"
	"fmt"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// health runs the guide's business check inside a container — curl localhost:9500/checkService
// must print no "false" (§7.3, §8.2) — and checks the component's ports on its host.
func health(ctx context.Context, r probe.Runner, h config.Host, in config.ServiceInstance, def string, ports []int, advice string) checks.Finding {
	var f checks.Finding
	var v verdict
	res, ran, down := execIn(ctx, r, &f, h, asADNS(in, def), "curl", "-sS", "-m", "5", ssh.CheckServiceURL)
	read, final := answer(&v, "checkService", res, ran, down)
	if final {
		return f
	}
	if bad := CheckService(res.Stdout); read && len(bad) > 0 {
		v.add(checks.Crit, "checkService reports false: %s", strings.Join(firstN(bad, 3), "; "))
	}
	missing, ok := listening(ctx, r, &f, h, ports)
	if !ok {
		return f
	}
	if len(missing) > 0 {
		v.add(checks.Crit, "port %s not listening", joinInts(missing))
	}
	v.apply(&f, fmt.Sprintf("checkService ok, ports %s listening", joinInts(ports)))
	if f.Status != checks.OK {
		f.Details = advice
	}
	return f
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("… %d more", len(s)-n))
	}
	return s
}
