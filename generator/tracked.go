package generator

import (
	"io/fs"
	"sync"
)

// unitFiles remembers which unit of a tracked build wrote which file, so
// that when serve runs a unit again, or drops one whose page is gone, the
// files it no longer writes are removed from the served folder.
type unitFiles struct {
	mu     sync.Mutex
	byUnit map[string][]string
}

func (u *unitFiles) reset(unit string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.byUnit, unit)
}

func (u *unitFiles) add(unit, rel string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.byUnit == nil {
		u.byUnit = map[string][]string{}
	}
	u.byUnit[unit] = append(u.byUnit[unit], rel)
}

// of returns the files unit wrote.
func (u *unitFiles) of(unit string) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.byUnit[unit]...)
}

// all returns every file some unit wrote.
func (u *unitFiles) all() map[string]bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := map[string]bool{}
	for _, files := range u.byUnit {
		for _, f := range files {
			out[f] = true
		}
	}
	return out
}

// trackedSink notes, for each file written, the unit writing it.
type trackedSink struct {
	sink
	b *build
}

func (t *trackedSink) Write(rel, owner string, data []byte) error {
	t.b.files.add(t.b.tracker.Current(), rel)
	return t.sink.Write(rel, owner, data)
}

func (t *trackedSink) Copy(rel, owner string, fsys fs.FS, name string) error {
	t.b.files.add(t.b.tracker.Current(), rel)
	return t.sink.Copy(rel, owner, fsys, name)
}
