package digest

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"text/template/parse"
)

// A send renders the same digest for many people: everyone with the same
// items, topics and "more" count gets the same message but for their
// name, their address and the tokens of their unsubscribe and preferences
// links. A Skeleton is such a digest rendered once, with those values left
// as holes,
// so that a message costs a copy rather than two template executions.
//
// Templates are the site's to write, so a skeleton is made only when it is
// certain to give, for every subscriber, exactly what rendering for them
// would:
//
//   - the templates are checked once (substitutable): the values may
//     be printed as they are ({{ .Subscriber.Name }}, or {{ . }} inside
//     {{ with .Subscriber.Name }}) and tested for emptiness (if, with), and
//     nothing else: no function sees them (upper, len, eq, printf...), no
//     variable holds them, no sub-template gets them. Whether a value is
//     empty is part of a skeleton's key, as the topics are.
//   - each skeleton is rendered twice, with markers and then with markers
//     around a probe string of every character that any escaper of
//     html/template treats specially. Each hole is then known to be either
//     written as it is (the text template, or a URL where the token's
//     characters need nothing) or HTML-escaped (text and quoted attribute
//     values); a hole that is escaped any other way (a URL, a script, an
//     unquoted attribute) or filtered out makes Skeleton return nil, and
//     the caller renders each message in full.

// Hole is a per-subscriber value in a Skeleton.
type Hole uint8

// The holes.
const (
	NoHole    Hole = iota // the end of the output
	HoleName              // the subscriber's name
	HoleEmail             // the subscriber's address
	HoleToken             // the token at the end of UnsubscribeURL
	HolePrefs             // the token at the end of PreferencesURL
	numMarks              // how many markers a Templates has: one per hole, NoHole's ends a probe
)

// holes are the holes, in no particular order.
var holes = []Hole{HoleName, HoleEmail, HoleToken, HolePrefs}

// Piece is literal output followed by a hole's value, written as it is or
// HTML-escaped.
type Piece struct {
	Lit  string
	Hole Hole
	HTML bool // the value is HTML-escaped as html/template does in text
}

// Skeleton is a digest rendered with holes; see Templates.Skeleton.
type Skeleton struct {
	Subject    string
	HTML, Text []Piece
}

// Values are what fill a Skeleton's holes.
type Values struct {
	Name, Email, Token string
	Prefs              string // the preferences token; unused without a PreferencesURL
}

// Of is the value of hole h.
func (v Values) Of(h Hole) string {
	switch h {
	case HoleName:
		return v.Name
	case HoleEmail:
		return v.Email
	case HoleToken:
		return v.Token
	case HolePrefs:
		return v.Prefs
	}
	return ""
}

// Value returns the text a hole prints for v: the raw value or its HTML
// escape.
func (p Piece) Value(v Values) string {
	s := v.Of(p.Hole)
	if p.HTML {
		return string(AppendHTMLEscaped(nil, s))
	}
	return s
}

// Fill renders the skeleton for one subscriber.
func (s *Skeleton) Fill(v Values) Rendered {
	return Rendered{Subject: s.Subject, HTML: fill(s.HTML, v), Text: fill(s.Text, v)}
}

func fill(ps []Piece, v Values) string {
	var b []byte
	for _, p := range ps {
		b = append(b, p.Lit...)
		if p.Hole != NoHole {
			if p.HTML {
				b = AppendHTMLEscaped(b, v.Of(p.Hole))
			} else {
				b = append(b, v.Of(p.Hole)...)
			}
		}
	}
	return string(b)
}

// TokenChars are the characters of a link's token (base64url and
// the dot; see the token package): a Skeleton writes a token as it is
// wherever these pass every escaper unchanged.
const TokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."

// probe holds what html/template's escapers treat differently from one
// another: markup, quotes, URL and JS specials, white space, NUL, a line
// separator and letters beyond ASCII.
const probe = "<>&\"'+= \t`:/?#%@!$*,;()[]{}\\|^~.\x00\u2028é€😀-_"

// Skeleton renders m for everyone who shares its issue, items, More and
// subscriber topics, and whose name and address are empty or not as
// m.Subscriber's are. The unsubscribe link is unsubscribePrefix followed
// by the subscriber's token, and the preferences link preferencesPrefix
// followed by their preferences token, or no link when preferencesPrefix
// is empty (no endpoint). It returns nil, and no error, when the
// templates use the subscriber's values in a way a skeleton cannot
// reproduce: then each message is rendered in full with Render.
func (t *Templates) Skeleton(m Message, unsubscribePrefix, preferencesPrefix string) (*Skeleton, error) {
	if !t.substitutable {
		return nil, nil
	}
	marks := t.marks
	with := func(name, email, token, prefs string) Message {
		c := m
		c.Subscriber.Name, c.Subscriber.Email = "", ""
		if m.Subscriber.Name != "" {
			c.Subscriber.Name = name
		}
		if m.Subscriber.Email != "" {
			c.Subscriber.Email = email
		}
		c.UnsubscribeURL = unsubscribePrefix + token
		c.PreferencesURL = ""
		if preferencesPrefix != "" {
			c.PreferencesURL = preferencesPrefix + prefs
		}
		return c
	}
	r1, err := t.Render(with(marks[HoleName], marks[HoleEmail], marks[HoleToken], marks[HolePrefs]))
	if err != nil {
		return nil, err
	}
	end := marks[NoHole]
	r2, err := t.Render(with(marks[HoleName]+probe+end, marks[HoleEmail]+probe+end, marks[HoleToken]+TokenChars+end, marks[HolePrefs]+TokenChars+end))
	if err != nil {
		return nil, err
	}
	sk := &Skeleton{Subject: r1.Subject}
	var ok bool
	if sk.HTML, ok = t.pieces(r1.HTML, r2.HTML); !ok {
		return nil, nil
	}
	if sk.Text, ok = t.pieces(r1.Text, r2.Text); !ok {
		return nil, nil
	}
	return sk, nil
}

// pieces splits the output rendered with markers (a) at the holes and
// works out, from the output rendered with the probe (b), how each hole
// is escaped.
func (t *Templates) pieces(a, b string) ([]Piece, bool) {
	var out []Piece
	for {
		i, h := t.nextMark(a)
		if h == NoHole {
			if a != b {
				return nil, false
			}
			return append(out, Piece{Lit: a}), true
		}
		lit := a[:i]
		mark := t.marks[h]
		if !strings.HasPrefix(b, lit+mark) {
			return nil, false
		}
		b = b[len(lit)+len(mark):]
		end := strings.Index(b, t.marks[NoHole])
		if end < 0 {
			return nil, false
		}
		got := b[:end]
		b = b[end+len(t.marks[NoHole]):]
		a = a[i+len(mark):]
		p := Piece{Lit: lit, Hole: h}
		want := probe
		if h == HoleToken || h == HolePrefs {
			want = TokenChars
		}
		switch got {
		case want:
		case string(AppendHTMLEscaped(nil, want)):
			p.HTML = true
		default:
			return nil, false // escaped some other way, or filtered
		}
		out = append(out, p)
	}
}

// nextMark finds the first hole marker in s.
func (t *Templates) nextMark(s string) (int, Hole) {
	at, hole := -1, NoHole
	for _, h := range holes {
		if i := strings.Index(s, t.marks[h]); i >= 0 && (at < 0 || i < at) {
			at, hole = i, h
		}
	}
	return at, hole
}

// newMarks returns random markers for the holes (and, at NoHole, the end
// of a probe): letters and digits only, which every escaper leaves as
// they are, and unguessable, so that no tip or title contains one.
func newMarks() [numMarks]string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	n := hex.EncodeToString(b[:])
	return [numMarks]string{
		NoHole: "zqEND" + n + "qz", HoleName: "zqNAME" + n + "qz", HoleEmail: "zqMAIL" + n + "qz",
		HoleToken: "zqTOKEN" + n + "qz", HolePrefs: "zqPREFS" + n + "qz",
	}
}

// AppendHTMLEscaped appends s escaped as html/template escapes a string in
// HTML text and quoted attribute values (its htmlEscaper and attrEscaper):
// NUL becomes U+FFFD and " & ' + < > character references; every other
// byte, invalid UTF-8 included, is kept.
func AppendHTMLEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, r...)
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// What a value in a template may hold, for substitutable.
type kind uint8

const (
	kOther    kind = iota // nothing personal (items, site, issue, topics)
	kRoot                 // the whole Data
	kSub                  // Data.Subscriber
	kName                 // the subscriber's name
	kEmail                // the subscriber's address
	kURL                  // the unsubscribe URL
	kPrefsURL             // the preferences URL
	kUnknown              // cannot tell: treated as personal
)

func (k kind) personal() bool { return k == kName || k == kEmail || k == kURL || k == kPrefsURL }

// field is k.name.
func (k kind) field(name string) kind {
	switch k {
	case kOther:
		return kOther
	case kRoot:
		switch name {
		case "Subscriber":
			return kSub
		case "UnsubscribeURL":
			return kURL
		case "PreferencesURL":
			return kPrefsURL
		case "Site", "Issue", "Items", "More", "Total", "Intro", "IntroText", "Preheader":
			return kOther
		}
	case kSub:
		switch name {
		case "Name":
			return kName
		case "Email":
			return kEmail
		case "Topics":
			return kOther
		}
	}
	return kUnknown
}

// substitutable reports whether tree, executed with Data, uses the
// subscriber's name and address and the two links only by printing
// them whole and testing them for emptiness (see Skeleton).
func substitutable(tree *parse.Tree) bool {
	if tree == nil || tree.Root == nil {
		return true
	}
	a := &analysis{ok: true}
	a.list(tree.Root, kRoot, []scope{{name: "$", kind: kRoot}})
	return a.ok
}

type scope struct {
	name string
	kind kind
}

type analysis struct{ ok bool }

func (a *analysis) fail() { a.ok = false }

func (a *analysis) list(l *parse.ListNode, dot kind, vars []scope) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		vars = a.node(n, dot, vars)
	}
}

// node checks n and returns the variables in scope after it.
func (a *analysis) node(n parse.Node, dot kind, vars []scope) []scope {
	switch n := n.(type) {
	case *parse.TextNode, *parse.CommentNode, *parse.BreakNode, *parse.ContinueNode:
	case *parse.ActionNode:
		if len(n.Pipe.Decl) == 0 {
			if k, ok := single(n.Pipe, dot, vars); ok && (k == kOther || k.personal()) {
				return vars // printed whole: a hole, or nothing personal
			}
		}
		k := a.pipe(n.Pipe, dot, vars)
		return a.declare(n.Pipe, k, vars)
	case *parse.IfNode:
		inner := a.declare(n.Pipe, a.cond(n.Pipe, dot, vars), vars)
		a.list(n.List, dot, inner)
		a.list(n.ElseList, dot, inner)
	case *parse.WithNode:
		k := a.cond(n.Pipe, dot, vars)
		inner := a.declare(n.Pipe, k, vars)
		a.list(n.List, k, inner)
		a.list(n.ElseList, dot, inner)
	case *parse.RangeNode:
		k := a.pipe(n.Pipe, dot, vars)
		if k != kOther {
			a.fail()
		}
		inner := vars
		for _, d := range n.Pipe.Decl {
			inner = append(inner[:len(inner):len(inner)], scope{d.Ident[0], kOther})
		}
		a.list(n.List, kOther, inner)
		a.list(n.ElseList, dot, vars)
	case *parse.TemplateNode:
		// A template called with anything personal could do anything
		// with it; one called with something else cannot reach it ($ in
		// it is what it was given).
		if n.Pipe != nil && a.pipe(n.Pipe, dot, vars) != kOther {
			a.fail()
		}
	default:
		a.fail()
	}
	return vars
}

// declare adds a pipeline's variables; only what is not personal may be
// held in one.
func (a *analysis) declare(p *parse.PipeNode, k kind, vars []scope) []scope {
	if len(p.Decl) == 0 {
		return vars
	}
	if k != kOther {
		a.fail()
	}
	for _, d := range p.Decl {
		vars = append(vars[:len(vars):len(vars)], scope{d.Ident[0], kOther})
	}
	return vars
}

// cond is the kind of an if or with condition: a value tested for
// emptiness, which the skeleton's key covers, or anything not personal.
func (a *analysis) cond(p *parse.PipeNode, dot kind, vars []scope) kind {
	if len(p.Decl) == 0 {
		if k, ok := single(p, dot, vars); ok && k != kUnknown {
			return k
		}
	}
	return a.pipe(p, dot, vars)
}

// single is the kind of a pipeline that is one value and no call.
func single(p *parse.PipeNode, dot kind, vars []scope) (kind, bool) {
	if len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return 0, false
	}
	switch n := p.Cmds[0].Args[0].(type) {
	case *parse.DotNode, *parse.FieldNode, *parse.VariableNode, *parse.ChainNode:
		a := analysis{ok: true}
		k := a.value(n, dot, vars)
		if !a.ok {
			k = kUnknown // a chain on a call that saw something personal
		}
		return k, true
	}
	return 0, false
}

// pipe checks a pipeline whose result is used by something other than a
// print or a test: every value in it must be impersonal, and so is its
// result.
func (a *analysis) pipe(p *parse.PipeNode, dot kind, vars []scope) kind {
	for _, c := range p.Cmds {
		for _, arg := range c.Args {
			if k := a.value(arg, dot, vars); k != kOther {
				a.fail()
			}
		}
	}
	return kOther
}

// value is the kind of one argument.
func (a *analysis) value(n parse.Node, dot kind, vars []scope) kind {
	switch n := n.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		k := dot
		for _, f := range n.Ident {
			k = k.field(f)
		}
		return k
	case *parse.VariableNode:
		k := kUnknown
		for i := len(vars) - 1; i >= 0; i-- {
			if vars[i].name == n.Ident[0] {
				k = vars[i].kind
				break
			}
		}
		for _, f := range n.Ident[1:] {
			k = k.field(f)
		}
		return k
	case *parse.ChainNode:
		var k kind
		if p, ok := n.Node.(*parse.PipeNode); ok {
			k = a.pipe(p, dot, vars)
		} else {
			k = a.value(n.Node, dot, vars)
		}
		for _, f := range n.Field {
			k = k.field(f)
		}
		return k
	case *parse.PipeNode:
		return a.pipe(n, dot, vars)
	case *parse.IdentifierNode, *parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.NilNode:
		return kOther
	}
	return kUnknown
}
