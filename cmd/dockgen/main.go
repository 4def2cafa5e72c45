// Command dockgen turns a Go module into a container setup that builds and
// starts the first time. All logic lives in internal/; this is the entry.
package main

import (
	"os"

	"github.com/dockgen/dockgen/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
