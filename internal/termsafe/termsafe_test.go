package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for in, want := range map[string]string{
		"disk 91 %":                     "disk 91 %",
		"boom\r OK \x1b[32mfine\x1b[0m": "boom␍ OK ␛[32mfine␛[0m",
		"a\nb\tc":                       "a ⏎ b c",
		"\x1bP+q\x1b\\":                 "␛P+q␛\\",      // DCS (tmux passthrough, terminal queries)
		"\x1b]52;c;aGk=\x07":            "␛]52;c;aGk=␇", // OSC 52 clipboard write
		"\u009b31m":                     "<U+009B>31m",  // C1 CSI
		"x\x9by":                        `x\x9by`,       // raw 8-bit CSI (invalid UTF-8)
		"del\x7f":                       "del␡",
		"évil\u202efdp.exe":             "évil<U+202E>fdp.exe",
		"nœud-3 ✓":                      "nœud-3 ✓",
	} {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"line1\nline2\tx":  "line1\nline2\tx",
		"crlf\r\nnext":     "crlf\nnext",
		"bar 50%\rbar 60%": "bar 50%␍bar 60%",
		"\x1b[2J\x1b[H":    "␛[2J␛[H",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

// No input puts an ESC byte (or any other control that a terminal acts on) on the terminal.
func FuzzNoEscapeReachesTheTerminal(f *testing.F) {
	for _, s := range []string{"", "ok", "boom\r OK \x1b[32m", "\x1b]52;c;aGk=\x07", "\u009b", "\xc2\x9b", "\x9b", "a\r\nb", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, out := range map[string]string{"Line": Line(s), "Text": Text(s)} {
			if strings.IndexByte(out, 0x1b) >= 0 || strings.IndexByte(out, 0x9b) >= 0 && !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q carries ESC", name, s, out)
			}
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q is not valid UTF-8", name, s, out)
			}
			for _, r := range out {
				if r < 0x20 && !(name == "Text" && (r == '\n' || r == '\t')) || r >= 0x7f && r <= 0x9f || bidi(r) {
					t.Fatalf("%s(%q) = %q carries control %U", name, s, out, r)
				}
			}
			if name == "Line" && strings.ContainsAny(out, "\n\r") {
				t.Fatalf("Line(%q) = %q is not one line", s, out)
			}
		}
		if Line(Line(s)) != Line(s) || Text(Text(s)) != Text(s) {
			t.Fatalf("not idempotent on %q", s)
		}
	})
}
