package tplfuncs

import (
	"fmt"
	"text/template/parse"
)

// Rewrite prepares a parsed template for Hugo's two keywords that
// html/template lacks, before its first execution:
//
//   - try (CALL): the call becomes _agora_try_call RECEIVER "NAME" ARGS…,
//     so that its error is caught and handed to try instead of ending the
//     template. Only the last command of try's pipeline is wrapped:
//     errors in evaluating its receiver or arguments still fail, where
//     Hugo's fork catches those too.
//   - return: Hugo's rule that it ends its pipeline is checked here, at
//     parse time, as Hugo does.
//
// The error names the template and line.
func Rewrite(tree *parse.Tree) error {
	if tree == nil || tree.Root == nil {
		return nil
	}
	r := &rewriter{tree: tree}
	r.walk(tree.Root)
	return r.err
}

type rewriter struct {
	tree *parse.Tree
	err  error
}

func (r *rewriter) fail(n parse.Node, format string, args ...any) {
	if r.err == nil {
		loc, _ := r.tree.ErrorContext(n)
		r.err = fmt.Errorf("%s: %s", loc, fmt.Sprintf(format, args...))
	}
}

func (r *rewriter) walk(n parse.Node) {
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return
		}
		for _, c := range x.Nodes {
			r.walk(c)
		}
	case *parse.ActionNode:
		r.pipe(x.Pipe)
	case *parse.IfNode:
		r.pipe(x.Pipe)
		r.walk(x.List)
		r.walk(x.ElseList)
	case *parse.RangeNode:
		r.pipe(x.Pipe)
		r.walk(x.List)
		r.walk(x.ElseList)
	case *parse.WithNode:
		r.pipe(x.Pipe)
		r.walk(x.List)
		r.walk(x.ElseList)
	case *parse.TemplateNode:
		r.pipe(x.Pipe)
	}
}

func (r *rewriter) pipe(p *parse.PipeNode) {
	if p == nil {
		return
	}
	for i, cmd := range p.Cmds {
		if len(cmd.Args) == 0 {
			continue
		}
		if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
			switch id.Ident {
			case "return":
				if i < len(p.Cmds)-1 {
					r.fail(cmd, "return must be the last command in a pipeline")
				}
			case "try":
				r.try(cmd)
			}
		}
		for _, a := range cmd.Args {
			if sub, ok := a.(*parse.PipeNode); ok {
				r.pipe(sub)
			}
		}
	}
}

// try rewrites the last command of try's argument pipeline into a call of
// tryCallName.
func (r *rewriter) try(cmd *parse.CommandNode) {
	if len(cmd.Args) != 2 {
		return
	}
	p, ok := cmd.Args[1].(*parse.PipeNode)
	if !ok || len(p.Decl) > 0 || len(p.Cmds) == 0 {
		return
	}
	last := p.Cmds[len(p.Cmds)-1]
	if len(last.Args) == 0 {
		return
	}
	recv, name, ok := splitCall(r.tree, last.Args[0])
	if !ok {
		return
	}
	pos := last.Args[0].Position()
	call := &parse.IdentifierNode{NodeType: parse.NodeIdentifier, Pos: pos, Ident: tryCallName}
	call = call.SetTree(r.tree)
	args := []parse.Node{call, recv, &parse.StringNode{NodeType: parse.NodeString, Pos: pos, Quoted: fmt.Sprintf("%q", name), Text: name}}
	last.Args = append(args, last.Args[1:]...)
}

// splitCall splits the callee of a command into the receiver to evaluate
// and the method or function name: f → (nil, "f"), ns.M → (ns, "M"),
// .A.M → (.A, "M"), $x.A.M → ($x.A, "M").
func splitCall(tree *parse.Tree, n parse.Node) (recv parse.Node, name string, ok bool) {
	pos := n.Position()
	switch x := n.(type) {
	case *parse.IdentifierNode:
		if x.Ident == tryCallName || x.Ident == "try" || x.Ident == "return" {
			return nil, "", false
		}
		return &parse.NilNode{NodeType: parse.NodeNil, Pos: pos}, x.Ident, true
	case *parse.ChainNode:
		if len(x.Field) == 0 {
			return nil, "", false
		}
		name = x.Field[len(x.Field)-1]
		if len(x.Field) == 1 {
			return x.Node, name, true
		}
		c := &parse.ChainNode{NodeType: parse.NodeChain, Pos: pos, Node: x.Node, Field: append([]string(nil), x.Field[:len(x.Field)-1]...)}
		return c, name, true
	case *parse.FieldNode:
		name = x.Ident[len(x.Ident)-1]
		if len(x.Ident) == 1 {
			return &parse.DotNode{NodeType: parse.NodeDot, Pos: pos}, name, true
		}
		return &parse.FieldNode{NodeType: parse.NodeField, Pos: pos, Ident: append([]string(nil), x.Ident[:len(x.Ident)-1]...)}, name, true
	case *parse.VariableNode:
		if len(x.Ident) < 2 {
			return nil, "", false
		}
		name = x.Ident[len(x.Ident)-1]
		return &parse.VariableNode{NodeType: parse.NodeVariable, Pos: pos, Ident: append([]string(nil), x.Ident[:len(x.Ident)-1]...)}, name, true
	}
	return nil, "", false
}
