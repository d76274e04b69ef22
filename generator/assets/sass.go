package assets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// SassOptions are Hugo's css.Sass (toCSS) options.
type SassOptions struct {
	TargetPath   string   // default: the source path with .css
	OutputStyle  string   // nested, expanded, compact, compressed
	IncludePaths []string // folders under the site's assets/ or given as is
	Transpiler   string   // libsass (sassc) or dartsass (dart-sass, sass)
}

// sassTimeout bounds one compilation: a stylesheet compiles in well under
// a second, and a hung compiler must not hang the build.
const sassTimeout = 2 * time.Minute

// compilers are looked for on PATH in this order, for each transpiler:
// Hugo's libsass is what sassc wraps, and dart-sass ships as dart-sass
// (Hugo's name) or sass (npm's and the standalone release's).
var compilers = map[string][]string{
	"libsass":  {"sassc"},
	"dartsass": {"dart-sass", "sass"},
}

// ToCSS is Hugo's toCSS / css.Sass: SCSS or Sass compiled with the
// compiler on PATH (sassc for Hugo 0.111's default libsass; dart-sass or
// sass for transpiler "dartsass"), @imports resolved in the file's folder,
// the include paths and every assets/ folder. Plain CSS is returned as it
// is, without a compiler.
func (r *Resource) ToCSS(opt SassOptions) (*Resource, error) {
	key := fmt.Sprintf("tocss:%s:%s:%s:%s", opt.TargetPath, opt.OutputStyle, strings.Join(opt.IncludePaths, ","), opt.Transpiler)
	return r.derive(key, func(b []byte, target string) ([]byte, string, map[string]any, error) {
		out := opt.TargetPath
		if out == "" {
			out = strings.TrimSuffix(target, path.Ext(target)) + ".css"
		}
		out = cleanName(out)
		if r.mediaType.SubType == "css" {
			return b, out, nil, nil
		}
		css, err := r.p.compileSass(r, b, opt)
		return css, out, nil, err
	})
}

func (p *Pipeline) compileSass(r *Resource, src []byte, opt SassOptions) ([]byte, error) {
	transpiler := strings.ToLower(opt.Transpiler)
	if transpiler == "" {
		transpiler = "libsass"
	}
	if transpiler == "dart-sass" {
		transpiler = "dartsass"
	}
	names, ok := compilers[transpiler]
	if !ok {
		return nil, fmt.Errorf("toCSS: unknown transpiler %q (libsass or dartsass)", opt.Transpiler)
	}
	bin, name := "", ""
	for _, n := range names {
		if b, err := p.opt.LookPath(n); err == nil {
			bin, name = b, n
			break
		}
	}
	if bin == "" {
		// The other family compiles the same SCSS; better than failing.
		var others []string
		for t, ns := range compilers {
			if t != transpiler {
				others = append(others, ns...)
			}
		}
		sort.Strings(others)
		for _, n := range others {
			if b, err := p.opt.LookPath(n); err == nil {
				bin, name = b, n
				break
			}
		}
	}
	if bin == "" {
		return nil, fmt.Errorf("toCSS: compiling Sass needs a Sass compiler on PATH, and none of sassc, dart-sass or sass was found: install one (Debian: apt-get install sassc; or the dart-sass release)")
	}
	var loadPaths []string
	if r.layer != nil && r.layer.Dir != "" {
		loadPaths = append(loadPaths, filepath.Join(r.layer.Dir, filepath.FromSlash(path.Dir(r.name))))
	}
	for _, l := range p.opt.Layers {
		if l.Dir == "" {
			continue
		}
		for _, inc := range opt.IncludePaths {
			if filepath.IsAbs(inc) {
				continue
			}
			loadPaths = append(loadPaths, filepath.Join(l.Dir, filepath.FromSlash(inc)))
		}
		loadPaths = append(loadPaths, l.Dir)
	}
	for _, inc := range opt.IncludePaths {
		if filepath.IsAbs(inc) {
			loadPaths = append(loadPaths, inc)
		}
	}
	style := strings.ToLower(opt.OutputStyle)
	var args []string
	if name == "sassc" {
		if style == "" {
			style = "nested"
		}
		args = append(args, "--stdin", "--style", style)
		if path.Ext(r.name) == ".sass" {
			args = append(args, "--sass")
		}
		for _, lp := range loadPaths {
			args = append(args, "--load-path", lp)
		}
	} else {
		// Dart Sass knows only expanded and compressed.
		if style != "compressed" {
			style = "expanded"
		}
		args = append(args, "--stdin", "--style="+style, "--no-source-map")
		if path.Ext(r.name) == ".sass" {
			args = append(args, "--indented")
		}
		for _, lp := range loadPaths {
			args = append(args, "--load-path="+lp)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), sassTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = bytes.NewReader(src)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg = fmt.Sprintf("took over %s", sassTimeout)
		}
		if msg == "" {
			msg = err.Error()
		}
		// The compiler names the input "stdin"; name the file instead.
		msg = strings.ReplaceAll(msg, "stdin", r.source)
		return nil, fmt.Errorf("toCSS (%s): %s", name, msg)
	}
	return stdout.Bytes(), nil
}
