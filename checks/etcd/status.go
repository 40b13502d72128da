package etcd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"opsdeck/checks"
	"opsdeck/config"
)

// Member is one etcd member as `etcdctl endpoint status --cluster -w json` reports it, or the
// reason it could not (Err, from etcdctl's "Failed to get the status of endpoint …" line).
type Member struct {
	Endpoint    string
	ID          uint64
	Leader      uint64 // 0: the member knows no leader
	Version     string
	DBSize      int64
	DBSizeInUse int64
	RaftIndex   uint64
	RaftTerm    uint64
	Errors      []string // the member's own errors: "etcdserver: no leader", "memberID:… alarm:NOSPACE "
	Err         string
}

type statusJSON struct {
	Endpoint string
	Status   struct {
		Header struct {
			MemberID uint64 `json:"member_id"`
		} `json:"header"`
		Version     string   `json:"version"`
		DBSize      int64    `json:"dbSize"`
		DBSizeInUse int64    `json:"dbSizeInUse"`
		Leader      uint64   `json:"leader"`
		RaftIndex   uint64   `json:"raftIndex"`
		RaftTerm    uint64   `json:"raftTerm"`
		Errors      []string `json:"errors"`
	}
}

// ParseEndpointStatus reads `etcdctl endpoint status --cluster -w json`: the JSON array on
// stdout (members that answered) and the "Failed to get the status of endpoint URL (reason)"
// lines on stderr (members that did not). etcdctl's logged warnings on stderr are skipped.
func ParseEndpointStatus(stdout, stderr []byte) ([]Member, error) {
	var out []Member
	if s := bytes.TrimSpace(stdout); len(s) > 0 {
		var raw []statusJSON
		if err := json.Unmarshal(s, &raw); err != nil {
			return nil, fmt.Errorf("endpoint status -w json: %v", err)
		}
		for _, r := range raw {
			st := r.Status
			out = append(out, Member{Endpoint: r.Endpoint, ID: st.Header.MemberID, Leader: st.Leader, Version: st.Version,
				DBSize: st.DBSize, DBSizeInUse: st.DBSizeInUse, RaftIndex: st.RaftIndex, RaftTerm: st.RaftTerm, Errors: st.Errors})
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Failed to get the status of endpoint ")
		if !ok {
			continue
		}
		ep, reason, _ := strings.Cut(rest, " ")
		out = append(out, Member{Endpoint: ep, Err: strings.Trim(reason, "()")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Endpoint < out[j].Endpoint })
	return out, nil
}

// badAlarm tells whether an etcd alarm stops the cluster: NOSPACE (writes refused) or CORRUPT.
func badAlarm(s string) bool { return strings.Contains(s, "NOSPACE") || strings.Contains(s, "CORRUPT") }

// JudgeMembers is §5.2's cluster view: every member answers, one leader all agree on, no member
// errors (an alarm is critical), database size against its quota, raft indexes close together.
func JudgeMembers(ms []Member, e config.Etcd) checks.Finding {
	var f checks.Finding
	var up []Member
	var down, errs []string
	leaders := map[uint64]bool{}
	for _, m := range ms {
		if m.Err != "" {
			down = append(down, m.Endpoint+" ("+m.Err+")")
			continue
		}
		up = append(up, m)
		if m.Leader != 0 {
			leaders[m.Leader] = true
		}
		for _, e := range m.Errors {
			// Every member reports the cluster's alarms: say each once.
			if e = prettyError(e); !slices.Contains(errs, e) {
				errs = append(errs, e)
			}
		}
	}
	if len(up) == 0 {
		f.Status, f.Summary = checks.Crit, fmt.Sprintf("no etcd member answers: %s", strings.Join(down, "; "))
		return f
	}
	var minIdx, maxIdx uint64 = up[0].RaftIndex, up[0].RaftIndex
	var maxDB int64
	for _, m := range up {
		minIdx, maxIdx, maxDB = min(minIdx, m.RaftIndex), max(maxIdx, m.RaftIndex), max(maxDB, m.DBSize)
	}
	dbMB := float64(maxDB) / (1 << 20)
	spread := float64(maxIdx - minIdx)
	quorum := len(ms)/2 + 1
	f.Metrics = []checks.Metric{
		{Name: "members", Value: float64(len(ms))}, {Name: "answering", Value: float64(len(up))},
		{Name: "db size", Value: round1(dbMB), Unit: "MB", Warn: e.DBSizeMB.Warn, Crit: e.DBSizeMB.Crit},
		{Name: "raft index spread", Value: spread, Warn: e.RaftIndexSpread.Warn, Crit: e.RaftIndexSpread.Crit},
	}
	var problems []string
	note := func(s checks.Status, msg string) {
		f.Status = max(f.Status, s)
		problems = append(problems, msg)
	}
	switch {
	case len(leaders) == 0:
		note(checks.Crit, "no leader")
	case len(leaders) > 1:
		note(checks.Warn, fmt.Sprintf("members disagree on the leader (%d leaders seen: an election?)", len(leaders)))
	}
	if len(down) > 0 {
		msg := fmt.Sprintf("%d of %d members not answering: %s", len(down), len(ms), strings.Join(down, "; "))
		if len(up) < quorum {
			msg += " — quorum lost"
		} else {
			msg += " — quorum holds, one more failure loses it"
		}
		note(checks.Crit, msg)
	}
	for _, e := range errs {
		if badAlarm(e) {
			note(checks.Crit, e)
		} else if !strings.Contains(e, "no leader") || len(leaders) > 0 { // "no leader" is said above
			note(checks.Warn, e)
		}
	}
	if s := checks.Judge(dbMB, e.DBSizeMB.Warn, e.DBSizeMB.Crit); s != checks.OK {
		note(s, fmt.Sprintf("database %.0f MB (quota: etcd refuses writes at it, alarm NOSPACE)", dbMB))
	}
	if s := checks.Judge(spread, e.RaftIndexSpread.Warn, e.RaftIndexSpread.Crit); s != checks.OK {
		note(s, fmt.Sprintf("raft indexes %d apart: a member lags", maxIdx-minIdx))
	}
	var lines []string
	for _, m := range ms {
		if m.Err != "" {
			lines = append(lines, fmt.Sprintf("%s  not answering: %s", m.Endpoint, m.Err))
			continue
		}
		role := "follower"
		if m.ID == m.Leader {
			role = "leader"
		}
		lines = append(lines, fmt.Sprintf("%s  %x  %s  v%s  db %s  raft index %d term %d%s", m.Endpoint, m.ID, role, m.Version,
			humanBytes(m.DBSize), m.RaftIndex, m.RaftTerm, errSuffix(m.Errors)))
	}
	f.Details = strings.Join(lines, "\n")
	if len(problems) > 0 {
		f.Summary = strings.Join(problems, "; ")
		f.Details += "\n§5.2: every member answers `etcdctl endpoint status` with the etcd certificates; a NOSPACE alarm needs compaction, defragmentation and `etcdctl alarm disarm` in a change window."
		return f
	}
	f.Status = checks.OK
	members := fmt.Sprintf("%d members", len(ms))
	if len(ms) == 1 {
		members = "1 member"
	}
	f.Summary = fmt.Sprintf("%s, leader %s, db %s, raft index %d (spread %d)", members, leaderName(ms), humanBytes(maxDB), maxIdx, maxIdx-minIdx)
	return f
}

// prettyError writes an alarm error as etcdctl's table would name the member (hex), once:
// "memberID:3436710672909310027 alarm:NOSPACE " → "alarm NOSPACE on member 2fb1a626068d984b".
func prettyError(e string) string {
	e = strings.TrimSpace(e)
	if as, err := ParseAlarms([]byte(e)); err == nil && len(as) == 1 {
		return fmt.Sprintf("alarm %s on member %x", as[0].Alarm, parseID(as[0].Member))
	}
	return e
}

func leaderName(ms []Member) string {
	for _, m := range ms {
		if m.Err == "" && m.ID == m.Leader {
			return m.Endpoint
		}
	}
	for _, m := range ms {
		if m.Leader != 0 {
			return fmt.Sprintf("%x", m.Leader)
		}
	}
	return "none"
}

func errSuffix(errs []string) string {
	if len(errs) == 0 {
		return ""
	}
	t := make([]string, len(errs))
	for i, e := range errs {
		t[i] = prettyError(e)
	}
	return "  errors: " + strings.Join(t, ", ")
}

func humanBytes(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d kB", b/1000)
}

// Alarm is one line of `etcdctl alarm list`: "memberID:3436710672909310027 alarm:NOSPACE".
type Alarm struct {
	Member string
	Alarm  string
}

// ParseAlarms reads `etcdctl alarm list` (nothing when there is no alarm).
func ParseAlarms(b []byte) ([]Alarm, error) {
	var out []Alarm
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" {
			continue
		}
		m, a, ok := strings.Cut(l, " ")
		m, ok1 := strings.CutPrefix(m, "memberID:")
		a, ok2 := strings.CutPrefix(strings.TrimSpace(a), "alarm:")
		if !ok || !ok1 || !ok2 {
			return nil, fmt.Errorf("alarm list: unexpected line %q", l)
		}
		out = append(out, Alarm{Member: m, Alarm: a})
	}
	return out, nil
}

// JudgeAlarms: no alarm is ok; NOSPACE or CORRUPT stops the cluster (crit); others warn.
func JudgeAlarms(as []Alarm) checks.Finding {
	var f checks.Finding
	f.Metrics = []checks.Metric{{Name: "alarms", Value: float64(len(as)), Warn: 1}}
	if len(as) == 0 {
		f.Status, f.Summary = checks.OK, "no alarm"
		return f
	}
	var t []string
	for _, a := range as {
		t = append(t, fmt.Sprintf("%s on member %x", a.Alarm, parseID(a.Member)))
		f.Status = max(f.Status, checks.Warn)
		if badAlarm(a.Alarm) {
			f.Status = checks.Crit
		}
	}
	f.Summary = "alarm " + strings.Join(t, ", ")
	f.Details = "NOSPACE: the database reached its quota and etcd refuses writes — compact, defragment, then `etcdctl alarm disarm` (a change). CORRUPT: a member's data differs from the others' — restore it from a snapshot (§5.2)."
	return f
}

func parseID(s string) uint64 {
	var v uint64
	fmt.Sscanf(s, "%d", &v)
	return v
}
