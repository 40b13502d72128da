package ssh

import "testing"

func TestServiceProbeShapes(t *testing.T) {
	ok := [][]string{
		{"docker", "top", "apyunqing"},
		{"docker", "inspect", "apyunqing"}, // probes.go's shapes still hold
		{"docker", "exec", "aciamcore", "curl", "-sS", "-m", "5", "http://localhost:9500/checkService"},
		{"crictl", "exec", "-s", "0123abcd", "curl", "-s", "http://localhost:9500/checkService"},
		{"curl", "-fsS", "--max-time", "10", "http://10.0.0.1/centos/7/os/x86_64/repodata/repomd.xml"},
		{"curl", "-sS", "https://yum.example/repo/repodata/repomd.xml"},
		{"mysql", "-e", `SHOW SLAVE STATUS\G`},
		{"mysql", "-h", "127.0.0.1", "-P", "3307", "-u", "monitor", "--connect-timeout=5", "-e", `SHOW REPLICA STATUS\G`},
		{"mysql", "--socket=/run/mysqld/mysqld.sock", "--execute", `SHOW SLAVE STATUS\G`},
		{"docker", "exec", "mysql1", "mysql", "-e", `SHOW SLAVE STATUS\G`},
	}
	bad := [][]string{
		{"docker", "top", "apyunqing", "aux"},
		{"docker", "top", "-eo"},
		{"docker", "rm", "apyunqing"},
		{"curl", "http://localhost:9500/checkService", "http://other/"},
		{"curl", "-o", "/etc/passwd", "http://10.0.0.1/repodata/repomd.xml"},
		{"curl", "-d", "x", "http://localhost:9500/checkService"},
		{"curl", "-X", "POST", "http://localhost:9500/checkService"},
		{"curl", "http://localhost:9500/shutdown"},
		{"curl", "http://user:pw@10.0.0.1/repodata/repomd.xml"},
		{"curl", "http://10.0.0.1/repodata/repomd.xml?x=1"},
		{"curl", "file:///etc/repodata/repomd.xml"},
		{"curl", "-K", "/tmp/cfg", "http://10.0.0.1/repodata/repomd.xml"},
		{"mysql", "-e", "DROP DATABASE x"},
		{"mysql", "-e", `SHOW SLAVE STATUS\G`, "-e", `SHOW SLAVE STATUS\G`},
		{"mysql", "-psecret", "-e", `SHOW SLAVE STATUS\G`},
		{"mysql", "--password=x", "-e", `SHOW SLAVE STATUS\G`},
		{"mysql", "-e", `SHOW SLAVE STATUS\G`, "mysql"},
		{"mysql", "--init-command=DROP TABLE t", "-e", `SHOW SLAVE STATUS\G`},
		{"mysql", "-h", "-e", `SHOW SLAVE STATUS\G`},
		{"mysql"},
		{"docker", "exec", "mysql1", "mysql", "-e", "STOP SLAVE"},
	}
	for _, a := range ok {
		if !IsProbe(a) {
			t.Errorf("refused: %q", a)
		}
	}
	for _, a := range bad {
		if IsProbe(a) {
			t.Errorf("allowed: %q", a)
		}
	}
}
