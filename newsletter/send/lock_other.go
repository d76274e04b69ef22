//go:build !unix

package send

// Lock is a no-op where flock is missing: the journal still keeps each
// message to one row, but two sends at once could both take a row.
func Lock(string) (func(), error) { return func() {}, nil }
