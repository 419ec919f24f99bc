package assets

import (
	"embed"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
)

// FS holds the embedded model files, named "<model>.xml" at its root.
//
//go:embed *.xml
var FS embed.FS

// Names returns the names of the embedded models (file names without the
// ".xml" extension), sorted.
func Names() []string {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		panic(fmt.Sprintf("assets: reading embedded directory: %v", err))
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".xml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Open opens the embedded model file of the given name ("hopper" or
// "hopper.xml"). The caller closes it.
func Open(name string) (io.ReadCloser, error) {
	if !strings.HasSuffix(name, ".xml") {
		name += ".xml"
	}
	f, err := FS.Open(name)
	if err != nil {
		return nil, fmt.Errorf("assets: no embedded model %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return f, nil
}

// ReadFile returns the contents of the embedded model file of the given name
// ("hopper" or "hopper.xml").
func ReadFile(name string) ([]byte, error) {
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
