package config

import (
	"strings"
	"testing"
)

// Two hosts that jump through each other are refused at load, at the jump's line and column.
func TestJumpLoopIsRefusedAtLoad(t *testing.T) {
	src := `version: 1
name: x
hosts:
  groups:
    - name: g
      hosts:
        - {name: a, address: 10.0.0.1, jump: b}
        - {name: b, address: 10.0.0.2, jump: c}
        - {name: c, address: 10.0.0.3, jump: a}
        - {name: d, address: 10.0.0.4, jump: a}
`
	_, err := Parse("j.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "j.yaml:7:46: hosts.groups[0].hosts[0].jump: jump hosts loop: a → b → c → a") {
		t.Fatalf("%v", err)
	}
	if n := strings.Count(err.Error(), "loop"); n != 1 {
		t.Fatalf("one loop, reported %d times:\n%v", n, err)
	}
}
