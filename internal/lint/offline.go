package lint

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"path"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// offlineDigest is the digest every "resolved" image gets. It is the sha256
// of the empty string: obviously fake, and stable.
const offlineDigest = digest.Digest("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

// offlineResolver answers every image reference with a minimal config for the
// platform asked, so the Dockerfile frontend can lint without a registry. A
// non-empty rootfs keeps the frontend from mistaking every base for scratch.
type offlineResolver struct{}

var _ llb.ImageMetaResolver = offlineResolver{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	p := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform
	}
	cfg := map[string]any{
		"os":           p.OS,
		"architecture": p.Architecture,
		"config": map[string]any{
			"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{offlineDigest.String()}},
	}
	if p.Variant != "" {
		cfg["variant"] = p.Variant
	}
	dt, err := json.Marshal(cfg)
	return ref, offlineDigest, dt, err
}

// ResolveSourceMetadata serves the gateway's generic form of the same
// question; only images are answered.
func (r offlineResolver) ResolveSourceMetadata(ctx context.Context, op *pb.SourceOp, opt sourceresolver.Opt) (*sourceresolver.MetaResponse, error) {
	if opt.ImageOpt == nil {
		return nil, errors.New("lint: offline: only image sources can be resolved")
	}
	_, dgst, cfg, err := r.ResolveImageConfig(ctx, op.Identifier, opt)
	if err != nil {
		return nil, err
	}
	return &sourceresolver.MetaResponse{Op: op, Image: &sourceresolver.ResolveImageResponse{Digest: dgst, Config: cfg}}, nil
}

// gateway is a stand-in for the BuildKit gateway the Dockerfile frontend
// talks to. The frontend asks it for two things while linting: image configs
// (answered offline) and the build context's .dockerignore (answered from
// memory). Anything else would mean a real build, and fails.
type gateway struct {
	offlineResolver
	dockerignore []byte // nil: the context has none
}

func newGateway(dockerignore []byte) *gateway { return &gateway{dockerignore: dockerignore} }

var _ gwclient.Client = (*gateway)(nil)

func (g *gateway) Solve(context.Context, gwclient.SolveRequest) (*gwclient.Result, error) {
	// The only solve while linting loads the context to read .dockerignore.
	res := gwclient.NewResult()
	res.SetRef(&contextRef{dockerignore: g.dockerignore})
	return res, nil
}

func (g *gateway) BuildOpts() gwclient.BuildOpts {
	return gwclient.BuildOpts{
		Opts:    map[string]string{},
		Product: "dockgen-lint",
		LLBCaps: pb.Caps.CapSet(pb.Caps.All()),
		Caps:    gatewayCaps(),
	}
}

// gatewayCaps are a current daemon's gateway capabilities less frontend
// inputs, so the frontend takes the context from the (stubbed) local source.
func gatewayCaps() apicaps.CapSet {
	all := gwpb.Caps.All()
	caps := all[:0:0]
	for _, c := range all {
		if apicaps.CapID(c.ID) != gwpb.CapFrontendInputs {
			caps = append(caps, c)
		}
	}
	return gwpb.Caps.CapSet(caps)
}

func (g *gateway) Inputs(context.Context) (map[string]llb.State, error) {
	return map[string]llb.State{}, nil
}

func (g *gateway) NewContainer(context.Context, gwclient.NewContainerRequest) (gwclient.Container, error) {
	return nil, errors.New("lint: offline: no containers")
}

func (g *gateway) Warn(context.Context, digest.Digest, string, gwclient.WarnOpts) error { return nil }

// contextRef is the build context as far as linting needs it: a directory
// holding at most a .dockerignore.
type contextRef struct{ dockerignore []byte }

func (r *contextRef) ToState() (llb.State, error) { return llb.Scratch(), nil }

func (r *contextRef) Evaluate(context.Context) error { return nil }

func (r *contextRef) file(name string) ([]byte, error) {
	if path.Clean("/"+name) == "/.dockerignore" && r.dockerignore != nil {
		return r.dockerignore, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (r *contextRef) ReadFile(_ context.Context, req gwclient.ReadRequest) ([]byte, error) {
	dt, err := r.file(req.Filename)
	if err != nil {
		return nil, err
	}
	if req.Range != nil {
		off := min(int(req.Range.Offset), len(dt))
		end := len(dt)
		if req.Range.Length > 0 {
			end = min(off+int(req.Range.Length), len(dt))
		}
		dt = dt[off:end]
	}
	return dt, nil
}

func (r *contextRef) StatFile(_ context.Context, req gwclient.StatRequest) (*fstypes.Stat, error) {
	dt, err := r.file(req.Path)
	if err != nil {
		return nil, err
	}
	return &fstypes.Stat{Path: path.Base(req.Path), Mode: 0o644, Size: int64(len(dt))}, nil
}

func (r *contextRef) ReadDir(context.Context, gwclient.ReadDirRequest) ([]*fstypes.Stat, error) {
	if r.dockerignore == nil {
		return nil, nil
	}
	return []*fstypes.Stat{{Path: ".dockerignore", Mode: 0o644, Size: int64(len(r.dockerignore))}}, nil
}
