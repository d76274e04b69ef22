package generator_test

import (
	"context"
	"encoding/base64"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/testsite"
)

// updateGolden rewrites the golden sections of testdata/hugogolden/*.txtar
// with what the installed Hugo writes for the same site:
//
//	go test ./generator -run TestHugoGolden -update-golden
var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/hugogolden from the installed hugo's output")

// goldenPrefix marks an archive section holding an expected output file:
// "-- golden/index.html --" is public/index.html as Hugo wrote it.
const goldenPrefix = "golden/"

// TestHugoGolden builds small sites, one per group of template functions,
// and compares Agora's pages with Hugo's, text by text. The expected text
// was written by Hugo 0.111 (Debian's package) from the same archive, the
// site.toml copied to hugo.toml; a "# hugo:" comment in an archive's
// site.toml says where newer Hugo versions differ.
func TestHugoGolden(t *testing.T) {
	t.Setenv("HUGO_GOLDEN", "from-env")
	files, err := filepath.Glob("testdata/hugogolden/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden archives: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			archive := string(raw)
			if *updateGolden {
				archive = regenerate(t, archive)
				if err := os.WriteFile(file, []byte(archive), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			site, golden := splitGolden(archive)
			if strings.Contains(site, ".scss --") {
				needSassc(t)
			}
			dir := t.TempDir()
			writeSite(t, dir, site)
			if _, err := generator.Build(context.Background(), generator.Options{Source: dir, Now: testNow}); err != nil {
				t.Fatalf("build: %v", err)
			}
			if len(golden) == 0 {
				t.Fatal("the archive has no golden sections")
			}
			for _, rel := range sortedKeys(golden) {
				got := testsite.Read(t, filepath.Join(dir, "public"), rel)
				if want := golden[rel]; normalize(got) != normalize(want) {
					t.Errorf("%s differs from Hugo's\n--- agora\n%s\n--- hugo\n%s", rel, got, want)
				}
			}
		})
	}
}

// normalize forgives what no reader sees: trailing spaces and blank lines.
func normalize(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " \t"); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func splitGolden(archive string) (site string, golden map[string]string) {
	golden = map[string]string{}
	var b strings.Builder
	in := false
	for _, line := range strings.SplitAfter(archive, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") {
			name := strings.TrimSpace(trimmed[3 : len(trimmed)-3])
			in = strings.HasPrefix(name, goldenPrefix)
			if in {
				golden[strings.TrimPrefix(name, goldenPrefix)] = ""
			}
		}
		if !in {
			b.WriteString(line)
		}
	}
	for name, body := range testsite.Parse(archive) {
		if rel, ok := strings.CutPrefix(name, goldenPrefix); ok {
			golden[rel] = body
		}
	}
	return b.String(), golden
}

// regenerate runs hugo on the archive's site and puts its output in the
// golden sections.
func regenerate(t *testing.T, archive string) string {
	t.Helper()
	hugo, err := exec.LookPath("hugo")
	if err != nil {
		t.Fatalf("-update-golden needs hugo on PATH: %v", err)
	}
	site, golden := splitGolden(archive)
	dir := t.TempDir()
	writeSite(t, dir, site)
	cfg, err := os.ReadFile(filepath.Join(dir, "site.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hugo.toml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(hugo, "--quiet", "-s", dir, "-d", filepath.Join(dir, "public"), "--cacheDir", filepath.Join(dir, ".cache"))
	cmd.Env = append(os.Environ(), "HUGO_GOLDEN=from-env")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hugo: %v\n%s", err, out)
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(site, "\n") + "\n")
	for _, rel := range sortedKeys(golden) {
		got := testsite.Read(t, filepath.Join(dir, "public"), rel)
		b.WriteString("-- " + goldenPrefix + rel + " --\n" + got)
		if !strings.HasSuffix(got, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeSite writes the archive's files; a file named NAME.base64 holds a
// binary file (an image) in base64 and is written as NAME.
func writeSite(t *testing.T, dir, site string) {
	t.Helper()
	testsite.Write(t, dir, site)
	for name, body := range testsite.Parse(site) {
		bin, ok := strings.CutSuffix(name, ".base64")
		if !ok {
			continue
		}
		data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(body), ""))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.Remove(full); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(bin)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// needSassc skips a test that compiles Sass when sassc is missing, except
// under CI, which installs it: there a skipped check must not pass.
func needSassc(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sassc"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but sassc is missing: %v", err)
		}
		t.Skipf("no sassc: %v", err)
	}
}
