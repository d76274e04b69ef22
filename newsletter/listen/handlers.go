package listen

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

// subscribeForm is the service's own sign-up form, with a fresh form token.
func (s *Service) subscribeForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "subscribe", subscribePage{
		Action:    s.prefix + "/subscribe",
		FormToken: s.newFormToken(),
		Topics:    s.choices(nil),
	})
}

// formToken hands a form token to a script on the site.
func (s *Service) formToken(w http.ResponseWriter, r *http.Request) {
	s.cors(w, r)
	s.jsonReply(w, http.StatusOK, map[string]any{
		"form_token":  s.newFormToken(),
		"min_wait_ms": s.opt.Limits.MinFill.Milliseconds(),
	})
}

func (s *Service) subscribe(w http.ResponseWriter, r *http.Request) {
	asJSON := isJSON(r)
	s.cors(w, r)
	if !s.checkOrigin(r) {
		s.fail(w, r, asJSON, http.StatusForbidden, "Sign-ups are taken only from the forms of "+s.opt.Site.BaseURL.String()+".")
		return
	}
	in, err := readSignup(r)
	if err != nil {
		s.fail(w, r, asJSON, statusFor(err), err.Error())
		return
	}
	if in.Website != "" {
		// The answer a person gets, so the bot learns nothing.
		s.log.Printf("sign-up with the honeypot filled in, from %v: ignored", ipKey(s.clientIP(r)))
		s.signedUp(w, asJSON)
		return
	}
	sub, fieldErrs := validate(in.Email, in.Name, in.Topics, true)
	tokErr := s.checkFormToken(in.FormToken)
	if len(fieldErrs) > 0 || tokErr != nil {
		s.retryForm(w, r, asJSON, in, fieldErrs, tokErr)
		return
	}
	var res store.SignupResult
	network := "net:" + ipKey(s.clientIP(r)).String()
	err = s.apply(func(w store.SignupTx) error {
		// The network's bucket is in the database, taken in the sign-up's
		// own transaction: every agora listen sharing the database counts
		// against one limit, for the price of one more statement.
		if every := s.opt.Limits.SignupsPerIP; every != rate.Inf {
			ok, retry, err := w.TakeToken(network, time.Duration(float64(time.Second)/float64(every)), s.opt.Limits.SignupBurst)
			if err != nil {
				return err
			}
			if !ok {
				return &limitedError{retry}
			}
		}
		var err error
		res, err = w.RequestSignup(sub, s.opt.Limits.MailEvery)
		return err
	})
	var limited *limitedError
	if errors.As(err, &limited) {
		s.tooMany(w, r, limited.retry)
		return
	}
	if err != nil {
		s.unavailable(w, r, asJSON, err)
		return
	}
	if res.Queued {
		s.nudge()
	}
	s.signedUp(w, asJSON)
}

// limitedError is a sign-up refused by its network's limit.
type limitedError struct{ retry time.Duration }

func (e *limitedError) Error() string { return fmt.Sprintf("too many sign-ups; retry in %v", e.retry) }

// signedUp is the one answer to every accepted sign-up, whatever the
// address: known, unknown, unsubscribed, rate-limited or a bot's.
func (s *Service) signedUp(w http.ResponseWriter, asJSON bool) {
	if asJSON {
		s.jsonReply(w, http.StatusAccepted, map[string]string{
			"status":  "check-your-inbox",
			"message": "Thank you. If the address can get our mail, a message with a link to confirm is on its way.",
		})
		return
	}
	w.Header().Set("Location", s.thanksURL())
	w.WriteHeader(http.StatusSeeOther)
}

// retryForm answers a sign-up that cannot be taken as it is: the form
// again, on the service's page, with the mistakes marked and a form token.
func (s *Service) retryForm(w http.ResponseWriter, r *http.Request, asJSON bool, in signupInput, fieldErrs map[string]string, tokErr error) {
	if asJSON {
		for _, f := range []string{"email", "name", "topics"} {
			if msg, ok := fieldErrs[f]; ok {
				s.jsonReply(w, http.StatusBadRequest, map[string]string{"error": msg, "field": f})
				return
			}
		}
		msg := "get a form token from GET " + s.prefix + "/form-token first and send it as form_token"
		if errors.Is(tokErr, errTooFast) {
			msg = fmt.Sprintf("the form token is less than %v old: send the form again a little later", s.opt.Limits.MinFill)
		}
		s.jsonReply(w, http.StatusBadRequest, map[string]string{"error": msg, "field": "form_token"})
		return
	}
	tok := in.FormToken
	notice := ""
	switch {
	case in.FormToken == "":
		notice = "Check your details and press Subscribe. We will then mail you a link to confirm."
	case errors.Is(tokErr, errFormToken):
		notice = "The form had expired. Check your details and press Subscribe again."
	case errors.Is(tokErr, errTooFast):
		notice = "Check your details and press Subscribe again."
	}
	if tokErr != nil && !errors.Is(tokErr, errTooFast) {
		tok = s.newFormToken()
	}
	status := http.StatusOK
	if len(fieldErrs) > 0 {
		status = http.StatusBadRequest
		notice = "Please correct the marked field."
	}
	s.render(w, r, status, "subscribe", subscribePage{
		Action:    s.prefix + "/subscribe",
		Notice:    notice,
		Email:     in.Email,
		Name:      in.Name,
		FormToken: tok,
		Topics:    s.choices(in.Topics),
		Errors:    fieldErrs,
	})
}

// validate normalises what a person typed, naming the field of each
// mistake. email is false where the address is not asked (preferences).
func validate(email, name string, topics []string, withEmail bool) (subscriber.Subscriber, map[string]string) {
	errs := map[string]string{}
	var sub subscriber.Subscriber
	var err error
	if withEmail {
		if sub.Email, err = subscriber.NormalizeEmail(email); err != nil {
			errs["email"] = "Enter a valid address, such as ada@example.org."
		}
	}
	if sub.Name, err = subscriber.NormalizeName(name); err != nil {
		errs["name"] = fmt.Sprintf("Enter a name on one line, at most %d characters.", subscriber.MaxName)
	}
	if sub.Topics, err = subscriber.NormalizeTopics(topics); err != nil {
		errs["topics"] = fmt.Sprintf("Choose at most %d topics from the list.", subscriber.MaxTopics)
	}
	if len(errs) > 0 {
		return sub, errs
	}
	sub.Status, sub.Consent.How = subscriber.Pending, "form"
	return sub, nil
}

func (s *Service) confirmPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	id, err := s.opt.Signer.Verify(tok, token.Confirm)
	if err != nil {
		s.badLink(w, r, err)
		return
	}
	g, err := s.opt.Store.Signup(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.render(w, r, http.StatusBadRequest, "message", s.usedLink())
		return
	case err != nil:
		s.unavailable(w, r, false, err)
		return
	}
	open := !g.Requested.IsZero() && s.now().Sub(g.Requested) < s.opt.Limits.ConfirmTTL
	switch {
	case open:
		var topics []string
		for _, c := range s.choices(g.Topics) {
			if c.Checked {
				topics = append(topics, c.Title)
			}
		}
		s.render(w, r, http.StatusOK, "confirm", confirmPage{
			Action: s.path(token.Confirm, tok),
			Email:  g.Subscriber.Email,
			Topics: topics,
			Days:   int(s.opt.Limits.ConfirmTTL / (24 * time.Hour)),
		})
	case g.Subscriber.Status == subscriber.Active:
		s.render(w, r, http.StatusOK, "message", messagePage{
			Heading: "You are subscribed",
			Lines:   []string{"Thank you: the newsletter of " + s.opt.Site.Title + " will come to " + g.Subscriber.Email + "."},
			Links: []link{
				{s.path(token.Preferences, s.opt.Signer.Sign(token.Preferences, id, preferencesTTL)), "Choose your topics"},
				{s.opt.Site.BaseURL.String(), "Back to " + s.opt.Site.Title},
			},
		})
	default:
		s.render(w, r, http.StatusBadRequest, "message", s.usedLink())
	}
}

// preferencesTTL bounds the preferences links the service hands out on
// its pages; the digests carry their own.
const preferencesTTL = 24 * time.Hour

func (s *Service) usedLink() messagePage {
	return messagePage{
		Heading: "This link cannot be used any more",
		Lines:   []string{"It was used already, or it is older than the time it was good for. To subscribe, please use the form on the site again."},
		Links:   []link{{s.siteURL("newsletter/"), "Subscribe on the site"}},
	}
}

func (s *Service) confirm(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrigin(r) {
		s.fail(w, r, false, http.StatusForbidden, "This button works only on this service's page.")
		return
	}
	tok := r.URL.Query().Get("t")
	id, err := s.opt.Signer.Verify(tok, token.Confirm)
	if err != nil {
		s.badLink(w, r, err)
		return
	}
	err = s.apply(func(w store.SignupTx) error {
		_, err := w.ConfirmSignup(id, s.opt.Limits.ConfirmTTL, "form")
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNoRequest) && !errors.Is(err, store.ErrNotFound) {
		s.unavailable(w, r, false, err)
		return
	}
	// Post/redirect/get: the page says what the state is now, and a reload
	// does not post again.
	w.Header().Set("Location", s.path(token.Confirm, tok))
	w.WriteHeader(http.StatusSeeOther)
}

func (s *Service) preferencesPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	id, err := s.opt.Signer.Verify(tok, token.Preferences)
	if err != nil {
		s.badLink(w, r, err)
		return
	}
	g, err := s.opt.Store.Signup(r.Context(), id)
	if err != nil {
		s.notOnList(w, r, err)
		return
	}
	sub := g.Subscriber
	s.render(w, r, http.StatusOK, "preferences", s.preferences(id, tok, sub, sub.Name, sub.Topics, nil, r.URL.Query().Get("saved") == "1"))
}

func (s *Service) preferences(id int64, tok string, sub subscriber.Subscriber, name string, topics []string, errs map[string]string, saved bool) preferencesPage {
	return preferencesPage{
		Action:         s.path(token.Preferences, tok),
		Email:          sub.Email,
		Name:           name,
		Topics:         s.choices(topics),
		Errors:         errs,
		Saved:          saved,
		Unsubscribed:   sub.Status.Suppressed(),
		Pending:        sub.Status == subscriber.Pending,
		UnsubscribeURL: s.path(token.Unsubscribe, s.opt.Signer.Sign(token.Unsubscribe, id, 0)),
	}
}

func (s *Service) savePreferences(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrigin(r) {
		s.fail(w, r, false, http.StatusForbidden, "This form works only on this service's page.")
		return
	}
	tok := r.URL.Query().Get("t")
	id, err := s.opt.Signer.Verify(tok, token.Preferences)
	if err != nil {
		s.badLink(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		s.fail(w, r, false, statusFor(err), err.Error())
		return
	}
	name, topics := r.PostForm.Get("name"), r.PostForm["topics"]
	sub, errs := validate("", name, topics, false)
	if len(errs) > 0 {
		g, err := s.opt.Store.Signup(r.Context(), id)
		if err != nil {
			s.notOnList(w, r, err)
			return
		}
		s.render(w, r, http.StatusBadRequest, "preferences", s.preferences(id, tok, g.Subscriber, name, topics, errs, false))
		return
	}
	err = s.apply(func(w store.SignupTx) error {
		_, err := w.SetPreferences(id, sub.Name, sub.Topics)
		return err
	})
	if err != nil {
		s.notOnList(w, r, err)
		return
	}
	w.Header().Set("Location", s.path(token.Preferences, tok)+"&saved=1")
	w.WriteHeader(http.StatusSeeOther)
}

func (s *Service) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	id, err := s.opt.Signer.Verify(tok, token.Unsubscribe)
	if err != nil {
		s.badLink(w, r, err)
		return
	}
	g, err := s.opt.Store.Signup(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.render(w, r, http.StatusOK, "message", s.unsubscribed())
	case err != nil:
		s.unavailable(w, r, false, err)
	case g.Subscriber.Status == subscriber.Unsubscribed:
		s.render(w, r, http.StatusOK, "message", s.unsubscribed())
	default:
		s.render(w, r, http.StatusOK, "unsubscribe", unsubscribePage{Action: s.path(token.Unsubscribe, tok), Email: g.Subscriber.Email})
	}
}

// unsubscribe is RFC 8058's one-click POST (from a mail client, with no
// Origin to check and no page seen) and the button on unsubscribePage. The
// token is the authority, so no Origin is refused here. The answer is 200
// with no redirect, as mail clients do not follow one.
func (s *Service) unsubscribe(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	id, err := s.opt.Signer.Verify(tok, token.Unsubscribe)
	if err != nil {
		s.badLink(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		s.fail(w, r, false, statusFor(err), err.Error())
		return
	}
	if r.PostForm.Get("List-Unsubscribe") != "One-Click" {
		s.fail(w, r, false, http.StatusBadRequest, "Unsubscribe with the button on the page this link opens.")
		return
	}
	how := "one-click"
	if r.PostForm.Get("source") == "page" {
		how = "unsubscribe-page"
	}
	err = s.apply(func(w store.SignupTx) error {
		_, err := w.Unsubscribe(id, how)
		return err
	})
	// An erased subscriber is as unsubscribed as can be.
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.unavailable(w, r, false, err)
		return
	}
	s.render(w, r, http.StatusOK, "message", s.unsubscribed())
}

func (s *Service) unsubscribed() messagePage {
	return messagePage{
		Heading: "You are unsubscribed",
		Lines:   []string{"You will get no more newsletters from " + s.opt.Site.Title + ". If you change your mind, subscribe again on the site: you will be asked to confirm."},
		Links:   []link{{s.opt.Site.BaseURL.String(), "Back to " + s.opt.Site.Title}},
	}
}

// choices are the site's topics as checkboxes, those in chosen ticked, and
// any chosen topic the site does not list (yet) added, so that saving a
// form never drops one silently.
func (s *Service) choices(chosen []string) []choice {
	keys, _ := subscriber.NormalizeTopics(chosen)
	var out []choice
	for _, t := range s.opt.Site.Topics {
		out = append(out, choice{Key: t.Key, Title: t.Title, Checked: slices.Contains(keys, t.Key)})
	}
	for _, k := range keys {
		if !slices.ContainsFunc(s.opt.Site.Topics, func(t Topic) bool { return t.Key == k }) {
			out = append(out, choice{Key: k, Title: k, Checked: true})
		}
	}
	return out
}

func statusFor(err error) int {
	switch {
	case errors.Is(err, errBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errContentType):
		return http.StatusUnsupportedMediaType
	}
	return http.StatusBadRequest
}

func (s *Service) badLink(w http.ResponseWriter, r *http.Request, err error) {
	p := messagePage{
		Heading: "This link is not valid",
		Lines:   []string{"It may have been cut short: try copying the whole link from the mail into the address bar."},
		Links:   []link{{s.opt.Site.BaseURL.String(), "Back to " + s.opt.Site.Title}},
	}
	if errors.Is(err, token.ErrExpired) {
		p.Heading = "This link has expired"
		p.Lines = []string{"To subscribe, please use the form on the site again."}
		p.Links = []link{{s.siteURL("newsletter/"), "Subscribe on the site"}}
	}
	s.render(w, r, http.StatusBadRequest, "message", p)
}

func (s *Service) notOnList(w http.ResponseWriter, r *http.Request, err error) {
	if !errors.Is(err, store.ErrNotFound) {
		s.unavailable(w, r, false, err)
		return
	}
	s.render(w, r, http.StatusBadRequest, "message", messagePage{
		Heading: "This address is not on the list any more",
		Lines:   []string{"Its details were erased. To subscribe again, please use the form on the site."},
		Links:   []link{{s.siteURL("newsletter/"), "Subscribe on the site"}},
	})
}

func (s *Service) tooMany(w http.ResponseWriter, r *http.Request, retry time.Duration) {
	secs := int((retry + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	s.fail(w, r, isJSON(r), http.StatusTooManyRequests, "Too many requests from your network. Please try again later.")
}

// unavailable is a database that could not be written (a lock held past
// the busy timeout, a full disk): the person may simply try again.
func (s *Service) unavailable(w http.ResponseWriter, r *http.Request, asJSON bool, err error) {
	s.log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
	w.Header().Set("Retry-After", "5")
	s.fail(w, r, asJSON, http.StatusServiceUnavailable, "The service is busy. Please try again in a moment.")
}

func (s *Service) fail(w http.ResponseWriter, r *http.Request, asJSON bool, status int, msg string) {
	if asJSON {
		s.jsonReply(w, status, map[string]string{"error": msg})
		return
	}
	s.render(w, r, status, "message", messagePage{
		Heading: http.StatusText(status),
		Lines:   []string{msg},
		Links:   []link{{s.opt.Site.BaseURL.String(), "Back to " + s.opt.Site.Title}},
	})
}

func (s *Service) jsonReply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
