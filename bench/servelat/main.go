// Command servelat measures agora serve's edit-to-reload latency: it starts
// the agora binary's serve on a site, listens on the live-reload event
// stream as a browser would, rewrites one page's body N times, and times
// each save from the file write to the reload event. It prints every
// sample, then p50 and p95, and the server's peak memory.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	agora := flag.String("agora", "agora", "the agora binary")
	site := flag.String("site", "", "the site folder")
	page := flag.String("page", "", "the Markdown file to edit, relative to the site's content/ (default: the first tip)")
	edits := flag.Int("n", 50, "number of edits")
	pause := flag.Duration("pause", 300*time.Millisecond, "pause between edits")
	kind := flag.String("kind", "body", "what each edit changes: body (a paragraph at the end), title, or date (moves the page in its lists)")
	flag.Parse()
	if *kind != "body" && *kind != "title" && *kind != "date" {
		fmt.Fprintln(os.Stderr, "servelat: -kind is body, title or date")
		os.Exit(2)
	}
	if err := run(*agora, *site, *page, *kind, *edits, *pause); err != nil {
		fmt.Fprintln(os.Stderr, "servelat:", err)
		os.Exit(1)
	}
}

func run(agora, site, page, kind string, edits int, pause time.Duration) error {
	if site == "" {
		return errors.New("-site is required")
	}
	file, err := pickPage(site, page)
	if err != nil {
		return err
	}
	original, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	defer os.WriteFile(file, original, 0o644)

	port, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.Command(agora, "serve", "-s", site, "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	events, err := connect(ctx, fmt.Sprintf("http://127.0.0.1:%d/__agora/events", port))
	if err != nil {
		return err
	}
	if ev := <-events; ev != "hello" {
		return fmt.Errorf("first event %q, want hello", ev)
	}
	fmt.Printf("# first build and serving after %.2fs\n", time.Since(start).Seconds())

	var samples []time.Duration
	for i := 1; i <= edits; i++ {
		body := append(append([]byte(nil), original...), fmt.Sprintf("\n\nEdit number %d.\n", i)...)
		switch kind {
		case "title":
			body = titleRe.ReplaceAll(original, []byte(fmt.Sprintf("${1}Edit %d: ", i)))
		case "date":
			body = dateRe.ReplaceAll(original, []byte(fmt.Sprintf("${1}2020-01-%02dT09:00:00Z", 1+i%28)))
		}
		if kind != "body" && string(body) == string(original) {
			return fmt.Errorf("%s has no %s line to edit", file, kind)
		}
		t0 := time.Now()
		if err := os.WriteFile(file, body, 0o644); err != nil {
			return err
		}
		select {
		case ev, ok := <-events:
			if !ok {
				return errors.New("event stream closed")
			}
			if ev != "reload" {
				return fmt.Errorf("edit %d: event %q, want reload", i, ev)
			}
		case <-time.After(30 * time.Second):
			return fmt.Errorf("edit %d: no reload within 30s", i)
		}
		d := time.Since(t0)
		samples = append(samples, d)
		fmt.Printf("edit %2d %7.1f ms\n", i, ms(d))
		time.Sleep(pause)
	}
	slices.Sort(samples)
	peak, rss := memory(cmd.Process.Pid)
	fmt.Printf("p50_ms %.1f\np95_ms %.1f\nmax_ms %.1f\nserver_peak_MiB %.1f\nserver_rss_MiB %.1f\n",
		ms(quantile(samples, 0.50)), ms(quantile(samples, 0.95)), ms(samples[len(samples)-1]), peak, rss)
	return nil
}

// titleRe finds the front matter's title value.
var (
	titleRe = regexp.MustCompile(`(?m)^(title\s*=\s*")`)
	dateRe  = regexp.MustCompile(`(?m)^(date\s*=\s*)\S+`)
)

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// quantile is the nearest-rank quantile of sorted samples.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func pickPage(site, page string) (string, error) {
	if page != "" {
		return filepath.Join(site, "content", filepath.FromSlash(page)), nil
	}
	matches, err := filepath.Glob(filepath.Join(site, "content", "tips", "*.md"))
	if err != nil {
		return "", err
	}
	for _, m := range matches {
		if filepath.Base(m) != "_index.md" {
			return m, nil
		}
	}
	return "", fmt.Errorf("no page under %s/content/tips; give -page", site)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// connect waits for the server and streams event names.
func connect(ctx context.Context, url string) (<-chan string, error) {
	var resp *http.Response
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		var err error
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("server did not start: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	out := make(chan string, 64)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				out <- name
			}
		}
	}()
	return out, nil
}

// memory reads the process's peak and current resident set in MiB.
func memory(pid int) (peak, rss float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmHWM:":
			peak = kb / 1024
		case "VmRSS:":
			rss = kb / 1024
		}
	}
	return peak, rss
}
