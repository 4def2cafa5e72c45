// oddrepo gathers the odd-but-valid layouts a .dockerignore and the module
// download step must get right: an in-module replace, a package in dist/,
// Go files named like keys and coverage reports, and embedded .pem files.
package main

import (
	"context"
	"embed"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/lib"
	"example.com/oddrepo/dist"
)

//go:embed certs
var certs embed.FS

func main() {
	pem, err := certs.ReadFile("certs/ca.pem")
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s %s %s %d-byte pem\n", lib.Name(), dist.Name(), keyHelper(), coverage(), len(pem))
	})
	srv := &http.Server{Addr: ":8020", ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
