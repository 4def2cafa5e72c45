// Command tzclient needs what scratch images lack: zoneinfo for
// time.LoadLocation and CA roots for outbound TLS.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"net/http"
	"time"
)

func main() {
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		loc, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			http.Error(w, "zoneinfo: "+err.Error(), http.StatusInternalServerError)
			return
		}
		pool, err := x509.SystemCertPool()
		if err != nil || len(pool.Subjects()) == 0 { //nolint:staticcheck // a count is all we need
			http.Error(w, fmt.Sprintf("ca roots: none (%v)", err), http.StatusInternalServerError)
			return
		}
		// A client like this is what needs the roots in production.
		_ = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		fmt.Fprintf(w, "zone %s offset ok; %d CA roots\n", loc, len(pool.Subjects())) //nolint:staticcheck
	})
	log.Fatal(http.ListenAndServe(":8090", nil))
}
