package content

import (
	"github.com/agora-hub/agora/generator/config"
)

// OptionsFor are how the site configured by cfg reads its content: every
// command (build, plan, send, listen, report) reads it alike, so that a
// Hugo site's contentDir or taxonomies mean the same to each.
func OptionsFor(cfg *config.Config) Options {
	return Options{Location: cfg.Location, Taxonomies: cfg.TaxonomyNames(), Dir: cfg.ContentDir, OtherLanguages: cfg.OtherLanguages}
}

// Folder is the content folder of opt, a slash path below the site root:
// Hugo's contentDir, else content.
func (o Options) Folder() string { return o.dir() }
