package send

import (
	"net/mail"
	"strings"
)

// The message layout: headers folded at spaces, and parts in
// quoted-printable (RFC 2045), written by hand because a message is made
// of pieces encoded once per digest (see Composer).

const hexDigits = "0123456789ABCDEF"

// maxQPLine is the longest encoded line before its soft break's "=".
const maxQPLine = 75

// appendQP appends s quoted-printable encoded, as text: a line break
// ("\n" or "\r\n") is a CRLF, every other control byte, "=" and any byte
// above 126 is escaped, as is white space that ends a line (or s, when
// end says that s ends the part rather than a soft line break following),
// and a "." that starts a line, so that no line of the message starts
// with a dot and SMTP has nothing to stuff. col is the length of the
// current encoded line; appendQP returns it after s.
func appendQP(dst []byte, s string, col int, end bool) ([]byte, int) {
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b == '\n':
			dst = append(dst, '\r', '\n')
			col = 0
			continue
		case b == '\r' && i+1 < len(s) && s[i+1] == '\n':
			continue // the \n makes the line break
		}
		literal := b > ' ' && b <= '~' && b != '='
		if b == ' ' || b == '\t' {
			// Kept unless the line ends after it, where transports may
			// strip it.
			literal = i+1 < len(s) && s[i+1] != '\n' && s[i+1] != '\r' || i+1 == len(s) && !end
		}
		n := 1
		if !literal {
			n = 3
		}
		if col+n > maxQPLine {
			dst = append(dst, '=', '\r', '\n')
			col = 0
		}
		if literal && b == '.' && col == 0 {
			literal, n = false, 3
		}
		if literal {
			dst = append(dst, b)
		} else {
			dst = append(dst, '=', hexDigits[b>>4], hexDigits[b&15])
		}
		col += n
	}
	return dst, col
}

// maxHeaderLine is where appendHeader folds.
const maxHeaderLine = 78

// appendHeader appends "name: value" and a CRLF, folding the value before
// a space wherever the line would pass 78 characters. value must hold no
// line break; folding inside a quoted string or between encoded words
// changes nothing (RFC 5322 unfolding removes only the CRLF).
func appendHeader(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	col := len(name) + 2
	first := true
	for len(value) > 0 {
		// The next word, with the space before it.
		end := strings.IndexByte(value[1:], ' ')
		if end < 0 {
			end = len(value)
		} else {
			end++
		}
		word := value[:end]
		value = value[end:]
		if !first && word[0] == ' ' && col+len(word) > maxHeaderLine {
			dst = append(dst, '\r', '\n')
			col = 0
		}
		dst = append(dst, word...)
		col += len(word)
		first = false
	}
	return append(dst, '\r', '\n')
}

// formatAddress is a mailbox for a header: the name quoted, or encoded
// (RFC 2047) when it is not ASCII, as net/mail writes it.
func formatAddress(a *mail.Address) string {
	return a.String()
}
