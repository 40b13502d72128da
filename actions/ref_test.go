package actions

import (
	"context"
	"testing"

	"opsdeck/checks"
)

func TestForRefNamesTargetsTheActionsWay(t *testing.T) {
	mk := func(name, kind string, targets ...string) Action {
		return Action{Name: name, TargetKind: kind, Targets: func() []string { return targets },
			Plan: func(context.Context, string) (*Plan, error) { return &Plan{}, nil }}
	}
	reg := NewRegistry(
		mk("host.start-kubelet", "host", "node3"),
		mk("kube.cordon", "node", "biz:node3"),
		mk("kube.delete-pod", "pod", "biz:app/web-2"),
		mk("kube.strip-finalizers", "object", "biz:machines/node7-old", "biz:pods/app/web-2"),
		mk("adns.restart-process", "adns-process", "ops2/adns-slave/bind", "ops2/adns-slave/dnsagent"),
		mk("host.restart-container", "container", "ops2/adns-slave"),
	)
	names := func(as []Applicable) (out []string) {
		for _, a := range as {
			out = append(out, a.Action.Name+" "+a.Target)
		}
		return out
	}
	cases := []struct {
		ref  checks.Ref
		want []string
	}{
		{checks.Ref{Kind: checks.KindNode, Cluster: "biz", Name: "node3"}, []string{"host.start-kubelet node3", "kube.cordon biz:node3"}},
		{checks.Ref{Kind: checks.KindPod, Cluster: "biz", Namespace: "app", Name: "web-2"}, []string{"kube.delete-pod biz:app/web-2", "kube.strip-finalizers biz:pods/app/web-2"}},
		{checks.Ref{Kind: checks.KindMachine, Cluster: "biz", Name: "node7-old"}, []string{"kube.strip-finalizers biz:machines/node7-old"}},
		{checks.Ref{Kind: checks.KindADNSInstance, Name: "ops2/adns-slave"}, []string{"adns.restart-process ops2/adns-slave/bind", "adns.restart-process ops2/adns-slave/dnsagent", "host.restart-container ops2/adns-slave"}},
		{checks.Ref{Kind: checks.KindADNSProcess, Name: "ops2/adns-slave/dnsagent"}, []string{"adns.restart-process ops2/adns-slave/dnsagent"}},
		{checks.Ref{Kind: checks.KindOther, Name: "broken.example"}, nil},
	}
	for _, c := range cases {
		got := names(reg.ForRef(c.ref))
		if len(got) != len(c.want) {
			t.Errorf("%+v: got %v, want %v", c.ref, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%+v: got %v, want %v", c.ref, got, c.want)
			}
		}
	}
}
