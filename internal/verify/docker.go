package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// docker runs the docker CLI. Everything verify does to the engine goes
// through it: no Docker SDK, so dockgen talks to whatever engine, context
// and plugins the user's own `docker` talks to.
type docker struct {
	bin string
	env []string // added to os.Environ() for every call
}

// DockerError is a docker command that failed, with what it printed.
type DockerError struct {
	Args   []string
	Err    error
	Stderr string
}

func (e *DockerError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("docker %s: %s", strings.Join(firstArgs(e.Args, 2), " "), msg)
}

func (e *DockerError) Unwrap() error { return e.Err }

func firstArgs(args []string, n int) []string {
	if len(args) > n {
		return args[:n]
	}
	return args
}

func (d docker) cmd(ctx context.Context, extraEnv []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, d.bin, args...)
	cmd.Env = append(append(os.Environ(), d.env...), extraEnv...)
	return cmd
}

// run runs docker with args and returns its stdout.
func (d docker) run(ctx context.Context, args ...string) (string, error) {
	return d.runEnv(ctx, nil, args...)
}

// runEnv is run with extra environment for the docker process (used to pass
// `-e NAME` values without putting them on a command line).
func (d docker) runEnv(ctx context.Context, env []string, args ...string) (string, error) {
	cmd := d.cmd(ctx, env, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return out.String(), &DockerError{Args: args, Err: err, Stderr: errb.String()}
	}
	return out.String(), nil
}

// stream runs docker with args, sending stdout and stderr (merged) to w.
func (d docker) stream(ctx context.Context, w io.Writer, args ...string) error {
	cmd := d.cmd(ctx, nil, args...)
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return &DockerError{Args: args, Err: err}
	}
	return nil
}

// lineTail keeps the last n lines written to it, and copies every complete
// line to an optional writer with a prefix.
type lineTail struct {
	mu      sync.Mutex
	n       int
	lines   []string
	partial []byte
	copyTo  io.Writer
	prefix  string
}

func newLineTail(n int, copyTo io.Writer, prefix string) *lineTail {
	return &lineTail{n: n, copyTo: copyTo, prefix: prefix}
}

func (t *lineTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, p...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			break
		}
		t.add(string(t.partial[:i]))
		t.partial = t.partial[i+1:]
	}
	return len(p), nil
}

func (t *lineTail) add(line string) {
	line = strings.TrimRight(line, "\r")
	if t.copyTo != nil {
		fmt.Fprintf(t.copyTo, "%s%s\n", t.prefix, line)
	}
	t.lines = append(t.lines, line)
	if len(t.lines) > t.n {
		t.lines = t.lines[len(t.lines)-t.n:]
	}
}

// Lines returns the kept lines, the unterminated last one included.
func (t *lineTail) Lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]string(nil), t.lines...)
	if len(t.partial) > 0 {
		out = append(out, string(t.partial))
	}
	if len(out) > t.n {
		out = out[len(out)-t.n:]
	}
	return out
}

// lastLines returns the last n non-empty lines of s.
func lastLines(s string, n int) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

var errNoEngine = errors.New("no Docker engine answers")
