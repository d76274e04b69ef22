// Package smtpsink is an SMTP server on loopback that keeps every message
// it is given, for tests and benchmarks that must read the mail agora
// sends (the confirmation link in it) without a real mail server.
package smtpsink

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data []byte // as received, headers and body
}

// Header parses the message's header.
func (m Message) Header() (mail.Header, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return nil, err
	}
	return msg.Header, nil
}

// Text is the message's plain-text body, decoded: the single part of a
// text/plain message, or the text/plain part of a multipart one.
func (m Message) Text() (string, error) { return TextBody(m.Data) }

// TextBody is Message.Text for a message's raw bytes.
func TextBody(raw []byte) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	return textPart(textproto.MIMEHeader(msg.Header), msg.Body)
}

func textPart(h textproto.MIMEHeader, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return "", fmt.Errorf("no text/plain part: %w", err)
			}
			if t, err := textPart(p.Header, p); err == nil {
				return t, nil
			}
		}
	}
	if mt != "text/plain" {
		return "", fmt.Errorf("a %s part", mt)
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	return string(b), err
}

// Sink is a running server.
type Sink struct {
	srv  *smtp.Server
	addr *net.TCPAddr

	mu      sync.Mutex
	msgs    []Message
	arrived chan struct{} // closed and replaced on every message
	taken   int
	hold    func(n int)
}

// Hold makes the server call f with the message's number (from 1) after
// reading each message and before answering for it: a test blocks in f to
// have a message in flight, the server holding it but not having said so.
func (s *Sink) Hold(f func(n int)) {
	s.mu.Lock()
	s.hold = f
	s.mu.Unlock()
}

// Start listens on 127.0.0.1 at a free port.
func Start() (*Sink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Sink{addr: l.Addr().(*net.TCPAddr), arrived: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{sink: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 10 << 20
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Host and Port are where to connect.
func (s *Sink) Host() string { return s.addr.IP.String() }

// Port is the server's port.
func (s *Sink) Port() int { return s.addr.Port }

// Addr is host:port.
func (s *Sink) Addr() string { return net.JoinHostPort(s.Host(), strconv.Itoa(s.Port())) }

// Close stops the server.
func (s *Sink) Close() error { return s.srv.Close() }

// Messages returns a copy of what arrived so far, in order.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns once at least n messages arrived, or fails when ctx ends.
func (s *Sink) Wait(ctx context.Context, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			out := append([]Message(nil), s.msgs...)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.arrived
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Messages(), ctx.Err()
		}
	}
}

func (s *Sink) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

type session struct {
	sink *Sink
	from string
	to   []string
}

func (c *session) Mail(from string, _ *smtp.MailOptions) error {
	c.from = from
	return nil
}

func (c *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	c.to = append(c.to, to)
	return nil
}

func (c *session) Data(r io.Reader) error {
	if len(c.to) == 0 {
		return errors.New("no recipients")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	c.sink.mu.Lock()
	c.sink.taken++
	n, hold := c.sink.taken, c.sink.hold
	c.sink.mu.Unlock()
	if hold != nil {
		hold(n)
	}
	c.sink.add(Message{From: c.from, To: c.to, Data: b})
	return nil
}

func (c *session) Reset() { c.from, c.to = "", nil }

func (c *session) Logout() error { return nil }
