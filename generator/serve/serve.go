// Package serve is `agora serve`: it builds the site, serves it over HTTP,
// rebuilds when a source changes and tells open pages to reload over a
// Server-Sent Events stream. A failed rebuild keeps the last good build on
// screen, with the error over it.
package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/generator/config"
)

// Options configure a Server.
type Options struct {
	// Build holds the site and the draft and future flags. Its BaseURL and
	// Destination are set by the server.
	Build generator.Options
	// Addr is host:port to listen on; "127.0.0.1:1313" (Hugo's) if empty.
	Addr string
	// Debounce is how long the tree must be quiet after a change before
	// a rebuild; 10 ms if zero, long enough for an editor's save burst.
	Debounce time.Duration
	// Log receives one line per build and every build error.
	Log io.Writer
}

// DefaultAddr is where Hugo serves, so editors' bookmarks keep working.
const DefaultAddr = "127.0.0.1:1313"

const defaultDebounce = 10 * time.Millisecond

// Server is one running `agora serve`.
type Server struct {
	opt      Options
	ln       net.Listener
	dir      string // holds the build folder
	out      string // the build folder being served
	hub      *hub
	basePath atomic.Value // string: the site's base path, "/hub/" or "/"
	builds   int
	// session keeps the model between rebuilds; sessionBase is the
	// baseURL it was opened with.
	session     *generator.Session
	sessionBase string
	logMu       sync.Mutex
}

// Listen binds the address and makes the first build, so that a broken
// site or a busy port fails before anything is served.
func Listen(ctx context.Context, opt Options) (*Server, error) {
	if opt.Addr == "" {
		opt.Addr = DefaultAddr
	}
	if opt.Debounce <= 0 {
		opt.Debounce = defaultDebounce
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if opt.Build.Source == "" {
		opt.Build.Source = "."
	}
	root, err := filepath.Abs(opt.Build.Source)
	if err != nil {
		return nil, err
	}
	opt.Build.Source = root
	if opt.Build.Environment == "" {
		opt.Build.Environment = config.Development // Hugo's for its server
	}
	ln, err := net.Listen("tcp", opt.Addr)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	dir, err := os.MkdirTemp("", "agora-serve-")
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{opt: opt, ln: ln, dir: dir, out: filepath.Join(dir, "public"), hub: newHub()}
	s.basePath.Store("/")
	if err := s.rebuild(ctx, nil); err != nil {
		s.cleanup()
		return nil, err
	}
	return s, nil
}

// URL is the address of the site's home page.
func (s *Server) URL() string {
	return "http://" + s.ln.Addr().String() + s.basePath.Load().(string)
}

// Run serves until ctx ends, then stops the watcher, ends every event
// stream, shuts the HTTP server down and removes the build folder.
func (s *Server) Run(ctx context.Context) error {
	defer s.cleanup()
	w, err := newWatcher(s.opt.Build.Source, s.opt.Debounce)
	if err != nil {
		s.ln.Close()
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	mux := http.NewServeMux()
	mux.Handle(eventsPath, s.hub)
	mux.HandleFunc(scriptPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(liveJS)
	})
	mux.HandleFunc("/", s.serveSite)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(s.hub.close)

	changes := make(chan []string)
	watchErrs := make(chan error)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); w.run(ctx, changes, watchErrs) }()
	go func() {
		defer wg.Done()
		// clock fires when, with no edit, the site goes out of date: a
		// scheduled page is due, an event starts or ends.
		clock := time.NewTimer(time.Hour)
		defer clock.Stop()
		arm := func() {
			clock.Stop()
			if due := s.session.ValidUntil(); !due.IsZero() {
				clock.Reset(max(time.Until(due), 0) + 10*time.Millisecond)
			}
		}
		arm()
		for {
			select {
			case batch, ok := <-changes:
				if !ok {
					return
				}
				_ = s.rebuild(ctx, batch)
			case <-clock.C:
				s.tick(ctx)
			case err := <-watchErrs:
				s.logf("%v", err)
			case <-ctx.Done():
				return
			}
			arm()
		}
	}()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(s.ln) }()
	s.logf("Serving %s at %s (Ctrl-C to stop)", s.opt.Build.Source, s.URL())

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-serveErr:
	}
	cancel()
	shutdownCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if err := srv.Shutdown(shutdownCtx); err != nil && runErr == nil {
		runErr = err
	}
	wg.Wait()
	if errors.Is(runErr, http.ErrServerClosed) {
		runErr = nil
	}
	return runErr
}

func (s *Server) cleanup() {
	s.ln.Close()
	_ = os.RemoveAll(s.dir)
}

func (s *Server) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opt.Log, format+"\n", args...)
}

// rebuild brings the served folder up to date: the session re-renders
// what an edit touched, or builds everything. The generator swaps a full
// build in only when it succeeds, and an incremental one writes nothing
// unless every file rendered, so a broken save leaves the last good build
// being served. changed is nil for the first build.
func (s *Server) rebuild(ctx context.Context, changed []string) error {
	err := s.update(ctx, changed)
	s.builds++
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		s.logf("Build failed:\n%v", err)
		s.hub.publish(state{Build: s.builds, Err: err.Error()})
		return err
	}
	s.hub.publish(state{Build: s.builds, CSSOnly: changed != nil && onlyCSS(changed)})
	return nil
}

func (s *Server) update(ctx context.Context, changed []string) error {
	base, err := s.localBase(s.opt.Build.Source)
	if err != nil {
		return err
	}
	if s.session == nil || base != s.sessionBase {
		// First build, or site.toml moved the base path: a new session.
		opt := s.opt.Build
		opt.Destination, opt.BaseURL = s.out, base
		session, res, err := generator.Open(ctx, opt)
		if err != nil {
			return err
		}
		moved := s.session != nil
		s.session, s.sessionBase = session, base
		for _, w := range res.Warnings {
			s.logf("warning: %s", w)
		}
		s.logf("%s", res)
		if moved {
			s.logf("The base path changed: serving at %s", s.URL())
		}
		return nil
	}
	u, err := s.session.Update(ctx, changed)
	if err != nil {
		return err
	}
	changed = s.named(changed)
	if u.Full {
		s.logf("Rebuilt everything after changes to %s: %s", summarize(changed), u.Result)
	} else {
		s.logf("Rebuilt %s in %s: %d files rewritten", summarize(changed), u.Duration.Round(time.Microsecond), len(u.Changed))
	}
	return nil
}

// tick updates the site for the clock alone and reloads the pages if
// anything changed.
func (s *Server) tick(ctx context.Context) {
	u, err := s.session.Tick(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.builds++
			s.logf("Build failed:\n%v", err)
			s.hub.publish(state{Build: s.builds, Err: err.Error()})
		}
		return
	}
	if u.Full || len(u.Changed) > 0 {
		s.builds++
		s.logf("Rebuilt for the clock (a scheduled page or an event's start or end): %d files rewritten", len(u.Changed))
		s.hub.publish(state{Build: s.builds})
	}
}

// localBase is site.toml's baseURL moved to the server's address, keeping
// its path, so a GitHub Pages project site is previewed under its sub-path
// and links that forget the base path break here as they would there.
func (s *Server) localBase(root string) (string, error) {
	cfg, err := config.LoadEnv(root, s.opt.Build.Environment)
	if err != nil {
		return "", err
	}
	p := cfg.Base.Path()
	if p == "" {
		p = "/"
	}
	s.basePath.Store(p)
	return "http://" + s.ln.Addr().String() + p, nil
}

// serveSite answers like GitHub Pages: files from the build, folders by
// their index.html, and the site's 404 page for anything else.
func (s *Server) serveSite(w http.ResponseWriter, r *http.Request) {
	base := s.basePath.Load().(string)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == strings.TrimSuffix(base, "/") || (base != "/" && r.URL.Path == "/") {
		http.Redirect(w, r, base, http.StatusFound)
		return
	}
	rel, ok := strings.CutPrefix(r.URL.Path, base)
	if !ok {
		s.notFound(w)
		return
	}
	rel = path.Clean("/" + rel)
	file := filepath.Join(s.out, filepath.FromSlash(rel))
	if st, err := os.Stat(file); err == nil && st.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		}
		file = filepath.Join(file, "index.html")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		s.notFound(w)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if strings.HasSuffix(file, ".html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		data = injectScript(data)
	}
	http.ServeContent(w, r, filepath.Base(file), time.Time{}, bytes.NewReader(data))
}

func (s *Server) notFound(w http.ResponseWriter) {
	body, err := os.ReadFile(filepath.Join(s.out, "404.html"))
	if err != nil {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write(injectScript(body))
}

// named leaves out of the log the files that came and went within one
// save: sed's and some editors' temporary files.
func (s *Server) named(changed []string) []string {
	var out []string
	for _, c := range changed {
		_, err := os.Lstat(filepath.Join(s.opt.Build.Source, filepath.FromSlash(c)))
		if err == nil || path.Ext(c) == ".md" || path.Ext(c) == ".html" || c == "site.toml" {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return changed
	}
	return out
}

// onlyCSS reports whether every changed file is a stylesheet, which the
// page can swap in place.
func onlyCSS(changed []string) bool {
	for _, c := range changed {
		if path.Ext(c) != ".css" {
			return false
		}
	}
	return len(changed) > 0
}

func summarize(changed []string) string {
	const most = 3
	if len(changed) <= most {
		return strings.Join(changed, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(changed[:most], ", "), len(changed)-most)
}
