// Package workers runs a function over a list on every core.
package workers

import (
	"context"
	"runtime"
	"sync"
)

// Each calls fn(i) for every index of n items, on GOMAXPROCS goroutines,
// and stops handing out work once ctx is done.
func Each(ctx context.Context, n int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
