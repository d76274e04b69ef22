package report

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/agora-hub/agora/internal/dispwidth"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// WriteJSON writes the report for scripts.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func statusNames() []string {
	var out []string
	for _, s := range subscriber.Statuses {
		out = append(out, string(s))
	}
	return out
}

// WriteTable writes the three tables, each fitting 80 columns.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "Issues of %s (unsubs: unsubscribes after the issue, before the next)\n", r.Site)
	if len(r.Issues) == 0 {
		fmt.Fprintln(w, "  none sent yet")
	} else {
		fmt.Fprintln(tw, "issue\tdate\titems\trecipients\tsent\tfailed\tskipped\tpending\tbounces\tunsubs\t")
		for _, is := range r.Issues {
			fmt.Fprintf(tw, "#%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", is.Number, is.Created.Format("2006-01-02"),
				is.Items, is.Recipients, is.Sent, is.Failed, is.Skipped, is.Pending, is.Bounces, is.Unsubscribes)
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "\nSubscribers at the end of each month")
	if len(r.Subscribers) == 0 {
		fmt.Fprintln(w, "  none yet")
	} else {
		fmt.Fprintln(tw, "month\t"+strings.Join(statusNames(), "\t")+"\t")
		for _, m := range r.Subscribers {
			row := m.Month
			for _, s := range statusNames() {
				row += fmt.Sprintf("\t%d", m.Counts[s])
			}
			fmt.Fprintln(tw, row+"\t")
		}
		tw.Flush()
	}
	if len(r.Welcome) > 0 {
		fmt.Fprintln(w, "\nWelcome series (unsubs: within 7 days of the step)")
		fmt.Fprintln(tw, "step\ttitle\tsent\tfailed\tskipped\tqueued\tunsubs\t")
		for _, s := range r.Welcome {
			title := s.Title
			if title == "" {
				title = "(removed)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t\n", dispwidth.Truncate(s.Step, 28),
				dispwidth.Truncate(title, 24), s.Sent, s.Failed, s.Skipped, s.Queued, s.Unsubscribed)
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "\nPublished per month")
	if len(r.Content) == 0 {
		fmt.Fprintln(w, "  nothing yet")
		return nil
	}
	fmt.Fprintln(tw, "month\t"+strings.Join(r.Sections, "\t")+"\t")
	for _, m := range r.Content {
		row := m.Month
		for _, s := range r.Sections {
			row += fmt.Sprintf("\t%d", m.Counts[s])
		}
		fmt.Fprintln(tw, row+"\t")
	}
	return tw.Flush()
}

// palette colours series in the charts; colour-blind safe (Okabe–Ito).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"}

type part struct {
	Y, H  float64
	Color string
	Title string
}

type chart struct {
	Title, Desc string
	Width       int
	Height      int
	Bars        []barView
	Legend      []legend
	Max         int
}

type barView struct {
	X, W   float64
	Label  string
	Parts  []part
	LabelY float64
	Total  int
}

type legend struct {
	Name, Color string
	X           int
}

// stacked lays out a stacked bar chart of rows (label → series values).
func stacked(title, desc string, series []string, labels []string, value func(i int, s string) int) chart {
	const height, top, bottom, barW, gap = 250, 10, 70, 28, 10
	c := chart{Title: title, Desc: desc, Height: height}
	for i := range labels {
		t := 0
		for _, s := range series {
			t += value(i, s)
		}
		c.Max = max(c.Max, t)
	}
	scale := 0.0
	if c.Max > 0 {
		scale = float64(height-top-bottom) / float64(c.Max)
	}
	for i, l := range labels {
		b := barView{X: float64(40 + i*(barW+gap)), W: barW, Label: l, LabelY: height - bottom + 16}
		y := float64(height - bottom)
		for k, s := range series {
			v := value(i, s)
			if v == 0 {
				continue
			}
			h := float64(v) * scale
			y -= h
			b.Parts = append(b.Parts, part{Y: y, H: h, Color: palette[k%len(palette)], Title: fmt.Sprintf("%s %s: %d", l, s, v)})
			b.Total += v
		}
		c.Bars = append(c.Bars, b)
	}
	c.Width = max(320, 40+len(labels)*(barW+gap)+20)
	for k, s := range series {
		c.Legend = append(c.Legend, legend{Name: s, Color: palette[k%len(palette)], X: 40 + k*110})
	}
	return c
}

var htmlPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .R.Site }}: newsletter report</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}figure{margin:1rem 0;overflow-x:auto}svg text{font:12px system-ui,sans-serif;fill:#1f2328}
</style>
</head>
<body>
<h1>{{ .R.Site }}: newsletter report</h1>
<p>Made {{ .R.Generated.Format "2 January 2006 15:04 MST" }}.</p>
<h2>Issues</h2>
{{ if .R.Issues }}<table>
<thead><tr><th scope="col">Issue</th><th scope="col">Date</th><th scope="col">Items</th><th scope="col">Recipients</th><th scope="col">Sent</th><th scope="col">Failed</th><th scope="col">Skipped</th><th scope="col">Pending</th><th scope="col">Bounces</th><th scope="col">Unsubscribes since</th></tr></thead>
<tbody>{{ range .R.Issues }}<tr><td>#{{ .Number }}{{ if eq .Status "sending" }} (sending){{ end }}</td><td>{{ .Created.Format "2006-01-02" }}</td><td>{{ .Items }}</td><td>{{ .Recipients }}</td><td>{{ .Sent }}</td><td>{{ .Failed }}</td><td>{{ .Skipped }}</td><td>{{ .Pending }}</td><td>{{ .Bounces }}</td><td>{{ .Unsubscribes }}</td></tr>
{{ end }}</tbody></table>{{ else }}<p>No issue sent yet.</p>{{ end }}
{{- with .R.Welcome }}<h2>Welcome series</h2>
<table>
<thead><tr><th>step</th><th>title</th><th>sent</th><th>failed</th><th>skipped</th><th>queued</th><th>unsubscribed within 7 days</th></tr></thead>
<tbody>{{ range . }}<tr><td>{{ .Step }}</td><td>{{ with .Title }}{{ . }}{{ else }}(removed){{ end }}</td><td>{{ .Sent }}</td><td>{{ .Failed }}</td><td>{{ .Skipped }}</td><td>{{ .Queued }}</td><td>{{ .Unsubscribed }}</td></tr>
{{ end }}</tbody></table>{{ end }}
{{ range .Charts }}<h2>{{ .Title }}</h2>
<figure>
<svg xmlns="http://www.w3.org/2000/svg" width="{{ .Width }}" height="{{ .Height }}" viewBox="0 0 {{ .Width }} {{ .Height }}" role="img" aria-label="{{ .Desc }}">
<title>{{ .Desc }}</title>
<line x1="36" y1="180" x2="{{ .Width }}" y2="180" stroke="#999"/>
{{ range .Bars }}{{ $b := . }}{{ range .Parts }}<rect x="{{ $b.X }}" y="{{ printf "%.1f" .Y }}" width="{{ $b.W }}" height="{{ printf "%.1f" .H }}" fill="{{ .Color }}"><title>{{ .Title }}</title></rect>
{{ end }}<text x="{{ $b.X }}" y="{{ $b.LabelY }}" transform="rotate(30 {{ $b.X }} {{ $b.LabelY }})">{{ $b.Label }}</text>
{{ end }}<text x="2" y="20">{{ .Max }}</text>
{{ range .Legend }}<rect x="{{ .X }}" y="{{ $.LegendY }}" width="10" height="10" fill="{{ .Color }}"/><text x="{{ .X }}" dx="14" dy="10" y="{{ $.LegendY }}">{{ .Name }}</text>
{{ end }}</svg>
</figure>
{{ end }}
</body>
</html>
`))

// WriteHTML writes a self-contained page: inline CSS and SVG charts, no
// script and nothing fetched, so it can be mailed or opened from disk.
func (r *Report) WriteHTML(w io.Writer) error {
	var charts []chart
	if len(r.Subscribers) > 0 {
		labels := make([]string, len(r.Subscribers))
		for i, m := range r.Subscribers {
			labels[i] = m.Month
		}
		charts = append(charts, stacked("Subscribers over time", "Subscribers at the end of each month, by status", statusNames(), labels,
			func(i int, s string) int { return r.Subscribers[i].Counts[s] }))
	}
	if len(r.Content) > 0 {
		labels := make([]string, len(r.Content))
		for i, m := range r.Content {
			labels[i] = m.Month
		}
		charts = append(charts, stacked("Published per month", "Pages published each month, by section", r.Sections, labels,
			func(i int, s string) int { return r.Content[i].Counts[s] }))
	}
	return htmlPage.Execute(w, struct {
		R       *Report
		Charts  []chart
		LegendY int
	}{r, charts, 232})
}
