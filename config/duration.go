package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written as Go does ("90s", "5m") or in days ("60d").
type Duration time.Duration

// D returns the plain time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// daysRe is a plain decimal number of days: no sign, exponent, NaN, Inf, hex or underscores
// (strconv.ParseFloat would take them all).
var daysRe = regexp.MustCompile(`^[0-9]{1,6}(\.[0-9]{1,6})?$`)

// maxDays keeps a day count far from time.Duration's ~292 years.
const maxDays = 36500

// ParseDuration accepts Go durations plus a whole or fractional day suffix "d".
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if !daysRe.MatchString(days) {
			return 0, fmt.Errorf("%q is not a duration (e.g. 30s, 5m, 2h, 60d)", s)
		}
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n > maxDays {
			return 0, fmt.Errorf("%q is not a duration of at most %d days", s, maxDays)
		}
		return Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (e.g. 30s, 5m, 2h, 60d)", s)
	}
	return Duration(d), nil
}

// UnmarshalYAML reads "30s", "60d"; a bare number is refused because its unit would be a guess.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a duration such as 30s or 60d")
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalYAML writes the shortest readable form.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

func (d Duration) String() string {
	t := time.Duration(d)
	if t >= 24*time.Hour && t%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", t/(24*time.Hour))
	}
	return t.String()
}
