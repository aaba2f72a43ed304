package broker

import (
	"errors"
	"log/slog"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// CalloutUser is who the auth callout admits: a name (logged and shown by
// the server's monitoring) and the permissions of the connection.
type CalloutUser struct {
	Name        string
	Permissions Permissions
}

// Authorizer decides a connection from the server's request: what the
// client sent when connecting (req.ConnectOptions) and who it is
// (req.ClientInformation). It returns the user it is, or an error to refuse
// it.
type Authorizer func(req *jwt.AuthorizationRequest) (CalloutUser, error)

// CalloutConfig configures the auth callout responder.
type CalloutConfig struct {
	// Issuer signs the answers; the server trusts its public key.
	Issuer nkeys.KeyPair
	// Account is where admitted users are placed (AccountParties).
	Account string
	// TTL bounds an admitted connection's life: it must authenticate
	// again after it, so that a revoked key loses the bus within TTL.
	TTL time.Duration
	// Now is the clock the expiry is counted from.
	Now       func() time.Time
	Authorize Authorizer
	Log       *slog.Logger
}

// Validate checks the configuration before anything starts.
func (c CalloutConfig) Validate() error {
	switch {
	case c.Issuer == nil:
		return errors.New("auth callout: no issuer key")
	case c.Account == "":
		return errors.New("auth callout: no target account")
	case c.TTL <= 0:
		return errors.New("auth callout: TTL must be positive")
	case c.Now == nil || c.Authorize == nil || c.Log == nil:
		return errors.New("auth callout: clock, authorizer and log are required")
	}
	return nil
}

// StartCallout answers the server's authorization requests on nc, a
// connection of the callout's user (UserAuth). Each request carries what a
// client sent when connecting; the answer is a user JWT with the
// permissions Authorize grants, signed by the issuer, or an error.
// Secrets the client sent (its API key) are never logged.
func StartCallout(nc *nats.Conn, cfg CalloutConfig) (*nats.Subscription, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return nc.Subscribe(server.AuthCalloutSubject, func(m *nats.Msg) {
		answer, err := cfg.answer(m.Data)
		if err != nil {
			cfg.Log.Warn("auth callout: malformed request", "err", err)
			return
		}
		if err := m.Respond(answer); err != nil {
			cfg.Log.Warn("auth callout: respond", "err", err)
		}
	})
}

// answer decides one request and encodes the signed answer.
func (c CalloutConfig) answer(data []byte) ([]byte, error) {
	req, err := jwt.DecodeAuthorizationRequestClaims(string(data))
	if err != nil {
		return nil, err
	}
	resp := jwt.NewAuthorizationResponseClaims(req.UserNkey)
	resp.Audience = req.Server.ID
	user, err := c.Authorize(&req.AuthorizationRequest)
	if err != nil {
		c.Log.Info("auth callout: refused", "client", req.ClientInformation.Host, "err", err)
		resp.Error = err.Error()
	} else {
		uc := jwt.NewUserClaims(req.UserNkey)
		uc.Name = user.Name
		// In server-configuration mode the audience names the account.
		uc.Audience = c.Account
		uc.Expires = c.Now().Add(c.TTL).Unix()
		p := user.Permissions
		uc.Pub.Allow.Add(p.PubAllow...)
		uc.Pub.Deny.Add(p.PubDeny...)
		uc.Sub.Allow.Add(p.SubAllow...)
		if len(p.SubAllow) == 0 {
			uc.Sub.Deny.Add(">")
		}
		if p.Responses {
			uc.Resp = &jwt.ResponsePermission{MaxMsgs: 1, Expires: time.Minute}
		}
		ujwt, err := uc.Encode(c.Issuer)
		if err != nil {
			return nil, err
		}
		resp.Jwt = ujwt
	}
	token, err := resp.Encode(c.Issuer)
	if err != nil {
		return nil, err
	}
	return []byte(token), nil
}
