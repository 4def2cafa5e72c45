package pin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// DaemonConfig is where the Docker daemon reads its configuration on
// Linux: its registry-mirrors are the user's Docker Hub mirrors.
const DaemonConfig = "/etc/docker/daemon.json"

// DaemonMirrors returns the registry-mirrors of the Docker daemon
// configuration at path. A file that is missing or not readable (the
// daemon's, not ours) gives none; one that is not valid JSON is an error
// for the caller to show as a warning.
func DaemonMirrors(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var cfg struct {
		Mirrors []string `json:"registry-mirrors"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var out []string
	for _, m := range cfg.Mirrors {
		if _, err := parseMirror(m); err != nil {
			return out, fmt.Errorf("%s: registry-mirrors: %w", path, err)
		}
		out = append(out, m)
	}
	return out, nil
}
