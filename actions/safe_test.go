package actions

import (
	"context"
	"os"
	"strings"
	"testing"

	"opsdeck/config"
)

// Command output that carries escape sequences reaches the outcome and the audit log inert.
func TestStepOutputIsTerminalSafe(t *testing.T) {
	h := &fakeHost{kubelet: "active", failNext: map[string]bool{"b": true}}
	x, path := newExec(t, h, ReadWrite)
	h.onRun = func(string) {}
	p := &Plan{Action: "x", Target: "n", Steps: []Step{{SSH: &Command{Host: config.Host{Name: "n"}, Argv: []string{"b"}},
		Diagnose: &Command{Host: config.Host{Name: "n"}, Argv: []string{"echo", "\x1b]52;c;aGk=\x07"}}}}}
	out, _ := x.Run(context.Background(), Request{Plan: p, Typed: "yes"}, nil)
	b, _ := os.ReadFile(path)
	all := out.Steps[0].Excerpt + out.Steps[0].Diagnosis + out.Steps[0].Error + string(b)
	if strings.ContainsAny(all, "\x1b\x07") || strings.Contains(string(b), `\u001b`) {
		t.Fatalf("unsafe text kept: %+v\n%s", out.Steps[0], b)
	}
	if !strings.Contains(out.Steps[0].Diagnosis, "␛]52") {
		t.Fatalf("the control is made visible, not dropped: %q", out.Steps[0].Diagnosis)
	}
}
