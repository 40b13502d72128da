package etcd

import (
	"os"
	"testing"
	"time"
)

// find_etcd_bk.txt is real `find DIR -maxdepth 1 -name 'etcd_v3_*.db' -printf '%T@ %s %f\n'`
// output from a Debian host (an empty and a 2-byte snapshot).
func TestParseFindSnapshots(t *testing.T) {
	b, err := os.ReadFile("testdata/find_etcd_bk.txt")
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := ParseFindSnapshots(b)
	if err != nil || len(snaps) != 2 || snaps[0].Name != "etcd_v3_2026-11-25.db" || snaps[0].ModTime.Before(snaps[1].ModTime.Add(47*time.Hour)) {
		t.Fatalf("%+v %v", snaps, err)
	}
	if _, err := ParseFindSnapshots([]byte("find: '/x': No such file or directory\n")); err == nil {
		t.Fatal("an error message is not a listing")
	}
}
