package pin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// testRegistry is an in-process registry on a loopback port.
func testRegistry(t *testing.T) string {
	t.Helper()
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

// push writes a random image (or, with platforms, an index of random
// images) to ref and returns its digest.
func push(t *testing.T, ref string, platforms int) string {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	var d v1.Hash
	if platforms == 0 {
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(r, img); err != nil {
			t.Fatal(err)
		}
		d, err = img.Digest()
		if err != nil {
			t.Fatal(err)
		}
	} else {
		idx, err := random.Index(256, 1, int64(platforms))
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.WriteIndex(r, idx); err != nil {
			t.Fatal(err)
		}
		d, err = idx.Digest()
		if err != nil {
			t.Fatal(err)
		}
	}
	return d.String()
}

// offline is a transport that answers only loopback hosts and records
// every host asked: the tests never touch the network, and can see that a
// public registry would have been asked.
type offline struct {
	mu    sync.Mutex
	hosts []string
}

func (o *offline) RoundTrip(req *http.Request) (*http.Response, error) {
	o.mu.Lock()
	o.hosts = append(o.hosts, req.URL.Host)
	o.mu.Unlock()
	if !loopback(req.URL.Host) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("test: no network")}
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (o *offline) asked() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Compact(slices.Clone(o.hosts))
}

// anonymous keeps the tests away from the machine's Docker credentials.
var anonymous = authn.NewMultiKeychain()

func newResolver(t *testing.T, o Options) (*Resolver, *offline) {
	t.Helper()
	tr := &offline{}
	o.Transport, o.Keychain = tr, anonymous
	r, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return r, tr
}

func TestResolve(t *testing.T) {
	reg := testRegistry(t)
	single := push(t, reg+"/app/single:1.0", 0)
	multi := push(t, reg+"/app/multi:1.0", 3)
	hub := push(t, reg+"/hub/library/golang:1.25-bookworm", 2)
	gcr := push(t, reg+"/gcr/distroless/static-debian12:nonroot", 2)
	user := push(t, reg+"/hub/someone/tool:v2", 0)
	r, tr := newResolver(t, Options{Mirrors: map[string][]string{
		"docker.io": {reg + "/hub"},
		"gcr.io":    {"http://" + reg + "/gcr/"},
	}})
	for _, tc := range []struct{ ref, want string }{
		{reg + "/app/single:1.0", single},
		// An index resolves to the index, not to one platform's image.
		{reg + "/app/multi:1.0", multi},
		// Through the mirrors: Docker Hub's official images keep library/.
		{"golang:1.25-bookworm", hub},
		{"docker.io/library/golang:1.25-bookworm", hub},
		{"someone/tool:v2", user},
		{"gcr.io/distroless/static-debian12:nonroot", gcr},
	} {
		got, err := r.Resolve(context.Background(), tc.ref)
		if err != nil {
			t.Errorf("Resolve(%s): %v", tc.ref, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Resolve(%s) = %s, want %s", tc.ref, got, tc.want)
		}
	}
	if got := tr.asked(); !slices.Equal(got, []string{reg}) {
		t.Errorf("hosts asked %v, want only the mirror %s", got, reg)
	}
}

// TestIndexDigest: the digest of a multi-platform tag is its index's, and
// differs from every platform's manifest digest.
func TestIndexDigest(t *testing.T) {
	reg := testRegistry(t)
	want := push(t, reg+"/multi:1", 2)
	r, _ := newResolver(t, Options{})
	got, err := r.Resolve(context.Background(), reg+"/multi:1")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(mustRef(t, reg+"/multi:1"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if got != want || len(m.Manifests) != 2 {
		t.Fatalf("got %s (%d manifests), want the index %s", got, len(m.Manifests), want)
	}
	for _, d := range m.Manifests {
		if d.Digest.String() == got {
			t.Errorf("resolved to a platform's manifest %s", got)
		}
	}
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDaemonMirrors: the daemon's Docker Hub mirrors are asked first and
// Docker Hub itself after them (as dockerd does); a --mirror for docker.io
// replaces them; other registries are not mirrored by them.
func TestDaemonMirrors(t *testing.T) {
	reg := testRegistry(t)
	want := push(t, reg+"/library/redis:7", 0)
	closed := closedPort(t)

	r, tr := newResolver(t, Options{DaemonMirrors: []string{"http://" + closed, "http://" + reg}})
	if got, err := r.Resolve(context.Background(), "redis:7"); err != nil || got != want {
		t.Errorf("through the daemon's second mirror: %s, %v; want %s", got, err, want)
	}
	if got := tr.asked(); !slices.Equal(got, []string{closed, reg}) {
		t.Errorf("hosts asked %v, want %s then %s", got, closed, reg)
	}

	// Missing from the mirror: Docker Hub is asked next.
	r, tr = newResolver(t, Options{DaemonMirrors: []string{reg}})
	_, err := r.Resolve(context.Background(), "redis:8")
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, ErrUnreachable) {
		t.Errorf("want the mirror's not-found and Docker Hub's unreachable, got %v", err)
	}
	if got := tr.asked(); !slices.Equal(got, []string{reg, "index.docker.io"}) {
		t.Errorf("hosts asked %v, want the mirror then Docker Hub", got)
	}

	// An explicit mirror replaces them, with no fallback.
	r, tr = newResolver(t, Options{DaemonMirrors: []string{closed}, Mirrors: map[string][]string{"docker.io": {reg}}})
	if _, err := r.Resolve(context.Background(), "redis:8"); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnreachable) {
		t.Errorf("want only the explicit mirror's not-found, got %v", err)
	}
	if got := tr.asked(); !slices.Equal(got, []string{reg}) {
		t.Errorf("hosts asked %v, want only %s", got, reg)
	}

	// quay.io has no mirror: it is asked itself.
	r, tr = newResolver(t, Options{DaemonMirrors: []string{reg}})
	r.Resolve(context.Background(), "quay.io/x/y:1") //nolint:errcheck // only the host asked matters
	if got := tr.asked(); !slices.Equal(got, []string{"quay.io"}) {
		t.Errorf("hosts asked %v, want quay.io", got)
	}
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestErrors: each failure says what it is (errors.Is) and what to do.
func TestErrors(t *testing.T) {
	reg := testRegistry(t)
	push(t, reg+"/app:1", 0)
	closed := closedPort(t)
	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(denied.Close)
	deniedHost := strings.TrimPrefix(denied.URL, "http://")
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	t.Cleanup(func() { close(hang); slow.Close() })
	slowHost := strings.TrimPrefix(slow.URL, "http://")

	for _, tc := range []struct {
		name    string
		o       Options
		ref     string
		kind    error
		msg     string // in Error()
		hint    string // in Hint
		noHints bool
	}{
		{name: "unknown tag", ref: reg + "/app:2", kind: ErrNotFound, msg: `tag "2" not found`, hint: "check the image name and tag"},
		{name: "unknown repository", ref: reg + "/nope:1", kind: ErrNotFound, msg: "not found"},
		{name: "unknown tag in a mirror", o: Options{Mirrors: map[string][]string{"gcr.io": {reg + "/gcr"}}},
			ref: "gcr.io/distroless/static-debian12:nonroot", kind: ErrNotFound, msg: reg + "/gcr/distroless/static-debian12", hint: "the mirror " + reg + " may not have it"},
		{name: "auth required", ref: deniedHost + "/private/app:1", kind: ErrDenied, msg: "access denied", hint: "docker login " + deniedHost},
		{name: "auth required at Docker Hub's mirror", o: Options{Mirrors: map[string][]string{"docker.io": {deniedHost}}},
			ref: "private/app:1", kind: ErrDenied, hint: "docker login " + deniedHost},
		{name: "unreachable", ref: closed + "/app:1", kind: ErrUnreachable, msg: "cannot reach " + closed, hint: "--mirror " + closed + "="},
		{name: "public registry unreachable", ref: "ghcr.io/org/app:1", kind: ErrUnreachable, msg: "cannot reach ghcr.io", hint: "--mirror ghcr.io=HOST"},
		{name: "Docker Hub unreachable", ref: "golang:1.25", kind: ErrUnreachable, msg: "index.docker.io/library/golang", hint: "--mirror docker.io=HOST"},
		{name: "mirror unreachable", o: Options{Mirrors: map[string][]string{"docker.io": {closed}}},
			ref: "golang:1.25", kind: ErrUnreachable, msg: closed + "/library/golang", hint: "check that the mirror " + closed + " is up"},
		{name: "no answer in time", o: Options{Timeout: 300 * time.Millisecond}, ref: slowHost + "/app:1", kind: ErrUnreachable, msg: "no answer from " + slowHost + " within 300ms"},
		{name: "not a reference", ref: "Bad Ref", msg: "resolve Bad Ref", noHints: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newResolver(t, tc.o)
			t0 := time.Now()
			d, err := r.Resolve(context.Background(), tc.ref)
			if err == nil {
				t.Fatalf("resolved to %s, want an error", d)
			}
			if took := time.Since(t0); took > 5*time.Second {
				t.Errorf("took %s", took)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("error %v is not %v", err, tc.kind)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q lacks %q", err, tc.msg)
			}
			var e *Error
			if got := errors.As(err, &e); got == tc.noHints {
				t.Fatalf("errors.As(*Error) = %v for %v", got, err)
			}
			if e != nil && (!strings.Contains(e.Hint, tc.hint) || e.Hint == "") {
				t.Errorf("hint %q lacks %q", e.Hint, tc.hint)
			}
		})
	}
}

// TestPinUpdate: new images are pinned, pinned ones kept, and --update
// moves a pin whose tag moved and says so; pins the plan no longer uses
// are dropped.
func TestPinUpdate(t *testing.T) {
	reg := testRegistry(t)
	app, base, gone := reg+"/app:1", reg+"/base:1", reg+"/gone:1"
	a1 := push(t, app, 0)
	b1 := push(t, base, 2)
	r, _ := newResolver(t, Options{})
	ctx := context.Background()

	pins, changes, err := r.Pin(ctx, []string{app, base}, map[string]string{gone: a1}, false)
	if err != nil {
		t.Fatal(err)
	}
	wantPins(t, pins, map[string]string{app: a1, base: b1})
	wantLines(t, changes, "pinned "+app+"@"+a1, "pinned "+base+"@"+b1, "dropped "+gone+"@"+a1+": no longer used")

	a2 := push(t, app, 0) // the tag moves
	if a2 == a1 {
		t.Fatal("random images collided")
	}
	kept, changes, err := r.Pin(ctx, []string{app, base}, pins, false)
	if err != nil {
		t.Fatal(err)
	}
	wantPins(t, kept, pins)
	wantLines(t, changes, "kept "+app+"@"+a1, "kept "+base+"@"+b1)

	moved, changes, err := r.Pin(ctx, []string{app, base}, pins, true)
	if err != nil {
		t.Fatal(err)
	}
	wantPins(t, moved, map[string]string{app: a2, base: b1})
	wantLines(t, changes, "moved "+app+": "+a1+" → "+a2, "unchanged "+base)

	// One failure fails the whole run: no partial pins.
	got, _, err := r.Pin(ctx, []string{app, reg + "/missing:1"}, nil, false)
	if !errors.Is(err, ErrNotFound) || got != nil {
		t.Errorf("pins %v, err %v; want nil and not found", got, err)
	}
}

func wantPins(t *testing.T, got, want map[string]string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pins %v, want %v", got, want)
	}
}

func wantLines(t *testing.T, changes []Change, want ...string) {
	t.Helper()
	var got []string
	for _, c := range changes {
		got = append(got, c.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseMirror(t *testing.T) {
	for _, tc := range []struct {
		in, reg, mirror, err string
	}{
		{in: "docker.io=127.0.0.1:5000/hub", reg: "docker.io", mirror: "127.0.0.1:5000/hub"},
		{in: "index.docker.io=mirror.example.com", reg: "docker.io", mirror: "mirror.example.com"},
		{in: "gcr.io=http://localhost:5000/gcr/", reg: "gcr.io", mirror: "http://localhost:5000/gcr/"},
		{in: "registry.example.com:5000=https://m.example.com/a/b", reg: "registry.example.com:5000", mirror: "https://m.example.com/a/b"},
		{in: "docker.io", err: "want REGISTRY=MIRROR"},
		{in: "=127.0.0.1:5000", err: "want REGISTRY=MIRROR"},
		{in: "docker.io=", err: "want REGISTRY=MIRROR"},
		{in: "docker.io/library=127.0.0.1:5000", err: "registry host"},
		{in: "docker.io=http://mirror.example.com", err: "plain HTTP only to a registry on this machine"},
		{in: "docker.io=127.0.0.1:5000/Hub", err: "not a repository path"},
		{in: "docker.io=bad host", err: "not a registry host"},
		{in: "docker.io=https:///x", err: "no host"},
	} {
		reg, m, err := ParseMirror(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseMirror(%q) = %q, %q, %v; want an error with %q", tc.in, reg, m, err, tc.err)
			}
		case err != nil || reg != tc.reg || m != tc.mirror:
			t.Errorf("ParseMirror(%q) = %q, %q, %v; want %q, %q", tc.in, reg, m, err, tc.reg, tc.mirror)
		}
	}
	if _, err := New(Options{Mirrors: map[string][]string{"docker.io": {"http://example.com"}}}); err == nil {
		t.Error("New accepts a plain-HTTP mirror off this machine")
	}
}

func TestReadDaemonMirrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, path string
		want       []string
		err        string
	}{
		{name: "missing", path: filepath.Join(dir, "none.json")},
		{name: "no mirrors", path: write("a.json", `{"debug": true}`)},
		{name: "mirrors", path: write("b.json", `{"registry-mirrors": ["https://mirror.example.com", "http://127.0.0.1:5000"]}`),
			want: []string{"https://mirror.example.com", "http://127.0.0.1:5000"}},
		{name: "not JSON", path: write("c.json", `registry-mirrors: [x]`), err: "invalid character"},
		{name: "bad mirror", path: write("d.json", `{"registry-mirrors": ["http://10.0.0.1:5000"]}`), err: "plain HTTP only"},
	} {
		got, err := DaemonMirrors(tc.path)
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) || tc.err == "" && err != nil {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
