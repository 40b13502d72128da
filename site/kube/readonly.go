package kube

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrReadOnly is what a read-only connection answers to any request that could change something.
var ErrReadOnly = errors.New("read-only connection")

type readOnly struct{ next http.RoundTripper }

// ReadOnlyTransport wraps a transport so that only GET requests (get, list, watch) leave the
// process; anything else fails before a byte is sent.
func ReadOnlyTransport(next http.RoundTripper) http.RoundTripper { return readOnly{next} }

func (r readOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("%w: refusing %s %s", ErrReadOnly, req.Method, req.URL.Path)
	}
	return r.next.RoundTrip(req)
}
