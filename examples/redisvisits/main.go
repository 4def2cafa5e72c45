// Command redisvisits answers GET / with a SET/GET round trip through Redis
// (github.com/redis/go-redis/v9), reached at $REDIS_ADDR. Its health route
// pings Redis, so the service is healthy only while Redis answers.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		addr = "localhost:6379"
	}
	// The client connects lazily: the service starts, and reports itself
	// unhealthy, until Redis answers.
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()

	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := rdb.Ping(ctx).Err(); err != nil {
			http.Error(w, "redis: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		n, err := rdb.Incr(ctx, "visits").Result()
		if err == nil {
			err = rdb.Set(ctx, "last", fmt.Sprintf("visit %d", n), 0).Err()
		}
		var last string
		if err == nil {
			last, err = rdb.Get(ctx, "last").Result()
		}
		if err != nil {
			http.Error(w, "redis: "+err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "redis: %s\n", last)
	})

	port := os.Getenv("PORT")
	if port == "" {
		port = "8432"
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
