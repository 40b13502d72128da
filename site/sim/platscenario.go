package sim

import "time"

// demoPlatform gives the standard scenario its platform state: a three-member etcd whose only
// inventory master is node1, the §5.2 backup entry in node1's crontab, kube-proxy's health port
// on every node, and three problems — node6's containerd does not start at boot (§9.7), node4's
// kube-proxy health port is held by nginx (§2.1), and node1's certificate backup predates a
// certificate renewal (§5.3).
func demoPlatform(sc *Scenario, now time.Time) {
	etcd := &EtcdCluster{Members: []EtcdMember{
		{Endpoint: "https://10.10.1.1:2379", ID: 0x8e9e05c52164694d, Leader: true, DBSize: 61_440_000},
		{Endpoint: "https://10.10.1.2:2379", ID: 0x2fb1a626068d984b, DBSize: 61_300_736},
		{Endpoint: "https://10.10.1.3:2379", ID: 0x86d4e895160c88cd, DBSize: 61_300_736, RaftLag: 2},
	}}
	for i := range sc.Hosts {
		h := &sc.Hosts[i]
		if h.Group == "nodes" {
			h.State.Listening = append(h.State.Listening, "*:10256")
		}
		switch h.Name {
		case "node1":
			h.State.Plat.Etcd = etcd
			h.State.Plat.Crontab = "# etcd backup (§5.2)\n0 2 * * * sh /opt/etcd_back/etcd-backup.sh\n"
			renewed := now.Add(-12 * 24 * time.Hour)
			h.State.Plat.MTimes = map[string]time.Time{"/etc/kubernetes/pki/front-proxy-client.crt": renewed}
			backup := now.Add(-90 * 24 * time.Hour)
			h.State.Snapshots["/home/t4/master_bk/ake3-master-10.10.1.1-"+backup.Format("2006-01-02_15:04:05_MST")+".tar.gz"] = backup
		case "node4":
			h.State.Plat.Owners = map[string]string{"10256": "nginx"}
		case "node6":
			h.State.Plat.Enabled = map[string]string{"containerd": "disabled"}
		}
	}
}

// outagePlatform makes the outage worse on the platform side: etcd member 10.10.1.3 is down and
// the cluster hit its quota (alarm NOSPACE), the backup cron entry is gone, and containerd on
// node2 holds 91 % of the machine's memory.
func outagePlatform(sc *Scenario) {
	for i := range sc.Hosts {
		h := &sc.Hosts[i]
		switch h.Name {
		case "node1":
			c := *h.State.Plat.Etcd
			c.Members = append([]EtcdMember(nil), c.Members...)
			c.Members[2].Down = true
			for j := range c.Members {
				c.Members[j].DBSize = 2_147_000_000
			}
			c.Alarms = []string{"NOSPACE"}
			h.State.Plat.Etcd = &c
			h.State.Plat.Crontab = ""
		case "node2":
			h.State.MemUsedPct = 96
			h.State.Plat.Procs = map[string]ProcShare{"kubelet": {CPU: 1.4, Mem: 0.5}, "containerd": {CPU: 3.1, Mem: 91}, "kube-proxy": {CPU: 0.2, Mem: 0.1}}
		}
	}
}
