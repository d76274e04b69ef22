package send_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/agora-hub/agora/internal/pgtest"
	"github.com/agora-hub/agora/newsletter/database"
	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/mailer"
	"github.com/agora-hub/agora/newsletter/send"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/token"
)

// The kill test re-runs this test binary as the sending process, so that
// it can be killed with SIGKILL like a real agora send.
const (
	envChild = "AGORA_SEND_TEST_CHILD"
	envDir   = "AGORA_SEND_TEST_DIR"
	envPort  = "AGORA_SEND_TEST_PORT"
	envCert  = "AGORA_SEND_TEST_CERT"
	envDB    = "AGORA_SEND_TEST_DB"
	envLease = "AGORA_SEND_TEST_LEASE"
)

func TestMain(m *testing.M) {
	if os.Getenv(envChild) == "1" {
		if err := child(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m))
}

// child sends the fixture's issue through the parent's server, as agora
// send does, until it is killed.
func child() error {
	dir := os.Getenv(envDir)
	port, _ := strconv.Atoi(os.Getenv(envPort))
	der, err := base64.StdEncoding.DecodeString(os.Getenv(envCert))
	if err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	where := os.Getenv(envDB)
	if where == "" {
		where = filepath.Join(dir, "agora.db")
	}
	st, _, err := database.OpenAt(ctx, where, database.Options{Conns: 8})
	if err != nil {
		return err
	}
	defer st.Close()
	site, err := digest.Open(dir)
	if err != nil {
		return err
	}
	settings, err := mailer.Resolve(site.Config.Newsletter, func(k string) string {
		switch k {
		case mailer.EnvHost:
			return "127.0.0.1"
		case mailer.EnvPort:
			return strconv.Itoa(port)
		}
		return ""
	})
	if err != nil {
		return err
	}
	settings.TLSConfig = &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}
	signer, err := token.New([]byte(secret), nil)
	if err != nil {
		return err
	}
	c, err := send.NewComposer(site, settings.From, settings.ReplyTo, signer, nil)
	if err != nil {
		return err
	}
	lease, _ := time.ParseDuration(os.Getenv(envLease))
	p, err := send.NewPlan(ctx, site, st, clock)
	if err != nil {
		return err
	}
	_, err = send.Run(ctx, p, send.Options{Store: st, Journal: st, Composer: c, SMTP: settings, Concurrency: 3,
		Exclusive: st.Engine() == "sqlite", Lease: lease})
	return err
}

// TestKillMidSendResumes kills the sending process with SIGKILL while a
// message is in flight (the server has it but has not answered), then
// resumes: everyone gets the issue, and only messages whose rows were at
// sending (at most send.MaxInFlight) can arrive twice, with the same
// Message-ID.
func TestKillMidSendResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	f := newFixture(t, nil)
	const n = 60
	for i := range n {
		f.add(t, fmt.Sprintf("k%02d@example.org", i), "")
	}
	inFlight := make(chan struct{})
	release := make(chan struct{})
	srv := newServer(t, faults{accepted: func(count int) {
		if count == 20 {
			close(inFlight)
			<-release // no 250 for this one: the sender never learns
		}
	}})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	cmd := exec.Command(os.Args[0], "-test.run=^TestKillMidSendResumes$")
	cmd.Env = append(os.Environ(), envChild+"=1", envDir+"="+f.dir, envPort+"="+strconv.Itoa(srv.port),
		envCert+"="+base64.StdEncoding.EncodeToString(srv.certDER))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-inFlight:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the child sent nothing in 30s")
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no defer, no cleanup runs
		t.Fatal(err)
	}
	_ = cmd.Wait()
	close(release)

	// What the journal says was in flight at the kill.
	open, ok, err := f.st.OpenIssue(ctx)
	if err != nil || !ok {
		t.Fatalf("no open issue after the kill: %v", err)
	}
	twice := map[string]bool{}
	pending, err := f.st.Pending(ctx, open.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range pending {
		if d.State == store.Sending {
			twice[d.Subscriber.Email] = true
		}
	}
	// Each connection claims its rows a batch at a time: the journal has
	// at most that many at sending, whatever the moment of the kill.
	if len(twice) == 0 || len(twice) > send.MaxInFlight(3) {
		t.Errorf("%d rows in flight at the kill, want 1 to %d (a claimed batch per connection)", len(twice), send.MaxInFlight(3))
	}
	before := len(srv.messages())

	res, err := f.send(t, f.options(t, srv, nil, 3), clock.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || !res.Finished || res.Issue.Number != 1 {
		t.Fatalf("resume: %+v: want issue 1 resumed and finished, no second issue", res)
	}
	if got := len(srv.byRecipient()); got != n {
		t.Errorf("%d of %d got the issue", got, n)
	}
	assertOnce(t, srv, twice)
	dups := len(srv.messages()) - n
	if dups < 1 || dups > len(twice) {
		t.Errorf("%d duplicates (%d before resume): want the accepted in-flight message(s) only, at most %d", dups, before, len(twice))
	}
}
