// Command worker is long-running but serves nothing: it ticks until told to
// stop.
package main

import (
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			log.Print("worker: tick")
		case <-stop:
			log.Print("worker: stopping")
			return
		}
	}
}
