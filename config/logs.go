package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// LogFormats are the formats a log source may declare.
var LogFormats = []string{"", "auto", "log4j", "logrus", "klog", "gateway", "raw"}

// dns1123 is a Kubernetes object name (namespace, pod, container).
var dns1123 = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`)

// logs validates the logs block. Paths and names reach remote commands (as quoted argv words),
// so they are kept to plain shapes here too.
func (v *validator) logs(ls []LogSource, hosts, clusters map[string]bool) {
	names := map[string]bool{}
	for i, l := range ls {
		p := fmt.Sprintf("logs[%d]", i)
		switch {
		case strings.TrimSpace(l.Name) == "":
			v.at(p+".name", "required")
		case names[l.Name]:
			v.at(p+".name", "log %q is listed twice", l.Name)
		}
		names[l.Name] = true
		if !slices.Contains([]string{"", "file", "pod", "supervisor"}, l.Kind) {
			v.at(p+".kind", "must be file, pod or supervisor, not %q", l.Kind)
		}
		if l.Host != "" && !hosts[l.Host] {
			v.at(p+".host", "%q is not a host of the inventory", l.Host)
		}
		if len(l.Roles) > 0 && (l.Host != "" || l.Kind == "pod") {
			v.at(p+".roles", "roles picks the hosts: leave host out (and not for kind pod)")
		}
		switch l.Kind {
		case "", "file":
			if l.Path == "" || strings.ContainsAny(l.Path, "\x00\n*?[") || strings.HasPrefix(l.Path, "-") {
				v.at(p+".path", "%q must be a file path (absolute, or relative to the login user's home; no globs)", l.Path)
			}
		case "supervisor":
			if !containerRe.MatchString(l.Path) {
				v.at(p+".path", "%q must be a supervisord program name (e.g. keepalived)", l.Path)
			}
		case "pod":
			parts := strings.Split(l.Path, "/")
			ok := len(parts) == 2 || len(parts) == 3
			for _, s := range parts {
				ok = ok && dns1123.MatchString(s)
			}
			if !ok {
				v.at(p+".path", "%q must be namespace/pod or namespace/pod/container", l.Path)
			}
			if !clusters[l.Cluster] {
				v.at(p+".cluster", "%q is not a cluster of this site", l.Cluster)
			}
			if l.Host != "" {
				v.at(p+".host", "a pod log is read through the API: leave host out")
			}
		}
		if l.Kind != "pod" && l.Cluster != "" {
			v.at(p+".cluster", "only for kind pod")
		}
		if l.Kind == "pod" && l.Runtime != "" {
			v.at(p+".runtime", "only for files and programs inside containers")
		}
		if l.Container != "" && !containerRe.MatchString(l.Container) {
			v.at(p+".container", "%q is not a container name (letters, digits, _ . -)", l.Container)
		}
		if l.Kind != "pod" && !slices.Contains([]string{"", "docker", "crictl"}, l.Runtime) {
			v.at(p+".runtime", "must be docker or crictl, not %q", l.Runtime)
		}
		if l.Runtime != "" && l.Container == "" {
			v.at(p+".container", "required with runtime %s", l.Runtime)
		}
		if l.Stream != "" && (l.Kind != "supervisor" || l.Stream != "stdout" && l.Stream != "stderr") {
			v.at(p+".stream", "stdout or stderr, for kind supervisor only (not %q)", l.Stream)
		}
		if l.Previous && l.Kind != "pod" {
			v.at(p+".previous", "only for kind pod")
		}
		if !slices.Contains(LogFormats, l.Format) {
			v.at(p+".format", "must be one of %s, not %q", strings.Join(LogFormats[1:], ", "), l.Format)
		}
		if l.Lines < -1 || l.Lines > 100_000 {
			v.at(p+".lines", "must be -1 (none) to 100000, not %d", l.Lines)
		}
		if l.Buffer < 0 || l.Buffer > 10_000_000 {
			v.at(p+".buffer", "must be 0 (default) to 10000000 lines, not %d", l.Buffer)
		}
		v.level(p+".error_rate", l.ErrorRate, 0)
	}
}
