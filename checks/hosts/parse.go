package hosts

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseUptime reads /proc/uptime: seconds since boot, then idle seconds.
func ParseUptime(b []byte) (time.Duration, error) {
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 0, fmt.Errorf("/proc/uptime: empty")
	}
	s, err := strconv.ParseFloat(f[0], 64)
	if err != nil || s < 0 {
		return 0, fmt.Errorf("/proc/uptime: %q is not seconds", f[0])
	}
	return time.Duration(s * float64(time.Second)), nil
}

// ParseLoadavg reads the 1, 5 and 15 minute load averages from /proc/loadavg.
func ParseLoadavg(b []byte) ([3]float64, error) {
	var l [3]float64
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return l, fmt.Errorf("/proc/loadavg: want 3 numbers, got %q", strings.TrimSpace(string(b)))
	}
	for i := range 3 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return l, fmt.Errorf("/proc/loadavg: %q is not a number", f[i])
		}
		l[i] = v
	}
	return l, nil
}

// ParseNproc reads the output of nproc.
func ParseNproc(b []byte) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("nproc: %q is not a CPU count", strings.TrimSpace(string(b)))
	}
	return n, nil
}

// CPUTimes is the aggregate "cpu" line of /proc/stat, in jiffies.
type CPUTimes struct {
	User, Nice, System, Idle, IOWait, IRQ, SoftIRQ, Steal uint64
}

func (c CPUTimes) total() uint64 {
	return c.User + c.Nice + c.System + c.Idle + c.IOWait + c.IRQ + c.SoftIRQ + c.Steal
}

// ParseProcStat reads the aggregate cpu line from /proc/stat (the whole file or its first line).
func ParseProcStat(b []byte) (CPUTimes, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != "cpu" {
			continue
		}
		if len(f) < 9 {
			return CPUTimes{}, fmt.Errorf("/proc/stat: short cpu line %q", sc.Text())
		}
		var v [8]uint64
		for i := range 8 {
			n, err := strconv.ParseUint(f[i+1], 10, 64)
			if err != nil {
				return CPUTimes{}, fmt.Errorf("/proc/stat: %q is not a counter", f[i+1])
			}
			v[i] = n
		}
		return CPUTimes{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]}, nil
	}
	return CPUTimes{}, fmt.Errorf("/proc/stat: no cpu line")
}

// CPUUtil is tsar's cpu util between two samples: 100 − idle − iowait − steal, in percent.
func CPUUtil(a, b CPUTimes) (float64, error) {
	dt := float64(b.total()) - float64(a.total())
	if dt <= 0 {
		return 0, fmt.Errorf("/proc/stat: counters did not advance between samples")
	}
	idle := float64(b.Idle-a.Idle) + float64(b.IOWait-a.IOWait) + float64(b.Steal-a.Steal)
	return clampPct(100 - idle*100/dt), nil
}

// Meminfo holds the /proc/meminfo fields tsar's mem util uses, in kB.
type Meminfo struct {
	Total, Free, Buffers, Cached int64
}

// ParseMeminfo reads /proc/meminfo.
func ParseMeminfo(b []byte) (Meminfo, error) {
	var m Meminfo
	fields := map[string]*int64{"MemTotal": &m.Total, "MemFree": &m.Free, "Buffers": &m.Buffers, "Cached": &m.Cached}
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		p, want := fields[name]
		if !ok || !want {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return m, fmt.Errorf("/proc/meminfo: %s has no value", name)
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return m, fmt.Errorf("/proc/meminfo: %s: %q is not a number", name, f[0])
		}
		*p = v
		seen++
	}
	if seen < len(fields) || m.Total <= 0 {
		return m, fmt.Errorf("/proc/meminfo: missing MemTotal, MemFree, Buffers or Cached")
	}
	return m, nil
}

// Util is tsar's mem util: (total − free − buffers − cached) / total, in percent.
func (m Meminfo) Util() float64 {
	return clampPct(float64(m.Total-m.Free-m.Buffers-m.Cached) * 100 / float64(m.Total))
}

// Mount is one line of df -P.
type Mount struct {
	Filesystem string
	SizeKB     int64
	UsedKB     int64
	AvailKB    int64
	Mount      string
}

// Util is df's Capacity without rounding: used / (used + available), which counts the blocks
// reserved for root as unavailable, as df does.
func (m Mount) Util() float64 {
	if m.UsedKB+m.AvailKB == 0 {
		return 0
	}
	return clampPct(float64(m.UsedKB) * 100 / float64(m.UsedKB+m.AvailKB))
}

// pseudo filesystems are not disks an operator can fill.
var pseudoFS = map[string]bool{"tmpfs": true, "devtmpfs": true, "udev": true, "shm": true, "none": true, "proc": true, "sysfs": true, "cgroup": true}

// ParseDF reads df -P output, skipping pseudo filesystems. Mount points with spaces are kept.
func ParseDF(b []byte) ([]Mount, error) {
	var out []Mount
	sc := bufio.NewScanner(bytes.NewReader(b))
	header := true
	for sc.Scan() {
		line := sc.Text()
		if header {
			if !strings.HasPrefix(line, "Filesystem") {
				return nil, fmt.Errorf("df -P: unexpected header %q", line)
			}
			header = false
			continue
		}
		f := strings.Fields(line)
		if len(f) < 6 {
			return nil, fmt.Errorf("df -P: short line %q", line)
		}
		var nums [3]int64
		for i := range 3 {
			n, err := strconv.ParseInt(f[i+1], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("df -P: %q is not a block count in %q", f[i+1], line)
			}
			nums[i] = n
		}
		if !strings.HasSuffix(f[4], "%") && f[4] != "-" {
			return nil, fmt.Errorf("df -P: %q is not a capacity in %q", f[4], line)
		}
		// The mount point is everything after the fifth field.
		idx := strings.Index(line, f[4]) + len(f[4])
		m := Mount{Filesystem: f[0], SizeKB: nums[0], UsedKB: nums[1], AvailKB: nums[2], Mount: strings.TrimSpace(line[idx:])}
		if pseudoFS[m.Filesystem] || m.SizeKB == 0 {
			continue
		}
		out = append(out, m)
	}
	if header {
		return nil, fmt.Errorf("df -P: no output")
	}
	return out, nil
}

func clampPct(v float64) float64 { return math.Max(0, math.Min(100, v)) }
