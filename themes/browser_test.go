package themes_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agora-hub/agora/internal/testsite"
)

type viewport struct{ w, h int64 }

var (
	phone   = viewport{320, 640}
	desktop = viewport{1280, 800}
)

// TestDefaultThemeInBrowser builds the example hub under the sub-path /hub/,
// serves it over HTTP and checks the default theme's pages in a real
// Chromium: no horizontal scrolling on a phone or a desktop, the stylesheet
// applied, basic accessibility, no JavaScript, and no broken same-origin
// links. Set AGORA_SCREENSHOTS=DIR to also write screenshots of the home
// page into DIR.
func TestDefaultThemeInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, base, _ := serveHub(t, ctx)

	browser := testsite.Browser(t, ctx)

	shots := os.Getenv("AGORA_SCREENSHOTS")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// status caches the answer for each same-origin URL across pages.
	status := map[string]int{}
	client := srv.Client()

	pages := []struct {
		name       string
		path       string // below the base
		wantStatus int
		screenshot bool
	}{
		{name: "home", path: "", wantStatus: 200, screenshot: true},
		{name: "section", path: "tips/", wantStatus: 200},
		{name: "single", path: "tips/metrics-that-matter/", wantStatus: 200}, // has an image
		{name: "term", path: "tags/onboarding/", wantStatus: 200},
		{name: "transparency log", path: "transparency/", wantStatus: 200},
		{name: "transparency kind", path: "transparency/kind/farewell/", wantStatus: 200},
		{name: "superseded decision", path: "transparency/digest-moves-to-fridays/", wantStatus: 200},
		{name: "events", path: "events/", wantStatus: 200},
		{name: "hybrid event", path: "events/metrics-review-clinic/", wantStatus: 200},
		{name: "cancelled event", path: "events/newsletter-writers-lunch-vienna/", wantStatus: 200},
		{name: "newsletter", path: "newsletter/", wantStatus: 200}, // the sign-up form
		{name: "404", path: "tips/no-such-tip/", wantStatus: 404},  // a deep URL, as on GitHub Pages
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			pageURL := base + pg.path

			// 1. Responsive: no horizontal scrolling. The desktop size goes
			// last, so that the checks below run on the desktop layout.
			for _, vp := range []viewport{phone, desktop} {
				if err := chromedp.Do(browser, chromedp.EmulateViewport(vp.w, vp.h)); err != nil {
					t.Fatal(err)
				}
				resp, err := chromedp.Run(browser, chromedp.NavigateResponse(pageURL))
				if err != nil {
					t.Fatalf("navigate to %s: %v", pageURL, err)
				}
				if resp == nil || int(resp.Status) != pg.wantStatus {
					got := -1
					if resp != nil {
						got = int(resp.Status)
					}
					t.Fatalf("GET %s: status %d, want %d", pageURL, got, pg.wantStatus)
				}
				ov, err := chromedp.Run(browser, chromedp.Evaluate[overflow](overflowJS))
				if err != nil {
					t.Fatal(err)
				}
				if ov.ScrollWidth > ov.InnerWidth {
					t.Errorf("%dx%d: scrollWidth %d > innerWidth %d (horizontal scrolling); widest elements: %s",
						vp.w, vp.h, ov.ScrollWidth, ov.InnerWidth, strings.Join(ov.Offenders, ", "))
				}
				if pg.screenshot && shots != "" {
					png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
					if err != nil {
						t.Fatal(err)
					}
					name := filepath.Join(shots, fmt.Sprintf("%s-%dx%d.png", pg.name, vp.w, vp.h))
					if err := os.WriteFile(name, png, 0o644); err != nil {
						t.Fatal(err)
					}
					t.Logf("screenshot: %s", name)
				}
			}

			f, err := chromedp.Run(browser, chromedp.Evaluate[facts](factsJS))
			if err != nil {
				t.Fatal(err)
			}

			// 2. The stylesheet loaded and applied.
			if f.Sheets < 1 || f.Rules < 1 {
				t.Errorf("stylesheets: %d sheets with %d rules, want the theme's CSS", f.Sheets, f.Rules)
			}
			if f.BodyMargin != "0px" {
				t.Errorf("body margin-top %q, want 0px from the theme (8px is the browser default)", f.BodyMargin)
			}
			if !strings.Contains(f.BodyFont, "system-ui") {
				t.Errorf("body font-family %q, want the theme's system-ui stack", f.BodyFont)
			}
			if f.MainWidth <= 0 || f.MainWidth >= float64(desktop.w) {
				t.Errorf("main is %.0fpx wide at %dpx, want the theme's centred column", f.MainWidth, desktop.w)
			}
			if f.SkipPosition != "absolute" {
				t.Errorf("skip link position %q, want absolute (hidden until focused)", f.SkipPosition)
			}

			// 3. Accessibility basics.
			if strings.TrimSpace(f.Lang) == "" {
				t.Error("<html> has no lang")
			}
			if f.H1 != 1 {
				t.Errorf("%d h1 elements, want exactly 1", f.H1)
			}
			if !f.Banner {
				t.Error("no site header (body > header)")
			}
			if f.LabelledNavs < 1 {
				t.Error("no nav[aria-label]")
			}
			if f.Navs != f.LabelledNavs {
				t.Errorf("%d nav elements but only %d have a label", f.Navs, f.LabelledNavs)
			}
			if f.Mains != 1 || !f.MainID {
				t.Errorf("%d main elements, main#main %v; want one main#main", f.Mains, f.MainID)
			}
			if !f.Footer {
				t.Error("no site footer (body > footer)")
			}
			for _, img := range f.Images {
				if strings.TrimSpace(img.Alt) == "" {
					t.Errorf("img %s has no alt text", img.Src)
				}
				if !img.Loaded {
					t.Errorf("img %s did not load", img.Src)
				}
			}
			for _, id := range f.MissingTargets {
				t.Errorf("link to #%s, but the page has no element with that id", id)
			}
			if err := chromedp.Do(browser, chromedp.KeyEvent("\t")); err != nil {
				t.Fatal(err)
			}
			fc, err := chromedp.Run(browser, chromedp.Evaluate[focus](focusJS))
			if err != nil {
				t.Fatal(err)
			}
			if fc.Href != "#main" {
				t.Errorf("first Tab focuses %s (href %q), want the skip link to #main", fc.Element, fc.Href)
			} else if fc.Top < 0 || fc.Left < 0 {
				t.Errorf("focused skip link is off screen at (%.0f, %.0f)", fc.Left, fc.Top)
			}

			t.Logf("checked %d links and resources, %d images, %d nav landmarks", len(f.Refs), len(f.Images), f.Navs)

			// 4. No JavaScript.
			if f.Scripts != 0 {
				t.Errorf("%d script elements, want none", f.Scripts)
			}
			for _, h := range f.Handlers {
				t.Errorf("inline JavaScript: %s", h)
			}

			// 5. Same-origin links and resources answer 200.
			self, err := url.Parse(pageURL)
			if err != nil {
				t.Fatal(err)
			}
			for _, ref := range f.Refs {
				u, err := self.Parse(ref.Value)
				if err != nil {
					t.Errorf("%s %q: %v", ref.Kind, ref.Value, err)
					continue
				}
				u.Fragment = ""
				if u.Scheme+"://"+u.Host != srv.URL || u.String() == pageURL {
					continue // another site, or this page (a 404 by design on the 404 page)
				}
				code, ok := status[u.String()]
				if !ok {
					code, err = get(ctx, client, u.String())
					if err != nil {
						t.Errorf("%s %q: %v", ref.Kind, ref.Value, err)
						continue
					}
					status[u.String()] = code
				}
				if code != http.StatusOK {
					t.Errorf("%s %q -> %s: status %d", ref.Kind, ref.Value, u, code)
				}
			}
		})
	}
}

// exists reports whether the file server would find p (a URL path below the
// base) in dir: a file, or a folder with an index.html.
func exists(dir, p string) bool {
	name := filepath.Join(dir, filepath.FromSlash(path.Clean("/"+p)))
	st, err := os.Stat(name)
	if err != nil {
		return false
	}
	if st.IsDir() {
		_, err = os.Stat(filepath.Join(name, "index.html"))
		return err == nil
	}
	return true
}

func get(ctx context.Context, c *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	return resp.StatusCode, nil
}

type overflow struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Offenders   []string `json:"offenders"`
}

// overflowJS measures the page width and names the elements that stick out
// to the right, so that a failure says what to fix.
const overflowJS = `(() => {
	const w = window.innerWidth;
	const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
		(el.classList.length ? '.' + Array.from(el.classList).join('.') : '');
	const offenders = [];
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		if (r.right > w + 0.5 && offenders.length < 8) {
			offenders.push(name(el) + ' (right ' + Math.round(r.right) + 'px)');
		}
	}
	return {scrollWidth: document.documentElement.scrollWidth, innerWidth: w, offenders};
})()`

type image struct {
	Src    string `json:"src"`
	Alt    string `json:"alt"`
	Loaded bool   `json:"loaded"`
}

type ref struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

type facts struct {
	Sheets         int      `json:"sheets"`
	Rules          int      `json:"rules"`
	BodyMargin     string   `json:"bodyMargin"`
	BodyFont       string   `json:"bodyFont"`
	MainWidth      float64  `json:"mainWidth"`
	SkipPosition   string   `json:"skipPosition"`
	Lang           string   `json:"lang"`
	H1             int      `json:"h1"`
	Banner         bool     `json:"banner"`
	Navs           int      `json:"navs"`
	LabelledNavs   int      `json:"labelledNavs"`
	Mains          int      `json:"mains"`
	MainID         bool     `json:"mainID"`
	Footer         bool     `json:"footer"`
	Images         []image  `json:"images"`
	MissingTargets []string `json:"missingTargets"`
	Scripts        int      `json:"scripts"`
	Handlers       []string `json:"handlers"`
	Refs           []ref    `json:"refs"`
}

const factsJS = `(() => {
	let sheets = 0, rules = 0;
	for (const s of document.styleSheets) {
		sheets++;
		try { rules += s.cssRules.length; } catch (e) { /* cross-origin */ }
	}
	const body = getComputedStyle(document.body);
	const main = document.querySelector('main');
	const skip = document.querySelector('a[href="#main"]');
	const navs = document.querySelectorAll('nav');
	const labelled = Array.from(navs).filter(n =>
		(n.getAttribute('aria-label') || '').trim() !== '' || n.hasAttribute('aria-labelledby'));
	const images = Array.from(document.images, img => ({
		src: img.getAttribute('src') || '',
		alt: img.getAttribute('alt') || '',
		loaded: img.complete && img.naturalWidth > 0,
	}));
	const missingTargets = [];
	for (const a of document.querySelectorAll('a[href^="#"]')) {
		const id = decodeURIComponent(a.getAttribute('href').slice(1));
		if (id !== '' && !document.getElementById(id)) missingTargets.push(id);
	}
	const handlers = [];
	for (const el of document.querySelectorAll('*')) {
		for (const at of el.attributes) {
			if (at.name.startsWith('on') || /^\s*javascript:/i.test(at.value)) {
				handlers.push(el.tagName.toLowerCase() + ' ' + at.name + '="' + at.value + '"');
			}
		}
	}
	const refs = [];
	for (const a of document.querySelectorAll('a[href]')) refs.push({kind: 'a href', value: a.getAttribute('href')});
	for (const l of document.querySelectorAll('link[href]')) refs.push({kind: 'link[rel=' + l.rel + '] href', value: l.getAttribute('href')});
	for (const i of document.querySelectorAll('img[src]')) refs.push({kind: 'img src', value: i.getAttribute('src')});
	return {
		sheets, rules,
		bodyMargin: body.marginTop,
		bodyFont: body.fontFamily,
		mainWidth: main ? main.getBoundingClientRect().width : 0,
		skipPosition: skip ? getComputedStyle(skip).position : '',
		lang: document.documentElement.getAttribute('lang') || '',
		h1: document.querySelectorAll('h1').length,
		banner: !!document.querySelector('body > header'),
		navs: navs.length,
		labelledNavs: labelled.length,
		mains: document.querySelectorAll('main').length,
		mainID: !!document.querySelector('main#main'),
		footer: !!document.querySelector('body > footer'),
		images, missingTargets,
		// JSON-LD is data for search engines, not script: it never runs.
		scripts: [...document.scripts].filter(s => s.type !== 'application/ld+json').length,
		handlers, refs,
	};
})()`

type focus struct {
	Element string  `json:"element"`
	Href    string  `json:"href"`
	Top     float64 `json:"top"`
	Left    float64 `json:"left"`
}

const focusJS = `(() => {
	const el = document.activeElement;
	const r = el.getBoundingClientRect();
	return {
		element: el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''),
		href: el.getAttribute('href') || '',
		top: r.top, left: r.left,
	};
})()`
