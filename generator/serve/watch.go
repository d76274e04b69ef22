package serve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchedDirs are the site folders whose changes change the output, as in
// Hugo. site.toml is watched through the site root.
var watchedDirs = []string{"content", "layouts", "themes", "static", "archetypes", "data", "assets", "i18n", "config"}

// watcher turns fsnotify's events into batches of changed paths. Editors
// save in bursts (write a temp file, rename it over the original, touch the
// folder), so a batch closes only after the tree has been quiet for the
// debounce interval; one save is then one rebuild.
type watcher struct {
	root     string
	fs       *fsnotify.Watcher
	debounce time.Duration
}

func newWatcher(root string, debounce time.Duration) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watching %s: %w", root, err)
	}
	w := &watcher{root: root, fs: fw, debounce: debounce}
	// The root itself is watched (not recursively) for site.toml and for
	// watched folders created after start.
	if err := fw.Add(root); err != nil {
		fw.Close()
		return nil, fmt.Errorf("watching %s: %w", root, err)
	}
	for _, d := range watchedDirs {
		if err := w.addTree(filepath.Join(root, d)); err != nil {
			fw.Close()
			return nil, err
		}
	}
	return w, nil
}

// addTree watches dir and every folder below it. fsnotify is not
// recursive, and a folder made after start (a new leaf bundle) must be
// watched too, so this runs again for each created folder.
func (w *watcher) addTree(dir string) error {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		return w.fs.Add(p)
	})
	if err != nil {
		return fmt.Errorf("watching %s: %w", dir, err)
	}
	return nil
}

// resync makes the watches match the folders on disk. A renamed folder
// keeps its inotify watch under the old name, or loses it, depending on
// the order the kernel's events arrive in, so after each burst of changes
// watches of folders that are gone are dropped and every folder of the
// watched trees that is not watched is added.
func (w *watcher) resync() error {
	watched := map[string]bool{}
	stale := false
	for _, p := range w.fs.WatchList() {
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			_ = w.fs.Remove(p)
			stale = true
			continue
		}
		watched[p] = true
	}
	if stale {
		// The watch just dropped may have been the one inotify shares
		// with the folder's new name: watch every folder afresh.
		for p := range watched {
			_ = w.fs.Remove(p)
		}
		clear(watched)
		if err := w.fs.Add(w.root); err != nil {
			return fmt.Errorf("watching %s: %w", w.root, err)
		}
	}
	for _, d := range watchedDirs {
		err := filepath.WalkDir(filepath.Join(w.root, d), func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !e.IsDir() {
				return nil
			}
			if strings.HasPrefix(e.Name(), ".") && p != filepath.Join(w.root, d) {
				return filepath.SkipDir
			}
			if !watched[p] {
				return w.fs.Add(p)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("watching %s: %w", d, err)
		}
	}
	return nil
}

// relevant reports whether a change to p (absolute) can change the site.
func (w *watcher) relevant(p string) bool {
	rel, err := filepath.Rel(w.root, p)
	if err != nil || !filepath.IsLocal(rel) {
		return false
	}
	rel = filepath.ToSlash(rel)
	first, _, nested := strings.Cut(rel, "/")
	if !nested {
		if rel == "site.toml" {
			return true
		}
		for _, d := range watchedDirs {
			if rel == d {
				return true
			}
		}
		return false
	}
	for _, d := range watchedDirs {
		if first == d {
			return !editorNoise(filepath.Base(p))
		}
	}
	return false
}

// editorNoise is a file an editor writes beside the one being saved: swap
// files, backups, lock files and vim's write test "4913".
func editorNoise(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") ||
		strings.HasPrefix(name, "#") || strings.HasSuffix(name, ".swp") ||
		strings.HasSuffix(name, ".swx") || strings.HasSuffix(name, ".tmp") ||
		name == "4913"
}

// run sends each batch of changed paths (site-relative, slash-separated)
// on out until ctx ends, then closes the watcher and out.
func (w *watcher) run(ctx context.Context, out chan<- []string, errs chan<- error) {
	defer close(out)
	defer w.fs.Close()
	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					if err := w.addTree(ev.Name); err != nil {
						sendErr(ctx, errs, err)
					}
				}
			}
			if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
				// Chmod alone (touch, indexers, backup tools) changes
				// nothing we render.
				continue
			}
			if !w.relevant(ev.Name) {
				continue
			}
			rel, _ := filepath.Rel(w.root, ev.Name)
			pending[filepath.ToSlash(rel)] = true
			timer.Reset(w.debounce)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			sendErr(ctx, errs, fmt.Errorf("watching %s: %w", w.root, err))
		case <-timer.C:
			if err := w.resync(); err != nil {
				sendErr(ctx, errs, err)
			}
			batch := make([]string, 0, len(pending))
			for p := range pending {
				batch = append(batch, p)
			}
			clear(pending)
			select {
			case out <- batch:
			case <-ctx.Done():
				return
			}
		}
	}
}

func sendErr(ctx context.Context, errs chan<- error, err error) {
	select {
	case errs <- err:
	case <-ctx.Done():
	}
}
