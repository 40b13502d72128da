package sim

import (
	"path"
	"strconv"
	"time"
)

// `timeout [-s SIGNAL] DURATION CMD…` as coreutils has it: the pool wraps every probe in it.
// Simulated commands answer at once, so the duration only needs to parse.
func init() {
	commands["timeout"] = func(h *Host, st *HostState, argv []string, now time.Time) (string, string, int) {
		rest := argv[1:]
		if len(rest) >= 2 && rest[0] == "-s" {
			rest = rest[2:]
		}
		if len(rest) < 2 {
			return "", "timeout: missing operand\n", 125
		}
		if _, err := strconv.ParseFloat(rest[0], 64); err != nil {
			return "", "timeout: invalid time interval '" + rest[0] + "'\n", 125
		}
		cmd, ok := commands[path.Base(rest[1])]
		if !ok {
			return "", "timeout: failed to run command '" + rest[1] + "': No such file or directory\n", 127
		}
		return cmd(h, st, rest[1:], now)
	}
}
