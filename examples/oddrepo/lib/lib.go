// Package lib is replaced into the module from inside it (replace => ./lib):
// go mod download must see its go.mod.
package lib

// Name says where the answer came from.
func Name() string { return "lib" }
