package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStageCommitReplacesWholeSite(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	for round, files := range [][]string{{"a/index.html", "old.html"}, {"a/index.html", "b/c/index.html"}} {
		s, err := NewStage(dest)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := s.Write(f, "test", []byte(f)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, f := range files {
			if b, err := os.ReadFile(filepath.Join(dest, f)); err != nil || string(b) != f {
				t.Errorf("round %d: %s = %q, %v", round, f, b, err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dest, "old.html")); err == nil {
		t.Error("a stale file survived the second build")
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".public.tmp-*"))
	if len(left) > 0 {
		t.Errorf("staging left behind: %v", left)
	}
}

func TestStageRefusesEscapesAndDoubleWrites(t *testing.T) {
	s, err := NewStage(filepath.Join(t.TempDir(), "public"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	for _, bad := range []string{"../x.html", "/etc/passwd", "a/../../x", `a\..\..\x`} {
		if err := s.Write(bad, "test", nil); err == nil {
			t.Errorf("Write(%q) accepted", bad)
		}
	}
	if err := s.Write("x/index.html", "content/one.md", nil); err != nil {
		t.Fatal(err)
	}
	err = s.Write("x/index.html", "content/two.md", nil)
	if err == nil || !strings.Contains(err.Error(), "content/one.md") || !strings.Contains(err.Error(), "content/two.md") {
		t.Errorf("second writer: %v", err)
	}
}

func TestAbortLeavesDestination(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	if err := os.MkdirAll(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dest, "keep.html"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := NewStage(dest)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Write("new.html", "t", []byte("new"))
	if err := s.Abort(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dest, "keep.html")); string(b) != "keep" {
		t.Error("abort touched the destination")
	}
	if _, err := os.Stat(filepath.Join(dest, "new.html")); err == nil {
		t.Error("abort published a file")
	}
}
