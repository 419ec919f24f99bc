package mjcf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// attr is one XML attribute with the source line it starts on.
type attr struct {
	name  string
	value string
	line  int
	used  bool
}

// node is one XML element of an MJCF document with its source line.
type node struct {
	name     string
	line     int
	attrs    []attr
	children []*node
}

// lineIndex maps byte offsets of a document to 1-based line numbers.
type lineIndex struct {
	starts []int64 // byte offset of the first byte of each line
}

func newLineIndex(src []byte) lineIndex {
	starts := []int64{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, int64(i+1))
		}
	}
	return lineIndex{starts: starts}
}

// line returns the 1-based line containing byte offset off.
func (li lineIndex) line(off int64) int {
	return sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off })
}

// parseXML reads an MJCF document into a tree of nodes. Errors name the file,
// the line and the innermost open element.
func parseXML(src []byte, file string) (*node, error) {
	li := newLineIndex(src)
	dec := xml.NewDecoder(bytes.NewReader(src))
	dec.Strict = true
	var (
		root  *node
		stack []*node
	)
	inside := func() string {
		if len(stack) == 0 {
			return ""
		}
		return fmt.Sprintf(" (inside <%s> opened at line %d)", stack[len(stack)-1].name, stack[len(stack)-1].line)
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if len(stack) != 0 {
				return nil, fmt.Errorf("%s:%d: malformed XML: unexpected end of file%s", file, li.line(int64(len(src))), inside())
			}
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			line := li.line(dec.InputOffset())
			msg := err.Error()
			if errors.As(err, &se) {
				line = se.Line
				msg = se.Msg
			}
			return nil, fmt.Errorf("%s:%d: malformed XML: %s%s", file, line, msg, inside())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			end := dec.InputOffset()
			raw := src[start:end]
			n := &node{name: t.Name.Local, line: li.line(start)}
			if t.Name.Space != "" {
				return nil, fmt.Errorf("%s:%d: element <%s>: XML namespaces are not supported", file, n.line, t.Name.Space+":"+t.Name.Local)
			}
			for _, a := range t.Attr {
				name := a.Name.Local
				if a.Name.Space != "" {
					name = a.Name.Space + ":" + a.Name.Local
				}
				line := li.line(start + attrOffset(raw, name))
				for _, prev := range n.attrs {
					if prev.name == name {
						return nil, fmt.Errorf("%s:%d: malformed XML: element <%s>: duplicate attribute %q", file, line, n.name, name)
					}
				}
				n.attrs = append(n.attrs, attr{name: name, value: a.Value, line: line})
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("%s:%d: malformed XML: second top-level element <%s>", file, n.line, n.name)
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				line := li.line(start + int64(len(t)-len(bytes.TrimLeft(t, " \t\r\n"))))
				if len(stack) == 0 {
					return nil, fmt.Errorf("%s:%d: malformed XML: text outside the root element", file, line)
				}
				return nil, fmt.Errorf("%s:%d: element <%s>: unexpected text %q", file, line, stack[len(stack)-1].name, abbreviate(string(bytes.TrimSpace(t))))
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%s:1: malformed XML: no root element", file)
	}
	return root, nil
}

// attrOffset returns the byte offset of attribute name within the raw text of
// a start tag, or 0 when it cannot be located.
func attrOffset(raw []byte, name string) int64 {
	s := string(raw)
	for from := 0; ; {
		i := strings.Index(s[from:], name)
		if i < 0 {
			return 0
		}
		i += from
		before := i > 0 && (s[i-1] == ' ' || s[i-1] == '\t' || s[i-1] == '\n' || s[i-1] == '\r')
		rest := strings.TrimLeft(s[i+len(name):], " \t\r\n")
		if before && strings.HasPrefix(rest, "=") {
			return int64(i)
		}
		from = i + len(name)
	}
}

func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
