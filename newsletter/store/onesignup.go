package store

import (
	"context"

	"github.com/agora-hub/agora/newsletter/subscriber"
)

// OneSignup gives each SignupTx operation a transaction of its own,
// through an engine's ApplySignups: the same for every engine, so each
// embeds it rather than writing the wrappers again.
type OneSignup struct {
	Apply func(ctx context.Context, ops []func(SignupTx) error) ([]error, error)
}

func (o OneSignup) one(ctx context.Context, op func(SignupTx) error) error {
	errs, err := o.Apply(ctx, []func(SignupTx) error{op})
	if err != nil {
		return err
	}
	return errs[0]
}

// ReceiveSignup is SignupTx's, in a transaction of its own.
func (o OneSignup) ReceiveSignup(ctx context.Context, r SignupRequest) error {
	return o.one(ctx, func(w SignupTx) error { return w.ReceiveSignup(r) })
}

// ConfirmSignup is SignupTx's, in a transaction of its own.
func (o OneSignup) ConfirmSignup(ctx context.Context, id int64, request, how string) (sub subscriber.Subscriber, err error) {
	err = o.one(ctx, func(w SignupTx) (err error) {
		sub, err = w.ConfirmSignup(id, request, how)
		return err
	})
	return sub, err
}

// SetPreferences is SignupTx's, in a transaction of its own.
func (o OneSignup) SetPreferences(ctx context.Context, id int64, name string, topics []string) (sub subscriber.Subscriber, err error) {
	err = o.one(ctx, func(w SignupTx) (err error) {
		sub, err = w.SetPreferences(id, name, topics)
		return err
	})
	return sub, err
}

// Unsubscribe is SignupTx's, in a transaction of its own.
func (o OneSignup) Unsubscribe(ctx context.Context, id int64, how string) (changed bool, err error) {
	err = o.one(ctx, func(w SignupTx) (err error) {
		changed, err = w.Unsubscribe(id, how)
		return err
	})
	return changed, err
}
