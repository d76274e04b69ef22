package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/agora-hub/agora/generator/siteimport"
	"github.com/agora-hub/agora/internal/version"
)

func runImport(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "import")
	var source, to, now string
	f.str(&source, "s", "source", ".", "the Hugo or Jekyll site, when DIR is not given")
	f.str(&to, "", "to", "", "the new site's folder, new or empty (default DIR-agora beside DIR)")
	f.str(&now, "", "now", "", "the trial build's clock, RFC 3339")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) < 1 || len(pos) > 2 || (pos[0] != "hugo" && pos[0] != "jekyll") {
		return &usageError{"want 'agora import hugo DIR' or 'agora import jekyll DIR'"}
	}
	kind, from := pos[0], source
	if len(pos) == 2 {
		from = pos[1]
	}
	if to == "" {
		// Beside the site, never in it: "." is the folder's own name.
		abs, err := filepath.Abs(from)
		if err != nil {
			return err
		}
		to = abs + "-agora"
	}
	t, err := parseNow(now)
	if err != nil {
		return err
	}
	v := version.Module()
	opt := siteimport.Options{Version: v, Pinnable: version.Pinnable(v), Now: t}
	importer := siteimport.Hugo
	if kind == "jekyll" {
		importer = siteimport.Jekyll
	}
	r, err := importer(ctx, from, to, opt)
	if err != nil {
		return fmt.Errorf("%w\nNothing was written", err)
	}
	r.Print(e.stdout)
	if !r.Lossless() {
		return &incompleteError{fmt.Sprintf("the new site is in %s, but not everything moved exactly (listed above)", to)}
	}
	fmt.Fprintf(e.stdout, "Next:\n  cd %s\n  agora serve\n", to)
	return nil
}
