package doctor

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
)

// TestSARIFShape checks the SARIF output against what SARIF 2.1.0 requires
// of a log (version, runs[].tool.driver.name), of each rule (id) and of each
// result (message.text; ruleId, ruleIndex and level consistent with the
// driver's rules; a physical location with a URI and a 1-based region).
func TestSARIFShape(t *testing.T) {
	rep, err := Check(filepath.Join("testdata", "golden", "app"), Files{}, goldenExpect())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.Write(&buf, "sarif"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID                   string            `json:"id"`
						Name                 string            `json:"name"`
						Help                 map[string]string `json:"help"`
						ShortDescription     map[string]string `json:"shortDescription"`
						DefaultConfiguration map[string]string `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    *string           `json:"ruleId"`
				RuleIndex *int              `json:"ruleIndex"`
				Level     string            `json:"level"`
				Message   map[string]string `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields() // every field written is one the shape above names
	if err := dec.Decode(&log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || log.Schema == "" || len(log.Runs) != 1 {
		t.Fatalf("log: version %q, $schema %q, %d runs", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name == "" {
		t.Error("tool.driver.name is empty")
	}
	levels := []string{"none", "note", "warning", "error"}
	seen := map[string]bool{}
	for i, r := range run.Tool.Driver.Rules {
		if r.ID == "" || seen[r.ID] || r.ShortDescription["text"] == "" || !slices.Contains(levels, r.DefaultConfiguration["level"]) {
			t.Errorf("rule %d: %+v", i, r)
		}
		seen[r.ID] = true
	}
	if len(run.Results) != len(rep.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(rep.Findings))
	}
	for i, res := range run.Results {
		if res.RuleID == nil || res.RuleIndex == nil || *res.RuleIndex < 0 || *res.RuleIndex >= len(run.Tool.Driver.Rules) ||
			run.Tool.Driver.Rules[*res.RuleIndex].ID != *res.RuleID {
			t.Errorf("result %d: ruleId/ruleIndex do not name a driver rule", i)
			continue
		}
		if !slices.Contains(levels, res.Level) || res.Message["text"] == "" || len(res.Locations) != 1 {
			t.Errorf("result %d: level %q, message %v, %d locations", i, res.Level, res.Message, len(res.Locations))
			continue
		}
		pl := res.Locations[0].PhysicalLocation
		if pl.ArtifactLocation.URI == "" || pl.Region.StartLine < 1 || pl.Region.StartColumn < 1 {
			t.Errorf("result %d: location %+v", i, pl)
		}
		f := rep.Findings[i]
		if pl.ArtifactLocation.URI != filepath.ToSlash(filepath.Join(rep.Dir, f.File)) || pl.Region.StartLine != f.Line || *res.RuleID != f.Rule {
			t.Errorf("result %d does not match finding %+v", i, f)
		}
	}
}
