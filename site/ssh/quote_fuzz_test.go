package ssh

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"
)

// runSh has the real /bin/sh (what sshd hands the command to) print each argument it received
// NUL-terminated; the result must be exactly argv: no word split, expanded or executed.
func runSh(t *testing.T, argv []string) []string {
	t.Helper()
	line := Quote(append([]string{"printf", "%s\\0"}, argv...)...)
	out, err := exec.Command("/bin/sh", "-c", line).Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", line, err)
	}
	got := strings.Split(string(out), "\x00")
	return got[:len(got)-1]
}

func FuzzQuoteNoEscape(f *testing.F) {
	for _, s := range []string{"", "a b", "it's", "$(touch /tmp/pwned)", "`id`", "a;b|c&d", "\\", "'\"'", "*?[x]", "~root", "--", "-n", "a\nb", "$HOME", "%s", "{a,b}", "!x"} {
		f.Add(s, "x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.ContainsRune(a+b, 0) || !utf8.ValidString(a+b) {
			t.Skip() // NUL cannot be passed in argv at all
		}
		argv := []string{a, b}
		got := runSh(t, argv)
		if len(got) != 2 || got[0] != a || got[1] != b {
			t.Fatalf("Quote(%q) → sh saw %q", argv, got)
		}
	})
}

func TestQuoteSurvivesRealShell(t *testing.T) {
	argv := []string{"a b", "it's", "$(id)", "`id`", ";reboot", "*", "", "\"q\"", "\\n", "x\ny"}
	got := runSh(t, argv)
	if !bytes.Equal([]byte(strings.Join(got, "|")), []byte(strings.Join(argv, "|"))) {
		t.Fatalf("%q", got)
	}
}
