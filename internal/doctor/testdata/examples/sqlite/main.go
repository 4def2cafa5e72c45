// Command sqlite keeps visits in SQLite through github.com/mattn/go-sqlite3,
// a cgo driver: built with CGO_ENABLED=0 it compiles to a stub that fails at
// run time, so its image needs cgo and glibc.
package main

import (
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"os"

	_ "github.com/mattn/go-sqlite3"
)

func main() {
	path := os.Getenv("DB_PATH")
	if path == "" {
		path = "/tmp/visits.db"
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS visits (at TEXT)`); err != nil {
		log.Fatalf("open %s: %v", path, err)
	}
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := db.Ping(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var version string
		var n int
		if _, err := db.Exec(`INSERT INTO visits VALUES (datetime('now'))`); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := db.QueryRow(`SELECT sqlite_version(), count(*) FROM visits`).Scan(&version, &n); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "sqlite %s: %d visits\n", version, n)
	})
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
