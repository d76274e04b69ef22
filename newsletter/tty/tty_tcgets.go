//go:build linux || aix || solaris || zos

package tty

import "golang.org/x/sys/unix"

const ioctlReadTermios = unix.TCGETS
