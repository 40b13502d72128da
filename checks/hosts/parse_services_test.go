package hosts

import (
	"testing"
)

func TestParseSSRealAndForms(t *testing.T) {
	ls, err := ParseSS(fixture(t, "ss_ltnH.txt"))
	if err != nil || len(ls) != 16 {
		t.Fatalf("%v %d", err, len(ls))
	}
	if !Listening(ls, "127.0.3.1:6443") || !Listening(ls, "6443") || Listening(ls, "127.0.0.1:6443") || Listening(ls, "10250") {
		t.Error("listening rules on the real capture")
	}
	if !Listening(ls, "10.1.2.3:2024") { // 0.0.0.0:2024 serves every address
		t.Error("any-address socket")
	}
	forms, err := ParseSS(fixture(t, "ss_ltnH_forms.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"10250", "127.0.0.1:10250", "10255", "127.0.0.1:10248", "127.0.0.53:53", "127.0.0.1:12029"} {
		if !Listening(forms, want) {
			t.Errorf("%s not found in %+v", want, forms)
		}
	}
	if Listening(forms, "127.0.0.2:10248") {
		t.Error("a loopback-only socket does not serve another address")
	}
}

func TestParseContainers(t *testing.T) {
	cs := ParseDockerPS([]byte("adns-master\tUp 3 days\napyunqing\tExited (137) 2 hours ago\n"))
	if len(cs) != 2 || !cs[0].Up() || cs[1].Up() {
		t.Fatalf("%+v", cs)
	}
	// crictl aligns its table with a tabwriter; CREATED and POD ID hold spaces.
	cr, err := ParseCrictlPS(fixture(t, "crictl_ps_a.txt"))
	if err != nil || len(cr) != 2 || cr[0].Name != "adns-slave" || !cr[0].Up() || cr[1].Up() {
		t.Fatalf("%+v %v", cr, err)
	}
}

func TestParseDU(t *testing.T) {
	du, err := ParseDU(fixture(t, "du_sk.txt"))
	if err != nil || du["/var/log"] != 676 {
		t.Fatalf("%v %v", du, err)
	}
	mounts, err := ParseDF(fixture(t, "df_Pk_dir.txt"))
	if err != nil || len(mounts) != 1 || mounts[0].Mount != "/" {
		t.Fatalf("%+v %v", mounts, err)
	}
}
