package agents

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Table is an in-memory CSV table whose first column is the environment step. It is written to disk atomically
// (temporary file, then rename) by Flush, so a killed run leaves either the old or the new file, never a torn one.
type Table struct {
	Path   string      // file written by Flush
	Header []string    // column names; Header[0] is "step"
	Rows   [][]float64 // one row per record, len(Header) values each
}

// NewTable returns an empty table with the given column names (the first must be "step") for the file path.
func NewTable(path string, header ...string) *Table {
	if len(header) == 0 || header[0] != "step" {
		panic(fmt.Sprintf("agents: NewTable %s: first column must be \"step\", got %v", path, header))
	}
	return &Table{Path: path, Header: header}
}

// Append adds a row; len(row) must equal len(Header).
func (t *Table) Append(row ...float64) {
	if len(row) != len(t.Header) {
		panic(fmt.Sprintf("agents: Table %s: row has %d values, header %d columns", t.Path, len(row), len(t.Header)))
	}
	t.Rows = append(t.Rows, append([]float64(nil), row...))
}

// Flush writes the table to Path atomically.
func (t *Table) Flush() error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(t.Header); err != nil {
		return err
	}
	rec := make([]string, len(t.Header))
	for _, r := range t.Rows {
		for i, v := range r {
			rec[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return WriteFileAtomic(t.Path, buf.Bytes())
}

// LoadTable reads a table written by Flush, keeping only rows with step ≤ maxStep (used by resume). The header
// must equal the given one; mismatches and malformed cells are errors naming the file, line and column.
func LoadTable(path string, maxStep int, header ...string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("agents: %s: %w", path, err)
	}
	t := NewTable(path, header...)
	if len(recs) == 0 {
		return nil, fmt.Errorf("agents: %s: empty file, want header %v", path, header)
	}
	if len(recs[0]) != len(header) {
		return nil, fmt.Errorf("agents: %s:1: header %v, want %v", path, recs[0], header)
	}
	for i, h := range header {
		if recs[0][i] != h {
			return nil, fmt.Errorf("agents: %s:1: column %d is %q, want %q", path, i+1, recs[0][i], h)
		}
	}
	for li, rec := range recs[1:] {
		row := make([]float64, len(rec))
		for i, c := range rec {
			v, err := strconv.ParseFloat(c, 64)
			if err != nil {
				return nil, fmt.Errorf("agents: %s:%d: column %q: %w", path, li+2, header[i], err)
			}
			row[i] = v
		}
		if row[0] <= float64(maxStep) {
			t.Rows = append(t.Rows, row)
		}
	}
	return t, nil
}

// WriteFileAtomic writes data to a temporary file in the directory of path and renames it onto path.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
