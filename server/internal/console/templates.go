package console

import (
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// pages are the parsed templates: layout.html (the frame, the journal row)
// cloned with each page's file, which defines "content".
type pages struct {
	base  *template.Template
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	"clock": func(t time.Time) string { return t.UTC().Format("15:04:05.000") },
	"stamp": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"stampp": func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"statusClass": func(status int) string {
		if status == 0 {
			return "none"
		}
		return fmt.Sprintf("%dxx", status/100)
	},
	"list": func(s ...string) []string { return s },
	"ms":   func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) },
	"path": url.PathEscape,
	"acct": func(id, page string) string { return acctURL(id, page) },
	"sel": func(q url.Values, k, v string) bool {
		return strings.EqualFold(q.Get(k), v)
	},
	"headerLines": func(h map[string][]string) string {
		var b strings.Builder
		for _, k := range sortedKeys(h) {
			for _, v := range h[k] {
				fmt.Fprintf(&b, "%s: %s\n", k, v)
			}
		}
		return b.String()
	},
	"groupName": func(names map[string]string, id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	},
}

func parsePages() (*pages, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("console templates: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{base: base, pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", f, err)
		}
		p.pages[name] = t
	}
	return p, nil
}

// render writes a whole page. The templates are tested with every page, so
// an error here is a write to a client that went away.
func (p *pages) render(w io.Writer, name string, v view) error {
	t, ok := p.pages[name]
	if !ok {
		return fmt.Errorf("console: no page %q", name)
	}
	return t.ExecuteTemplate(w, "layout", v)
}

// renderPart writes one named template of the layout, such as "row".
func (p *pages) renderPart(w io.Writer, name string, data any) error {
	return p.base.ExecuteTemplate(w, name, data)
}

func sortedKeys(h map[string][]string) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
