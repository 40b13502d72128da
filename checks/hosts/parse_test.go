package hosts

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Fixtures are real outputs captured on a Debian host (df_P_spaces is df's format with a mount
// point containing a space).
func TestParseRealOutputs(t *testing.T) {
	up, err := ParseUptime(fixture(t, "proc_uptime.txt"))
	if err != nil || up.Round(time.Millisecond) != 539550*time.Millisecond {
		t.Errorf("uptime %v %v", up, err)
	}
	l, err := ParseLoadavg(fixture(t, "proc_loadavg.txt"))
	if err != nil || l != [3]float64{0.14, 0.14, 0.05} {
		t.Errorf("loadavg %v %v", l, err)
	}
	n, err := ParseNproc(fixture(t, "nproc.txt"))
	if err != nil || n < 1 {
		t.Errorf("nproc %v %v", n, err)
	}
	a, err1 := ParseProcStat(fixture(t, "proc_stat_1.txt"))
	b, err2 := ParseProcStat(fixture(t, "proc_stat_2.txt"))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	// 1 sys jiffy, 200 idle, 1 iowait: util = 100 − (200+1)/202·100 ≈ 0.495 %.
	if u, err := CPUUtil(a, b); err != nil || u < 0.49 || u > 0.5 {
		t.Errorf("cpu util %v %v", u, err)
	}
	if _, err := CPUUtil(b, b); err == nil {
		t.Error("equal samples must be an error, not 0 %")
	}
	m, err := ParseMeminfo(fixture(t, "proc_meminfo.txt"))
	if err != nil || m.Total != 24683656 {
		t.Fatalf("meminfo %+v %v", m, err)
	}
	// (24683656 − 24426112 − 2496 − 156184) / 24683656
	if u := m.Util(); u < 0.4 || u > 0.41 {
		t.Errorf("mem util %v", u)
	}
	mounts, err := ParseDF(fixture(t, "df_P.txt"))
	if err != nil || len(mounts) != 1 || mounts[0].Mount != "/" {
		t.Fatalf("df %+v %v", mounts, err)
	}
	// df's Capacity column says 13 %: used / (used + available), not used / size.
	if u := mounts[0].Util(); u < 12.4 || u > 12.5 {
		t.Errorf("disk util %v, want df's 12.4..12.5", u)
	}
}

func TestParseDFMountWithSpaces(t *testing.T) {
	mounts, err := ParseDF(fixture(t, "df_P_spaces.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(mounts) != 3 || mounts[2].Mount != "/mnt/my share" {
		t.Fatalf("%+v", mounts)
	}
	if u := mounts[1].Util(); u < 92.9 || u > 93.1 {
		t.Errorf("/home/t4 util %v", u)
	}
}

func TestParseErrorsAreClear(t *testing.T) {
	if _, err := ParseDF([]byte("garbage\n")); err == nil {
		t.Error("df garbage accepted")
	}
	if _, err := ParseMeminfo([]byte("MemTotal: 10 kB\n")); err == nil {
		t.Error("incomplete meminfo accepted")
	}
	if _, err := ParseLoadavg([]byte("0.1 x 0.3\n")); err == nil {
		t.Error("bad loadavg accepted")
	}
	if _, err := ParseProcStat([]byte("intr 1 2 3\n")); err == nil {
		t.Error("stat without cpu line accepted")
	}
}
