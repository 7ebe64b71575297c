package ui

import (
	"fmt"
	"html/template"
	"time"
)

// view is what the page template renders.
type view struct {
	Status
	Refresh int // seconds; 0 for none
	Repos   []repoView
}

// repoView is a repository with what the page derives from it.
type repoView struct {
	Repository
	Chart    chart
	Errors   int // problems that are not warnings
	Warnings int
	Held     int // held policies
}

func newView(st Status, o options) view {
	v := view{Status: st, Refresh: int(o.refresh.Round(time.Second) / time.Second)}
	for _, r := range st.Repositories {
		rv := repoView{Repository: r, Chart: newChart(r.Passes, st.GeneratedAt)}
		for _, p := range r.Problems {
			if p.Warning {
				rv.Warnings++
			} else {
				rv.Errors++
			}
		}
		for _, p := range r.Policies {
			if p.Held != "" {
				rv.Held++
			}
		}
		v.Repos = append(v.Repos, rv)
	}
	return v
}

// funcs returns the template's helpers; each returns plain text, which the
// template escapes.
func funcs() template.FuncMap {
	return template.FuncMap{
		"utc":   utc,
		"since": since,
		"dur":   dur,
		"short": short,
	}
}

// utc formats t in UTC to the second; "" for the zero time.
func utc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// since says how long before (or after) now t is: "3m ago", "in 40s".
func since(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	if d < 0 {
		return "in " + roughly(-d)
	}
	return roughly(d) + " ago"
}

// roughly rounds d to its largest unit: "40s", "3m", "2h5m", "3d".
func roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

// dur formats a pass's duration: "850ms", "12.3s".
func dur(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// short is the first 12 characters of a commit hash.
func short(sha string) string {
	if r := []rune(sha); len(r) > 12 {
		return string(r[:12])
	}
	return sha
}
