package sim

import (
	"slices"
	"testing"

	"opsdeck/site/ssh"
)

// What site/ssh quotes, the simulated shell splits back into the same argv.
func TestQuoteRoundTrip(t *testing.T) {
	for _, argv := range [][]string{
		{"systemctl", "is-active", "kubelet"},
		{"cat", "/proc/uptime"},
		{"echo", "it's", "a b", "", "$(rm -rf /)", "a;b", `back\slash`, "*"},
	} {
		got, err := splitShell(ssh.Quote(argv...))
		if err != nil || !slices.Equal(got, argv) {
			t.Errorf("%q → %q → %q (%v)", argv, ssh.Quote(argv...), got, err)
		}
	}
}

func TestShellSyntaxIsRefused(t *testing.T) {
	for _, s := range []string{"true; reboot", "cat /proc/uptime | head", "echo $(id)"} {
		if _, err := splitShell(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
