package tplfuncs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"runtime"
	"sync"
)

// partialsNS is Hugo's partials namespace: partial, partialCached and the
// return statement of partials that return a value.
type partialsNS struct{ e *env }

// Include is Hugo's partial NAME [CONTEXT]: the partial's output as
// template.HTML, or the value of its return statement.
func (ns *partialsNS) Include(name string, data ...any) (any, error) {
	if ns.e.deps.Partials == nil {
		return nil, errNoSite("partial")
	}
	if len(data) > 1 {
		return nil, fail("partial", "want NAME [CONTEXT], got %d arguments", len(data)+1)
	}
	var ctx any
	if len(data) == 1 {
		ctx = data[0]
	}
	return ns.e.deps.Partials.Include(name, ctx)
}

// IncludeCached is Hugo's partialCached NAME CONTEXT [VARIANT…]: the
// partial runs once per build for each NAME and VARIANTs, whatever the
// CONTEXT, as in Hugo (the context is not part of the key). Concurrent
// callers of one key wait for the first, which renders it; a partial
// calling itself with its own key is an error, not a deadlock.
func (ns *partialsNS) IncludeCached(name string, context any, variants ...any) (any, error) {
	if ns.e.deps.Partials == nil {
		return nil, errNoSite("partialCached")
	}
	key, err := partialKey(name, variants)
	if err != nil {
		return nil, fail("partialCached", "%w", err)
	}
	return ns.e.partials.get(key, func() (any, error) { return ns.e.deps.Partials.Include(name, context) })
}

// partialKey is Hugo's: the name alone, or a hash of the name and the
// variants.
func partialKey(name string, variants []any) (string, error) {
	if len(variants) == 0 {
		return name, nil
	}
	h := sha256.New()
	fmt.Fprintf(h, "%q", name)
	for _, v := range variants {
		s, err := toString(v)
		if err != nil {
			// Hugo hashes any value; a list or map variant is keyed by
			// its printed form, which is stable for the same content.
			s = fmt.Sprintf("%#v", v)
		}
		fmt.Fprintf(h, "\x00%T\x00%s", v, s)
	}
	return name + "|" + hex.EncodeToString(h.Sum(nil)), nil
}

// maxCachedPartials bounds partialCached's memory. A variant per page (the
// page's section, its language) makes a few entries; one per page of a
// 10,000-page site still fits. Past the limit a partial renders uncached:
// slower, never wrong.
const maxCachedPartials = 20_000

type partialCache struct {
	mu sync.Mutex
	m  map[string]*cachedPartial
}

type cachedPartial struct {
	done     chan struct{}
	value    any
	err      error
	renderer uint64 // the goroutine rendering it
}

func newPartialCache() *partialCache { return &partialCache{m: map[string]*cachedPartial{}} }

// errPartialCycle is partialCached's error for a partial that calls
// itself with its own key: waiting for itself would never end.
var errPartialCycle = errors.New("calls itself with the same cache key, directly or through other partials")

func (c *partialCache) get(key string, render func() (any, error)) (any, error) {
	c.mu.Lock()
	if p, ok := c.m[key]; ok {
		c.mu.Unlock()
		select {
		case <-p.done:
			return p.value, p.err
		default:
		}
		// Still rendering. A partial renders on the goroutine that asked
		// for it, so when that is this goroutine the partial has included
		// itself, and waiting would never end.
		if p.renderer == goroutineID() {
			return nil, fail("partialCached", "partial %q %w", key, errPartialCycle)
		}
		<-p.done
		return p.value, p.err
	}
	if len(c.m) >= maxCachedPartials {
		c.mu.Unlock()
		return render()
	}
	p := &cachedPartial{done: make(chan struct{}), renderer: goroutineID()}
	c.m[key] = p
	c.mu.Unlock()
	defer close(p.done)
	p.value, p.err = render()
	return p.value, p.err
}

// goroutineID reads the current goroutine's number from its stack header
// ("goroutine 42 [running]:"). Go hides goroutine identity on purpose; it
// is needed here only to tell a partial waiting for itself from one
// waiting for another worker, once per cache miss, not per call.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	var id uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

// ReturnSignal carries the value of a partial's return statement out of
// the template's execution: return fails the execution with it, and
// Include, which ran the partial, takes the value. html/template has no
// return keyword (Hugo's fork of text/template has); a function that stops
// execution with a recognisable error is the equivalent. As in Hugo 0.146+,
// return ends the partial where it runs, and the partial's output so far
// is dropped.
type ReturnSignal struct{ Value any }

func (*ReturnSignal) Error() string {
	return "return: return is only allowed in a partial (layouts/partials/), where it ends the partial with a value"
}

// returnFunc is Hugo's return [VALUE]; without a value the partial
// returns "" as template.HTML, as in Hugo.
func returnFunc(v ...any) (any, error) {
	switch len(v) {
	case 0:
		return nil, &ReturnSignal{Value: template.HTML("")}
	case 1:
		return nil, &ReturnSignal{Value: v[0]}
	}
	return nil, fail("return", "want at most one value, got %d", len(v))
}

// partialsExamples document the partials namespace; TestExamples runs them.
func partialsExamples() []Example {
	return []Example{
		{"partial", `{{ partial "greet.html" "Ada" }} {{ partial "double" 21 }}`, nil, "<b>Hello Ada</b> 42"},
		{"partialCached", `{{ partialCached "double.html" 2 }} {{ partialCached "double.html" 5 }} {{ partialCached "double.html" 5 "v" }}`, nil, "4 4 10"},
		{"partials.Include", `{{ partials.Include "double" 1 }}`, nil, "2"},
		{"partials.IncludeCached", `{{ partials.IncludeCached "double" 7 "seven" }}`, nil, "14"},
		{"return", `{{ return 1 }}`, nil, "error: return is only allowed in a partial"},
	}
}
