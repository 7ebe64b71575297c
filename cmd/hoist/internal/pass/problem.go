package pass

import (
	"log/slog"
	"slices"
	"strings"
)

// Problem is one thing a pass could not do, or a remark about the
// repository. The pass went on for the rest.
type Problem struct {
	// Stage is the stage that found it: "policy", "registry" or "yamlpatch".
	Stage string
	// Message names the file and line, or the registry and repository.
	Message string
	// Warning is set when nothing was lost: the problem kept no marked
	// value from its update (a note suggesting an API upgrade, a marker for
	// a policy of another path). Without it, something that should have been
	// updated was not, and commands exit non-zero.
	Warning bool
}

// String is the message with "warning: " before a warning.
func (p Problem) String() string {
	if p.Warning {
		return "warning: " + p.Message
	}
	return p.Message
}

// LogValue logs the stage, the message and whether it is a warning.
func (p Problem) LogValue() slog.Value {
	return slog.GroupValue(slog.String("stage", p.Stage), slog.String("message", p.Message), slog.Bool("warning", p.Warning))
}

// Errors returns the problems that are not warnings.
func Errors(ps []Problem) []Problem {
	return slices.DeleteFunc(slices.Clone(ps), func(p Problem) bool { return p.Warning })
}

// sortProblems orders errors before warnings, each by message.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if a.Warning != b.Warning {
			if a.Warning {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Message, b.Message)
	})
}
