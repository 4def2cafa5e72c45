// Command loopback has the classic bug: it binds 127.0.0.1, so it answers
// inside its container and nowhere else. dockgen warns; `dockgen verify`
// diagnoses it.
package main

import (
	"fmt"
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "you will not see this through a published port")
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil))
}
