//go:build tools

// Package tools pins BuildKit's daemon so that "go mod tidy" keeps its
// requirement. It is never compiled: .ci/provision-docker runs
//
//	go build -o buildkitd github.com/moby/buildkit/cmd/buildkitd
//
// from this directory. ("go install ...@v0.34.2" is refused because
// BuildKit's go.mod has exclude directives.)
package tools

import _ "github.com/moby/buildkit/cmd/buildkitd"
