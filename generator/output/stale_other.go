//go:build !unix

package output

// holdParent does nothing without flock: a stage in use cannot be told
// from a stale one, so stale ones stay.
func holdParent(parent, dest string) func() { return func() {} }
