package ssh

import "testing"

func TestQuote(t *testing.T) {
	cases := map[string][]string{
		"systemctl is-active kubelet":     {"systemctl", "is-active", "kubelet"},
		`echo 'a b' '' 'it'\''s' '$(id)'`: {"echo", "a b", "", "it's", "$(id)"},
	}
	for want, argv := range cases {
		if got := Quote(argv...); got != want {
			t.Errorf("Quote(%q) = %s, want %s", argv, got, want)
		}
	}
}
