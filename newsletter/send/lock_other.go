//go:build !unix

package send

import "time"

// Lock is a no-op where flock is missing: the journal still keeps each
// message to one row, but two sends at once could both take a row.
func Lock(string) (func(), error) { return func() {}, nil }

// LockWelcome is a no-op where flock is missing.
func LockWelcome(string, time.Duration) (func(), error) { return func() {}, nil }
