package config

import (
	"fmt"
	"reflect"
	"strings"
)

// secretWords mark a key whose value would be a secret.
const secretWords = "password passwd token secret passphrase apikey api_key privatekey private_key credential"

func looksSecret(key string) bool {
	lower := strings.ToLower(key)
	for _, w := range strings.Fields(secretWords) {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// unknownKey explains a key that is not part of the format: a typo gets the
// closest known key, and an inline secret gets pointed to the file and
// environment forms.
func unknownKey(key string, fields map[string]reflect.StructField) error {
	s := closest(key, fields)
	if looksSecret(key) && (s == "" || !looksSecret(s)) {
		return inlineSecret(key, fields)
	}
	if s != "" {
		return fmt.Errorf("%w (did you mean %q?)", errUnknownKey, s)
	}
	return errUnknownKey
}

func inlineSecret(key string, fields map[string]reflect.StructField) error {
	var alts []string
	for _, suffix := range []string{"File", "Env"} {
		if _, ok := fields[key+suffix]; ok {
			alts = append(alts, key+suffix)
		}
	}
	if len(alts) == 0 {
		return fmt.Errorf("%w; name a file or environment variable holding the secret", errInlineSecret)
	}
	return fmt.Errorf("%w; use %s to name a file or environment variable holding it",
		errInlineSecret, strings.Join(alts, " or "))
}

// closest returns the known key nearest to key by edit distance, if it is
// near enough to be a typo.
func closest(key string, fields map[string]reflect.StructField) string {
	best, bestD := "", 3
	for f := range fields {
		if d := distance(strings.ToLower(key), strings.ToLower(f)); d < bestD || d == bestD && f < best && best != "" {
			best, bestD = f, d
		}
	}
	if bestD >= 3 || len(key) > 64 {
		return ""
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
