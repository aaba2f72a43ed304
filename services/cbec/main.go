// Command cbec runs the cbec customs clearance system: every service in one
// process with an embedded NATS server by default, or any subset against an
// external NATS (--nats-url, --services).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cbec:", err)
		os.Exit(1)
	}
}
