package svc

import (
	"net/http"
	"sync"
)

// Router is the process's HTTP router. It remembers every pattern added, so
// a test can hold the routes against the OpenAPI document.
type Router struct {
	*http.ServeMux
	mu       sync.Mutex
	patterns []string
}

// NewRouter returns an empty router.
func NewRouter() *Router { return &Router{ServeMux: http.NewServeMux()} }

// Handle registers h for pattern ("METHOD /path").
func (r *Router) Handle(pattern string, h http.Handler) {
	r.mu.Lock()
	r.patterns = append(r.patterns, pattern)
	r.mu.Unlock()
	r.ServeMux.Handle(pattern, h)
}

// HandleFunc registers f for pattern.
func (r *Router) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	r.Handle(pattern, http.HandlerFunc(f))
}

// Patterns returns every registered pattern in registration order.
func (r *Router) Patterns() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.patterns...)
}
