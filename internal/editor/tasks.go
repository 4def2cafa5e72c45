package editor

// task is one entry of tasks.json, fields in the order they are written.
type task struct {
	Label          string      `json:"label"`
	Detail         string      `json:"detail"`
	Type           string      `json:"type"`
	Command        string      `json:"command"`
	Args           []string    `json:"args"`
	Options        taskOptions `json:"options"`
	ProblemMatcher any         `json:"problemMatcher"`
}

type taskOptions struct {
	// Cwd is explicit because the matchers resolve file names against it.
	Cwd string `json:"cwd"`
}

type matcher struct {
	Owner        string   `json:"owner"`
	Source       string   `json:"source"`
	Severity     string   `json:"severity,omitempty"`
	FileLocation []string `json:"fileLocation"`
	Pattern      pattern  `json:"pattern"`
}

// pattern holds match-group numbers; 0 means the field is not captured.
type pattern struct {
	Kind     string `json:"kind,omitempty"`
	Regexp   string `json:"regexp"`
	File     int    `json:"file"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Severity int    `json:"severity,omitempty"`
	Message  int    `json:"message"`
	Code     int    `json:"code,omitempty"`
}

var fileLocation = []string{"relative", "${workspaceFolder}"}

// doctorMatcher turns `doctor --format gnu` lines into problems.
var doctorMatcher = matcher{
	Owner:        "dockgen",
	Source:       "dockgen",
	FileLocation: fileLocation,
	Pattern: pattern{
		Regexp: doctorRegexp,
		File:   1, Line: 2, Column: 3, Severity: 4, Message: 5, Code: 6,
	},
}

// checkMatchers mark each out-of-date or conflicting file as a whole. Their own
// owner, because VS Code clears an owner's problems when a task using it runs
// again: a check must not wipe the doctor's findings.
var checkMatchers = []matcher{
	{
		Owner: "dockgen-check", Source: "dockgen", Severity: "warning",
		FileLocation: fileLocation,
		Pattern:      pattern{Kind: "file", Regexp: driftRegexp, File: 2, Message: 1},
	},
	{
		Owner: "dockgen-check", Source: "dockgen", Severity: "error",
		FileLocation: fileLocation,
		Pattern:      pattern{Kind: "file", Regexp: conflictRegexp, File: 2, Message: 1},
	},
}

// tasks are dockgen's tasks in the order they are appended.
func tasks(opts Options) []task {
	command, prefix := "dockgen", []string(nil)
	if opts.GoRun {
		// go and the package as separate words: VS Code quotes a shell
		// command containing spaces as one word when args are given.
		command, prefix = "go", []string{"run", goRunPackage}
	}
	t := func(label, detail string, pm any, args ...string) task {
		if pm == nil {
			// An empty list, not nothing: without the property VS Code asks
			// on every run which matcher to scan the output with.
			pm = []matcher{}
		}
		return task{
			Label:          LabelPrefix + label,
			Detail:         detail,
			Type:           "shell",
			Command:        command,
			Args:           append(append([]string(nil), prefix...), args...),
			Options:        taskOptions{Cwd: "${workspaceFolder}"},
			ProblemMatcher: pm,
		}
	}
	return []task{
		t("init", "write the Dockerfile, .dockerignore and compose.yaml with the defaults", nil, "init", "--yes"),
		t("regenerate", "rewrite the files dockgen wrote and you did not edit", nil, "regenerate"),
		t("check", "report files that regenerate would change", checkMatchers, "regenerate", "--check"),
		t("doctor", "lint the Dockerfile, compose.yaml and .dockerignore", doctorMatcher, "doctor", "--format", "gnu"),
		t("verify", "build the image, run it hardened and probe it", nil, "verify"),
	}
}
