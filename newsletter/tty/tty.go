// Package tty tells whether a file is a terminal, as the commands must
// know before they ask a question or draw a progress bar. A character
// device is not enough: /dev/null is one, and cron and CI give it as
// stdin. The answer comes from the terminal driver itself (an ioctl that
// only a terminal answers), as golang.org/x/term does.
package tty

// fder is what *os.File is to IsTerminal.
type fder interface{ Fd() uintptr }

// IsTerminal reports whether v is an open file that is a terminal. Anything
// else, a pipe, /dev/null, a regular file, a buffer, is not.
func IsTerminal(v any) bool {
	f, ok := v.(fder)
	if !ok {
		return false
	}
	return isTerminal(f.Fd())
}
