package ssh

import (
	"strings"
	"testing"
)

func TestProbeAllowlist(t *testing.T) {
	allowed := [][]string{
		// checks/hosts and checks/adns, as they run today
		{"true"}, {"nproc"}, {"cat", "/proc/uptime"}, {"cat", "/proc/loadavg"}, {"cat", "/proc/meminfo"},
		{"cat", "resolv.conf"}, {"cat", "--", "/etc/resolv.conf"}, {"head", "-n", "1", "/proc/stat"},
		{"df", "-P"}, {"df", "-P", "-l"}, {"df", "-Pk", "/home/t4/logs", "/var/log"}, {"du", "-sk", "logs/sigma-slave", "/home/t4/x"},
		{"du", "-sk", "--", "/home/t4/x"}, {"ss", "-ltnH"}, {"systemctl", "is-active", "kubelet"}, {"systemctl", "is-active", "kubelet", "containerd"},
		{"docker", "ps", "-a", "--format", "{{.Names}}\t{{.Status}}"}, {"crictl", "ps", "-a"},
		{"/usr/local/bin/etcdctl", "--endpoints", "https://127.0.0.1:2379", "--cacert", "/a", "--cert", "/b", "--key", "/c", "endpoint", "health"},
		{"etcdctl", "--endpoints", "http://127.0.3.1:2379", "endpoint", "health"},
		{"etcdctl", "--endpoints=http://x:2379", "endpoint", "status", "-w", "json"},
		{"find", "/home/t4/etcd/etcd_bk", "-maxdepth", "1", "-name", "etcd_v3_*.db", "-printf", `%T@ %s %f\n`},
		{"supervisorctl", "status"}, {"docker", "exec", "adns-slave", "supervisorctl", "status"},
		// the NTP, certificate, IP and container probes
		{"chronyc", "-n", "-c", "sources"}, {"chronyc", "-n", "-c", "tracking"}, {"ntpq", "-pn"}, {"ntpq", "-p", "-n"},
		{"cat", "/etc/kubernetes/pki/ca.crt"}, {"ip", "-o", "addr"}, {"ip", "-o", "addr", "show", "dev", "eth0"},
		{"crictl", "ps", "-a", "-o", "json"}, {"crictl", "exec", "abc123", "supervisorctl", "status"},
		{"crictl", "inspect", "abc123"}, {"docker", "inspect", "--format", "{{.State.Status}}", "adns-master"},
		{"docker", "exec", "adns-master", "cat", "/etc/named.conf"},
		// log tails (site/tail)
		{"tail", "-n", "100", "-F", "/var/log/messages"}, {"supervisorctl", "tail", "-f", "bind"}, {"supervisorctl", "tail", "-f", "keepalived", "stderr"},
		{"docker", "exec", "adns-slave", "supervisorctl", "tail", "-f", "bind"}, {"crictl", "ps", "-q", "--name", "^adns$"}, {"crictl", "ps", "-q", "--state", "running", "--name", "^adns-slave$"},
		{"crictl", "exec", "0123abcd", "tail", "-n", "50", "-F", "/var/log/named.log"},
		// the certificate and DNS checks
		{"find", "/etc/kubernetes/pki", "-maxdepth", "1", "-name", "*.crt", "-type", "f"}, {"ip", "-o", "addr", "show"}, {"journalctl", "-u", "kubelet", "-n", "50", "--no-pager"},
		// the platform checks (etcd members, alarms and backup cron, master certificate backup,
		// boot-time services, port owners, component resources)
		{"etcdctl", "--endpoints", "https://127.0.0.1:2379", "--cacert", "/a", "--cert", "/b", "--key", "/c", "endpoint", "status", "--cluster", "-w", "json"},
		{"etcdctl", "--endpoints", "http://127.0.3.1:2379", "alarm", "list"}, {"crontab", "-l"}, {"crontab", "-l", "-u", "admin"},
		{"find", "/home/t4/master_bk", "-maxdepth", "1", "-name", "*.tar.gz", "-type", "f", "-printf", `%T@ %s %f\n`},
		{"systemctl", "is-enabled", "containerd"}, {"ss", "-ltnpH"},
		{"ps", "-C", "kubelet,containerd,kube-apiserver", "-o", "pid=,pmem=,rss=,comm="}, {"ps", "--no-headers", "-p", "1,2", "-o", "pid,comm"},
		{"cat", "/proc/stat", "/proc/1234/stat", "/proc/99/stat"},
	}
	for _, a := range allowed {
		if !IsProbe(a) {
			t.Errorf("refused a probe: %s", Quote(a...))
		}
	}
	refused := [][]string{
		{}, {"sh", "-c", "cat /proc/loadavg"}, {"bash"}, {"rm", "-rf", "/"}, {"sleep", "60"},
		{"find", "-delete"}, {"find", "/x", "-delete"}, {"find", "/x", "-exec", "rm", "{}", ";"}, {"find", "/x", "-fprintf", "/etc/passwd", "x"},
		{"cat", "-v", "/x"}, {"cat"}, {"cat", "/x", "-"}, {"du", "-sk", "-delete"}, {"df", "--output=/x"},
		{"systemctl", "restart", "kubelet"}, {"systemctl", "is-active", "--", "-H"}, {"supervisorctl", "restart", "bind"},
		{"supervisorctl", "-c", "/tmp/x.conf", "status"}, {"supervisorctl", "tail", "-f", "bind", "extra"}, {"supervisorctl", "tail", "-f"},
		{"supervisorctl", "stop", "all"},
		{"ntpq", "-c", ":config restrict default"}, {"ntpq"}, {"chronyc", "makestep"}, {"chronyc", "-n", "sources", "extra"},
		{"journalctl", "--vacuum-size=1"}, {"journalctl", "--rotate"},
		{"etcdctl", "snapshot", "save", "/tmp/x"}, {"etcdctl", "del", "--prefix", "/"}, {"etcdctl", "--endpoints", "x", "endpoint", "health", "--exec"},
		{"docker", "restart", "adns"}, {"docker", "rm", "-f", "x"}, {"docker", "exec", "-it", "x", "sh"}, {"docker", "exec", "x", "sh", "-c", "id"},
		{"docker", "exec", "-u", "root", "x", "cat", "/x"}, {"crictl", "rmp", "x"}, {"crictl", "exec", "x", "rm", "/x"},
		{"ip", "addr", "add", "10.0.0.1/24", "dev", "eth0"}, {"ip", "link", "set", "eth0", "down"}, {"ip", "-b", "/tmp/batch"},
		{"ss", "-K"}, {"ss", "-ltn", "dst", "1.2.3.4"}, {"tail", "-n", "1"}, {"./cat", "/x"}, {"bin/cat", "/x"}, {"-cat"},
		{"timeout", "-s", "KILL", "5", "rm", "/x"},
		{"etcdctl", "alarm", "disarm"}, {"etcdctl", "--endpoints", "x", "alarm", "disarm"}, {"etcdctl", "defrag"}, {"etcdctl", "compaction", "5"},
		{"etcdctl", "alarm", "list", "disarm"}, {"crontab", "-e"}, {"crontab", "-r"}, {"crontab", "-l", "-r"}, {"crontab", "/tmp/evil"}, {"crontab", "-"},
		{"crontab"}, {"crontab", "-l", "-u"}, {"crontab", "-l", "-u", "-r"}, {"crontab", "-u", "admin", "-r"},
		{"ps"}, {"ps", "aux"}, {"ps", "-C", "kubelet", "extra"}, {"ps", "-o"}, {"ps", "--sort=x", "-e"},
		{"ss", "-ltnpH", "-K"}, {"systemctl", "enable", "kubelet"}, {"systemctl", "disable", "kubelet"}, {"systemctl", "is-enabled", "kubelet", "--now"},
	}
	for _, a := range refused {
		if IsProbe(a) {
			t.Errorf("allowed a non-probe: %s", Quote(a...))
		}
	}
}

// Whatever the words, a probe shape never carries an option where a path goes.
func FuzzProbeOperandsNeverOptions(f *testing.F) {
	f.Add("cat", "/proc/loadavg", "")
	f.Add("find", "/x", "-delete")
	f.Add("du", "-sk", "-x")
	f.Fuzz(func(t *testing.T, prog, a, b string) {
		argv := []string{prog, a, b}
		if !IsProbe(argv) {
			return
		}
		switch prog {
		case "cat", "du", "df":
			for _, w := range argv[1:] {
				if w != "--" && strings.HasPrefix(w, "-") && !strings.ContainsAny(w[1:], "-=") && prog == "cat" {
					t.Fatalf("cat took an option: %q", argv)
				}
			}
		case "find":
			if strings.Contains(a+b, "delete") || strings.Contains(a+b, "exec") {
				t.Fatalf("find: %q", argv)
			}
		}
	})
}
