// Package greeting is shared by the binaries of the multi example.
package greeting

// For says hello to name.
func For(name string) string { return "hello, " + name + ", from the api" }
