// Package pgtest runs a private PostgreSQL server for tests: initdb in a
// temporary folder, pg_ctl start with a unix socket in that folder (no TCP
// port at all, so parallel test binaries never collide), a fresh database
// per test, and the folder removed afterwards. go test ./... needs nothing
// running beforehand.
//
// The server binaries are Debian's (package postgresql, in
// /usr/lib/postgresql/N/bin; AGORA_PG_BIN overrides). Without them a test
// is skipped, except under CI, where that is a failure: CI installs them,
// and a skipped check must not pass for a green run. initdb refuses to run
// as root; as root the server runs as the postgres user (runuser), in a
// folder that user owns.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvBin names the folder of initdb and pg_ctl, when not Debian's.
const EnvBin = "AGORA_PG_BIN"

// Cluster is a running private server.
type Cluster struct {
	Dir  string // the temporary folder: data/, the socket, the log
	Port int    // names the socket file (.s.PGSQL.PORT); no TCP
	bin  string
	as   []string // "runuser -u postgres --" when running as root
	dbs  atomic.Int64
}

var (
	once    sync.Once
	shared  *Cluster
	errOnce error
)

// Bin finds the server binaries' folder.
func Bin() (string, error) {
	if b := os.Getenv(EnvBin); b != "" {
		return b, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// URL returns the URL of a new, empty database on the test binary's
// private cluster, which it starts on first use.
func URL(t testing.TB) string {
	t.Helper()
	c := Shared(t)
	name := fmt.Sprintf("t%d", c.dbs.Add(1))
	if err := c.CreateDatabase(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return c.URL(name)
}

// Shared returns the test binary's cluster, started on first use; Main
// stops it.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	bin, err := Bin()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but PostgreSQL is missing: %v", err)
		}
		t.Skipf("no PostgreSQL: %v", err)
	}
	once.Do(func() { shared, errOnce = Start(bin, Fast) })
	if errOnce != nil {
		t.Fatal(errOnce)
	}
	return shared
}

// Main runs the tests, then stops the shared cluster: call it from
// TestMain as os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	return code
}

// Settings choose between a server for tests and one for benchmarks.
type Settings int

const (
	// Fast turns off fsync: a test never survives a power cut.
	Fast Settings = iota
	// Durable is PostgreSQL's defaults, for benchmark figures.
	Durable
)

// Start makes and starts a cluster in a new temporary folder. A watchdog
// process stops it and removes the folder if this process dies without
// calling Stop (a test binary killed by its timeout).
func Start(bin string, s Settings) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "agora-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, bin: bin, Port: 20000 + rand.IntN(40000)}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root, and initdb refuses root: no postgres user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if err := c.run("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses='' -c max_connections=300", c.Port, dir)
	if s == Fast {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	if err := c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		logText, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w\n%s", err, logText)
	}
	c.watch()
	return c, nil
}

func (c *Cluster) data() string { return filepath.Join(c.Dir, "data") }

func (c *Cluster) run(name string, args ...string) error {
	argv := append(append(slices.Clone(c.as), filepath.Join(c.bin, name)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.Dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
	}
	return nil
}

// watch starts the watchdog: a shell in its own session that waits for
// this process to end, then shuts the server down (SIGQUIT, an immediate
// shutdown) and removes the folder.
func (c *Cluster) watch() {
	script := `while kill -0 "$1" 2>/dev/null; do sleep 1; done
pid=$(head -n 1 "$2/data/postmaster.pid" 2>/dev/null) && kill -QUIT "$pid" 2>/dev/null
sleep 2; rm -rf "$2"`
	cmd := exec.Command("sh", "-c", script, "watchdog", strconv.Itoa(os.Getpid()), c.Dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	_ = cmd.Start()
	go func() { _ = cmd.Wait() }()
}

// URL is the URL of database name on the cluster, over its socket.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&port=%d&sslmode=disable", name, c.Dir, c.Port)
}

// CreateDatabase makes an empty database. It uses ICU's en-US collation
// when the server has ICU (Debian's has): text then sorts unlike bytes,
// as on many real servers, so a query that forgets COLLATE "C" where
// order matters fails here too.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"); err == nil {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+ident)
	return err
}

// Stop shuts the server down and removes its folder.
func (c *Cluster) Stop() {
	_ = c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	// The folder may hold files of the postgres user; root removes them.
	for range 20 {
		if err := os.RemoveAll(c.Dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
