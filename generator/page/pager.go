package page

import (
	"slices"
	"strconv"
)

// Pager is one page of a paginated list, Hugo's .Paginator.
type Pager struct {
	owner  *Page
	all    []*Page
	size   int
	number int
}

func newPager(owner *Page, all []*Page, size, number int) *Pager {
	return &Pager{owner: owner, all: all, size: size, number: number}
}

// PagePath is the site path of pager page n: the list itself for 1,
// then "page/N/" below it, Hugo's layout.
func (s *Site) PagePath(listPath string, n int) string {
	if n <= 1 {
		return listPath
	}
	return listPath + s.cfg.PaginatePath + "/" + strconv.Itoa(n) + "/"
}

func (g *Pager) at(n int) *Pager {
	if n < 1 || n > g.TotalPages() {
		return nil
	}
	return &Pager{owner: g.owner, all: g.all, size: g.size, number: n}
}

// Pages are the pages on this pager page.
func (g *Pager) Pages() []*Page {
	lo := (g.number - 1) * g.size
	hi := min(lo+g.size, len(g.all))
	if lo >= len(g.all) {
		return nil
	}
	return g.all[lo:hi]
}

func (g *Pager) PageNumber() int            { return g.number }
func (g *Pager) PageSize() int              { return g.size }
func (g *Pager) NumberOfElements() int      { return len(g.Pages()) }
func (g *Pager) TotalNumberOfElements() int { return len(g.all) }
func (g *Pager) HasPrev() bool              { return g.number > 1 }
func (g *Pager) HasNext() bool              { return g.number < g.TotalPages() }
func (g *Pager) Prev() *Pager               { return g.at(g.number - 1) }
func (g *Pager) Next() *Pager               { return g.at(g.number + 1) }
func (g *Pager) First() *Pager              { return g.at(1) }
func (g *Pager) Last() *Pager               { return g.at(g.TotalPages()) }
func (g *Pager) IsFirst() bool              { return g.number == 1 }

// TotalPages is at least 1, so an empty list still has its first page.
func (g *Pager) TotalPages() int {
	return max(1, (len(g.all)+g.size-1)/g.size)
}

// URL is the pager page's link, base path included.
func (g *Pager) URL() string {
	return g.owner.site.cfg.Base.Rel(g.owner.site.PagePath(g.owner.path, g.number))
}

// Pagers lists every pager page, for numbered navigation.
func (g *Pager) Pagers() []*Pager {
	out := make([]*Pager, g.TotalPages())
	for i := range out {
		out[i] = g.at(i + 1)
	}
	return out
}

func sortStable(ps []*Page, less func(a, b *Page) bool) {
	slices.SortStableFunc(ps, func(a, b *Page) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})
}
