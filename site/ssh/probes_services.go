package ssh

import (
	"net/url"
	"slices"
	"strings"
)

// The probe shapes of the platform service checks (checks/services: Yunyou, IAM, OpenAPI, MySQL,
// YUM), kept apart from probes.go. All of them only read:
//   - docker top CONTAINER (is java running in apyunqing, §4.3);
//   - curl [-s -S -f, timeouts] URL, for exactly two kinds of URL: the IAM/OpenAPI health page
//     http://localhost:9500/checkService (§7.3) and a YUM repository's …/repodata/repomd.xml
//     (§9.3). Never -o, -d, -X, -T, -K or a second URL: nothing is written or sent;
//   - mysql [connection options] -e 'SHOW SLAVE STATUS\G' (or SHOW REPLICA STATUS\G, §5.8.1):
//     that one statement, no database operand, no --execute of anything else, no -p (a
//     password on the command line; the login user's ~/.my.cnf supplies it).
func init() {
	for _, p := range []string{"curl", "mysql"} {
		if _, dup := probes[p]; dup {
			panic("ssh: probe " + p + " declared twice") // probes.go took it: merge the shapes
		}
	}
	probes["curl"] = curlRead
	probes["mysql"] = mysqlSlaveStatus
	// Call containerRead itself, not the entry we replace: the order of init functions across
	// files must not matter.
	probes["docker"] = func(a []string) bool { return containerRead(a, "docker") || dockerTop(a) }
}

// dockerTop: docker top NAME, with no ps options.
func dockerTop(a []string) bool {
	return len(a) == 2 && a[0] == "top" && a[1] != "" && !strings.HasPrefix(a[1], "-")
}

// CheckServiceURL is the health page inside the IAM and OpenAPI containers (§7.3, §8.2).
const CheckServiceURL = "http://localhost:9500/checkService"

func curlRead(a []string) bool {
	rest, ok := options(a, "sSf", []string{"--silent", "--show-error", "--fail"}, []string{"-m", "--max-time", "--connect-timeout"})
	if !ok || len(rest) != 1 {
		return false
	}
	if rest[0] == CheckServiceURL || rest[0] == "http://127.0.0.1:9500/checkService" {
		return true
	}
	return IsRepomdURL(rest[0])
}

// IsRepomdURL tells whether u is a YUM repository's metadata index: http(s), a host, no user
// info, query or fragment, and a path ending in /repodata/repomd.xml.
func IsRepomdURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != "" && p.User == nil &&
		p.RawQuery == "" && p.Fragment == "" && !strings.HasPrefix(u, "-") &&
		strings.HasSuffix(p.Path, "/repodata/repomd.xml") && !strings.Contains(p.Path, "/../")
}

// SlaveStatusStatements are the statements mysql may run: replication status, nothing else.
var SlaveStatusStatements = []string{`SHOW SLAVE STATUS\G`, `SHOW REPLICA STATUS\G`}

func mysqlSlaveStatus(a []string) bool {
	valued := []string{"-h", "--host", "-P", "--port", "-S", "--socket", "-u", "--user", "--connect-timeout", "--protocol"}
	stmts := 0
	for i := 0; i < len(a); i++ {
		w := a[i]
		name, val, hasEq := strings.Cut(w, "=")
		switch {
		case w == "-e" || w == "--execute":
			if i+1 >= len(a) || !slices.Contains(SlaveStatusStatements, a[i+1]) {
				return false
			}
			stmts++
			i++
		case hasEq && strings.HasPrefix(w, "--") && slices.Contains(valued, name):
			if val == "" || strings.HasPrefix(val, "-") {
				return false
			}
		case slices.Contains(valued, w):
			if i+1 >= len(a) || a[i+1] == "" || strings.HasPrefix(a[i+1], "-") {
				return false
			}
			i++
		default:
			return false // -p, --password, -D, a database, --init-command, another statement …
		}
	}
	return stmts == 1
}
