package dispwidth_test

import (
	"testing"

	"github.com/agora-hub/agora/internal/dispwidth"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"Ada", 3},
		{"山田太郎", 8},
		{"ｈｕｂ", 6},
		{"José", 4},
		{"Jose\u0301", 4}, // e and a combining acute
		{"김민준", 6},
		{"a\u200bb", 2},
		{"🎉", 2},
		{"", 0},
	} {
		if got := dispwidth.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestPadAndTruncate(t *testing.T) {
	if got := dispwidth.PadRight("山田", 6); got != "山田  " {
		t.Errorf("PadRight = %q", got)
	}
	for _, tc := range []struct {
		in   string
		w    int
		want string
	}{
		{"山田太郎", 5, "山田…"},
		{"山田太郎", 8, "山田太郎"},
		{"abcdef", 4, "abc…"},
	} {
		if got := dispwidth.Truncate(tc.in, tc.w); got != tc.want || dispwidth.String(got) > tc.w {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
	}
}
