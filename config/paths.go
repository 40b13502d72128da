package config

import (
	"fmt"
	"path"
	"strings"
)

// remotePaths validates the paths of the site file that end up in commands on hosts: absolute,
// or relative to the login user's home ("~/x" is written back as "x": commands start in the home
// and a quoted "~" would not expand). None may start with "-" (it would be read as an option:
// `etcd.backup_dir: -delete` once made the backup check run `find -delete`) or carry control
// characters. Programs (etcd.etcdctl) are a bare name or an absolute path.
func (v *validator) remotePaths(s *Site) {
	remote := func(field string, p *string, required bool) {
		if *p == "" {
			if required {
				v.at(field, "required: an absolute path, or one relative to the login user's home")
			}
			return
		}
		if rest, ok := strings.CutPrefix(*p, "~/"); ok {
			*p = rest
		}
		switch {
		case strings.HasPrefix(*p, "-"):
			v.at(field, "%q must not start with '-' (it would be read as an option)", *p)
		case strings.HasPrefix(*p, "~"):
			v.at(field, "%q: only ~/ (the login user's own home) is understood", *p)
		case strings.ContainsFunc(*p, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			v.at(field, "%q carries a control character", *p)
		case *p == "":
			v.at(field, "\"~/\" alone is the home itself: name a path in it")
		}
	}
	hc := &s.HostChecks
	for i := range hc.LogDirs {
		remote(fmt.Sprintf("host_checks.log_dirs[%d]", i), &hc.LogDirs[i], true)
	}
	remote("host_checks.resolv_conf", &hc.ResolvConf, true)
	e := &s.Etcd
	remote("etcd.backup_dir", &e.BackupDir, true)
	remote("etcd.cacert", &e.CACert, false)
	remote("etcd.cert", &e.Cert, false)
	remote("etcd.key", &e.Key, false)
	remote("certificates.master_backup_dir", &s.Certificates.MasterBackupDir, false)
	if strings.HasPrefix(e.Endpoints, "-") {
		v.at("etcd.endpoints", "%q must not start with '-'", e.Endpoints)
	}
	if e.Etcdctl == "" || strings.HasPrefix(e.Etcdctl, "-") || e.Etcdctl != path.Base(e.Etcdctl) && !strings.HasPrefix(e.Etcdctl, "/") {
		v.at("etcd.etcdctl", "%q must be a program name (found in PATH) or an absolute path", e.Etcdctl)
	}
	for i := range s.Logs {
		if l := &s.Logs[i]; l.Host != "" && (l.Kind == "" || l.Kind == "file") { // a file on a host
			if l.Path != "" {
				remote(fmt.Sprintf("logs[%d].path", i), &l.Path, false)
			}
		}
	}
}
