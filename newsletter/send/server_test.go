package send_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message the test server accepted.
type received struct {
	to, messageID string
	data          []byte
}

// faults injects failures: each returns the error to answer with (nil:
// go on). tries counts the attempts for that recipient so far, from 1.
type faults struct {
	mail func(from string) error
	rcpt func(to string, tries int) error
	// data may drop the connection instead (drop true) after reading
	// part of the message.
	data func(to string, tries int) (drop bool, err error)
	// accepted runs after a message was stored, before the 250 reply.
	accepted func(n int)
	// login, when set, makes the server offer AUTH PLAIN and answers
	// every login with it.
	login func(username, password string) error
}

// server is an in-process SMTP server speaking the real protocol (go-smtp),
// with STARTTLS under a certificate the test trusts.
type server struct {
	t       *testing.T
	addr    string
	port    int
	srv     *smtp.Server
	roots   *x509.CertPool
	certDER []byte
	mu      sync.Mutex
	msgs    []received
	tries   map[string]int
	faults  faults
}

func newServer(t *testing.T, f faults) *server {
	t.Helper()
	s := &server{t: t, tries: map[string]int{}, faults: f}
	cert, roots := testCert(t)
	s.roots, s.certDER = roots, cert.Certificate[0]
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		if f.login != nil {
			return &authSession{session{s: s, c: c}}, nil
		}
		return &session{s: s, c: c}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.port = ln.Addr().(*net.TCPAddr).Port
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *server) tlsConfig() *tls.Config {
	return &tls.Config{RootCAs: s.roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// byRecipient returns the Message-IDs each address received, in order.
func (s *server) byRecipient() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for _, m := range s.msgs {
		out[m.to] = append(out[m.to], m.messageID)
	}
	return out
}

func (s *server) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

type session struct {
	s  *server
	c  *smtp.Conn
	to string
}

func (ss *session) Reset()        { ss.to = "" }
func (ss *session) Logout() error { return nil }
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.faults.mail != nil {
		return ss.s.faults.mail(from)
	}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s := ss.s
	s.mu.Lock()
	s.tries[to]++
	n := s.tries[to]
	s.mu.Unlock()
	if s.faults.rcpt != nil {
		if err := s.faults.rcpt(to, n); err != nil {
			return err
		}
	}
	ss.to = to
	return nil
}

func (ss *session) Data(r io.Reader) error {
	s := ss.s
	s.mu.Lock()
	n := s.tries[ss.to]
	s.mu.Unlock()
	if s.faults.data != nil {
		drop, err := s.faults.data(ss.to, n)
		if drop {
			// Half the message, then the line goes dead: the client never
			// hears that anything was accepted.
			buf := make([]byte, 512)
			_, _ = io.ReadFull(r, buf)
			ss.c.Conn().Close()
			return &smtp.SMTPError{Code: 421, Message: "gone"}
		}
		if err != nil {
			return err
		}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		s.t.Errorf("the server got a message net/mail cannot read: %v", err)
		return err
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, received{to: ss.to, messageID: m.Header.Get("Message-Id"), data: data})
	count := len(s.msgs)
	s.mu.Unlock()
	if s.faults.accepted != nil {
		s.faults.accepted(count)
	}
	return nil
}

// authSession is a session that wants a login.
type authSession struct{ session }

func (a *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (a *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error { return a.s.faults.login(username, password) }), nil
}

// testCert makes a self-signed certificate for 127.0.0.1 and a pool
// that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "agora test SMTP"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
