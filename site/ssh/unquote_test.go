package ssh

import (
	"slices"
	"testing"
)

func TestUnquoteReadsQuoteBack(t *testing.T) {
	for _, argv := range [][]string{
		{"uptime"},
		{"df", "-P", "-l", "-k"},
		{"cat", "/proc/loadavg", "it's", "", "a b", "x\ny", "$(rm -rf /)", "'", "''", `\`},
		{"journalctl", "-u", "kubelet", "-n", "50", "--no-pager"},
	} {
		got, err := Unquote(Quote(argv...))
		if err != nil || !slices.Equal(got, argv) {
			t.Errorf("Unquote(Quote(%q)) = %q, %v", argv, got, err)
		}
	}
}

func TestUnquoteRejectsShellSyntax(t *testing.T) {
	for _, line := range []string{"uptime; rm -rf /", "cat $HOME/x", `echo "x"`, "ls *", "a | b", "a\nb", "'open", "a && b", "`id`"} {
		if argv, err := Unquote(line); err == nil {
			t.Errorf("Unquote(%q) = %q, want an error", line, argv)
		}
	}
}

func TestProbeArgvStripsTheRemoteTimeout(t *testing.T) {
	for line, want := range map[string]bool{
		"timeout -s KILL 4 uptime":                   true,
		"uptime":                                     true,
		"timeout -s KILL 4 df -P -l":                 true,
		"tail -F -n 0 /var/log/messages":             true,
		"timeout -s KILL 4 systemctl start kubelet":  false,
		"systemctl restart kubelet":                  false,
		"timeout -s KILL x uptime":                   false,
		"timeout -s KILL 4 timeout -s KILL 4 uptime": false,
	} {
		if _, got, err := ProbeArgv(line); err != nil || got != want {
			t.Errorf("ProbeArgv(%q) = %v, %v; want %v", line, got, err, want)
		}
	}
}

func FuzzUnquoteQuote(f *testing.F) {
	f.Add("a", "b c", "it's")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		argv := []string{a, b, c}
		got, err := Unquote(Quote(argv...))
		if err != nil || !slices.Equal(got, argv) {
			t.Fatalf("Unquote(Quote(%q)) = %q, %v", argv, got, err)
		}
	})
}
