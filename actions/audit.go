package actions

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
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
	Title        string        `json:"title,omitempty"` // the plan's title (an override reason shows here)
	Notes        []string      `json:"notes,omitempty"` // the plan's warnings, as the operator saw them
	Confirmation string        `json:"confirmation,omitempty"`
	Window       string        `json:"window"`
	Emergency    string        `json:"emergency,omitempty"`
	Verdict      string        `json:"verdict"`
	Steps        []StepResult  `json:"steps,omitempty"`
	Verify       *VerifyResult `json:"verify,omitempty"`
	Outcome      string        `json:"outcome,omitempty"` // succeeded | failed | verify-failed | interrupted
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

// CurrentOperator is the process's identity (real uid → user name from the user database, not
// $USER) and the environment's claims beside it.
func CurrentOperator() Operator {
	return operatorFrom(os.Getuid(), os.Getenv, user.LookupId)
}

func operatorFrom(uid int, getenv func(string) string, lookup func(string) (*user.User, error)) Operator {
	o := Operator{UID: strconv.Itoa(uid), SudoUser: getenv("SUDO_USER")}
	if u, err := lookup(o.UID); err == nil && u.Username != "" {
		o.User = u.Username
	} else {
		o.User = "uid " + o.UID // not in the user database: the number is the identity
	}
	if c := strings.Fields(getenv("SSH_CONNECTION")); len(c) > 0 {
		o.SSHClient = c[0]
	}
	o.Host, _ = os.Hostname()
	return o
}

// StepResult is what one step did.
type StepResult struct {
	Step     string `json:"step"`
	Status   string `json:"status"`    // ran | skipped | failed | interrupted | not-run
	ExitCode int    `json:"exit_code"` // an API step: the HTTP status
	Excerpt  string `json:"excerpt,omitempty"`
	// Object identifies what an API step got back; never its body.
	Object     *ObjectRef `json:"object,omitempty"`
	Error      string     `json:"error,omitempty"`
	Diagnosis  string     `json:"diagnosis,omitempty"` // output of the step's Diagnose command
	DurationMS int64      `json:"duration_ms"`
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
	// LockWait bounds the wait for another process's lock (0: 5 s).
	LockWait time.Duration
	// write is the one write of a record (a test makes it fail half-way, as a full disk does).
	write func(f *os.File, b []byte) (int, error)
}

// OpenAudit makes sure the log can be appended to (creating it and its folder). A new file's
// directory entry is fsynced, so the log itself survives a crash right after it is created.
func OpenAudit(path string) (*AuditLog, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		syncErr := f.Sync()
		f.Close()
		if err := errors.Join(syncErr, syncDir(dir)); err != nil {
			return nil, fmt.Errorf("audit log %s: fsync after create: %w", path, err)
		}
	case errors.Is(err, fs.ErrExist):
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("audit log %s: %w", path, err)
		}
		f.Close()
	default:
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	return &AuditLog{path: path}, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Path is the log's file.
func (l *AuditLog) Path() string { return l.path }

// Append writes one record and returns only after it is on disk. A failed write (a full disk)
// is cut back to the last good offset, so no torn line spoils the next record; a torn line left
// by a crashed process is closed with a newline first, so this record stays readable.
func (l *AuditLog) Append(r Record) error {
	b, err := json.Marshal(r.Safe())
	if err != nil {
		return err
	}
	b = append(b, '\n')
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	defer f.Close()
	if err := l.lock(f); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	good := st.Size()
	if good > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, good-1); err == nil && last[0] != '\n' {
			b = append([]byte{'\n'}, b...)
		}
	}
	write := l.write
	if write == nil {
		write = (*os.File).Write
	}
	n, err := write(f, b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		if terr := f.Truncate(good); terr != nil {
			return fmt.Errorf("audit log %s: %w; and cutting the torn record back failed: %v", l.path, err, terr)
		}
		_ = f.Sync()
		return fmt.Errorf("audit log %s: %w (record not written)", l.path, err)
	}
	return nil
}

// lock takes the exclusive lock, waiting at most LockWait: a stuck process holding it must not
// hang an operator's action without a word.
func (l *AuditLog) lock(f *os.File) error {
	wait := l.LockWait
	if wait <= 0 {
		wait = 5 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("audit log %s: lock: %w", l.path, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("audit log %s: another process has held its lock for %s (a stuck opsdeck? see `fuser %s`); nothing was recorded", l.path, wait, l.path)
		}
		time.Sleep(20 * time.Millisecond)
	}
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
