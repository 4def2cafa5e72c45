// Command gencode serves a greeting that only generated code declares:
// zz_greeting.go is written by `go generate ./...` (tools/gen) and is not
// in the repository, as with mocks, stringers or embedded templates that
// a build step produces. go build fails until it is generated.
package main

//go:generate go run ./tools/gen -o zz_greeting.go

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, greeting())
	})
	srv := &http.Server{Addr: ":8040"}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
