package client

import "github.com/cbec/cbec/pkg/webhook"

// VerifyWebhook checks a webhook delivery: header is its Cbec-Signature
// (webhook.SignatureHeader) value, body its bytes as received, secret the
// subscription's secret from its registration. It fails unless the body
// is signed with the secret and was sent within webhook.DefaultTolerance
// of the client's clock, so that a captured delivery cannot be replayed
// later; the error says which (webhook.ErrBadSignature, ErrStale …).
func (c *Client) VerifyWebhook(secret []byte, header string, body []byte) error {
	return webhook.Verify(secret, header, body, c.clock.Now(), webhook.DefaultTolerance)
}
