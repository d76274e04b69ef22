package generator

import (
	"html/template"
	"io/fs"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/agora-hub/agora/generator/assets"
	"github.com/agora-hub/agora/generator/highlight"
	"github.com/agora-hub/agora/generator/i18n"
	"github.com/agora-hub/agora/generator/tplfuncs"
)

// hugoInfo answers the `hugo` function many Hugo layouts call.
type hugoInfo struct {
	Generator    template.HTML
	Version      string
	Environment  string
	IsProduction bool
}

// imageCacheDir is where processed images are kept between builds:
// Hugo's folder, which sites commit to make CI builds fast.
var imageCacheDir = filepath.Join("resources", "_gen", "images")

// funcs is the template function map: the generic functions plus those
// bound to this build's site, clock, templates, translations and assets.
// The templates reach the model through b, so that serve can put a new
// model in place without parsing them again.
func (b *build) funcs(hl *highlight.Highlighter) (template.FuncMap, error) {
	cfg := b.cfg
	base := cfg.Base
	version := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		version = bi.Main.Version
	}
	info := hugoInfo{
		Generator: template.HTML(`<meta name="generator" content="Agora">`), Version: version,
		Environment: "production", IsProduction: true,
	}
	layers, err := b.i18nLayers()
	if err != nil {
		return nil, err
	}
	bundle, err := i18n.Load(cfg.DefaultContentLanguage, layers...)
	if err != nil {
		return nil, err
	}
	imaging := assets.Imaging{Quality: cfg.Imaging.Quality, ResampleFilter: cfg.Imaging.ResampleFilter,
		Anchor: cfg.Imaging.Anchor, BgColor: cfg.Imaging.BgColor}
	if err := imaging.Check(); err != nil {
		return nil, err
	}
	assetLayers, err := b.assetLayers()
	if err != nil {
		return nil, err
	}
	b.assets = assets.New(assets.Options{
		Layers:          assetLayers,
		RelURL:          func(p string) string { return base.Rel(p) },
		AbsURL:          func(p string) string { return base.Abs(p) },
		CacheDir:        filepath.Join(b.root, imageCacheDir),
		Imaging:         imaging,
		ExecuteTemplate: b.tpls.ExecuteText,
	})
	return tplfuncs.New(tplfuncs.Deps{
		Site:        func() any { return b.site },
		Hugo:        func() any { return info },
		Now:         func() time.Time { return b.site.Now() },
		Location:    cfg.Location,
		RelURL:      base.Rel,
		AbsURL:      base.Abs,
		Markdownify: func(s string) string { return b.site.Markdown().RenderInline(s) },
		Partials:    b.tpls,
		Files:       b.src,
		Getenv:      cfg.Security.Funcs.Getenv,
		Warn:        b.warn,
		IgnoreLogs:  cfg.IgnoreLogs,
		I18n:        bundle,
		Lang:        cfg.DefaultContentLanguage,
		Assets:      b.assets,
		Highlighter: hl,
	}), nil
}

// i18nLayers are the translation folders, the site's over the theme's.
func (b *build) i18nLayers() ([]i18n.Layer, error) {
	site, err := b.folder(i18n.Dir)
	if err != nil {
		return nil, err
	}
	layers := []i18n.Layer{{FS: site, Display: i18n.Dir}}
	if b.theme != nil {
		if sub, err := fs.Sub(b.theme, i18n.Dir); err == nil {
			layers = append(layers, i18n.Layer{FS: sub, Display: "themes/" + b.themeName + "/" + i18n.Dir})
		}
	}
	return layers, nil
}

// assetLayers are the assets/ folders, the site's over the theme's. The
// Sass compiler reads them from disk, not through the site's os.Root, so
// they are walked through it first: a link out of the site is refused here.
func (b *build) assetLayers() ([]assets.Layer, error) {
	var layers []assets.Layer
	add := func(rel, display string) error {
		fsys, err := b.folder(rel)
		if err != nil || fsys == nil {
			return err
		}
		err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				_, err = fs.Stat(fsys, p) // where a link is checked
			}
			return err
		})
		if err != nil {
			return err
		}
		layers = append(layers, assets.Layer{FS: fsys, Dir: filepath.Join(b.root, filepath.FromSlash(rel)), Display: display})
		return nil
	}
	if err := add("assets", "assets"); err != nil {
		return nil, err
	}
	if b.theme != nil {
		onDisk, err := b.folder("themes/" + b.themeName)
		if err != nil {
			return nil, err
		}
		if onDisk != nil {
			if err := add("themes/"+b.themeName+"/assets", "themes/"+b.themeName+"/assets"); err != nil {
				return nil, err
			}
		} else if sub, err := fs.Sub(b.theme, "assets"); err == nil {
			layers = append(layers, assets.Layer{FS: sub, Display: "themes/" + b.themeName + "/assets"})
		}
	}
	return layers, nil
}

// warn records a template's warning, printed with the build's summary.
func (b *build) warn(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.tplWarns) < maxWarnings {
		b.tplWarns = append(b.tplWarns, msg)
	}
}

// maxWarnings bounds what a build keeps to print: past a hundred lines the
// terminal says no more than the first ones did.
const maxWarnings = 100

// publishAssets writes the resources whose URL a template asked for.
func (b *build) publishAssets() {
	if b.assets == nil {
		return
	}
	for target, r := range b.assets.Published() {
		data, err := r.Bytes()
		if err != nil {
			b.errs.Add(err)
			continue
		}
		b.errs.Add(b.out.Write(target, "assets ("+r.Name()+")", data))
	}
}
