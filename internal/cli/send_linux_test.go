package cli_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY returns the two ends of a new pseudo-terminal, or skips.
func openPTY(t *testing.T) (control, term *os.File) {
	t.Helper()
	control, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { control.Close() })
	fd := int(control.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	term, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the terminal end: %v", err)
	}
	t.Cleanup(func() { term.Close() })
	return control, term
}

// TestSendAsksATerminal answers the question on a pseudo-terminal, as a
// person at a shell does.
func TestSendAsksATerminal(t *testing.T) {
	for _, tc := range []struct {
		answer string
		code   int
		want   string
		mailed int
	}{
		{"n", 0, "Nothing sent.", 0},
		{"", 0, "Nothing sent.", 0},
		{"yes", 0, "Issue 1: sent 2 of 2", 2},
	} {
		t.Run(fmt.Sprintf("%q", tc.answer), func(t *testing.T) {
			dir, k := readyToSend(t)
			control, term := openPTY(t)
			withStdin(t, term)
			if _, err := control.WriteString(tc.answer + "\n"); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := run(t, "send", "-s", dir, "--now=2026-02-01T00:00:00Z")
			if code != tc.code || !strings.Contains(out, "now? [y/N]") || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want %d and %q\nstdout: %s\nstderr: %s", code, tc.code, tc.want, out, stderr)
			}
			k.mu.Lock()
			n := len(k.got)
			k.mu.Unlock()
			if n != tc.mailed {
				t.Errorf("mailed %v, want %d", k.got, tc.mailed)
			}
		})
	}
}
