package tty_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/agora-hub/agora/newsletter/tty"
)

// TestNotTerminals covers what cron, CI and shell pipes give a command:
// none of them is a terminal, /dev/null above all, which is a character
// device.
func TestNotTerminals(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	regular, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	closed, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()

	for _, tc := range []struct {
		name string
		v    any
	}{
		{"/dev/null", devNull},
		{"pipe, read end", r},
		{"pipe, write end", w},
		{"regular file", regular},
		{"closed file", closed},
		{"buffer", &bytes.Buffer{}},
		{"nil", nil},
		{"nil file", (*os.File)(nil)},
	} {
		if tty.IsTerminal(tc.v) {
			t.Errorf("%s: IsTerminal = true", tc.name)
		}
	}
}
