package services

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Inspect is what `docker inspect NAME` says about a container's life.
type Inspect struct {
	Name         string
	RestartCount int
	State        struct {
		Status     string // running, exited, restarting, paused, dead, created
		Running    bool
		Restarting bool
		OOMKilled  bool // the last exit was the kernel's OOM killer (§4.3)
		ExitCode   int
		Error      string
		StartedAt  time.Time
		FinishedAt time.Time
	}
}

// ParseDockerInspect reads the JSON array `docker inspect` prints for one container.
func ParseDockerInspect(b []byte) (Inspect, error) {
	var all []Inspect
	if err := json.Unmarshal(b, &all); err != nil {
		return Inspect{}, fmt.Errorf("docker inspect: %v", err)
	}
	if len(all) != 1 {
		return Inspect{}, fmt.Errorf("docker inspect: %d objects, want 1", len(all))
	}
	in := all[0]
	in.Name = strings.TrimPrefix(in.Name, "/")
	return in, nil
}

// Process is one row of `docker top NAME` (ps -ef columns).
type Process struct {
	PID, Cmd string
}

// ParseDockerTop reads `docker top`: a header (UID PID PPID C STIME TTY TIME CMD) then rows;
// CMD is everything from its column on.
func ParseDockerTop(b []byte) ([]Process, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	if !sc.Scan() {
		return nil, fmt.Errorf("docker top: no output")
	}
	header := sc.Text()
	cmdAt := strings.Index(header, "CMD")
	pidAt := strings.Index(header, "PID")
	if cmdAt < 0 || pidAt < 0 {
		return nil, fmt.Errorf("docker top: unexpected header %q", header)
	}
	var out []Process
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 8 || len(line) <= cmdAt {
			return nil, fmt.Errorf("docker top: short line %q", line)
		}
		out = append(out, Process{PID: f[1], Cmd: strings.TrimSpace(line[cmdAt:])})
	}
	return out, sc.Err()
}

// Java finds the java process among ps rows (the business process of apyunqing, §4.3).
func Java(ps []Process) (Process, bool) {
	for _, p := range ps {
		prog, _, _ := strings.Cut(p.Cmd, " ")
		if prog == "java" || strings.HasSuffix(prog, "/java") {
			return p, true
		}
	}
	return Process{}, false
}

// CheckService reads the answer of /checkService (§7.3): the guide's test is that
// `curl localhost:9500/checkService | grep false` prints nothing. A JSON answer names its
// failing items (keys whose value is false, at any depth); any other answer gives its lines
// holding "false".
func CheckService(b []byte) (failing []string) {
	var doc any
	if json.Unmarshal(b, &doc) == nil {
		walkFalse("", doc, &failing)
		if len(failing) > 0 || !bytes.Contains(b, []byte("false")) {
			return failing
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.Contains(line, "false") {
			failing = append(failing, line)
		}
	}
	return failing
}

func walkFalse(path string, v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			walkFalse(p, x[k], out)
		}
	case []any:
		for i, e := range x {
			walkFalse(fmt.Sprintf("%s[%d]", path, i), e, out)
		}
	case bool:
		if !x {
			*out = append(*out, path+": false")
		}
	case string:
		if strings.EqualFold(x, "false") {
			*out = append(*out, path+": false")
		}
	}
}
