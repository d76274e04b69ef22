package tpl

import (
	"html/template"
	"strings"
	"text/template/parse"
)

// lowerParams makes .Params keys case-insensitive in templates, as Hugo's
// are: Agora stores front-matter and site params with lower-case keys, so
// ".Site.Params.mainSections" and ".Params.heroImage" are rewritten to
// look up "mainsections" and "heroimage". Hugo did the same rewrite of the
// parse tree before its template engine learnt case-insensitive maps.
func lowerParams(t *template.Template) *template.Template {
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			lowerNode(tt.Tree.Root)
		}
	}
	return t
}

func lowerNode(n parse.Node) {
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return
		}
		for _, c := range x.Nodes {
			lowerNode(c)
		}
	case *parse.ActionNode:
		lowerNode(x.Pipe)
	case *parse.PipeNode:
		if x == nil {
			return
		}
		for _, c := range x.Cmds {
			lowerNode(c)
		}
	case *parse.CommandNode:
		for _, a := range x.Args {
			lowerNode(a)
		}
	case *parse.FieldNode:
		lowerAfterParams(x.Ident)
	case *parse.VariableNode:
		lowerAfterParams(x.Ident)
	case *parse.ChainNode:
		lowerNode(x.Node)
		lowerAfterParams(x.Field)
	case *parse.IfNode:
		lowerBranch(&x.BranchNode)
	case *parse.RangeNode:
		lowerBranch(&x.BranchNode)
	case *parse.WithNode:
		lowerBranch(&x.BranchNode)
	case *parse.TemplateNode:
		lowerNode(x.Pipe)
	}
}

func lowerBranch(b *parse.BranchNode) {
	lowerNode(b.Pipe)
	lowerNode(b.List)
	lowerNode(b.ElseList)
}

// lowerAfterParams lower-cases every identifier after "Params".
func lowerAfterParams(idents []string) {
	for i, id := range idents {
		if id == "Params" {
			for j := i + 1; j < len(idents); j++ {
				idents[j] = strings.ToLower(idents[j])
			}
			return
		}
	}
}
