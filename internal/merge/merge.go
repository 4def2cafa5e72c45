// Package merge is a line-based three-way merge (diff3): it applies the
// change from base to theirs (what dockgen renders now, against what it
// rendered last time) to ours (the user's edited file). It serves
// internal/apply when `dockgen regenerate` meets a file the user edited.
package merge

import (
	"bytes"
	"fmt"
)

// maxLines bounds the quadratic matching; generated files are far smaller.
const maxLines = 20000

// Conflict is a region where ours and theirs changed the same base lines
// differently.
type Conflict struct {
	// OursLine and TheirsLine are the 1-based first lines of the region in
	// each version (0 when the region is empty there).
	OursLine, TheirsLine int
	Base, Ours, Theirs   []string
}

// Result is a merge: the merged text when Conflicts is empty.
type Result struct {
	Text      []byte
	Conflicts []Conflict
}

// Merge merges the change base → theirs into ours.
func Merge(base, ours, theirs []byte) (Result, error) {
	o, a, b := lines(base), lines(ours), lines(theirs)
	if len(o) > maxLines || len(a) > maxLines || len(b) > maxLines {
		return Result{}, fmt.Errorf("merge: more than %d lines", maxLines)
	}
	ma, mb := match(o, a), match(o, b) // base index → index in a / b, -1 when unmatched
	var out []string
	var res Result
	i, ia, ib := 0, 0, 0 // next unconsumed line of o, a, b
	for {
		// Find the next base line kept by both sides, in order.
		j := i
		for j < len(o) && !(ma[j] >= ia && mb[j] >= ib) {
			j++
		}
		ea, eb := len(a), len(b)
		if j < len(o) {
			ea, eb = ma[j], mb[j]
		}
		co, ca, cb := o[i:j], a[ia:ea], b[ib:eb]
		switch {
		case equal(ca, co): // only theirs changed (or nobody)
			out = append(out, cb...)
		case equal(cb, co), equal(ca, cb): // only ours changed, or both the same way
			out = append(out, ca...)
		case len(co) > 0 && hasSuffix(ca, co): // ours only inserted before the region
			out = append(append(out, ca[:len(ca)-len(co)]...), cb...)
		case len(co) > 0 && hasPrefix(ca, co): // … or after it
			out = append(append(out, cb...), ca[len(co):]...)
		default:
			c := Conflict{Base: co, Ours: ca, Theirs: cb}
			if len(ca) > 0 {
				c.OursLine = ia + 1
			}
			if len(cb) > 0 {
				c.TheirsLine = ib + 1
			}
			res.Conflicts = append(res.Conflicts, c)
			out = append(out, ca...)
		}
		if j == len(o) {
			break
		}
		out = append(out, o[j])
		i, ia, ib = j+1, ea+1, eb+1
	}
	res.Text = []byte(join(out))
	return res, nil
}

// lines splits keeping each line's "\n", so text without a final newline
// round-trips.
func lines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

func join(ls []string) string {
	var n int
	for _, l := range ls {
		n += len(l)
	}
	buf := make([]byte, 0, n)
	for _, l := range ls {
		buf = append(buf, l...)
	}
	return string(buf)
}

func hasPrefix(x, p []string) bool { return len(x) >= len(p) && equal(x[:len(p)], p) }
func hasSuffix(x, p []string) bool { return len(x) >= len(p) && equal(x[len(x)-len(p):], p) }

func equal(x, y []string) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// match pairs lines of o with lines of x along a longest common
// subsequence: m[i] is the index in x of o[i], or -1.
func match(o, x []string) []int {
	n, k := len(o), len(x)
	// lcs[i][j] = LCS length of o[i:] and x[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, k+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := k - 1; j >= 0; j-- {
			if o[i] == x[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	m := make([]int, n)
	for i := range m {
		m[i] = -1
	}
	for i, j := 0, 0; i < n && j < k; {
		switch {
		case o[i] == x[j]:
			m[i] = j
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	return m
}

// Diff shows a conflict as the user resolves it: both sides, each line
// marked, with where it is in each file.
func (c Conflict) Diff(path string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "--- %s (yours, line %d)\n", path, c.OursLine)
	for _, l := range c.Ours {
		b.WriteString("- " + l)
		if len(l) == 0 || l[len(l)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	fmt.Fprintf(&b, "+++ %s (dockgen's, line %d)\n", path, c.TheirsLine)
	for _, l := range c.Theirs {
		b.WriteString("+ " + l)
		if len(l) == 0 || l[len(l)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
