package ui

import (
	"fmt"
	"time"
)

// The chart's geometry, in SVG user units.
const (
	chartW, chartH = 480, 110
	plotTop        = 6
	plotBottom     = 92 // the baseline; hour labels go below it
	plotLeft       = 24
	buckets        = 24
	slot           = (chartW - plotLeft) / buckets // 19: room for two bars and a gap
	barW           = 8
)

// chart is the data of the passes-and-changes chart, drawn by the template
// as inline SVG: numbers and fixed class names only.
type chart struct {
	W, H, Base, Left int
	Bars             []bar
	Ticks            []tick
	Max              int // the value at the top of the plot
	Passes, Failed   int
	Changes          int
}

// bar is one rectangle; Class picks its colour in the style sheet.
type bar struct {
	X, Y, W, H int
	Class      string
	Title      string
}

// tick labels the hour axis.
type tick struct {
	X    int
	Text string
	End  bool // anchor the text at its end
}

// count is what one hour held.
type count struct{ passes, failed, changes int }

// newChart sums points into the 24 hours before now and lays out, per hour,
// a bar of passes (failed ones stacked at its foot) and a bar of changes.
func newChart(points []PassPoint, now time.Time) chart {
	var hours [buckets]count
	c := chart{W: chartW, H: chartH, Base: plotBottom, Left: plotLeft}
	start := now.Add(-window)
	for _, p := range points {
		i := int(p.Time.Sub(start) / time.Hour)
		if p.Time.Before(start) || i < 0 || i >= buckets {
			continue
		}
		hours[i].passes++
		hours[i].changes += max(p.Changes, 0)
		c.Passes++
		c.Changes += max(p.Changes, 0)
		if p.Failed {
			hours[i].failed++
			c.Failed++
		}
	}
	c.Max = 1
	for _, h := range hours {
		c.Max = max(c.Max, h.passes, h.changes)
	}
	for i, h := range hours {
		c.addHour(i, h, start.Add(time.Duration(i)*time.Hour))
	}
	for _, i := range []int{0, 6, 12, 18} {
		c.Ticks = append(c.Ticks, tick{X: plotLeft + i*slot, Text: fmt.Sprintf("-%dh", buckets-i)})
	}
	c.Ticks = append(c.Ticks, tick{X: plotLeft + buckets*slot, Text: "now", End: true})
	return c
}

func (c *chart) addHour(i int, h count, from time.Time) {
	x := plotLeft + i*slot + 1
	title := fmt.Sprintf("%s UTC: %d passes, %d failed, %d changes",
		from.UTC().Format("15:04"), h.passes, h.failed, h.changes)
	if h.passes > h.failed {
		c.Bars = append(c.Bars, c.bar(x, h.passes, "ok", title))
	}
	if h.failed > 0 {
		c.Bars = append(c.Bars, c.bar(x, h.failed, "failed", title))
	}
	if h.changes > 0 {
		c.Bars = append(c.Bars, c.bar(x+barW+1, h.changes, "changes", title))
	}
}

// bar is a bar of height v on the plot's scale, standing on the baseline.
func (c *chart) bar(x, v int, class, title string) bar {
	h := max(1, v*(plotBottom-plotTop)/c.Max)
	return bar{X: x, Y: plotBottom - h, W: barW, H: h, Class: class, Title: title}
}
