package themes_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator"
)

// hubNow is the clock the example hub is built at in the browser tests, so
// that its events fall on both sides of it.
var hubNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// serveHub builds the example hub under the sub-path /hub/ into a temporary
// folder and serves it like GitHub Pages: files from the build, and the
// site's 404.html with status 404 for anything else below /hub/. Requests
// outside /hub/ get Go's plain 404, so a link that forgot the base path
// fails a link check. It returns the server, the base URL and the folder.
func serveHub(t *testing.T, ctx context.Context) (srv *httptest.Server, base, out string) {
	t.Helper()
	out = filepath.Join(t.TempDir(), "public")
	files := http.FileServer(http.Dir(out))
	srv = httptest.NewServer(http.StripPrefix("/hub", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !exists(out, r.URL.Path) {
			body, err := os.ReadFile(filepath.Join(out, "404.html"))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write(body)
			return
		}
		files.ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)
	base = srv.URL + "/hub/"
	if _, err := generator.Build(ctx, generator.Options{
		Source:      "..",
		Destination: out,
		BaseURL:     base,
		Now:         hubNow,
	}); err != nil {
		t.Fatalf("build: %v", err)
	}
	return srv, base, out
}
