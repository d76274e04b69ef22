//go:build unix

package send

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// Lock takes the send lock beside the database at dbPath, so that two
// agora sends never mail the same issue at once (each would take the
// other's queued rows). The kernel drops the lock when the process dies,
// kill -9 included, so a crash never leaves a stale lock behind.
func Lock(dbPath string) (unlock func(), err error) {
	path := dbPath + ".send-lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("send lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another agora send is running on %s; wait for it to finish (it resumes the same issue)", dbPath)
		}
		return nil, fmt.Errorf("send lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
