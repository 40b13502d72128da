package sim

import (
	"fmt"
	"strings"
	"time"
)

// Scenario is the set of simulated hosts and their state.
type Scenario struct {
	Hosts []ScenarioHost
	ADNS  ADNSScenario // dns.go
}

// ScenarioHost is one host of a scenario.
type ScenarioHost struct {
	Name  string
	Group string
	Roles []string
	State HostState
	Down  bool // in the inventory, but nothing answers on its address
}

// Scenarios are the demo's named scenarios.
var Scenarios = []string{"standard", "outage"}

// ScenarioByName returns a named scenario.
func ScenarioByName(name string, now time.Time) (Scenario, error) {
	switch name {
	case "", "standard":
		return DemoScenario(now), nil
	case "outage":
		return OutageScenario(now), nil
	}
	return Scenario{}, fmt.Errorf("no demo scenario %q (known: %s)", name, strings.Join(Scenarios, ", "))
}

// OutageScenario is the standard scenario on a worse day: node7 is dead (its address refuses
// connections), dnsagent died in adns-slave, and node4 accepts commands but never answers.
func OutageScenario(now time.Time) Scenario {
	sc := DemoScenario(now)
	dead := sc.Hosts[len(sc.Hosts)-1]
	dead.Name, dead.Down = "node7", true
	dead.State.Units = map[string]string{"kubelet": "active", "containerd": "active"}
	sc.Hosts = append(sc.Hosts, dead)
	for i := range sc.Hosts {
		switch sc.Hosts[i].Name {
		case "ops2":
			sc.Hosts[i].State.Containers[0].Processes["dnsagent"] = "FATAL"
		case "node4":
			sc.Hosts[i].State.Hang = true
		}
	}
	outageADNS(&sc)
	outagePlatform(&sc) // platscenario.go
	outageServices(&sc, now)
	return sc
}

// DemoScenario is what `opsdeck --demo` shows: two ops hosts and six nodes, where node3's
// kubelet is inactive, node5's /home/t4 disk is at 93 % and ops2 rebooted ten minutes ago.
func DemoScenario(now time.Time) Scenario {
	healthy := func(bootedDaysAgo float64, load float64) HostState {
		return HostState{
			BootedAt:   now.Add(-time.Duration(bootedDaysAgo * float64(24*time.Hour))),
			CPUs:       32,
			Load:       [3]float64{load, load * 0.9, load * 0.8},
			CPUBusy:    18,
			MemTotalKB: 263_782_360,
			MemUsedPct: 46,
			Disks: []Disk{
				{Device: "/dev/sda2", Mount: "/", SizeKB: 102_687_672, UsedPct: 41},
				{Device: "/dev/sdb1", Mount: "/home/t4", SizeKB: 3_748_424_704, UsedPct: 57},
			},
			Units:     map[string]string{"kubelet": "active", "containerd": "active", "sshd": "active"},
			Listening: []string{"0.0.0.0:22"},
			DirsKB:    map[string]int64{"/home/t4/containerd/logs": 3_200_000, "/home/t4/sigma-slave/logs": 41_000_000},
			Files:     map[string]string{"/etc/resolv.conf": "nameserver " + demoSlaveVIP + "\n"},
		}
	}
	sc := Scenario{}
	add := func(name, group string, roles []string, st HostState) {
		sc.Hosts = append(sc.Hosts, ScenarioHost{Name: name, Group: group, Roles: roles, State: st})
	}
	adnsContainer := func(name string, master bool) Container {
		c := Container{Name: name, Up: true, Processes: map[string]string{"bind": "RUNNING", "dnsagent": "RUNNING", "keepalived": "RUNNING"}}
		if master {
			c.Processes["dnsmng"] = "RUNNING"
		}
		return c
	}
	ops1 := healthy(111, 2.1)
	ops1.Containers = []Container{adnsContainer("adns-master", true)}
	add("ops1", "ops", []string{"ops", "adns"}, ops1)
	ops2 := healthy(0, 0.4)
	ops2.BootedAt = now.Add(-10 * time.Minute) // the recent reboot
	ops2.Containers = []Container{adnsContainer("adns-slave", false)}
	add("ops2", "ops", []string{"ops", "adns"}, ops2)
	for i, name := range []string{"node1", "node2", "node3", "node4", "node5", "node6"} {
		st := healthy(float64(40+i*7), 3+float64(i))
		st.CPUBusy = 12 + float64(i*9%31)
		st.MemUsedPct = 38 + float64(i*13%35)
		st.Disks[1].UsedPct = 49 + float64(i*11%23)
		switch name {
		case "node3":
			st.Units["kubelet"] = "inactive" // rebooted-but-failed shape of §2.3.2
			boot := now.Add(-14 * time.Minute).Format("Jan 02 15:04:05")
			st.Journal = map[string][]string{"kubelet": { // the shape of a kubelet that failed at boot
				boot + " node3 systemd[1]: Started kubelet: The Kubernetes Node Agent.",
				boot + " node3 kubelet[1187]: E1126 run.go:72] \"command failed\" err=\"failed to run Kubelet: unable to determine runtime API version: rpc error: code = Unavailable desc = connection error: dial unix /run/containerd/containerd.sock: connect: no such file or directory\"",
				boot + " node3 systemd[1]: kubelet.service: Main process exited, code=exited, status=1/FAILURE",
				boot + " node3 systemd[1]: kubelet.service: Failed with result 'exit-code'.",
			}}
		case "node5":
			st.Disks[1].UsedPct = 93
		}
		st.Listening = append(st.Listening, "127.0.0.1:12029", "*:10250", "*:10255", "127.0.0.1:10248", "127.0.0.1:10249")
		roles := []string{"node"}
		if name == "node1" { // node1 is also the master: etcd, apiserver, its backups
			roles = []string{"master", "node"}
			st.Listening = append(st.Listening, "*:2379", "*:2380", "*:6443", "127.0.0.1:10251", "127.0.0.1:10257")
			st.BackupDir = true
			st.Snapshots = map[string]time.Time{
				"/home/t4/etcd/etcd_bk/etcd_v3_" + now.Add(-24*time.Hour).Format("2006-01-02") + ".db": now.Add(-22 * time.Hour),
				"/home/t4/etcd/etcd_bk/etcd_v3_" + now.Add(-48*time.Hour).Format("2006-01-02") + ".db": now.Add(-46 * time.Hour),
			}
		}
		add(name, "nodes", roles, st)
	}
	demoNTP(&sc)
	demoADNS(&sc)
	demoPlatform(&sc, now) // platscenario.go
	demoServices(&sc, now)
	return sc
}
