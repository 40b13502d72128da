package adns

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"opsdeck/checks"
	"opsdeck/checks/probe"
	"opsdeck/config"
)

// HastateURL is dnsmng's HA endpoint on the master VIP (§6.4, §6.6.2).
func HastateURL(a config.ADNS) string {
	return "http://" + net.JoinHostPort(a.MasterVIP, strconv.Itoa(a.APIPort)) + "/ha/hastate"
}

// hastate asks which master is active: "unavailable" means the master cannot reach its database.
func hastate(ctx context.Context, a config.ADNS, inv probe.Inventory) checks.Finding {
	var f checks.Finding
	url := HastateURL(a)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return checks.Failed(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.Status, f.Summary, f.Error = checks.Crit, "no answer from dnsmng: "+shortErr(err), err.Error()
		f.Evidence = []checks.Evidence{{Source: "GET " + url, Excerpt: err.Error()}}
		f.Details = "The ADNS API is down or the master VIP is not bound (§6.6.1): zones and records cannot change. Check dnsmng and keepalived in the master (supervisorctl status)."
		return f
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	f.Evidence = []checks.Evidence{{Source: fmt.Sprintf("GET %s (%s)", url, resp.Status), Excerpt: string(body)}}
	answer := strings.TrimSpace(string(body))
	switch {
	case resp.StatusCode != http.StatusOK:
		f.Status, f.Summary = checks.Crit, "hastate answered "+resp.Status
		f.Details = "404: check that the master VIP is the right address; anything else: read dnsmng's adns_biz.log for a database error (§6.4)."
	case strings.Contains(strings.ToLower(answer), "unavailable"):
		f.Status, f.Summary = checks.Crit, "ADNS master cannot reach its database (hastate: unavailable)"
		f.Details = "§6.6.2: check the database the ADNS masters use; until it answers, zones and records cannot change."
	case answer == "":
		f.Status, f.Summary = checks.Crit, "hastate answered nothing"
	default:
		f.Status, f.Summary = checks.OK, "active master "+probe.FirstLine(answer)
		for name, h := range inv {
			if h.Address == probe.FirstLine(answer) {
				f.Summary += " (" + name + ")"
			}
		}
	}
	return f
}
