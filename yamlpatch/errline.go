package yamlpatch

import (
	"errors"
	"strconv"
	"strings"

	yaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// ErrorLine splits an error of the YAML parser (yaml.v3, as kyaml and
// sigs.k8s.io/yaml return it, possibly wrapped) into the 1-based line it
// names and the message without the "yaml: " and "line N: " prefixes:
//
//	"parsing: yaml: line 5: did not find expected key" -> 5, "did not find expected key"
//
// For a [yaml.TypeError] it returns the first of its errors. An error that
// names no line gives 0 and the message (without the "yaml: " prefix if it
// has one); a nil error gives 0 and "".
func ErrorLine(err error) (line int, msg string) {
	if err == nil {
		return 0, ""
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return splitLine(strings.TrimSpace(te.Errors[0]))
	}
	text := err.Error()
	if _, after, ok := strings.Cut(text, "yaml: "); ok {
		text = after
	}
	return splitLine(text)
}

// splitLine splits "line N: msg" into N and msg; other text gives 0 and itself.
func splitLine(s string) (int, string) {
	rest, ok := strings.CutPrefix(s, "line ")
	if !ok {
		return 0, s
	}
	num, msg, ok := strings.Cut(rest, ": ")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n <= 0 {
		return 0, s
	}
	return n, msg
}
