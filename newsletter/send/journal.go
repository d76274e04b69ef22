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
type journaler struct {
	j    store.Journal
	reqs chan journalReq
	done chan struct{}
	// failed is told about an error of an update nobody waits for.
	failed func(error)
	// committed is told how many updates each commit wrote.
	committed func(n int)
}

type journalReq struct {
	u    store.Update   // one update, not waited for
	many []store.Update // or these, waited for (err)
	err  chan error
}

func newJournaler(j store.Journal, failed func(error), committed func(int)) *journaler {
	w := &journaler{j: j, reqs: make(chan journalReq, maxGroup), done: make(chan struct{}), failed: failed, committed: committed}
	go w.loop()
	return w
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
	return r.err
}

// recordLater queues u and returns at once; it is committed with the next
// group, at the latest when the journaler is closed. A message is marked
// sent this way: until that commit the row says sending, so a crash in
// between sends it again with the same Message-ID, as for any message in
// flight, and the worker's next message does not wait for the disk.
func (w *journaler) recordLater(u store.Update) {
	w.reqs <- journalReq{u: u}
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
		waited := r.err != nil
	more:
		for len(batch) < maxGroup {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break more
				}
				batch = append(batch, r)
				waited = waited || r.err != nil
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
					if r.err != nil {
						break wait
					}
				case <-linger.C:
					break wait
				}
			}
			linger.Stop()
		}
		updates = updates[:0]
		for _, b := range batch {
			if b.err != nil {
				updates = append(updates, b.many...)
			} else {
				updates = append(updates, b.u)
			}
		}
		// Never cancelled: an update that is not written is a message
		// that may be sent twice.
		err := w.j.Record(context.Background(), updates)
		if err == nil {
			w.committed(len(updates))
		}
		for _, b := range batch {
			if b.err != nil {
				b.err <- err
			}
		}
		if err != nil {
			for _, b := range batch {
				if b.err == nil {
					w.failed(err)
					break
				}
			}
		}
	}
}
