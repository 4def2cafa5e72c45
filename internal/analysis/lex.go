package analysis

import "bytes"

// The tokens of Go source, for the text scans that decide which function
// bodies are parsed (lazy.go, hotbody.go): a small lexer that knows
// literals, comments and brackets, and the body finder built on it.

// lexer splits Go source into the tokens the text scans need: identifiers
// (keywords included), literals and operators. It does not interpret them.
type lexer struct {
	src     []byte
	i       int
	bad     bool // an unterminated literal or comment
	lineDir bool // a //line or /*line directive was passed
}

const (
	tEOF = iota
	tIdent
	tLit
	tOp
)

// Byte classes for the lexer: identifiers take letters, digits, _ and any
// byte of a multi-byte UTF-8 sequence.
const (
	cOther = iota
	cSpace
	cDigit
	cLetter
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			t[c] = cSpace
		case '0' <= c && c <= '9':
			t[c] = cDigit
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80:
			t[c] = cLetter
		}
	}
	return t
}()

// next returns the next token's kind and its offsets [s, e).
func (l *lexer) next() (kind, s, e int) {
	src := l.src
	n := len(src)
	i := l.i
	for i < n {
		c := src[i]
		switch byteClass[c] {
		case cSpace:
			i++
			continue
		case cLetter:
			s = i
			for i++; i < n && byteClass[src[i]] >= cDigit; i++ {
			}
			l.i = i
			return tIdent, s, i
		case cDigit:
			s = i
			l.i = l.number(i)
			return tLit, s, l.i
		}
		s = i
		switch c {
		case '/':
			if i+1 < n && src[i+1] == '/' {
				if hasPrefixAt(src, i+2, "line ") {
					l.lineDir = true
				}
				j := bytes.IndexByte(src[i:], '\n')
				if j < 0 {
					i = n
				} else {
					i += j
				}
				continue
			}
			if i+1 < n && src[i+1] == '*' {
				if hasPrefixAt(src, i+2, "line ") {
					l.lineDir = true
				}
				j := bytes.Index(src[i+2:], []byte("*/"))
				if j < 0 {
					l.bad, l.i = true, n
					return tEOF, n, n
				}
				i += 2 + j + 2
				continue
			}
		case '"', '\'':
			for i++; ; i++ {
				if i >= n || src[i] == '\n' {
					l.bad, l.i = true, n
					return tEOF, n, n
				}
				if src[i] == '\\' {
					i++
					continue
				}
				if src[i] == c {
					l.i = i + 1
					return tLit, s, l.i
				}
			}
		case '`':
			j := bytes.IndexByte(src[i+1:], '`')
			if j < 0 {
				l.bad, l.i = true, n
				return tEOF, n, n
			}
			l.i = i + 1 + j + 1
			return tLit, s, l.i
		case '.':
			if i+1 < n && byteClass[src[i+1]] == cDigit {
				l.i = l.number(i)
				return tLit, s, l.i
			}
		}
		l.i = i + opLen(src, i)
		return tOp, s, l.i
	}
	l.i = n
	return tEOF, n, n
}

// number passes a numeric literal starting at i.
func (l *lexer) number(i int) int {
	src := l.src
	for i++; i < len(src); i++ {
		d := src[i]
		if byteClass[d] >= cDigit || d == '.' {
			continue
		}
		if (d == '+' || d == '-') && strchr("eEpP", src[i-1]) {
			continue
		}
		break
	}
	return i
}

// opLen is the length of the operator at src[i]: Go's longest match.
func opLen(src []byte, i int) int {
	at := func(j int) byte {
		if i+j < len(src) {
			return src[i+j]
		}
		return 0
	}
	c, d := src[i], at(1)
	switch c {
	case '<', '>':
		if d == c {
			if at(2) == '=' {
				return 3
			}
			return 2
		}
		if d == '=' || c == '<' && d == '-' {
			return 2
		}
	case '&':
		if d == '^' {
			if at(2) == '=' {
				return 3
			}
			return 2
		}
		if d == '&' || d == '=' {
			return 2
		}
	case '.':
		if d == '.' && at(2) == '.' {
			return 3
		}
	case '|', '+', '-':
		if d == c || d == '=' {
			return 2
		}
	case '=', '!', ':', '*', '/', '%', '^':
		if d == '=' {
			return 2
		}
	}
	return 1
}

func hasPrefixAt(b []byte, i int, p string) bool {
	return i+len(p) <= len(b) && string(b[i:i+len(p)]) == p
}

func strchr(set string, c byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

func closerOf(c byte) byte {
	switch c {
	case ')':
		return '('
	case ']':
		return '['
	}
	return '{'
}

// skim finds the bodies of the top-level functions of src. ok is false when
// the file is not lexically sound (an unterminated literal or comment, an
// unbalanced bracket): it is then parsed whole, which reports the error.
// A body holding a //line directive is not listed: the directive must
// reach the file's line table.
func skim(src []byte) (spans []bodySpan, ok bool) {
	l := lexer{src: src}
	var stack []byte
	inFunc := false // after a top-level func keyword, before its body
	typeKw := false // the last token was struct or interface
	inExpr := false // the last token was an operator that continues an expression
	var h sigScan   // the header of the function being read
	prevEnd := 0
	for {
		k, s, e := l.next()
		if l.bad {
			return nil, false
		}
		if k == tEOF {
			break
		}
		gap := src[prevEnd:s]
		prevEnd = e
		wasType, wasExpr := typeKw, inExpr
		typeKw = false
		inExpr = k == tOp && !strchr(")]};", src[s])
		if inFunc && len(stack) == 0 {
			h.depth0(k, src[s:e], s, gap)
		}
		switch k {
		case tIdent:
			w := src[s:e]
			if len(stack) == 0 {
				switch string(w) {
				case "func":
					if !wasExpr && (!inFunc || h.rp >= 0) {
						// a declaration (or a result type, whose header
						// then keeps its signature: see sigScan)
						h = sigScan{lp: -1, rp: -1, ok: true}
						l.lineDir = false
					}
					inFunc = !wasExpr // var f = func() {...}: a literal, not a declaration
				case "type", "var", "const", "import":
					inFunc = false
				}
			}
			typeKw = string(w) == "struct" || string(w) == "interface"
			if typeKw && inFunc {
				h.ok = false // its fields' names are collected from the tree (declaredNames)
			}
		case tOp:
			if e-s != 1 {
				continue
			}
			switch c := src[s]; c {
			case '(', '[', '{':
				if c == '{' && len(stack) == 0 && inFunc && !wasType {
					inFunc = false
					sp := bodySpan{open: s, lp: -1, rp: -1}
					if h.ok && h.rp >= 0 && !l.lineDir {
						sp.lp, sp.rp = h.lp, h.rp
					}
					l.lineDir = false
					end := l.passBody()
					if end < 0 {
						return nil, false
					}
					if !l.lineDir {
						sp.close = end
						spans = append(spans, sp)
					}
					prevEnd = end + 1
					inExpr = false // the body's } ends the declaration
					continue
				}
				stack = append(stack, c)
			case ')', ']', '}':
				if len(stack) == 0 || stack[len(stack)-1] != closerOf(c) {
					return nil, false
				}
				stack = stack[:len(stack)-1]
				if c == ')' && len(stack) == 0 && inFunc && h.lp >= 0 && h.rp < 0 {
					h.rp = s
				}
			}
		}
	}
	return spans, len(stack) == 0
}

// sigScan follows a function header's top-level tokens to find its
// parameters' parentheses. The signature is left to be parsed later only
// when the header is `func [(receiver)] Name(params) results {` with the
// results on the line of the brace, and holds no struct or interface (a
// generic function, or anything else, is parsed in place). A second func
// keyword after the parameters (a function result type, or the next
// declaration after a function without a body) starts over: in a result
// type it never finds a name followed by parentheses, so that header is
// parsed in place.
type sigScan struct {
	named  bool
	lp, rp int // offsets of the parameters' ( and ), or -1
	ok     bool
}

// depth0 takes a token of the header outside any bracket, before its
// bracket is pushed.
func (h *sigScan) depth0(k int, w []byte, s int, gap []byte) {
	switch {
	case h.rp >= 0:
		// results: a newline before the body's brace, or before the
		// results, is a syntax error the cut would hide
		if bytes.IndexByte(gap, '\n') >= 0 {
			h.ok = false
		}
	case !h.named:
		if k == tIdent && string(w) != "func" {
			h.named = true
		}
	case h.lp < 0:
		if k == tOp && w[0] == '(' {
			h.lp = s
		} else {
			h.ok = false // type parameters, or not a plain name
		}
	}
}

// bodyBytes are the bytes passBody looks at.
var bodyBytes = func() (t [256]bool) {
	for _, c := range []byte("{}()[]\"'`/") {
		t[c] = true
	}
	return t
}()

// passBody moves past a body whose `{` was just read, looking only at
// brackets, literals and comments. It returns the offset of the closing
// brace, or -1 when there is none or a bracket or literal is unbalanced.
func (l *lexer) passBody() int {
	src := l.src
	n := len(src)
	stack := make([]byte, 1, 16)
	stack[0] = '{'
	for i := l.i; i < n; i++ {
		c := src[i]
		if !bodyBytes[c] {
			continue
		}
		switch c {
		case '{', '(', '[':
			stack = append(stack, c)
		case '}', ')', ']':
			if stack[len(stack)-1] != closerOf(c) {
				return -1
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				l.i = i + 1
				return i
			}
		case '"', '\'':
			for i++; ; i++ {
				if i >= n || src[i] == '\n' {
					return -1
				}
				if src[i] == '\\' {
					i++
				} else if src[i] == c {
					break
				}
			}
		case '`':
			j := bytes.IndexByte(src[i+1:], '`')
			if j < 0 {
				return -1
			}
			i += 1 + j
		case '/':
			if i+1 < n && (src[i+1] == '/' || src[i+1] == '*') {
				if hasPrefixAt(src, i+2, "line ") {
					l.lineDir = true
				}
				if src[i+1] == '/' {
					j := bytes.IndexByte(src[i:], '\n')
					if j < 0 {
						return -1 // the body is not closed
					}
					i += j
				} else {
					j := bytes.Index(src[i+2:], []byte("*/"))
					if j < 0 {
						return -1
					}
					i += 2 + j + 1
				}
			}
		}
	}
	return -1
}
