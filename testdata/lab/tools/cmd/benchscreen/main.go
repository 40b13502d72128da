// Command benchscreen measures opsdeck from outside the process, the way an operator sees it:
// it runs the cockpit in tmux against a seeded lab and reads the screen with capture-pane.
//
//   - start → first complete screen: the header says api 1/1 and the strip counts every Node
//     and pod the API holds, with the alerts judged;
//   - resident memory after the screen is complete and 10 s more (VmRSS), and CPU while nothing
//     changes (utime+stime over a quiet window);
//   - a Node set NotReady (and back) through the API → the row on screen says so;
//   - a pod's container set CrashLoopBackOff (and back to running) through the API → its row in
//     the Pods pane says so;
//   - a key press → the next frame that differs, and the same for less(1) beside it (what tmux,
//     the polling and the machine cost by themselves);
//   - beside it, in the same run: `opsdeck check` and `kubectl get pods -A` (time, peak RSS).
//
// Usage (make bench-screen does it all): benchscreen -opsdeck bin/opsdeck -site SITE
// -kubeconfig ADMIN [-kubectl PATH] [-runs 3].
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const session = "opsdeck-bench"

// adminKubeconfig is -kubeconfig, for kubectl too.
var adminKubeconfig string

type result struct {
	firstScreen   time.Duration
	firstCPU      float64 // seconds of CPU the cockpit used up to its first complete screen
	rssMB         float64
	idleCPU       float64 // % of a core
	flip          []time.Duration
	podFlip       []time.Duration
	flipWatch     []time.Duration // the same changes seen by the driver's own watch: the API's part
	podFlipWatch  []time.Duration
	keyFrame      []time.Duration
	keyFloor      []time.Duration // the same method against less(1): tmux, the polling, the machine
	busyBefore    float64         // % of the machine busy in the seconds before the start (the lab's own load)
	listFloor     time.Duration   // the API's answer to the pods list just before the start, read and not decoded
	checkTime     time.Duration
	checkPeakMB   float64
	kubectlTime   time.Duration
	kubectlPeakMB float64
}

func main() {
	bin := flag.String("opsdeck", "bin/opsdeck", "the opsdeck binary")
	site := flag.String("site", "testdata/lab/site.yaml", "site file")
	kubeconfig := flag.String("kubeconfig", "", "admin kubeconfig (to flip a Node); with commas, every cluster the site lists (all are counted)")
	kubectl := flag.String("kubectl", "", "kubectl binary to time beside opsdeck (optional)")
	runs := flag.Int("runs", 3, "runs; medians are reported")
	flips := flag.Int("flips", 5, "Node flips per run")
	keys := flag.Int("keys", 40, "key presses per run")
	idle := flag.Duration("idle", 20*time.Second, "quiet window for the idle CPU")
	width := flag.Int("width", 200, "terminal width")
	height := flag.Int("height", 50, "terminal height")
	flag.Parse()

	configs := strings.Split(*kubeconfig, ",")
	adminKubeconfig = configs[0]
	var kube kubernetes.Interface
	ctx := context.Background()
	nNodes, nPods, victim, podVictim := 0, 0, "", ""
	for i, kc := range configs {
		cfg, err := clientcmd.BuildConfigFromFlags("", kc)
		if err != nil {
			log.Fatal(err)
		}
		k := kubernetes.NewForConfigOrDie(cfg)
		nodes, err := k.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			log.Fatal(err)
		}
		pods, err := k.CoreV1().Pods("").List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			log.Fatal(err)
		}
		nNodes, nPods = nNodes+len(nodes.Items), nPods+len(pods.Items)
		if i == 0 {
			kube = k
			for _, n := range nodes.Items {
				if strings.HasPrefix(n.Name, "scale-node-") || victim == "" && n.Name == "node1" {
					victim = n.Name
				}
			}
			for _, p := range pods.Items {
				if p.Status.Phase == corev1.PodRunning && len(p.Status.ContainerStatuses) == 1 &&
					(strings.HasPrefix(p.Name, "scale-pod-") || podVictim == "") {
					podVictim = p.Namespace + "/" + p.Name
				}
			}
		}
	}
	log.Printf("site holds %d nodes and %d pods; the flipped node is %s, the flipped pod %s", nNodes, nPods, victim, podVictim)

	var all []result
	for i := range *runs {
		r, err := oneRun(ctx, kube, *bin, *site, *kubectl, victim, podVictim, nNodes, nPods, *flips, *keys, *idle, *width, *height)
		if err != nil {
			log.Fatalf("run %d: %v", i+1, err)
		}
		log.Printf("run %d: first screen %s (%.2f s of CPU), rss %.0f MB, idle cpu %.2f %%, flip p50 %s max %s, pod flip p50 %s max %s, key p99 %s (less %s)",
			i+1, r.firstScreen.Round(time.Millisecond), r.firstCPU, r.rssMB, r.idleCPU, pct(r.flip, 50), pct(r.flip, 100),
			pct(r.podFlip, 50), pct(r.podFlip, 100), pct(r.keyFrame, 99), pct(r.keyFloor, 99))
		log.Printf("run %d: before the start the machine was %.0f %% busy and the API answered the pods list in %s", i+1, r.busyBefore, r.listFloor.Round(time.Millisecond))
		log.Printf("run %d: node flips %v; pod flips %v", i+1, rounded(r.flip), rounded(r.podFlip))
		log.Printf("run %d: the same seen by a watch: node %v; pod %v", i+1, rounded(r.flipWatch), rounded(r.podFlipWatch))
		all = append(all, r)
	}
	report(all, nNodes, nPods, *width, *height)
}

func oneRun(ctx context.Context, kube kubernetes.Interface, bin, site, kubectl, victim, podVictim string, nNodes, nPods, flips, keys int,
	idle time.Duration, w, h int) (result, error) {
	var r result
	_ = exec.Command("tmux", "kill-session", "-t", session).Run()
	// What the machine and the API give any client at this moment: the first screen cannot come
	// before the API's answer, and the lab's own apiserver, etcd and renewers share the cores.
	apiFloor, err := podsListFloor(ctx, kube)
	if err != nil {
		return r, fmt.Errorf("the pods list: %w", err)
	}
	r.listFloor = apiFloor
	r.busyBefore = machineBusy(3 * time.Second)
	var start time.Time
	cmd := fmt.Sprintf("exec %s --site %s", bin, site)
	// The previous run's server may still be exiting: "server exited unexpectedly" (a third
	// run died on it).
	for try := 1; ; try++ {
		start = time.Now()
		out, err := exec.Command("tmux", "new-session", "-d", "-s", session, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), cmd).CombinedOutput()
		if err == nil {
			break
		}
		if try == 5 {
			return r, fmt.Errorf("tmux: %v: %s", err, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
	defer exec.Command("tmux", "kill-session", "-t", session).Run()
	pid, err := panePID()
	if err != nil {
		return r, err
	}
	complete := regexp.MustCompile(fmt.Sprintf(`Nodes \d+/%d .*Pods \d+/%d `, nNodes, nPods))
	alerts := regexp.MustCompile(`Alerts [1-9]`)
	apis := regexp.MustCompile(`api (\d+)/(\d+)`)
	if err := pollScreen(3*time.Minute, 50*time.Millisecond, func(s string) bool {
		m := apis.FindStringSubmatch(s)
		return m != nil && m[1] == m[2] && complete.MatchString(s) && alerts.MatchString(s)
	}); err != nil {
		return r, fmt.Errorf("first complete screen: %w", err)
	}
	r.firstScreen = time.Since(start)
	r.firstCPU = float64(cpuTicks(pid)) / 100

	time.Sleep(10 * time.Second)
	r.rssMB = rss(pid)
	c0 := cpuTicks(pid)
	time.Sleep(idle)
	r.idleCPU = float64(cpuTicks(pid)-c0) / 100 / idle.Seconds() * 100

	// The Nodes pane, filtered to the victim, so its row is on screen.
	byName := metav1.ListOptions{FieldSelector: "metadata.name=" + victim}
	nodeSeen, err := kube.CoreV1().Nodes().Watch(ctx, byName)
	if err != nil {
		return r, fmt.Errorf("watch node: %w", err)
	}
	defer nodeSeen.Stop()
	r.flip, r.flipWatch, err = timeFlips("2", victim, victim, "NotReady", flips, stamped(nodeSeen), func(bad bool) (time.Time, error) {
		return setReady(ctx, kube, victim, !bad)
	})
	if err != nil {
		return r, fmt.Errorf("node: %w", err)
	}
	// The Pods pane, filtered to the pod victim: its container crash-loops, then runs again. The
	// filter is anchored: a row's text begins with its name (scale-pod-4 is not -40…).
	ns, podName, _ := strings.Cut(podVictim, "/")
	podSeen, err := kube.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + podName})
	if err != nil {
		return r, fmt.Errorf("watch pod: %w", err)
	}
	defer podSeen.Stop()
	r.podFlip, r.podFlipWatch, err = timeFlips("3", podName, "^"+podName+" ", "CrashLoopBackOff", flips, stamped(podSeen), func(bad bool) (time.Time, error) {
		return setCrashLooping(ctx, kube, ns, podName, bad)
	})
	if err != nil {
		return r, fmt.Errorf("pod: %w", err)
	}

	// Key → frame on the Pods pane (the biggest table, its filter cleared): j moves the
	// selection, the frame differs.
	sendKeys("/", "C-u", "Enter", "g") // g: the top, where j moves (the victim sorted last)
	time.Sleep(time.Second)
	if r.keyFrame, err = keyFrames(session, keys, selectionOf); err != nil {
		return r, fmt.Errorf("key: %w", err)
	}

	// The floor of the method: the same keys to less(1) in a session of the same size, while
	// the cockpit still runs (the machine's load unchanged).
	floor, err := lessFloor(keys, w, h)
	if err != nil {
		return r, fmt.Errorf("key floor: %w", err)
	}
	r.keyFloor = floor

	r.checkTime, r.checkPeakMB = timed(bin, "check", "--site", site, "-o", "json")
	if kubectl != "" {
		r.kubectlTime, r.kubectlPeakMB = timed(kubectl, "--kubeconfig", adminKubeconfig, "get", "pods", "-A")
	}
	return r, nil
}

func rounded(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

// timeFlips shows pane (its key), filtered to name, and n times each way sets the object bad
// through the API, then good again, timing each change to the moment name's row says so (word
// on it, or gone), and to the moment the driver's own watch of the object (seen) told it: the
// API's part, the floor under the screen's. No Escape key: a terminal's lone ESC waits for the
// next byte and makes it alt+key.
func timeFlips(pane, name, filter, word string, n int, seen <-chan time.Time, set func(bad bool) (time.Time, error)) (took, watched []time.Duration, err error) {
	sendKeys(pane, "/")
	sendText(filter)
	sendKeys("Enter")
	if err := waitScreen(10*time.Second, func(s string) bool { return rowOf(s, name) != "" }); err != nil {
		return nil, nil, fmt.Errorf("%s row: %w", name, err)
	}
	for i := range n * 2 {
		bad := i%2 == 0
		drain(seen)
		t0, err := set(bad)
		if err != nil {
			return nil, nil, err
		}
		shown := func(s string) bool {
			row := rowOf(s, name)
			return row != "" && strings.Contains(row, word) == bad
		}
		if err := waitScreen(30*time.Second, shown); err != nil {
			return nil, nil, fmt.Errorf("flip %d: %w", i, err)
		}
		took = append(took, time.Since(t0))
		select {
		case at := <-seen:
			watched = append(watched, at.Sub(t0))
			// When, for $OPSDECK_KEYLOG's timeline (its first line says when the cockpit started).
			log.Printf("flip %s %d: written at %s, on screen after %s, watched after %s", name, i+1,
				t0.Format("15:04:05.000000"), took[i].Round(time.Millisecond), watched[i].Round(time.Millisecond))
		case <-time.After(10 * time.Second):
			return nil, nil, fmt.Errorf("flip %d: the driver's watch saw no change", i)
		}
	}
	return took, watched, nil
}

// stamped gives the time each event of w came.
func stamped(w watch.Interface) <-chan time.Time {
	at := make(chan time.Time, 64)
	go func() {
		for range w.ResultChan() {
			select {
			case at <- time.Now():
			default:
			}
		}
	}()
	return at
}

// drain forgets the events come so far (another writer's).
func drain(at <-chan time.Time) {
	for {
		select {
		case <-at:
		default:
			return
		}
	}
}

// lessFloor times key → frame for less(1) paging a long file one line per j.
func lessFloor(keys, w, h int) ([]time.Duration, error) {
	f, err := os.CreateTemp("", "benchscreen-floor")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	for i := range 10000 {
		fmt.Fprintf(f, "line %d %s\n", i, strings.Repeat("x", w/2))
	}
	f.Close()
	const floorSession = session + "-floor"
	_ = exec.Command("tmux", "kill-session", "-t", floorSession).Run()
	if out, err := exec.Command("tmux", "new-session", "-d", "-s", floorSession, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h),
		"exec less -S "+f.Name()).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("tmux: %v: %s", err, out)
	}
	defer exec.Command("tmux", "kill-session", "-t", floorSession).Run()
	time.Sleep(time.Second)
	return keyFrames(floorSession, keys, func(x string) string { return x })
}

// keyFrames presses j n times in session s and times each press to the first frame where what
// it moves (of the screen) differs. The cockpit's is its selection: any change (the clock, a
// count) timed a key that had moved nothing, as when the selection sat on the last row.
func keyFrames(s string, n int, of func(screen string) string) ([]time.Duration, error) {
	var d []time.Duration
	for i := range n {
		before := of(captureOf(s))
		t0 := time.Now()
		_ = exec.Command("tmux", "send-keys", "-t", s, "j").Run()
		if err := pollScreenOf(s, 5*time.Second, 5*time.Millisecond, func(x string) bool { return of(x) != before }); err != nil {
			return nil, fmt.Errorf("key %d moved nothing: %w", i+1, err)
		}
		d = append(d, time.Since(t0))
	}
	return d, nil
}

// selectionOf is where the cockpit's selection marks are: each line holding one, by number.
func selectionOf(screen string) string {
	var b strings.Builder
	for i, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "›") {
			fmt.Fprintf(&b, "%d:%s\n", i, l)
		}
	}
	return b.String()
}

func setReady(ctx context.Context, kube kubernetes.Interface, name string, ready bool) (time.Time, error) {
	n, err := kube.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return time.Time{}, err
	}
	st, reason := corev1.ConditionFalse, "KubeletNotReady"
	if ready {
		st, reason = corev1.ConditionTrue, "KubeletReady"
	}
	now := metav1.Now()
	found := false
	for i, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			n.Status.Conditions[i].Status, n.Status.Conditions[i].Reason = st, reason
			n.Status.Conditions[i].LastTransitionTime, n.Status.Conditions[i].LastHeartbeatTime = now, now
			found = true
		}
	}
	if !found {
		n.Status.Conditions = append(n.Status.Conditions, corev1.NodeCondition{Type: corev1.NodeReady, Status: st, Reason: reason,
			LastTransitionTime: now, LastHeartbeatTime: now})
	}
	if _, err := kube.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
		return time.Time{}, err
	}
	return time.Now(), nil
}

// setCrashLooping puts the pod's one container in CrashLoopBackOff, not ready, or back to running
// and ready, as a kubelet would post it; it returns when the API has taken the update.
func setCrashLooping(ctx context.Context, kube kubernetes.Interface, ns, name string, crashing bool) (time.Time, error) {
	p, err := kube.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return time.Time{}, err
	}
	cs := &p.Status.ContainerStatuses[0]
	cond := corev1.ConditionTrue
	if crashing {
		cs.Ready, cs.RestartCount = false, cs.RestartCount+1
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "benchscreen"}}
		cond = corev1.ConditionFalse
	} else {
		cs.Ready = true
		cs.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}
	}
	for i, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			p.Status.Conditions[i].Status = cond
		}
	}
	if _, err := kube.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		return time.Time{}, err
	}
	return time.Now(), nil
}

// rowOf is the screen line of a Nodes or Pods row for name (its first cell), or "".
func rowOf(screen, name string) string {
	for _, l := range strings.Split(screen, "\n") {
		if i := strings.LastIndex(l, "│"); i >= 0 { // the right-hand pane, beside Alerts
			l = l[i+len("│"):]
		}
		f := strings.Fields(strings.TrimLeft(l, " ›▶✓✗"))
		if len(f) > 1 && (f[0] == name || strings.TrimLeft(f[0], "›▶✓✗") == name) {
			return l
		}
	}
	return ""
}

func capture() string { return captureOf(session) }

func captureOf(s string) string {
	out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", s).Output()
	return string(out)
}

// waitScreen polls the screen every 5 ms (latencies) until ok or limit.
func waitScreen(limit time.Duration, ok func(string) bool) error {
	return pollScreen(limit, 5*time.Millisecond, ok)
}

// pollScreen polls every `every`: a tmux capture is a process of its own, and 200 a second take
// a good part of one of the machine's two cores from the program being measured (the first
// screen came 2× later polled every 5 ms than every 50 ms).
func pollScreen(limit, every time.Duration, ok func(string) bool) error {
	return pollScreenOf(session, limit, every, ok)
}

func pollScreenOf(s string, limit, every time.Duration, ok func(string) bool) error {
	deadline := time.Now().Add(limit)
	var last string
	for time.Now().Before(deadline) {
		last = captureOf(s)
		if ok(last) {
			return nil
		}
		time.Sleep(every)
	}
	return fmt.Errorf("not on screen within %s; the screen was:\n%s", limit, last)
}

func sendKeys(keys ...string) {
	_ = exec.Command("tmux", append([]string{"send-keys", "-t", session}, keys...)...).Run()
}

func sendText(s string) { _ = exec.Command("tmux", "send-keys", "-t", session, "-l", s).Run() }

func panePID() (int, error) {
	out, err := exec.Command("tmux", "display-message", "-p", "-t", session, "#{pane_pid}").Output()
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(out)))
}

func rss(pid int) float64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// podsListFloor is how long the API takes to answer every pod as the cockpit asks for them at
// its start (protobuf, from the watch cache, compressed as client-go asks), the body read and
// thrown away: no client judges a pod sooner.
func podsListFloor(ctx context.Context, kube kubernetes.Interface) (time.Duration, error) {
	start := time.Now()
	body, err := kube.CoreV1().RESTClient().Get().Resource("pods").Param("resourceVersion", "0").
		SetHeader("Accept", "application/vnd.kubernetes.protobuf").Stream(ctx)
	if err != nil {
		return 0, err
	}
	defer body.Close()
	_, err = io.Copy(io.Discard, body)
	return time.Since(start), err
}

// machineBusy is the share of the machine's CPU time, all cores, spent not idle over d
// (/proc/stat: user nice system idle iowait irq softirq steal).
func machineBusy(d time.Duration) float64 {
	read := func() (busy, total int64) {
		b, _ := os.ReadFile("/proc/stat")
		f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
		for i := 1; i < len(f) && i <= 8; i++ {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			total += v
			if i != 4 && i != 5 { // idle, iowait
				busy += v
			}
		}
		return busy, total
	}
	b0, t0 := read()
	time.Sleep(d)
	b1, t1 := read()
	if t1 == t0 {
		return 0
	}
	return float64(b1-b0) / float64(t1-t0) * 100
}

// cpuTicks is utime+stime of pid in clock ticks (100 per second on Linux).
func cpuTicks(pid int) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(b)
	f := strings.Fields(s[strings.LastIndex(s, ")")+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}

// timed runs a command to its end: wall time and peak resident memory.
// timed runs a command to its end: its wall time and peak resident memory. The peak is read by
// /usr/bin/time: the rusage of a child started from here reports this driver's own peak (Linux
// keeps the high-water mark of the memory a vfork'd child leaves at exec, and this driver holds
// the site's 42,000 pods), which is where 440-490 MB "peaks" of opsdeck check came from.
func timed(name string, args ...string) (time.Duration, float64) {
	out, err := os.CreateTemp("", "benchscreen-time-*")
	if err != nil {
		return 0, 0
	}
	out.Close()
	defer os.Remove(out.Name())
	c := exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", out.Name(), name}, args...)...)
	start := time.Now()
	_ = c.Run() // opsdeck check exits non-zero when the site has problems
	d := time.Since(start)
	b, _ := os.ReadFile(out.Name())
	lines := strings.Fields(string(b))
	if len(lines) == 0 {
		return d, 0
	}
	kb, _ := strconv.ParseFloat(lines[len(lines)-1], 64)
	return d, kb / 1024
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return s[max(i, 0)].Round(time.Millisecond)
}

func median(fs []float64) float64 {
	s := slices.Clone(fs)
	slices.Sort(s)
	return s[len(s)/2]
}

func report(rs []result, nodes, pods, w, h int) {
	var first, firstCPU, rssv, cpu, check, checkMB, kc, kcMB, busy, floors []float64
	var flips, podFlips, watched, keysAll, floorAll []time.Duration
	for _, r := range rs {
		first = append(first, r.firstScreen.Seconds())
		firstCPU = append(firstCPU, r.firstCPU)
		busy = append(busy, r.busyBefore)
		floors = append(floors, r.listFloor.Seconds())
		rssv = append(rssv, r.rssMB)
		cpu = append(cpu, r.idleCPU)
		check = append(check, r.checkTime.Seconds())
		checkMB = append(checkMB, r.checkPeakMB)
		kc = append(kc, r.kubectlTime.Seconds())
		kcMB = append(kcMB, r.kubectlPeakMB)
		flips = append(flips, r.flip...)
		podFlips = append(podFlips, r.podFlip...)
		watched = append(append(watched, r.flipWatch...), r.podFlipWatch...)
		keysAll = append(keysAll, r.keyFrame...)
		floorAll = append(floorAll, r.keyFloor...)
	}
	fmt.Printf("\n%d nodes, %d pods, tmux %d×%d, %d runs (medians; latencies over all samples)\n\n", nodes, pods, w, h, len(rs))
	fmt.Println("| measure | opsdeck |")
	fmt.Println("|---|---|")
	fmt.Printf("| the machine before the start: busy (the lab's own load) | %.0f %% of all cores |\n", median(busy))
	fmt.Printf("| the API's answer to the pods list just before: the first screen's floor | %.2f s |\n", median(floors))
	fmt.Printf("| start → first complete screen | %.2f s |\n", median(first))
	// Its own CPU to get there: on a machine the lab keeps busy, steadier than the wall time.
	fmt.Printf("| CPU the cockpit used up to that screen | %.2f s |\n", median(firstCPU))
	fmt.Printf("| resident memory, 10 s after the screen is complete | %.0f MB |\n", median(rssv))
	fmt.Printf("| CPU while nothing changes | %.2f %% of a core |\n", median(cpu))
	fmt.Printf("| a Node flipped through the API → on screen | p50 %s, max %s (%d flips) |\n", pct(flips, 50), pct(flips, 100), len(flips))
	fmt.Printf("| a pod's container set CrashLoopBackOff and back → on screen | p50 %s, max %s (%d flips) |\n", pct(podFlips, 50), pct(podFlips, 100), len(podFlips))
	fmt.Printf("| the same changes seen by the driver's own watch: the API's floor | p50 %s, max %s (%d changes) |\n", pct(watched, 50), pct(watched, 100), len(watched))
	fmt.Printf("| key press → next frame (capture-pane polled every 5 ms) | p50 %s, p99 %s (%d keys) |\n", pct(keysAll, 50), pct(keysAll, 99), len(keysAll))
	fmt.Printf("| the same for less(1) beside it: the method's floor | p50 %s, p99 %s (%d keys) |\n", pct(floorAll, 50), pct(floorAll, 99), len(floorAll))
	fmt.Printf("| `opsdeck check` one round | %.2f s, peak %.0f MB |\n", median(check), median(checkMB))
	if median(kc) > 0 {
		fmt.Printf("| `kubectl get pods -A` (same run) | %.2f s, peak %.0f MB |\n", median(kc), median(kcMB))
	}
}
