package config

import (
	"errors"
	"strings"
	"testing"
)

const servicesBase = `version: 1
name: t
hosts:
  groups:
    - name: ops
      hosts:
        - {name: ops1, address: 10.0.0.1}
`

func TestServicesValidWithDefaults(t *testing.T) {
	s, err := Parse("site.yaml", []byte(servicesBase+`services:
  yunyou:
    instances: [{host: ops1}]
  iam:
    instances: [{host: ops1, role: core}, {host: ops1, role: web, runtime: crictl}]
  openapi:
    instances: [{host: ops1}]
    window: 10m
  mysql:
    instances: [{host: ops1, address: 127.0.0.1:3307, log_dir: /u02/my3306/log}]
  yum:
    roles: [ops]
    vars: {releasever: "7"}
`))
	if err != nil {
		t.Fatal(err)
	}
	sv := s.Services
	if sv.Yunyou.PortOr() != 81 || sv.Yunyou.MySQLUnitOr() != "mysql" || sv.Yunyou.Instances[0].ContainerName(DefaultYunyouContainer) != "apyunqing" {
		t.Errorf("yunyou defaults: %+v", sv.Yunyou)
	}
	if got := sv.IAM.PortsOr("web"); len(got) != 3 || got[1] != 80 {
		t.Errorf("iam web ports %v", got)
	}
	if sv.OpenAPI.WindowOr().Minutes() != 10 || sv.OpenAPI.ErrorRateOr().Warn != 5 {
		t.Errorf("openapi: %+v", sv.OpenAPI)
	}
	if got := sv.MySQL.Instances[0].Target(); got != "ops1:3307" {
		t.Errorf("mysql target %q", got)
	}
}

func TestServicesBadKeysHaveLineCol(t *testing.T) {
	_, err := Parse("site.yaml", []byte(servicesBase+`services:
  yunyou:
    instances: [{host: ops9, runtime: crictl}]
  iam:
    instances: [{host: ops1, role: admin}]
  mysql:
    instances: [{host: ops1, address: "nohostport", log_dir: "-delete"}]
  yum:
    urls: ["ftp://mirror/x"]
`))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want problems, got %v", err)
	}
	got := ps.Error()
	for _, want := range []string{
		`site.yaml:10:24: services.yunyou.instances[0].host: "ops9" is not a host`,
		`site.yaml:10:39: services.yunyou.instances[0].runtime: must be docker, not "crictl"`,
		`site.yaml:12:36: services.iam.instances[0].role: must be core (aciamcore) or web (aciamweb)`,
		`site.yaml:14:39: services.mysql.instances[0].address: "nohostport" must be host:port`,
		`site.yaml:14:62: services.mysql.instances[0].log_dir: "-delete" must be a plain path`,
		`site.yaml:16:12: services.yum.urls[0]: "ftp://mirror/x" must be an http(s) URL`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}
