// Package audit runs the checks site owners run on a built site, for tests:
// axe-core in a real Chromium (accessibility) and html-validate (validity).
// Both are npm packages pinned in package.json beside this file; .ci/run
// installs them with `npm ci`. Without them a test is skipped, except under
// CI, where that is a failure, as for the browser.
package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Tools are the installed npm packages.
type Tools struct {
	dir  string // this package's folder, holding node_modules/
	root string // the repository, holding .htmlvalidate.json
	node string
}

// Require returns the tools, or skips the test when they are not installed
// (fails it under CI, where .ci/run installs them).
func Require(t testing.TB) *Tools {
	t.Helper()
	tl, err := find()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but the audit tools are missing: %v", err)
		}
		t.Skipf("audit tools not installed (npm ci --prefix internal/audit): %v", err)
	}
	return tl
}

func find() (*Tools, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return nil, errors.New("cannot tell where the audit package is")
	}
	dir := filepath.Dir(file)
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	for _, f := range []string{axePath, htmlValidatePath} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, err
		}
	}
	return &Tools{dir: dir, root: filepath.Join(dir, "..", ".."), node: node}, nil
}

const (
	axePath          = "node_modules/axe-core/axe.min.js"
	htmlValidatePath = "node_modules/html-validate/bin/html-validate.mjs"
)

// Violation is one axe-core rule that failed on a page.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, %d nodes): %s", v.ID, v.Impact, len(v.Nodes), v.Help)
	for i, n := range v.Nodes {
		if i == 3 {
			fmt.Fprintf(&b, "\n    … and %d more", len(v.Nodes)-i)
			break
		}
		fmt.Fprintf(&b, "\n    %v %s", n.Target, n.HTML)
	}
	return b.String()
}

// Scheme is the colour scheme a page is checked in: the theme's dark
// colours are a second set of contrasts.
type Scheme string

const (
	Light Scheme = "light"
	Dark  Scheme = "dark"
)

// Emulate sets the viewport width (the height is that of a phone or a
// laptop) and prefers-color-scheme for the pages loaded after it.
func Emulate(width int64, s Scheme) chromedp.Action[chromedp.Void] {
	height := int64(800)
	if width < 600 {
		height = 740
	}
	return chromedp.Steps(
		chromedp.EmulateViewport(width, height),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: string(s)}},
			})
			return err
		}),
	)
}

// Axe runs axe-core with its default rules (WCAG 2.x A and AA, and its best
// practices) on the page open in browser, and returns the violations.
func (tl *Tools) Axe(browser context.Context) ([]Violation, error) {
	src, err := os.ReadFile(filepath.Join(tl.dir, axePath))
	if err != nil {
		return nil, err
	}
	if _, err := chromedp.Run(browser, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
		return nil, fmt.Errorf("loading axe-core: %w", err)
	}
	const run = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`
	v, err := chromedp.Run(browser, chromedp.Evaluate[[]Violation](run, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	return v, nil
}

// Message is one html-validate error.
type Message struct {
	File    string
	Line    int
	Rule    string
	Text    string
	Snippet string
}

func (m Message) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", m.File, m.Line, m.Rule, m.Text)
}

// HTMLValidate checks files with html-validate under the repository's
// .htmlvalidate.json and returns its errors (warnings are not failures).
func (tl *Tools) HTMLValidate(ctx context.Context, files ...string) ([]Message, error) {
	// The report goes to a file: node cuts output to a pipe short when
	// html-validate exits.
	tmp, err := os.MkdirTemp("", "agora-html-validate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	reportFile := filepath.Join(tmp, "report.json")
	args := append([]string{filepath.Join(tl.dir, htmlValidatePath),
		"--config", filepath.Join(tl.root, ".htmlvalidate.json"), "--formatter", "json=" + reportFile}, files...)
	cmd := exec.CommandContext(ctx, tl.node, args...)
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &errOut, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, err
	}
	// It exits 1 when it found errors.
	out, rerr := os.ReadFile(reportFile)
	if rerr != nil {
		return nil, fmt.Errorf("html-validate: %v: %v\n%s", err, rerr, errOut.String())
	}
	var report []struct {
		FilePath string `json:"filePath"`
		Messages []struct {
			RuleID   string `json:"ruleId"`
			Severity int    `json:"severity"`
			Message  string `json:"message"`
			Line     int    `json:"line"`
			Selector string `json:"selector"`
		} `json:"messages"`
	}
	if jerr := json.Unmarshal(out, &report); jerr != nil {
		return nil, fmt.Errorf("html-validate: %v: %v\n%s", err, jerr, errOut.String())
	}
	var msgs []Message
	for _, f := range report {
		for _, m := range f.Messages {
			if m.Severity == 2 {
				msgs = append(msgs, Message{File: f.FilePath, Line: m.Line, Rule: m.RuleID, Text: m.Message, Snippet: m.Selector})
			}
		}
	}
	if err != nil && len(msgs) == 0 {
		return nil, fmt.Errorf("html-validate: %v\n%s", err, errOut.String())
	}
	return msgs, nil
}
