//go:build unix

package output

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A child process that makes a stage for the destination in
// AGORA_TEST_STAGE_DEST, says its folder, and waits to be killed, as a
// build does mid-way.
func init() {
	dest := os.Getenv("AGORA_TEST_STAGE_DEST")
	if dest == "" {
		return
	}
	s, err := NewStage(dest)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	_ = s.Write("index.html", "test", []byte("half a build"))
	fmt.Println(s.Dir())
	time.Sleep(time.Minute)
	os.Exit(0)
}

// TestKilledBuildsStagingIsCleaned kills a process mid-build with
// SIGKILL, as the OOM killer or a CI timeout would: the next build
// removes the staging folder it left, but never one a running build uses.
func TestKilledBuildsStagingIsCleaned(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "AGORA_TEST_STAGE_DEST="+dest)
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.HasPrefix(line, "error:") {
		t.Fatalf("child: %q %v", line, err)
	}
	running := strings.TrimSpace(line)

	// A build while the other runs leaves its stage alone.
	s, err := NewStage(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write("index.html", "test", []byte("ok")); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(running, "index.html")); err != nil {
		t.Fatalf("the running build's stage was touched: %v", err)
	}

	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	s, err = NewStage(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	if _, err := os.Stat(running); !os.IsNotExist(err) {
		t.Errorf("the killed build's stage %s is still there (%v)", running, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".public.tmp-*")); len(left) != 1 || left[0] != s.Dir() {
		t.Errorf("stages left: %v, want only %s", left, s.Dir())
	}
	// Folders of other destinations beside it are not touched.
	other := filepath.Join(filepath.Dir(dest), ".publicity.tmp-1")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	s.Abort()
	s2, err := NewStage(dest)
	if err != nil {
		t.Fatal(err)
	}
	s2.Abort()
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another destination's folder was removed: %v", err)
	}
}
