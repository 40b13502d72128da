package services

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Repo is one enabled repository of the yum repo files.
type Repo struct {
	ID, BaseURL string
}

// ParseRepoFiles reads yum .repo files (INI: [id], baseurl=, enabled=). Repositories with
// enabled=0 or without a baseurl (mirrorlist only) are left out; baseurl's first URL is used.
func ParseRepoFiles(b []byte) []Repo {
	var out []Repo
	var cur *Repo
	enabled := true
	flush := func() {
		if cur != nil && enabled && cur.BaseURL != "" {
			out = append(out, *cur)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			flush()
			cur, enabled = &Repo{ID: strings.TrimSpace(line[1 : len(line)-1])}, true
		case cur != nil:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
			switch k {
			case "baseurl":
				if f := strings.Fields(strings.ReplaceAll(v, ",", " ")); len(f) > 0 {
					cur.BaseURL = f[0]
				}
			case "enabled":
				enabled = v != "0" && !strings.EqualFold(v, "false") && !strings.EqualFold(v, "no")
			}
		}
	}
	flush()
	return out
}

// Expand replaces yum's $variables (${var} too) from vars; unknown ones are returned.
func Expand(url string, vars map[string]string) (string, []string) {
	var missing []string
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) }) // $releasever before $release
	for _, k := range names {
		url = strings.ReplaceAll(url, "${"+k+"}", vars[k])
		url = strings.ReplaceAll(url, "$"+k, vars[k])
	}
	for i := strings.IndexByte(url, '$'); i >= 0; i = strings.IndexByte(url, '$') {
		j := i + 1
		for j < len(url) && (url[j] == '{' || url[j] == '_' || url[j] >= 'a' && url[j] <= 'z' || url[j] >= 'A' && url[j] <= 'Z' || url[j] >= '0' && url[j] <= '9') {
			j++
		}
		missing = append(missing, strings.Trim(url[i+1:j], "{}"))
		url = url[:i] + url[j:]
	}
	return url, missing
}

// RepomdURL is the metadata index of a base URL.
func RepomdURL(base string) string { return strings.TrimRight(base, "/") + "/repodata/repomd.xml" }

// Repomd is a repository's metadata index (repodata/repomd.xml).
type Repomd struct {
	Revision string
	Types    []string  // primary, filelists, other, group …
	Newest   time.Time // the newest <timestamp> of its data
}

// ParseRepomd reads repomd.xml; a repository without primary data cannot list packages.
func ParseRepomd(b []byte) (Repomd, error) {
	var doc struct {
		XMLName  xml.Name `xml:"repomd"`
		Revision string   `xml:"revision"`
		Data     []struct {
			Type      string `xml:"type,attr"`
			Timestamp int64  `xml:"timestamp"`
		} `xml:"data"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		return Repomd{}, fmt.Errorf("repomd.xml: %v", err)
	}
	r := Repomd{Revision: doc.Revision}
	primary := false
	for _, d := range doc.Data {
		r.Types = append(r.Types, d.Type)
		primary = primary || d.Type == "primary"
		if t := time.Unix(d.Timestamp, 0); d.Timestamp > 0 && t.After(r.Newest) {
			r.Newest = t
		}
	}
	if !primary {
		return r, fmt.Errorf("repomd.xml: no primary data (types: %s)", strings.Join(r.Types, ", "))
	}
	return r, nil
}
