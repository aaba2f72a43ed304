// Package webhook holds what a receipt webhook is, independent of transport:
// the subscription a party registers, the delivery state cbec keeps for it,
// the retry schedule, and the signature every delivery carries, which a
// receiver checks with Verify.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries a delivery's signature:
//
//	Cbec-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
//
// The timestamp is signed with the body so that a captured delivery cannot
// be replayed later than the receiver's tolerance.
const SignatureHeader = "Cbec-Signature"

// DefaultTolerance is how far a delivery's timestamp may be from the
// receiver's clock for Verify to accept it.
const DefaultTolerance = 5 * time.Minute

// Errors of Verify. They say what is wrong with a delivery, never the
// expected signature.
var (
	ErrNoSignature  = errors.New("webhook: no signature")
	ErrBadHeader    = errors.New("webhook: malformed signature header")
	ErrStale        = errors.New("webhook: timestamp outside the tolerance")
	ErrBadSignature = errors.New("webhook: signature does not match")
)

// Sign returns the SignatureHeader value of body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// Verify checks a SignatureHeader value against body: the signature must be
// secret's, and its timestamp within tolerance of now (0 means
// DefaultTolerance). Several v1 values are accepted, any of which may match,
// so that a sender may sign with two secrets while a receiver rotates.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if header == "" {
		return ErrNoSignature
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrBadHeader
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			s, err := hex.DecodeString(v)
			if err != nil {
				return ErrBadHeader
			}
			sigs = append(sigs, s)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrBadHeader
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: %v off", ErrStale, d.Round(time.Second))
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}

func mac(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}
