package gitwriter

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// maxSubject is the length a default subject stays under, in characters.
const maxSubject = 72

// subject is the default subject: every image with its new tag when that
// fits ("Update images: api 1.4.3, web 2.0.1"), else a count and the
// directory holding every change ("Update 72 images in apps/"). ps and dir
// are escaped already; labels are unique within the change.
func subject(ps []PolicyChange, dir string) string {
	var b strings.Builder
	b.WriteString("Update images:")
	for i, p := range ps {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" " + strings.TrimSpace(label(ps, i)+" "+p.To))
	}
	if s := b.String(); utf8.RuneCountInString(s) < maxSubject {
		return s
	}
	noun := "images"
	if len(ps) == 1 {
		noun = "image"
	}
	count := fmt.Sprintf("Update %d %s", len(ps), noun)
	if dir != "" {
		if s := count + " in " + dir + "/"; utf8.RuneCountInString(s) < maxSubject {
			return s
		}
	}
	return count
}

// label names policy i of ps for a subject: the image's short name, or the
// policy's full name when another policy of the change has the same short
// name (two policies named api in different namespaces).
func label(ps []PolicyChange, i int) string {
	for j, p := range ps {
		if j != i && p.Short == ps[i].Short {
			return ps[i].Policy
		}
	}
	if ps[i].Short == "" {
		return ps[i].Policy
	}
	return ps[i].Short
}

// commonDir is the deepest directory holding every file, "" for the root.
func commonDir(files []string) string {
	if len(files) == 0 {
		return ""
	}
	dir := path.Dir(files[0])
	for _, f := range files[1:] {
		for dir != "." && dir != "/" && !strings.HasPrefix(f, dir+"/") {
			dir = path.Dir(dir)
		}
	}
	if dir == "." || dir == "/" {
		return ""
	}
	return dir
}
