package schedule

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/goccy/go-yaml"
)

// WorkflowDir is where GitHub looks for a repository's workflows.
const WorkflowDir = ".github/workflows"

// maxWorkflowBytes bounds a workflow file read: GitHub's own limit on a
// workflow is far below it, and plan must not read a stray huge file.
const maxWorkflowBytes = 1 << 20

// Workflow is a workflow file that builds the site with Agora.
type Workflow struct {
	File    string   // ".github/workflows/pages.yml"
	Crons   []Cron   // its on.schedule entries
	Version string   // its env AGORA_VERSION, "" when it has none
	Errs    []string // problems reading it, "file:line: message"
}

// Workflows reads the workflows in fsys (the site folder) that run agora,
// by their file name's order. A site without any has none; a workflow
// that cannot be read is returned with its problem in Errs, since the
// report that asked should still be made.
func Workflows(fsys fs.FS) []Workflow {
	entries, err := fs.ReadDir(fsys, WorkflowDir)
	if err != nil {
		return nil
	}
	var out []Workflow
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yml" && ext != ".yaml") {
			continue
		}
		name := WorkflowDir + "/" + e.Name()
		data, err := readLimited(fsys, name)
		if err != nil {
			out = append(out, Workflow{File: name, Errs: []string{fmt.Sprintf("%s: %v", name, err)}})
			continue
		}
		if !strings.Contains(string(data), "agora") {
			continue // another workflow: tests, linters
		}
		out = append(out, ParseWorkflow(name, data))
	}
	return out
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxWorkflowBytes {
		return nil, fmt.Errorf("%d bytes, more than the %d a workflow can be", st.Size(), maxWorkflowBytes)
	}
	return fs.ReadFile(fsys, name)
}

// ParseWorkflow reads the schedule and the pinned version of a workflow.
func ParseWorkflow(name string, data []byte) Workflow {
	w := Workflow{File: name}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		w.Errs = append(w.Errs, yamlError(name, err))
		return w
	}
	if v, ok := raw["env"].(map[string]any); ok {
		if s, ok := v["AGORA_VERSION"].(string); ok {
			w.Version = s
		}
	}
	on, ok := raw["on"].(map[string]any)
	if !ok {
		return w // on: push, or on: [push, workflow_dispatch]
	}
	entries, _ := on["schedule"].([]any)
	for i, e := range entries {
		expr, _ := e.(map[string]any)["cron"].(string)
		cr, err := ParseCron(expr)
		if err != nil {
			line := lineOf(data, fmt.Sprintf("$.on.schedule[%d].cron", i))
			w.Errs = append(w.Errs, fmt.Sprintf("%s:%d: %v", name, line, err))
			continue
		}
		w.Crons = append(w.Crons, cr)
	}
	return w
}

// lineOf is the line of the YAML node at a path, 0 if unknown.
func lineOf(data []byte, p string) int {
	yp, err := yaml.PathString(p)
	if err != nil {
		return 0
	}
	node, err := yp.ReadNode(strings.NewReader(string(data)))
	if err != nil || node == nil || node.GetToken() == nil {
		return 0
	}
	return node.GetToken().Position.Line
}

func yamlError(name string, err error) string {
	var se yaml.Error
	if errors.As(err, &se) && se.GetToken() != nil {
		return fmt.Sprintf("%s:%d: %s", name, se.GetToken().Position.Line, se.GetMessage())
	}
	return fmt.Sprintf("%s: %v", name, err)
}
