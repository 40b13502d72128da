package adns

import (
	"os"
	"path/filepath"
	"testing"
)

// Fixtures are real supervisorctl outputs from the lab's supervisord.
func TestParseSupervisorStatus(t *testing.T) {
	b, _ := os.ReadFile(filepath.Join("testdata", "supervisorctl_status.txt"))
	ps, err := ParseSupervisorStatus(b)
	if err != nil || len(ps) != 4 || ps[0].Name != "bind" || ps[0].State != "RUNNING" || ps[0].Info == "" {
		t.Fatalf("%+v %v", ps, err)
	}
	b, _ = os.ReadFile(filepath.Join("testdata", "supervisorctl_status_stopped.txt"))
	ps, err = ParseSupervisorStatus(b)
	if err != nil || ps[3].Name != "keepalived" || ps[3].State != "STOPPED" || ps[3].Info != "Nov 25 06:48 PM" {
		t.Fatalf("%+v %v", ps, err)
	}
	if _, err := ParseSupervisorStatus([]byte("unix:///var/run/supervisor.sock no such file\n")); err == nil {
		t.Fatal("an error message is not a status")
	}
}
