package sqlite

import "context"

// Pragma reads a pragma on one of the store's own connections, where the
// DSN's settings apply.
func (s *Store) Pragma(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}
