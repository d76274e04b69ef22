//go:build unix

package send

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
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

// LockWelcome takes the welcome series' lock beside the database, so that
// agora send and agora listen never send the same step to the same person
// at once: each resumes the other's rows at sending otherwise. It waits up
// to wait for the other to finish, then returns ErrWelcomeBusy.
func LockWelcome(dbPath string, wait time.Duration) (unlock func(), err error) {
	path := dbPath + ".welcome-lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("welcome lock: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("welcome lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, ErrWelcomeBusy
		}
		time.Sleep(50 * time.Millisecond)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
