package ssh

import (
	"path"
	"slices"
	"strings"
)

// The allowlist of probe commands: the argv shapes the checks run to look at a host, and
// nothing else. A read-only pool (watch, --read-only) runs only these; every probe runs under a
// remote `timeout -s KILL`. Shapes are strict on purpose: options that write, delete, execute or
// reconfigure (find -delete/-exec, ntpq -c, journalctl --vacuum-*, supervisorctl restart,
// docker/crictl anything but ps/inspect/logs/exec-of-a-probe) are not in them.
//
// Sources: checks/hosts (hosts.go, more.go), checks/adns (processes.go), and the NTP,
// certificate, IP and container probes (chronyc, ntpq, cat of PEM files, ip -o addr,
// supervisorctl status, crictl/docker ps|inspect|exec), plus the log streams of site/tail
// (tail -F, supervisorctl tail -f, journalctl, through docker/crictl exec).
var probes = map[string]func(args []string) bool{
	"true":     none,
	"nproc":    none,
	"uptime":   none,
	"hostname": none,
	"cat":      func(a []string) bool { return operands(a, "", nil, nil, 1) },
	"head":     func(a []string) bool { return operands(a, "", nil, []string{"-n", "-c"}, 1) },
	"tail": func(a []string) bool {
		return operands(a, "Ffq", []string{"--follow=name", "--retry"}, []string{"-n", "-c"}, 1)
	},
	"df": func(a []string) bool { return operands(a, "PklTh", nil, nil, 0) },
	"du": func(a []string) bool { return operands(a, "skxh", nil, nil, 1) },
	"ss": func(a []string) bool { return operands(a, "ltnuHpax46", nil, nil, 0) && !hasOperand(a) },
	"ip": ipShow,
	"systemctl": func(a []string) bool {
		return sub(a, "q", []string{"--no-pager", "--quiet"}, nil, "is-active", "is-enabled", "is-failed", "status", "show")
	},
	"journalctl": func(a []string) bool {
		rest, ok := options(a, "fqr", []string{"--no-pager", "--follow", "--quiet", "--utc", "--no-hostname"},
			[]string{"-u", "-n", "-o", "-S", "-U", "--unit", "--lines", "--output", "--since", "--until", "-p", "--priority"})
		return ok && len(rest) == 0
	},
	"supervisorctl": supervisorRead,
	"chronyc": func(a []string) bool {
		rest, ok := options(a, "nc", nil, nil)
		return ok && len(rest) >= 1 && slices.Contains([]string{"sources", "sourcestats", "tracking", "activity"}, rest[0]) &&
			(len(rest) == 1 || len(rest) == 2 && rest[1] == "-v")
	},
	"ntpq": func(a []string) bool {
		rest, ok := options(a, "pn", nil, nil) // never -c: ntpq's :config changes the daemon
		return ok && len(rest) == 0 && len(a) > 0
	},
	"find":    findRead,
	"etcdctl": etcdctlRead,
	"crontab": crontabList,
	"ps":      psRead,
}

func init() { // exec of a probe refers back to the table
	probes["docker"] = func(a []string) bool { return containerRead(a, "docker") }
	probes["crictl"] = func(a []string) bool { return containerRead(a, "crictl") }
}

// IsProbe tells whether argv is one of the allowlisted probe shapes.
func IsProbe(argv []string) bool {
	if len(argv) == 0 {
		return false
	}
	prog := argv[0]
	if strings.HasPrefix(prog, "-") || prog != path.Base(prog) && !strings.HasPrefix(prog, "/") {
		return false // a program is a bare name or an absolute path
	}
	check, ok := probes[path.Base(prog)]
	return ok && check(argv[1:])
}

func none(a []string) bool { return len(a) == 0 }

// options consumes leading options: grouped single-letter flags from letters, the long flags
// of bare, and the options of valued with their value (next word, or --opt=value). It stops at
// the first operand or after "--". ok is false at any other option.
func options(a []string, letters string, bare, valued []string) (rest []string, ok bool) {
	for i := 0; i < len(a); i++ {
		w := a[i]
		switch {
		case w == "--":
			return a[i+1:], true
		case !strings.HasPrefix(w, "-") || w == "-":
			return a[i:], true
		case slices.Contains(bare, w):
		case slices.Contains(valued, w):
			if i+1 >= len(a) {
				return nil, false
			}
			i++
		case strings.HasPrefix(w, "--") && strings.Contains(w, "=") && slices.Contains(valued, w[:strings.Index(w, "=")]):
		case !strings.HasPrefix(w, "--") && letters != "" && strings.Trim(w[1:], letters) == "":
		default:
			return nil, false
		}
	}
	return nil, true
}

// operands accepts options then at least min operands, none of which looks like an option.
func operands(a []string, letters string, bare, valued []string, min int) bool {
	rest, ok := options(a, letters, bare, valued)
	if !ok || len(rest) < min {
		return false
	}
	for _, o := range rest {
		if o == "" || strings.HasPrefix(o, "-") {
			return false
		}
	}
	return true
}

func hasOperand(a []string) bool {
	rest, _ := options(a, "ltnuHpax46", nil, nil)
	return len(rest) > 0
}

// sub accepts options, one of the subcommands, then operands (names) only.
func sub(a []string, letters string, bare, valued []string, subs ...string) bool {
	rest, ok := options(a, letters, bare, valued)
	if !ok || len(rest) == 0 || !slices.Contains(subs, rest[0]) {
		return false
	}
	return operands(rest[1:], letters, bare, valued, 0)
}

// supervisorRead: supervisorctl status [NAME…] | tail [-f] [-N] PROGRAM [stdout|stderr] (the log
// streams of site/tail). Never -c (another config) or -s (another server).
func supervisorRead(a []string) bool {
	if len(a) == 0 {
		return false
	}
	switch a[0] {
	case "status":
		return operands(a[1:], "", nil, nil, 0)
	case "tail":
		rest := a[1:]
		for len(rest) > 0 && strings.HasPrefix(rest[0], "-") && (rest[0] == "-f" || strings.Trim(rest[0][1:], "0123456789") == "" && len(rest[0]) > 1) {
			rest = rest[1:]
		}
		return len(rest) >= 1 && len(rest) <= 2 && rest[0] != "" && !strings.HasPrefix(rest[0], "-") &&
			(len(rest) == 1 || rest[1] == "stdout" || rest[1] == "stderr")
	}
	return false
}

// ipShow: ip [-o -4 -6 -br] addr|link|route [show [dev NAME]].
func ipShow(a []string) bool {
	rest, ok := options(a, "o46", []string{"-br", "-brief", "-oneline"}, nil)
	if !ok || len(rest) == 0 || !slices.Contains([]string{"a", "addr", "address", "link", "r", "route"}, rest[0]) {
		return false
	}
	rest = rest[1:]
	if len(rest) > 0 && (rest[0] == "show" || rest[0] == "list") {
		rest = rest[1:]
	}
	return len(rest) == 0 || len(rest) == 2 && rest[0] == "dev" && !strings.HasPrefix(rest[1], "-")
}

// findRead: find PATH... then only predicates that read (never -delete, -exec, -fprintf …).
func findRead(a []string) bool {
	i := 0
	for i < len(a) && a[i] != "" && !strings.HasPrefix(a[i], "-") && a[i] != "(" && a[i] != "!" {
		i++
	}
	if i == 0 {
		return false
	}
	valued := []string{"-maxdepth", "-mindepth", "-name", "-iname", "-type", "-printf", "-mtime", "-mmin", "-size", "-newer", "-path"}
	for ; i < len(a); i++ {
		switch {
		case a[i] == "-print" || a[i] == "-xdev":
		case slices.Contains(valued, a[i]) && i+1 < len(a):
			i++
		default:
			return false
		}
	}
	return true
}

// etcdctlRead: etcdctl [connection options] endpoint health|status | member list | version.
func etcdctlRead(a []string) bool {
	rest, ok := options(a, "", []string{"--cluster", "--insecure-skip-tls-verify"},
		[]string{"--endpoints", "--cacert", "--cert", "--key", "--command-timeout", "--dial-timeout", "-w", "--write-out"})
	if !ok {
		return false
	}
	// --cluster and -w may follow the command too.
	cmd := strings.Join(nonOptions(rest), " ")
	return slices.Contains([]string{"endpoint health", "endpoint status", "member list", "alarm list", "version"}, cmd) &&
		trailingOK(rest)
}

func nonOptions(a []string) []string {
	var out []string
	for i := 0; i < len(a); i++ {
		switch w := a[i]; {
		case w == "-w" || w == "--write-out":
			i++ // its value
		case !strings.HasPrefix(w, "-"):
			out = append(out, w)
		}
	}
	return out
}

func trailingOK(a []string) bool {
	for i := 0; i < len(a); i++ {
		switch w := a[i]; {
		case !strings.HasPrefix(w, "-"):
		case w == "--cluster":
		case w == "-w" || w == "--write-out":
			if i+1 >= len(a) {
				return false
			}
			i++
			if a[i] != "" && !strings.HasPrefix(a[i], "-") && !slices.Contains([]string{"simple", "table", "json", "fields"}, a[i]) {
				return false
			}
		case strings.HasPrefix(w, "--write-out="):
		default:
			return false
		}
	}
	return true
}

// containerRead: docker|crictl ps|inspect|logs with read options, or exec CONTAINER PROBE.
func containerRead(a []string, rt string) bool {
	if len(a) == 0 {
		return false
	}
	args := a[1:]
	switch a[0] {
	case "ps":
		rest, ok := options(args, "aq", []string{"--all", "--no-trunc", "--quiet"}, []string{"--format", "-o", "--output", "--name", "--filter", "-f", "--state"})
		return ok && len(rest) == 0
	case "inspect":
		return operands(args, "", nil, []string{"--format", "-f", "-o", "--output", "--type"}, 1)
	case "logs":
		return operands(args, "ft", []string{"--follow", "--timestamps"}, []string{"--tail", "--since", "-n"}, 1)
	case "exec":
		letters := "" // no -i/-t/-u/-e/-w: a probe needs none of them
		if rt == "crictl" {
			letters = "s" // crictl exec -s: synchronous
		}
		rest, ok := options(args, letters, nil, nil)
		if !ok || len(rest) < 2 || strings.HasPrefix(rest[0], "-") || rest[0] == "" {
			return false
		}
		return IsProbe(rest[1:])
	}
	return false
}

// crontabList: crontab -l [-u USER] (the etcd backup entry, §5.2). Never -e, -r or a file.
func crontabList(a []string) bool {
	switch len(a) {
	case 1:
		return a[0] == "-l"
	case 3:
		return a[0] == "-l" && a[1] == "-u" && a[2] != "" && !strings.HasPrefix(a[2], "-")
	}
	return false
}

// psRead: ps with the standard options that select processes and columns, no operands (BSD
// forms such as `ps aux` are refused: strictness, not danger). Used for component resources.
func psRead(a []string) bool {
	rest, ok := options(a, "eAww", []string{"--no-headers"}, []string{"-C", "-o", "-p", "--pid", "--format"})
	return ok && len(rest) == 0 && len(a) > 0
}
