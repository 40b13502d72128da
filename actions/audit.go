package actions

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Record is one line of the audit log. An attempt that runs writes two: "started" (fsynced
// before the first step) and "finished"; a refused or cancelled attempt writes one.
type Record struct {
	ID           string        `json:"id"`
	Phase        string        `json:"phase"` // started | finished | refused | cancelled
	Time         time.Time     `json:"time"`
	Operator     Operator      `json:"operator"`
	Mode         string        `json:"mode"`
	Site         string        `json:"site"`
	Action       string        `json:"action"`
	Target       string        `json:"target"`
	Destructive  bool          `json:"destructive"`
	Plan         []string      `json:"plan"`
	Confirmation string        `json:"confirmation,omitempty"`
	Window       string        `json:"window"`
	Emergency    string        `json:"emergency,omitempty"`
	Verdict      string        `json:"verdict"`
	Steps        []StepResult  `json:"steps,omitempty"`
	Verify       *VerifyResult `json:"verify,omitempty"`
	Outcome      string        `json:"outcome,omitempty"` // succeeded | failed | verify-failed
	Error        string        `json:"error,omitempty"`
	DurationMS   int64         `json:"duration_ms,omitempty"`
}

// Operator is who ran opsdeck, and from where. User and UID come from the process (its real
// uid looked up in the user database), which the environment cannot change; SudoUser and
// SSHClient are claims read from the environment, recorded beside the identity, never instead.
type Operator struct {
	User      string `json:"user"`                 // the process's user (uid → name)
	UID       string `json:"uid,omitempty"`        // the process's real uid
	SudoUser  string `json:"sudo_user,omitempty"`  // claim: $SUDO_USER, the person behind sudo
	SSHClient string `json:"ssh_client,omitempty"` // claim: $SSH_CONNECTION's client address
	Host      string `json:"host"`                 // machine opsdeck ran on
}

// CurrentOperator reads the operator from the process environment.
func CurrentOperator() Operator {
	o := Operator{SudoUser: os.Getenv("SUDO_USER")}
	if u, err := user.Current(); err == nil {
		o.User = u.Username
	}
	if c := strings.Fields(os.Getenv("SSH_CONNECTION")); len(c) > 0 {
		o.SSHClient = c[0]
	}
	o.Host, _ = os.Hostname()
	return o
}

// StepResult is what one step did.
type StepResult struct {
	Step       string `json:"step"`
	Status     string `json:"status"` // ran | skipped | failed | not-run
	ExitCode   int    `json:"exit_code"`
	Excerpt    string `json:"excerpt,omitempty"`
	Error      string `json:"error,omitempty"`
	Diagnosis  string `json:"diagnosis,omitempty"` // output of the step's Diagnose command
	DurationMS int64  `json:"duration_ms"`
}

// VerifyResult is the verification's outcome.
type VerifyResult struct {
	Check   string `json:"check"`
	Target  string `json:"target"`
	OK      bool   `json:"ok"`
	Summary string `json:"summary"`
}

// AuditLog appends records to a JSONL file, one write and one fsync per record, under an
// exclusive lock so two opsdeck processes never interleave lines.
type AuditLog struct {
	path string
}

// OpenAudit makes sure the log can be appended to (creating it and its folder).
func OpenAudit(path string) (*AuditLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	f.Close()
	return &AuditLog{path: path}, nil
}

// Path is the log's file.
func (l *AuditLog) Path() string { return l.path }

// Append writes one record and returns only after it is on disk.
func (l *AuditLog) Append(r Record) error {
	b, err := json.Marshal(r.Safe())
	if err != nil {
		return err
	}
	b = append(b, '\n')
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("audit log %s: lock: %w", l.path, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if _, err := f.Write(b); err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit log %s: fsync: %w", l.path, err)
	}
	return nil
}

// NewID is a record id: time-ordered and unique enough across processes.
func NewID(now time.Time) string {
	b := make([]byte, 4)
	rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// Filter selects audit records.
type Filter struct {
	Since  time.Time
	Action string
	Target string
}

// ReadAudit reads the log, keeping records that match. Lines it cannot read (a torn last line
// after a crash) are returned as problems naming the line, never silently dropped.
func ReadAudit(path string, f Filter) ([]Record, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	var out []Record
	var problems []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: unreadable record: %v", path, n, err))
			continue
		}
		if !f.Since.IsZero() && r.Time.Before(f.Since) || f.Action != "" && r.Action != f.Action || f.Target != "" && r.Target != f.Target {
			continue
		}
		out = append(out, r)
	}
	return out, problems, sc.Err()
}
