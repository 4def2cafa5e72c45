// Package lib is the workspace library.
package lib

// Hello is what app answers.
func Hello() string { return "hello from the workspace lib\n" }
