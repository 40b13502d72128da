package kube

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "Client.Timeout exceeded while awaiting headers" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// A silent API reads "no answer within" whichever deadline fires first: the wrapper's, or the
// HTTP client's own timeout of the same length.
func TestSilenceIsSaidTheSameWay(t *testing.T) {
	ctx := context.Background()
	clientTimeout := &url.Error{Op: "Get", URL: "http://127.0.0.1/version", Err: timeoutErr{}}
	for name, f := range map[string]func() error{
		"the wrapper's deadline": func() error { time.Sleep(200 * time.Millisecond); return nil },
		"the client's timeout":   func() error { return clientTimeout },
		"a context deadline":     func() error { return context.DeadlineExceeded },
	} {
		err := withDeadline(ctx, 50*time.Millisecond, "API", f)
		if err == nil || !strings.Contains(err.Error(), "no answer within 50ms") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := withDeadline(ctx, time.Second, "API", func() error { return errors.New("forbidden") }); err == nil || strings.Contains(err.Error(), "no answer") {
		t.Errorf("a refusal is not silence: %v", err)
	}
}
