package gateway

import (
	"errors"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/dsig"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/party"
)

// Results of the signature check, the label of
// cbec_gateway_signatures_total.
const (
	sigVerified  = "verified"  // the signature verified with one of the party's certificates
	sigUnsigned  = "unsigned"  // no signature, accepted under the optional policy
	sigUnchecked = "unchecked" // the party has no certificate (optional policy): nothing to check against
	sigRefused   = "refused"   // unsigned or JSON from a party whose signatures are required
	sigFailed    = "failed"    // the signature did not verify
)

// signatureCodes maps a failed verification to the customs code.
var signatureCodes = map[dsig.Reason]errcode.Code{
	dsig.Malformed:          errcode.SignatureInvalid,
	dsig.BadSignature:       errcode.SignatureInvalid,
	dsig.UnknownCertificate: errcode.SignatureInvalid,
	dsig.Expired:            errcode.CertificateExpired,
	dsig.DigestMismatch:     errcode.SignatureMismatch,
}

// checkSignature applies p's signature policy to one CEB XML message of
// type t, body as received. It runs before anything is stored: a message
// that fails is refused whole. With the optional policy an unsigned
// message passes, and a party with no certificate registered has its
// signatures passed through unchecked (there is nothing to check them
// against); once a party has a certificate, a signature it sends must
// verify.
func (g *Gateway) checkSignature(p *party.Party, t ceb.MsgType, body []byte) error {
	if len(p.Certs()) == 0 && !p.SignaturesRequired() {
		g.metrics.signature(sigUnchecked)
		return nil
	}
	_, err := dsig.Verify(body, dsig.Options{Certificates: p.Certs(), Now: g.env.Clock.Now()})
	if err == nil {
		g.metrics.signature(sigVerified)
		return nil
	}
	var e *dsig.Error
	if !errors.As(err, &e) {
		g.metrics.signature(sigFailed)
		return errcode.Wrap(errcode.SignatureInvalid, err, "the signature cannot be checked")
	}
	if e.Reason == dsig.Unsigned {
		if !p.SignaturesRequired() {
			g.metrics.signature(sigUnsigned)
			return nil
		}
		g.metrics.signature(sigRefused)
		return errcode.New(errcode.SignatureRequired, "party %s must sign its messages: this %s message carries no ds:Signature", p.Code, t)
	}
	g.metrics.signature(sigFailed)
	code := signatureCodes[e.Reason]
	if t == ceb.CEB621 {
		// Inventory lists have their own code; the message keeps the reason.
		return errcode.New(errcode.InventorySignature, "%s (%s)", e.Msg, code)
	}
	return errcode.New(code, "%s", e.Msg)
}

// jsonAllowed refuses JSON submissions from a party whose signatures are
// required: JSON carries no signature.
func (g *Gateway) jsonAllowed(p *party.Party) error {
	if !p.SignaturesRequired() {
		return nil
	}
	g.metrics.signature(sigRefused)
	return errcode.New(errcode.SignatureRequired, "party %s must sign its documents: JSON carries no signature; send signed CEB XML to POST /v1/ceb", p.Code)
}
