// Package kube connects to Kubernetes clusters the way kubectl does (kubeconfig files, contexts)
// and can make a connection that is read-only by construction.
package kube

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Options say which kubeconfig and context to use.
type Options struct {
	// Kubeconfig is one path or several joined with ':' (like KUBECONFIG); empty means
	// $KUBECONFIG, then ~/.kube/config.
	Kubeconfig string
	Context    string // empty: the kubeconfig's current context
	ReadOnly   bool   // refuse every request but GET at the transport
	UserAgent  string
	// Timeout bounds every single API call made with Clients.Calls (ping, discovery, gets);
	// 0 means DefaultCallTimeout. Watches use clients without it (a watch lasts minutes).
	Timeout time.Duration
}

// DefaultCallTimeout is the deadline of one API call when the options give none.
const DefaultCallTimeout = 10 * time.Second

// Clients are the connections to one cluster. Kube and Dynamic feed the informers (no overall
// deadline: a watch is long); Calls makes one-shot calls under rest.Config.Timeout. A nil
// Calls (as tests with fakes leave it) means Kube.
type Clients struct {
	Config  *rest.Config
	Kube    kubernetes.Interface
	Dynamic dynamic.Interface
	Calls   kubernetes.Interface
}

func (c *Clients) calls() kubernetes.Interface {
	if c.Calls != nil {
		return c.Calls
	}
	return c.Kube
}

// RESTConfig resolves kubeconfig and context into a client configuration.
func RESTConfig(o Options) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if o.Kubeconfig != "" {
		rules.Precedence = filepath.SplitList(o.Kubeconfig)
		rules.ExplicitPath = ""
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: o.Context}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		where := o.Kubeconfig
		if where == "" {
			where = strings.Join(rules.Precedence, ":")
		}
		return nil, fmt.Errorf("kubeconfig %s (context %q): %w", where, o.Context, err)
	}
	for _, p := range rules.Precedence {
		if _, err := os.Stat(p); err != nil && o.Kubeconfig != "" {
			return nil, fmt.Errorf("kubeconfig %s: %w", p, err)
		}
	}
	cfg.UserAgent = o.UserAgent
	if cfg.UserAgent == "" {
		cfg.UserAgent = "opsdeck"
	}
	if o.ReadOnly {
		cfg.Wrap(ReadOnlyTransport)
	}
	return cfg, nil
}

// Connect builds typed and dynamic clients.
func Connect(o Options) (*Clients, error) {
	cfg, err := RESTConfig(o)
	if err != nil {
		return nil, err
	}
	return NewClients(cfg, o.Timeout)
}

// NewClients builds the clients of one configuration; timeout bounds each one-shot call (0:
// DefaultCallTimeout).
func NewClients(cfg *rest.Config, timeout time.Duration) (*Clients, error) {
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	callCfg := rest.CopyConfig(cfg)
	callCfg.Timeout = timeout
	calls, err := kubernetes.NewForConfig(callCfg)
	if err != nil {
		return nil, err
	}
	k, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	d, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Clients{Config: cfg, Kube: k, Dynamic: d, Calls: calls}, nil
}
