package cli_test

import (
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/agora-hub/agora/internal/testsite"
)

const sendSite = `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
timezone = "UTC"
[newsletter]
from = "Hub <news@example.org>"
[newsletter.smtp]
host = "127.0.0.1"
tls = "none"
-- content/tips/a.md --
+++
title = "Go tip"
date = 2026-01-05T10:00:00Z
tags = ["go"]
+++
Body of A.
-- content/tips/b.md --
+++
title = "Moderation tip"
date = 2026-01-06T10:00:00Z
tags = ["moderation"]
+++
Body of B.
`

// sink is a plain SMTP server on loopback counting what each address got.
type sink struct {
	mu  sync.Mutex
	got map[string]int
}

func (k *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{k: k}, nil }

type sinkSession struct {
	k  *sink
	to string
}

func (s *sinkSession) Reset()                                    {}
func (s *sinkSession) Logout() error                             { return nil }
func (s *sinkSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *sinkSession) Data(r io.Reader) error {
	_, _ = io.Copy(io.Discard, r)
	s.k.mu.Lock()
	s.k.got[s.to]++
	s.k.mu.Unlock()
	return nil
}

func startSink(t *testing.T) (*sink, string) {
	k := &sink{got: map[string]int{}}
	srv := smtp.NewServer(k)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return k, port
}

func TestSendCommand(t *testing.T) {
	t.Setenv("AGORA_DB", "")
	dir := testsite.New(t, sendSite)
	for _, args := range [][]string{
		{"ada@example.org", "--name", "Ada", "--topics", "go"},
		{"bob@example.org", "--topics", "cooking"},
		{"cy@example.org"},
	} {
		if code, _, stderr := run(t, append([]string{"subscribers", "add", "-s", dir}, args...)...); code != 0 {
			t.Fatalf("add: %s", stderr)
		}
	}
	now := "--now=2026-02-01T00:00:00Z"

	code, out, stderr := run(t, "send", "-s", dir, now, "--dry-run")
	if code != 0 || !strings.Contains(out, "2 distinct digests to 2 subscribers") || !strings.Contains(out, "    ada@example.org") || strings.Contains(out, "bob@") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, stderr)
	}
	preview := filepath.Join(t.TempDir(), "preview")
	if code, out, stderr := run(t, "send", "-s", dir, now, "--preview", preview); code != 0 {
		t.Fatalf("preview: exit %d\n%s%s", code, out, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(preview, "*"))
	if len(files) != 4 {
		t.Errorf("preview wrote %q: want an .eml and an .html per digest", files)
	}

	t.Setenv("AGORA_SECRET", "")
	if code, _, stderr := run(t, "send", "-s", dir, now, "--yes"); code != 1 || !strings.Contains(stderr, "AGORA_SECRET") {
		t.Fatalf("without AGORA_SECRET: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "content", "newsletter")); err == nil {
		t.Error("a refused send wrote an archive page")
	}

	k, port := startSink(t)
	t.Setenv("AGORA_SECRET", strings.Repeat("s", 32))
	t.Setenv("AGORA_SMTP_PORT", port)
	code, out, stderr = run(t, "send", "-s", dir, now, "--yes")
	if code != 0 || !strings.Contains(out, "Issue 1: sent 2 of 2") || !strings.Contains(out, "Issue 1 is done.") {
		t.Fatalf("send: exit %d\n%s%s", code, out, stderr)
	}
	if k.got["ada@example.org"] != 1 || k.got["cy@example.org"] != 1 || k.got["bob@example.org"] != 0 {
		t.Errorf("received %v", k.got)
	}
	if _, err := os.Stat(filepath.Join(dir, "content", "newsletter", "2026-02-01-issue-1.md")); err != nil {
		t.Errorf("archive page: %v", err)
	}
	code, out, _ = run(t, "send", "-s", dir, "--now=2026-02-02T00:00:00Z", "--yes")
	if code != 0 || !strings.Contains(out, "Nothing new in tips since issue 1") {
		t.Errorf("second send: exit %d\n%s", code, out)
	}
	// The archive builds as a section with its own feed.
	if code, _, stderr := run(t, "build", "-s", dir, "--now=2026-02-02T00:00:00Z", "-q"); code != 0 {
		t.Fatalf("build: %s", stderr)
	}
	for _, f := range []string{"newsletter/2026-02-01-issue-1/index.html", "newsletter/index.xml"} {
		if _, err := os.Stat(filepath.Join(dir, "public", f)); err != nil {
			t.Errorf("after the send, the build lacks %s", f)
		}
	}
}

// withStdin runs the rest of the test with f as the process's stdin.
func withStdin(t *testing.T, f *os.File) {
	t.Helper()
	old := os.Stdin
	os.Stdin = f
	t.Cleanup(func() { os.Stdin = old })
}

// readyToSend is sendSite with two subscribers, AGORA_SECRET and an SMTP
// sink: agora send there has an issue to send.
func readyToSend(t *testing.T) (dir string, k *sink) {
	t.Helper()
	t.Setenv("AGORA_DB", "")
	dir = testsite.New(t, sendSite)
	for _, a := range []string{"ada@example.org", "cy@example.org"} {
		if code, _, stderr := run(t, "subscribers", "add", a, "-s", dir); code != 0 {
			t.Fatalf("add: %s", stderr)
		}
	}
	k, port := startSink(t)
	t.Setenv("AGORA_SECRET", strings.Repeat("s", 32))
	t.Setenv("AGORA_SMTP_PORT", port)
	return dir, k
}

// TestSendAsksOnlyATerminal: without --yes, agora send asks, and only a
// terminal can answer. Cron gives /dev/null, a character device that reads
// as an empty answer: that must be refused like a pipe, with exit 2, not
// taken for a terminal and end in "Nothing sent." and exit 0.
func TestSendAsksOnlyATerminal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stdin func(t *testing.T) *os.File
	}{
		{"/dev/null", func(t *testing.T) *os.File {
			f, err := os.Open(os.DevNull)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}},
		{"a pipe saying n", func(t *testing.T) *os.File {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			if _, err := w.WriteString("n\n"); err != nil {
				t.Fatal(err)
			}
			w.Close()
			return r
		}},
		{"a file saying y", func(t *testing.T) *os.File {
			p := filepath.Join(t.TempDir(), "answer")
			if err := os.WriteFile(p, []byte("y\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, k := readyToSend(t)
			withStdin(t, tc.stdin(t))
			code, out, stderr := run(t, "send", "-s", dir, "--now=2026-02-01T00:00:00Z")
			if code != 2 || !strings.Contains(stderr, "stdin is not a terminal: pass --yes") {
				t.Errorf("exit %d, want 2 with the --yes hint\nstdout: %s\nstderr: %s", code, out, stderr)
			}
			if strings.Contains(out, "[y/N]") || strings.Contains(out, "Nothing sent.") {
				t.Errorf("asked a question nobody can answer:\n%s", out)
			}
			if len(k.got) != 0 {
				t.Errorf("mailed %v", k.got)
			}
			if _, err := os.Stat(filepath.Join(dir, "content", "newsletter")); err == nil {
				t.Error("a refused send wrote an archive page")
			}
			// --yes is what cron and CI pass.
			code, out, stderr = run(t, "send", "-s", dir, "--now=2026-02-01T00:00:00Z", "--yes")
			if code != 0 || !strings.Contains(out, "Issue 1: sent 2 of 2") {
				t.Errorf("--yes: exit %d\n%s%s", code, out, stderr)
			}
		})
	}
}
