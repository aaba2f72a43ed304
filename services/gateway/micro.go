package gateway

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/nats-io/nats.go/micro"
)

// Micro service identity and its endpoint subject.
const (
	MicroName      = "cbec-gateway"
	MicroVersion   = "0.1.0"
	SubmitSubject  = broker.SubmitSubject
	HeaderAuth     = "Authorization"
	HeaderMsgType  = "Cbec-Msg-Type"
	HeaderErrorMsg = "Cbec-Error"
	// HeaderRetryAfter carries, on a refusal of an overloaded intake
	// (-900550), the seconds to wait before resubmitting, as over HTTP.
	HeaderRetryAfter = "Retry-After"
)

// startMicro registers cbec-gateway with one endpoint, submit: the request
// is a CEB XML message (or, with header Cbec-Msg-Type, JSON documents of that
// type) with the API key in the Authorization header; the reply is the
// per-document results, as over HTTP.
func startMicro(g *Gateway) (micro.Service, error) {
	svc, err := micro.AddService(g.env.NC, micro.Config{
		Name:        MicroName,
		Version:     MicroVersion,
		Description: "CEB document intake: submit a CEB message, get per-document results",
	})
	if err != nil {
		return nil, err
	}
	err = svc.AddEndpoint("submit", micro.HandlerFunc(g.handleMicro), micro.WithEndpointSubject(SubmitSubject))
	if err != nil {
		_ = svc.Stop()
		return nil, err
	}
	return svc, nil
}

func (g *Gateway) handleMicro(req micro.Request) {
	fail := func(err error) {
		e := errcode.As(err)
		body, _ := json.Marshal(e)
		_ = req.Error(string(e.Code), e.Message, body)
	}
	key, _ := strings.CutPrefix(req.Headers().Get(HeaderAuth), "Bearer ")
	p, ok := g.env.Parties.Authenticate(strings.TrimSpace(key))
	if !ok {
		fail(errcode.New(errcode.Unauthenticated, "send the API key in the Authorization header"))
		return
	}
	if e, secs := g.bp.refuseError(); e != nil {
		body, _ := json.Marshal(e)
		_ = req.Error(string(e.Code), e.Message, body, micro.WithHeaders(micro.Headers{HeaderRetryAfter: []string{secs}}))
		return
	}
	data := req.Data()
	if len(data) > httpapi.MaxBody {
		fail(errcode.New(errcode.TooLarge, "message larger than %d bytes", httpapi.MaxBody))
		return
	}
	var (
		docs    []ceb.Declaration
		invalid [][]ceb.FieldError
		err     error
	)
	if t := req.Headers().Get(HeaderMsgType); t != "" {
		if err = g.jsonAllowed(p); err == nil {
			docs, invalid, err = DecodeJSON(ceb.MsgType(strings.ToUpper(t)), data)
		}
	} else if docs, invalid, err = DecodeMessage(data); err == nil {
		err = g.checkSignature(p, docs[0].MsgType(), data)
	}
	if err != nil {
		fail(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results := g.intake.Submit(ctx, p, docs, invalid)
	g.metrics.documents(results)
	resp := SubmitResponse{Results: results}
	for _, r := range results {
		if r.Status == Accepted {
			resp.Accepted++
		} else {
			resp.Rejected++
		}
	}
	_ = req.RespondJSON(resp)
}
