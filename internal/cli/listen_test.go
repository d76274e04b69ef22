package cli_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-hub/agora/internal/cli"
	"github.com/agora-hub/agora/internal/testsite"
)

const listenSite = `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
[newsletter]
endpoint = "ENDPOINT"
from = "Hub <news@example.org>"
[newsletter.smtp]
host = "localhost"
tls = "none"
-- content/tips/a.md --
+++
title = "A"
date = 2026-01-05T10:00:00Z
tags = ["go"]
+++
Body of A.
`

func listenHub(t *testing.T, endpoint string) string {
	t.Helper()
	return testsite.New(t, strings.Replace(listenSite, "ENDPOINT", endpoint, 1))
}

func TestListenRefuses(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		name, endpoint, secret string
		args                   []string
		code                   int
		want                   string
	}{
		{"no secret", "https://news.example.org", "", nil, 1, "AGORA_SECRET is not set"},
		{"short secret", "https://news.example.org", "short", nil, 1, "at least 32 bytes"},
		{"no-limits in production", "https://news.example.org", secret, []string{"--no-limits"}, 2, "only for a benchmark"},
		{"no-limits on every interface", "http://127.0.0.1:8080", secret, []string{"--no-limits", "--addr", "0.0.0.0:8080"}, 2, "loopback --addr"},
		{"bad proxy", "https://news.example.org", secret, []string{"--trusted-proxy", "localhost"}, 2, "want an address or CIDR"},
		{"argument", "https://news.example.org", secret, []string{"extra"}, 2, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AGORA_SECRET", tc.secret)
			dir := listenHub(t, tc.endpoint)
			code, _, stderr := run(t, append([]string{"listen", "-s", dir, "--addr", "127.0.0.1:0"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, tc.code, tc.want, stderr)
			}
		})
	}
	t.Run("no endpoint", func(t *testing.T) {
		t.Setenv("AGORA_SECRET", secret)
		dir := testsite.New(t, "-- site.toml --\nbaseURL = \"https://example.org/\"\ntitle = \"Hub\"\n")
		if code, _, stderr := run(t, "listen", "-s", dir); code != 1 || !strings.Contains(stderr, "[newsletter] endpoint is not set") {
			t.Errorf("exit %d:\n%s", code, stderr)
		}
	})
}

// syncBuffer is written by the command while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestListenServesAndStops runs the command as main does and ends it as
// SIGTERM does, by cancelling its context: it must answer, then return 0.
func TestListenServesAndStops(t *testing.T) {
	t.Setenv("AGORA_SECRET", "0123456789abcdef0123456789abcdef")
	dir := listenHub(t, "https://news.example.org")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"listen", "-s", dir, "--addr", "127.0.0.1:0"}, io.Discard, &stderr)
	}()

	addr := regexp.MustCompile(`on http://(127\.0\.0\.1:\d+)`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case code := <-done:
			t.Fatalf("exited %d before serving:\n%s", code, stderr.String())
		default:
		}
		m = addr.FindStringSubmatch(stderr.String())
	}
	if m == nil {
		t.Fatalf("no address in:\n%s", stderr.String())
	}
	resp, err := http.Get("http://" + m[1] + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz: %s", resp.Status)
	}
	if !strings.Contains(stderr.String(), "topics: 1") {
		t.Errorf("start-up line: %s", stderr.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after the context ended:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("still running 15 s after the context ended")
	}
}
