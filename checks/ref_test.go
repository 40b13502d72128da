package checks

import "testing"

func TestParseRefAndGuide(t *testing.T) {
	cases := []struct {
		kind, target string
		want         Ref
	}{
		{KindHost, "node3", Ref{Kind: KindHost, Name: "node3"}},
		{KindNode, "node3", Ref{Kind: KindNode, Name: "node3"}},
		{KindNode, "biz/node3", Ref{Kind: KindNode, Cluster: "biz", Name: "node3"}},
		{KindPod, "app/web-2", Ref{Kind: KindPod, Namespace: "app", Name: "web-2"}},
		{KindPod, "biz/app/web-2", Ref{Kind: KindPod, Cluster: "biz", Namespace: "app", Name: "web-2"}},
		{KindMachine, "node7-old", Ref{Kind: KindMachine, Name: "node7-old"}},
		{KindADNSProcess, "ops2/adns-slave/dnsagent", Ref{Kind: KindADNSProcess, Name: "ops2/adns-slave/dnsagent"}},
	}
	for _, c := range cases {
		got := ParseRef(c.kind, c.target)
		if got != c.want {
			t.Errorf("ParseRef(%s, %s) = %+v, want %+v", c.kind, c.target, got, c.want)
		}
		if got.Target() != c.target {
			t.Errorf("%+v.Target() = %q, want %q", got, got.Target(), c.target)
		}
	}
	if f := (Finding{Check: "kube.pod", Target: "app/web-2"}); f.Ref().Kind != KindPod {
		t.Errorf("kube.pod findings name pods: %+v", f.Ref())
	}
	for id, want := range map[string]string{"host.kubelet": "§2.3.2", "etcd.backup": "§5.2", "ntp.offset": "§3.1", "nothing.here": "",
		"kube.pods": "", "kube.pod": "§4.4.1", "kube.pod.x": "§4.4.1", "adns.zone.a.b": "§6", "adnsx": "", "": "", ".": "", "host.": ""} {
		if got := GuideOf(id); got != want {
			t.Errorf("GuideOf(%s) = %q, want %q", id, got, want)
		}
	}
}
