package config_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/agora-hub/agora/generator/config"
)

func TestNewsletterDefaults(t *testing.T) {
	c, err := config.Parse("site.toml", []byte("title = \"Hub\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Newsletter{
		Database: "data/agora.db", Sections: []string{"tips"}, MaxItems: 10, Concurrency: 4, ConfirmPerHour: 100,
		SMTP: config.SMTP{TLS: "starttls"}, Welcome: "welcome", Subject: config.DefaultSubject,
	}
	if !reflect.DeepEqual(c.Newsletter, want) {
		t.Errorf("defaults %+v\nwant %+v", c.Newsletter, want)
	}
	if config.DefaultPort("starttls") != 587 || config.DefaultPort("tls") != 465 || config.DefaultPort("none") != 25 {
		t.Error("DefaultPort")
	}
}

func TestNewsletterTable(t *testing.T) {
	src := `title = "Hub"
[newsletter]
database = "/var/lib/agora/hub.db"
sections = ["tips", "events"]
from = "Hub <news@example.org>"
reply_to = "editors@example.org"
max_items = 5
endpoint = "https://hub.example.org/newsletter"
concurrency = 2
rate = 5
confirm_per_hour = 250

[newsletter.smtp]
host = "smtp.example.org"
port = 2525
username = "hub"
tls = "tls"

[newsletter.dkim]
domain = "example.org"
selector = "agora2026"
`
	c, err := config.Parse("site.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Newsletter{
		Database: "/var/lib/agora/hub.db", Sections: []string{"tips", "events"},
		From: "Hub <news@example.org>", ReplyTo: "editors@example.org", MaxItems: 5,
		Endpoint: "https://hub.example.org/newsletter", Concurrency: 2, Rate: 5, ConfirmPerHour: 250,
		SMTP:    config.SMTP{Host: "smtp.example.org", Port: 2525, Username: "hub", TLS: "tls"},
		DKIM:    config.DKIM{Domain: "example.org", Selector: "agora2026"},
		Welcome: "welcome", Subject: config.DefaultSubject,
	}
	if !reflect.DeepEqual(c.Newsletter, want) {
		t.Errorf("got  %+v\nwant %+v", c.Newsletter, want)
	}

	local := "[newsletter.smtp]\nhost = \"127.0.0.1\"\ntls = \"none\"\n"
	if _, err := config.Parse("site.toml", []byte(local)); err != nil {
		t.Errorf("tls = none to a loopback relay: %v", err)
	}
}

func TestNewsletterErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"password", "[newsletter]\nfrom = \"news@example.org\"\n\n[newsletter.smtp]\nhost = \"smtp.example.org\"\npassword = \"hunter2\"\n",
			`site.toml:6: newsletter.smtp.password: secrets never go in site.toml, which is committed; set the environment variable AGORA_SMTP_PASSWORD instead`},
		{"secret", "[newsletter]\nsecret = \"x\"\n", `site.toml:2: newsletter.secret: secrets never go in site.toml, which is committed; set the environment variable AGORA_SECRET`},
		{"dkim key", "[newsletter.dkim]\ndomain = \"example.org\"\nselector = \"s\"\nprivate_key = \"k\"\n", `site.toml:4: newsletter.dkim.private_key: secrets never go in site.toml`},
		{"unknown nested key", "[newsletter.smtp]\nhots = \"x\"\n", `site.toml:2: unknown key "newsletter.smtp.hots"; did you mean "host"?`},
		{"subject field", "[newsletter]\nsubject = \"{{ .Titel }}\"\n", `site.toml:2: newsletter.subject: "{{ .Titel }}":`},
		{"subject syntax", "[newsletter]\nsubject = \"{{ .Title \"\n", `site.toml:2: newsletter.subject: "{{ .Title ":`},
		{"empty subject", "[newsletter]\nsubject = \" \"\n", `site.toml:2: newsletter.subject: is empty`},
		{"welcome path", "[newsletter]\nwelcome = \"a/b\"\n", `site.toml:2: newsletter.welcome: "a/b" is not a folder name`},
		{"welcome in sections", "[newsletter]\nsections = [\"tips\", \"welcome\"]\n", `newsletter.welcome: "welcome" is also in sections`},
		{"bad from", "title = \"Hub\"\n[newsletter]\nfrom = \"Hub news@example.org\"\n", `site.toml:3: newsletter.from: "Hub news@example.org" is not an address`},
		{"dotless reply_to", "[newsletter]\nreply_to = \"me@localhost\"\n", `site.toml:2: newsletter.reply_to: "me@localhost": want a full domain`},
		{"bad tls", "[newsletter]\n[newsletter.smtp]\ntls = \"ssl\"\n", `site.toml:3: newsletter.smtp.tls: want starttls, tls or none, got "ssl"`},
		{"database URL with a password", "[newsletter]\ndatabase = \"postgres://agora:hunter2@db.example.org/agora\"\n",
			`site.toml:2: newsletter.database: the URL holds a password, and site.toml is committed: give the URL with its password in the environment variable AGORA_DB, or the password alone in PGPASSWORD or ~/.pgpass`},
		{"database URL with a password parameter", "[newsletter]\ndatabase = \"postgresql://agora@db/agora?sslmode=require&password=hunter2\"\n",
			`site.toml:2: newsletter.database: the URL holds a password`},
		{"tls none remote", "[newsletter.smtp]\nhost = \"smtp.example.org\"\ntls = \"none\"\n", `site.toml:3: newsletter.smtp.tls: "none" sends the password and addresses in clear`},
		{"host with port", "[newsletter.smtp]\nhost = \"smtp.example.org:587\"\n", `site.toml:2: newsletter.smtp.host: want a bare host name`},
		{"port", "[newsletter.smtp]\nport = 70000\n", `site.toml:2: newsletter.smtp.port: want 1 to 65535, got 70000`},
		{"zero max_items", "[newsletter]\nmax_items = 0\n", `site.toml:2: newsletter.max_items: want at least 1 item per digest, got 0`},
		{"negative concurrency", "[newsletter]\nconcurrency = -2\n", `site.toml:2: newsletter.concurrency: want 1 to 100 connections, got -2`},
		{"negative rate", "[newsletter]\n\nrate = -0.5\n", `site.toml:3: newsletter.rate: want messages per second, 0 for no limit, got -0.5`},
		{"zero confirm_per_hour", "[newsletter]\nconfirm_per_hour = 0\n", `site.toml:2: newsletter.confirm_per_hour: want 1 to 100000 confirmation mails an hour, got 0`},
		{"huge confirm_per_hour", "[newsletter]\n\nconfirm_per_hour = 1000000\n", `site.toml:3: newsletter.confirm_per_hour: want 1 to 100000`},
		{"confirm_per_hour as text", "[newsletter]\nconfirm_per_hour = \"lots\"\n", `site.toml:2:`},
		{"rate as text", "[newsletter]\nrate = \"fast\"\n", `site.toml:2:`},
		{"http endpoint", "[newsletter]\nendpoint = \"http://hub.example.org/n\"\n", `site.toml:2: newsletter.endpoint: "http://hub.example.org/n": want https`},
		{"relative endpoint", "[newsletter]\nendpoint = \"/newsletter\"\n", `site.toml:2: newsletter.endpoint: "/newsletter" is not an absolute URL`},
		{"empty database", "[newsletter]\ndatabase = \"\"\n", `site.toml:2: newsletter.database: want a file path`},
		{"no sections", "[newsletter]\nsections = []\n", `site.toml:2: newsletter.sections: want at least one section`},
		{"path section", "[newsletter]\nsections = [\"tips/old\"]\n", `site.toml:2: newsletter.sections: "tips/old" is not a section name`},
		{"half dkim", "[newsletter.dkim]\ndomain = \"example.org\"\n", `site.toml:1: newsletter.dkim: set both domain and selector, or neither`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("site.toml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant %q", err, tc.want)
			}
		})
	}
}
