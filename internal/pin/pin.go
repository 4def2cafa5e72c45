// Package pin resolves image tags to the digests they point to now,
// through the registry API: what `dockgen pin` records in .dockgen.yaml
// (answers.Pins) so that the plan writes every FROM and compose image as
// image:tag@sha256:…
//
// In the flow it stands beside the analysis: it reads the outside world
// (registries, the user's Docker credentials and mirrors) and its result is
// an answer; it knows nothing of plans or files. A digest is the content
// digest of the manifest the tag names — for a multi-platform image that is
// the index, so a pinned image stays multi-platform — and a mirror serves
// the same content under the same digest.
package pin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// DockerHub is how dockgen names Docker Hub in its messages and flags;
// go-containerregistry calls it index.docker.io.
const DockerHub = "docker.io"

// DefaultTimeout bounds each registry request (a HEAD or GET of one
// manifest, with its token exchange).
const DefaultTimeout = 20 * time.Second

// Options configure a Resolver. The zero value resolves every image at its
// own registry with the user's Docker credentials.
type Options struct {
	// Mirrors maps a registry ("docker.io", "gcr.io") to the mirrors its
	// images are resolved through ("127.0.0.1:5000/hub"), in order. Only
	// these are asked: the registry itself is not, so an air-gapped run
	// never leaves the machine and a broken mirror is reported, not hidden.
	Mirrors map[string][]string
	// DaemonMirrors are the Docker daemon's registry-mirrors (Docker Hub
	// only). As the daemon does, each is asked in turn and then Docker Hub
	// itself. Mirrors["docker.io"] replaces them.
	DaemonMirrors []string
	// Keychain finds credentials; nil is authn.DefaultKeychain (the
	// user's ~/.docker/config.json and its credential helpers).
	Keychain authn.Keychain
	// Timeout bounds each request; 0 is DefaultTimeout.
	Timeout time.Duration
	// Transport carries the requests; nil is remote.DefaultTransport.
	Transport http.RoundTripper
}

// Resolver resolves image references to digests.
type Resolver struct {
	o Options
}

// New returns a Resolver. The mirrors are checked here: a bad one is an
// error before any request is made.
func New(o Options) (*Resolver, error) {
	mirrors := map[string][]string{}
	for reg, ms := range o.Mirrors {
		key, err := registryKey(reg)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if _, err := parseMirror(m); err != nil {
				return nil, err
			}
		}
		mirrors[key] = append(mirrors[key], ms...)
	}
	for _, m := range o.DaemonMirrors {
		if _, err := parseMirror(m); err != nil {
			return nil, err
		}
	}
	o.Mirrors = mirrors
	if o.Keychain == nil {
		o.Keychain = authn.DefaultKeychain
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Transport == nil {
		o.Transport = remote.DefaultTransport
	}
	return &Resolver{o: o}, nil
}

// ParseMirror reads a --mirror value, REGISTRY=MIRROR
// ("docker.io=127.0.0.1:5000/hub"), and returns the registry as dockgen
// names it and the mirror.
func ParseMirror(v string) (registry, mirror string, err error) {
	reg, m, ok := strings.Cut(v, "=")
	if !ok || reg == "" || m == "" {
		return "", "", fmt.Errorf("mirror %q: want REGISTRY=MIRROR, e.g. docker.io=127.0.0.1:5000/hub", v)
	}
	key, err := registryKey(reg)
	if err != nil {
		return "", "", err
	}
	if _, err := parseMirror(m); err != nil {
		return "", "", err
	}
	return displayRegistry(key), m, nil
}

// registryKey is a registry host as go-containerregistry names it (Docker
// Hub's aliases are one registry).
func registryKey(reg string) (string, error) {
	switch reg {
	case DockerHub, name.DefaultRegistry, "registry-1.docker.io":
		return name.DefaultRegistry, nil
	}
	r, err := name.NewRegistry(reg, name.StrictValidation)
	if err != nil || strings.ContainsAny(reg, "/@") {
		return "", fmt.Errorf("mirror registry %q: want a registry host such as docker.io or gcr.io", reg)
	}
	return r.RegistryStr(), nil
}

func displayRegistry(key string) string {
	if key == name.DefaultRegistry {
		return DockerHub
	}
	return key
}

// mirror is a parsed mirror: a registry host and a repository prefix.
type mirror struct {
	host, prefix string
}

var prefixRE = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$`)

// parseMirror reads [http://|https://]HOST[:PORT][/PREFIX], the form of
// --mirror and of daemon.json's registry-mirrors.
func parseMirror(m string) (mirror, error) {
	bad := func(why string) (mirror, error) {
		return mirror{}, fmt.Errorf("mirror %q: %s; want HOST[:PORT][/PATH], e.g. 127.0.0.1:5000/hub", m, why)
	}
	s, plain := strings.CutPrefix(m, "http://")
	if !plain {
		s = strings.TrimPrefix(s, "https://")
	}
	s = strings.TrimRight(s, "/")
	host, prefix, _ := strings.Cut(s, "/")
	if host == "" {
		return bad("no host")
	}
	if _, err := name.NewRegistry(host, name.StrictValidation); err != nil {
		return bad("not a registry host")
	}
	if prefix != "" && !prefixRE.MatchString(prefix) {
		return bad("the path is not a repository path")
	}
	if plain && !loopback(host) {
		return bad("dockgen speaks plain HTTP only to a registry on this machine (127.0.0.1 or localhost)")
	}
	return mirror{host: host, prefix: prefix}, nil
}

// loopback says whether a registry host is on this machine: the only
// registries dockgen talks to over plain HTTP.
func loopback(host string) bool {
	h := host
	if sh, _, err := net.SplitHostPort(host); err == nil {
		h = sh
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Kinds of failure, for errors.Is.
var (
	// ErrNotFound: the registry has no such repository or tag.
	ErrNotFound = errors.New("not found")
	// ErrDenied: the registry wants credentials, or refused them.
	ErrDenied = errors.New("access denied")
	// ErrUnreachable: no answer (connection, DNS, TLS or timeout).
	ErrUnreachable = errors.New("unreachable")
)

// Error is a failure to resolve one image.
type Error struct {
	// Image is the reference asked for; Via is the repository asked (a
	// mirror's, or the image's own).
	Image, Via string
	// Registry is the image's registry, as dockgen names it.
	Registry string
	// Kind is ErrNotFound, ErrDenied, ErrUnreachable or nil.
	Kind error
	Err  error
	// Hint says what the user can do.
	Hint string
}

func (e *Error) Error() string {
	return fmt.Sprintf("resolve %s: %s: %v", e.Image, e.Via, e.Err)
}

func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// Resolve returns the digest ("sha256:…") of the manifest ref's tag points
// to now: for a multi-platform image, its index.
func (r *Resolver) Resolve(ctx context.Context, ref string) (string, error) {
	orig, err := name.ParseReference(ref)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", ref, err)
	}
	key := orig.Context().RegistryStr()
	mirrors, fallback := r.o.Mirrors[key], false
	if len(mirrors) == 0 && key == name.DefaultRegistry && len(r.o.DaemonMirrors) > 0 {
		mirrors, fallback = r.o.DaemonMirrors, true
	}
	var targets []name.Reference
	for _, m := range mirrors {
		t, err := through(orig, m)
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", ref, err)
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 || fallback {
		t := orig
		if loopback(key) {
			t, _ = name.ParseReference(ref, name.Insecure)
		}
		targets = append(targets, t)
	}
	var errs []error
	for _, t := range targets {
		d, err := r.head(ctx, t)
		if err == nil {
			return d, nil
		}
		errs = append(errs, r.explain(ref, key, len(mirrors) > 0, t, err))
	}
	if len(errs) == 1 {
		return "", errs[0]
	}
	return "", errors.Join(errs...)
}

// through is ref as served by mirror m: the same repository path under
// the mirror's host and prefix (Docker Hub's official images keep their
// library/ path, as a pull-through cache serves them).
func through(ref name.Reference, m string) (name.Reference, error) {
	mp, err := parseMirror(m)
	if err != nil {
		return nil, err
	}
	repo := mp.host + "/" + ref.Context().RepositoryStr()
	if mp.prefix != "" {
		repo = mp.host + "/" + mp.prefix + "/" + ref.Context().RepositoryStr()
	}
	sep := ":"
	if _, ok := ref.(name.Digest); ok {
		sep = "@"
	}
	var opts []name.Option
	if loopback(mp.host) {
		opts = append(opts, name.Insecure)
	}
	return name.ParseReference(repo+sep+ref.Identifier(), opts...)
}

// head asks for the manifest's digest: a HEAD request (which Docker Hub
// does not count against its pull limit), then a GET for a registry whose
// HEAD answer lacks the digest header.
func (r *Resolver) head(ctx context.Context, ref name.Reference) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(r.o.Keychain),
		remote.WithTransport(r.o.Transport),
		remote.WithUserAgent("dockgen"),
	}
	desc, err := remote.Head(ref, opts...)
	var d v1.Hash
	switch {
	case err == nil:
		d = desc.Digest
	case definite(err):
		return "", err
	default:
		got, gerr := remote.Get(ref, opts...)
		if gerr != nil {
			return "", gerr
		}
		d = got.Digest
	}
	if d.Algorithm != "sha256" || len(d.Hex) != 64 {
		return "", fmt.Errorf("the registry answered digest %q; dockgen pins sha256 digests only", d)
	}
	return d.String(), nil
}

// definite says a HEAD failure would not change with a GET: the registry
// answered no, or did not answer at all.
func definite(err error) bool {
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode == http.StatusNotFound || te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden
	}
	return unreachable(err)
}

func unreachable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &oe) || errors.As(err, &de) || errors.As(err, &ne)
}

// explain turns a request's failure into an Error that says what to do.
func (r *Resolver) explain(image, key string, mirrored bool, asked name.Reference, err error) error {
	reg := displayRegistry(key)
	e := &Error{Image: image, Via: asked.Context().Name(), Registry: reg, Err: err}
	host := asked.Context().RegistryStr()
	var te *transport.Error
	switch {
	case errors.As(err, &te) && (te.StatusCode == http.StatusNotFound || hasCode(te, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode)):
		e.Kind = ErrNotFound
		e.Err = fmt.Errorf("tag %q not found", asked.Identifier())
		e.Hint = fmt.Sprintf("check the image name and tag (is %s published?)", image)
		if mirrored {
			e.Hint += fmt.Sprintf("; the mirror %s may not have it yet", host)
		}
	case errors.As(err, &te) && (te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden || hasCode(te, transport.UnauthorizedErrorCode, transport.DeniedErrorCode)):
		e.Kind = ErrDenied
		e.Err = fmt.Errorf("access denied (%v)", err)
		e.Hint = fmt.Sprintf("run `docker login %s` (dockgen uses your Docker credentials), then run dockgen pin again", dockerLoginHost(host))
	case unreachable(err):
		e.Kind = ErrUnreachable
		if errors.Is(err, context.DeadlineExceeded) {
			e.Err = fmt.Errorf("no answer from %s within %s", host, r.o.Timeout)
		} else {
			e.Err = fmt.Errorf("cannot reach %s: %v", host, err)
		}
		if mirrored {
			e.Hint = fmt.Sprintf("check that the mirror %s is up, or change --mirror %s=…", host, reg)
		} else {
			e.Hint = fmt.Sprintf("if %s cannot be reached from here, resolve through a mirror that can: --mirror %s=HOST[:PORT][/PATH]", reg, reg)
		}
	default:
		e.Hint = fmt.Sprintf("check that %s is a container registry and try again", host)
	}
	return e
}

func hasCode(te *transport.Error, codes ...transport.ErrorCode) bool {
	for _, d := range te.Errors {
		if slices.Contains(codes, d.Code) {
			return true
		}
	}
	return false
}

func dockerLoginHost(host string) string {
	if host == name.DefaultRegistry {
		return "" // `docker login` alone is Docker Hub
	}
	return host
}

// Action says what happened to one image's pin.
type Action string

// Actions, as `dockgen pin` prints them.
const (
	Pinned    Action = "pinned"    // it had no pin; now it has
	Kept      Action = "kept"      // it had a pin; not asked to update
	Moved     Action = "moved"     // --update: the tag points elsewhere now
	Unchanged Action = "unchanged" // --update: the tag still points there
	Dropped   Action = "dropped"   // the plan no longer uses the image
)

// Change is what happened to one image's pin.
type Change struct {
	Action   Action
	Image    string
	Old, New string // digests ("" when there is none)
}

func (c Change) String() string {
	switch c.Action {
	case Moved:
		return fmt.Sprintf("moved %s: %s → %s", c.Image, c.Old, c.New)
	case Unchanged:
		return fmt.Sprintf("unchanged %s", c.Image)
	case Dropped:
		return fmt.Sprintf("dropped %s@%s: no longer used", c.Image, c.Old)
	case Kept:
		return fmt.Sprintf("kept %s@%s", c.Image, c.Old)
	}
	return fmt.Sprintf("pinned %s@%s", c.Image, c.New)
}

// Pin returns the pins for exactly images: an image that has a pin in old
// keeps it unless update is set; every other one is resolved (all at
// once, each request bounded by the timeout). Pins for images not in the
// list are dropped. Changes come in the order of images, then the dropped
// ones, sorted. Any failure is an error, and then the pins are nil.
func (r *Resolver) Pin(ctx context.Context, images []string, old map[string]string, update bool) (map[string]string, []Change, error) {
	changes := make([]Change, len(images))
	errs := make([]error, len(images))
	var wg sync.WaitGroup
	for i, img := range images {
		prev, had := old[img]
		if had && !update {
			changes[i] = Change{Action: Kept, Image: img, Old: prev, New: prev}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := r.Resolve(ctx, img)
			if err != nil {
				errs[i] = err
				return
			}
			c := Change{Action: Pinned, Image: img, Old: prev, New: d}
			switch {
			case had && prev == d:
				c.Action = Unchanged
			case had:
				c.Action = Moved
			}
			changes[i] = c
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	pins := map[string]string{}
	for _, c := range changes {
		pins[c.Image] = c.New
	}
	var dropped []string
	for img := range old {
		if !slices.Contains(images, img) {
			dropped = append(dropped, img)
		}
	}
	slices.Sort(dropped)
	for _, img := range dropped {
		changes = append(changes, Change{Action: Dropped, Image: img, Old: old[img]})
	}
	return pins, changes, nil
}
