// Command mysqlquery answers GET / with the result of a query on a
// MySQL-compatible server (github.com/go-sql-driver/mysql), reached at
// $MYSQL_DSN. Its health route pings the server, so the service is healthy
// only while the database answers.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

func main() {
	// database/sql connects lazily: the service starts, and reports
	// itself unhealthy, until the database answers.
	db, err := sql.Open("mysql", os.Getenv("MYSQL_DSN"))
	if err != nil {
		log.Fatalf("MYSQL_DSN: %v", err)
	}
	defer db.Close()

	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			http.Error(w, "mysql: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		var schema string
		if err := db.QueryRowContext(r.Context(), "SELECT 40 + 2, DATABASE()").Scan(&n, &schema); err != nil {
			http.Error(w, "mysql: "+err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "mysql: %d (in %s)\n", n, schema)
	})

	port := os.Getenv("PORT")
	if port == "" {
		port = "8434"
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
