package main

import (
	"context"

	"github.com/cbec/cbec/pkg/svc"
	"github.com/cbec/cbec/services/clearance"
	"github.com/cbec/cbec/services/export"
	"github.com/cbec/cbec/services/gateway"
	"github.com/cbec/cbec/services/metrics"
	"github.com/cbec/cbec/services/returns"
	"github.com/cbec/cbec/services/review"
	"github.com/cbec/cbec/services/webhooks"
)

// service is one entry of the service table.
type service struct {
	name string
	New  func(context.Context, *svc.Env) (svc.Service, error)
}

// services lists every service in start order: consumers before intake, so
// that nothing is accepted before something can process it. Stop runs in
// reverse: intake first.
var services = []service{
	{metrics.Name, metrics.New},
	{clearance.Name, clearance.New},
	{returns.Name, returns.New},
	{export.Name, export.New},
	{review.Name, review.New},
	{webhooks.Name, webhooks.New},
	{gateway.Name, gateway.New},
}

// ServiceNames returns the names of every service, in start order.
func ServiceNames() []string {
	out := make([]string, len(services))
	for i, s := range services {
		out[i] = s.name
	}
	return out
}
