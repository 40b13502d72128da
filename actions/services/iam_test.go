package services

import (
	"context"
	"strings"
	"testing"

	"opsdeck/actions"
	"opsdeck/config"
)

func TestIAMRestartOrder(t *testing.T) {
	s := config.Defaults()
	s.Hosts.Groups = []config.HostGroup{{Name: "ops", Hosts: []config.HostConfig{{Name: "ops1", Address: "10.10.0.11"}, {Name: "ops2", Address: "10.10.0.12"}}}}
	// Listed web first: the plan still restarts every aciamcore before any aciamweb.
	s.Services.IAM.Instances = []config.ServiceInstance{
		{Host: "ops1", Role: "web"}, {Host: "ops1", Role: "core"}, {Host: "ops2", Role: "core"},
		{Host: "ops2", Role: "web", Runtime: "crictl"},
	}
	reg := actions.NewRegistry(Actions(&s)...)
	a, err := reg.Lookup("iam.restart", "ops1/aciamweb")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Lookup("iam.restart", "ops2/aciamweb"); err == nil {
		t.Error("a crictl container is no target of docker restart")
	}
	p, err := a.Plan(context.Background(), "ops1/aciamweb")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p.Lines(), "\n")
	want := "1. ssh ops1: docker restart aciamcore\n2. ssh ops2: docker restart aciamcore\n3. ssh ops1: docker restart aciamweb"
	if got != want || !p.Destructive || p.Verify.Check != "iam.service" || p.Verify.Target != "ops1/aciamcore" {
		t.Errorf("plan:\n%s\nverify %+v", got, p.Verify)
	}
	if p, _ := a.Plan(context.Background(), "ops2/aciamcore"); p.Verify.Target != "ops2/aciamcore" {
		t.Errorf("started from ops2/aciamcore, verifies %s", p.Verify.Target)
	}
	s.Services.Yunyou.Instances = []config.ServiceInstance{{Host: "ops2"}}
	y, err := actions.NewRegistry(Actions(&s)...).Lookup("yunyou.restart", "ops2/apyunqing")
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := y.Plan(context.Background(), "ops2/apyunqing"); strings.Join(p.Lines(), "\n") != "1. ssh ops2: docker restart apyunqing" || p.Verify.Check != "yunyou.service" {
		t.Errorf("yunyou plan: %q", p.Lines())
	}
	if len(Actions(&config.Site{})) != 0 {
		t.Error("no IAM configured: no action")
	}
}
