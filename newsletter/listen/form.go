package listen

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/agora-hub/agora/newsletter/token"
)

// The minimum fill time needs a time the service can trust for when the
// form was handed out. The site is static and its forms work without
// script, so the page on the site cannot carry one: it was built long
// before anyone loaded it. Instead the service signs one:
//
//   - A form posted from the site has no form token. The service answers
//     with its own page, styled like the site, that shows what was typed
//     (with any mistake marked) and holds a signed time; pressing
//     Subscribe there, at least MinFill later, is the sign-up. Bots that
//     fire one POST at the site's form never get past this page.
//   - A script on the site (a hub's own form) fetches GET /form-token when
//     the page loads and posts the token back in the JSON.
//
// The form token is a token of its own purpose under AGORA_SECRET, so it
// can never pass for a confirmation or an unsubscribe link. Its handle is
// a random nonce, and it makes one sign-up: the store keeps a hash of the
// nonce until the token expires (ReceiveSignup). One token fetched by a
// script cannot sign up 400 addresses from 400 networks.
const formPurpose token.Purpose = "signup-form"

func (s *Service) newFormToken() string {
	return s.opt.Signer.Sign(formPurpose, token.Subject{Handle: token.Random(16)}, strconv.FormatInt(s.now().UnixMilli(), 10), s.opt.Limits.FormTTL)
}

// errFormToken: no usable form token (missing, forged or expired);
// errTooFast: a genuine one, handed out less than MinFill ago.
var (
	errFormToken = errors.New("the form has expired or did not come from this service")
	errTooFast   = errors.New("the form came back too fast")
)

// formToken is a checked form token: its nonce and when it expires.
type formToken struct {
	nonce   string
	expires time.Time
}

func (s *Service) checkFormToken(tok string) (formToken, error) {
	if tok == "" {
		return formToken{}, errFormToken
	}
	c, err := s.opt.Signer.Parse(tok)
	if err != nil || c.Legacy() || s.opt.Signer.Check(c, formPurpose, "") != nil {
		return formToken{}, errFormToken
	}
	issued, err := strconv.ParseInt(c.Request, 10, 64)
	if err != nil {
		return formToken{}, errFormToken
	}
	if s.now().Sub(time.UnixMilli(issued)) < s.opt.Limits.MinFill {
		return formToken{}, errTooFast
	}
	return formToken{nonce: c.Handle, expires: c.Expires}, nil
}

// signupInput is a posted sign-up, from a form or JSON.
type signupInput struct {
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Topics    []string `json:"topics"`
	FormToken string   `json:"form_token"`
	// Website is the honeypot: hidden from people, filled in by bots that
	// fill in every field.
	Website string `json:"website"`
}

// HoneypotField is the form field people never see.
const HoneypotField = "website"

// errBodyTooLarge and errContentType are answered 413 and 415.
var (
	errBodyTooLarge = errors.New("the request is too large")
	errContentType  = errors.New("send a form (application/x-www-form-urlencoded or multipart/form-data) or JSON")
)

// isJSON reports whether the request's body is JSON, which is answered in
// JSON.
func isJSON(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

// parseForm reads a form body (URL-encoded or multipart, as RFC 8058
// allows either for one-click unsubscribes) within the body cap.
func parseForm(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch mt {
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "multipart/form-data":
		// The body is capped already; files are not wanted and stay out
		// of memory and disk by the same cap.
		err = r.ParseMultipartForm(1 << 20)
		if r.MultipartForm != nil {
			defer func() { _ = r.MultipartForm.RemoveAll() }()
			if len(r.MultipartForm.File) > 0 {
				return errContentType
			}
		}
	default:
		return errContentType
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errBodyTooLarge
	}
	if err != nil {
		return fmt.Errorf("unreadable form: %w", err)
	}
	return nil
}

func readSignup(r *http.Request) (signupInput, error) {
	var in signupInput
	if isJSON(r) {
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		err := dec.Decode(&in)
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return in, errBodyTooLarge
		case err != nil:
			return in, fmt.Errorf("unreadable JSON: want {\"email\": …, \"name\": …, \"topics\": […], \"form_token\": …}: %w", err)
		case dec.More():
			return in, errors.New("unreadable JSON: one object only")
		}
		return in, nil
	}
	if err := parseForm(r); err != nil {
		return in, err
	}
	f := r.PostForm
	in.Email, in.Name, in.FormToken, in.Website = f.Get("email"), f.Get("name"), f.Get("form_token"), f.Get(HoneypotField)
	for _, t := range f["topics"] {
		in.Topics = append(in.Topics, strings.TrimSpace(t))
	}
	return in, nil
}
