//go:build tools

// Package tools pins the Docker Compose v2 CLI so that "go mod tidy" keeps its
// requirement. It is never compiled: .ci/provision-docker runs
//
//	go build -ldflags "-X github.com/docker/compose/v2/internal.Version=v2.40.3" \
//	    -o docker-compose github.com/docker/compose/v2/cmd
//
// from this directory. ("go install ...@v2.40.3" is refused because Compose's
// go.mod has exclude directives.)
package tools

import _ "github.com/docker/compose/v2/cmd"
