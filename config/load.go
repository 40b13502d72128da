package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong in a site file, at a place in it.
type Problem struct {
	File  string
	Line  int
	Col   int
	Field string // dotted path, e.g. hosts.groups[1].hosts[0].address
	Msg   string
}

func (p Problem) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", p.File, p.Line, p.Col, p.Field, p.Msg)
}

// Problems is every error found in one file, in file order.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// ErrNoSiteFile is returned (wrapped) when the site file does not exist or cannot be read.
var ErrNoSiteFile = errors.New("site file not readable")

// MaxFileSize bounds a site file: a real one with a thousand hosts is well under 200 KiB.
const MaxFileSize = 1 << 20

// MaxExpandedNodes bounds the YAML nodes a site file may stand for once its aliases are
// expanded: a 24 KB file of nested aliases (a "billion laughs") once took 11 s and 658 MiB.
const MaxExpandedNodes = 200_000

// Load reads and validates a site file. On validation failure the error is a Problems listing
// every error at once; on a missing file it wraps ErrNoSiteFile and names the path.
func Load(path string) (*Site, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNoSiteFile, path, unwrapPathErr(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNoSiteFile, path, unwrapPathErr(err))
	}
	if len(data) > MaxFileSize {
		return nil, Problems{{File: path, Line: 1, Col: 1, Field: "(file)", Msg: fmt.Sprintf("larger than %d KiB: not a site file", MaxFileSize>>10)}}
	}
	return Parse(path, data)
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Parse validates data as a site file named file (used in messages only).
func Parse(file string, data []byte) (*Site, error) {
	if len(data) > MaxFileSize {
		return nil, Problems{{File: file, Line: 1, Col: 1, Field: "(file)", Msg: fmt.Sprintf("larger than %d KiB: not a site file", MaxFileSize>>10)}}
	}
	v := &validator{file: file, pos: map[string]*yaml.Node{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Problems{syntaxProblem(file, err)}
	}
	site := Defaults()
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, Problems{{File: file, Line: 1, Col: 1, Field: "version", Msg: "the file is empty; start from `opsdeck config init`"}}
	}
	root := doc.Content[0]
	memo := map[*yaml.Node]int{}
	if expandedSize(root, memo) > MaxExpandedNodes {
		at := cmp.Or(biggestAlias(memo), root)
		return nil, Problems{{File: file, Line: at.Line, Col: at.Column, Field: "(aliases)",
			Msg: fmt.Sprintf("aliases expand to more than %d nodes (an alias bomb?): refused", MaxExpandedNodes)}}
	}
	v.walk(root, reflect.TypeOf(site), "")
	// Decoding onto the defaults keeps every default the file does not mention. Walk decoded
	// every scalar already and reported bad ones with their columns, so a decoder error is
	// reported when walk found nothing, or when it is about the document itself (yaml's own
	// "excessive aliasing"): then alone, since checking a half-decoded site would only add
	// misleading "required" messages.
	if err := root.Decode(&site); err != nil {
		if strings.Contains(err.Error(), "excessive aliasing") || len(v.problems) == 0 {
			return nil, Problems{syntaxProblem(file, err)}
		}
	}
	site.Path = file
	site.resolveRelative(filepath.Dir(file))
	v.semantic(&site)
	if len(v.problems) > 0 {
		sort.SliceStable(v.problems, func(i, j int) bool {
			a, b := v.problems[i], v.problems[j]
			return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
		})
		return nil, v.problems
	}
	return &site, nil
}

// expandedSize counts the nodes under n with every alias expanded, memoised per node so that the
// count itself stays linear (a cycle counts as too many).
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int) int {
	if c, ok := memo[n]; ok {
		return c
	}
	memo[n] = MaxExpandedNodes + 1
	total := 1
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		total += expandedSize(n.Alias, memo)
	}
	for _, c := range n.Content {
		total = min(total+expandedSize(c, memo), 1<<40)
	}
	memo[n] = total
	return total
}

// biggestAlias is the alias that expands the most (the first such in file order), to point at.
func biggestAlias(memo map[*yaml.Node]int) *yaml.Node {
	var best *yaml.Node
	for n, c := range memo {
		if n.Kind != yaml.AliasNode {
			continue
		}
		if best == nil || c > memo[best] || c == memo[best] && (n.Line < best.Line || n.Line == best.Line && n.Column < best.Column) {
			best = n
		}
	}
	return best
}

func syntaxProblem(file string, err error) Problem {
	// yaml.v3 syntax errors read "yaml: line N: msg"; keep the line, column is unknown (1).
	msg := err.Error()
	line := 1
	if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
		if n, err2 := fmt.Sscanf(rest, "%d:", &line); n == 1 && err2 == nil {
			msg = strings.TrimSpace(rest[strings.Index(rest, ":")+1:])
		}
	}
	return Problem{File: file, Line: line, Col: 1, Field: "(syntax)", Msg: msg}
}

type validator struct {
	file     string
	problems Problems
	pos      map[string]*yaml.Node // field path → its value node
}

func (v *validator) add(n *yaml.Node, field, format string, args ...any) {
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	p := Problem{File: v.file, Line: line, Col: col, Field: field, Msg: fmt.Sprintf(format, args...)}
	// A value inherited by many hosts is wrong in one place: say it once.
	if slices.Contains(v.problems, p) {
		return
	}
	v.problems = append(v.problems, p)
}

// at reports a problem at the node of field, or at its nearest present parent.
func (v *validator) at(field, format string, args ...any) {
	for p := field; ; {
		if n, ok := v.pos[p]; ok {
			v.add(n, field, format, args...)
			return
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			v.add(nil, field, format, args...)
			return
		}
		p = p[:i]
	}
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// walk checks the node against the Go type: unknown keys, wrong shapes and bad scalars, each with
// its line and column. It records where every field is for the semantic checks.
func (v *validator) walk(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	v.pos[path] = n
	if n.Tag == "!!null" {
		return
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			v.add(n, path, "%s", cleanDecodeErr(err))
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			v.add(n, path, "want a mapping of keys, got %s", kindName(n))
			return
		}
		fields := map[string]reflect.StructField{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = f
			names = append(names, tag)
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			child := join(path, k.Value)
			f, ok := fields[k.Value]
			if !ok {
				msg := fmt.Sprintf("unknown key %q", k.Value)
				if s := closest(k.Value, names); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				} else {
					msg += " (known: " + strings.Join(names, ", ") + ")"
				}
				v.add(k, child, "%s", msg)
				continue
			}
			if seen[k.Value] {
				v.add(k, child, "key given twice")
			}
			seen[k.Value] = true
			v.walk(val, f.Type, child)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			v.add(n, path, "want a list, got %s", kindName(n))
			return
		}
		for i, c := range n.Content {
			v.walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			v.add(n, path, "want a mapping, got %s", kindName(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v.walk(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value))
		}
	default:
		if n.Kind != yaml.ScalarNode {
			v.add(n, path, "want a single %s value, got %s", t.Kind(), kindName(n))
			return
		}
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			v.add(n, path, "%s", cleanDecodeErr(err))
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

func cleanDecodeErr(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg := te.Errors[0]
		// "line 3: cannot unmarshal !!str `abc` into int" → "cannot unmarshal …"
		if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "line ") {
			msg = msg[i+2:]
		}
		return msg
	}
	return err.Error()
}

// closest suggests the known key one or two edits away from a typo.
func closest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Marshal writes a site back as YAML (used by tests and the demo).
func Marshal(s *Site) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
