package services

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// SlaveStatus is the part of `SHOW SLAVE STATUS\G` (MySQL, MariaDB) that says whether
// replication works (§5.8.1).
type SlaveStatus struct {
	Fields map[string]string // every "Key: value" of the row
	// IORunning and SQLRunning are Yes, No or Connecting.
	IORunning, SQLRunning string
	// Lag is Seconds_Behind_Master; LagNull when it is NULL (replication broken, §5.8.1).
	Lag     int64
	LagNull bool
}

// ParseSlaveStatus reads the vertical (\G) output. Empty output means the server replicates
// from nobody (ok is false). MySQL 8.0.22+ names the fields Replica_/Source_ under SHOW
// REPLICA STATUS: both spellings are read.
func ParseSlaveStatus(b []byte) (st SlaveStatus, ok bool, err error) {
	st.Fields = map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	rows := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "***") && strings.HasSuffix(line, "row ***************************") {
			if rows++; rows > 1 {
				break // a multi-source replica: the first channel is read
			}
			continue
		}
		k, v, found := strings.Cut(line, ":")
		if !found || strings.ContainsAny(k, " \t") {
			// A value that runs over lines (Last_Error with a newline): part of the last field.
			continue
		}
		st.Fields[k] = strings.TrimSpace(v)
	}
	if err := sc.Err(); err != nil {
		return st, false, err
	}
	if rows == 0 && len(st.Fields) == 0 {
		return st, false, nil
	}
	get := func(names ...string) (string, bool) {
		for _, n := range names {
			if v, ok := st.Fields[n]; ok {
				return v, true
			}
		}
		return "", false
	}
	var okIO, okSQL, okLag bool
	st.IORunning, okIO = get("Slave_IO_Running", "Replica_IO_Running")
	st.SQLRunning, okSQL = get("Slave_SQL_Running", "Replica_SQL_Running")
	lag, okLag := get("Seconds_Behind_Master", "Seconds_Behind_Source")
	if !okIO || !okSQL || !okLag {
		return st, false, fmt.Errorf("SHOW SLAVE STATUS: no Slave_IO_Running / Slave_SQL_Running / Seconds_Behind_Master in the output")
	}
	if lag == "NULL" || lag == "" {
		st.LagNull = true
	} else if st.Lag, err = strconv.ParseInt(lag, 10, 64); err != nil {
		return st, false, fmt.Errorf("SHOW SLAVE STATUS: Seconds_Behind_Master %q is not a number", lag)
	}
	return st, true, nil
}

// Field is one field of the row by either of its names ("" when absent).
func (s SlaveStatus) Field(names ...string) string {
	for _, n := range names {
		if v, ok := s.Fields[n]; ok {
			return v
		}
	}
	return ""
}

// LogFiles are the binary and relay logs in a MySQL log folder, from
// `find DIR -maxdepth 1 -type f -printf '%s %f\n'`.
type LogFiles struct {
	BinlogBytes, RelayBytes int64
	Binlogs, Relays         int // data files, not the .index files
}

// ParseLogFiles sorts the folder's files: NAME-bin.NNNNNN are binary logs, anything with
// "relay" in its name a relay log (relaylog.000001, host-relay-bin.000002).
func ParseLogFiles(b []byte) (LogFiles, error) {
	var lf LogFiles
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		sz, name, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if !ok {
			if sc.Text() == "" {
				continue
			}
			return lf, fmt.Errorf("find -printf: unexpected line %q", sc.Text())
		}
		n, err := strconv.ParseInt(sz, 10, 64)
		if err != nil {
			return lf, fmt.Errorf("find -printf: %q is not a size", sz)
		}
		index := strings.HasSuffix(name, ".index")
		switch {
		case strings.Contains(name, "relay"):
			lf.RelayBytes += n
			if !index {
				lf.Relays++
			}
		case strings.Contains(name, "-bin."):
			lf.BinlogBytes += n
			if !index {
				lf.Binlogs++
			}
		}
	}
	return lf, sc.Err()
}
