package serve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator"
)

// writeSite writes files (slash paths → contents) under a new folder.
func writeSite(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		write(t, filepath.Join(root, filepath.FromSlash(name)), body)
	}
	return root
}

func write(t *testing.T, file, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// saveLikeAnEditor replaces file the way vim and many IDEs do: write a
// temporary file beside it, then rename it over the original.
func saveLikeAnEditor(t *testing.T, file, body string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(file), "."+filepath.Base(file)+".swp")
	write(t, tmp, body)
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
}

func smallSite(t *testing.T) string {
	return writeSite(t, map[string]string{
		"site.toml":              "baseURL = \"https://example.org/hub/\"\ntitle = \"Live\"\n",
		"content/_index.md":      "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
		"content/tips/_index.md": "+++\ntitle = \"Tips\"\n+++\n",
		"content/tips/hello.md":  "+++\ntitle = \"Hello\"\ndate = 2026-01-01T09:00:00Z\n+++\nThe first version.\n",
	})
}

// startServer runs a server for root on a free port until the test ends.
func startServer(t *testing.T, root string) (*Server, <-chan error, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Listen(ctx, Options{Build: optionsFor(root), Addr: "127.0.0.1:0"})
	if err != nil {
		cancel()
		t.Fatalf("Listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	return srv, done, cancel
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// events reads the SSE stream and sends each event's name and data.
type sseEvent struct{ name, data string }

func events(t *testing.T, ctx context.Context, url string) <-chan sseEvent {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan sseEvent, 16)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					ev.data = strings.Join(data, "\n")
					out <- ev
				}
				ev, data = sseEvent{}, nil
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			}
		}
	}()
	return out
}

func next(t *testing.T, ch <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("event stream ended")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return sseEvent{}
}

func TestServeRebuildsAndReportsErrors(t *testing.T) {
	root := smallSite(t)
	srv, _, _ := startServer(t, root)
	page := srv.URL() + "tips/hello/"
	if !strings.HasSuffix(srv.URL(), "/hub/") {
		t.Fatalf("URL %q does not keep the site's base path /hub/", srv.URL())
	}

	code, body := get(t, page)
	if code != 200 || !strings.Contains(body, "The first version.") {
		t.Fatalf("GET %s = %d, body lacks the page text:\n%s", page, code, body)
	}
	if !strings.Contains(body, scriptTag+"</body>") && !strings.Contains(body, scriptTag) {
		t.Errorf("served page lacks the live-reload script")
	}
	if !strings.Contains(body, `href="/hub/tips/`) && !strings.Contains(body, "http://"+srv.ln.Addr().String()+"/hub/") {
		t.Errorf("links do not point at the local server under /hub/:\n%s", body)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream := events(t, ctx, "http://"+srv.ln.Addr().String()+eventsPath)
	if ev := next(t, stream); ev.name != "hello" || ev.data != "ok" {
		t.Fatalf("first event = %+v, want hello/ok", ev)
	}

	file := filepath.Join(root, "content", "tips", "hello.md")
	saveLikeAnEditor(t, file, "+++\ntitle = \"Hello\"\ndate = 2026-01-01T09:00:00Z\n+++\nThe second version.\n")
	if ev := next(t, stream); ev.name != "reload" {
		t.Fatalf("after a save: event %+v, want reload", ev)
	}
	if _, body := get(t, page); !strings.Contains(body, "The second version.") {
		t.Fatalf("after reload the page still lacks the new text")
	}

	saveLikeAnEditor(t, file, "+++\ntitle = \"Hello\ndate = 2026-01-01T09:00:00Z\n+++\nBroken.\n")
	ev := next(t, stream)
	if ev.name != "builderror" || !strings.Contains(ev.data, "content/tips/hello.md:2") {
		t.Fatalf("after breaking the front matter: event %+v, want builderror naming content/tips/hello.md:2", ev)
	}
	if _, body := get(t, page); !strings.Contains(body, "The second version.") {
		t.Errorf("a failed build must keep the last good one served")
	}

	// A new connection (a page opened now) learns of the error at once.
	late := events(t, ctx, "http://"+srv.ln.Addr().String()+eventsPath)
	if ev := next(t, late); ev.name != "hello" || !strings.Contains(ev.data, "hello.md:2") {
		t.Errorf("a new stream starts with %+v, want the current error", ev)
	}

	saveLikeAnEditor(t, file, "+++\ntitle = \"Hello\"\ndate = 2026-01-01T09:00:00Z\n+++\nThe third version.\n")
	if ev := next(t, stream); ev.name != "reload" {
		t.Fatalf("after fixing: event %+v, want reload", ev)
	}

	// A folder made after start (a new leaf bundle) is watched too.
	write(t, filepath.Join(root, "content", "tips", "bundle", "index.md"), "+++\ntitle = \"Bundle\"\ndate = 2026-01-02T09:00:00Z\n+++\nIn a bundle.\n")
	if ev := next(t, stream); ev.name != "reload" {
		t.Fatalf("after adding a bundle: event %+v, want reload", ev)
	}
	if code, body := get(t, srv.URL()+"tips/bundle/"); code != 200 || !strings.Contains(body, "In a bundle.") {
		t.Fatalf("new bundle page: %d", code)
	}
	bundleImage := filepath.Join(root, "content", "tips", "bundle", "img", "a.txt")
	write(t, bundleImage, "resource")
	if ev := next(t, stream); ev.name != "reload" {
		t.Fatalf("after adding a file in a new nested folder: event %+v, want reload", ev)
	}
}

func TestServeCSSOnlyChange(t *testing.T) {
	root := smallSite(t)
	write(t, filepath.Join(root, "static", "css", "extra.css"), "body{}")
	srv, _, _ := startServer(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream := events(t, ctx, "http://"+srv.ln.Addr().String()+eventsPath)
	next(t, stream)
	write(t, filepath.Join(root, "static", "css", "extra.css"), "body{color:red}")
	if ev := next(t, stream); ev.name != "css" {
		t.Fatalf("after a stylesheet change: event %+v, want css", ev)
	}
	if _, body := get(t, srv.URL()+"css/extra.css"); body != "body{color:red}" {
		t.Errorf("stylesheet not rebuilt: %q", body)
	}
}

func TestServeNotFoundAndRedirects(t *testing.T) {
	root := smallSite(t)
	srv, _, _ := startServer(t, root)
	host := "http://" + srv.ln.Addr().String()
	tests := []struct {
		path string
		want int
	}{
		{"/hub/", 200},
		{"/hub/tips/hello/", 200},
		{"/hub/no/such/page/", 404},
		{"/hub/../site.toml", 404},
		{"/other/", 404},
	}
	for _, tc := range tests {
		if code, _ := get(t, host+tc.path); code != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, code, tc.want)
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(host + "/hub/tips")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/hub/tips/" {
		t.Errorf("GET /hub/tips = %d to %q, want 301 to /hub/tips/", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestServeStopsCleanly: cancelling (Ctrl-C) ends Run with open event
// streams, releases the port and leaves no goroutine behind.
func TestServeStopsCleanly(t *testing.T) {
	before := runtime.NumGoroutine()
	root := smallSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Listen(ctx, Options{Build: optionsFor(root), Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	streamCtx, stopStream := context.WithCancel(context.Background())
	defer stopStream()
	stream := events(t, streamCtx, "http://"+addr+eventsPath)
	next(t, stream)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5s of Ctrl-C with a stream open")
	}
	if _, ok := <-stream; ok {
		t.Error("the event stream stayed open after shutdown")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("port not released: %v", err)
	}
	ln.Close()
	if _, err := os.Stat(srv.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("build folder %s left behind", srv.dir)
	}
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after stopping:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestServeRefusesBrokenSiteAtStart(t *testing.T) {
	root := writeSite(t, map[string]string{
		"site.toml":         "baseURL = \"https://example.org/\"\ntitle = \"x\"\n",
		"content/tips/a.md": "+++\ntitle = \n+++\n",
	})
	_, err := Listen(context.Background(), Options{Build: optionsFor(root), Addr: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "content/tips/a.md:2") {
		t.Fatalf("Listen on a broken site: %v, want an error naming content/tips/a.md:2", err)
	}
}

func TestInjectScript(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<html><body><p>x</p></body></html>", "<html><body><p>x</p>" + scriptTag + "</body></html>"},
		{"<HTML><BODY>x</BODY></HTML>", "<HTML><BODY>x" + scriptTag + "</BODY></HTML>"},
		{"<p>fragment</p>", "<p>fragment</p>" + scriptTag},
		{"<body><pre>&lt;/body&gt;</pre></body>", "<body><pre>&lt;/body&gt;</pre>" + scriptTag + "</body>"},
	}
	for _, tc := range tests {
		if got := string(injectScript([]byte(tc.in))); got != tc.want {
			t.Errorf("injectScript(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWatcherRelevant(t *testing.T) {
	w := &watcher{root: "/site"}
	tests := []struct {
		path string
		want bool
	}{
		{"/site/site.toml", true},
		{"/site/content/tips/a.md", true},
		{"/site/layouts/_default/single.html", true},
		{"/site/static/css/x.css", true},
		{"/site/content/tips/.a.md.swp", false},
		{"/site/content/tips/a.md~", false},
		{"/site/content/tips/4913", false},
		{"/site/public/index.html", false},
		{"/site/README.md", false},
		{"/elsewhere/content/a.md", false},
	}
	for _, tc := range tests {
		if got := w.relevant(tc.path); got != tc.want {
			t.Errorf("relevant(%s) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func optionsFor(root string) generator.Options {
	return generator.Options{Source: root, Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
}

// TestServeRenamedFolder: a folder renamed under content/ is watched under
// its new name, so edits inside it still rebuild.
func TestServeRenamedFolder(t *testing.T) {
	root := smallSite(t)
	write(t, filepath.Join(root, "content", "tips", "bundle", "index.md"), "+++\ntitle = \"Bundle\"\ndate = 2026-01-02T09:00:00Z\n+++\nFirst.\n")
	srv, _, _ := startServer(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream := events(t, ctx, "http://"+srv.ln.Addr().String()+eventsPath)
	next(t, stream)

	if err := os.Rename(filepath.Join(root, "content", "tips", "bundle"), filepath.Join(root, "content", "tips", "moved")); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, stream); ev.name != "reload" {
		t.Fatalf("after the rename: %+v", ev)
	}
	for i := 1; i <= 3; i++ {
		text := fmt.Sprintf("Edit %d after the move.", i)
		saveLikeAnEditor(t, filepath.Join(root, "content", "tips", "moved", "index.md"), "+++\ntitle = \"Bundle\"\ndate = 2026-01-02T09:00:00Z\n+++\n"+text+"\n")
		if ev := next(t, stream); ev.name != "reload" {
			t.Fatalf("edit %d in the renamed folder: %+v", i, ev)
		}
		if _, body := get(t, srv.URL()+"tips/moved/"); !strings.Contains(body, text) {
			t.Fatalf("edit %d in the renamed folder is not served", i)
		}
	}
}

// TestServeReloadsWhenAnEventEnds: with no edit at all, the open pages
// reload when an event ends, since "Upcoming" and "Past" change.
func TestServeReloadsWhenAnEventEnds(t *testing.T) {
	root := smallSite(t)
	now := time.Now().UTC().Truncate(time.Second)
	write(t, filepath.Join(root, "content", "events", "soon.md"), fmt.Sprintf(
		"+++\ntitle = \"Soon over\"\ndate = %s\n\n[event]\ntimezone = \"UTC\"\nstart = %s\nend = %s\nvenue = \"Hall\"\n+++\n",
		now.Add(-48*time.Hour).Format(time.RFC3339), now.Add(-time.Hour).Format(time.RFC3339), now.Add(2*time.Second).Format(time.RFC3339)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := Listen(ctx, Options{Build: generator.Options{Source: root}, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()
	stream := events(t, ctx, "http://"+srv.ln.Addr().String()+eventsPath)
	next(t, stream)
	if ev := next(t, stream); ev.name != "reload" {
		t.Fatalf("when the event ended: %+v, want reload", ev)
	}
	if _, body := get(t, srv.URL()+"events/"); !strings.Contains(body, "Soon over") {
		t.Fatalf("the events list lost the event")
	}
}
