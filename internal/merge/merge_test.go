package merge

import (
	"strings"
	"testing"
)

func TestMerge(t *testing.T) {
	base := "FROM golang:1.25 AS build\nRUN go mod download\nRUN go build\n\nFROM distroless\nUSER 65532\nEXPOSE 8080\nENTRYPOINT [\"/app\"]\n"
	for _, tc := range []struct {
		name, ours, theirs, want string
		conflicts                int
	}{
		{"nobody changed", base, base, base, 0},
		{"only dockgen changed", base, strings.Replace(base, "1.25", "1.26", 1), strings.Replace(base, "1.25", "1.26", 1), 0},
		{"only the user changed", base + "# my tweak\n", base, base + "# my tweak\n", 0},
		{"both, apart: user's line kept, dockgen's change applied",
			base + "# my tweak\n", strings.Replace(base, "1.25", "1.26", 1), strings.Replace(base, "1.25", "1.26", 1) + "# my tweak\n", 0},
		{"both, apart, user inserted in the middle",
			strings.Replace(base, "USER 65532\n", "USER 65532\nENV A=1\n", 1), strings.Replace(base, "EXPOSE 8080", "EXPOSE 9000", 1),
			strings.Replace(strings.Replace(base, "USER 65532\n", "USER 65532\nENV A=1\n", 1), "EXPOSE 8080", "EXPOSE 9000", 1), 0},
		{"both the same way", strings.Replace(base, "1.25", "1.26", 1), strings.Replace(base, "1.25", "1.26", 1), strings.Replace(base, "1.25", "1.26", 1), 0},
		{"overlap", strings.Replace(base, "1.25", "1.24", 1), strings.Replace(base, "1.25", "1.26", 1), "", 1},
		{"user deleted what dockgen changed", strings.Replace(base, "EXPOSE 8080\n", "", 1), strings.Replace(base, "EXPOSE 8080", "EXPOSE 9000", 1), "", 1},
		{"no final newline", strings.TrimSuffix(base, "\n"), base, strings.TrimSuffix(base, "\n"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Merge([]byte(base), []byte(tc.ours), []byte(tc.theirs))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Conflicts) != tc.conflicts {
				t.Fatalf("%d conflicts, want %d: %+v", len(r.Conflicts), tc.conflicts, r.Conflicts)
			}
			if tc.conflicts == 0 && string(r.Text) != tc.want {
				t.Errorf("merged:\n%s\nwant:\n%s", r.Text, tc.want)
			}
			if tc.conflicts > 0 {
				d := r.Conflicts[0].Diff("Dockerfile")
				if !strings.Contains(d, "(yours, line") || !strings.Contains(d, "(dockgen's, line") {
					t.Errorf("conflict diff:\n%s", d)
				}
			}
		})
	}
}

// FuzzMerge: merging a side with no change gives the other side.
func FuzzMerge(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nB\nc\n")
	f.Add("", "x")
	f.Add("x\ny", "y\nx\n")
	f.Fuzz(func(t *testing.T, base, other string) {
		if len(base) > 2000 || len(other) > 2000 {
			return
		}
		for _, c := range []struct{ ours, theirs string }{{base, other}, {other, base}, {other, other}} {
			r, err := Merge([]byte(base), []byte(c.ours), []byte(c.theirs))
			if err != nil || len(r.Conflicts) != 0 || string(r.Text) != other {
				t.Fatalf("Merge(%q, %q, %q) = %q %d %v, want %q", base, c.ours, c.theirs, r.Text, len(r.Conflicts), err, other)
			}
		}
	})
}
