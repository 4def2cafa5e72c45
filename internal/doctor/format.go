package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// Formats are the output formats Write accepts.
var Formats = []string{"text", "json", "gnu", "sarif"}

// Write renders the report in format (one of Formats). File names are
// filepath.Join(r.Dir, finding.File): relative to the caller's working
// directory when Dir is, so editors and CI can open them.
func (r Report) Write(w io.Writer, format string) error {
	switch format {
	case "text", "":
		return r.writeText(w)
	case "json":
		return r.writeJSON(w)
	case "gnu":
		return r.writeGNU(w)
	case "sarif":
		return r.writeSARIF(w)
	}
	return fmt.Errorf("doctor: unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

func (r Report) path(f Finding) string { return filepath.Join(r.Dir, f.File) }

// writeGNU writes the GNU error format, one finding a line:
// FILE:LINE:COL: SEVERITY: MESSAGE [RULE]
func (r Report) writeGNU(w io.Writer) error {
	for _, f := range r.Findings {
		if _, err := fmt.Fprintf(w, "%s:%d:%d: %s: %s [%s]\n", r.path(f), f.Line, f.Col, f.Severity, oneLine(f.Message), f.Rule); err != nil {
			return err
		}
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// writeText is for people: the finding, then how to fix it, then a tally.
func (r Report) writeText(w io.Writer) error {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s:%d:%d: %s %s: %s\n", r.path(f), f.Line, f.Col, f.Severity, f.Rule, oneLine(f.Message))
		if f.Fix != "" {
			fmt.Fprintf(&b, "    fix: %s\n", oneLine(f.Fix))
		}
	}
	if len(r.Findings) == 0 {
		b.WriteString("no problems found\n")
	} else {
		fmt.Fprintf(&b, "%d error(s), %d warning(s), %d info\n", r.Count(Error), r.Count(Warning), r.Count(Info))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonReport is the stable JSON shape: fields may be added, never renamed.
type jsonReport struct {
	Dir      string        `json:"dir"`
	Files    []string      `json:"files"`
	Errors   int           `json:"errors"`
	Warnings int           `json:"warnings"`
	Infos    int           `json:"infos"`
	Failed   bool          `json:"failed"` // an error-level finding fired: exit 1
	Findings []jsonFinding `json:"findings"`
}

type jsonFinding struct {
	Finding
	Path string `json:"path"` // filepath.Join(dir, file)
}

func (r Report) checked() []string {
	var out []string
	for _, f := range []string{r.Files.Dockerfile, r.Files.Dockerignore, r.Files.Compose} {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (r Report) writeJSON(w io.Writer) error {
	jr := jsonReport{Dir: r.Dir, Files: r.checked(), Errors: r.Count(Error), Warnings: r.Count(Warning),
		Infos: r.Count(Info), Failed: r.HasErrors(), Findings: []jsonFinding{}}
	if jr.Files == nil {
		jr.Files = []string{}
	}
	for _, f := range r.Findings {
		jr.Findings = append(jr.Findings, jsonFinding{Finding: f, Path: r.path(f)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(jr)
}

// SARIF 2.1.0, the minimal valid subset code-scanning tools read.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name  string      `json:"name"`
		Rules []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		Name                 string       `json:"name"`
		ShortDescription     sarifText    `json:"shortDescription"`
		Help                 sarifText    `json:"help"`
		DefaultConfiguration sarifDefault `json:"defaultConfiguration"`
	}
	sarifDefault struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           sarifRegion   `json:"region"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
	}
)

// sarifLevel maps a severity to SARIF's level enum.
func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

func (r Report) writeSARIF(w io.Writer) error {
	// Every dockgen rule, then the BuildKit rules that fired, by ID.
	rules := slices.Clone(Rules)
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Rule, bkPrefix) && !slices.ContainsFunc(rules, func(x Rule) bool { return x.ID == f.Rule }) {
			rule, _ := RuleFor(f.Rule)
			rule.Fix = f.Fix // "see <BuildKit's page>"
			rules = append(rules, rule)
		}
	}
	slices.SortStableFunc(rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	index := map[string]int{}
	driver := sarifDriver{Name: "dockgen doctor"}
	for i, x := range rules {
		index[x.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{ID: x.ID, Name: x.Name, ShortDescription: sarifText{x.What},
			Help: sarifText{x.Fix}, DefaultConfiguration: sarifDefault{sarifLevel(x.Severity)}})
	}
	run := sarifRun{Tool: sarifTool{driver}, Results: []sarifResult{}}
	for _, f := range r.Findings {
		msg := oneLine(f.Message)
		if f.Fix != "" {
			msg += " Fix: " + oneLine(f.Fix)
		}
		run.Results = append(run.Results, sarifResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message: sarifText{msg},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: filepath.ToSlash(r.path(f))},
				Region:           sarifRegion{StartLine: f.Line, StartColumn: f.Col},
			}}}})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}
