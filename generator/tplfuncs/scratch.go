package tplfuncs

import (
	"reflect"
	"sort"
	"sync"
)

// Scratch is Hugo's scratch pad (newScratch, and a page's .Scratch and
// .Store): a map templates write into. Safe for concurrent use.
type Scratch struct {
	mu     sync.RWMutex
	values map[string]any
}

// NewScratch returns an empty Scratch.
func NewScratch() *Scratch { return &Scratch{values: map[string]any{}} }

// Set stores value under key and returns "" so that {{ $s.Set … }} prints
// nothing.
func (s *Scratch) Set(key string, value any) string {
	s.mu.Lock()
	s.values[key] = value
	s.mu.Unlock()
	return ""
}

// Get returns the value under key, nil when unset.
func (s *Scratch) Get(key string) any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.values[key]
}

// Values returns the map itself, as Hugo does.
func (s *Scratch) Values() map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.values
}

// Delete removes key.
func (s *Scratch) Delete(key string) string {
	s.mu.Lock()
	delete(s.values, key)
	s.mu.Unlock()
	return ""
}

// Add adds to the value under key as Hugo's Scratch.Add does: numbers and
// strings with add's rules, slices by appending; an unset key takes the
// value.
func (s *Scratch) Add(key string, value any) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	existing, found := s.values[key]
	if !found {
		s.values[key] = value
		return "", nil
	}
	ev := reflect.ValueOf(existing)
	if ev.IsValid() && ev.Kind() == reflect.Slice {
		var c collectionsNS
		v, err := c.Append(value, existing)
		if err != nil {
			return "", fail("Scratch.Add", "%w", err)
		}
		s.values[key] = v
		return "", nil
	}
	sum, err := arith2("Scratch.Add", '+', existing, value)
	if err != nil {
		return "", err
	}
	s.values[key] = sum
	return "", nil
}

// SetInMap stores value under mapKey in the map under key.
func (s *Scratch) SetInMap(key, mapKey string, value any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.values[key].(map[string]any)
	if !ok {
		m = map[string]any{}
		s.values[key] = m
	}
	m[mapKey] = value
	return ""
}

// DeleteInMap removes mapKey from the map under key.
func (s *Scratch) DeleteInMap(key, mapKey string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.values[key].(map[string]any); ok {
		delete(m, mapKey)
	}
	return ""
}

// GetSortedMapValues returns the values of the map under key, sorted by
// their keys.
func (s *Scratch) GetSortedMapValues(key string) any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.values[key].(map[string]any)
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
