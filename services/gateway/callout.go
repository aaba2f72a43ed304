package gateway

import (
	"errors"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/party"
	"github.com/nats-io/jwt/v2"
)

// Refusals of NATS connections. Their text reaches the client: it names no
// key.
var (
	ErrNATSUnknownKey = errors.New("unknown API key")
	ErrNATSLimited    = errors.New("too many failed authentications from this address; retry later")
)

// PartyAuthorizer admits a party to NATS by the API key it uses over HTTP,
// sent as the connection's token (nats.Token(key)) or as its password with
// the party code as user name (nats.UserInfo(code, key)). The party may
// request the submission service and read its own receipts, nothing else
// (broker.PartyPermissions). It reads dir at every connection, so a key
// removed by a reload of the parties file is refused from then on.
//
// Failures count against the client's host in failures (nil: no limit),
// the same limiter as HTTP's: once the host has failed too often, no key of
// it is looked at until a token is back.
func PartyAuthorizer(dir *party.Directory, failures *httpapi.FailureLimiter) broker.Authorizer {
	return func(req *jwt.AuthorizationRequest) (broker.CalloutUser, error) {
		host := req.ClientInformation.Host
		if failures != nil {
			if wait, _ := failures.Wait(host); wait > 0 {
				return broker.CalloutUser{}, ErrNATSLimited
			}
		}
		u, err := admit(dir, req.ConnectOptions)
		if err != nil && failures != nil {
			failures.Fail(host)
		}
		return u, err
	}
}

// admit finds the party of a connection's key.
func admit(dir *party.Directory, opts jwt.ConnectOptions) (broker.CalloutUser, error) {
	key := opts.Token
	if key == "" {
		key = opts.Password
	}
	p, ok := dir.Authenticate(key)
	if !ok || (opts.Username != "" && opts.Username != p.Code) {
		return broker.CalloutUser{}, ErrNATSUnknownKey
	}
	return broker.CalloutUser{Name: p.Code, Permissions: broker.PartyPermissions(p.Code)}, nil
}
