// Package dsig signs and verifies CEB messages with enveloped W3C XML
// signatures, as the customs interface specification (2022-05 edition)
// prescribes: one ds:Signature as the last child of the message root (for
// export messages, before ExtendMessage), a single Reference with URI=""
// and the enveloped-signature transform, SignedInfo canonicalised with
// C14N 1.0.
//
// Algorithms: SM2 with SM3 (GB/T 32918, default user ID 1234567812345678)
// under the 2022 edition's URIs, the older W3C-namespace "sm2-sm3" with a
// SHA-1 digest, and RSA with SHA-1 or SHA-256. SM2 signature values are
// the 64-byte r‖s, as published senders write them; a DER-encoded value
// is accepted too. Choices and sources: docs/signatures.md.
//
// The package is pure: it knows XML, certificates and keys, not parties,
// transports or error codes. Callers map a failed verification's Reason
// to their codes.
package dsig
