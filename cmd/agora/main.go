// Command agora builds a community hub from Markdown and mails its tips.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	// Time zones ship inside the binary, so a site's timezone works on a
	// machine or CI image without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/agora-hub/agora/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
