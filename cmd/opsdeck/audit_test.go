package main

import (
	"strings"
	"testing"
	"time"

	"opsdeck/actions"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"24h":                  now.Add(-24 * time.Hour),
		"7d":                   now.Add(-7 * 24 * time.Hour),
		"2026-11-25T10:00:00Z": time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
	} {
		got, err := parseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if _, err := parseSince("yesterday", now); err == nil {
		t.Error("yesterday is not a duration or a date")
	}
}

func TestAuditFilters(t *testing.T) {
	before := len(demoAudit(t))
	run(t, "action", "run", "--demo", "host.start-kubelet", "node3", "--yes-i-typed", "yes")
	out, _, code := run(t, "audit", "--demo", "--since", "1h", "--action", "host.start-kubelet", "--target", "node3")
	if code != 0 || len(demoAudit(t)) < before+2 || !strings.Contains(out, "host.start-kubelet") || !strings.Contains(out, "succeeded") {
		t.Fatalf("%d\n%s", code, out)
	}
	out, _, _ = run(t, "audit", "--demo", "--target", "no-such-host")
	if strings.Contains(out, "host.start-kubelet") {
		t.Fatalf("target filter:\n%s", out)
	}
}

// A record whose texts carry escape sequences (a hostile pod reason, an edited log) prints inert.
func TestAuditPrinterIsTerminalSafe(t *testing.T) {
	r := actions.Record{ID: "x", Phase: "finished", Action: "kube.delete-pod", Target: "ns/p\x1b]52;c;aGk=\x07",
		Outcome: "failed", Error: "boom\r OK \x1b[32m", Operator: actions.Operator{User: "ops", Host: "bastion", SudoUser: "alice\x1b[2J", SSHClient: "10.0.0.9"},
		Steps: []actions.StepResult{{Step: "s", Excerpt: "\x1bP+q\x1b\\"}}}
	for _, output := range []string{"table", "json"} {
		var b strings.Builder
		if err := printAudit(&b, []actions.Record{r}, output); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(b.String(), "\x1b\x07\r") || strings.Contains(b.String(), `\u001b`) {
			t.Fatalf("%s output carries control bytes:\n%q", output, b.String())
		}
	}
	if got := operatorCell(r.Safe().Operator); got != "ops@bastion (sudo:alice␛[2J, from 10.0.0.9)" {
		t.Fatalf("the process identity first, the claims beside it: %q", got)
	}
}
