// Package shared is the monorepo's library, replaced into backend.
package shared

// Greeting is what a service answers.
func Greeting(who string) string { return "hello from shared, via " + who + "\n" }
