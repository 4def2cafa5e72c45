package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every row of the library table names a fixture that exercises it: the
// fixture exists and its code imports one of the row's packages and
// calls (or, for struct rows, builds) something the row matches.
func TestModelsHaveFixtures(t *testing.T) {
	for i := range models {
		m := &models[i]
		t.Run(m.fn+"/"+m.test, func(t *testing.T) {
			if m.test == "" {
				t.Fatalf("row %s %v has no fixture", m.fn, m.pkgs)
			}
			data, err := os.ReadFile(filepath.Join("testdata", m.test+".txtar"))
			if err != nil {
				t.Fatalf("row %s %v: %v", m.fn, m.pkgs, err)
			}
			src := string(data)
			imported := false
			for _, p := range m.pkgs {
				imported = imported || strings.Contains(src, `"`+p+`"`)
			}
			if !imported {
				t.Errorf("fixture %s imports none of %v", m.test, m.pkgs)
			}
			if !mentions(m, src) {
				t.Errorf("fixture %s never uses %s", m.test, m.fn)
			}
		})
	}
}

// mentions reports whether src has a call or literal the row's name fits.
func mentions(m *model, src string) bool {
	for i := 0; i < len(src); i++ {
		if src[i] != '.' {
			continue
		}
		j := i + 1
		for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
			j++
		}
		if j < len(src) && (src[j] == '(' || src[j] == '{') {
			if _, ok := m.matchName(src[i+1 : j]); ok {
				return true
			}
		}
	}
	return false
}

// The table's name matching: <T> stands for the flag value types.
func TestModelMatchName(t *testing.T) {
	for _, tc := range []struct {
		fn, name string
		num, ok  bool
	}{
		{"<T>Var", "StringVar", false, true},
		{"<T>Var", "IntVar", true, true},
		{"<T>VarP", "Uint16VarP", true, true},
		{"<T>", "Duration", false, true},
		{"<T>", "Builder", false, false},
		{"Get<T>", "GetInt", true, true},
		{"<T>Flag", "StringFlag", false, true},
		{"ListenAndServe", "ListenAndServe", false, true},
		{"ListenAndServe", "ListenAndServeTLS", false, false},
	} {
		m := &model{fn: tc.fn}
		num, ok := m.matchName(tc.name)
		if num != tc.num || ok != tc.ok {
			t.Errorf("%s matches %s = %v, %v; want %v, %v", tc.fn, tc.name, num, ok, tc.num, tc.ok)
		}
	}
}
