package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/testsite"
)

const funcsSite = `
-- site.toml --
baseURL = "https://example.org/"
title = "Hub"
-- content/_index.md --
+++
title = "Home"
+++
-- layouts/_default/single.html --
{{ .Title }}
-- layouts/_default/list.html --
{{ .Title }}
`

// buildErr builds and returns the error, failing when there is none.
func buildFailure(t *testing.T, dir string) error {
	t.Helper()
	_, err := generator.Build(context.Background(), generator.Options{Source: dir, Now: testNow})
	if err == nil {
		t.Fatal("the build succeeded, want an error")
	}
	return err
}

func TestReturnEndsThePartialWhereItRuns(t *testing.T) {
	dir := testsite.New(t, funcsSite+`
-- layouts/partials/sign.html --
{{ if lt . 0 }}{{ return "negative" }}{{ end }}
{{ if eq . 0 }}{{ return "zero" }}{{ end }}
ignored output
{{ return "positive" }}
-- layouts/partials/loop.html --
{{ range seq 10 }}{{ if eq . 3 }}{{ return . }}{{ end }}{{ end }}
{{ return 0 }}
-- layouts/partials/nested.html --
{{ return (partial "sign.html" .) }}
-- layouts/index.html --
{{ partial "sign.html" -2 }} {{ partial "sign.html" 0 }} {{ partial "sign.html" 5 }} {{ partial "loop.html" . }} {{ partial "nested.html" 1 }}
`)
	_, pub := build(t, dir)
	assertFile(t, pub, "index.html", "negative zero positive 3 positive")
}

func TestReturnMustEndItsPipeline(t *testing.T) {
	dir := testsite.New(t, funcsSite+`
-- layouts/partials/bad.html --
line one
{{ return 1 | print }}
-- layouts/index.html --
{{ partial "bad.html" . }}
`)
	err := buildFailure(t, dir)
	for _, want := range []string{"layouts/partials/bad.html:2", "return must be the last command in a pipeline"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestTryCatchesTheCallsError(t *testing.T) {
	dir := testsite.New(t, funcsSite+`
-- layouts/index.html --
{{ with try (div 1 0) }}{{ with .Err }}caught: {{ . }}{{ else }}{{ .Value }}{{ end }}{{ end }}
{{ with try (resources.Get "nope.css") }}{{ with .Err }}{{ . }}{{ else }}none:[{{ .Value }}]{{ end }}{{ end }}
{{ $r := try (partial "missing.html" .) }}{{ if $r.Err }}partial failed{{ end }}
{{ $ok := try (strings.Repeat 2 "ab") }}{{ $ok.Value }}
{{ $m := try (.Site.GetPage "nowhere") }}{{ if not $m.Value }}no page{{ end }}
`)
	_, pub := build(t, dir)
	assertFile(t, pub, "index.html", "caught: div: division by zero", "none:[]", "partial failed", "abab", "no page")
}

func TestPartialCachedRendersOncePerKey(t *testing.T) {
	dir := testsite.New(t, funcsSite+`
-- content/a.md --
+++
title = "A"
+++
-- content/b.md --
+++
title = "B"
+++
-- content/c.md --
+++
title = "C"
+++
-- layouts/partials/count.html --
{{ return math.Counter }}
-- layouts/_default/single.html --
{{ .Title }} {{ partialCached "count.html" . }} {{ partialCached "count.html" . .Title }}
-- layouts/index.html --
home {{ partialCached "count.html" . }}
`)
	_, pub := build(t, dir)
	// Pages render concurrently: whichever asks first renders the partial;
	// every page must still see that one value.
	first := strings.Fields(testsite.Read(t, pub, "index.html"))[1]
	variants := map[string]bool{}
	for _, p := range []string{"a", "b", "c"} {
		f := strings.Fields(testsite.Read(t, pub, p+"/index.html"))
		if f[1] != first {
			t.Errorf("%s saw partialCached value %s, home saw %s", p, f[1], first)
		}
		variants[f[2]] = true
	}
	if len(variants) != 3 {
		t.Errorf("the three variants gave %d distinct renders, want 3", len(variants))
	}
}

func TestPartialCachedCallingItselfIsAnError(t *testing.T) {
	dir := testsite.New(t, funcsSite+`
-- layouts/partials/loop.html --
{{ partialCached "loop.html" . }}
-- layouts/index.html --
{{ partialCached "loop.html" . }}
`)
	done := make(chan error, 1)
	go func() { done <- buildFailure(t, dir) }()
	select {
	case err := <-done:
		if !strings.Contains(err.Error(), "calls itself with the same cache key") {
			t.Errorf("got %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the build hangs on a partialCached cycle")
	}
}

func TestErrorfFailsWithItsPosition(t *testing.T) {
	dir := testsite.New(t, funcsSite+`
-- layouts/index.html --
<p>
{{ errorf "the %s is missing" "logo" }}
`)
	err := buildFailure(t, dir)
	for _, want := range []string{"layouts/index.html:2", "the logo is missing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestErroridfAndIgnoreLogs(t *testing.T) {
	site := funcsSite + `
-- layouts/index.html --
{{ erroridf "theme-old-param" "the param %s is gone" "x" }}ok
{{ warnidf "theme-warning" "a warning" }}
{{ range seq 5 }}{{ warnf "said once: %d" 1 }}{{ end }}
{{ i18n "noSuchKey" }}
`
	err := buildFailure(t, testsite.New(t, site))
	if !strings.Contains(err.Error(), "ignoreLogs = ['theme-old-param']") {
		t.Errorf("the error does not say how to silence it: %v", err)
	}
	dir := testsite.New(t, strings.Replace(site, `title = "Hub"`, "title = \"Hub\"\nignoreLogs = [\"theme-old-param\", \"theme-warning\"]", 1))
	res, pub := build(t, dir)
	assertFile(t, pub, "index.html", "ok")
	got := strings.Join(res.Warnings, "\n")
	if strings.Count(got, "said once: 1") != 1 {
		t.Errorf("warnf's message should be printed once, warnings are:\n%s", got)
	}
	if strings.Contains(got, "a warning") {
		t.Errorf("ignoreLogs did not silence warnidf:\n%s", got)
	}
	if !strings.Contains(got, "i18n|MISSING_TRANSLATION|en|noSuchKey") {
		t.Errorf("no warning for the missing translation:\n%s", got)
	}
}

func TestGetenvAllowList(t *testing.T) {
	t.Setenv("HUGO_FEATURE", "on")
	t.Setenv("AGORA_SMTP_PASSWORD", "secret")
	t.Setenv("MY_VAR", "mine")
	page := `
-- layouts/index.html --
[{{ getenv "HUGO_FEATURE" }}]{{ with try (getenv "AGORA_SMTP_PASSWORD") }}{{ with .Err }}denied{{ else }}{{ .Value }}{{ end }}{{ end }}
`
	_, pub := build(t, testsite.New(t, funcsSite+page))
	got := assertFile(t, pub, "index.html", "[on]denied")
	if strings.Contains(got, "secret") {
		t.Fatal("a theme read a secret from the environment")
	}
	// security.funcs.getenv replaces the default list.
	site := strings.Replace(funcsSite, `title = "Hub"`, "title = \"Hub\"\n[security.funcs]\ngetenv = [\"^MY_\"]", 1)
	_, pub = build(t, testsite.New(t, site+`
-- layouts/index.html --
{{ getenv "MY_VAR" }}{{ with try (getenv "HUGO_FEATURE") }}{{ if .Err }} denied{{ end }}{{ end }}
`))
	assertFile(t, pub, "index.html", "mine denied")
}

func TestReadFileStaysInTheSite(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := testsite.New(t, funcsSite+`
-- notes/hello.txt --
hello from the site
-- layouts/index.html --
{{ readFile "notes/hello.txt" }}|{{ fileExists "notes/hello.txt" }}|{{ range readDir "notes" }}{{ .Name }}{{ end }}
{{ with try (readFile "../secret.txt") }}{{ with .Err }}refused{{ else }}{{ .Value }}{{ end }}{{ end }}
`)
	_, pub := build(t, dir)
	got := assertFile(t, pub, "index.html", "hello from the site", "|true|hello.txt", "refused")
	if strings.Contains(got, "secret") {
		t.Errorf("read a file outside the site: %s", got)
	}
}

func TestResourcesArePublishedOnlyWhenUsed(t *testing.T) {
	dir := testsite.New(t, funcsSite+`
-- assets/css/used.css --
.a { color: red }
-- assets/css/unused.css --
.b {}
-- assets/css/min.css --
.c  {  margin: 0px }
-- layouts/index.html --
{{ $unused := resources.Get "css/unused.css" }}{{ $x := $unused.Content }}
{{ $min := resources.Get "css/min.css" | minify | fingerprint }}
<link rel="stylesheet" href="{{ (resources.Get "css/used.css").RelPermalink }}">
<link rel="stylesheet" href="{{ $min.RelPermalink }}" integrity="{{ $min.Data.Integrity }}">
`)
	_, pub := build(t, dir)
	assertFile(t, pub, "css/used.css", ".a { color: red }")
	assertNoFile(t, pub, "css/unused.css")
	assertNoFile(t, pub, "css/min.css")
	assertNoFile(t, pub, "css/min.min.css")
	home := assertFile(t, pub, "index.html", `integrity="sha256-`)
	i := strings.Index(home, "/css/min.min.")
	if i < 0 {
		t.Fatalf("no fingerprinted link in %s", home)
	}
	name := home[i+1 : i+strings.Index(home[i:], `"`)]
	assertFile(t, pub, name, ".c{margin:0}")
}

func TestToCSSWithoutACompilerSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := testsite.New(t, funcsSite+`
-- assets/scss/main.scss --
$c: red;
a { color: $c; }
-- assets/css/plain.css --
a { color: blue; }
-- layouts/index.html --
{{ (resources.Get "css/plain.css" | toCSS).RelPermalink }}
{{ (resources.Get "scss/main.scss" | toCSS).RelPermalink }}
`)
	err := buildFailure(t, dir)
	for _, want := range []string{"layouts/index.html:2", "assets/scss/main.scss", "sassc", "dart-sass", "apt-get install sassc"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestSassErrorNamesTheFile(t *testing.T) {
	needSassc(t)
	dir := testsite.New(t, funcsSite+`
-- assets/scss/broken.scss --
a { color: $undefined; }
-- layouts/index.html --
{{ (resources.Get "scss/broken.scss" | toCSS).RelPermalink }}
`)
	err := buildFailure(t, dir)
	for _, want := range []string{"assets/scss/broken.scss", "$undefined", "layouts/index.html:1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestProcessedImagesAreCachedBetweenBuilds: the second build of a site
// with images decodes and encodes none, and writes the same files.
func TestProcessedImagesAreCachedBetweenBuilds(t *testing.T) {
	raw, err := os.ReadFile("testdata/hugogolden/assets.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var photo string
	for name, body := range testsite.Parse(string(raw)) {
		if name == "assets/images/photo.jpg.base64" {
			photo = body
		}
	}
	dir := t.TempDir()
	writeSite(t, dir, funcsSite+`
-- assets/images/photo.jpg.base64 --
`+photo+`
-- layouts/index.html --
{{ $img := resources.Get "images/photo.jpg" }}
{{ range slice "60x" "x20 q50" }}<img src="{{ ($img.Resize .).RelPermalink }}">{{ end }}
<img src="{{ ($img.Fill "30x30 Center").RelPermalink }}"><img src="{{ ($img.Fill "40x10").RelPermalink }}">
<img src="{{ ($img.Resize "100x webp").RelPermalink }}">
<img src="{{ ($img.Filter (images.Grayscale)).RelPermalink }}">
`)
	res1, pub := build(t, dir)
	if res1.Images == 0 {
		t.Fatal("the first build processed no image")
	}
	before := testsite.Hashes(t, pub)
	res2, _ := build(t, dir)
	if res2.Images != 0 {
		t.Errorf("the second build processed %d images, want 0 (all from resources/_gen)", res2.Images)
	}
	after := testsite.Hashes(t, pub)
	if len(before) != len(after) {
		t.Fatalf("the builds wrote %d and %d files", len(before), len(after))
	}
	for f, h := range before {
		if after[f] != h {
			t.Errorf("%s differs between the builds", f)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "resources", "_gen", "images", "*", "*")); len(entries) == 0 {
		t.Error("nothing cached under resources/_gen/images")
	}
}

func TestI18nFromSiteAndTheme(t *testing.T) {
	dir := testsite.New(t, funcsSite+`
-- i18n/en.toml --
[items]
one = "{{ .Count }} item"
other = "{{ .Count }} items"
-- i18n/pl.toml --
[items]
one = "{{ .Count }} rzecz"
few = "{{ .Count }} rzeczy"
many = "{{ .Count }} rzeczy (many)"
other = "{{ .Count }} rzeczy (other)"
-- layouts/index.html --
{{ i18n "items" 1 }}|{{ i18n "items" 2 }}|{{ T "items" 1.5 }}
`)
	_, pub := build(t, dir)
	assertFile(t, pub, "index.html", "1 item|2 items|1.5 items")
	// Polish has CLDR's few and many forms.
	if err := os.WriteFile(filepath.Join(dir, "site.toml"), []byte("baseURL = \"https://example.org/\"\ntitle = \"Hub\"\ndefaultContentLanguage = \"pl\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "layouts", "index.html"), []byte(`{{ i18n "items" 1 }}|{{ i18n "items" 3 }}|{{ i18n "items" 5 }}|{{ i18n "items" 22 }}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, pub = build(t, dir)
	assertFile(t, pub, "index.html", "1 rzecz|3 rzeczy|5 rzeczy (many)|22 rzeczy")
}

func TestBadTranslationFileNamesIt(t *testing.T) {
	dir := testsite.New(t, funcsSite+`
-- i18n/en.yaml --
home: [unclosed
-- layouts/index.html --
{{ i18n "home" }}
`)
	if err := buildFailure(t, dir); !strings.Contains(err.Error(), "i18n/en.yaml") {
		t.Errorf("error %q does not name the file", err)
	}
}
