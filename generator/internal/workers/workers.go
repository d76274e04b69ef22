// Package workers runs a function over a list on every core.
package workers

import (
	"context"
	"runtime"
	"sync"
)

// Each calls fn(i) for every index of n items and stops handing out work
// once ctx is done. It runs two goroutines per processor: a page's work
// alternates between CPU (Markdown, templates) and waiting (reading the
// file, creating folders and files), and with one goroutine per processor
// the cores sat idle during the waits. Measured on the 10,000-page corpus
// on 2 cores: 1x 2.0 s, 2x 1.7 s, 3x and 4x 1.85 s.
func Each(ctx context.Context, n int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 2*runtime.GOMAXPROCS(0); w++ {
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
