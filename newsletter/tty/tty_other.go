//go:build !(linux || aix || solaris || zos || darwin || dragonfly || freebsd || netbsd || openbsd || windows)

package tty

// isTerminal is false where there is no terminal driver to ask (wasm,
// plan9): no prompt, and the plain progress lines.
func isTerminal(uintptr) bool { return false }
