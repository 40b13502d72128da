package actions

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"opsdeck/config"
	"opsdeck/site/ssh"
)

type fakeAPI struct{ body string }

func (a fakeAPI) Do(context.Context, APICall) ([]byte, int, error) { return []byte(a.body), 200, nil }

// An API step keeps status code, kind, name, uid and resourceVersion — never the object, whose
// annotations (last-applied-configuration) can carry secrets.
func TestAPIStepRecordsIdentityOnly(t *testing.T) {
	h := &fakeHost{kubelet: "active"}
	x, path := newExec(t, h, ReadWrite)
	x.gate.Access = func(context.Context, APICall) (bool, string, error) { return true, "", nil }
	x.api = fakeAPI{body: `{"kind":"Node","metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"env\":{\"DB_PASSWORD\":\"hunter2\"}}"},"name":"node3","uid":"u-1","resourceVersion":"42"},"spec":{"unschedulable":true}}`}
	p := &Plan{Action: "kube.cordon", Target: "node3", Steps: []Step{{API: &APICall{Cluster: "c", Verb: "patch", Version: "v1", Resource: "nodes", Name: "node3", PatchType: "merge", Body: `{"spec":{"unschedulable":true}}`}}}}
	out, err := x.Run(context.Background(), Request{Plan: p, Typed: "yes"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "hunter2") || strings.Contains(string(b), "last-applied") || strings.Contains(out.Steps[0].Excerpt, "hunter2") {
		t.Fatalf("the object body reached the audit log or the outcome:\n%s", b)
	}
	o := out.Steps[0].Object
	if o == nil || *o != (ObjectRef{Kind: "Node", Name: "node3", UID: "u-1", ResourceVersion: "42"}) || out.Steps[0].Excerpt != "HTTP 200 Node node3 uid u-1 resourceVersion 42" {
		t.Fatalf("%+v %q", o, out.Steps[0].Excerpt)
	}
}

// A write that fails half-way (a full disk) is cut back: the next record is readable, and an
// action whose "started" record cannot be written does not run.
func TestFailedWriteLeavesNoTornLine(t *testing.T) {
	h := &fakeHost{kubelet: "inactive"}
	x, path := newExec(t, h, ReadWrite)
	x.audit.Append(Record{ID: "first", Phase: "refused"})
	x.audit.write = func(f *os.File, b []byte) (int, error) {
		n, _ := f.Write(b[:len(b)/2])
		return n, syscall.ENOSPC
	}
	_, err := x.Run(context.Background(), Request{Plan: startPlan(), Typed: "yes"}, nil)
	if err == nil || !strings.Contains(err.Error(), "not run") || !errors.Is(err, syscall.ENOSPC) || len(h.ran) != 0 {
		t.Fatalf("%v ran=%v", err, h.ran)
	}
	x.audit.write = nil
	if err := x.audit.Append(Record{ID: "after", Phase: "refused"}); err != nil {
		t.Fatal(err)
	}
	rs := records(t, path) // fails on any unreadable line
	if len(rs) != 2 || rs[0].ID != "first" || rs[1].ID != "after" {
		t.Fatalf("%+v", rs)
	}
}

// A torn line left by a crashed process does not swallow the next record.
func TestRecordAfterACrashTornLineIsReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	log, _ := OpenAudit(path)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"id":"crashed","pha`)
	f.Close()
	if err := log.Append(Record{ID: "next", Phase: "started"}); err != nil {
		t.Fatal(err)
	}
	rs, problems, err := ReadAudit(path, Filter{})
	if err != nil || len(rs) != 1 || rs[0].ID != "next" || len(problems) != 1 {
		t.Fatalf("%+v %v %v", rs, problems, err)
	}
}

func TestLockWaitIsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	log, _ := OpenAudit(path)
	log.LockWait = 50 * time.Millisecond
	f, _ := os.Open(path)
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	err := log.Append(Record{ID: "x"})
	if err == nil || !strings.Contains(err.Error(), "another process has held its lock for 50ms") {
		t.Fatalf("%v", err)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if err := log.Append(Record{ID: "x"}); err != nil {
		t.Fatal(err)
	}
}

// SIGINT/SIGTERM cancel the context: the run stops, and "finished" says it was interrupted and
// which steps ran, were cut short and never started.
func TestInterruptedRunIsRecorded(t *testing.T) {
	h := &fakeHost{kubelet: "active"}
	x, path := newExec(t, h, ReadWrite)
	ctx, cancel := context.WithCancelCause(context.Background())
	h.onRun = func(cmd string) {
		if cmd == "b" {
			cancel(errors.New("interrupted by SIGTERM"))
		}
	}
	mk := func(cmd string) Step { return Step{SSH: &Command{Host: config.Host{Name: "n"}, Argv: []string{cmd}}} }
	p := &Plan{Action: "x", Target: "n", Steps: []Step{mk("a"), mk("b"), mk("c")}, Verify: &Verify{Check: "host.kubelet", Target: "n", Within: time.Second}}
	out, err := x.Run(ctx, Request{Plan: p, Typed: "yes"}, nil)
	want := "interrupted by SIGTERM: steps that ran: 1, 2; cut short: none; not run: 3"
	if err == nil || err.Error() != want || out.Result != "interrupted" || out.Verify != nil || fmt.Sprint(h.ran) != "[a b]" {
		t.Fatalf("%v %+v ran=%v", err, out, h.ran)
	}
	rs := records(t, path)
	if len(rs) != 2 || rs[1].Phase != "finished" || rs[1].Outcome != "interrupted" || rs[1].Error != want || rs[1].Steps[2].Status != "not-run" {
		t.Fatalf("%+v", rs)
	}
}

type blockingHost struct{ started chan struct{} }

func (b blockingHost) Run(ctx context.Context, _ config.Host, argv ...string) (ssh.Result, error) {
	close(b.started)
	<-ctx.Done()
	return ssh.Result{ExitCode: -1}, ctx.Err()
}

func TestStepCutShortIsInterrupted(t *testing.T) {
	x, path := newExec(t, &fakeHost{}, ReadWrite)
	b := blockingHost{started: make(chan struct{})}
	x.ssh = b
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() { <-b.started; cancel(errors.New("interrupted by SIGINT")) }()
	p := &Plan{Action: "x", Target: "n", Steps: []Step{{SSH: &Command{Host: config.Host{Name: "n"}, Argv: []string{"sleep", "60"}}}}}
	_, err := x.Run(ctx, Request{Plan: p, Typed: "yes"}, nil)
	if err == nil || err.Error() != "interrupted by SIGINT: steps that ran: none; cut short: 1; not run: none" {
		t.Fatalf("%v", err)
	}
	if rs := records(t, path); rs[1].Steps[0].Status != "interrupted" {
		t.Fatalf("%+v", rs[1])
	}
}

func TestOperatorIsTheProcessIdentity(t *testing.T) {
	env := map[string]string{"USER": "root", "SUDO_USER": "alice", "SSH_CONNECTION": "10.0.0.9 51000 10.0.0.1 22"}
	lookup := func(uid string) (*user.User, error) {
		if uid == "1000" {
			return &user.User{Username: "ops"}, nil
		}
		return nil, user.UnknownUserIdError(0)
	}
	o := operatorFrom(1000, func(k string) string { return env[k] }, lookup)
	if o.User != "ops" || o.UID != "1000" || o.SudoUser != "alice" || o.SSHClient != "10.0.0.9" {
		t.Fatalf("%+v", o)
	}
	if o := operatorFrom(4242, func(k string) string { return env[k] }, lookup); o.User != "uid 4242" {
		t.Fatalf("$USER must not name an unknown uid: %+v", o)
	}
}
