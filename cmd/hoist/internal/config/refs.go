package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
)

// ref is one set string field whose yaml key ends in "File" or "Env".
type ref struct {
	path  string        // key path, e.g. "registries[0].auth.tokenFile"
	isEnv bool          // …Env rather than …File
	value reflect.Value // the settable string field
}

// refs lists the set …File and …Env fields below val, in field order.
func refs(path string, val reflect.Value) []ref {
	var out []ref
	switch val.Kind() {
	case reflect.Slice:
		for i := range val.Len() {
			out = append(out, refs(fmt.Sprintf("%s[%d]", path, i), val.Index(i))...)
		}
	case reflect.Struct:
		t := val.Type()
		for i := range t.NumField() {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if !t.Field(i).IsExported() || tag == "" || tag == "-" {
				continue
			}
			f, p := val.Field(i), join(path, tag)
			isFile, isEnv := strings.HasSuffix(tag, "File"), strings.HasSuffix(tag, "Env")
			if f.Kind() == reflect.String && (isFile || isEnv) && f.String() != "" {
				out = append(out, ref{path: p, isEnv: isEnv, value: f})
			}
			out = append(out, refs(p, f)...)
		}
	}
	return out
}

func envName() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) }

// envNames reports every …Env field that is not an environment variable
// name, which is what a secret pasted there looks like. The value is not
// repeated.
func (v *validator) envNames(c *Config) {
	for _, r := range refs("", reflect.ValueOf(c).Elem()) {
		if r.isEnv && !envName().MatchString(r.value.String()) {
			v.addf(r.path, "must be the name of an environment variable (letters, digits and '_'), not the secret")
		}
	}
}

// resolveFiles joins dir to every relative …File path of c.
func resolveFiles(c *Config, dir string) {
	for _, r := range refs("", reflect.ValueOf(c).Elem()) {
		if p := r.value.String(); !r.isEnv && !filepath.IsAbs(p) {
			r.value.SetString(filepath.Join(dir, p))
		}
	}
}

// CheckReferences reports, one per line as Parse does, every …File that is
// not a readable regular file and every …Env variable that is unset or
// empty. Parse does not look outside the config; run this where the
// files are mounted (hoist validate --config, readiness). No error contains
// a file's content or a variable's value.
func (c *Config) CheckReferences() error {
	v := &validator{pos: c.pos}
	for _, r := range refs("", reflect.ValueOf(c).Elem()) {
		if err := checkRef(r); err != nil {
			v.add(r.path, err)
		}
	}
	return merge(nil, nil, v.errs)
}

func checkRef(r ref) error {
	name := r.value.String()
	if r.isEnv {
		if os.Getenv(name) == "" {
			return invalid("environment variable %s is not set or empty", name)
		}
		return nil
	}
	f, err := os.Open(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in the message already
		}
		return invalid("file %s: %v", name, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return invalid("file %s: not a regular file", name)
	}
	return nil
}
