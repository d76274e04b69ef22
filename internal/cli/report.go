package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/newsletter/database"
	"github.com/agora-hub/agora/newsletter/report"
	"github.com/agora-hub/agora/newsletter/store"
)

func runReport(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "report")
	var source, format, now string
	f.str(&source, "s", "source", ".", "site folder holding site.toml")
	f.str(&format, "", "format", "table", "table, json, or html (a self-contained page with SVG charts)")
	f.str(&now, "", "now", "", "the clock, RFC 3339 (default: now)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q (the report goes to stdout: agora report --format html > report.html)", pos[0])}
	}
	if format != "table" && format != "json" && format != "html" {
		return &usageError{fmt.Sprintf("--format %q: want table, json or html", format)}
	}
	clock, err := parseNow(now)
	if err != nil {
		return err
	}
	if clock.IsZero() {
		clock = time.Now()
	}
	cfg, err := config.Load(source)
	if err != nil {
		return err
	}
	st, path, err := database.Open(ctx, source)
	if err != nil {
		return err
	}
	defer st.Close()
	j, ok := st.(store.Journal)
	if !ok {
		return fmt.Errorf("the store at %s keeps no send journal", path)
	}
	r, err := report.Build(ctx, source, cfg, j, clock)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		return r.WriteJSON(e.stdout)
	case "html":
		return r.WriteHTML(e.stdout)
	}
	return r.WriteTable(e.stdout)
}
