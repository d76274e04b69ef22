package send

import (
	"context"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
)

// maxGroup bounds the requests of one group commit.
const maxGroup = 128

// maxLinger is how long outcomes wait for company before they are
// committed on their own: at a high rate they ride with the claims, at a
// low one each is on disk within this.
const maxLinger = 5 * time.Millisecond

// journaler commits the workers' journal updates. A claim (record) is
// committed before record returns, as exactly-once needs; an outcome
// (recordLater) is queued and committed with the next group. Whatever
// arrives while one commit is on its way to disk shares the next one: with
// N connections a commit per message would make the disk's fsync, not the
// SMTP server, the limit.
//
// Updates are committed in the order they were handed in, so the journal
// always holds a prefix of each worker's updates: a worker's earlier
// outcomes are on disk by the time its next claim is.
//
// Claims go through here too, carrying every outcome handed in before
// them (store.ClaimRequest.Done): at a high rate a claim and the outcomes
// that made room for it are one commit, and no outcome lingers.
type journaler struct {
	j    store.Journal
	reqs chan journalReq
	done chan struct{}
	// failed is told about an error of an update nobody waits for.
	failed func(error)
	// handed is told how many updates were handed in, once they are
	// queued ahead of any later claim.
	handed func(n int)
}

type journalReq struct {
	u     store.Update   // one update, not waited for
	many  []store.Update // or these, waited for (err)
	err   chan error
	claim *store.ClaimRequest // or a claim, waited for (claimed)
	got   chan claimResult
}

type claimResult struct {
	c   store.Claimed
	err error
}

func newJournaler(j store.Journal, failed func(error), handed func(int)) *journaler {
	w := &journaler{j: j, reqs: make(chan journalReq, maxGroup), done: make(chan struct{}), failed: failed, handed: handed}
	go w.loop()
	return w
}

// claimWith runs c with whatever updates were handed in before it.
func (w *journaler) claimWith(c store.ClaimRequest) (store.Claimed, error) {
	r := journalReq{claim: &c, got: make(chan claimResult, 1)}
	w.reqs <- r
	res := <-r.got
	return res.c, res.err
}

// record commits us in one transaction (with whatever else is waiting)
// and returns once it is on disk. us may be reused afterwards.
func (w *journaler) record(us []store.Update) error {
	return <-w.claim(us)
}

// claim queues us to be committed in one transaction and returns the
// channel that gets the commit's result; us must not change until then.
func (w *journaler) claim(us []store.Update) <-chan error {
	r := journalReq{many: us, err: make(chan error, 1)}
	w.reqs <- r
	w.handed(len(us))
	return r.err
}

// recordLater queues u and returns at once; it is committed with the next
// group, at the latest when the journaler is closed. A message is marked
// sent this way: until that commit the row says sending, so a crash in
// between sends it again with the same Message-ID, as for any message in
// flight, and the worker's next message does not wait for the disk.
func (w *journaler) recordLater(u store.Update) {
	w.reqs <- journalReq{u: u}
	w.handed(1)
}

func (w *journaler) close() {
	close(w.reqs)
	<-w.done
}

func (w *journaler) loop() {
	defer close(w.done)
	batch := make([]journalReq, 0, maxGroup)
	updates := make([]store.Update, 0, maxGroup*ClaimBatch)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for r := range w.reqs {
		batch = append(batch[:0], r)
		waited := r.waited()
	more:
		for len(batch) < maxGroup && batch[len(batch)-1].claim == nil {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break more
				}
				batch = append(batch, r)
				waited = waited || r.waited()
			default:
				break more
			}
		}
		if !waited && len(batch) < maxGroup {
			// Only outcomes: they may wait a little for a claim, or for
			// more of them, to share a commit.
			linger.Reset(maxLinger)
		wait:
			for len(batch) < maxGroup {
				select {
				case r, ok := <-w.reqs:
					if !ok {
						break wait
					}
					batch = append(batch, r)
					if r.waited() {
						break wait
					}
				case <-linger.C:
					break wait
				}
			}
			linger.Stop()
		}
		updates = updates[:0]
		var claim *journalReq
		for i, b := range batch {
			switch {
			case b.claim != nil:
				claim = &batch[i] // the last of the batch
			case b.err != nil:
				updates = append(updates, b.many...)
			default:
				updates = append(updates, b.u)
			}
		}
		// Never cancelled: an update that is not written is a message
		// that may be sent twice.
		var err error
		if claim != nil {
			c := *claim.claim
			c.Done = updates
			var got store.Claimed
			got, err = w.j.Claim(context.Background(), c)
			claim.got <- claimResult{got, err}
		} else {
			err = w.j.Record(context.Background(), updates)
		}
		for _, b := range batch {
			if b.err != nil {
				b.err <- err
			}
		}
		if err != nil {
			for _, b := range batch {
				if !b.waited() {
					w.failed(err)
					break
				}
			}
		}
	}
}

func (r journalReq) waited() bool { return r.err != nil || r.claim != nil }
