package sqlite

import (
	"testing"

	"github.com/agora-hub/agora/newsletter/store/sqlfile"
)

func TestEmbeddedFiles(t *testing.T) {
	ms, err := sqlfile.Migrations(migrationFiles)
	if err != nil || len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("embedded migrations: %v, %v", ms, err)
	}
	if _, err := sqlfile.Queries(queryFiles); err != nil {
		t.Fatal(err)
	}
}
