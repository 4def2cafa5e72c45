package doctor

import (
	"strings"
	"unicode/utf8"
)

// This file reads the shell text of RUN, CMD and ENTRYPOINT. doctor needs two
// things from it, and no more: the simple commands of a RUN (to find `go
// build`, its flags and the env it runs with), and, for --fix, the words of
// a CMD that sh would split the same way an exec-form array does. A POSIX
// shell parser would be the trusted tool, but none is in dockgen's allowed
// dependencies; both readers below are conservative instead: the first only
// has to find `go build`, and the second refuses anything it is not sure of.

// simpleCommands splits a shell script into its simple commands at unquoted
// ;, &, |, &&, ||, newlines and parentheses, each as words with quotes
// removed. Expansions ($X, $(…), `…`) are kept as text inside their word.
func simpleCommands(script string) [][]string {
	var (
		cmds [][]string
		cur  []string
		w    strings.Builder
		in   bool // a word is open (possibly empty, as in "")
	)
	endWord := func() {
		if in {
			cur = append(cur, w.String())
		}
		w.Reset()
		in = false
	}
	endCmd := func() {
		endWord()
		if len(cur) > 0 {
			cmds = append(cmds, cur)
		}
		cur = nil
	}
	rs := []rune(script)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\' && i+1 < len(rs):
			i++
			if rs[i] != '\n' {
				w.WriteRune(rs[i])
				in = true
			}
		case r == '\'':
			in = true
			for i++; i < len(rs) && rs[i] != '\''; i++ {
				w.WriteRune(rs[i])
			}
		case r == '"':
			in = true
			for i++; i < len(rs) && rs[i] != '"'; i++ {
				if rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune("$`\"\\\n", rs[i+1]) {
					i++
				}
				w.WriteRune(rs[i])
			}
		case r == '$' && i+1 < len(rs) && rs[i+1] == '(':
			// Command substitution: keep it inside the word, balanced.
			in = true
			depth := 0
			for ; i < len(rs); i++ {
				w.WriteRune(rs[i])
				if rs[i] == '(' {
					depth++
				} else if rs[i] == ')' {
					if depth--; depth == 0 {
						break
					}
				}
			}
		case r == '`':
			in = true
			w.WriteRune(r)
			for i++; i < len(rs) && rs[i] != '`'; i++ {
				w.WriteRune(rs[i])
			}
			w.WriteRune('`')
		case r == '#' && !in:
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			endCmd()
		case r == ' ' || r == '\t':
			endWord()
		case strings.ContainsRune(";&|\n()", r), (r == '{' || r == '}') && !in:
			endCmd()
		default:
			w.WriteRune(r)
			in = true
		}
	}
	endCmd()
	return cmds
}

// shellOnly are words sh understands that are not programs: an exec-form
// array starting with one would not run.
var shellOnly = map[string]bool{
	"cd": true, "export": true, "source": true, ".": true, "set": true, "unset": true,
	"if": true, "then": true, "else": true, "fi": true, "for": true, "while": true, "until": true,
	"do": true, "done": true, "case": true, "esac": true, "exit": true, "eval": true,
	"ulimit": true, "umask": true, "trap": true, "alias": true, "read": true, "wait": true,
	"shift": true, "local": true, "readonly": true, "function": true, "!": true, "[[": true,
}

// execWords returns the words sh would run for a shell-form command, when
// the command is a single program call whose words sh splits in only one
// way: no operators, redirections, expansions, globs, comments or
// assignments. Single and double quotes and backslashes are honoured; a
// leading `exec` is dropped (exec form already replaces the shell). ok is
// false whenever sh could do something an exec-form array would not.
func execWords(s string) (words []string, ok bool) {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
		return nil, false // control bytes: JSON and exec would not carry them as sh does
	}
	var w strings.Builder
	in := false
	end := func() {
		if in {
			words = append(words, w.String())
		}
		w.Reset()
		in = false
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t':
			end()
		case r == '\\':
			if i+1 >= len(rs) || rs[i+1] == '\n' {
				return nil, false
			}
			i++
			w.WriteRune(rs[i])
			in = true
		case r == '\'':
			in = true
			i++
			for ; i < len(rs) && rs[i] != '\''; i++ {
				w.WriteRune(rs[i])
			}
			if i >= len(rs) {
				return nil, false // unterminated
			}
		case r == '"':
			in = true
			i++
			for ; i < len(rs) && rs[i] != '"'; i++ {
				c := rs[i]
				if c == '$' || c == '`' || c == '!' {
					return nil, false
				}
				if c == '\\' && i+1 < len(rs) && strings.ContainsRune("`\"\\$\n", rs[i+1]) {
					if rs[i+1] == '\n' {
						return nil, false
					}
					i++
					c = rs[i]
				}
				w.WriteRune(c)
			}
			if i >= len(rs) {
				return nil, false
			}
		case strings.ContainsRune("|&;<>()$`*?[]{}!\n\r", r):
			return nil, false
		case (r == '#' || r == '~') && !in:
			return nil, false
		case r == '=' && len(words) == 0:
			return nil, false // VAR=value prefix: an assignment, not a program
		default:
			w.WriteRune(r)
			in = true
		}
	}
	end()
	if len(words) > 0 && words[0] == "exec" {
		words = words[1:]
		if len(words) > 0 && strings.HasPrefix(words[0], "-") {
			return nil, false
		}
	}
	if len(words) == 0 || words[0] == "" || shellOnly[words[0]] {
		return nil, false
	}
	return words, true
}
