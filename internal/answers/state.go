package answers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// StateFile is where answers and file hashes live, at the module root.
const StateFile = ".dockgen.yaml"

// State is the content of .dockgen.yaml.
type State struct {
	Answers Answers `yaml:"answers"`
	// Files maps each path dockgen wrote to the sha256 of what it wrote, so a
	// later run can tell whether the user edited it.
	Files map[string]string `yaml:"files"`
}

const stateHeader = "# Written by dockgen: your answers (reused by `dockgen regenerate`) and a\n# hash of each file it wrote (so it never overwrites your edits). Commit it.\n"

// Marshal renders the state deterministically (yaml sorts map keys).
func (s State) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(stateHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode %s: %w", StateFile, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode %s: %w", StateFile, err)
	}
	return buf.Bytes(), nil
}

// Load reads dir/.dockgen.yaml. A missing file is (nil, nil).
func Load(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", StateFile, err)
	}
	var s State
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parse %s: %w (fix it or delete it and run `dockgen init`)", StateFile, err)
	}
	return &s, nil
}

// Hash is the form file hashes take in the state.
func Hash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
