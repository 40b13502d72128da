package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"opsdeck/checks"
	"opsdeck/config"
	"opsdeck/site/ssh"
)

// fakeHost is a host whose kubelet state changes with the commands it receives.
type fakeHost struct {
	mu       sync.Mutex
	kubelet  string
	ran      []string
	failNext map[string]bool
	onRun    func(cmd string)
}

func (f *fakeHost) Run(_ context.Context, _ config.Host, argv ...string) (ssh.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cmd := strings.Join(argv, " ")
	if f.onRun != nil {
		f.onRun(cmd)
	}
	res := ssh.Result{Command: cmd}
	switch {
	case f.failNext[cmd]:
		delete(f.failNext, cmd)
		res.ExitCode = 1
		res.Stderr = []byte("Job failed")
	case cmd == "systemctl is-active kubelet":
		res.Stdout = []byte(f.kubelet + "\n")
		if f.kubelet != "active" {
			res.ExitCode = 3
		}
	case strings.HasPrefix(cmd, "systemctl start"):
		f.ran = append(f.ran, cmd)
		f.kubelet = "active"
	default:
		f.ran = append(f.ran, cmd)
	}
	return res, nil
}

func (f *fakeHost) verifier(ctx context.Context, check, target string) (checks.Finding, error) {
	res, _ := f.Run(ctx, config.Host{}, "systemctl", "is-active", "kubelet")
	if res.ExitCode == 0 {
		return checks.Finding{Status: checks.OK, Summary: "kubelet active"}, nil
	}
	return checks.Finding{Status: checks.Crit, Summary: "kubelet " + strings.TrimSpace(string(res.Stdout))}, nil
}

func newExec(t *testing.T, h *fakeHost, mode Mode) (*Executor, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "audit.jsonl")
	log, err := OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	g := gateAt("2026-12-05T14:30:00Z", shanghai)
	g.Mode = mode
	x, err := NewExecutor(mode, ExecutorConfig{Gate: g, Audit: log, SSH: h, Verify: h.verifier, Operator: Operator{User: "ops", Host: "bastion"}, Site: "t"})
	if err != nil {
		return nil, path
	}
	x.VerifyEvery = time.Millisecond
	return x, path
}

func records(t *testing.T, path string) []Record {
	t.Helper()
	rs, problems, err := ReadAudit(path, Filter{})
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	return rs
}

func startPlan() *Plan {
	h := config.Host{Name: "node3"}
	return &Plan{Action: "host.start-kubelet", Target: "node3", Steps: []Step{{
		SSH:  &Command{Host: h, Argv: []string{"systemctl", "start", "kubelet"}},
		Done: &Probe{SSH: &Command{Host: h, Argv: []string{"systemctl", "is-active", "kubelet"}}, Desc: "kubelet is active", Test: func(_ []byte, c int) bool { return c == 0 }},
	}}, Verify: &Verify{Check: "host.kubelet", Target: "node3", Within: time.Second}}
}

func TestReadOnlyHasNoExecutor(t *testing.T) {
	if x, _ := newExec(t, &fakeHost{}, ReadOnly); x != nil {
		t.Fatal("a read-only process must not be able to build an executor")
	}
	if _, err := NewExecutor(ReadWrite, ExecutorConfig{Gate: &Gate{Mode: ReadOnly}, Audit: &AuditLog{}}); !errors.Is(err, ErrReadOnly) {
		t.Fatal("a read-only gate must not get an executor either")
	}
}

func TestRunWritesStartedBeforeFirstStepAndFinishedAfter(t *testing.T) {
	h := &fakeHost{kubelet: "inactive"}
	x, path := newExec(t, h, ReadWrite)
	var seenBeforeStart []Record
	h.onRun = func(cmd string) {
		if cmd == "systemctl start kubelet" {
			rs, _, _ := ReadAudit(path, Filter{})
			seenBeforeStart = rs
		}
	}
	out, err := x.Run(context.Background(), Request{Plan: startPlan(), Typed: "yes"}, nil)
	if err != nil || out.Result != "succeeded" || !out.Verify.OK {
		t.Fatalf("%v %+v", err, out)
	}
	if len(seenBeforeStart) != 1 || seenBeforeStart[0].Phase != "started" || seenBeforeStart[0].Plan[0] != "1. ssh node3: systemctl start kubelet" {
		t.Fatalf("the started record must be on disk when the step runs: %+v", seenBeforeStart)
	}
	rs := records(t, path)
	if len(rs) != 2 || rs[1].Phase != "finished" || rs[1].ID != rs[0].ID || rs[1].Outcome != "succeeded" || rs[1].Steps[0].Status != "ran" {
		t.Fatalf("%+v", rs)
	}
	if rs[0].Operator.User != "ops" || !strings.Contains(rs[0].Window, "CHG-1") || rs[0].Confirmation != "yes" {
		t.Errorf("record lacks who/window/confirmation: %+v", rs[0])
	}
}

func TestWrongConfirmationRunsNothingAndIsRecorded(t *testing.T) {
	h := &fakeHost{kubelet: "inactive"}
	x, path := newExec(t, h, ReadWrite)
	p := startPlan()
	p.Destructive = true
	if _, err := x.Run(context.Background(), Request{Plan: p, Typed: "yes"}, nil); err == nil {
		t.Fatal("a destructive plan confirmed with yes must not run")
	}
	if len(h.ran) != 0 {
		t.Fatalf("ran %v", h.ran)
	}
	if rs := records(t, path); len(rs) != 1 || rs[0].Phase != "cancelled" {
		t.Fatalf("%+v", rs)
	}
}

func TestRefusalIsRecorded(t *testing.T) {
	h := &fakeHost{kubelet: "inactive"}
	x, path := newExec(t, h, ReadWrite)
	x.gate.Now = func() time.Time { return time.Date(2026, 12, 25, 2, 0, 0, 0, time.UTC) } // freeze
	_, err := x.Run(context.Background(), Request{Plan: startPlan(), Typed: "yes"}, nil)
	var re *RefusedError
	if !errors.As(err, &re) || re.Verdict.Rule != "freeze" || len(h.ran) != 0 {
		t.Fatalf("%v ran=%v", err, h.ran)
	}
	if rs := records(t, path); len(rs) != 1 || rs[0].Phase != "refused" || !strings.Contains(rs[0].Verdict, "freeze") {
		t.Fatalf("%+v", rs)
	}
}

func TestFailedStepStopsPlanAndSaysWhichRan(t *testing.T) {
	h := &fakeHost{kubelet: "active", failNext: map[string]bool{"b": true}}
	x, path := newExec(t, h, ReadWrite)
	mk := func(cmd string) Step {
		return Step{SSH: &Command{Host: config.Host{Name: "n"}, Argv: []string{cmd}}}
	}
	p := &Plan{Action: "x", Target: "n", Steps: []Step{mk("a"), mk("b"), mk("c")}}
	out, err := x.Run(context.Background(), Request{Plan: p, Typed: "yes"}, nil)
	if err == nil || out.Result != "failed" {
		t.Fatalf("%v %+v", err, out)
	}
	got := []string{out.Steps[0].Status, out.Steps[1].Status, out.Steps[2].Status}
	if fmt.Sprint(got) != "[ran failed not-run]" || fmt.Sprint(h.ran) != "[a]" {
		t.Fatalf("statuses %v ran %v", got, h.ran)
	}
	rs := records(t, path)
	if rs[1].Outcome != "failed" || !strings.Contains(rs[1].Error, "step 2 failed") {
		t.Fatalf("%+v", rs[1])
	}
}

func TestResumablePlanSkipsWhatIsDone(t *testing.T) {
	h := &fakeHost{kubelet: "active"}
	x, _ := newExec(t, h, ReadWrite)
	out, err := x.Run(context.Background(), Request{Plan: startPlan(), Typed: "yes"}, nil)
	if err != nil || out.Steps[0].Status != "skipped" || len(h.ran) != 0 {
		t.Fatalf("%v %+v ran=%v", err, out, h.ran)
	}
}

func TestVerifyFailureIsAFailure(t *testing.T) {
	h := &fakeHost{kubelet: "inactive"}
	x, _ := newExec(t, h, ReadWrite)
	p := startPlan()
	p.Steps[0].Done = nil
	p.Steps[0].SSH.Argv = []string{"true"} // does nothing: kubelet stays inactive
	p.Verify.Within = 20 * time.Millisecond
	out, err := x.Run(context.Background(), Request{Plan: p, Typed: "yes"}, nil)
	if err == nil || out.Result != "verify-failed" || out.Verify.OK {
		t.Fatalf("%v %+v", err, out)
	}
}

func TestPreconditionBlocksRun(t *testing.T) {
	h := &fakeHost{kubelet: "inactive"}
	x, path := newExec(t, h, ReadWrite)
	p := startPlan()
	p.Preconditions = []Probe{{SSH: &Command{Host: config.Host{Name: "node3"}, Argv: []string{"systemctl", "is-active", "kubelet"}}, Desc: "kubelet is already active", Test: func(_ []byte, c int) bool { return c == 0 }}}
	if _, err := x.Run(context.Background(), Request{Plan: p, Typed: "yes"}, nil); err == nil || len(h.ran) != 0 {
		t.Fatalf("%v ran=%v", err, h.ran)
	}
	if rs := records(t, path); rs[0].Phase != "refused" {
		t.Fatalf("%+v", rs)
	}
}

func TestConcurrentWritersDoNotInterleave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	big := strings.Repeat("x", 64*1024) // larger than a pipe buffer: a torn write would show
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log, _ := OpenAudit(path) // each writer opens the file itself, as two processes would
			for i := range 25 {
				if err := log.Append(Record{ID: fmt.Sprintf("%d-%d", w, i), Phase: "started", Error: big}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 200 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, l := range lines {
		var r Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %d torn: %v", i+1, err)
		}
	}
}

func TestTornLastLineIsReportedNotFatal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	log, _ := OpenAudit(path)
	log.Append(Record{ID: "a", Phase: "started"})
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"id":"b","pha`)
	f.Close()
	rs, problems, err := ReadAudit(path, Filter{})
	if err != nil || len(rs) != 1 || len(problems) != 1 || !strings.Contains(problems[0], "audit.jsonl:2:") {
		t.Fatalf("%v %v %v", rs, problems, err)
	}
}

// The plan's title and notes (where an override reason is written) are in every record.
func TestOverrideReasonIsAudited(t *testing.T) {
	h := &fakeHost{kubelet: "inactive"}
	x, path := newExec(t, h, ReadWrite)
	p := startPlan()
	p.Title = "remove node3 — override: host answers ping but is gone, INC-7"
	p.Notes = []string{"pods of node3 will not be rescheduled"}
	_, _ = x.Run(context.Background(), Request{Plan: p, Typed: "yes", Emergency: "node3 kubelet down, pods pending"}, nil)
	for _, r := range records(t, path) {
		if r.Title != p.Title || len(r.Notes) != 1 || r.Notes[0] != p.Notes[0] {
			t.Fatalf("record %s lacks the plan's title and notes: %+v", r.Phase, r)
		}
	}
}
