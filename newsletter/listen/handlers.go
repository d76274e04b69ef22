package listen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

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
	form, tokErr := s.checkFormToken(in.FormToken)
	if len(fieldErrs) > 0 || tokErr != nil {
		s.retryForm(w, r, asJSON, in, fieldErrs, tokErr)
		return
	}
	ip := s.clientIP(r)
	limits := []limit{{s.signups, ipKey(ip)}}
	if site, ok := siteKey(ip); ok {
		limits = append(limits, limit{s.signups48, site})
	}
	if ok, retry := allowAll(s.now(), limits...); !ok {
		s.tooMany(w, r, retry)
		return
	}
	// The request only goes into the inbox, the same two rows for every
	// address; whether it is mailed is decided by the worker, where no
	// visitor can time it.
	err = s.apply(func(w store.SignupTx) error {
		if err := s.takeShared(w, limits); err != nil {
			return err
		}
		return w.ReceiveSignup(store.SignupRequest{
			Email: sub.Email, Name: sub.Name, Topics: sub.Topics,
			FormToken: form.nonce, FormExpires: form.expires,
		})
	})
	var limited *limitedError
	if errors.As(err, &limited) {
		s.tooMany(w, r, limited.retry)
		return
	}
	if errors.Is(err, store.ErrFormTokenUsed) {
		// A replay gets the answer a sign-up gets: whoever sends it
		// learns nothing, and the sign-up it repeats happened once.
		s.signedUp(w, asJSON)
		return
	}
	if err != nil {
		s.unavailable(w, r, asJSON, err)
		return
	}
	s.nudge()
	s.signedUp(w, asJSON)
}

// takeShared takes the sign-up's tokens from the networks' buckets in the
// database, in the sign-up's own transaction, for the price of a statement
// each: every agora listen sharing the database counts against one limit,
// where the limiters in memory count per process. A refusal undoes the
// op, so a sign-up refused by its /48 does not use up its /64's turn.
func (s *Service) takeShared(w store.SignupTx, limits []limit) error {
	for _, c := range limits {
		if c.l.off() {
			continue
		}
		ok, retry, err := w.TakeToken("net:"+c.key.String(), time.Duration(float64(time.Second)/float64(c.l.every)), c.l.burst)
		if err != nil {
			return err
		}
		if !ok {
			return &limitedError{retry}
		}
	}
	return nil
}

// limitedError is a sign-up refused by a network's shared limit.
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

// open reads tok, finds the subscriber it names and checks it for
// purpose p. store.ErrNotFound: no subscriber has that handle (erased, or
// the link was made up), or a link in the old format names an ID that may
// have changed hands (see store.Signups.Link).
func (s *Service) open(ctx context.Context, tok string, p token.Purpose) (token.Claim, store.Signup, error) {
	c, err := s.opt.Signer.Parse(tok)
	if err != nil {
		return c, store.Signup{}, err
	}
	if c.Purpose != p {
		// Refused before the MAC is checked: refusing needs no trust,
		// and it spares the database a read.
		return c, store.Signup{}, token.ErrWrongPurpose
	}
	g, err := s.opt.Store.Link(ctx, store.LinkRef{Handle: c.Handle, LegacyID: c.LegacyID})
	if err != nil {
		return c, store.Signup{}, err
	}
	if err := s.opt.Signer.Check(c, p, g.Subscriber.Link.Secret); err != nil {
		return c, store.Signup{}, err
	}
	return c, g, nil
}

// isLinkError reports an error about the link itself, as opposed to the
// database.
func isLinkError(err error) bool {
	return errors.Is(err, token.ErrInvalid) || errors.Is(err, token.ErrExpired) || errors.Is(err, token.ErrWrongPurpose)
}

// request is the sign-up request a checked confirmation link is for. A
// link in the old format names none; it was mailed for the request open
// when links got handles (store.LegacyRequest) if it was signed after that
// request was made: a link mailed for an earlier request of the same
// address is older than the request, and must not confirm it.
func (s *Service) request(c token.Claim, g store.Signup) string {
	if !c.Legacy() {
		return c.Request
	}
	signed := c.Expires.Add(-s.opt.Limits.ConfirmTTL)
	if g.Request == store.LegacyRequest && !signed.Before(g.Requested.Truncate(time.Second)) {
		return store.LegacyRequest
	}
	return ""
}

func (s *Service) confirmPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	c, g, err := s.open(r.Context(), tok, token.Confirm)
	switch {
	case isLinkError(err):
		s.badLink(w, r, err)
		return
	case errors.Is(err, store.ErrNotFound):
		s.render(w, r, http.StatusBadRequest, "message", s.usedLink())
		return
	case err != nil:
		s.unavailable(w, r, false, err)
		return
	}
	request := s.request(c, g)
	switch {
	case request != "" && request == g.Request:
		// Everything confirming stores, so that nobody confirms what
		// someone else typed without seeing it.
		var topics []string
		for _, c := range s.choices(g.Topics) {
			if c.Checked {
				topics = append(topics, c.Title)
			}
		}
		s.render(w, r, http.StatusOK, "confirm", confirmPage{
			Action: s.path(token.Confirm, tok),
			Email:  g.Subscriber.Email,
			Name:   g.Name,
			Topics: topics,
			Days:   int(s.opt.Limits.ConfirmTTL / (24 * time.Hour)),
		})
	case request != "" && request == g.Confirmed && g.Subscriber.Status == subscriber.Active:
		s.render(w, r, http.StatusOK, "message", messagePage{
			Heading: "You are subscribed",
			Lines:   []string{"Thank you: the newsletter of " + s.opt.Site.Title + " will come to " + g.Subscriber.Email + "."},
			Links: []link{
				{s.path(token.Preferences, s.opt.Signer.Sign(token.Preferences, g.Subscriber.Link, "", preferencesTTL)), "Choose your topics"},
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
		Lines:   []string{"It was used already, a newer sign-up replaced it, or it is older than the time it was good for. To subscribe, please use the form on the site again."},
		Links:   []link{{s.siteURL("newsletter/"), "Subscribe on the site"}},
	}
}

func (s *Service) confirm(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrigin(r) {
		s.fail(w, r, false, http.StatusForbidden, "This button works only on this service's page.")
		return
	}
	tok := r.URL.Query().Get("t")
	c, g, err := s.open(r.Context(), tok, token.Confirm)
	switch {
	case isLinkError(err):
		s.badLink(w, r, err)
		return
	case err != nil && !errors.Is(err, store.ErrNotFound):
		s.unavailable(w, r, false, err)
		return
	case err == nil:
		if request := s.request(c, g); request != "" {
			err = s.apply(func(w store.SignupTx) error {
				_, err := w.ConfirmSignup(g.Subscriber.ID, request, "form")
				return err
			})
		}
		if err != nil && !errors.Is(err, store.ErrNoRequest) && !errors.Is(err, store.ErrNotFound) {
			s.unavailable(w, r, false, err)
			return
		}
	}
	if err == nil && s.opt.Welcome != nil {
		s.nudge() // the welcome series' first step is due now
	}
	// Post/redirect/get: the page says what the state is now, and a reload
	// does not post again.
	w.Header().Set("Location", s.path(token.Confirm, tok))
	w.WriteHeader(http.StatusSeeOther)
}

func (s *Service) preferencesPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	c, g, err := s.open(r.Context(), tok, token.Preferences)
	if err != nil {
		s.linkFailed(w, r, c, err)
		return
	}
	sub := g.Subscriber
	s.render(w, r, http.StatusOK, "preferences", s.preferences(tok, sub, sub.Name, sub.Topics, nil, r.URL.Query().Get("saved") == "1"))
}

func (s *Service) preferences(tok string, sub subscriber.Subscriber, name string, topics []string, errs map[string]string, saved bool) preferencesPage {
	return preferencesPage{
		Action:         s.path(token.Preferences, tok),
		Email:          sub.Email,
		Name:           name,
		Topics:         s.choices(topics),
		Errors:         errs,
		Saved:          saved,
		Unsubscribed:   sub.Status.Suppressed(),
		Pending:        sub.Status == subscriber.Pending,
		UnsubscribeURL: s.path(token.Unsubscribe, s.opt.Signer.Sign(token.Unsubscribe, sub.Link, "", 0)),
	}
}

func (s *Service) savePreferences(w http.ResponseWriter, r *http.Request) {
	if !s.checkOrigin(r) {
		s.fail(w, r, false, http.StatusForbidden, "This form works only on this service's page.")
		return
	}
	tok := r.URL.Query().Get("t")
	c, g, err := s.open(r.Context(), tok, token.Preferences)
	if err != nil {
		s.linkFailed(w, r, c, err)
		return
	}
	if err := parseForm(r); err != nil {
		s.fail(w, r, false, statusFor(err), err.Error())
		return
	}
	name, topics := r.PostForm.Get("name"), r.PostForm["topics"]
	sub, errs := validate("", name, topics, false)
	if len(errs) > 0 {
		s.render(w, r, http.StatusBadRequest, "preferences", s.preferences(tok, g.Subscriber, name, topics, errs, false))
		return
	}
	err = s.apply(func(w store.SignupTx) error {
		_, err := w.SetPreferences(g.Subscriber.ID, sub.Name, sub.Topics)
		return err
	})
	if err != nil {
		s.notOnList(w, r, err)
		return
	}
	w.Header().Set("Location", s.path(token.Preferences, tok)+"&saved=1")
	w.WriteHeader(http.StatusSeeOther)
}

// linkFailed answers a preferences link that open refused.
func (s *Service) linkFailed(w http.ResponseWriter, r *http.Request, c token.Claim, err error) {
	switch {
	case isLinkError(err):
		s.badLink(w, r, err)
	case errors.Is(err, store.ErrNotFound) && c.Legacy():
		s.render(w, r, http.StatusBadRequest, "message", s.tooOld())
	default:
		s.notOnList(w, r, err)
	}
}

// tooOld is a link in the old format whose ID may have changed hands: it
// is not acted on, and the person is told how to reach their own row.
func (s *Service) tooOld() messagePage {
	return messagePage{
		Heading: "This link is too old",
		Lines: []string{
			"It comes from a message sent before an update of this newsletter, and it can no longer be told apart from another person's. Nothing was changed.",
			"The links in the newest issue work, and replying to any issue with \"unsubscribe\" works too.",
		},
		Links: []link{{s.opt.Site.BaseURL.String(), "Back to " + s.opt.Site.Title}},
	}
}

func (s *Service) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	c, g, err := s.open(r.Context(), tok, token.Unsubscribe)
	switch {
	case isLinkError(err):
		s.badLink(w, r, err)
	case errors.Is(err, store.ErrNotFound) && c.Legacy():
		s.render(w, r, http.StatusOK, "message", s.tooOld())
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
//
// It writes only when it changes something: a repeat of an unsubscribe
// done is a read. Over its network's limit, a request is still checked,
// and one that unsubscribes someone is honoured: a mail provider posts
// for all its users from a few addresses, every such request is a person
// leaving, and there are at most as many as the list is long, since each
// link does it once. Only a request that would change nothing (a repeat, a
// forgery, an erased address) is refused there, with 429 and Retry-After.
func (s *Service) unsubscribe(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	ip := ipKey(s.clientIP(r))
	within, retry := s.unsubscribes.allow(ip, s.now())
	refuse := func() bool {
		if !within {
			s.tooMany(w, r, retry)
		}
		return !within
	}
	if err := parseForm(r); err != nil {
		s.fail(w, r, false, statusFor(err), err.Error())
		return
	}
	c, g, err := s.open(r.Context(), tok, token.Unsubscribe)
	switch {
	case isLinkError(err):
		if !refuse() {
			s.badLink(w, r, err)
		}
		return
	case errors.Is(err, store.ErrNotFound):
		if !refuse() {
			page := s.unsubscribed() // an erased subscriber is as unsubscribed as can be
			if c.Legacy() {
				page = s.tooOld()
			}
			s.render(w, r, http.StatusOK, "message", page)
		}
		return
	case err != nil:
		s.unavailable(w, r, false, err)
		return
	}
	if r.PostForm.Get("List-Unsubscribe") != "One-Click" {
		s.fail(w, r, false, http.StatusBadRequest, "Unsubscribe with the button on the page this link opens.")
		return
	}
	if g.Subscriber.Status == subscriber.Unsubscribed && g.Request == "" {
		if !refuse() {
			s.render(w, r, http.StatusOK, "message", s.unsubscribed())
		}
		return
	}
	if !within && s.overLimitLog.Swap(s.now().Unix()/60) != s.now().Unix()/60 {
		s.log.Printf("one-click unsubscribes from %v over the limit: honoured, as each unsubscribes someone (logged once a minute)", ip)
	}
	how := "one-click"
	if r.PostForm.Get("source") == "page" {
		how = "unsubscribe-page"
	}
	err = s.apply(func(w store.SignupTx) error {
		_, err := w.Unsubscribe(g.Subscriber.ID, how)
		return err
	})
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
