package ssh

import (
	"errors"
	"fmt"
	"time"
)

// HostKeyError says a host's key could not be trusted. No session is ever opened after one.
type HostKeyError struct {
	Host        string // inventory name
	Address     string // host:port as known_hosts sees it
	KnownHosts  string
	Changed     bool   // true: a different key is on record (possible man in the middle)
	KeyType     string // what the server offered
	Fingerprint string // SHA256:… of the offered key
	Line        string // the known_hosts line to add, once the fingerprint is checked
}

func (e *HostKeyError) Error() string {
	if e.Changed {
		return fmt.Sprintf("host key changed for %s (%s): offered %s %s does not match %s; possible man-in-the-middle, no connection made",
			e.Host, e.Address, e.KeyType, e.Fingerprint, e.KnownHosts)
	}
	return fmt.Sprintf("host key of %s (%s) is not in %s: offered %s %s; verify it out of band, then add: %s",
		e.Host, e.Address, e.KnownHosts, e.KeyType, e.Fingerprint, e.Line)
}

// IsHostKeyChanged tells whether err means the host presented a key different from the recorded one.
func IsHostKeyChanged(err error) bool {
	var hk *HostKeyError
	return errors.As(err, &hk) && hk.Changed
}

// ConnectError is a failure to reach or log in to a host.
type ConnectError struct {
	Host string
	Op   string // "dial", "handshake", "auth", "jump"
	Err  error
}

func (e *ConnectError) Error() string { return fmt.Sprintf("%s: %s: %v", e.Host, e.Op, e.Err) }
func (e *ConnectError) Unwrap() error { return e.Err }

// RefusedError says a read-only pool refused a command that is not a probe of the allowlist.
type RefusedError struct {
	Host    string
	Command string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s: read-only: %s is not a probe command (site/ssh/probes.go lists them); not run", e.Host, e.Command)
}

// StillRunningError says the previous run of the same command on the host has not ended
// remotely (killed at its deadline but stuck, e.g. df on a hung NFS mount): no second one starts.
type StillRunningError struct {
	Host    string
	Command string
	Since   time.Time
}

func (e *StillRunningError) Error() string {
	return fmt.Sprintf("%s: the previous run of %s (started %s) has not ended on the host; not started again",
		e.Host, e.Command, e.Since.Format("15:04:05"))
}
