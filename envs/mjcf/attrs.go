package mjcf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// reader reads the attributes of one element. The first error is kept; every
// attribute not consumed by a read or an ignore is reported by finish as
// unsupported.
type reader struct {
	file string
	n    *node
	err  error
}

func (c *compiler) reader(n *node) *reader { return &reader{file: c.file, n: n} }

// errorf formats an error naming the file, the line and the element.
func errorf(file string, line int, elem, format string, args ...any) error {
	return fmt.Errorf("%s:%d: element <%s>: %s", file, line, elem, fmt.Sprintf(format, args...))
}

func (r *reader) fail(a *attr, format string, args ...any) {
	if r.err == nil {
		r.err = errorf(r.file, a.line, r.n.name, "attribute %q: %s", a.name, fmt.Sprintf(format, args...))
	}
}

func (r *reader) get(name string) (*attr, bool) {
	for i := range r.n.attrs {
		if r.n.attrs[i].name == name {
			r.n.attrs[i].used = true
			return &r.n.attrs[i], true
		}
	}
	return nil, false
}

// has reports whether attribute name is present (without consuming it).
func (r *reader) has(name string) bool {
	for i := range r.n.attrs {
		if r.n.attrs[i].name == name {
			return true
		}
	}
	return false
}

// ignore marks attributes as deliberately ignored (rendering and bookkeeping).
func (r *reader) ignore(names ...string) {
	for _, name := range names {
		r.get(name)
	}
}

// finish reports the first error or the first unsupported attribute.
func (r *reader) finish() error {
	if r.err != nil {
		return r.err
	}
	for _, a := range r.n.attrs {
		if !a.used {
			return errorf(r.file, a.line, r.n.name, "unsupported attribute %q", a.name)
		}
	}
	return nil
}

func (r *reader) str(name string, dst *string) bool {
	a, ok := r.get(name)
	if ok {
		*dst = a.value
	}
	return ok
}

func (r *reader) enum(name string, dst *string, allowed ...string) bool {
	a, ok := r.get(name)
	if !ok {
		return false
	}
	for _, v := range allowed {
		if a.value == v {
			*dst = v
			return true
		}
	}
	r.fail(a, "value %q is not one of %s", a.value, strings.Join(allowed, ", "))
	return false
}

func (r *reader) boolean(name string, dst *bool) bool {
	a, ok := r.get(name)
	if !ok {
		return false
	}
	switch a.value {
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		r.fail(a, "value %q is not true or false", a.value)
		return false
	}
	return true
}

func parseNumbers(s string) ([]float64, error) {
	fields := strings.Fields(s)
	out := make([]float64, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%q is not a finite number", f)
		}
		out[i] = v
	}
	return out, nil
}

// floats reads between lo and len(dst) numbers into the leading entries of
// dst, leaving the rest unchanged (MuJoCo's partial vector attributes).
func (r *reader) floats(name string, dst []float64, lo int) bool {
	a, ok := r.get(name)
	if !ok {
		return false
	}
	v, err := parseNumbers(a.value)
	if err != nil {
		r.fail(a, "%v", err)
		return false
	}
	if len(v) < lo || len(v) > len(dst) {
		if lo == len(dst) {
			r.fail(a, "expected %d numbers, got %d", len(dst), len(v))
		} else {
			r.fail(a, "expected %d to %d numbers, got %d", lo, len(dst), len(v))
		}
		return false
	}
	copy(dst, v)
	return true
}

func (r *reader) float(name string, dst *float64) bool {
	var v [1]float64
	if r.floats(name, v[:], 1) {
		*dst = v[0]
		return true
	}
	return false
}

// nonneg reads a number that must be ≥ 0.
func (r *reader) nonneg(name string, dst *float64) bool {
	var v float64
	if !r.float(name, &v) {
		return false
	}
	if v < 0 {
		a, _ := r.get(name)
		r.fail(a, "must be non-negative, got %v", v)
		return false
	}
	*dst = v
	return true
}

func (r *reader) integer(name string, dst *int) bool {
	a, ok := r.get(name)
	if !ok {
		return false
	}
	v, err := strconv.Atoi(strings.TrimSpace(a.value))
	if err != nil {
		r.fail(a, "%q is not an integer", a.value)
		return false
	}
	*dst = v
	return true
}

// limitedFlag is MuJoCo's tri-state "limited" attribute.
type limitedFlag int

const (
	limitedAuto limitedFlag = iota
	limitedFalse
	limitedTrue
)

func (r *reader) limited(name string, dst *limitedFlag) bool {
	var s string
	if !r.enum(name, &s, "true", "false", "auto") {
		return false
	}
	switch s {
	case "true":
		*dst = limitedTrue
	case "false":
		*dst = limitedFalse
	default:
		*dst = limitedAuto
	}
	return true
}
