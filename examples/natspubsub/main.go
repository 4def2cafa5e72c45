// Command natspubsub answers GET / with a publish/subscribe round trip
// through NATS (github.com/nats-io/nats.go), reached at $NATS_URL. Its
// health route flushes the connection (a PING/PONG with the server), so the
// service is healthy only while NATS answers.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	url := os.Getenv("NATS_URL")
	if url == "" {
		url = nats.DefaultURL
	}
	// Keep trying in the background: the service starts, and reports
	// itself unhealthy, until NATS answers.
	nc, err := nats.Connect(url, nats.RetryOnFailedConnect(true), nats.MaxReconnects(-1), nats.ReconnectWait(time.Second))
	if err != nil {
		log.Fatalf("NATS_URL %s: %v", url, err)
	}
	defer nc.Close()

	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := nc.FlushTimeout(time.Second); err != nil {
			http.Error(w, "nats: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	var count atomic.Int64
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		subject := nats.NewInbox()
		sub, err := nc.SubscribeSync(subject)
		if err != nil {
			http.Error(w, "nats: "+err.Error(), http.StatusBadGateway)
			return
		}
		defer sub.Unsubscribe()
		sent := fmt.Sprintf("hello %d", count.Add(1))
		if err := nc.Publish(subject, []byte(sent)); err != nil {
			http.Error(w, "nats: "+err.Error(), http.StatusBadGateway)
			return
		}
		msg, err := sub.NextMsg(2 * time.Second)
		if err != nil {
			http.Error(w, "nats: "+err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "nats: received %q\n", msg.Data)
	})

	port := os.Getenv("PORT")
	if port == "" {
		port = "8433"
	}
	serve(&http.Server{Addr: ":" + port})
}

// serve runs srv until SIGTERM, then shuts it down gracefully.
func serve(srv *http.Server) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("listening on %s", srv.Addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
