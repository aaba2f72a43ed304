package dsig

import "fmt"

// Reason is why a verification failed; callers map it to their codes
// (customs: 1001 invalid signature, 1002 certificate expired, 1004 data
// and signature do not match).
type Reason int

// Reasons of a failed verification.
const (
	// Unsigned: the message has no ds:Signature.
	Unsigned Reason = iota + 1
	// Malformed: the signature is not one this package can check (its
	// structure, a second signature, an unknown algorithm, a Reference to
	// anything but the whole document).
	Malformed
	// DigestMismatch: the document's digest differs from the signed one —
	// the content was changed after signing.
	DigestMismatch
	// BadSignature: SignatureValue does not verify over SignedInfo with the
	// certificate's key.
	BadSignature
	// UnknownCertificate: the signing certificate is none of those the
	// signer is known by.
	UnknownCertificate
	// Expired: the certificate is not valid at the time of verification.
	Expired
)

var reasonNames = map[Reason]string{
	Unsigned: "unsigned", Malformed: "malformed", DigestMismatch: "digest mismatch",
	BadSignature: "bad signature", UnknownCertificate: "unknown certificate", Expired: "certificate expired",
}

func (r Reason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// Error is a failed verification: its reason and a message naming what
// failed (never key material).
type Error struct {
	Reason Reason
	Msg    string
}

func (e *Error) Error() string { return "signature: " + e.Msg }

func fail(r Reason, format string, args ...any) *Error {
	return &Error{Reason: r, Msg: fmt.Sprintf(format, args...)}
}
