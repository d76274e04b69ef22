package tty_test

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/agora-hub/agora/newsletter/tty"
)

// TestPseudoTerminal opens a pseudo-terminal pair, as a terminal emulator
// or ssh does: both ends are terminals.
func TestPseudoTerminal(t *testing.T) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer ptmx.Close()
	fd := int(ptmx.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the terminal end: %v", err)
	}
	defer pts.Close()
	if !tty.IsTerminal(pts) {
		t.Error("the terminal end of a pseudo-terminal: IsTerminal = false")
	}
	if !tty.IsTerminal(ptmx) {
		t.Error("the controlling end of a pseudo-terminal: IsTerminal = false")
	}
}
