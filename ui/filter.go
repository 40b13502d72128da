package ui

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// rowFilter is what the operator typed after /: a regular expression, case-insensitive, "!" in
// front inverts. Rows carry their cells lower-cased (gridRow.text), so a plain word is a
// substring search and a pattern is compiled over lower-case text: a (?i) regexp cannot skip
// ahead to its literal and took 400 ms over 42,000 pod rows, at every key typed and every load.
type rowFilter struct {
	word   string         // lower-cased: the whole pattern when it has no metacharacters
	re     *regexp.Regexp // otherwise
	invert bool
}

// parseFilter reads what was typed; "" (or a lone "!") is no filter (nil).
func parseFilter(typed string) (*rowFilter, error) {
	f := &rowFilter{}
	pat := typed
	if strings.HasPrefix(pat, "!") {
		f.invert, pat = true, pat[1:]
	}
	if pat == "" {
		return nil, nil
	}
	if regexp.QuoteMeta(pat) == pat {
		f.word = strings.ToLower(pat)
		return f, nil
	}
	re, err := lowerCaseRegexp(pat)
	if err != nil {
		return nil, err
	}
	f.re = re
	return f, nil
}

// lowerCaseRegexp compiles pat to match lower-cased text as (?i)pat matches the original: its
// literals are lower-cased and lose the fold (its classes were folded by the parser already), so
// the compiled program keeps a literal prefix to search for. Case never tells rows apart, even
// after (?-i).
func lowerCaseRegexp(pat string) (*regexp.Regexp, error) {
	tree, err := syntax.Parse(pat, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return nil, err
	}
	lowerLiterals(tree)
	return regexp.Compile(tree.String())
}

func lowerLiterals(re *syntax.Regexp) {
	if re.Op == syntax.OpLiteral {
		for i, r := range re.Rune {
			re.Rune[i] = unicode.ToLower(r)
		}
		re.Flags &^= syntax.FoldCase
	}
	for _, sub := range re.Sub {
		lowerLiterals(sub)
	}
}

// match says whether a row with this lower-cased text is shown.
func (f *rowFilter) match(text string) bool {
	var hit bool
	if f.re != nil {
		hit = f.re.MatchString(text)
	} else {
		hit = strings.Contains(text, f.word)
	}
	return hit != f.invert
}

// keeps says whether row r is shown (its text lower-cased when it carries none).
func (f *rowFilter) keeps(r *gridRow) bool {
	text := r.text
	if text == "" {
		text = rowText(r)
	}
	return f.match(text)
}
