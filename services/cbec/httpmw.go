package main

import (
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/httpapi"
)

// httpMiddleware is what every HTTP request passes through before the
// router (request ids, problem documents for every error, Retry-After, the
// limit of failed authentications per client address). The limit runs on
// the wall clock, never the --dev-clock: it is about callers, not
// customs' dates.
func (m *Main) httpMiddleware() *httpapi.Middleware {
	return &httpapi.Middleware{
		Log:      m.Log,
		Failures: httpapi.NewFailureLimiter(m.Config.AuthFailRate, m.Config.AuthFailBurst, clock.System{}),
	}
}
