package config

import "time"

// Defaults returns a site with the guide's figures (RUNBOOK.md) filled in; a site file overrides
// any of them.
func Defaults() Site {
	return Site{
		Version: CurrentVersion,
		Resources: Resources{
			Machines:     "machines.v1.machine.sigma.alipay.com",
			MachineOps:   "machineops.v1.machine.sigma.alipay.com",
			Zones:        "zones.v1.adns.alipay.com",
			DNSEndpoints: "dnsendpoints.v1.adns.alipay.com",
			DNSRecords:   "dnsrecords.v1.adns.alipay.com",
			IPInstances:  "ipinstances.v1.networking.alibaba.com",
		},
		SSH: SSH{
			KnownHosts:     "~/.ssh/known_hosts",
			UseAgent:       true,
			ConfigFile:     "~/.ssh/config",
			ConnectTimeout: Duration(5 * time.Second),
			KeepAlive:      Duration(15 * time.Second),
			// Well below OpenSSH's default MaxSessions of 10: sshd still counts sessions whose
			// close it has not processed yet.
			MaxSessionsPerHost: 4,
		},
		Hosts: Hosts{Defaults: HostDefaults{Port: 22}},
		HostChecks: HostChecks{
			Units: map[string][]string{"node": {"kubelet", "containerd"}},
			Ports: map[string][]string{ // §2.1, §5.4.1 and §5.4.2 of the guide
				"node":   {"127.0.0.1:12029", "10250", "10255", "127.0.0.1:10248", "127.0.0.1:10249", "10256"},
				"master": {"2379", "2380", "6443", "127.0.0.1:10251", "127.0.0.1:10257"},
				// Components the guide does not pin to a host: the site gives these roles to
				// the hosts that run them.
				"rama": {"19898", "19899"}, "yoda": {"23000"}, "sigma-proxy": {"18080"}, "cni-service": {"8849"}, "docker": {"4243"},
			},
			PortProcesses: map[string]string{ // §2.1: the process of each port
				"12029": "containerd", "10250": "kubelet", "10255": "kubelet", "10248": "kubelet", "10249": "kube-proxy", "10256": "kube-proxy",
				"2379": "etcd", "2380": "etcd", "6443": "kube-apiserver", "10251": "kube-scheduler", "10257": "kube-controller-manager",
				"19898": "rama-webhook", "19899": "rama-manager", "4243": "dockerd",
			},
			Processes: map[string][]string{ // §5.4.1: CPU and memory over 90 % alarm
				"node":   {"kubelet", "containerd", "kube-proxy"},
				"master": {"etcd", "kube-apiserver", "kube-scheduler", "kube-controller-manager"},
			},
			LogDirs:        []string{"/home/t4/containerd/logs", "/home/t4/sigma-slave/logs", "/home/t4/sigma-master/logs"},
			LogDirsPercent: Level{Warn: 30, Crit: 50},
			ResolvConf:     "/etc/resolv.conf",
		},
		Etcd: Etcd{
			Etcdctl:   "/usr/local/bin/etcdctl",
			Endpoints: "https://127.0.0.1:2379",
			CACert:    "/etc/kubernetes/pki/etcd/ca.crt",
			Cert:      "/etc/kubernetes/pki/etcd/server.crt",
			Key:       "/etc/kubernetes/pki/etcd/server.key",
			BackupDir: "/home/t4/etcd/etcd_bk",
			MaxAge:    Duration(26 * time.Hour), // daily snapshot by cron, kept 7 days
			// §5.2's script and its command; any line holding one of them is the entry.
			BackupCron:      []string{"etcd-backup.sh", "snapshot save"},
			DBSizeMB:        Level{Warn: 1600, Crit: 1900}, // of etcd's default 2 GiB quota
			RaftIndexSpread: Level{Warn: 1000, Crit: 10000},
		},
		ADNS: ADNS{
			DNSPort:   53,
			APIPort:   80,
			Latency:   Level{Warn: 200, Crit: 1000}, // §6.2: resolution over 200 ms is an alarm
			MinPerMin: 10,                           // §6.2
		},
		NTP: NTP{Client: "ntpdate", Offset: Level{Warn: 30, Crit: 1000}}, // §9.2 30 ms; §3.1 1 s
		Certificates: Certificates{
			Files:           []string{"/etc/kubernetes/pki/*.crt", "/etc/kubernetes/pki/etcd/*.crt"},
			KubeletClient:   "/var/lib/kubelet/pki/kubelet-client-current.pem",
			MasterBackupDir: "/home/t4/master_bk",          // §5.3
			WarnWithin:      Duration(60 * 24 * time.Hour), // §5.6.6
			CritWithin:      Duration(30 * 24 * time.Hour),
		},
		Thresholds: Thresholds{
			CPU:                Level{Warn: 80, Crit: 90}, // §2.2: over 90 % is the alarm line
			Memory:             Level{Warn: 80, Crit: 90},
			Disk:               Level{Warn: 80, Crit: 90},
			LoadPerCore:        Level{Warn: 1, Crit: 2},
			RecentReboot:       Duration(24 * time.Hour),   // a reboot since yesterday's round
			NodeHeartbeatStale: Duration(40 * time.Second), // the node lifecycle controller's grace period
			// nodeStatusReportFrequency (5m) + the grace: a kubelet with a Lease refreshes its
			// Ready condition only that often when nothing changes.
			NodeStatusStale:       Duration(5*time.Minute + 40*time.Second),
			NodeDownBeforeRemoval: Duration(10 * time.Minute),
			PodPending:            Duration(10 * time.Minute),
			PodTerminating:        Duration(10 * time.Minute),
		},
		Checks: Checks{
			Interval:    Duration(30 * time.Second),
			Timeout:     Duration(10 * time.Second),
			Concurrency: 64,
		},
		Changes: Changes{Timezone: "Local"},
		Audit:   Audit{}, // "" means $XDG_STATE_HOME/opsdeck/audit.jsonl; see AuditPath
	}
}
