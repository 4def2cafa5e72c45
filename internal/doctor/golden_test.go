package doctor

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenExpect is the fixture module: one service whose code binds
// loopback and exits without DATABASE_URL.
func goldenExpect() *Expect {
	return &Expect{Module: "example.com/myapp", GoVersion: "1.23", GoSource: "go.mod:3",
		Binaries: []Binary{{Name: "myapp", Dir: ".", Port: 8080, PortSource: "main.go:3", LongRunning: true,
			Loopback:    []string{"main.go:3"},
			RequiredEnv: []EnvRef{{"DATABASE_URL", "main.go:3"}}, SecretEnv: []string{"DATABASE_URL", "DB_PASSWORD"}}}}
}

// TestGolden compares every output format with testdata/golden/app.<format>;
// `go test ./internal/doctor -run TestGolden -update` rewrites them.
func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "golden", "app")
	rep, err := Check(dir, Files{}, goldenExpect())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.HasErrors() {
		t.Fatal("fixture should have error-level findings")
	}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := rep.Write(&buf, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", "app."+format)
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s output differs from %s (run with -update after checking):\n%s", format, golden, buf.String())
			}
		})
	}
	if err := rep.Write(&bytes.Buffer{}, "xml"); err == nil {
		t.Error("unknown format accepted")
	}
}
