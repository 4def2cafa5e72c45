// Command api serves HTTP on -addr (default :8081) with its own mux and its
// own health route.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"

	"example.com/multi/internal/greeting"
)

var version = "dev"

func main() {
	addr := flag.String("addr", ":8081", "listen address")
	flag.Parse()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s (version %s)\n", greeting.For("visitor"), version)
	})
	log.Printf("api %s listening on %s", version, *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
