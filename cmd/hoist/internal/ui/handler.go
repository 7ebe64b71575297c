package ui

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
)

//go:embed templates/page.html
var templates embed.FS

//go:embed static/style.css
var static embed.FS

// ContentSecurityPolicy is the policy every response carries: the page
// loads nothing but its own style sheet, runs no script and cannot be
// framed.
const ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the status page of src, read-only:
//
//	GET /                  the page, rendered on the server (no script)
//	GET /api/v1/status     the same data as JSON (see [Status])
//	GET /static/style.css  its style sheet
//
// Any other path is answered 404. Every response carries a strict
// Content-Security-Policy, nosniff, no-referrer and no-store headers.
// Whatever src returns is redacted and sanitised first (see [RedactURL]
// and [Sanitize]), and html/template escapes it on the page.
func Handler(src Source, opts ...Option) http.Handler {
	o := makeOptions(opts)
	mux := http.NewServeMux()
	page, err := template.New("page.html").Funcs(funcs()).ParseFS(templates, "templates/page.html")
	if err != nil { // only a broken build gets here; the tests render the page
		o.log.Error("parsing status page template", "error", err)
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "status page unavailable", http.StatusInternalServerError)
		})
	} else {
		mux.Handle("GET /{$}", &pageHandler{src: src, page: page, o: o})
	}
	mux.HandleFunc("GET /api/v1/status", func(w http.ResponseWriter, r *http.Request) {
		serveJSON(w, status(r.Context(), src, o))
	})
	mux.HandleFunc("GET /static/style.css", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static, "static/style.css")
	})
	return secure(mux)
}

// secure sets the security headers of every response.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// status asks src for the status within the timeout and cleans it.
func status(ctx context.Context, src Source, o options) Status {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	return clean(src.Status(ctx))
}

func serveJSON(w http.ResponseWriter, st Status) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w) // escapes <, > and & as \u003c, \u003e, \u0026
	enc.SetIndent("", "  ")
	_ = enc.Encode(st) // plain structs cannot fail to encode; a gone client is not an error here
}

// pageHandler serves the HTML page.
type pageHandler struct {
	src  Source
	page *template.Template
	o    options
}

func (p *pageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v := newView(status(r.Context(), p.src, p.o), p.o)
	var buf bytes.Buffer
	if err := p.page.Execute(&buf, v); err != nil {
		p.o.log.Error("rendering status page", "error", err)
		http.Error(w, "rendering the status page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}
