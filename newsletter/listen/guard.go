package listen

import (
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

// ipLimiter is a token bucket per client network, in memory: unlike the
// per-address limit it protects the service, not a person, and a restart
// resetting it costs little.
type ipLimiter struct {
	every rate.Limit
	burst int
	max   int // networks tracked at most; beyond, new ones are refused

	mu sync.Mutex
	m  map[netip.Prefix]*rate.Limiter
}

func newIPLimiter(every rate.Limit, burst, max int) *ipLimiter {
	return &ipLimiter{every: every, burst: burst, max: max, m: map[netip.Prefix]*rate.Limiter{}}
}

// allow takes a token for ip's network at now. When it cannot, retry is
// how long until one is free.
func (l *ipLimiter) allow(ip netip.Addr, now time.Time) (ok bool, retry time.Duration) {
	if l == nil || l.every == rate.Inf {
		return true, 0
	}
	key := ipKey(ip)
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.m[key]
	if lim == nil {
		if len(l.m) >= l.max {
			l.sweep(now)
		}
		if len(l.m) >= l.max {
			// Fail closed: millions of networks at once is an attack, and
			// forgetting their buckets would lift every limit.
			return false, time.Minute
		}
		lim = rate.NewLimiter(l.every, l.burst)
		l.m[key] = lim
	}
	if lim.AllowN(now, 1) {
		return true, 0
	}
	r := lim.ReserveN(now, 1)
	retry = r.DelayFrom(now)
	r.CancelAt(now)
	return false, retry
}

// sweep forgets the networks whose bucket is full again: they are as if
// never seen.
func (l *ipLimiter) sweep(now time.Time) {
	for k, lim := range l.m {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.m, k)
		}
	}
}
