package services

import (
	"context"
	"fmt"
	"strings"
	"time"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// yum checks, from the host, that each enabled repository answers: the base URLs come from
// services.yum.urls or the host's repo files, and curl fetches repodata/repomd.xml (what
// `yum makecache` reads first; `yum list` (§9.3) would also write the host's cache).
func yum(ctx context.Context, r probe.Runner, h config.Host, y config.YUM, now time.Time) checks.Finding {
	var f checks.Finding
	repos := make([]Repo, 0, len(y.URLs))
	for i, u := range y.URLs {
		repos = append(repos, Repo{ID: fmt.Sprintf("urls[%d]", i), BaseURL: u})
	}
	if len(repos) == 0 {
		dir := y.RepoDirOr()
		res, ok := probe.RunOK(ctx, r, &f, h, "find", dir, "-maxdepth", "1", "-name", "*.repo", "-type", "f")
		if !ok {
			return f
		}
		files := strings.Fields(string(res.Stdout))
		if len(files) == 0 {
			f.Status, f.Summary = checks.Crit, "no .repo file in "+dir
			f.Details = "yum on this host knows no repository: restore the site's repo file (§9.3)."
			return f
		}
		res, ok = probe.RunOK(ctx, r, &f, h, append([]string{"cat", "--"}, files...)...)
		if !ok {
			return f
		}
		repos = ParseRepoFiles(res.Stdout)
		if len(repos) == 0 {
			f.Status, f.Summary = checks.Crit, "no enabled repository with a baseurl in "+dir
			return f
		}
	}
	var v verdict
	var good []string
	for _, rp := range repos {
		base, missing := Expand(rp.BaseURL, y.Vars)
		if len(missing) > 0 {
			v.add(checks.Unknown, "%s: set services.yum.vars for $%s", rp.ID, strings.Join(missing, ", $"))
			continue
		}
		u := RepomdURL(base)
		if !ssh.IsRepomdURL(u) {
			v.add(checks.Unknown, "%s: %q is not an http(s) repository URL", rp.ID, base)
			continue
		}
		res, ok := probe.Run(ctx, r, &f, h, "curl", "-fsS", "-m", "5", u)
		if !ok {
			return f
		}
		if res.ExitCode != 0 {
			v.add(checks.Crit, "%s does not answer: %s", rp.ID, orWord(probe.FirstLine(string(res.Stderr)), fmt.Sprintf("curl exit %d", res.ExitCode)))
			continue
		}
		md, err := ParseRepomd(res.Stdout)
		if err != nil {
			v.add(checks.Crit, "%s: %v", rp.ID, err)
			continue
		}
		s := rp.ID
		if !md.Newest.IsZero() {
			s += " (metadata " + probe.HumanDuration(now.Sub(md.Newest)) + " old)"
		}
		good = append(good, s)
	}
	what := "repositories answer"
	if len(good) == 1 {
		what = "repository answers"
	}
	v.apply(&f, fmt.Sprintf("%d %s: %s", len(good), what, strings.Join(good, ", ")))
	f.Metrics = append(f.Metrics, checks.Metric{Name: "repositories", Value: float64(len(repos))}, checks.Metric{Name: "answering", Value: float64(len(good))})
	if f.Status != checks.OK {
		f.Details = "The YUM service runs on the ops hosts and comes back with them (§9.3): check its web server there, then `yum list` on a node."
		if len(good) > 0 {
			f.Details += "\nanswering: " + strings.Join(good, ", ")
		}
	}
	return f
}
