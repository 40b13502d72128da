package ssh

import (
	"fmt"
	"strings"
)

// Unquote is Quote read back: the argv of a command line made of plain words and single-quoted
// strings (a quote inside one as Quote escapes it: close, backslash-quote, reopen). Anything
// else a shell would interpret — operators, expansions, double quotes, globs, newlines outside
// quotes — is an error: such a line did not come from Quote. Used to check logged remote commands against the probe allowlist.
func Unquote(line string) ([]string, error) {
	var argv []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ':
			if inWord {
				argv, inWord = append(argv, w.String()), false
				w.Reset()
			}
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated quote at byte %d", i)
			}
			w.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
			w.WriteByte('\'')
			i++
			inWord = true
		case plain(c):
			w.WriteByte(c)
			inWord = true
		default:
			return nil, fmt.Errorf("%q at byte %d is shell syntax, not a quoted word", c, i)
		}
	}
	if inWord {
		argv = append(argv, w.String())
	}
	return argv, nil
}

// plain is the byte set quoteWord leaves unquoted (ASCII letters, digits and -_./=:,@%+).
func plain(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_./=:,@%+", c) >= 0
}

// ProbeArgv reads a command line as the pool sends it (wireCommand: a probe with a deadline
// under `timeout -s KILL N`) and tells whether it is an allowlisted probe; argv is the probe's.
func ProbeArgv(line string) (argv []string, probe bool, err error) {
	argv, err = Unquote(line)
	if err != nil {
		return nil, false, err
	}
	if len(argv) > 4 && argv[0] == "timeout" && argv[1] == "-s" && argv[2] == "KILL" && allDigits(argv[3]) {
		argv = argv[4:]
	}
	return argv, IsProbe(argv), nil
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
