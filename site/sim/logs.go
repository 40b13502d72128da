package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"opsdeck/config"
)

// The demo's live logs (guide §5.5, §6, §4, §8): real files under Dir/logs, written as the
// components would, some read locally and others only through the hosts' SSH servers (each
// host's files live under Dir/logs/hosts/HOST, a container's under …/HOST/CONTAINER).
// What they say follows the scenario: a node whose kubelet is not active logs errors, a dead
// process on an ADNS slave makes the master's dnsmng fail to fetch zones from it, and the
// gateway digest rotates every few hundred lines as logrotate would.

// logWriter appends the demo's lines until stopped.
type logWriter struct {
	site   *Site
	root   string
	now    func() time.Time
	cancel context.CancelFunc
	wg     sync.WaitGroup
	rng    *rand.Rand
	lines  int // gateway digest lines since its last rotation
}

// RotateEvery is how many lines the demo's gateway digest holds before it is rotated.
var RotateEvery = 400

// logRoots maps a simulated host to the folder holding its files, for the SSH tail emulation.
var logRoots sync.Map // *Host → string

// hostPath is where a simulated host's (or container's) file really is.
func hostPath(h *Host, container, path string) (string, bool) {
	root, ok := logRoots.Load(h)
	if !ok {
		return "", false
	}
	return filepath.Join(root.(string), container, filepath.Clean("/"+path)), true
}

const (
	kubeletLog    = "/home/t4/sigma-slave/logs/KUBELET.INFO"
	dnsmngLog     = "/home/admin/dnsmng/log/adns_biz.log"
	dnsagentLog   = "/home/admin/dnsagent/log/adns_biz.log"
	keepalivedLog = "keepalived" // supervisord program, stderr
)

// startLogs writes the first lines (so a tail has a backlog) and keeps writing.
func startLogs(s *Site, now func() time.Time) (*logWriter, error) {
	w := &logWriter{site: s, root: filepath.Join(s.Dir, "logs"), now: now, rng: rand.New(rand.NewPCG(1, 2))}
	for _, h := range s.Hosts {
		logRoots.Store(h, filepath.Join(w.root, "hosts", h.Name))
	}
	for range 30 {
		if err := w.tick(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(700 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_ = w.tick()
			}
		}
	}()
	return w, nil
}

func (w *logWriter) stop() {
	if w.cancel != nil {
		w.cancel()
	}
	w.wg.Wait()
}

// LocalLog is where the demo writes a log read on this machine.
func (s *Site) LocalLog(name string) string { return filepath.Join(s.Dir, "logs", "local", name) }

// tick writes one round of lines to every log.
func (w *logWriter) tick() error {
	now := w.now()
	var errs []error
	add := func(path string, lines ...string) {
		if err := appendLines(path, lines); err != nil {
			errs = append(errs, err)
		}
	}
	// Local: the OpenAPI gateway digest (rotating) and Yunyou's common-error.log.
	digest := w.site.LocalLog("gateway-digest.log")
	add(digest, w.digestLine(now))
	if w.lines++; w.lines >= RotateEvery {
		w.lines = 0
		_ = os.Rename(digest, digest+".1")
	}
	if w.rng.IntN(12) == 0 {
		add(w.site.LocalLog("common-error.log"), javaError(now)...)
	}
	var downSlaves []string
	for _, h := range w.site.Hosts {
		st := h.State()
		for _, c := range st.Containers {
			for p, state := range c.Processes {
				if state != "RUNNING" && (p == "bind" || p == "dnsagent") {
					downSlaves = append(downSlaves, h.Name)
				}
			}
		}
	}
	for _, h := range w.site.Hosts {
		st := h.State()
		if _, ok := st.Units["kubelet"]; ok {
			p, _ := hostPath(h, "", kubeletLog)
			add(p, kubeletLines(h.Name, st.Units["kubelet"] == "active", now, w.rng)...)
		}
		for _, c := range st.Containers {
			if !c.Up {
				continue
			}
			if _, master := c.Processes["dnsmng"]; master {
				p, _ := hostPath(h, c.Name, dnsmngLog)
				add(p, dnsmngLines(downSlaves, now, w.rng)...)
			}
			p, _ := hostPath(h, c.Name, dnsagentLog)
			add(p, logrus(now, "info", "zone serial checked", "DNSAgent"))
			if w.rng.IntN(8) == 0 {
				p, _ := hostPath(h, c.Name, "/var/log/supervisor/keepalived-stderr.log")
				add(p, now.Format("Mon Jan _2 15:04:05 2006")+": VRRP_Instance(VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.10.0.100")
			}
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

func appendLines(path string, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strings.Join(lines, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func logrus(now time.Time, level, msg, service string) string {
	return fmt.Sprintf("time=%q level=%s msg=%q service=%s", now.Format(time.RFC3339), level, msg, service)
}

func klog(level byte, now time.Time, file, msg string) string {
	return fmt.Sprintf("%c%s %7d %s] %s", level, now.Format("0102 15:04:05.000000"), 2841, file, msg)
}

func kubeletLines(node string, active bool, now time.Time, rng *rand.Rand) []string {
	if !active {
		return []string{klog('E', now, "kubelet.go:2412", `"Error getting node" err="node \"`+node+`\" not found"`),
			klog('E', now, "kubelet_node_status.go:94", `"Unable to register node with API server" err="connect: connection refused" node="`+node+`"`)}
	}
	out := []string{klog('I', now, "kubelet.go:2101", `"SyncLoop (PLEG): event for pod" pod="kube-system/rama-daemon-`+node+`" event="ContainerStarted"`)}
	if rng.IntN(10) == 0 {
		out = append(out, klog('W', now, "cni.go:239", "Unable to update cni config: no networks found in /etc/cni/net.d"))
	}
	return out
}

var zones = []string{"10.in-addr.arpa.", "172.in-addr.arpa.", "demo.example.", "iam.demo.example."}

func dnsmngLines(downSlaves []string, now time.Time, rng *rand.Rand) []string {
	out := []string{logrus(now, "info", "zone conf drift check passed", "DNSDataChecker")}
	for _, s := range downSlaves {
		z := zones[rng.IntN(len(zones))]
		out = append(out,
			logrus(now, "error", "failed to fetch zone "+z+"'s RRs from slave "+s+": dial tcp "+s+":53: connect: connection refused", "DNSDataChecker"),
			logrus(now, "info", "skip slave "+s+", continue to next slave server", "DNSDataChecker"))
	}
	return out
}

var codes = []string{"OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "TIMEOUT", "ACCESS_DENIED", "CALL_REQUEST_ERROR", "OVER_RATE_LIMIT"}

func (w *logWriter) digestLine(now time.Time) string {
	code := codes[w.rng.IntN(len(codes))]
	ok := code == "OK"
	total := 20 + w.rng.IntN(80)
	return fmt.Sprintf("%s [/// - ] INFO  GATEWAY-DIGEST - %016x;antcloud.iam.user.query;1.0;IAM;LTAI4F******demo;DEMOTENANT;0116659020;%s;%d;%d;%v;NA;%d",
		now.Format("2006-01-02 15:04:05,000"), w.rng.Uint64(), code, total, total-8, ok, 8)
}

func javaError(now time.Time) []string {
	return []string{
		now.Format("2006-01-02 15:04:05,000") + " [c0a80501162432780384857244595 0 - /// - ] ERROR webshell.K8sWebshellController - 连接中断",
		"java.io.IOException: java.util.concurrent.ExecutionException: java.net.SocketException: Broken pipe (Write failed)",
		"\tat org.apache.tomcat.websocket.WsRemoteEndpointImplBase.startMessageBlock(WsRemoteEndpointImplBase.java:277) ~[tomcat-embed-websocket-7.0.57.jar:7.0.57]",
		"\tat java.lang.Thread.run(Thread.java:748) [?:1.8.0_131]",
		"Caused by: java.net.SocketException: Broken pipe (Write failed)",
		"\tat java.net.SocketOutputStream.socketWrite0(Native Method) ~[?:1.8.0_131]",
		"\t... 15 more",
	}
}

// demoLogs are the site file's logs block for the demo.
func demoLogs(s *Site) []config.LogSource {
	out := []config.LogSource{
		{Name: "gateway-digest", Path: s.LocalLog("gateway-digest.log"), Format: "gateway", Lines: 100},
		{Name: "yunyou-errors", Path: s.LocalLog("common-error.log"), Format: "log4j", Lines: 50},
	}
	for _, name := range sortedHosts(s) {
		h := s.Hosts[name]
		st := h.State()
		if _, ok := st.Units["kubelet"]; ok {
			out = append(out, config.LogSource{Name: "kubelet-" + name, Host: name, Path: kubeletLog, Format: "klog", Lines: 50})
		}
		for _, c := range st.Containers {
			if _, master := c.Processes["dnsmng"]; master {
				out = append(out, config.LogSource{Name: "dnsmng-" + name, Host: name, Container: c.Name, Runtime: "docker", Path: dnsmngLog, Format: "logrus"})
			}
			out = append(out,
				config.LogSource{Name: "dnsagent-" + name, Host: name, Container: c.Name, Runtime: "docker", Path: dnsagentLog, Format: "logrus", Lines: 20},
				config.LogSource{Name: "keepalived-" + name, Host: name, Container: c.Name, Runtime: "docker", Kind: "supervisor", Path: keepalivedLog, Stream: "stderr"})
		}
	}
	return out
}

func sortedHosts(s *Site) []string {
	var names []string
	for n := range s.Hosts {
		names = append(names, n)
	}
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return names
}
