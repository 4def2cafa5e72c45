// Command pgquery answers GET / with the result of a query on PostgreSQL
// (through github.com/jackc/pgx/v5), reached at $DATABASE_URL. Its health
// route pings the database, so the service is healthy only while the
// database answers.
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

	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	// The pool connects lazily: the service starts, and reports itself
	// unhealthy, until the database answers.
	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatalf("DATABASE_URL: %v", err)
	}
	defer pool.Close()

	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := pool.Ping(ctx); err != nil {
			http.Error(w, "postgres: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		var user string
		if err := pool.QueryRow(r.Context(), "SELECT 40 + 2, current_user").Scan(&n, &user); err != nil {
			http.Error(w, "postgres: "+err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "postgres: %d (as %s)\n", n, user)
	})

	port := os.Getenv("PORT")
	if port == "" {
		port = "8431"
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
