// gitinfo shells out to git for every request: its image needs git, which
// dockgen sees (exec.Command("git", …)) and installs on a base that can
// carry it.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		out, err := exec.CommandContext(r.Context(), "git", "--version").Output()
		if err != nil {
			http.Error(w, "git: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(out)
	})
	srv := &http.Server{Addr: ":" + port(), ReadHeaderTimeout: 5 * time.Second}
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

func port() string {
	if p := os.Getenv("PORT"); p != "" {
		return p
	}
	return "8070"
}
