package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

func envName() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) }

// envNames reports every …Env field below v that is set but is not an
// environment variable name, which is what a secret pasted there looks
// like. The value is not repeated.
func (v *validator) envNames(path string, val reflect.Value) {
	switch val.Kind() {
	case reflect.Slice:
		for i := range val.Len() {
			v.envNames(fmt.Sprintf("%s[%d]", path, i), val.Index(i))
		}
	case reflect.Struct:
		t := val.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || tag == "" {
				continue
			}
			fv := val.Field(i)
			if fv.Kind() == reflect.String && strings.HasSuffix(tag, "Env") {
				if s := fv.String(); s != "" && !envName().MatchString(s) {
					v.addf(join(path, tag), "must be the name of an environment variable (letters, digits and '_'), not the secret")
				}
				continue
			}
			v.envNames(join(path, tag), fv)
		}
	}
}
