package logview

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// pattern is a compiled filter. Go's regexp scans an unanchored alternation rune by rune with
// its backtracker; a filter that is only literals ("error", "fetch zone|cni config") is matched
// with strings.Contains instead, several times faster on every ingested line.
type pattern struct {
	re   *regexp.Regexp
	lits []string // set when the pattern is a literal or an alternation of literals
}

func compile(pat string) (*pattern, error) {
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, err
	}
	p := &pattern{re: re}
	if t, err := syntax.Parse(pat, syntax.Perl); err == nil {
		p.lits = literals(t.Simplify())
	}
	return p, nil
}

func literals(t *syntax.Regexp) []string {
	lit := func(t *syntax.Regexp) (string, bool) {
		if t.Op != syntax.OpLiteral || t.Flags&syntax.FoldCase != 0 {
			return "", false
		}
		return string(t.Rune), true
	}
	if s, ok := lit(t); ok {
		return []string{s}
	}
	if t.Op != syntax.OpAlternate {
		return nil
	}
	var out []string
	for _, sub := range t.Sub {
		s, ok := lit(sub)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (p *pattern) MatchString(s string) bool {
	if p.lits == nil {
		return p.re.MatchString(s)
	}
	for _, l := range p.lits {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

func (p *pattern) FindAllStringIndex(s string, n int) [][]int { return p.re.FindAllStringIndex(s, n) }
