package cli_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/internal/testsite"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
)

// TestSendNoRecipient is issue 10 item 6: with nobody to mail (no active
// subscriber, or none whose topics match the new tips) agora send makes
// no issue, uses no tip up, says why and exits 0, like "nothing new"; the
// tips go out in the first issue that has a reader.
func TestSendNoRecipient(t *testing.T) {
	t.Setenv("AGORA_DB", "")
	t.Setenv("AGORA_SECRET", strings.Repeat("s", 32))
	dir := testsite.New(t, sendSite)
	k, port := startSink(t)
	t.Setenv("AGORA_SMTP_PORT", port)
	send := func(now string) (int, string, string) { return run(t, "send", "-s", dir, "--now="+now, "--yes") }

	for _, step := range []struct {
		name, add, says string
	}{
		{"nobody on the list", "", "nobody is subscribed and active"},
		{"nobody wants these topics", "cook@example.org", "none of the 1 active subscriber chose a topic"},
	} {
		if step.add != "" {
			if code, _, stderr := run(t, "subscribers", "add", step.add, "--topics", "cooking", "-s", dir); code != 0 {
				t.Fatalf("add: %s", stderr)
			}
		}
		code, out, stderr := send("2026-02-01T00:00:00Z")
		if code != 0 || !strings.Contains(out, "No recipient for 2 new items: "+step.says) || !strings.Contains(out, "No issue made") {
			t.Fatalf("%s: exit %d\n%s%s", step.name, code, out, stderr)
		}
		if code, out, _ := run(t, "send", "-s", dir, "--now=2026-02-01T00:00:00Z", "--dry-run"); code != 0 || !strings.Contains(out, "No recipient") {
			t.Errorf("%s, dry run: exit %d\n%s", step.name, code, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "content", "newsletter")); err == nil {
		t.Error("an archive page was written for an issue never made")
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "data", "agora.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := st.LastIssue(context.Background()); ok || err != nil {
		t.Errorf("an issue was made: %v", err)
	}
	st.Close()

	// A reader arrives: issue 1 carries both tips, none used up.
	if code, _, stderr := run(t, "subscribers", "add", "ada@example.org", "-s", dir); code != 0 {
		t.Fatalf("add: %s", stderr)
	}
	code, out, stderr := send("2026-02-02T00:00:00Z")
	if code != 0 || !strings.Contains(out, "Issue 1: 2 new items") || k.count("ada@example.org") != 1 {
		t.Fatalf("with a reader: exit %d, ada got %d\n%s%s", code, k.count("ada@example.org"), out, stderr)
	}
}

// TestSendRelayDown is issue 10 item 5 through the command: with nothing
// listening on the SMTP port, agora send stops within a minute, exits 1
// naming the server and the cause, and the next run, with the server up,
// resumes the same issue and mails everyone once.
func TestSendRelayDown(t *testing.T) {
	t.Setenv("AGORA_DB", "")
	t.Setenv("AGORA_SECRET", strings.Repeat("s", 32))
	dir := testsite.New(t, sendSite)
	for i := range 20 {
		if code, _, stderr := run(t, "subscribers", "add", "r"+strconv.Itoa(i)+"@example.org", "-s", dir); code != 0 {
			t.Fatalf("add: %s", stderr)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	t.Setenv("AGORA_SMTP_PORT", port)
	start := time.Now()
	code, out, stderr := run(t, "send", "-s", dir, "--now=2026-02-01T00:00:00Z", "--yes")
	took := time.Since(start)
	if code != 1 || !strings.Contains(stderr, "cannot reach SMTP server 127.0.0.1:"+port+": ") || !strings.Contains(stderr, "connection refused") ||
		strings.Contains(out+stderr, "deferred") {
		t.Fatalf("exit %d after %v\n%s%s", code, took, out, stderr)
	}
	if took > time.Minute {
		t.Errorf("took %v: want under a minute", took)
	}

	k, port := startSink(t)
	t.Setenv("AGORA_SMTP_PORT", port)
	code, out, stderr = run(t, "send", "-s", dir, "--now=2026-02-02T00:00:00Z", "--yes")
	if code != 0 || !strings.Contains(out, "Resuming issue 1") || !strings.Contains(out, "sent 20 of 20") {
		t.Fatalf("the next run: exit %d\n%s%s", code, out, stderr)
	}
	for i := range 20 {
		if n := k.count("r" + strconv.Itoa(i) + "@example.org"); n != 1 {
			t.Errorf("r%d got %d messages", i, n)
		}
	}
}

func (k *sink) count(to string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.got[to]
}
