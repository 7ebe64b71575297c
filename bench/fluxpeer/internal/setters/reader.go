package setters

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// token is the text every marker contains; files without it are not parsed.
const token = "$imagepolicy"

// screeningReader reads the YAML files under root that contain token into
// RNodes annotated with their slash paths relative to root, as kyaml's
// LocalPackageReader does for every YAML file.
type screeningReader struct {
	root string
}

var _ kio.Reader = screeningReader{}

// Read implements kio.Reader.
func (r screeningReader) Read() ([]*yaml.RNode, error) {
	var nodes []*yaml.RNode
	err := filepath.WalkDir(r.root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == ".git":
			return filepath.SkipDir
		case !d.Type().IsRegular() || !isYAML(d.Name()):
			return nil
		}
		ns, err := r.readFile(path)
		nodes = append(nodes, ns...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", r.root, err)
	}
	return nodes, nil
}

func (r screeningReader) readFile(path string) ([]*yaml.RNode, error) {
	b, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(b, []byte(token)) {
		return nil, err
	}
	rel, err := filepath.Rel(r.root, path)
	if err != nil {
		return nil, err
	}
	rel = filepath.ToSlash(rel)
	br := kio.ByteReader{
		Reader:            bytes.NewReader(b),
		DisableUnwrapping: true,
		PreserveSeqIndent: true, // keep "wide" sequences wide
		SetAnnotations:    map[string]string{kioutil.PathAnnotation: rel},
	}
	nodes, err := br.Read()
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", rel, err)
	}
	return nodes, nil
}

func isYAML(name string) bool {
	ext := filepath.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}
