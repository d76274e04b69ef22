package send

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

type outcome int

const (
	outSent outcome = iota
	outFailed
	outSkipped
	outDeferred
)

// progress shows how a send is going: on a terminal a bar redrawn in
// place with counts, rate and ETA; elsewhere (a log, CI) a plain line
// every few seconds, since carriage returns make a mess of log files.
type progress struct {
	w        io.Writer
	terminal bool
	total    int
	start    time.Time

	mu                            sync.Mutex
	sent, failed, skipped, defers int
	drawn                         bool
	stopc                         chan struct{}
	wg                            sync.WaitGroup
}

// plainEvery is how often a plain progress line is printed.
const plainEvery = 5 * time.Second

func newProgress(w io.Writer, terminal bool, total int) *progress {
	p := &progress{w: w, terminal: terminal, total: total, start: time.Now(), stopc: make(chan struct{})}
	every := plainEvery
	if terminal {
		every = 200 * time.Millisecond
	}
	p.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw(false)
			case <-p.stopc:
				return
			}
		}
	})
	return p
}

func (p *progress) add(o outcome) {
	p.mu.Lock()
	switch o {
	case outSent:
		p.sent++
	case outFailed:
		p.failed++
	case outSkipped:
		p.skipped++
	case outDeferred:
		p.defers++
	}
	p.mu.Unlock()
}

// println prints a notice above the bar.
func (p *progress) println(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, s)
	if p.terminal && p.drawn {
		fmt.Fprint(p.w, p.line())
	}
}

func (p *progress) stop() {
	close(p.stopc)
	p.wg.Wait()
	p.draw(true)
}

func (p *progress) draw(final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.total == 0 {
		return
	}
	if p.terminal {
		fmt.Fprint(p.w, "\r\033[K"+p.line())
		p.drawn = true
		if final {
			fmt.Fprintln(p.w)
		}
		return
	}
	fmt.Fprintln(p.w, p.line())
}

// line is called with mu held.
func (p *progress) line() string {
	done := p.sent + p.failed + p.skipped + p.defers
	elapsed := time.Since(p.start)
	perSec := 0.0
	if s := elapsed.Seconds(); s > 0 {
		perSec = float64(done) / s
	}
	eta := "–"
	if perSec > 0 && done < p.total {
		eta = (time.Duration(float64(p.total-done)/perSec) * time.Second).Round(time.Second).String()
	}
	counts := fmt.Sprintf("%d/%d sent", p.sent, p.total)
	if p.failed > 0 {
		counts += fmt.Sprintf(", %d failed", p.failed)
	}
	if p.skipped > 0 {
		counts += fmt.Sprintf(", %d skipped", p.skipped)
	}
	if p.defers > 0 {
		counts += fmt.Sprintf(", %d deferred", p.defers)
	}
	stats := fmt.Sprintf("%s · %.0f msg/s · ETA %s", counts, perSec, eta)
	if !p.terminal {
		return "progress: " + stats
	}
	const width = 24
	filled := 0
	if p.total > 0 {
		filled = min(width, done*width/p.total)
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "] " + stats
}
