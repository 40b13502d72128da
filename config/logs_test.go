package config

import (
	"errors"
	"strings"
	"testing"
)

// The logs block: every mistake is reported at its line and column.
func TestLogsBlockErrorsHaveLineCol(t *testing.T) {
	base := strings.SplitN(string(Example), "\nlogs:\n", 2)
	if len(base) != 2 {
		t.Fatal("the example has no logs block")
	}
	rest := base[1][strings.Index(base[1], "\n\n"):] // the example after its logs block
	head := base[0] + "\nlogs:\n"
	start := strings.Count(head, "\n") + 1 // line of the first entry below
	src := head +
		"  - {name: a, host: nohost, path: /var/log/x.log}\n" +
		"  - {name: a, kind: pod, path: kube-system, cluster: nocluster}\n" +
		"  - {name: b, kind: supervisor, path: 'keep alived', stream: err}\n" +
		"  - {name: c, path: '/var/log/*.log', format: json, lines: -5}\n" +
		"  - {name: d, path: /x, runtime: podman}\n" +
		"  - {name: e, host: ops1, roles: [node], path: /x}\n" +
		rest
	_, err := Parse("site.yaml", []byte(src))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want problems, got %v", err)
	}
	line := func(n int) string { return "site.yaml:" + itoa(start+n) + ":" }
	want := []string{
		line(0) + `21: logs[0].host: "nohost" is not a host`,
		line(1) + `12: logs[1].name: log "a" is listed twice`,
		line(1) + `32: logs[1].path: "kube-system" must be namespace/pod`,
		line(1) + `54: logs[1].cluster: "nocluster" is not a cluster`,
		line(2) + `39: logs[2].path: "keep alived" must be a supervisord program name`,
		line(2) + `62: logs[2].stream: stdout or stderr`,
		line(3) + `21: logs[3].path: "/var/log/*.log" must be a file path`,
		line(3) + `47: logs[3].format: must be one of auto, log4j`,
		line(3) + `60: logs[3].lines: must be -1`,
		line(4) + `34: logs[4].runtime: must be docker or crictl`,
		line(4) + `5: logs[4].container: required with runtime podman`,
		line(5) + `34: logs[5].roles: roles picks the hosts`,
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q", w)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", got)
	}
}

func itoa(n int) string {
	s := ""
	for n >= 10 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return string(rune('0'+n)) + s
}
