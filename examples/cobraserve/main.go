// cobraserve is a CLI whose server runs only under its `serve` subcommand,
// listening where --listen says — 127.0.0.1:8010 by default, which nothing
// outside the container could reach. The image must run `serve` and pin
// the flag.
package main

import (
	"os"

	"example.com/cobraserve/cmd"
)

func main() {
	if err := cmd.Root().Execute(); err != nil {
		os.Exit(1)
	}
}
