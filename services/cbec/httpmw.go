package main

import (
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/httpapi"
)

// httpMiddleware is what every HTTP request passes through before the
// router (request ids, problem documents for every error, Retry-After, the
// limit of failed authentications per client address, the access log).
// The limit and the latencies run on the wall clock, never the
// --dev-clock: they are about callers, not customs' dates.
func (m *Main) httpMiddleware() *httpapi.Middleware {
	return &httpapi.Middleware{Log: m.Log, Failures: m.authFailures(), Quiet: quietRoutes}
}

// The routes of the process itself, not of a service.
const (
	routeHealthz = "GET /healthz"
	routeReadyz  = "GET /readyz"
	routeMetrics = "GET /metrics"
)

// quietRoutes are logged at debug level: probes and scrapes come every few
// seconds and say nothing about traffic.
var quietRoutes = []string{routeHealthz, routeReadyz, routeMetrics}

// authFailures is the process's one limit of failed authentications, shared
// by HTTP and the NATS auth callout: an address guessing keys is slowed on
// both at once.
func (m *Main) authFailures() *httpapi.FailureLimiter {
	m.failuresOnce.Do(func() {
		m.failures = httpapi.NewFailureLimiter(m.Config.AuthFailRate, m.Config.AuthFailBurst, clock.System{})
	})
	return m.failures
}
