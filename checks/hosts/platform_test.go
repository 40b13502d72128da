package hosts

import (
	"strings"
	"testing"

	"opsdeck/checks"
	"opsdeck/config"
)

// ss -ltnpH as root on the lab (ORIGIN.md): owners, a versioned apiserver binary, a socket
// without a process column.
func TestPortOwnersOnRealOutput(t *testing.T) {
	ls, err := ParseSS(fixture(t, "ss_ltnpH.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ListenerProcs(ls, "127.0.3.1:2379"); len(got) != 1 || got[0] != "etcd" {
		t.Errorf("2379: %q", got)
	}
	if got := ListenerProcs(ls, "2024"); len(got) != 0 {
		t.Errorf("2024 has no process column: %q", got)
	}
	owners := config.Defaults().HostChecks.PortProcesses
	f := JudgePorts(checks.Finding{}, ls, []string{"127.0.3.1:2379", "127.0.3.1:2380", "127.0.3.1:6443", "2024"}, owners)
	if f.Status != checks.OK || !strings.Contains(f.Summary, "owners as the guide names them") {
		t.Errorf("lab ports: %s %q %s", f.Status, f.Summary, f.Details)
	}
	// The apiserver's port held by etcd, and kube-proxy's health port by nobody.
	owners = map[string]string{"6444": "etcd", "10256": "kube-proxy", "2024": "kube-proxy"}
	f = JudgePorts(checks.Finding{}, ls, []string{"127.0.3.1:6444", "10256", "2024"}, owners)
	if f.Status != checks.Crit || f.Summary != "not listening: 10256; 127.0.3.1:6444 owned by kube-apiserver-, not etcd" ||
		!strings.Contains(f.Details, "owner not shown by ss (not root?): 2024") {
		t.Errorf("%s %q %q", f.Status, f.Summary, f.Details)
	}
}

func TestOwnedByComm(t *testing.T) {
	for _, c := range []struct {
		comm, want string
		ok         bool
	}{
		{"kube-controller", "kube-controller-manager", true}, {"kube-apiserver-", "kube-apiserver", true},
		{"kubelet", "kubelet", true}, {"kube-proxy", "kubelet", false}, {"nginx", "kube-proxy", false}, {"etcd", "etcdctl", false},
	} {
		if OwnedBy(c.comm, c.want) != c.ok {
			t.Errorf("OwnedBy(%q, %q) != %v", c.comm, c.want, c.ok)
		}
	}
}

func TestIsEnabledOnRealOutputs(t *testing.T) {
	for unit, want := range map[string]checks.Status{"ssh": checks.OK, "rsync": checks.Warn, "hwclock": checks.Crit, "kubelet": checks.Crit} {
		b := fixture(t, "systemctl_is_enabled_"+unit+".txt")
		var out, errOut []byte
		if strings.HasPrefix(string(b), "Failed") {
			errOut = b
		} else {
			out = b
		}
		s, err := ParseIsEnabled(out, errOut)
		if err != nil || bootState(s) != want {
			t.Errorf("%s: %q %v → %s, want %s", unit, s, err, bootState(s), want)
		}
	}
	if _, err := ParseIsEnabled(fixture(t, "systemctl_is_active_offline.txt"), nil); err == nil {
		t.Error("an offline systemd's message is not a state")
	}
}

// ps and two /proc samples of the lab's etcd and named, a second apart (ORIGIN.md).
func TestComponentsOnRealOutputs(t *testing.T) {
	ps, err := ParsePS(fixture(t, "ps_C.txt"))
	if err != nil || len(ps) != 3 || ps[0].Comm != "etcd" || ps[0].RSSKB != 364500 {
		t.Fatalf("%+v %v", ps, err)
	}
	a, err1 := ParseProcTimes(fixture(t, "proc_stat_pids_1.txt"))
	b, err2 := ParseProcTimes(fixture(t, "proc_stat_pids_2.txt"))
	if err1 != nil || err2 != nil || len(a.ByPID) != 3 || b.Total <= a.Total {
		t.Fatalf("%+v %+v %v %v", a, b, err1, err2)
	}
	// etcd's utime+stime in the first sample: 8382 + 3653.
	if a.ByPID[13939] != 12035 {
		t.Errorf("etcd jiffies %d", a.ByPID[13939])
	}
	us := ComponentUsage([]string{"etcd", "named", "kube-controller-manager"}, ps, a, b)
	if us[0].CPU <= 0 || us[0].CPU > 100 || us[1].Procs != 2 || us[2].Running {
		t.Errorf("%+v", us)
	}
	d := config.Defaults().Thresholds
	f := JudgeComponents(us, d.CPU, d.Memory)
	if f.Status != checks.Crit || !strings.HasPrefix(f.Summary, "kube-controller-manager not running") {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
	f = JudgeComponents(us[:2], d.CPU, d.Memory)
	if f.Status != checks.OK || !strings.HasPrefix(f.Summary, "2 components within limits; busiest etcd") {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
	// The guide's 90 % line: memory over it is critical, CPU at 85 % warns.
	f = JudgeComponents([]Usage{{Name: "containerd", Running: true, CPU: 85, Mem: 91, RSSKB: 1 << 20}}, d.CPU, d.Memory)
	if f.Status != checks.Crit || !strings.Contains(f.Summary, "containerd cpu 85.0 % mem 91.0 %") {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
	// A process that ended between ps and cat: cat prints the rest.
	if _, err := ParseProcTimes(append(fixture(t, "proc_stat_pids_1.txt"), fixture(t, "cat_proc_gone.err")...)); err != nil {
		t.Errorf("stderr mixed in: %v", err)
	}
	if _, err := ParsePS([]byte("PID %MEM\n")); err == nil {
		t.Error("a header is not a process")
	}
}
