package listen

import (
	"container/list"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// origin is scheme://host[:port] as browsers send it in Origin: lower
// case, without the default port.
func origin(u *url.URL) string {
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" && !(scheme == "https" && port == "443" || scheme == "http" && port == "80") {
		host += ":" + port
	}
	return scheme + "://" + host
}

// securityHeaders are on every answer. The service's pages load nothing
// but their own stylesheet, run no script and may not be framed (a framed
// Confirm button could be clicked by a visitor who cannot see it).
// form-action also lists the site, because Chromium checks the redirect
// after a form post against it. Referrer-Policy same-origin keeps the
// tokens in these pages' URLs from leaking to other sites, while posts to
// this origin still carry an Origin header to check.
func (s *Service) securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' "+s.siteOrigin+"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-site")
	h.Set("X-Robots-Tag", "noindex")
}

// checkOrigin accepts a request without Origin (mail clients, curl) or
// from the site or this service. A page elsewhere cannot make its
// visitors' browsers post sign-ups here, which would spread a flood over
// many addresses and get past the per-IP limit; "null" (a sandboxed frame,
// a data: URL) is refused for the same reason.
func (s *Service) checkOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || s.allowedOrigin(o)
}

func (s *Service) allowedOrigin(o string) bool {
	o = strings.ToLower(o)
	return o == s.siteOrigin || o == s.selfOrigin
}

// cors lets the site's own script (a hub's custom form) read the answers
// of the JSON endpoints. No credentials: the service has no cookies.
func (s *Service) cors(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Origin")
	if o := r.Header.Get("Origin"); o != "" && s.allowedOrigin(o) {
		w.Header().Set("Access-Control-Allow-Origin", o)
	}
}

// preflight answers CORS preflights for the JSON endpoints.
func (s *Service) preflight(w http.ResponseWriter, r *http.Request) {
	o := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	if o == "" || !s.allowedOrigin(o) || (method != http.MethodPost && method != http.MethodGet) {
		w.Header().Add("Vary", "Origin")
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if h = strings.TrimSpace(h); h != "" && !strings.EqualFold(h, "content-type") {
			http.Error(w, "header not allowed", http.StatusForbidden)
			return
		}
	}
	s.cors(w, r)
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// clientIP is the address limits count against: the peer, or, when the
// peer is a trusted reverse proxy, the last address in X-Forwarded-For
// that is not one (everything left of it could be typed by the client).
func (s *Service) clientIP(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	ip := ap.Addr().Unmap()
	if !s.trusted(ip) {
		return ip
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return ip
		}
		hop = hop.Unmap()
		if !s.trusted(hop) {
			return hop
		}
		ip = hop
	}
	return ip
}

func (s *Service) trusted(ip netip.Addr) bool {
	for _, p := range s.opt.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ipKey groups IPv6 clients by /64: one household or server gets a whole
// /64 and could otherwise take a fresh address for every request.
func ipKey(ip netip.Addr) netip.Prefix {
	if ip.Is4() {
		return netip.PrefixFrom(ip, 32)
	}
	p, _ := ip.Prefix(64)
	return p
}

// siteKey is an IPv6 client's /48, the block a provider gives one site:
// 65,536 /64s, a fresh one for every sign-up. An IPv4 client has none
// (ok is false): its address is limited already.
func siteKey(ip netip.Addr) (netip.Prefix, bool) {
	if !ip.Is6() {
		return netip.Prefix{}, false
	}
	p, _ := ip.Prefix(48)
	return p, true
}

// ipLimiter is a token bucket per client network, in memory: unlike the
// per-mailbox limits it protects the service, not a person, and a restart
// resetting it costs little. It tracks at most max networks; a new one
// past that evicts the network seen least recently, so that a flood from
// many networks costs memory it cannot grow and never locks everyone else
// out. An evicted network starts again with a full bucket, which is what
// it would have after a restart.
type ipLimiter struct {
	every rate.Limit
	burst int
	max   int

	mu  sync.Mutex
	m   map[netip.Prefix]*list.Element
	lru list.List // of *bucket, most recently used first
}

type bucket struct {
	key netip.Prefix
	lim *rate.Limiter
}

func newIPLimiter(every rate.Limit, burst, max int) *ipLimiter {
	return &ipLimiter{every: every, burst: burst, max: max, m: map[netip.Prefix]*list.Element{}}
}

func (l *ipLimiter) off() bool { return l == nil || l.every == rate.Inf }

// bucket returns key's limiter, making it (and evicting) if need be. The
// caller holds l.mu.
func (l *ipLimiter) bucket(key netip.Prefix) *rate.Limiter {
	if e, ok := l.m[key]; ok {
		l.lru.MoveToFront(e)
		return e.Value.(*bucket).lim
	}
	for len(l.m) >= l.max {
		oldest := l.lru.Back()
		delete(l.m, oldest.Value.(*bucket).key)
		l.lru.Remove(oldest)
	}
	b := &bucket{key: key, lim: rate.NewLimiter(l.every, l.burst)}
	l.m[key] = l.lru.PushFront(b)
	return b.lim
}

// allow takes a token for network key at now. When it cannot, retry is
// how long until one is free.
func (l *ipLimiter) allow(key netip.Prefix, now time.Time) (ok bool, retry time.Duration) {
	return allowAll(now, limit{l, key})
}

// limit is one limiter's bucket for one network.
type limit struct {
	l   *ipLimiter
	key netip.Prefix
}

// allowAll takes a token from every limit or from none: a sign-up
// refused by its /48 does not use up its /64's turn.
func allowAll(now time.Time, limits ...limit) (bool, time.Duration) {
	var taken []*rate.Reservation
	var retry time.Duration
	for _, c := range limits {
		if c.l.off() {
			continue
		}
		c.l.mu.Lock()
		r := c.l.bucket(c.key).ReserveN(now, 1)
		c.l.mu.Unlock()
		taken = append(taken, r)
		retry = max(retry, r.DelayFrom(now))
	}
	if retry == 0 {
		return true, 0
	}
	for _, r := range taken {
		r.CancelAt(now)
	}
	return false, retry
}

// size is how many networks l tracks.
func (l *ipLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
