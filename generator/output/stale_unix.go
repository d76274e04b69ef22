//go:build unix

package output

import (
	"os"
	"path/filepath"
	"syscall"
)

// holdParent takes a shared lock on parent, the folder stages are made
// in, for as long as a stage is in use, after removing the stages for
// dest that a killed build left behind. Those are removed only when the
// lock can be had exclusively, that is when no build with a stage in
// parent is running, so a stage in use is never touched; the kernel drops
// a killed build's lock with the process. Without locks (some network
// file systems) nothing is cleaned. The returned func releases the lock.
func holdParent(parent, dest string) func() {
	dir, err := os.Open(parent)
	if err != nil {
		return func() {}
	}
	fd := int(dir.Fd())
	if flock(fd, syscall.LOCK_EX|syscall.LOCK_NB) == nil {
		removeStale(parent, dest)
	}
	if flock(fd, syscall.LOCK_SH) != nil {
		dir.Close()
		return func() {}
	}
	return func() { dir.Close() } // closing drops the lock
}

func flock(fd, how int) error {
	for {
		err := syscall.Flock(fd, how)
		if err != syscall.EINTR {
			return err
		}
	}
}

// removeStale removes dest's leftover stages (and, from a commit cut short
// off Linux, their ".old" folders).
func removeStale(parent, dest string) {
	left, _ := filepath.Glob(filepath.Join(parent, stagePrefix(dest)+"*"))
	for _, dir := range left {
		if st, err := os.Lstat(dir); err == nil && st.IsDir() {
			_ = os.RemoveAll(dir)
		}
	}
}
