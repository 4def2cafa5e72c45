// Command migrate runs once and exits: a job, not a service.
package main

import "fmt"

func main() {
	fmt.Println("migrate: nothing to do")
}
