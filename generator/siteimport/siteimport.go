// Package siteimport writes a new Agora site from a Hugo or Jekyll site
// folder (agora import hugo|jekyll DIR), converting what Agora cannot read
// as it is and listing, by file and line, what it could not convert.
//
// The source is read through sitefs, so no symbolic link leads the import
// out of the source folder. The new site is written into a staging folder
// beside the target and renamed into place only when the whole import
// succeeded, as a build swaps in public/: a failed import writes nothing.
// Before the rename the new site is built once, into a temporary folder,
// and the build's errors and warnings are part of the report.
package siteimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/output"
	"github.com/agora-hub/agora/generator/scaffold"
	"github.com/agora-hub/agora/generator/sitefs"
)

// Options are an import's inputs besides the two folders.
type Options struct {
	// Version is the Agora that writes the site, pinned in its GitHub
	// Pages workflow when Pinnable (see scaffold.Site).
	Version  string
	Pinnable bool
	// Now is the clock of the trial build; zero means now.
	Now time.Time
}

// Note is one line of a report: what happened to the thing at File:Line.
type Note struct {
	File string // slash path in the source site; "" for the site as a whole
	Line int    // 0 for the whole file
	Msg  string
}

func (n Note) String() string {
	switch {
	case n.File == "":
		return n.Msg
	case n.Line > 0:
		return fmt.Sprintf("%s:%d: %s", n.File, n.Line, n.Msg)
	}
	return fmt.Sprintf("%s: %s", n.File, n.Msg)
}

// Report is what an import did.
type Report struct {
	Kind     string // "Hugo" or "Jekyll"
	From, To string
	Files    int // files written into the new site
	// Converted is what changed form so that Agora reads it.
	Converted []Note
	// Skipped is what an import never converts, by design: the other
	// tool's templates, plugins and build files. They shape how the site
	// looks, not what it says; the new site uses Agora's theme instead.
	Skipped []Note
	// Lost is content that will render differently, or not at all.
	Lost []Note
	// Build is the trial build's summary, when it succeeded.
	Build string
	// BuildProblems are the trial build's errors (when it failed) and
	// warnings, as "file:line: message" in the new site.
	BuildProblems []string
	BuildFailed   bool
}

// Lossless reports whether everything moved: nothing lost, and the new
// site builds without a warning.
func (r *Report) Lossless() bool {
	return len(r.Lost) == 0 && len(r.BuildProblems) == 0 && !r.BuildFailed
}

// Print writes the report for a person to read.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "Imported the %s site %s into %s (%d files).\n", r.Kind, r.From, r.To, r.Files)
	section := func(title string, notes []Note) {
		if len(notes) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		for _, n := range notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	section("Converted:", r.Converted)
	if r.Kind == "Jekyll" {
		section("Not converted (the Jekyll site's templates, plugins and tooling; the new site uses Agora's theme):", r.Skipped)
	} else {
		section("Not copied:", r.Skipped)
	}
	section("Lost (renders differently in Agora, or not at all):", r.Lost)
	switch {
	case r.BuildFailed:
		fmt.Fprintf(w, "\nagora build of the new site fails (paths in %s):\n", r.To)
	case len(r.BuildProblems) > 0:
		fmt.Fprintf(w, "\nagora build of the new site: %s\nwith these warnings (paths in %s):\n", r.Build, r.To)
	default:
		fmt.Fprintf(w, "\nagora build of the new site: %s\n", r.Build)
	}
	for _, p := range r.BuildProblems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	if r.Lossless() {
		fmt.Fprintln(w, "\nEverything moved.")
		return
	}
	n := len(r.Lost) + len(r.BuildProblems)
	fmt.Fprintf(w, "\n%d %s above did not move exactly; the site is written, fix them there.\n", n, pluralWord(n, "thing", "things"))
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// job is one import in progress: the source, the staging folder and the
// report.
type job struct {
	src   *sitefs.Site
	stage *output.Stage
	dest  string
	opt   Options
	r     *Report
	// written are the new site's files, by slash path, to refuse a
	// second writer and to tell what is there.
	written map[string]bool
	// htmlShortcode is the raw HTML shortcode's name once written.
	htmlShortcode string
}

// begin checks the folders and opens the source and the staging folder.
func begin(kind, from, to string, opt Options) (*job, error) {
	srcAbs, err := filepath.Abs(from)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(srcAbs); err != nil {
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", from)
	}
	dest, err := filepath.Abs(to)
	if err != nil {
		return nil, err
	}
	if within(dest, srcAbs) || within(srcAbs, dest) {
		return nil, fmt.Errorf("the new site %s and the %s site %s must not be inside one another; choose a folder beside it", to, kind, from)
	}
	if fi, err := os.Lstat(dest); err == nil {
		if !fi.IsDir() {
			return nil, fmt.Errorf("%s already exists and is not a folder; choose a new folder", to)
		}
		if entries, err := os.ReadDir(dest); err != nil {
			return nil, err
		} else if len(entries) > 0 {
			return nil, fmt.Errorf("%s already exists and is not empty; agora import writes only into a new or empty folder", to)
		}
	}
	src, err := sitefs.Open(srcAbs)
	if err != nil {
		return nil, err
	}
	stage, err := output.NewStage(dest)
	if err != nil {
		src.Close()
		return nil, err
	}
	return &job{src: src, stage: stage, dest: dest, opt: opt, written: map[string]bool{},
		r: &Report{Kind: kind, From: from, To: to}}, nil
}

func within(child, parent string) bool {
	rel, err := filepath.Rel(parent, child)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// abort removes the staging folder; used when the import failed.
func (j *job) abort() {
	_ = j.stage.Abort()
	j.src.Close()
}

// write puts data at rel (slash path) in the new site.
func (j *job) write(rel string, data []byte) error {
	if j.written[rel] {
		return fmt.Errorf("%s: two files of the source would both become this file", rel)
	}
	j.written[rel] = true
	j.r.Files++
	return j.stage.Write(rel, "agora import", data)
}

// copyFile copies name of the source to rel in the new site.
func (j *job) copyFile(rel, name string) error {
	if j.written[rel] {
		return fmt.Errorf("%s: two files of the source would both become this file (%s is the second)", rel, name)
	}
	j.written[rel] = true
	j.r.Files++
	return j.stage.Copy(rel, name, j.src, name)
}

// walk calls fn for every file below dir in the source, in lexical order,
// skipping dot-files and what editors leave behind. A symbolic link that
// leads out of the source is an error naming it.
func (j *job) walk(dir string, fn func(name string) error) error {
	return fs.WalkDir(j.src, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && skippedName(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// sitefs lists a link as a link only when it may not be
			// followed: opening it says why.
			f, err := j.src.Open(p)
			if err == nil {
				f.Close()
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		return fn(p)
	})
}

// skippedName is a file an import never takes: hidden files (.git, which
// may hold a deploy token), editor backups and lock files.
func skippedName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~")
}

// copyTree copies the folder dir of the source to the same place in the
// new site, and returns how many files it copied.
func (j *job) copyTree(dir, to string) (int, error) {
	n := 0
	err := j.walk(dir, func(name string) error {
		n++
		return j.copyFile(path.Join(to, strings.TrimPrefix(name, dir+"/")), name)
	})
	return n, err
}

// exists reports whether the source has name, refusing a link out.
func (j *job) exists(name string) (fs.FileInfo, error) {
	st, err := fs.Stat(j.src, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return st, err
}

// writeExtras writes the scaffold's workflow and .gitignore. A site with
// data files keeps data/ in git: the database is still ignored by *.db.
func (j *job) writeExtras() error {
	extras, err := scaffold.Extras(j.opt.Version, j.opt.Pinnable)
	if err != nil {
		return err
	}
	hasData := false
	for rel := range j.written {
		if strings.HasPrefix(rel, "data/") {
			hasData = true
		}
	}
	names := make([]string, 0, len(extras))
	for name := range extras {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data := extras[name]
		if name == ".gitignore" && hasData {
			data = bytes.Replace(data, []byte("/data/\n"), nil, 1)
		}
		if err := j.write(name, data); err != nil {
			return err
		}
	}
	return nil
}

// writeSiteTOML writes settings as site.toml below a header of comments.
func (j *job) writeSiteTOML(header []string, settings map[string]any) error {
	var b bytes.Buffer
	for _, h := range header {
		b.WriteString("# " + h + "\n")
	}
	if len(header) > 0 {
		b.WriteString("\n")
	}
	if err := tomlEncode(&b, settings); err != nil {
		return fmt.Errorf("writing site.toml: %w", err)
	}
	return j.write("site.toml", b.Bytes())
}

func tomlEncode(w io.Writer, v map[string]any) error {
	enc := toml.NewEncoder(w)
	enc.Indent = ""
	return enc.Encode(v)
}

// finish builds the staged site once, then puts it in place. The trial
// build writes into a temporary folder, never into the new site.
func (j *job) finish(ctx context.Context) (*Report, error) {
	if err := j.writeExtras(); err != nil {
		j.abort()
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "agora-import-build-")
	if err != nil {
		j.abort()
		return nil, err
	}
	defer os.RemoveAll(tmp)
	res, err := generator.Build(ctx, generator.Options{Source: j.stage.Dir(), Destination: filepath.Join(tmp, "public"), Now: j.opt.Now})
	if ctx.Err() != nil {
		j.abort()
		return nil, ctx.Err()
	}
	r := j.r
	if err != nil {
		r.BuildFailed = true
		r.BuildProblems = problems(err, j.stage.Dir())
	} else {
		r.Build = strings.Replace(res.String(), " into "+res.Destination, "", 1)
		r.BuildProblems = res.Warnings
	}
	j.src.Close()
	if err := j.stage.Commit(); err != nil {
		_ = j.stage.Abort()
		return nil, err
	}
	sortNotes(r.Converted)
	sortNotes(r.Lost)
	return r, nil
}

// problems splits a build error into its messages, with the staging
// folder's path taken out so that they name files in the new site.
func problems(err error, stageDir string) []string {
	var errs []error
	var list *diag.Errors
	if errors.As(err, &list) {
		errs = list.List
	} else {
		errs = []error{err}
	}
	var out []string
	for _, e := range errs {
		msg := strings.ReplaceAll(e.Error(), stageDir+string(filepath.Separator), "")
		out = append(out, strings.Split(strings.TrimRight(msg, "\n"), "\n")...)
	}
	return out
}

// sortNotes orders notes by file and line, keeping notes about the whole
// site first.
func sortNotes(notes []Note) {
	sort.SliceStable(notes, func(a, b int) bool {
		if notes[a].File != notes[b].File {
			return notes[a].File < notes[b].File
		}
		return notes[a].Line < notes[b].Line
	})
}

// convert, skip and lose add notes to the report.
func (j *job) convert(file string, line int, format string, args ...any) {
	j.r.Converted = append(j.r.Converted, Note{file, line, fmt.Sprintf(format, args...)})
}

func (j *job) skip(file string, format string, args ...any) {
	j.r.Skipped = append(j.r.Skipped, Note{file, 0, fmt.Sprintf(format, args...)})
}

func (j *job) lose(file string, line int, format string, args ...any) {
	j.r.Lost = append(j.r.Lost, Note{file, line, fmt.Sprintf(format, args...)})
}

// rawHTMLShortcode is the shortcode an HTML page's body is wrapped in, so
// that Agora writes it as it is, as Hugo and Jekyll did, without turning
// raw HTML on for every page's Markdown.
const (
	rawHTMLShortcode = "rawhtml"
	rawHTMLTemplate  = "{{- .Inner -}}\n"
)

// rawHTML returns the name of the shortcode that writes its inner text as
// it is, writing it into the new site the first time. A site that has its
// own shortcode of that name keeps it, and the import's gets another.
func (j *job) rawHTML() (string, error) {
	if j.htmlShortcode != "" {
		return j.htmlShortcode, nil
	}
	name := rawHTMLShortcode
	for i := 2; j.written["layouts/shortcodes/"+name+".html"]; i++ {
		name = fmt.Sprintf("%s%d", rawHTMLShortcode, i)
	}
	j.htmlShortcode = name
	return name, j.write("layouts/shortcodes/"+name+".html", []byte(rawHTMLTemplate))
}

// listNames joins up to max names, saying how many more there are.
func listNames(names []string, max int) string {
	names = slices.Clone(names)
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}
