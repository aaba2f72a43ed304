package gateway

import (
	"errors"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/party"
	"github.com/nats-io/jwt/v2"
)

// ErrNATSUnknownKey refuses a NATS connection whose API key no party holds.
// The text reaches the client: it names no key.
var ErrNATSUnknownKey = errors.New("unknown API key")

// PartyAuthorizer admits a party to NATS by the API key it uses over HTTP,
// sent as the connection's token (nats.Token(key)) or as its password with
// the party code as user name (nats.UserInfo(code, key)). The party may
// request the submission service and read its own receipts, nothing else
// (broker.PartyPermissions). It reads dir at every connection, so a key
// removed by a reload of the parties file is refused from then on.
func PartyAuthorizer(dir *party.Directory) broker.Authorizer {
	return func(req *jwt.AuthorizationRequest) (broker.CalloutUser, error) {
		opts := req.ConnectOptions
		key := opts.Token
		if key == "" {
			key = opts.Password
		}
		p, ok := dir.Authenticate(key)
		if !ok {
			return broker.CalloutUser{}, ErrNATSUnknownKey
		}
		if opts.Username != "" && opts.Username != p.Code {
			return broker.CalloutUser{}, ErrNATSUnknownKey
		}
		return broker.CalloutUser{Name: p.Code, Permissions: broker.PartyPermissions(p.Code)}, nil
	}
}
