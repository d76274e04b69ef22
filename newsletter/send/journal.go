package send

import (
	"context"

	"github.com/agora-hub/agora/newsletter/store"
)

// maxGroup bounds one group commit.
const maxGroup = 128

// journaler commits the workers' journal updates. Every update is
// committed before record returns, as exactly-once needs, but the updates
// that arrive while one commit is on its way to disk share the next one:
// with N connections a commit per message would make the disk's fsync,
// not the SMTP server, the limit.
type journaler struct {
	j    store.Journal
	reqs chan journalReq
	done chan struct{}
	// failed is told about an error of an update nobody waits for.
	failed func(error)
}

type journalReq struct {
	u   store.Update
	err chan error
}

func newJournaler(j store.Journal, failed func(error)) *journaler {
	w := &journaler{j: j, reqs: make(chan journalReq, maxGroup), done: make(chan struct{}), failed: failed}
	go w.loop()
	return w
}

func (w *journaler) record(u store.Update) error {
	r := journalReq{u: u, err: make(chan error, 1)}
	w.reqs <- r
	return <-r.err
}

// recordLater queues u and returns at once; it is committed with the next
// group, at the latest when the journaler is closed. A message is marked
// sent this way: until that commit the row says sending, so a crash in
// between sends it again with the same Message-ID, as for any message in
// flight, and the worker's next message does not wait for a second fsync.
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
	updates := make([]store.Update, 0, maxGroup)
	for r := range w.reqs {
		batch = append(batch[:0], r)
	more:
		for len(batch) < maxGroup {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		updates = updates[:0]
		for _, b := range batch {
			updates = append(updates, b.u)
		}
		// Never cancelled: an update that is not written is a message
		// that may be sent twice.
		err := w.j.Record(context.Background(), updates)
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
