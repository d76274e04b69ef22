package version

import "testing"

func TestPinnable(t *testing.T) {
	for v, want := range map[string]bool{
		"v0.4.0":                               true,
		"v1.12.3":                              true,
		"v0.5.0-rc.1":                          true,
		"v0.4.1-0.20261107153045-a51d70be185e": true, // a commit, as go install …@main stamps it
		"v0.0.0-20261107153045-a51d70be185e":   true,
		"v0.4.1-0.20261107153045-a51d70be185e+dirty": false, // modified sources
		"(devel)":             false,
		"":                    false,
		"latest":              false,
		"0.4.0":               false,
		"v0.4":                false,
		"v01.2.3":             false,
		"v0.4.0+incompatible": false,
		"v0.4.0\n":            false,
	} {
		if got := Pinnable(v); got != want {
			t.Errorf("Pinnable(%q) = %v, want %v", v, got, want)
		}
	}
}
