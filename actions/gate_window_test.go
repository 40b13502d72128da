package actions

import (
	"context"
	"strings"
	"testing"

	"opsdeck/config"
)

// changes.require_window: explicit true without windows refuses all but emergencies; explicit
// false with windows allows changes outside them; unset follows whether windows are listed.
func TestGateRequireWindow(t *testing.T) {
	yes, no := true, false
	ctx := context.Background()
	required := config.Changes{Timezone: "UTC", RequireWindow: &yes}
	if v := gateAt("2026-12-07T06:00:00Z", required).Decide(ctx, plan(), ""); v.Allowed || v.Rule != "outside-window" ||
		!strings.Contains(v.Reason, "no change window is configured") || !strings.Contains(v.Window, "require_window is true") {
		t.Errorf("required, no windows: %s / %s", v, v.Window)
	}
	if v := gateAt("2026-12-07T06:00:00Z", required).Decide(ctx, plan(), "datacenter power loss, CHG-911"); !v.Allowed || v.Rule != "emergency" {
		t.Errorf("required, emergency: %s", v)
	}
	relaxed := shanghai
	relaxed.RequireWindow = &no
	// 2026-12-07 14:00 Shanghai (Monday), outside CHG-1 and outside peak hours.
	if v := gateAt("2026-12-07T06:00:00Z", relaxed).Decide(ctx, plan(), ""); !v.Allowed || v.Rule != "no-windows" || !strings.Contains(v.Window, "require_window is false") {
		t.Errorf("not required, windows listed: %s / %s", v, v.Window)
	}
	if v := gateAt("2026-12-07T06:00:00Z", shanghai).Decide(ctx, plan(), ""); v.Allowed || v.Rule != "outside-window" {
		t.Errorf("unset with windows is required: %s", v)
	}
}
