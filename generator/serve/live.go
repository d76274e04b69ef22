package serve

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The live-reload endpoints live outside the site's base path, under a
// name no content path can take (no output path begins with "_").
const (
	livePrefix   = "/__agora/"
	eventsPath   = livePrefix + "events"
	scriptPath   = livePrefix + "live.js"
	scriptTag    = `<script src="` + scriptPath + `" defer></script>`
	keepAlive    = 15 * time.Second
	clientBuffer = 8
)

//go:embed live.js
var liveJS []byte

// state is what a browser needs to know after a build: which build it is
// and, when the last one failed, why.
type state struct {
	Build int
	Err   string // "" after a good build
	// CSSOnly says that only stylesheets changed, so the page can swap
	// them instead of reloading and losing its scroll position.
	CSSOnly bool
}

// hub fans build results out to every open event stream.
type hub struct {
	mu      sync.Mutex
	last    state
	clients map[chan state]struct{}
	closed  bool
}

func newHub() *hub { return &hub{clients: map[chan state]struct{}{}} }

func (h *hub) publish(s state) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = s
	for c := range h.clients {
		select {
		case c <- s:
		default:
			// A client that cannot keep up only needs the latest state,
			// which it gets when it reconnects.
		}
	}
}

// subscribe returns a channel of states and the state at subscription, or
// ok=false after close.
func (h *hub) subscribe() (c chan state, now state, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, state{}, false
	}
	c = make(chan state, clientBuffer)
	h.clients[c] = struct{}{}
	return c, h.last, true
}

func (h *hub) unsubscribe(c chan state) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c)
	}
}

// close ends every stream, so that http.Server.Shutdown, which does not
// cancel open requests, is not held up by them.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.clients {
		delete(h.clients, c)
		close(c)
	}
}

// ServeHTTP is the Server-Sent Events stream. On connect it sends the
// current state, so a page opened while the build is broken shows the
// error at once.
func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	c, now, ok := h.subscribe()
	if !ok {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer h.unsubscribe(c)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if writeEvent(w, "hello", now) != nil || rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case s, ok := <-c:
			if !ok {
				return
			}
			name := "reload"
			switch {
			case s.Err != "":
				name = "builderror"
			case s.CSSOnly:
				name = "css"
			}
			if writeEvent(w, name, s) != nil || rc.Flush() != nil {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// writeEvent writes one SSE event. The data is the build number and, for
// errors, the message; every line of a multi-line message gets its own
// "data:" field, as the format requires.
func writeEvent(w http.ResponseWriter, name string, s state) error {
	var b strings.Builder
	fmt.Fprintf(&b, "event: %s\nid: %d\n", name, s.Build)
	msg := s.Err
	if name == "hello" && msg == "" {
		msg = "ok"
	}
	for _, line := range strings.Split(strings.ReplaceAll(msg, "\r", ""), "\n") {
		fmt.Fprintf(&b, "data: %s\n", line)
	}
	b.WriteString("\n")
	_, err := w.Write([]byte(b.String()))
	return err
}

// injectScript adds the live-reload script to an HTML page, before
// </body> when there is one, else at the end. It happens only when serving,
// so none of it reaches agora build's output.
func injectScript(page []byte) []byte {
	i := bytes.LastIndex(bytes.ToLower(page), []byte("</body>"))
	if i < 0 {
		return append(page[:len(page):len(page)], scriptTag...)
	}
	out := make([]byte, 0, len(page)+len(scriptTag))
	out = append(out, page[:i]...)
	out = append(out, scriptTag...)
	return append(out, page[i:]...)
}
