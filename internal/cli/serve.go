package cli

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/agora-hub/agora/generator/serve"
)

func runServe(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "serve")
	var opt serve.Options
	var bind, port string
	f.str(&opt.Build.Source, "s", "source", ".", "site folder holding site.toml")
	f.str(&port, "p", "port", "1313", "port to listen on (0 picks a free one)")
	f.str(&bind, "", "bind", "127.0.0.1", "interface to listen on; 0.0.0.0 shows the site to your network")
	f.boolean(&opt.Build.BuildDrafts, "D", "buildDrafts", "include drafts")
	f.boolean(&opt.Build.BuildFuture, "F", "buildFuture", "include pages whose publish date is in the future")
	f.boolean(&opt.Build.BuildExpired, "E", "buildExpired", "include expired pages")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q (the site folder is given with -s)", pos[0])}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return &usageError{fmt.Sprintf("--port %q: want a number from 0 to 65535", port)}
	}
	opt.Addr = net.JoinHostPort(bind, port)
	opt.Log = e.stderr
	srv, err := serve.Listen(ctx, opt)
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}
